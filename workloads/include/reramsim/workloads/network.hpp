// A CNN as the simulator sees it: layers with their derived shapes, weight and
// MAC counts, and the weight matrix each weighted layer lowers to.
//
// Tensors are H x W x C (channel innermost). A layer's inputs are earlier
// layers (by index) or the network input (kNetworkInput).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reramsim::workloads {

struct Shape {
  int h = 0;
  int w = 0;
  int c = 0;
  std::int64_t elements() const { return std::int64_t(h) * w * c; }
  bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c; }
};

enum class LayerType { conv, fc, local, pool, lrn, add, concat };
enum class PoolMode { max, avg };
enum class Activation { none, relu };

const char* to_string(LayerType type);

constexpr int kNetworkInput = -1;

struct Layer {
  std::string name;
  LayerType type = LayerType::conv;
  int line = 0;             // line in the network file, for messages
  std::vector<int> inputs;  // indices of earlier layers, or kNetworkInput

  // conv, local (locally connected) and pool
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int groups = 1;        // conv only
  int out_channels = 0;  // conv, local, fc: M
  PoolMode pool_mode = PoolMode::max;
  bool ceil_mode = false;  // pool: round the output size up
  bool batchnorm = false;  // conv/fc: a BatchNorm the file states, folded into the weights
  // conv, local, fc: output channels whose every weight is zero (structured
  // pruning by output channel, 001 Section V), sorted, never all M.
  std::vector<int> pruned_outputs;

  // lrn (across channels, Caffe semantics)
  int lrn_size = 5;
  double lrn_alpha = 1e-4;
  double lrn_beta = 0.75;
  double lrn_k = 1.0;

  Activation activation = Activation::none;

  // Derived by the loader. For fc, `in` is the source tensor's shape; it is
  // flattened (H, W, C order) to N_in = in.elements().
  Shape in;
  Shape out;

  bool has_weights() const {
    return type == LayerType::conv || type == LayerType::fc || type == LayerType::local;
  }
  // Weights exclude biases: conv M*R*S*C/G, local E*F*M*R*S*C, fc N_in*M.
  std::int64_t weights() const;
  // conv E*F*weights; local and fc: weights; other layers 0.
  std::int64_t macs() const;
  // The same counts over the unpruned output channels only; weights() and
  // macs() stay dense, as the papers' tables count them.
  std::int64_t kept_weights() const;
  std::int64_t kept_macs() const;
};

// The matrix-vector-multiply problem a weighted layer lowers to: `matrices`
// independent weight matrices (G groups for conv, E*F positions for local, 1
// for fc), each `rows` x `cols`, each multiplied by `vectors` input vectors
// (E*F for conv, 1 for local and fc).
//
// Row order within a matrix follows im2col over an H x W x C tensor: row
// k = (r * S + s) * C_g + c for conv and local, k = (y * W + x) * C + c for fc.
struct MatrixShape {
  std::int64_t matrices = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t vectors = 0;
};
MatrixShape lower(const Layer& layer);

// The columns of weight matrix `matrix` of `layer` whose output channel is not
// pruned, ascending. Conv matrix g holds output channels g*M/G .. (g+1)*M/G-1
// as columns 0 .. M/G-1; for local and fc the columns are the output channels.
// An unpruned layer gives 0 .. cols-1. Throws std::out_of_range for a matrix
// outside [0, lower(layer).matrices), i.e. for every layer without weights.
std::vector<std::int64_t> kept_columns(const Layer& layer, std::int64_t matrix);

struct Network {
  std::string name;
  std::string file;    // where it was loaded from
  std::string source;  // citation the file gives
  Shape input;
  std::vector<Layer> layers;  // in a valid execution order

  std::int64_t total_weights() const;
  std::int64_t total_macs() const;
  // Index of a layer by name, or -2 if there is none.
  int find(const std::string& name) const;
  // Whether a layer's output (or the network input) can only hold values >= 0:
  // after a ReLU, or pooling/normalizing/adding/concatenating such values.
  // Crossbars fed by it need no sign handling for their inputs.
  bool non_negative(int layer_or_input) const;
  // Shape of a layer's input `i` (the network input for kNetworkInput).
  const Shape& shape_of(int layer_or_input) const;
};

// Loads and checks a network file; throws InputError ("file:line: layer
// 'name': what was expected") on any inconsistency.
Network load_network(const std::string& path);
// The same from text (tests); `file` names it in messages.
Network parse_network(const std::string& yaml_text, const std::string& file);

}  // namespace reramsim::workloads
