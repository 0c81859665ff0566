// Executed BatchNorm in the reference (the integer formula of reference.hpp).
#include <catch2/catch.hpp>

#include "reference_test_util.hpp"

using namespace reramsim::workloads;
using namespace reramsim::workloads::test;

namespace {

// A 1x1 conv of one input value 10 with weights [3, -2] (acc [30, -20]),
// followed by a BatchNorm with hand-set parameters.
QuantizedNetwork batchnorm_case(const Network& net) {
  QuantizedNetwork q = hand_qnet(net, tensor_of({1, 1, 1}, {10}), {{3, -2}});
  QuantizedLayer& ql = q.layers[0];
  ql.bn_mean = {2, -4};
  ql.bn_var = {16, 4};
  ql.bn_gamma = {3, 1};
  ql.bn_beta = {5, -3};
  ql.bn_shift = 10;
  return q;
}

}  // namespace

TEST_CASE("reference: an executed BatchNorm follows the integer formula", "[reference][bn]") {
  Network net = network_of({1, 1, 1}, {windowed_layer(LayerType::conv, {1, 1, 1}, 2, 1, 1, 0)});
  net.layers[0].batchnorm = true;
  QuantizedNetwork q = batchnorm_case(net);
  const auto out = reference_forward(q, false);
  // Hand calculation: y = [30, -20] (shift 0); r = 2^12/sqrt(16) = 1024 and
  // 2^12/sqrt(4) = 2048; t = (30-2)*3*1024 = 86016 and (-20+4)*1*2048 = -32768;
  // round_shift by 10: (86016+512)>>10 = 84, (-32768+512)>>10 = -32; + beta:
  // 89 and -35.
  CHECK(out[0].data == std::vector<std::int32_t>{89, -35});
}

TEST_CASE("reference: a ReLU after an executed BatchNorm clamps at zero", "[reference][bn]") {
  Network net = network_of({1, 1, 1}, {windowed_layer(LayerType::conv, {1, 1, 1}, 2, 1, 1, 0)});
  net.layers[0].batchnorm = true;
  net.layers[0].activation = Activation::relu;
  QuantizedNetwork q = batchnorm_case(net);
  const auto out = reference_forward(q, false);
  CHECK(out[0].data == std::vector<std::int32_t>{89, 0});  // as above, -35 -> 0
}

TEST_CASE("reference: BatchNorm parameters come from their own stream", "[reference][bn]") {
  Network net = network_of({4, 4, 2}, {windowed_layer(LayerType::conv, {4, 4, 2}, 3, 3, 1, 1)});
  net.layers[0].batchnorm = true;
  QuantizationSpec folded;
  folded.seed = 5;
  QuantizationSpec executed = folded;
  executed.execute_batchnorm = true;
  const QuantizedNetwork a = quantize(net, folded);
  const QuantizedNetwork b = quantize(net, executed);
  // Same weights and input either way; parameters only when executed, in
  // the documented ranges (8-bit: mean, beta in [-32, 32], var in [1, 256],
  // gamma in [1, 64]).
  CHECK(a.layers[0].weights == b.layers[0].weights);
  CHECK(a.input.data == b.input.data);
  CHECK_FALSE(a.layers[0].has_batchnorm());
  REQUIRE(b.layers[0].bn_var.size() == 3);
  for (int c = 0; c < 3; ++c) {
    CHECK(b.layers[0].bn_mean[std::size_t(c)] >= -32);
    CHECK(b.layers[0].bn_mean[std::size_t(c)] <= 32);
    CHECK(b.layers[0].bn_var[std::size_t(c)] >= 1);
    CHECK(b.layers[0].bn_var[std::size_t(c)] <= 256);
    CHECK(b.layers[0].bn_gamma[std::size_t(c)] >= 1);
    CHECK(b.layers[0].bn_gamma[std::size_t(c)] <= 64);
  }
}
