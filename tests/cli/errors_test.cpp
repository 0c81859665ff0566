// Bad input: a one-line error naming the file, key or layer; exit code 2; no
// partial output files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli_test_util.hpp"

using reramsim::test::CliResult;
using reramsim::test::run_cli;
using reramsim::test::Scratch;

namespace {
int lines(const std::string& text) {
  return int(std::count(text.begin(), text.end(), '\n'));
}
}  // namespace

TEST_CASE("cli: an unknown option is a usage error", "[cli][errors]") {
  Scratch scratch;
  const CliResult r = run_cli(scratch, "run --arch configs/tiny.yaml --nett x.yaml");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim run: unknown option '--nett'\n");
}

TEST_CASE("cli: a missing --net is a usage error", "[cli][errors]") {
  Scratch scratch;
  const CliResult r = run_cli(scratch, "run --arch configs/tiny.yaml");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim run: missing --net NETWORK.yaml\n");
}

TEST_CASE("cli: an unknown command is a usage error", "[cli][errors]") {
  Scratch scratch;
  const CliResult r = run_cli(scratch, "simulate");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "reramsim: unknown command 'simulate' (expected run, map, sweep, validate, info, asm, "
        "disasm or "
        "noc)\n");
}

TEST_CASE("cli: a bad config names file, line and key, and leaves no stats file", "[cli][errors]") {
  Scratch scratch;
  std::string text =
      reramsim::test::read_file(std::string(RERAMSIM_SOURCE_DIR) + "/configs/tiny.yaml");
  const std::string from = "  cell_bits: 2";
  text.replace(text.find(from), from.size(), "  cell_bitz: 2");
  const std::string config = scratch.path("bad.yaml");
  std::ofstream(config) << text;
  const std::string stats = scratch.path("stats.json");
  const CliResult r =
      run_cli(scratch, "run --arch '" + config +
                           "' --net workloads/networks/lenet5.yaml --stats '" + stats + "'");
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find(config + ":") != std::string::npos);
  CHECK(r.err.find("crossbar.cell_bitz: unknown key") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(stats));
  CHECK_FALSE(std::filesystem::exists(stats + ".tmp"));
}

TEST_CASE("cli: a crossbar that cannot hold one weight is refused without output",
          "[cli][errors]") {
  // Layers larger than the chip run in rounds down to one tile per round;
  // only a crossbar too narrow for a single weight leaves nothing to place:
  // 4 columns against 4 slices of an 8-bit weight in 2-bit cells plus the
  // offset scheme's reference column.
  Scratch scratch;
  const std::string stats = scratch.path("stats.json");
  const CliResult r = run_cli(scratch,
                              "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
                              "--set crossbar.cols=4 --set crossbar.ou.cols=4 "
                              "--set crossbar.adc.cols_muxed=4 --set crossbar.adc.per_crossbar=1 "
                              "--stats '" +
                                  stats + "'");
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("configs/tiny.yaml:") != std::string::npos);
  CHECK(r.err.find("crossbar.cols: 4 columns cannot hold one 8-bit weight") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(stats));
}

TEST_CASE("cli: run refuses a chip without the mesh its layers talk over", "[cli][errors]") {
  Scratch scratch;
  const std::string stats = scratch.path("stats.json");
  const CliResult r = run_cli(scratch,
                              "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
                              "--set noc.mesh.enabled=false --stats '" +
                                  stats + "'");
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("configs/tiny.yaml: noc.mesh.enabled: reramsim run needs it true") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(stats));
}

TEST_CASE("cli: a bad network names the layer", "[cli][errors]") {
  Scratch scratch;
  const std::string net = scratch.path("net.yaml");
  std::ofstream(net) << "name: broken\ninput: {h: 8, w: 8, c: 1}\nlayers:\n"
                        "  - {name: c1, type: conv, kernel: 9, out: 4}\n";
  const CliResult r = run_cli(scratch, "validate '" + net + "'");
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find(net + ":4: layer 'c1'") != std::string::npos);
}

TEST_CASE("cli: --seed must be a number", "[cli][errors]") {
  Scratch scratch;
  const CliResult r = run_cli(
      scratch, "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml --seed abc");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim run: --seed expects a non-negative integer, got 'abc'\n");
}

TEST_CASE("cli: a stats path in a missing directory is refused before simulating",
          "[cli][errors]") {
  Scratch scratch;
  const CliResult r = run_cli(scratch,
                              "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
                              "--stats /nonexistent-dir/s.json");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim run: --stats /nonexistent-dir/s.json: directory does not exist\n");
}
