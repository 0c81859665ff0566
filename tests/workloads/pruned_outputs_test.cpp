// Structured pruning by output channel (001 Section V): the pruned_outputs key,
// its validation, kept weight/MAC counts and kept weight-matrix columns.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

using namespace reramsim::workloads;
using Catch::Matchers::Message;

namespace {

// An 8x8x4 input followed by `layers` (the list starts on line 4).
Network parse_layers(const std::string& layers) {
  return parse_network("name: t\ninput: {h: 8, w: 8, c: 4}\nlayers:\n" + layers, "t.yaml");
}

Network load_seed(const std::string& file) {
  return load_network(RERAMSIM_SOURCE_DIR "/workloads/networks/" + file);
}

const Layer& layer_named(const Network& net, const std::string& name) {
  const int index = net.find(name);
  REQUIRE(index >= 0);
  return net.layers[std::size_t(index)];
}

using Columns = std::vector<std::int64_t>;

}  // namespace

TEST_CASE("workloads: pruned_outputs is read sorted on conv, local and fc") {
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: 3, out: 6, pruned_outputs: [4, 0, 2]}\n"
      "  - {name: b, type: local, kernel: 3, out: 5, pruned_outputs: [1]}\n"
      "  - {name: c, type: fc, out: 4, pruned_outputs: [3, 2]}\n"
      "  - {name: d, type: fc, out: 4}\n"
      "  - {name: e, type: fc, out: 4, pruned_outputs: []}\n");
  CHECK(net.layers[0].pruned_outputs == std::vector<int>{0, 2, 4});
  CHECK(net.layers[1].pruned_outputs == std::vector<int>{1});
  CHECK(net.layers[2].pruned_outputs == std::vector<int>{2, 3});
  CHECK(net.layers[3].pruned_outputs.empty());
  CHECK(net.layers[4].pruned_outputs.empty());
  // Shapes are the dense ones: pruned channels stay in the output as zeros.
  CHECK(net.layers[0].out == Shape{6, 6, 6});
  CHECK(net.layers[2].out == Shape{1, 1, 4});
}

TEST_CASE("workloads: a pruned output channel out of range is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 4, pruned_outputs: [0, 4]}\n"),
      InputError,
      Message("t.yaml:4: layer 'a': pruned_outputs: expected output channels in [0, 3] (out is "
              "4), got 4"));
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: fc, out: 4, pruned_outputs: [-1]}\n"), InputError,
      Message("t.yaml:4: layer 'a': pruned_outputs: expected output channels in [0, 3] (out is "
              "4), got -1"));
}

TEST_CASE("workloads: a pruned output channel listed twice is rejected on its own line") {
  REQUIRE_THROWS_MATCHES(parse_layers("  - name: a\n"
                                      "    type: local\n"
                                      "    kernel: 3\n"
                                      "    out: 4\n"
                                      "    pruned_outputs:\n"
                                      "      - 2\n"
                                      "      - 1\n"
                                      "      - 2\n"),
                         InputError,
                         Message("t.yaml:11: layer 'a': pruned_outputs: output channel 2 listed "
                                 "twice"));
}

TEST_CASE("workloads: pruning every output channel is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 3, pruned_outputs: [2, 0, 1]}\n"),
      InputError,
      Message("t.yaml:4: layer 'a': pruned_outputs: all 3 output channels are pruned (at least "
              "one must be kept)"));
}

TEST_CASE("workloads: pruned_outputs must be a list of integers, and only on weighted layers") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: fc, out: 4, pruned_outputs: 2}\n"), InputError,
      Message("t.yaml:4: layer 'a': pruned_outputs: expected a list of output channel indices"));
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: fc, out: 4, pruned_outputs: [x]}\n"), InputError,
      Message("t.yaml:4: layer 'a': pruned_outputs: expected an integer, got 'x'"));
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: p, type: pool, mode: max, kernel: 2, pruned_outputs: [0]}\n"),
      InputError,
      Message("t.yaml:4: layer 'p': pruned_outputs: unknown key for type pool (expected one of "
              "name, type, from, activation, mode, kernel, stride, pad, ceil_mode)"));
}

TEST_CASE("workloads: kept weights and MACs count only unpruned channels") {
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: 3, out: 6, groups: 2, pruned_outputs: [1, 5]}\n"
      "  - {name: b, type: local, kernel: 3, out: 5, pruned_outputs: [0, 4]}\n"
      "  - {name: c, type: fc, out: 4, pruned_outputs: [3]}\n"
      "  - {name: d, type: fc, out: 4}\n");
  // a: 6x6 output, weights 6 * 3*3 * 4/2 = 108, 18 per channel; 4 kept -> 72.
  const Layer& a = net.layers[0];
  CHECK(a.weights() == 108);
  CHECK(a.kept_weights() == 72);
  CHECK(a.macs() == 36 * 108);
  CHECK(a.kept_macs() == 36 * 72);
  // b: 6x6x6 input -> 4x4 output, weights 16 * 5 * 3*3*6 = 4320, 864 per channel; 3 kept.
  const Layer& b = net.layers[1];
  CHECK(b.weights() == 4320);
  CHECK(b.kept_weights() == 2592);
  CHECK(b.kept_macs() == 2592);
  // c: 4x4x5 = 80 inputs x 4; 3 kept -> 240.
  const Layer& c = net.layers[2];
  CHECK(c.weights() == 320);
  CHECK(c.kept_weights() == 240);
  CHECK(c.kept_macs() == 240);
  // Unpruned: kept equals dense.
  const Layer& d = net.layers[3];
  CHECK(d.kept_weights() == d.weights());
  CHECK(d.kept_macs() == d.macs());
}

TEST_CASE("workloads: kept_columns of a grouped conv index each group's own columns") {
  // out 6 in 2 groups: matrix 0 holds channels 0..2, matrix 1 channels 3..5
  // as columns 0..2. Pruning channels 1, 3 and 4 leaves columns {0, 2} of
  // matrix 0 (channels 0, 2) and {2} of matrix 1 (channel 5).
  const Network net = parse_layers(
      "  - {name: a, type: conv, kernel: 1, out: 6, groups: 2, pruned_outputs: [4, 1, 3]}\n"
      "  - {name: b, type: conv, kernel: 1, out: 6, groups: 2}\n"
      "  - {name: c, type: fc, out: 5, pruned_outputs: [0, 3]}\n"
      "  - {name: d, type: lrn}\n");
  CHECK(kept_columns(net.layers[0], 0) == Columns{0, 2});
  CHECK(kept_columns(net.layers[0], 1) == Columns{2});
  CHECK(kept_columns(net.layers[1], 0) == Columns{0, 1, 2});
  CHECK(kept_columns(net.layers[1], 1) == Columns{0, 1, 2});
  CHECK(kept_columns(net.layers[2], 0) == Columns{1, 2, 4});
  CHECK_THROWS_AS(kept_columns(net.layers[0], 2), std::out_of_range);
  CHECK_THROWS_AS(kept_columns(net.layers[3], 0), std::out_of_range);
}

TEST_CASE("workloads: kept_columns of a local layer are the same at every position") {
  const Network net =
      parse_layers("  - {name: a, type: local, kernel: 3, out: 4, pruned_outputs: [2]}\n");
  const MatrixShape m = lower(net.layers[0]);
  REQUIRE(m.matrices == 36);  // 6 x 6 positions
  for (std::int64_t p = 0; p < m.matrices; ++p)
    CHECK(kept_columns(net.layers[0], p) == Columns{0, 1, 3});
}

TEST_CASE("workloads: lenet5_pruned.yaml keeps LeNet-5's dense totals and prunes C3 and C5") {
  const Network net = load_seed("lenet5_pruned.yaml");
  const Network dense = load_seed("lenet5.yaml");
  CHECK(net.name == "lenet5_pruned");
  REQUIRE(net.layers.size() == dense.layers.size());
  // Dense totals from shared/reference/layer-tables.md (LeNet-5 total row).
  CHECK(net.total_weights() == 61470);
  CHECK(net.total_macs() == 416520);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    CHECK(net.layers[i].out == dense.layers[i].out);
  }
  const Layer& c3 = layer_named(net, "C3");
  const Layer& c5 = layer_named(net, "C5");
  CHECK(c3.pruned_outputs.size() == 8);
  CHECK(c5.pruned_outputs.size() == 60);
  for (int ch : c3.pruned_outputs) CHECK(ch % 2 == 1);
  for (int ch : c5.pruned_outputs) CHECK(ch % 2 == 1);
  // By hand: C3 keeps 8 of 16 channels of 5*5*6 = 150 weights: 1,200; C5
  // keeps 60 of 120 of 5*5*16 = 400: 24,000. Total 150 + 1,200 + 24,000 +
  // 10,080 + 840 = 36,270.
  CHECK(c3.kept_weights() == 1200);
  CHECK(c5.kept_weights() == 24000);
  std::int64_t kept_weights = 0, kept_macs = 0;
  for (const Layer& l : net.layers) {
    kept_weights += l.kept_weights();
    kept_macs += l.kept_macs();
  }
  CHECK(kept_weights == 36270);
  // MACs: C1 28*28*150 = 117,600; C3 10*10*1,200 = 120,000; C5 1*1*24,000;
  // F6 10,080; OUT 840: 272,520.
  CHECK(c3.kept_macs() == 120000);
  CHECK(kept_macs == 117600 + 120000 + 24000 + 10080 + 840);
  CHECK(kept_macs == 272520);
  CHECK(kept_columns(c3, 0) == Columns{0, 2, 4, 6, 8, 10, 12, 14});
}
