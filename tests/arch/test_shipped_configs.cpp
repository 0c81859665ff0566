// The shipped configs load, and their derived quantities match the papers'
// numbers worked out by hand.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/yaml_input.hpp"

using reramsim::arch::ArchConfig;
using reramsim::arch::load_arch_config;

namespace {

std::string config_path(const std::string& name) {
  return std::string(RERAMSIM_SOURCE_DIR) + "/configs/" + name + ".yaml";
}

}  // namespace

TEST_CASE("tiny config loads with its 4 x 4 PEs and 8-bit data", "[arch][configs]") {
  const ArchConfig cfg = load_arch_config(config_path("tiny"));
  CHECK(cfg.name == "tiny");
  CHECK(cfg.chip.pes() == 16);
  CHECK(cfg.total_crossbars() == 16 * 2 * 4);
  CHECK(cfg.total_cells() == 128 * 64 * 64);
  CHECK(cfg.weight_slices() == 4);  // 8-bit weights in 2-bit cells
  CHECK(cfg.input_cycles() == 8);   // 8-bit activations through a 1-bit DAC
  CHECK(cfg.crossbar.adcs_per_crossbar * cfg.crossbar.cols_per_adc == cfg.crossbar.cols);
}

TEST_CASE("spatem config has 168 x 12 x 8 crossbars of 128 x 128 and a 9 x 8 OU",
          "[arch][configs]") {
  const ArchConfig cfg = load_arch_config(config_path("spatem"));
  CHECK(cfg.chip.pe_x == 12);
  CHECK(cfg.chip.pe_y == 14);
  CHECK(cfg.total_crossbars() == 16128);  // 168 * 12 * 8
  CHECK(cfg.total_cells() == 264241152);  // 16128 * 128 * 128
  CHECK(cfg.crossbar.ou.rows == 9);
  CHECK(cfg.crossbar.ou.cols == 8);
  CHECK(cfg.weight_slices() == 1);  // one cell stores one weight
  CHECK(cfg.input_cycles() == 16);  // 16-bit inputs, 1-bit DAC
  CHECK(cfg.latency.ou_step == 7);  // 8 conversions at 1.28 GS/s, rounded up
}

TEST_CASE("re-reram config has one 1152 x 256 array per PE and 3072 MACs per cycle",
          "[arch][configs]") {
  const ArchConfig cfg = load_arch_config(config_path("re-reram"));
  CHECK(cfg.chip.pes() == 256);
  CHECK(cfg.chip.pes() / cfg.chip.pes_per_group == 16);
  CHECK(cfg.total_crossbars() == 256);
  CHECK(cfg.weight_slices() == 1);  // 4-bit weights in 4-bit cells
  CHECK(cfg.input_cycles() == 1);   // 4-bit data through a 4-bit DAC
  // Section V: 1152 x 16 MACs every 6 cycles, a whole 4-bit input at once.
  CHECK(cfg.crossbar.ou.rows * cfg.crossbar.ou.cols / (cfg.latency.ou_step * cfg.input_cycles()) ==
        3072);
  CHECK(cfg.pe.conv_buffer_bytes * cfg.pe.conv_buffers == 2 * 84 * 1024);
  CHECK(cfg.chip.global_buffer_bytes == 4 * 1024 * 1024);
}

TEST_CASE("isaac config reads a whole 128 x 128 crossbar per 100-cycle step", "[arch][configs]") {
  const ArchConfig cfg = load_arch_config(config_path("isaac"));
  CHECK(cfg.total_crossbars() == 16128);  // 168 tiles * 12 IMAs * 8 crossbars
  CHECK(cfg.crossbar.ou.rows == 128);
  CHECK(cfg.crossbar.ou.cols == 128);
  CHECK(cfg.weight_slices() == 8);  // 16-bit weights in 2-bit cells
  CHECK(cfg.input_cycles() == 16);  // 16-bit inputs, 1-bit DAC
  // 100 ns per 1-bit slice at 1 GHz: one 16-bit input vector takes 1600 cycles.
  CHECK(cfg.input_cycles() * cfg.latency.ou_step * cfg.cycle_ns() == Approx(1600.0));
}

TEST_CASE("every shipped config's trees give each PE a leaf", "[arch][configs]") {
  for (const char* name : {"tiny", "spatem", "re-reram", "isaac"}) {
    INFO(name);
    const ArchConfig cfg = load_arch_config(config_path(name));
    std::int64_t fat_leaves = 1;
    std::int64_t collection_leaves = 1;
    for (int i = 0; i < cfg.noc.fat_tree.levels; ++i) fat_leaves *= cfg.noc.fat_tree.arity;
    for (int i = 0; i < cfg.noc.collection.levels; ++i) {
      collection_leaves *= cfg.noc.collection.arity;
    }
    CHECK(fat_leaves >= cfg.chip.pes());
    CHECK(collection_leaves >= cfg.chip.pes());
  }
}

TEST_CASE("load_arch_config records the path it read in ArchConfig::file", "[arch][configs]") {
  const std::string path = config_path("tiny");
  CHECK(load_arch_config(path).file == path);
}

TEST_CASE("load_arch_config names a missing file in a one-line error", "[arch][configs]") {
  CHECK_THROWS_WITH(load_arch_config("configs/no-such-chip.yaml"),
                    "configs/no-such-chip.yaml: cannot open file");
  CHECK_THROWS_AS(load_arch_config("configs/no-such-chip.yaml"), reramsim::workloads::InputError);
}
