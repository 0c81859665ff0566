#include "reramsim/workloads/network.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace reramsim::workloads {

const char* to_string(LayerType type) {
  switch (type) {
    case LayerType::conv:
      return "conv";
    case LayerType::fc:
      return "fc";
    case LayerType::local:
      return "local";
    case LayerType::pool:
      return "pool";
    case LayerType::lrn:
      return "lrn";
    case LayerType::add:
      return "add";
    case LayerType::concat:
      return "concat";
  }
  return "?";
}

std::int64_t Layer::weights() const {
  const std::int64_t window = std::int64_t(kernel_h) * kernel_w;
  switch (type) {
    case LayerType::conv:
      return std::int64_t(out_channels) * window * in.c / groups;
    case LayerType::local:
      return out.elements() / out.c * out_channels * window * in.c;
    case LayerType::fc:
      return in.elements() * out_channels;
    default:
      return 0;
  }
}

std::int64_t Layer::macs() const {
  switch (type) {
    case LayerType::conv:
      return std::int64_t(out.h) * out.w * weights();
    case LayerType::local:
    case LayerType::fc:
      return weights();
    default:
      return 0;
  }
}

std::int64_t Layer::kept_weights() const {
  if (!has_weights() || out_channels == 0) return 0;
  // Every output channel owns the same number of weights (M divides all three
  // formulas of weights()).
  const std::int64_t kept = out_channels - std::int64_t(pruned_outputs.size());
  return weights() / out_channels * kept;
}

std::int64_t Layer::kept_macs() const {
  switch (type) {
    case LayerType::conv:
      return std::int64_t(out.h) * out.w * kept_weights();
    case LayerType::local:
    case LayerType::fc:
      return kept_weights();
    default:
      return 0;
  }
}

MatrixShape lower(const Layer& layer) {
  MatrixShape m;
  const std::int64_t window = std::int64_t(layer.kernel_h) * layer.kernel_w;
  const std::int64_t positions = std::int64_t(layer.out.h) * layer.out.w;
  switch (layer.type) {
    case LayerType::conv:
      m.matrices = layer.groups;
      m.rows = window * layer.in.c / layer.groups;
      m.cols = layer.out_channels / layer.groups;
      m.vectors = positions;
      break;
    case LayerType::local:
      m.matrices = positions;
      m.rows = window * layer.in.c;
      m.cols = layer.out_channels;
      m.vectors = 1;
      break;
    case LayerType::fc:
      m.matrices = 1;
      m.rows = layer.in.elements();
      m.cols = layer.out_channels;
      m.vectors = 1;
      break;
    default:
      break;
  }
  return m;
}

std::vector<std::int64_t> kept_columns(const Layer& layer, std::int64_t matrix) {
  const MatrixShape m = lower(layer);
  if (matrix < 0 || matrix >= m.matrices) {
    throw std::out_of_range("kept_columns: layer '" + layer.name + "' has no matrix " +
                            std::to_string(matrix));
  }
  // Only conv matrices (groups) hold different output channels; local and fc
  // matrices all span every channel.
  const std::int64_t first = layer.type == LayerType::conv ? matrix * m.cols : 0;
  std::vector<std::int64_t> kept;
  kept.reserve(std::size_t(m.cols));
  for (std::int64_t c = 0; c < m.cols; ++c) {
    if (!std::binary_search(layer.pruned_outputs.begin(), layer.pruned_outputs.end(),
                            int(first + c)))
      kept.push_back(c);
  }
  return kept;
}

std::int64_t Network::total_weights() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.weights();
  return total;
}

std::int64_t Network::total_macs() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.macs();
  return total;
}

int Network::find(const std::string& name) const {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == name) return int(i);
  }
  return -2;
}

bool Network::non_negative(int layer_or_input) const {
  if (layer_or_input == kNetworkInput) return true;  // inputs are drawn non-negative
  const Layer& layer = layers[std::size_t(layer_or_input)];
  if (layer.activation == Activation::relu) return true;
  switch (layer.type) {
    case LayerType::pool:
    case LayerType::lrn:
    case LayerType::add:
    case LayerType::concat:
      for (int source : layer.inputs) {
        if (!non_negative(source)) return false;
      }
      return true;
    default:
      return false;
  }
}

const Shape& Network::shape_of(int layer_or_input) const {
  return layer_or_input == kNetworkInput ? input : layers[std::size_t(layer_or_input)].out;
}

}  // namespace reramsim::workloads
