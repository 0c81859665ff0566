// Bad network files: each is rejected with one exact "file:line: ..." message.
#include <catch2/catch.hpp>

#include <string>

#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

using namespace reramsim::workloads;
using Catch::Matchers::Message;

namespace {

// An 8x8x4 input followed by `layers` (the list starts on line 4).
Network parse_layers(const std::string& layers) {
  return parse_network("name: t\ninput: {h: 8, w: 8, c: 4}\nlayers:\n" + layers, "t.yaml");
}

}  // namespace

TEST_CASE("workloads: an unknown layer key is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 4, strides: 2}\n"), InputError,
      Message("t.yaml:4: layer 'a': strides: unknown key for type conv (expected one of "
              "name, type, from, activation, kernel, stride, pad, groups, out, batchnorm, "
              "pruned_outputs)"));
}

TEST_CASE("workloads: a key of another layer type is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: p, type: pool, mode: max, kernel: 2, groups: 2}\n"), InputError,
      Message("t.yaml:4: layer 'p': groups: unknown key for type pool (expected one of "
              "name, type, from, activation, mode, kernel, stride, pad, ceil_mode)"));
}

TEST_CASE("workloads: the line of an unknown key in a block map is the key's own") {
  REQUIRE_THROWS_MATCHES(parse_layers("  - name: a\n"
                                      "    type: lrn\n"
                                      "    out: 4\n"),
                         InputError,
                         Message("t.yaml:6: layer 'a': out: unknown key for type lrn "
                                 "(expected one of name, type, from, activation, size, alpha, "
                                 "beta, k)"));
}

TEST_CASE("workloads: an unknown layer type is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: convolution, kernel: 3, out: 4}\n"), InputError,
      Message("t.yaml:4: layer 'a': type: expected one of conv, fc, local, pool, lrn, add, "
              "concat, got 'convolution'"));
}

TEST_CASE("workloads: a conv without out is rejected") {
  REQUIRE_THROWS_MATCHES(parse_layers("  - {name: a, type: conv, kernel: 3}\n"), InputError,
                         Message("t.yaml:4: layer 'a': out: missing required key"));
}

TEST_CASE("workloads: a layer without a name is rejected") {
  REQUIRE_THROWS_MATCHES(parse_layers("  - {type: lrn}\n"), InputError,
                         Message("t.yaml:4: layers[0].name: missing required key"));
}

TEST_CASE("workloads: from naming a later layer is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 4, from: b}\n"
                   "  - {name: b, type: conv, kernel: 3, out: 4, from: input}\n"),
      InputError,
      Message("t.yaml:4: layer 'a': from: 'b' is defined later (line 5); from may only name "
              "earlier layers or 'input'"));
}

TEST_CASE("workloads: from naming an unknown layer is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: lrn}\n"
                   "  - {name: b, type: add, from: [a, c]}\n"),
      InputError,
      Message("t.yaml:5: layer 'b': from: no layer named 'c' (expected an earlier layer or "
              "'input')"));
}

TEST_CASE("workloads: add inputs of different shapes are rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 4}\n"
                   "  - {name: b, type: add, from: [a, input]}\n"),
      InputError,
      Message("t.yaml:5: layer 'b': add inputs must have identical shapes, got 6x6x4 from 'a' "
              "and 8x8x4 from 'input'"));
}

TEST_CASE("workloads: an add with a single input is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: s, type: add}\n"), InputError,
      Message("t.yaml:4: layer 's': type add needs at least 2 inputs listed in from, got 1"));
}

TEST_CASE("workloads: a single-input layer given two inputs is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: lrn}\n"
                   "  - {name: b, type: conv, kernel: 1, out: 4, from: [a, input]}\n"),
      InputError, Message("t.yaml:5: layer 'b': type conv takes exactly one input, got 2 in from"));
}

TEST_CASE("workloads: concat inputs of different extents are rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: p, type: pool, mode: max, kernel: 2, stride: 2}\n"
                   "  - {name: c, type: concat, from: [input, p]}\n"),
      InputError,
      Message("t.yaml:5: layer 'c': concat inputs must have equal height and width, got 8x8x4 "
              "from 'input' and 4x4x4 from 'p'"));
}

TEST_CASE("workloads: a kernel larger than the padded input is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 11, pad: 1, out: 4}\n"), InputError,
      Message("t.yaml:4: layer 'a': kernel 11x11 is larger than the padded input 10x10 (input "
              "8x8x4, pad 1x1)"));
}

TEST_CASE("workloads: groups not dividing the channels are rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 6, groups: 3}\n"), InputError,
      Message("t.yaml:4: layer 'a': groups: expected a divisor of both the input channels (4) "
              "and out (6), got 3"));
}

TEST_CASE("workloads: duplicate layer names are rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: lrn}\n"
                   "  - {name: a, type: lrn}\n"),
      InputError,
      Message("t.yaml:5: layer 'a': name: duplicate layer name (first defined on line 4)"));
}

TEST_CASE("workloads: a key given twice in one layer is rejected") {
  REQUIRE_THROWS_MATCHES(parse_layers("  - {name: a, type: conv, kernel: 3, out: 4, kernel: 5}\n"),
                         InputError, Message("t.yaml:4: layer 'a': kernel: key given twice"));
}

TEST_CASE("workloads: a negative pad is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: conv, kernel: 3, out: 4, pad: -1}\n"), InputError,
      Message("t.yaml:4: layer 'a': pad: expected an integer in [0, 1048576], got -1"));
}

TEST_CASE("workloads: a zero stride is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: pool, mode: max, kernel: 2, stride: [2, 0]}\n"), InputError,
      Message("t.yaml:4: layer 'a': stride: expected an integer in [1, 1048576], got 0"));
}

TEST_CASE("workloads: a pool without mode is rejected") {
  REQUIRE_THROWS_MATCHES(parse_layers("  - {name: p, type: pool, kernel: 2}\n"), InputError,
                         Message("t.yaml:4: layer 'p': mode: missing required key (max or avg)"));
}

TEST_CASE("workloads: an unknown activation is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: a, type: lrn, activation: sigmoid}\n"), InputError,
      Message("t.yaml:4: layer 'a': activation: expected one of none, relu, got 'sigmoid'"));
}

TEST_CASE("workloads: a layer named input is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_layers("  - {name: input, type: lrn}\n"), InputError,
      Message("t.yaml:4: layer 'input': name: 'input' is reserved for the network input"));
}

TEST_CASE("workloads: an empty layers list is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_network("name: t\ninput: {h: 8, w: 8, c: 4}\nlayers: []\n", "t.yaml"), InputError,
      Message("t.yaml:3: layers: expected a non-empty list of layers"));
}

TEST_CASE("workloads: an unknown top-level key is rejected") {
  REQUIRE_THROWS_MATCHES(parse_network("name: t\nversion: 2\ninput: {h: 8, w: 8, c: 4}\nlayers:\n"
                                       "  - {name: a, type: lrn}\n",
                                       "t.yaml"),
                         InputError, Message("t.yaml:2: version: unknown key"));
}

TEST_CASE("workloads: an input without a channel count is rejected") {
  REQUIRE_THROWS_MATCHES(
      parse_network("name: t\ninput: {h: 8, w: 8}\nlayers:\n  - {name: a, type: lrn}\n", "t.yaml"),
      InputError, Message("t.yaml:2: input.c: missing required key"));
}

TEST_CASE("workloads: a YAML syntax error names the file and line") {
  REQUIRE_THROWS_MATCHES(parse_network("name: t\ninput: {h: 8\n", "t.yaml"), InputError,
                         Message("t.yaml:3: YAML syntax error: end of map flow not found"));
}

TEST_CASE("workloads: a missing network file is reported by path") {
  REQUIRE_THROWS_MATCHES(load_network("/nonexistent/net.yaml"), InputError,
                         Message("/nonexistent/net.yaml: cannot open file"));
}
