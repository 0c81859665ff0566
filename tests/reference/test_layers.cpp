// Pool, add, concat and lrn on tiny hand-set tensors. Every expected value is
// a hand calculation (shown next to it).
#include <catch2/catch.hpp>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

TEST_CASE("max pool takes the window maximum", "[reference][pool]") {
  // 4x4x1 input, 2x2 stride 2.
  const Shape in{4, 4, 1};
  const Network net = network_of(in, {pool_layer(in, PoolMode::max, 2, 2, 0, false)});
  QuantizedNetwork q =
      hand_qnet(net, tensor_of(in, {1, 5, 2, 0, -3, 4, 7, 6, -1, -2, 9, 9, -8, -4, 3, -5}), {});
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{2, 2, 1});
  // Hand: max{1,5,-3,4} = 5, max{2,0,7,6} = 7, max{-1,-2,-8,-4} = -1, max{9,9,3,-5} = 9.
  CHECK(out[0].data == std::vector<std::int32_t>{5, 7, -1, 9});
}

TEST_CASE("avg pool rounds half away from zero", "[reference][pool]") {
  // 2x8x1 input as four 2x2 windows (stride 2).
  const Shape in{2, 8, 1};
  const Network net = network_of(in, {pool_layer(in, PoolMode::avg, 2, 2, 0, false)});
  QuantizedNetwork q =
      hand_qnet(net, tensor_of(in, {1, 2, -1, -2, 1, 1, -1, 0, 3, 4, -3, -4, 1, 2, 0, 0}), {});
  const auto out = reference_forward(q, false);
  // Hand: 10/4 = 2.5 -> 3; -10/4 = -2.5 -> -3; 5/4 = 1.25 -> 1; -1/4 = -0.25 -> 0.
  CHECK(out[0].data == std::vector<std::int32_t>{3, -3, 1, 0});
}

TEST_CASE("ceil-mode pool skips window positions past the input", "[reference][pool]") {
  // 3x3x2 input (channel 0: 1..9 row-major, channel 1: its negation), 2x2
  // stride 2, ceil mode -> 2x2 output; the right and bottom windows are partial.
  const Shape in{3, 3, 2};
  std::vector<std::int32_t> data;
  for (int v = 1; v <= 9; ++v) {
    data.push_back(v);
    data.push_back(-v);
  }
  const Network net = network_of(in, {pool_layer(in, PoolMode::avg, 2, 2, 0, true),
                                      pool_layer(in, PoolMode::max, 2, 2, 0, true)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, data), {});
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{2, 2, 2});
  // Hand, avg: (1+2+4+5)/4 = 3; (3+6)/2 = 4.5 -> 5; (7+8)/2 = 7.5 -> 8; 9/1 = 9;
  // negated channel: -3, -5, -8, -9.
  CHECK(out[0].data == std::vector<std::int32_t>{3, -3, 5, -5, 8, -8, 9, -9});
  // Hand, max: 5, 6, 8, 9; negated channel: -1, -3, -7, -9.
  CHECK(out[1].data == std::vector<std::int32_t>{5, -1, 6, -3, 8, -7, 9, -9});
}

TEST_CASE("avg pool excludes padding from the count", "[reference][pool]") {
  // 3x3x1 input 1..9, 3x3 stride 1 pad 1 -> 3x3 output.
  const Shape in{3, 3, 1};
  const Network net = network_of(in, {pool_layer(in, PoolMode::avg, 3, 1, 1, false)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {1, 2, 3, 4, 5, 6, 7, 8, 9}), {});
  const auto out = reference_forward(q, false);
  // Hand: corner (0,0) 12/4 = 3; edge (0,1) 21/6 = 3.5 -> 4; centre 45/9 = 5;
  // (2,2) 28/4 = 7; (1,0) 27/6 = 4.5 -> 5.
  CHECK(out[0].at(0, 0, 0) == 3);
  CHECK(out[0].at(0, 1, 0) == 4);
  CHECK(out[0].at(1, 1, 0) == 5);
  CHECK(out[0].at(2, 2, 0) == 7);
  CHECK(out[0].at(1, 0, 0) == 5);
}

TEST_CASE("pool with relu clamps at zero, pool without it keeps its scale", "[reference][pool]") {
  // 1x1 windows (identity) over [-7, 5, 127, -128].
  const Shape in{1, 1, 4};
  Layer relu_pool = pool_layer(in, PoolMode::max, 1, 1, 0, false);
  relu_pool.activation = Activation::relu;
  const Network net = network_of(in, {relu_pool, pool_layer(in, PoolMode::max, 1, 1, 0, false)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {-7, 5, 127, -128}), {});
  const auto out = reference_forward(q, true);
  // Hand: max(y, 0) -> [0, 5, 127, 0]; no relu -> unchanged, no shift applied.
  CHECK(out[0].data == std::vector<std::int32_t>{0, 5, 127, 0});
  CHECK(out[1].data == std::vector<std::int32_t>{-7, 5, 127, -128});
  CHECK(q.layers[0].shift == 0);
}

TEST_CASE("add sums its inputs and calibrates its shift", "[reference][add]") {
  // Layer 0: identity pool of the input [100, -55]; layer 1 = input + layer 0
  // = [200, -110]. Hand: max |acc| = 200 > 127; (200 + 1) >> 1 = 100 <= 127 ->
  // shift 1; outputs 100 and (-110 + 1) >> 1 = -55.
  const Shape in{1, 1, 2};
  Layer add;
  add.name = "add";
  add.type = LayerType::add;
  add.inputs = {kNetworkInput, 0};
  add.in = in;
  add.out = in;
  Layer add_relu = add;
  add_relu.activation = Activation::relu;
  const Network net =
      network_of(in, {pool_layer(in, PoolMode::max, 1, 1, 0, false), add, add_relu});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {100, -55}), {});
  const auto out = reference_forward(q, true);
  CHECK(q.layers[1].shift == 1);
  CHECK(out[1].data == std::vector<std::int32_t>{100, -55});
  // Hand: same shift, ReLU clamps -55 to 0.
  CHECK(q.layers[2].shift == 1);
  CHECK(out[2].data == std::vector<std::int32_t>{100, 0});
}

TEST_CASE("concat joins channels in input order", "[reference][concat]") {
  // Input 1x2x2 = [(1,2), (3,4)]; layer 0 = 1x1 conv summing channels ->
  // [3, 7]; layer 1 = concat(layer 0, input); layer 2 = concat(input, layer 0).
  const Shape in{1, 2, 2};
  Layer cat;
  cat.name = "concat";
  cat.type = LayerType::concat;
  cat.inputs = {0, kNetworkInput};
  cat.in = {1, 2, 1};
  cat.out = {1, 2, 3};
  Layer cat_rev = cat;
  cat_rev.inputs = {kNetworkInput, 0};
  cat_rev.in = in;
  const Network net =
      network_of(in, {windowed_layer(LayerType::conv, in, 1, 1, 1, 0), cat, cat_rev});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {1, 2, 3, 4}), {{1, 1}});
  const auto out = reference_forward(q, false);
  // Hand: position 0 -> (3, 1, 2), position 1 -> (7, 3, 4); reversed -> (1, 2, 3), (3, 4, 7).
  CHECK(out[1].data == std::vector<std::int32_t>{3, 1, 2, 7, 3, 4});
  CHECK(out[2].data == std::vector<std::int32_t>{1, 2, 3, 3, 4, 7});
}

TEST_CASE("lrn normalizes across neighbouring channels", "[reference][lrn]") {
  // Layer 0: k = 2, alpha = 3e-4, n = 3, beta = 1 on [100, 50, -80].
  // Hand: alpha/n = 1e-4. c0: 2 + (100^2 + 50^2) * 1e-4 = 3.25, 100 / 3.25 =
  // 30.77 -> 31. c1: 2 + 18900e-4 = 3.89, 50 / 3.89 = 12.85 -> 13. c2: 2 +
  // 8900e-4 = 2.89, -80 / 2.89 = -27.68 -> -28.
  const Shape in{1, 1, 3};
  Layer lrn;
  lrn.name = "lrn";
  lrn.type = LayerType::lrn;
  lrn.inputs = {kNetworkInput};
  lrn.lrn_size = 3;
  lrn.lrn_alpha = 3e-4;
  lrn.lrn_beta = 1.0;
  lrn.lrn_k = 2.0;
  lrn.in = in;
  lrn.out = in;
  // Layer 1: Caffe defaults k = 1, beta = 0.75, alpha = 0.03 on [10, 20, 30].
  // Hand: c1: 1 + 0.01 * 1400 = 15, 15^0.75 = 7.622, 20 / 7.622 = 2.62 -> 3.
  Layer lrn2 = lrn;
  lrn2.lrn_alpha = 0.03;
  lrn2.lrn_beta = 0.75;
  lrn2.lrn_k = 1.0;
  const Network net = network_of(in, {lrn});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {100, 50, -80}), {});
  const auto out = reference_forward(q, false);
  CHECK(out[0].data == std::vector<std::int32_t>{31, 13, -28});

  const Network net2 = network_of(in, {lrn2});
  QuantizedNetwork q2 = hand_qnet(net2, tensor_of(in, {10, 20, 30}), {});
  CHECK(reference_forward(q2, false)[0].at(0, 0, 1) == 3);
}
