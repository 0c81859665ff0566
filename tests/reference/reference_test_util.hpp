// Hand-built layers and networks for the reference tests (no network files, so
// these tests do not depend on the loader).
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/reference.hpp"

namespace reramsim::workloads::test {

inline int window_out(int size, int kernel, int stride, int pad, bool ceil_mode = false) {
  const int span = size + 2 * pad - kernel;
  return (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
}

// conv or local layer reading `input` (network input by default).
inline Layer windowed_layer(LayerType type, Shape in, int out_channels, int kernel, int stride,
                            int pad, int groups = 1, int input = kNetworkInput) {
  Layer l;
  l.name = type == LayerType::conv ? "conv" : "local";
  l.type = type;
  l.inputs = {input};
  l.kernel_h = l.kernel_w = kernel;
  l.stride_h = l.stride_w = stride;
  l.pad_h = l.pad_w = pad;
  l.groups = groups;
  l.out_channels = out_channels;
  l.in = in;
  l.out = {window_out(in.h, kernel, stride, pad), window_out(in.w, kernel, stride, pad),
           out_channels};
  return l;
}

inline Layer pool_layer(Shape in, PoolMode mode, int kernel, int stride, int pad, bool ceil_mode,
                        int input = kNetworkInput) {
  Layer l;
  l.name = "pool";
  l.type = LayerType::pool;
  l.inputs = {input};
  l.kernel_h = l.kernel_w = kernel;
  l.stride_h = l.stride_w = stride;
  l.pad_h = l.pad_w = pad;
  l.pool_mode = mode;
  l.ceil_mode = ceil_mode;
  l.in = in;
  l.out = {window_out(in.h, kernel, stride, pad, ceil_mode),
           window_out(in.w, kernel, stride, pad, ceil_mode), in.c};
  return l;
}

inline Layer fc_layer(Shape in, int out_channels, int input = kNetworkInput) {
  Layer l;
  l.name = "fc";
  l.type = LayerType::fc;
  l.inputs = {input};
  l.out_channels = out_channels;
  l.in = in;
  l.out = {1, 1, out_channels};
  return l;
}

inline Network network_of(Shape input, std::vector<Layer> layers) {
  Network n;
  n.name = "test";
  n.input = input;
  n.layers = std::move(layers);
  return n;
}

inline Tensor tensor_of(Shape shape, std::vector<std::int32_t> data) {
  Tensor t;
  t.shape = shape;
  t.data = std::move(data);
  return t;
}

// A quantized network with hand-set input and weights (parallel to the
// layers; empty for unweighted ones) and all shifts 0.
inline QuantizedNetwork hand_qnet(const Network& net, Tensor input,
                                  std::vector<std::vector<std::int16_t>> weights,
                                  int activation_bits = 8) {
  QuantizedNetwork q;
  q.network = &net;
  q.spec.activation_bits = activation_bits;
  q.layers.resize(net.layers.size());
  for (std::size_t l = 0; l < weights.size(); ++l) q.layers[l].weights = std::move(weights[l]);
  q.input = std::move(input);
  return q;
}

// Uniform integer in [lo, hi] for test data (not the library's generator).
inline std::int32_t draw(std::mt19937& rng, std::int32_t lo, std::int32_t hi) {
  return lo + std::int32_t(rng() % std::uint32_t(hi - lo + 1));
}

}  // namespace reramsim::workloads::test
