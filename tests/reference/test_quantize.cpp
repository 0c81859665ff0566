// quantize(): seeded, reproducible weights and input in the documented ranges.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

namespace {

// conv -> pool -> fc, so both a weighted and an unweighted layer are present.
Network small_net(int fc_outputs = 5) {
  const Shape in{6, 6, 3};
  Layer conv = windowed_layer(LayerType::conv, in, 4, 3, 1, 1);
  Layer pool = pool_layer(conv.out, PoolMode::max, 2, 2, 0, false, 0);
  Layer fc = fc_layer(pool.out, fc_outputs, 1);
  return network_of(in, {conv, pool, fc});
}

}  // namespace

TEST_CASE("quantize is deterministic for a seed and differs across seeds",
          "[reference][quantize]") {
  const Network net = small_net();
  QuantizationSpec spec;
  spec.seed = 42;
  const QuantizedNetwork a = quantize(net, spec);
  const QuantizedNetwork b = quantize(net, spec);
  for (std::size_t l = 0; l < net.layers.size(); ++l)
    CHECK(a.layers[l].weights == b.layers[l].weights);
  CHECK(a.input.data == b.input.data);

  spec.seed = 43;
  const QuantizedNetwork c = quantize(net, spec);
  CHECK(a.layers[0].weights != c.layers[0].weights);
  CHECK(a.layers[2].weights != c.layers[2].weights);
  CHECK(a.input.data != c.input.data);
}

TEST_CASE("quantize sizes weights by the lowered matrices and respects the ranges",
          "[reference][quantize]") {
  const Network net = small_net();
  QuantizationSpec spec;
  spec.weight_bits = 4;
  spec.activation_bits = 6;
  const QuantizedNetwork q = quantize(net, spec);
  REQUIRE(q.layers.size() == 3);
  // Hand: conv 3*3*3 rows x 4 cols = 108; fc 3*3*4 = 36 rows x 5 cols = 180.
  CHECK(q.layers[0].weights.size() == 108);
  CHECK(q.layers[1].weights.empty());
  CHECK(q.layers[2].weights.size() == 180);
  // 4-bit weights in [-8, 7]; 6-bit input in [0, 31].
  for (std::size_t l : {0u, 2u}) {
    const auto& w = q.layers[l].weights;
    CHECK(*std::min_element(w.begin(), w.end()) >= -8);
    CHECK(*std::max_element(w.begin(), w.end()) <= 7);
  }
  CHECK(q.input.shape == net.input);
  REQUIRE(q.input.data.size() == 108);
  CHECK(*std::min_element(q.input.data.begin(), q.input.data.end()) >= 0);
  CHECK(*std::max_element(q.input.data.begin(), q.input.data.end()) <= 31);
  // With 108 draws from 32 values, both ends of the range show up (a mapping
  // that never reached them would fail here).
  CHECK(*std::max_element(q.input.data.begin(), q.input.data.end()) == 31);
  CHECK(*std::min_element(q.input.data.begin(), q.input.data.end()) == 0);
}

TEST_CASE("QuantizedNetwork::weight indexes matrix, row, column", "[reference][quantize]") {
  const Network net = small_net();
  const QuantizedNetwork q = quantize(net, QuantizationSpec{});
  // conv: 1 matrix, 27 rows, 4 cols -> (row * 4 + col); fc: 36 x 5.
  CHECK(q.weight(0, 0, 10, 3) == q.layers[0].weights[10 * 4 + 3]);
  CHECK(q.weight(2, 0, 35, 4) == q.layers[2].weights[35 * 5 + 4]);
}

TEST_CASE("quantize cuts values from mt19937_64 outputs as low-first bit fields",
          "[reference][quantize]") {
  // Re-derives the documented draw: 8-bit weights take 8 fields per 64-bit
  // output, lowest byte first, continuing across layers (conv's 108 weights end
  // mid-word, fc starts at field 4 of word 13); fc's 36 x 6 weights end mid-word
  // too (324 = 40.5 words), and the input (7-bit fields, 9 per output) starts
  // on the next output, the rest of word 40 being dropped.
  const Network net = small_net(6);
  QuantizationSpec spec;
  spec.seed = 5;
  const QuantizedNetwork q = quantize(net, spec);
  std::mt19937_64 rng(5);
  std::vector<std::int16_t> weights;
  while (weights.size() < 108 + 216) {
    std::uint64_t word = rng();
    for (int f = 0; f < 8; ++f, word >>= 8)
      weights.push_back(std::int16_t(-128 + std::int64_t(word & 0xFF)));
  }
  CHECK(std::equal(q.layers[0].weights.begin(), q.layers[0].weights.end(), weights.begin()));
  CHECK(std::equal(q.layers[2].weights.begin(), q.layers[2].weights.end(), weights.begin() + 108));
  std::vector<std::int32_t> input;
  while (input.size() < 108) {
    std::uint64_t word = rng();
    for (int f = 0; f < 9; ++f, word >>= 7) input.push_back(std::int32_t(word & 0x7F));
  }
  input.resize(108);
  CHECK(q.input.data == input);
}
