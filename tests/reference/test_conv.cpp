// Convolution, locally connected and fc layers on tiny hand-set tensors.
// Every expected value is a hand calculation (shown next to it); shift 0 and
// calibrate = false, so outputs are the raw sums.
#include <catch2/catch.hpp>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

namespace {

// 3x3x1 input:  1 2 3 / 4 5 6 / 7 8 9
Tensor nine() {
  return tensor_of({3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
}

}  // namespace

TEST_CASE("conv 2x2 kernel, stride 1, no padding", "[reference][conv]") {
  // Channel 0 kernel [1 2; 3 4], channel 1 kernel [1 0; 0 -1]. Weights are
  // rows k = r*2 + s, columns = output channels.
  const Network net =
      network_of({3, 3, 1}, {windowed_layer(LayerType::conv, {3, 3, 1}, 2, 2, 1, 0)});
  QuantizedNetwork q = hand_qnet(net, nine(), {{1, 1, 2, 0, 3, 0, 4, -1}});
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{2, 2, 2});
  // Hand: 1+4+12+20 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77.
  CHECK(out[0].at(0, 0, 0) == 37);
  CHECK(out[0].at(0, 1, 0) == 47);
  CHECK(out[0].at(1, 0, 0) == 67);
  CHECK(out[0].at(1, 1, 0) == 77);
  // Hand: top-left minus bottom-right is -4 everywhere.
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 2; ++x) CHECK(out[0].at(y, x, 1) == -4);
}

TEST_CASE("conv with padding 1 uses zeros outside the input", "[reference][conv]") {
  // 3x3 kernel, pad 1. Channel 0: all ones (3x3 neighbourhood sums). Channel 1:
  // w(0,0) = 1, w(2,2) = 2, so y(i,j) = x(i-1,j-1) + 2 x(i+1,j+1).
  std::vector<std::int16_t> w(9 * 2, 0);
  for (int k = 0; k < 9; ++k) w[std::size_t(k) * 2] = 1;
  w[0 * 2 + 1] = 1;
  w[8 * 2 + 1] = 2;
  const Network net =
      network_of({3, 3, 1}, {windowed_layer(LayerType::conv, {3, 3, 1}, 2, 3, 1, 1)});
  QuantizedNetwork q = hand_qnet(net, nine(), {w});
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{3, 3, 2});
  // Hand: neighbourhood sums of the 3x3 input.
  const int sums[3][3] = {{12, 21, 16}, {27, 45, 33}, {24, 39, 28}};
  // Hand: (0,0): 0 + 2*5; (0,1): 0 + 2*6; (0,2): 0; (1,0): 0 + 2*8; (1,1): 1 + 2*9;
  // (1,2): 2 + 0; (2,0): 0; (2,1): 4 + 0; (2,2): 5 + 0.
  const int corner[3][3] = {{10, 12, 0}, {16, 19, 2}, {0, 4, 5}};
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) {
      CHECK(out[0].at(y, x, 0) == sums[y][x]);
      CHECK(out[0].at(y, x, 1) == corner[y][x]);
    }
}

TEST_CASE("conv with stride 2 and channel-innermost rows", "[reference][conv]") {
  // 5x5x2 input: channel 0 = y*5 + x + 1, channel 1 = -(y*5 + x + 1). 3x3
  // kernel, stride 2 -> 2x2 output. Row k = (r*3 + s)*2 + c: w(0,0,c0) = 1 at
  // k = 0, w(1,1,c1) = 2 at k = 9, so y = x0(2i, 2j) + 2 * x1(2i+1, 2j+1).
  const Shape in{5, 5, 2};
  std::vector<std::int32_t> data;
  for (int p = 0; p < 25; ++p) {
    data.push_back(p + 1);
    data.push_back(-(p + 1));
  }
  std::vector<std::int16_t> w(18, 0);
  w[0] = 1;
  w[9] = 2;
  const Network net = network_of(in, {windowed_layer(LayerType::conv, in, 1, 3, 2, 0)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, data), {w});
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{2, 2, 1});
  // Hand: 1 - 2*7 = -13, 3 - 2*9 = -15, 11 - 2*17 = -23, 13 - 2*19 = -25.
  CHECK(out[0].at(0, 0, 0) == -13);
  CHECK(out[0].at(0, 1, 0) == -15);
  CHECK(out[0].at(1, 0, 0) == -23);
  CHECK(out[0].at(1, 1, 0) == -25);
}

TEST_CASE("grouped conv: each group sees only its own input channels", "[reference][conv]") {
  // 1x1x4 input, 1x1 kernel, 4 outputs, 2 groups. Matrix g is 2 rows (its
  // channels) x 2 columns (its outputs): g0 = [1 2; 3 4], g1 = [5 6; 7 8].
  const Shape in{1, 1, 4};
  const Network net = network_of(in, {windowed_layer(LayerType::conv, in, 4, 1, 1, 0, 2)});
  const std::vector<std::int16_t> w{1, 2, 3, 4, 5, 6, 7, 8};
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {1, 2, 3, 4}), {w});
  const auto out = reference_forward(q, false);
  // Hand: out0 = 1*1 + 2*3 = 7, out1 = 1*2 + 2*4 = 10, out2 = 3*5 + 4*7 = 43,
  // out3 = 3*6 + 4*8 = 50.
  CHECK(out[0].data == std::vector<std::int32_t>{7, 10, 43, 50});

  // Changing group 0's channels leaves group 1's outputs alone. Hand: out0 =
  // 9 - 27 = -18, out1 = 18 - 36 = -18; out2, out3 unchanged.
  QuantizedNetwork changed = hand_qnet(net, tensor_of(in, {9, -9, 3, 4}), {w});
  const auto out2 = reference_forward(changed, false);
  CHECK(out2[0].data == std::vector<std::int32_t>{-18, -18, 43, 50});
}

TEST_CASE("locally connected layer uses different weights per position", "[reference][local]") {
  // 3x3x1 input, 2x2 kernel, stride 1 -> 2x2 positions, one output channel.
  // Matrix p = oy*2 + ox holds rows k = r*2 + s.
  const Network net =
      network_of({3, 3, 1}, {windowed_layer(LayerType::local, {3, 3, 1}, 1, 2, 1, 0)});
  const std::vector<std::int16_t> w{1, 0, 0, 0,   // p0 picks x(0,0)
                                    0, 1, 0, 0,   // p1 picks x(0,2) (r=0, s=1 of window at (0,1))
                                    0, 0, 2, 0,   // p2 doubles x(2,0) (r=1, s=0 of window at (1,0))
                                    1, 1, 1, 1};  // p3 sums its window
  QuantizedNetwork q = hand_qnet(net, nine(), {w});
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{2, 2, 1});
  // Hand: 1; 3; 2*7 = 14; 5+6+8+9 = 28.
  CHECK(out[0].data == std::vector<std::int32_t>{1, 3, 14, 28});
  CHECK(q.weight(0, 2, 2, 0) == 2);
}

TEST_CASE("fc flattens its input in H, W, C order", "[reference][fc]") {
  // 2x2x2 input stored H x W x C: x(y,x,c) at index (y*2 + x)*2 + c.
  // Row k of the fc matrix multiplies that same index.
  const Shape in{2, 2, 2};
  const std::vector<std::int32_t> data{3, 1, 4, 1, 5, 9, 2, 6};
  std::vector<std::int16_t> w(8 * 3, 0);
  w[2 * 3 + 0] = 1;  // out0 = x(0,1,0): k = (0*2+1)*2+0 = 2
  w[5 * 3 + 1] = 1;  // out1 = x(1,0,1): k = (1*2+0)*2+1 = 5
  for (int k = 0; k < 8; ++k)
    w[std::size_t(k) * 3 + 2] = std::int16_t(k + 1);  // out2 = sum (k+1) x_k
  const Network net = network_of(in, {fc_layer(in, 3)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, data), {w}, 12);
  const auto out = reference_forward(q, false);
  REQUIRE(out[0].shape == Shape{1, 1, 3});
  // Hand: x(0,1,0) = 4, x(1,0,1) = 9 (a C, H, W flatten would give 1 and 6);
  // 1*3 + 2*1 + 3*4 + 4*1 + 5*5 + 6*9 + 7*2 + 8*6 = 162.
  CHECK(out[0].data == std::vector<std::int32_t>{4, 9, 162});
}

TEST_CASE("im2col_window fills a padded corner window with zeros", "[reference][im2col]") {
  // 3x3x2 input, x(y,x,c) = 10*(y*3 + x) + c + 1; 3x3 kernel, pad 1; window of
  // output (0,0) covers input rows/cols -1..1. Rows k = (r*3 + s)*2 + c.
  const Shape in{3, 3, 2};
  std::vector<std::int32_t> data;
  for (int p = 0; p < 9; ++p)
    for (int c = 0; c < 2; ++c) data.push_back(10 * p + c + 1);
  const Tensor t = tensor_of(in, data);
  const Layer l = windowed_layer(LayerType::conv, in, 1, 3, 1, 1);
  std::vector<std::int32_t> col(18, -99);
  im2col_window(t, l, 0, 0, 0, col.data());
  // Hand: r = 0 or s = 0 is padding; (1,1) -> x(0,0), (1,2) -> x(0,1),
  // (2,1) -> x(1,0), (2,2) -> x(1,1).
  CHECK(col ==
        std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 11, 12, 0, 0, 31, 32, 41, 42});

  // Bottom-right window (2,2) covers rows/cols 1..3. Hand: (0,0) -> x(1,1),
  // (0,1) -> x(1,2), (1,0) -> x(2,1), (1,1) -> x(2,2); the rest is padding.
  im2col_window(t, l, 0, 2, 2, col.data());
  CHECK(col ==
        std::vector<std::int32_t>{41, 42, 51, 52, 0, 0, 71, 72, 81, 82, 0, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("im2col_window of group 1 holds only group 1's channels", "[reference][im2col]") {
  // 2x2x4 input, x(p, c) = 10*p + c; 2x2 kernel, 2 groups, the only window.
  // Hand: group 1 = channels 2, 3 of each position, rows (r*2 + s)*2 + c.
  const Shape in{2, 2, 4};
  std::vector<std::int32_t> data;
  for (int p = 0; p < 4; ++p)
    for (int c = 0; c < 4; ++c) data.push_back(10 * p + c);
  const Layer l = windowed_layer(LayerType::conv, in, 2, 2, 1, 0, 2);
  std::vector<std::int32_t> col(8, -99);
  im2col_window(tensor_of(in, data), l, 1, 0, 0, col.data());
  CHECK(col == std::vector<std::int32_t>{2, 3, 12, 13, 22, 23, 32, 33});
}
