// Every invalid configuration is rejected with one exact line naming the file,
// the line and the dotted key. Each case edits one line of a valid base text,
// so the expected line number can be read off `base_text` below.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/yaml_input.hpp"

using reramsim::arch::ArchConfig;
using reramsim::arch::parse_arch_config;
using reramsim::workloads::InputError;

namespace {

// Line numbers (1-based) are noted where tests refer to them.
const std::string base_text =
    "name: base\n"                    // 1
    "chip:\n"                         // 2
    "  pe_grid:\n"                    // 3
    "    x: 4\n"                      // 4
    "    y: 4\n"                      // 5
    "  pes_per_group: 4\n"            // 6
    "  clock_mhz: 1000\n"             // 7
    "  global_buffer_bytes: 65536\n"  // 8
    "pe:\n"                           // 9
    "  cus: 2\n"                      // 10
    "  crossbars_per_cu: 4\n"         // 11
    "  alu_lanes: 16\n"               // 12
    "  sfu_lanes: 8\n"                // 13
    "  conv_buffer_bytes: 8192\n"     // 14
    "  conv_buffers: 3\n"             // 15
    "  output_buffer_bytes: 1024\n"   // 16
    "crossbar:\n"                     // 17
    "  rows: 64\n"                    // 18
    "  cols: 64\n"                    // 19
    "  cell_bits: 2\n"                // 20
    "  ou:\n"                         // 21
    "    rows: 8\n"                   // 22
    "    cols: 8\n"                   // 23
    "  dac_bits: 2\n"                 // 24
    "  adc:\n"                        // 25
    "    bits: 8\n"                   // 26
    "    per_crossbar: 8\n"           // 27
    "    cols_muxed: 8\n"             // 28
    "data:\n"                         // 29
    "  weight_bits: 8\n"              // 30
    "  activation_bits: 8\n"          // 31
    "latency_cycles:\n"               // 32
    "  ou_step: 3\n"                  // 33
    "  adc_conversion: 1\n"           // 34
    "  buffer_read: 2\n"              // 35
    "  buffer_write: 2\n"             // 36
    "  alu_op: 1\n"                   // 37
    "  alu_mul_div: 4\n"              // 38
    "  sfu_op: 8\n"                   // 39
    "  router: 1\n"                   // 40
    "  link: 1\n"                     // 41
    "  weight_write_row: 100\n"       // 42
    "noc:\n"                          // 43
    "  link_width_bits: 16\n"         // 44
    "  multicast_fanout: 4\n"         // 45
    "  fat_tree:\n"                   // 46
    "    enabled: true\n"             // 47
    "    arity: 4\n"                  // 48
    "    levels: 2\n"                 // 49
    "  mesh:\n"                       // 50
    "    enabled: true\n"             // 51
    "  collection_tree:\n"            // 52
    "    enabled: true\n"             // 53
    "    arity: 4\n"                  // 54
    "    levels: 2\n";                // 55

// The base with the single occurrence of `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  const auto at = base_text.find(from);
  if (at == std::string::npos || base_text.find(from, at + 1) != std::string::npos) {
    throw std::logic_error("test edit '" + from + "' must match the base text exactly once");
  }
  std::string text = base_text;
  text.replace(at, from.size(), to);
  return text;
}

// The one-line message parse_arch_config throws for `text`, or "" if it loads.
std::string error_of(const std::string& text) {
  try {
    parse_arch_config(text, "t.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the validation base text is itself a valid config", "[arch][validation]") {
  const ArchConfig cfg = parse_arch_config(base_text, "t.yaml");
  CHECK(cfg.file == "t.yaml");
  CHECK(cfg.name == "base");
  CHECK(cfg.chip.pes() == 16);
  CHECK(cfg.pe.conv_buffers == 3);
  CHECK(cfg.crossbar.dac_bits == 2);
  CHECK(cfg.latency.buffer_read == 2);
  CHECK(cfg.noc.collection.levels == 2);
}

TEST_CASE("optional keys take their documented defaults when omitted", "[arch][validation]") {
  std::string text = base_text;
  for (const std::string line : {"  pes_per_group: 4\n", "  alu_lanes: 16\n", "  sfu_lanes: 8\n",
                                 "  conv_buffers: 3\n", "  dac_bits: 2\n"}) {
    text.erase(text.find(line), line.size());
  }
  const ArchConfig cfg = parse_arch_config(text, "t.yaml");
  CHECK(cfg.chip.pes_per_group == 1);
  CHECK(cfg.pe.alu_lanes == 32);
  CHECK(cfg.pe.sfu_lanes == 32);
  CHECK(cfg.pe.conv_buffers == 2);
  CHECK(cfg.crossbar.dac_bits == 1);
}

TEST_CASE("an unknown top-level key is rejected", "[arch][validation]") {
  CHECK(error_of(base_text + "frequency: 5\n") == "t.yaml:56: frequency: unknown key");
}

TEST_CASE("an unknown nested key is rejected with its dotted path", "[arch][validation]") {
  CHECK(error_of(edited("    cols: 8\n", "    cols: 8\n    depth: 2\n")) ==
        "t.yaml:24: crossbar.ou.depth: unknown key");
}

TEST_CASE("a word where an integer belongs is a type error", "[arch][validation]") {
  CHECK(error_of(edited("  cus: 2\n", "  cus: two\n")) ==
        "t.yaml:10: pe.cus: expected an integer, got 'two'");
}

TEST_CASE("a fraction where an integer belongs is a type error", "[arch][validation]") {
  CHECK(error_of(edited("  rows: 64\n", "  rows: 64.5\n")) ==
        "t.yaml:18: crossbar.rows: expected an integer, got '64.5'");
}

TEST_CASE("a scalar where a section map belongs is a type error", "[arch][validation]") {
  CHECK(error_of(edited("  mesh:\n    enabled: true\n", "  mesh: true\n")) ==
        "t.yaml:50: noc.mesh: expected a map of keys");
}

TEST_CASE("a word where a boolean belongs is a type error", "[arch][validation]") {
  CHECK(error_of(edited("  mesh:\n    enabled: true\n", "  mesh:\n    enabled: maybe\n")) ==
        "t.yaml:51: noc.mesh.enabled: expected true or false");
}

TEST_CASE("a grid without PEs is rejected", "[arch][validation]") {
  CHECK(error_of(edited("    x: 4\n", "    x: 0\n")) ==
        "t.yaml:4: chip.pe_grid.x: expected an integer in [1, 1024], got 0");
}

TEST_CASE("a PE without compute units is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  cus: 2\n", "  cus: 0\n")) ==
        "t.yaml:10: pe.cus: expected an integer in [1, 1024], got 0");
}

TEST_CASE("OU rows beyond the crossbar rows are rejected", "[arch][validation]") {
  CHECK(error_of(edited("    rows: 8\n", "    rows: 65\n")) ==
        "t.yaml:22: crossbar.ou.rows: OU rows (65) exceed crossbar rows (64)");
}

TEST_CASE("OU cols beyond the crossbar cols are rejected", "[arch][validation]") {
  CHECK(error_of(edited("    cols: 8\n", "    cols: 128\n")) ==
        "t.yaml:23: crossbar.ou.cols: OU cols (128) exceed crossbar cols (64)");
}

TEST_CASE("cells wider than the weights are rejected", "[arch][validation]") {
  CHECK(error_of(edited("  weight_bits: 8\n", "  weight_bits: 1\n")) ==
        "t.yaml:20: crossbar.cell_bits: cell bits (2) exceed weight bits (1)");
}

TEST_CASE("a DAC wider than the activations is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  activation_bits: 8\n", "  activation_bits: 1\n")) ==
        "t.yaml:24: crossbar.dac_bits: DAC bits (2) exceed activation bits (1)");
}

TEST_CASE("a bit width above 16 is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  weight_bits: 8\n", "  weight_bits: 17\n")) ==
        "t.yaml:30: data.weight_bits: expected an integer in [1, 16], got 17");
}

TEST_CASE("a fat tree with fewer leaves than PEs is rejected", "[arch][validation]") {
  CHECK(error_of(edited("    x: 4\n", "    x: 5\n")) ==
        "t.yaml:49: noc.fat_tree.levels: fat tree of arity 4 and 2 levels has 16 leaves, "
        "fewer than the 20 PEs (5 x 4)");
}

TEST_CASE("a collection tree with fewer leaves than PEs is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  collection_tree:\n    enabled: true\n    arity: 4\n",
                        "  collection_tree:\n    enabled: true\n    arity: 3\n")) ==
        "t.yaml:55: noc.collection_tree.levels: collection tree of arity 3 and 2 levels has 9 "
        "leaves, fewer than the 16 PEs (4 x 4)");
}

TEST_CASE("a disabled tree need not cover the PEs", "[arch][validation]") {
  const ArchConfig cfg =
      parse_arch_config(edited("  fat_tree:\n    enabled: true\n    arity: 4\n    levels: 2\n",
                               "  fat_tree:\n    enabled: false\n    levels: 1\n"),
                        "t.yaml");
  CHECK_FALSE(cfg.noc.fat_tree.enabled);
  CHECK(cfg.noc.fat_tree.levels == 1);
}

TEST_CASE("muxed columns that do not divide the crossbar cols are rejected", "[arch][validation]") {
  CHECK(error_of(edited("    cols_muxed: 8\n", "    cols_muxed: 48\n")) ==
        "t.yaml:28: crossbar.adc.cols_muxed: 48 muxed columns do not divide the crossbar cols "
        "(64)");
}

TEST_CASE("ADCs that leave columns unconverted are rejected", "[arch][validation]") {
  CHECK(error_of(edited("    per_crossbar: 8\n", "    per_crossbar: 1\n")) ==
        "t.yaml:27: crossbar.adc.per_crossbar: 1 ADC(s) x 8 muxed columns cover 8 of 64 "
        "crossbar cols; every column needs an ADC");
}

TEST_CASE("ADCs beyond the crossbar cols are rejected", "[arch][validation]") {
  CHECK(error_of(edited("    per_crossbar: 8\n", "    per_crossbar: 9\n")) ==
        "t.yaml:27: crossbar.adc.per_crossbar: 9 ADC(s) x 8 muxed columns cover 72 columns but "
        "the crossbar has 64; an ADC would have no column");
}

TEST_CASE("a link width that is not a multiple of 8 is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  link_width_bits: 16\n", "  link_width_bits: 12\n")) ==
        "t.yaml:44: noc.link_width_bits: expected a positive multiple of 8, got 12");
}

TEST_CASE("a PE group size that does not divide the PEs is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  pes_per_group: 4\n", "  pes_per_group: 5\n")) ==
        "t.yaml:6: chip.pes_per_group: 5 does not divide the 16 PEs (4 x 4)");
}

TEST_CASE("a negative latency is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  router: 1\n", "  router: -1\n")) ==
        "t.yaml:40: latency_cycles.router: expected an integer in [1, 1000000000], got -1");
}

TEST_CASE("a zero weight-write latency is accepted as preloaded weights", "[arch][validation]") {
  const ArchConfig cfg =
      parse_arch_config(edited("  weight_write_row: 100\n", "  weight_write_row: 0\n"), "t.yaml");
  CHECK(cfg.latency.weight_write_row == 0);
}

TEST_CASE("a zero clock is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  clock_mhz: 1000\n", "  clock_mhz: 0\n")) ==
        "t.yaml:7: chip.clock_mhz: expected a clock frequency in (0, 100000] MHz, got 0");
}

TEST_CASE("a negative clock is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  clock_mhz: 1000\n", "  clock_mhz: -2.5\n")) ==
        "t.yaml:7: chip.clock_mhz: expected a clock frequency in (0, 100000] MHz, got -2.5");
}

TEST_CASE("a missing required section is rejected", "[arch][validation]") {
  CHECK(error_of(edited("data:\n  weight_bits: 8\n  activation_bits: 8\n", "")) ==
        "t.yaml:1: data: missing required key");
}

TEST_CASE("a missing required key names the map that lacks it", "[arch][validation]") {
  CHECK(error_of(edited("  rows: 64\n", "")) == "t.yaml:18: crossbar.rows: missing required key");
}

TEST_CASE("a duplicated key is rejected instead of silently taking one value",
          "[arch][validation]") {
  CHECK(error_of(edited("  cus: 2\n", "  cus: 2\n  cus: 3\n")) ==
        "t.yaml:11: pe.cus: duplicate key (first given on line 10)");
}

TEST_CASE("a multicast fanout above the fat-tree arity is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  multicast_fanout: 4\n", "  multicast_fanout: 8\n")) ==
        "t.yaml:45: noc.multicast_fanout: fanout 8 exceeds fat_tree.arity (4)");
}

TEST_CASE("a chip with every network disabled is rejected", "[arch][validation]") {
  std::string text =
      edited("  fat_tree:\n    enabled: true\n", "  fat_tree:\n    enabled: false\n");
  for (const std::string key :
       {"  mesh:\n    enabled: true\n", "  collection_tree:\n    enabled: true\n"}) {
    const auto at = text.find(key);
    text.replace(at, key.size(), key.substr(0, key.size() - 5) + "false\n");
  }
  CHECK(error_of(text) ==
        "t.yaml:44: noc: no network enabled; enable fat_tree, mesh or collection_tree");
}

TEST_CASE("an empty name is rejected", "[arch][validation]") {
  CHECK(error_of(edited("name: base\n", "name: \"\"\n")) ==
        "t.yaml:1: name: expected a non-empty string");
}

TEST_CASE("a YAML syntax error names the file and line", "[arch][validation]") {
  CHECK(error_of(edited("  cus: 2\n", "  cus: [2\n")) ==
        "t.yaml:11: YAML syntax error: "
        "end of sequence flow not found");
}

TEST_CASE("a document that is not a map is rejected", "[arch][validation]") {
  CHECK(error_of("- tiny\n- spatem\n") == "t.yaml:1: expected a YAML map at the top level");
}

TEST_CASE("a clock given in Hz instead of MHz is rejected", "[arch][validation]") {
  CHECK(error_of(edited("  clock_mhz: 1000\n", "  clock_mhz: 1000000000\n")) ==
        "t.yaml:7: chip.clock_mhz: expected a clock frequency in (0, 100000] MHz, got 1e+09");
}

TEST_CASE("a key without a value is rejected at its own line", "[arch][validation]") {
  CHECK(error_of(edited("  cus: 2\n", "  cus:\n")) == "t.yaml:10: pe.cus: missing value");
}

TEST_CASE("a tree too large for the NoC model's ids is rejected", "[arch][validation]") {
  CHECK(error_of(edited("    arity: 4\n    levels: 2\n  mesh:",
                        "    arity: 64\n    levels: 5\n  mesh:")) ==
        "t.yaml:49: noc.fat_tree.levels: fat tree of arity 64 and 5 levels has more than "
        "16777216 leaves");
}

TEST_CASE("a misspelt section is reported as unknown, not as the section missing",
          "[arch][validation]") {
  CHECK(error_of(edited("data:\n", "dta:\n")) == "t.yaml:29: dta: unknown key");
}

TEST_CASE("a misspelt nested key is reported as unknown, not as the key missing",
          "[arch][validation]") {
  CHECK(error_of(edited("  cus: 2\n", "  cu: 2\n")) == "t.yaml:10: pe.cu: unknown key");
}
