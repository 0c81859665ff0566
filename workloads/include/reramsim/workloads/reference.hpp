// The quantized integer network and its plain C++ reference execution
// (im2col + integer GEMM), against which the simulated accelerator's output is
// checked. Independent of the hardware model by construction: nothing here
// knows about crossbars.
//
// Number formats (docs/architecture.md, "Values"):
// - weights: signed, uniform in [-2^(wb-1), 2^(wb-1)-1], seeded;
// - network input: uniform in [0, 2^(ab-1)-1], seeded;
// - every layer output is requantized: y = clamp(round_shift(acc, shift), lo, hi)
//   with round_shift(x, s) = (x + 2^(s-1)) >> s (arithmetic; x for s = 0),
//   hi = 2^(ab-1)-1, lo = 0 after ReLU, else -2^(ab-1).
// - `shift` is calibrated per layer on the run's own input: the smallest s >= 0
//   for which round_shift(max |acc|, s) <= hi. conv, fc, local and add layers
//   are requantized; pool, lrn and concat keep their input scale (but clamp).
// - avg pool: sum / count over the window positions inside the unpadded input
//   (padding excluded from count), rounded half away from zero; max pool over
//   the same positions.
// - lrn (Caffe, across channels): y = round(x / (k + alpha/n * sum x'^2)^beta)
//   with x' over channels [c - n/2, c + n/2] clipped to the tensor, computed in
//   double, rounded half away from zero (std::lround).
// - fc flattens its input in H, W, C order.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/workloads/network.hpp"

namespace reramsim::workloads {

struct Tensor {
  Shape shape;
  std::vector<std::int32_t> data;  // H x W x C, channel innermost
  std::int32_t at(int y, int x, int c) const {
    return data[(std::size_t(y) * shape.w + x) * shape.c + c];
  }
};

struct QuantizationSpec {
  int weight_bits = 8;
  int activation_bits = 8;
  std::uint64_t seed = 1;
  // Execute the BatchNorms that layers state (batchnorm: true) as integer
  // arithmetic after the layer, instead of folding them into the weights.
  bool execute_batchnorm = false;
};

// Integer BatchNorm (when executed): per output channel c, with parameters
// drawn from their own seeded stream (weights and input are unchanged):
// mean in [-2^(ab-3), 2^(ab-3)], var in [1, 2^ab], gamma in [1, 2^(ab-2)],
// beta in [-2^(ab-3), 2^(ab-3)]. On the layer's requantized output y
// (without its ReLU):
//   r_c = round(2^kBatchNormRsqrtBits / sqrt(var_c))     (the SFU's rsqrt)
//   t   = (y - mean_c) * (gamma_c * r_c)
//   z   = clamp(round_shift(t, bn_shift) + beta_c, lo, hi)  (lo = 0 after ReLU)
// with bn_shift calibrated like `shift` (smallest s with round_shift(max|t|, s) <= hi).
constexpr int kBatchNormRsqrtBits = 12;

struct QuantizedLayer {
  // For weighted layers: matrices x rows x cols, row-major per matrix (see
  // MatrixShape for the row order). Empty for other layers.
  std::vector<std::int16_t> weights;
  int shift = 0;  // requantization shift, set by calibration
  // Executed BatchNorm, per output channel (empty when folded).
  std::vector<std::int32_t> bn_mean, bn_var, bn_gamma, bn_beta;
  int bn_shift = 0;
  bool has_batchnorm() const { return !bn_var.empty(); }
};

struct QuantizedNetwork {
  const Network* network = nullptr;
  QuantizationSpec spec;
  std::vector<QuantizedLayer> layers;  // parallel to network->layers
  Tensor input;

  // Weight (row, col) of matrix m of layer l.
  std::int16_t weight(int l, std::int64_t m, std::int64_t row, std::int64_t col) const;
};

// Draws the seeded weights and input (deterministic for a given seed).
// Weights of pruned output channels (Layer::pruned_outputs) are drawn and then
// set to 0, so pruning never changes any other weight or the input.
QuantizedNetwork quantize(const Network& network, const QuantizationSpec& spec);

// Runs the reference. With calibrate = true, sets every layer's shift first
// (from its own accumulator range) then requantizes with it. Returns every
// layer's output tensor, parallel to network.layers.
std::vector<Tensor> reference_forward(QuantizedNetwork& qnet, bool calibrate);

// Requantization used by both the reference and the hardware model's contract.
std::int32_t requantize(std::int64_t acc, int shift, int activation_bits, bool relu);

// im2col of one input window for conv/local (rows in MatrixShape order,
// zero padding) — exposed for tests.
void im2col_window(const Tensor& input, const Layer& layer, int group, int out_y, int out_x,
                   std::int32_t* column);

}  // namespace reramsim::workloads
