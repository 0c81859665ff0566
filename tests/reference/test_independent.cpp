// reference_forward against naive direct loops written here, on random data,
// including the paths the hand cases do not reach (int32 chunking, int64
// accumulation, blocking, remainder columns).
#include <catch2/catch.hpp>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

namespace {

// Direct convolution / locally connected layer: loops over output position,
// output channel and kernel window, reading weights by their documented index.
std::vector<std::int64_t> naive_windowed(const Layer& l, const Tensor& in,
                                         const std::vector<std::int16_t>& w) {
  std::vector<std::int64_t> out(std::size_t(l.out.elements()), 0);
  const bool local = l.type == LayerType::local;
  const int groups = local ? 1 : l.groups;
  const int cg = l.in.c / groups, mg = l.out_channels / groups;
  const std::int64_t rows = std::int64_t(l.kernel_h) * l.kernel_w * cg;
  for (int oy = 0; oy < l.out.h; ++oy)
    for (int ox = 0; ox < l.out.w; ++ox)
      for (int m = 0; m < l.out_channels; ++m) {
        const int g = m / mg, j = m % mg;
        const std::int64_t matrix = local ? std::int64_t(oy) * l.out.w + ox : g;
        std::int64_t acc = 0;
        for (int r = 0; r < l.kernel_h; ++r)
          for (int s = 0; s < l.kernel_w; ++s)
            for (int c = 0; c < cg; ++c) {
              const int y = oy * l.stride_h - l.pad_h + r, x = ox * l.stride_w - l.pad_w + s;
              if (y < 0 || y >= in.shape.h || x < 0 || x >= in.shape.w) continue;
              const std::int64_t k = (std::int64_t(r) * l.kernel_w + s) * cg + c;
              acc += std::int64_t(in.at(y, x, g * cg + c)) *
                     w[std::size_t((matrix * rows + k) * mg + j)];
            }
        out[(std::size_t(oy) * l.out.w + ox) * l.out_channels + m] = acc;
      }
  return out;
}

// Runs a one-layer network on seeded data and compares with the naive sums
// requantized by the calibrated shift. signed_input redraws the input over the
// whole signed activation range (quantize() draws only non-negative values).
void check_against_naive(const Layer& layer, const QuantizationSpec& spec,
                         bool signed_input = false) {
  const Network net = network_of(layer.in, {layer});
  QuantizedNetwork q = quantize(net, spec);
  if (signed_input) {
    std::mt19937 rng(std::uint32_t(spec.seed));
    const std::int32_t hi = (std::int32_t(1) << (spec.activation_bits - 1)) - 1;
    for (auto& v : q.input.data) v = draw(rng, -hi - 1, hi);
  }
  const auto out = reference_forward(q, true);
  std::vector<std::int64_t> expected;
  if (layer.type == LayerType::fc) {
    expected.assign(std::size_t(layer.out_channels), 0);
    for (std::size_t k = 0; k < q.input.data.size(); ++k)
      for (int j = 0; j < layer.out_channels; ++j)
        expected[std::size_t(j)] +=
            std::int64_t(q.input.data[k]) * q.weight(0, 0, std::int64_t(k), j);
  } else {
    expected = naive_windowed(layer, q.input, q.layers[0].weights);
  }
  REQUIRE(out[0].data.size() == expected.size());
  std::int64_t max_abs = 0;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    max_abs = std::max(max_abs, expected[i] < 0 ? -expected[i] : expected[i]);
    if (out[0].data[i] != requantize(expected[i], q.layers[0].shift, spec.activation_bits, false))
      ++mismatches;
  }
  CHECK(mismatches == 0);
  // The calibrated shift is the smallest that fits the naive maximum.
  const int s = q.layers[0].shift;
  const std::int64_t hi = (std::int64_t(1) << (spec.activation_bits - 1)) - 1;
  const auto round_shift = [](std::int64_t x, int sh) {
    return sh == 0 ? x : (x + (std::int64_t(1) << (sh - 1))) >> sh;
  };
  CHECK(round_shift(max_abs, s) <= hi);
  if (s > 0) CHECK(round_shift(max_abs, s - 1) > hi);
}

QuantizationSpec spec_of(int weight_bits, int activation_bits, std::uint64_t seed) {
  QuantizationSpec spec;
  spec.weight_bits = weight_bits;
  spec.activation_bits = activation_bits;
  spec.seed = seed;
  return spec;
}

}  // namespace

TEST_CASE("random conv matches a direct 7-loop convolution", "[reference][independent]") {
  // 6x6x3 input, 3x3 kernel, pad 1, stride 2, 4 outputs.
  check_against_naive(windowed_layer(LayerType::conv, {6, 6, 3}, 4, 3, 2, 1), spec_of(8, 8, 7));
  check_against_naive(windowed_layer(LayerType::conv, {6, 6, 3}, 4, 3, 2, 1), spec_of(8, 8, 8),
                      true);
}

TEST_CASE("random grouped conv matches direct loops", "[reference][independent]") {
  check_against_naive(windowed_layer(LayerType::conv, {7, 5, 6}, 9, 3, 1, 1, 3), spec_of(8, 8, 11));
}

TEST_CASE("random conv with many positions and columns matches direct loops",
          "[reference][independent]") {
  // 20x20 output positions (> one 256-row block), 70 columns (> one 64-column
  // block, and not a multiple of 4), 5x5 kernel.
  check_against_naive(windowed_layer(LayerType::conv, {20, 20, 3}, 70, 5, 1, 2), spec_of(8, 8, 3));
}

TEST_CASE("random 12-bit conv summed in several int32 chunks matches direct loops",
          "[reference][independent]") {
  // 12-bit data: chunk = (2^31-1) / (2^11 * 2^11) = 511 < K = 3*3*64 = 576.
  check_against_naive(windowed_layer(LayerType::conv, {5, 5, 64}, 8, 3, 1, 1), spec_of(12, 12, 5));
}

TEST_CASE("random 16-bit conv with byte-split activations matches direct loops",
          "[reference][independent]") {
  // 16-bit data: a single product may reach 2^30, so activations are split
  // into a signed high and an unsigned low byte; signed input exercises both.
  check_against_naive(windowed_layer(LayerType::conv, {6, 6, 16}, 5, 3, 2, 1), spec_of(16, 16, 9));
  check_against_naive(windowed_layer(LayerType::conv, {6, 6, 16}, 5, 3, 2, 1), spec_of(16, 16, 10),
                      true);
  check_against_naive(windowed_layer(LayerType::conv, {9, 9, 40}, 6, 3, 1, 1, 2),
                      spec_of(16, 16, 12), true);
}

TEST_CASE("conv on activations wider than int16 matches direct loops", "[reference][independent]") {
  // A hand-set input beyond int16 forces the int32-activation path.
  const Shape in{4, 4, 2};
  const Layer layer = windowed_layer(LayerType::conv, in, 3, 3, 1, 1);
  const Network net = network_of(in, {layer});
  QuantizedNetwork q = quantize(net, spec_of(8, 24, 2));
  std::mt19937 rng(1);
  for (auto& v : q.input.data) v = draw(rng, -100000, 100000);
  const auto out = reference_forward(q, false);
  const auto expected = naive_windowed(layer, q.input, q.layers[0].weights);
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(out[0].data[i] == requantize(expected[i], 0, 24, false));
}

TEST_CASE("random locally connected layer matches direct loops", "[reference][independent]") {
  check_against_naive(windowed_layer(LayerType::local, {7, 7, 3}, 5, 3, 2, 1), spec_of(8, 8, 13));
  check_against_naive(windowed_layer(LayerType::local, {5, 5, 8}, 3, 3, 1, 0), spec_of(16, 16, 14));
  check_against_naive(windowed_layer(LayerType::local, {5, 5, 8}, 3, 3, 1, 1), spec_of(8, 8, 15),
                      true);
}

TEST_CASE("random fc matches a direct matrix-vector product", "[reference][independent]") {
  check_against_naive(fc_layer({3, 4, 5}, 7), spec_of(8, 8, 17));
  check_against_naive(fc_layer({3, 4, 50}, 6), spec_of(12, 12, 18));     // chunked (600 > 511 rows)
  check_against_naive(fc_layer({2, 2, 5}, 3), spec_of(16, 16, 19));      // int64 path
  check_against_naive(fc_layer({2, 3, 7}, 4), spec_of(8, 8, 20), true);  // signed input
}
