// requantize() and per-layer shift calibration. Expected values are hand
// calculations of y = clamp((acc + 2^(s-1)) >> s, lo, hi) (arithmetic shift).
#include <catch2/catch.hpp>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

TEST_CASE("requantize rounds half up via (acc + 2^(s-1)) >> s", "[reference][requantize]") {
  // Hand: (5+1)>>1 = 3; (-5+1)>>1 = -4>>1 = -2; (6+2)>>2 = 2; (-6+2)>>2 = -1;
  // (-7+2)>>2 = -5>>2 = -2 (floor); shift 0 is the identity.
  CHECK(requantize(5, 1, 8, false) == 3);
  CHECK(requantize(-5, 1, 8, false) == -2);
  CHECK(requantize(6, 2, 8, false) == 2);
  CHECK(requantize(-6, 2, 8, false) == -1);
  CHECK(requantize(-7, 2, 8, false) == -2);
  CHECK(requantize(17, 0, 8, false) == 17);
  CHECK(requantize(-17, 0, 8, false) == -17);
}

TEST_CASE("requantize clamps to the activation range", "[reference][requantize]") {
  // Hand: 8-bit range [-128, 127]; 4-bit range [-8, 7]; (300+2)>>2 = 75 fits.
  CHECK(requantize(128, 0, 8, false) == 127);
  CHECK(requantize(-129, 0, 8, false) == -128);
  CHECK(requantize(-128, 0, 8, false) == -128);
  CHECK(requantize(100, 0, 4, false) == 7);
  CHECK(requantize(-100, 0, 4, false) == -8);
  CHECK(requantize(300, 2, 8, false) == 75);
  CHECK(requantize(1000000, 3, 8, false) == 127);
}

TEST_CASE("requantize with relu clamps negatives to zero", "[reference][requantize]") {
  // Hand: lo = 0 after ReLU; hi unchanged.
  CHECK(requantize(-1, 0, 8, true) == 0);
  CHECK(requantize(-500, 2, 8, true) == 0);
  CHECK(requantize(50, 0, 8, true) == 50);
  CHECK(requantize(500, 0, 8, true) == 127);
  CHECK_THROWS(requantize(1, -1, 8, false));
}

TEST_CASE("calibration picks the smallest shift that fits max |acc|", "[reference][calibration]") {
  // 1x1 conv, one input 100, weight 10 -> acc 1000. Hand: round_shift(1000, 2) =
  // 250 > 127, round_shift(1000, 3) = (1000 + 4) >> 3 = 125 <= 127 -> shift 3.
  const Shape in{1, 1, 1};
  const Network net = network_of(in, {windowed_layer(LayerType::conv, in, 1, 1, 1, 0)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {100}), {{10}});
  const auto out = reference_forward(q, true);
  CHECK(q.layers[0].shift == 3);
  CHECK(out[0].data == std::vector<std::int32_t>{125});

  // Negative accumulator of the same magnitude: same shift; (-1000 + 4) >> 3 = -125.
  QuantizedNetwork neg = hand_qnet(net, tensor_of(in, {100}), {{-10}});
  const auto out_neg = reference_forward(neg, true);
  CHECK(neg.layers[0].shift == 3);
  CHECK(out_neg[0].data == std::vector<std::int32_t>{-125});
}

TEST_CASE("calibration keeps shift 0 when the accumulator already fits",
          "[reference][calibration]") {
  // Hand: acc = 12 * 10 = 120 <= 127 -> shift 0, output 120.
  const Shape in{1, 1, 1};
  const Network net = network_of(in, {windowed_layer(LayerType::conv, in, 1, 1, 1, 0)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {12}), {{10}});
  q.layers[0].shift = 7;  // overwritten by calibration
  const auto out = reference_forward(q, true);
  CHECK(q.layers[0].shift == 0);
  CHECK(out[0].data == std::vector<std::int32_t>{120});
}

TEST_CASE("without calibration the stored shift is used", "[reference][calibration]") {
  // Hand: acc 1000 with stored shift 5 -> (1000 + 16) >> 5 = 31.
  const Shape in{1, 1, 1};
  const Network net = network_of(in, {windowed_layer(LayerType::conv, in, 1, 1, 1, 0)});
  QuantizedNetwork q = hand_qnet(net, tensor_of(in, {100}), {{10}});
  q.layers[0].shift = 5;
  const auto out = reference_forward(q, false);
  CHECK(q.layers[0].shift == 5);
  CHECK(out[0].data == std::vector<std::int32_t>{31});
}
