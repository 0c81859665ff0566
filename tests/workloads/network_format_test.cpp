// The network file format: defaults, shape derivation and the input graph,
// checked on small inline networks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "reramsim/workloads/network.hpp"

using namespace reramsim::workloads;

namespace {

// An 8x8x4 input followed by `layers` (the list starts on line 4).
Network parse_layers(const std::string& layers, const std::string& input = "{h: 8, w: 8, c: 4}") {
  return parse_network("name: t\ninput: " + input + "\nlayers:\n" + layers, "t.yaml");
}

}  // namespace

TEST_CASE("workloads: omitted layer keys take their documented defaults") {
  const Network net = parse_layers("  - {name: a, type: conv, kernel: 3, out: 6}\n");
  REQUIRE(net.layers.size() == 1);
  const Layer& a = net.layers[0];
  CHECK(a.stride_h == 1);
  CHECK(a.stride_w == 1);
  CHECK(a.pad_h == 0);
  CHECK(a.pad_w == 0);
  CHECK(a.groups == 1);
  CHECK_FALSE(a.batchnorm);
  CHECK(a.activation == Activation::none);
  CHECK(a.line == 4);
  CHECK(a.out == Shape{6, 6, 6});
}

TEST_CASE("workloads: from defaults to the previous layer and the input for the first") {
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: 1, out: 4}\n"
      "  - {name: b, type: conv, kernel: 1, out: 4}\n"
      "  - {name: c, type: conv, kernel: 1, out: 4, from: input}\n");
  CHECK(net.layers[0].inputs == std::vector<int>{kNetworkInput});
  CHECK(net.layers[1].inputs == std::vector<int>{0});
  CHECK(net.layers[2].inputs == std::vector<int>{kNetworkInput});
}

TEST_CASE("workloads: kernel stride and pad accept separate height and width") {
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: [3, 1], stride: [1, 2], pad: [1, 0], out: 5}\n",
      "{h: 8, w: 6, c: 2}");
  const Layer& a = net.layers[0];
  CHECK(a.kernel_h == 3);
  CHECK(a.kernel_w == 1);
  CHECK(a.stride_w == 2);
  CHECK(a.pad_h == 1);
  CHECK(a.out == Shape{8, 3, 5});  // (8 + 2 - 3) / 1 + 1, (6 - 1) / 2 + 1
  CHECK(a.weights() == 5 * 3 * 1 * 2);
}

TEST_CASE("workloads: ceil mode drops a last window starting in the right padding") {
  // ceil((5 + 2 - 2) / 2) + 1 = 4, but the fourth window would start at 6,
  // past the input and its left padding, so PyTorch and Caffe give 3.
  const Network net = parse_layers(
      "  - {name: p, type: pool, mode: max, kernel: 2, stride: 2, pad: 1, ceil_mode: true}\n",
      "{h: 5, w: 6, c: 1}");
  CHECK(net.layers[0].out == Shape{3, 4, 1});  // width: ceil(6 / 2) + 1 = 4, start 6 < 7
}

TEST_CASE("workloads: floor mode pool ignores a partial last window") {
  const Network net = parse_layers("  - {name: p, type: pool, mode: avg, kernel: 3, stride: 2}\n");
  CHECK(net.layers[0].out == Shape{3, 3, 4});  // floor((8 - 3) / 2) + 1
  CHECK(net.layers[0].pool_mode == PoolMode::avg);
  CHECK(net.layers[0].weights() == 0);
  CHECK(net.layers[0].macs() == 0);
}

TEST_CASE("workloads: fc flattens its source tensor") {
  const Network net = parse_layers("  - {name: f, type: fc, out: 10, batchnorm: true}\n");
  const Layer& f = net.layers[0];
  CHECK(f.in == Shape{8, 8, 4});
  CHECK(f.out == Shape{1, 1, 10});
  CHECK(f.batchnorm);
  CHECK(f.weights() == 8 * 8 * 4 * 10);
  CHECK(lower(f).rows == 256);
}

TEST_CASE("workloads: locally connected layer has weights per output position") {
  const Network net =
      parse_layers("  - {name: l, type: local, kernel: 3, stride: 2, pad: 1, out: 2}\n");
  const Layer& l = net.layers[0];
  CHECK(l.out == Shape{4, 4, 2});  // (8 + 2 - 3) / 2 + 1
  CHECK(l.weights() == 16 * 2 * 9 * 4);
  CHECK(l.macs() == l.weights());
}

TEST_CASE("workloads: lrn defaults to Caffe's parameters and keeps the shape") {
  const Network net = parse_layers("  - {name: n, type: lrn}\n");
  const Layer& n = net.layers[0];
  CHECK(n.lrn_size == 5);
  CHECK(n.lrn_alpha == Approx(1e-4));
  CHECK(n.lrn_beta == Approx(0.75));
  CHECK(n.lrn_k == Approx(1.0));
  CHECK(n.out == Shape{8, 8, 4});
}

TEST_CASE("workloads: concat adds up the channels of its inputs") {
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: 3, pad: 1, out: 6}\n"
      "  - {name: b, type: pool, mode: max, kernel: 3, stride: 1, pad: 1, from: input}\n"
      "  - {name: c, type: concat, from: [a, b, input]}\n");
  const Layer& c = net.layers[2];
  CHECK(c.inputs == std::vector<int>{0, 1, kNetworkInput});
  CHECK(c.out == Shape{8, 8, 14});
  CHECK(c.in == Shape{8, 8, 6});  // a merge records its first input's shape
}

TEST_CASE("workloads: add keeps the shape of its identical inputs") {
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: 3, pad: 1, out: 4}\n"
      "  - {name: s, type: add, from: [a, input], activation: relu}\n");
  const Layer& s = net.layers[1];
  CHECK(s.out == Shape{8, 8, 4});
  CHECK(s.activation == Activation::relu);
  CHECK(s.weights() == 0);
}

TEST_CASE("workloads: block-style layer maps are read like flow maps") {
  const Network net = parse_layers(
      "  - name: a\n"
      "    type: conv\n"
      "    kernel: 3\n"
      "    out: 2\n"
      "  - name: b\n"
      "    type: add\n"
      "    from:\n"
      "      - a\n"
      "      - a\n");
  CHECK(net.layers[0].line == 4);
  CHECK(net.layers[1].line == 8);
  CHECK(net.layers[1].inputs == std::vector<int>{0, 0});
}

TEST_CASE("workloads: find returns -2 for an unknown layer") {
  const Network net = parse_layers("  - {name: a, type: lrn}\n");
  CHECK(net.find("a") == 0);
  CHECK(net.find("b") == -2);
}
