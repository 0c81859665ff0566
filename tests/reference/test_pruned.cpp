// Pruned output channels in the quantized network and the reference: their
// weights are 0, every other weight is the dense network's, and their outputs
// are 0.
#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>
#include <vector>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

namespace {

// grouped conv (2 groups of 3 output channels) -> pool -> fc, no ReLU, so a
// pruned channel's 0 is not an accident of clamping negatives.
Network small_net(std::vector<int> conv_pruned, std::vector<int> fc_pruned) {
  const Shape in{6, 6, 4};
  Layer conv = windowed_layer(LayerType::conv, in, 6, 3, 1, 1, 2);
  conv.pruned_outputs = std::move(conv_pruned);
  Layer pool = pool_layer(conv.out, PoolMode::max, 2, 2, 0, false, 0);
  Layer fc = fc_layer(pool.out, 5, 1);
  fc.pruned_outputs = std::move(fc_pruned);
  return network_of(in, {conv, pool, fc});
}

// The output channel of column `col` of matrix `m` (conv groups hold
// consecutive channels; fc has one matrix).
int channel_of(const Layer& layer, std::int64_t m, std::int64_t col) {
  return int(m * lower(layer).cols + col);
}

bool pruned(const Layer& layer, int channel) {
  return std::binary_search(layer.pruned_outputs.begin(), layer.pruned_outputs.end(), channel);
}

}  // namespace

TEST_CASE("quantize zeroes pruned columns and keeps every other weight of the dense draw",
          "[reference][quantize][pruned]") {
  const Network dense = small_net({}, {});
  // Channels 1 and 3: column 1 of group 0 and column 0 of group 1.
  const Network sparse = small_net({1, 3}, {0, 4});
  QuantizationSpec spec;
  spec.seed = 7;
  const QuantizedNetwork qd = quantize(dense, spec);
  const QuantizedNetwork qs = quantize(sparse, spec);
  std::int64_t zeroed = 0, nonzero_kept = 0;
  for (int l : {0, 2}) {
    const Layer& layer = sparse.layers[std::size_t(l)];
    const MatrixShape ms = lower(layer);
    REQUIRE(qs.layers[std::size_t(l)].weights.size() == qd.layers[std::size_t(l)].weights.size());
    for (std::int64_t m = 0; m < ms.matrices; ++m)
      for (std::int64_t r = 0; r < ms.rows; ++r)
        for (std::int64_t c = 0; c < ms.cols; ++c) {
          if (pruned(layer, channel_of(layer, m, c))) {
            REQUIRE(qs.weight(l, m, r, c) == 0);
            ++zeroed;
          } else {
            REQUIRE(qs.weight(l, m, r, c) == qd.weight(l, m, r, c));
            if (qs.weight(l, m, r, c) != 0) ++nonzero_kept;
          }
        }
  }
  // Hand: conv rows 3*3*2 = 18, 2 pruned columns -> 36; fc rows 3*3*6 = 54,
  // 2 pruned columns -> 108.
  CHECK(zeroed == 36 + 108);
  CHECK(nonzero_kept > 0);
  CHECK(qs.input.data == qd.input.data);
}

TEST_CASE("pruning one layer leaves another layer's weights unchanged",
          "[reference][quantize][pruned]") {
  const Network dense = small_net({}, {});
  const Network sparse = small_net({0, 2, 4}, {});
  const QuantizedNetwork qd = quantize(dense, QuantizationSpec{});
  const QuantizedNetwork qs = quantize(sparse, QuantizationSpec{});
  CHECK(qs.layers[2].weights == qd.layers[2].weights);
  CHECK(qs.layers[0].weights != qd.layers[0].weights);
}

TEST_CASE("reference: a pruned conv's output channels are 0 and the others unchanged",
          "[reference][pruned]") {
  const Network dense = small_net({}, {});
  const Network sparse = small_net({1, 3}, {0, 4});
  QuantizationSpec spec;
  spec.seed = 3;
  QuantizedNetwork qd = quantize(dense, spec);
  QuantizedNetwork qs = quantize(sparse, spec);
  const std::vector<Tensor> outd = reference_forward(qd, true);
  // With the dense network's shifts, the kept channels must come out exactly
  // as in the dense network (requantization maps 0 to 0 for the pruned ones).
  for (std::size_t l = 0; l < qs.layers.size(); ++l) qs.layers[l].shift = qd.layers[l].shift;
  const std::vector<Tensor> outs = reference_forward(qs, false);
  const Layer& conv = sparse.layers[0];
  const Tensor& y = outs[0];
  std::int64_t nonzero = 0;
  for (int py = 0; py < y.shape.h; ++py)
    for (int px = 0; px < y.shape.w; ++px)
      for (int c = 0; c < y.shape.c; ++c) {
        if (pruned(conv, c)) {
          REQUIRE(y.at(py, px, c) == 0);
        } else {
          REQUIRE(y.at(py, px, c) == outd[0].at(py, px, c));
          if (y.at(py, px, c) != 0) ++nonzero;
        }
      }
  CHECK(nonzero > 0);
  // The fc's pruned outputs are 0 too, after its own calibration.
  QuantizedNetwork qc = quantize(sparse, spec);
  const std::vector<Tensor> outc = reference_forward(qc, true);
  CHECK(outc[2].data[0] == 0);
  CHECK(outc[2].data[4] == 0);
  CHECK(std::any_of(outc[2].data.begin() + 1, outc[2].data.begin() + 4,
                    [](std::int32_t v) { return v != 0; }));
}
