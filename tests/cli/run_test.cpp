// End-to-end runs: real values through the simulated crossbars, checked
// against the reference in the same process, and the statistics users read.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

using reramsim::test::CliResult;
using reramsim::test::read_file;
using reramsim::test::run_cli;
using reramsim::test::Scratch;

namespace {
nlohmann::json run_stats(const Scratch& scratch, const std::string& arch, const std::string& net,
                         const std::string& extra = "", int expected_exit = 0) {
  const std::string stats = scratch.path("stats.json");
  const CliResult r =
      run_cli(scratch, "run --arch configs/" + arch + ".yaml --net workloads/networks/" + net +
                           ".yaml --stats '" + stats + "' " + extra);
  INFO(r.err);
  REQUIRE(r.exit_code == expected_exit);  // 1: the values differ from the reference
  return nlohmann::json::parse(read_file(stats));
}
}  // namespace

TEST_CASE("cli: LeNet-5 on tiny matches the reference", "[cli][e2e]") {
  Scratch scratch;
  const auto stats = run_stats(scratch, "tiny", "lenet5");
  CHECK(stats["functional"]["matches_reference"] == true);
  CHECK(stats["functional"]["mismatched_values"] == 0);
  // MACs done by the crossbars equal the network's MACs (layer-tables.md: 416,520).
  CHECK(stats["actions"]["macs"] == 416520);
  CHECK(stats["layers"].size() == 7);
  CHECK(stats["latency_cycles"].get<std::int64_t>() > 0);
  // Layers on different PEs pipeline row by row: C1 -> S2 -> C3 -> S4 each
  // start while their producer still runs (their parts need only its first
  // rows); C5 (5x5 kernel over the 5x5 S4 output), F6 and OUT need their
  // producer's whole output, so they start after it ends.
  const auto& layers = stats["layers"];
  for (std::size_t i = 1; i <= 3; ++i) {
    CHECK(layers[i]["start_cycle"] < layers[i - 1]["end_cycle"]);
  }
  for (std::size_t i = 4; i < layers.size(); ++i) {
    CHECK(layers[i]["start_cycle"] >= layers[i - 1]["end_cycle"]);
  }
  CHECK(stats["latency_cycles"] >= layers.back()["end_cycle"]);
}

TEST_CASE("cli: ResNet-18 on re-reram matches the reference", "[cli][e2e]") {
  Scratch scratch;
  const auto stats = run_stats(scratch, "re-reram", "resnet18");
  CHECK(stats["functional"]["matches_reference"] == true);
  // layer-tables.md: ResNet-18 has 1,814,073,344 MACs and 11,678,912 weights.
  CHECK(stats["actions"]["macs"] == 1814073344LL);
  // Dataflow between layers: a residual block's downsample and first
  // convolution both read the previous block's output, and both start while
  // it is still being computed (row-level pipelining over the mesh); the
  // second convolution follows the first.
  const auto cycle_of = [&](const std::string& name, const char* key) {
    for (const auto& l : stats["layers"]) {
      if (l["name"] == name) return l[key].get<std::int64_t>();
    }
    return std::int64_t(-1);
  };
  const std::int64_t block_input_end = cycle_of("layer1.1.add", "end_cycle");
  CHECK(cycle_of("layer2.0.downsample", "start_cycle") < block_input_end);
  CHECK(cycle_of("layer2.0.conv1", "start_cycle") < block_input_end);
  CHECK(cycle_of("layer2.0.conv2", "start_cycle") > cycle_of("layer2.0.conv1", "start_cycle"));
  // 4-bit weights in 4-bit cells: one cell per weight, plus the reference cells.
  CHECK(stats["resources"]["cells_used"].get<std::int64_t>() -
            stats["resources"]["reference_cells"].get<std::int64_t>() ==
        11678912);
}

TEST_CASE("cli: a network with lrn and grouped convs matches the reference", "[cli][e2e]") {
  Scratch scratch;
  const auto stats = run_stats(scratch, "re-reram", "caffenet");
  CHECK(stats["functional"]["matches_reference"] == true);
  CHECK(stats["actions"]["macs"] == 724406816LL);  // layer-tables.md
}

TEST_CASE("cli: the same inputs and seed give byte-identical statistics", "[cli]") {
  Scratch scratch;
  const std::string a = scratch.path("a.json");
  const std::string b = scratch.path("b.json");
  const std::string common =
      "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml --seed 7 ";
  REQUIRE(run_cli(scratch, common + "--stats '" + a + "'").exit_code == 0);
  REQUIRE(run_cli(scratch, common + "--stats '" + b + "'").exit_code == 0);
  CHECK(read_file(a) == read_file(b));
  // A different seed draws other values, still matching the reference.
  const std::string c = scratch.path("c.json");
  REQUIRE(run_cli(scratch,
                  "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
                  "--seed 8 --stats '" +
                      c + "'")
              .exit_code == 0);
  CHECK(nlohmann::json::parse(read_file(c))["functional"]["matches_reference"] == true);
}

TEST_CASE("cli: the NoC carries inputs down, partial sums across and results up", "[cli]") {
  Scratch scratch;
  const auto stats = run_stats(scratch, "tiny", "lenet5");
  const auto& networks = stats["noc"]["networks"];
  // The 32 x 32 x 1 input goes down the fat tree once, at 8 bits (1024
  // bytes, multicast); only the 10 network outputs go up the collection
  // tree; everything between layers (and C5's partial sums) crosses the mesh.
  CHECK(networks["fat_tree"]["bytes"] == 1024);
  CHECK(networks["collection"]["bytes"] == 10);
  // Hand count of the mesh bytes (tiny.yaml: 8 crossbars a PE, every layer
  // on PEs of its own). Activations, each layer's output once to every PE
  // that reads it: C1 -> S2 4704, S2 -> C3 1176, C3 -> S4 1600, S4 -> the
  // 7 PEs of C5 7 x 400, C5 -> the 2 PEs of F6 2 x 120, F6 -> OUT 84:
  // 10,604 bytes. Partial sums: C5's 8 output groups of 7 row tiles lie on
  // crossbars 7g .. 7g+6 of its 7 PEs, so groups 1..6 straddle two PEs and
  // send one packet each of 15 values x (8 + 8 + ceil(log2 400)) bits = 47
  // bytes: 282 bytes.
  CHECK(networks["mesh"]["bytes"] == 10604 + 6 * 47);
  CHECK(stats["noc"]["bytes"] == networks["fat_tree"]["bytes"].get<std::int64_t>() +
                                     networks["mesh"]["bytes"].get<std::int64_t>() + 10);
}

TEST_CASE("cli: --vcd writes a waveform of PE and link activity", "[cli]") {
  Scratch scratch;
  const std::string vcd = scratch.path("run.vcd");
  const CliResult r = run_cli(scratch,
                              "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
                              "--vcd '" +
                                  vcd + "'");
  REQUIRE(r.exit_code == 0);
  const std::string text = read_file(vcd);
  CHECK(text.rfind("$date", 0) == 0);
  CHECK(text.find("$scope module pe_0 $end") != std::string::npos);
  CHECK(text.find("$scope module mesh $end") != std::string::npos);
  CHECK(text.find("$enddefinitions $end") != std::string::npos);
  CHECK(text.find("\n#1") != std::string::npos);  // value changes after time 0
}

TEST_CASE("cli: run prints a summary", "[cli]") {
  Scratch scratch;
  const CliResult r =
      run_cli(scratch, "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("reramsim run: lenet5 on tiny") != std::string::npos);
  CHECK(r.out.find("matches the reference") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("cli: fine-grained PEs give the fast mode's latency and values", "[cli][fine]") {
  Scratch scratch;
  const auto fast = run_stats(scratch, "tiny", "lenet5");
  const auto fine = run_stats(scratch, "tiny", "lenet5", "--fine-grained all");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["layers"] == fast["layers"]);
  CHECK(fine["pe_busy_cycles"] == fast["pe_busy_cycles"]);
  CHECK(fine["actions"] == fast["actions"]);
  CHECK(fine["functional"]["matches_reference"] == true);
}

TEST_CASE("cli: a narrow ADC makes the values deviate, and the error is reported", "[cli][adc]") {
  Scratch scratch;
  // tiny.yaml's OU sums reach 8 * 1 * 3 = 24: a 3-bit ADC (max 7) clips.
  const auto stats = run_stats(scratch, "tiny", "lenet5", "--set crossbar.adc.bits=3", 1);
  CHECK(stats["functional"]["matches_reference"] == false);
  CHECK(stats["functional"]["mismatched_values"].get<std::int64_t>() > 0);
  CHECK(stats["functional"]["output_max_abs_error"].get<std::int64_t>() > 0);
  CHECK(stats["actions"]["adc_lossy_conversions"].get<std::int64_t>() > 0);
  // The stepped datapath computes the same deviating values.
  const auto fine =
      run_stats(scratch, "tiny", "lenet5", "--set crossbar.adc.bits=3 --fine-grained 0-3", 1);
  CHECK(fine["functional"] == stats["functional"]);
}

TEST_CASE("cli: --set overrides a config key and rejects unknown ones", "[cli]") {
  Scratch scratch;
  // Halving the OU rows doubles the row groups of full 64-row tiles: more OU
  // activations, same values.
  const auto base = run_stats(scratch, "tiny", "lenet5");
  const auto small = run_stats(scratch, "tiny", "lenet5", "--set crossbar.ou.rows=4");
  CHECK(small["actions"]["ou_activations"] > base["actions"]["ou_activations"]);
  CHECK(small["functional"]["matches_reference"] == true);
  const CliResult r = run_cli(scratch,
                              "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
                              "--set crossbar.ou.depth=4");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim: configs/tiny.yaml: crossbar.ou.depth: unknown key\n");
  // An out-of-range value is reported at the overridden key's line (28 in tiny.yaml).
  const CliResult range =
      run_cli(scratch,
              "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml "
              "--set crossbar.adc.bits=99");
  CHECK(range.exit_code == 2);
  CHECK(range.err ==
        "reramsim: configs/tiny.yaml:28: crossbar.adc.bits: expected an integer in [1, 32], got "
        "99\n");
}

TEST_CASE("cli: a pruned LeNet-5 takes proportionally less array time", "[cli][pruning]") {
  Scratch scratch;
  const auto dense = run_stats(scratch, "tiny", "lenet5");
  const auto pruned = run_stats(scratch, "tiny", "lenet5_pruned");
  CHECK(pruned["functional"]["matches_reference"] == true);
  // Hand calculation on tiny.yaml (64x64 crossbars, OU 8x8, 8 input cycles,
  // 15 weights of 4 cells + 1 reference column per crossbar row):
  // C5 (400 rows: row tiles of 64 x6 and 16 -> 8*6 + 2 = 50 row groups; a
  // 15-column tile has 61 physical columns -> 8 column groups; 1 vector):
  // dense 8 column tiles x 50 x 8 x 8 = 25,600; half the channels pruned -> 4
  // column tiles = 12,800, exactly half.
  CHECK(dense["layers"][4]["array_cycles"] == 25600);
  CHECK(pruned["layers"][4]["array_cycles"] == 12800);
  // C3 (150 rows -> 8 + 8 + 3 = 19 row groups, 100 windows): dense tiles of 15
  // and 1 columns (8 + 1 column groups) -> 19 x 9 x 8 x 100 = 136,800; 8 kept
  // columns (33 physical -> 5 groups) -> 19 x 5 x 8 x 100 = 76,000.
  CHECK(dense["layers"][2]["array_cycles"] == 136800);
  CHECK(pruned["layers"][2]["array_cycles"] == 76000);
  CHECK(pruned["resources"]["crossbars_used"] == 46);
}

TEST_CASE("cli: BatchNorm executed on the ALU/SFU matches the reference", "[cli][bn]") {
  Scratch scratch;
  // re-reram.yaml executes ResNet's BatchNorms (pe.batchnorm: execute).
  const auto executed = run_stats(scratch, "re-reram", "resnet18");
  const auto folded = run_stats(scratch, "re-reram", "resnet18", "--set pe.batchnorm=fold");
  CHECK(executed["functional"]["matches_reference"] == true);
  CHECK(folded["functional"]["matches_reference"] == true);
  // Every BatchNorm runs an inverse square root per output channel on the
  // SFU; folded, the SFU has nothing to do (ResNet-18 has no LRN).
  CHECK(folded["actions"]["sfu_ops"] == 0);
  CHECK(executed["actions"]["sfu_ops"].get<std::int64_t>() > 0);
  CHECK(executed["latency_cycles"] > folded["latency_cycles"]);
}

TEST_CASE("cli: --trace-pes limits the waveform to a region", "[cli][vcd]") {
  Scratch scratch;
  const std::string all = scratch.path("all.vcd");
  const std::string corner = scratch.path("corner.vcd");
  const std::string common = "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml ";
  REQUIRE(run_cli(scratch, common + "--vcd '" + all + "'").exit_code == 0);
  REQUIRE(run_cli(scratch, common + "--vcd '" + corner + "' --trace-pes 0-1").exit_code == 0);
  const std::string a = read_file(all);
  const std::string c = read_file(corner);
  CHECK(a.find("$scope module pe_5 $end") != std::string::npos);
  CHECK(c.find("$scope module pe_0 $end") != std::string::npos);
  CHECK(c.find("$scope module pe_1 $end") != std::string::npos);
  CHECK(c.find("$scope module pe_5 $end") == std::string::npos);
  // The links of PEs 0 and 1 only: 8 mesh links, out of tiny.yaml's 64.
  const auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++n;
    return n;
  };
  CHECK(count(c, "$var wire 1") < count(a, "$var wire 1"));
  const CliResult r = run_cli(scratch, common + "--trace-pes 0");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "reramsim run: --trace-pes needs --vcd\n");
}

TEST_CASE("cli: fine-grained and fast modes agree on a network with branches", "[cli][fine]") {
  Scratch scratch;
  // DeepID's two fc branches meet in an add; several PEs send partial sums and
  // results over shared links.
  const auto fast = run_stats(scratch, "re-reram", "deepid");
  const auto fine = run_stats(scratch, "re-reram", "deepid", "--fine-grained all");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["noc"] == fast["noc"]);
  CHECK(fine["functional"]["matches_reference"] == true);
}

TEST_CASE("cli: the ALU works on row p while the crossbars compute row p+1", "[cli][e2e]") {
  // Fig. 6's overlap of ReRAM and arithmetic computing. LeNet-5's C1 has PE 0
  // of tiny.yaml to itself: 28 parts (output rows) of 28 windows x 6
  // channels = 168 values, each part requantized (A.shift) and rectified
  // (A.relu) on 32 one-cycle lanes: 2 x ceil(168 / 32) = 12 ALU cycles a
  // part, 336 in all. The crossbar's part takes thousands of cycles, so the
  // ALU work of parts 0..26 lies inside the crossbar's parts 1..27; only the
  // last part's 12 cycles do not overlap (hand calculation).
  Scratch scratch;
  const auto stats = run_stats(scratch, "tiny", "lenet5");
  const auto busy = stats["pe_busy_cycles"][0].get<std::int64_t>();
  const auto crossbar = stats["pe_crossbar_busy_cycles"][0].get<std::int64_t>();
  const auto alu = stats["pe_alu_busy_cycles"][0].get<std::int64_t>();
  CHECK(alu == 28 * 12);
  CHECK(crossbar + alu - busy == 27 * 12);
}

TEST_CASE("cli: PEs are configured by C-type loads before inference, timed apart from it",
          "[cli][e2e]") {
  Scratch scratch;
  const auto slow = run_stats(scratch, "tiny", "lenet5");
  const auto free = run_stats(scratch, "tiny", "lenet5", "--set latency_cycles.weight_write_row=0");
  // Every weight (61,470 at 8 bits, layer-tables.md) and every LUT word (8
  // bytes) crosses the fat tree's root link (16 bits a cycle) before the
  // last PE can finish; then its crossbars write 64 rows of 100 cycles
  // (tiny.yaml's C5 tiles): a lower bound of the configuration phase.
  const auto instructions = slow["programming"]["instructions"].get<std::int64_t>();
  const std::int64_t root_flits = (61470 + instructions * 8) / 2;
  CHECK(slow["programming"]["cycles"].get<std::int64_t>() >= root_flits + 64 * 100);
  // Writing rows costs configuration time only; inference is the same.
  CHECK(slow["programming"]["cycles"].get<std::int64_t>() -
            free["programming"]["cycles"].get<std::int64_t>() >=
        64 * 100);
  CHECK(slow["latency_cycles"] == free["latency_cycles"]);
  CHECK(slow["noc"] == free["noc"]);  // configuration traffic is not inference traffic
}

TEST_CASE("cli: fine-grained reducers that wait for partial sums agree with the fast mode",
          "[cli][fine]") {
  Scratch scratch;
  // CaffeNet's conv2 and conv3 on re-reram.yaml have two row tiles per output
  // group; PEs 3, 5 and 9 reduce them, so their controllers block on partial
  // sums while their own crossbars step part by part (a regression: a process
  // finishing while the controller synchronised once left it waiting forever).
  const auto fast = run_stats(scratch, "re-reram", "caffenet");
  const auto fine = run_stats(scratch, "re-reram", "caffenet", "--fine-grained 3,5,9");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["pe_busy_cycles"] == fast["pe_busy_cycles"]);
  CHECK(fine["functional"]["matches_reference"] == true);
}

TEST_CASE("cli: layers sharing a PE interleave their parts, in both modes", "[cli][fine]") {
  Scratch scratch;
  // tiny.yaml shrunk to 10 PEs: S2 runs on C1's PE (mapping tests), and the
  // ordering step interleaves them, so S2 starts while C1 still computes.
  const std::string small =
      "--set chip.pe_grid.x=5 --set chip.pe_grid.y=2 --set chip.pes_per_group=10";
  const auto fast = run_stats(scratch, "tiny", "lenet5", small);
  const auto& layers = fast["layers"];
  CHECK(layers[1]["start_cycle"] < layers[0]["end_cycle"]);
  CHECK(fast["functional"]["matches_reference"] == true);
  const auto fine = run_stats(scratch, "tiny", "lenet5", small + " --fine-grained all");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["layers"] == fast["layers"]);
}

TEST_CASE("cli: progress on a terminal does not change the results", "[cli]") {
  // With stderr a terminal, run advances the simulation in slices to print
  // progress between them; `script` gives it one. The statistics must be
  // byte-identical to a run without a terminal.
  Scratch scratch;
  const std::string plain = scratch.path("plain.json");
  const std::string tty = scratch.path("tty.json");
  const std::string args =
      "run --arch configs/tiny.yaml --net workloads/networks/lenet5.yaml --mapper spatem --stats ";
  REQUIRE(run_cli(scratch, args + "'" + plain + "'").exit_code == 0);
  // script(1) runs the command with a pseudo-terminal for its output.
  const std::string command = std::string("cd '") + RERAMSIM_SOURCE_DIR + "' && script -qec \"'" +
                              RERAMSIM_BINARY + "' " + args + "'" + tty +
                              "'\" /dev/null >/dev/null";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(read_file(tty) == read_file(plain));
}

TEST_CASE("cli: a network larger than the chip runs in rounds, reprogrammed between them",
          "[cli][e2e][fine]") {
  // tiny.yaml shrunk to 8 PEs (64 crossbars): LeNet-5's 77 tiles run as C1..C5
  // (63 crossbars), then F6 and OUT after the crossbars are reprogrammed
  // (mapping tests). Round 1 starts with its weights: F6's 64-row tiles at
  // 100 cycles a row (tiny.yaml), so reprogramming takes at least 6,400
  // cycles, inside the inference; C5's outputs reach F6 through the global
  // buffer (up the collection tree, down the fat tree).
  Scratch scratch;
  const std::string small =
      "--set chip.pe_grid.x=4 --set chip.pe_grid.y=2 --set chip.pes_per_group=8";
  const auto fast = run_stats(scratch, "tiny", "lenet5", small);
  CHECK(fast["programming"]["rounds"] == 2);
  CHECK(fast["programming"]["reprogramming_cycles"].get<std::int64_t>() >= 64 * 100);
  CHECK(fast["functional"]["matches_reference"] == true);
  const auto& layers = fast["layers"];
  CHECK(layers[5]["start_cycle"].get<std::int64_t>() >=
        layers[4]["end_cycle"].get<std::int64_t>() + 64 * 100);
  // C5's 120 outputs go up and come back down: 120 bytes each way at least.
  CHECK(fast["noc"]["networks"]["collection"]["bytes"].get<std::int64_t>() >= 120 + 10);
  const auto fine = run_stats(scratch, "tiny", "lenet5", small + " --fine-grained all");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["layers"] == fast["layers"]);
}

TEST_CASE("cli: a layer larger than the chip runs in rounds, partial sums carried between them",
          "[cli][e2e][fine]") {
  // tiny.yaml cut to 16 crossbars of 16 rows: lenet_caffe's conv2 (500 rows:
  // 32 row tiles x 4 column tiles), ip1 (800 rows: 50 row tiles x 34) and
  // ip2 (500 rows: 32 row tiles) are each larger than the chip, and their
  // groups are taller than it, so their partial sums go up to the global
  // buffer and come back down to the next round's part of the group, part
  // by part for the convolution (mapping tests). The values are exact, the
  // event-per-OU-step mode gives the same times, and the NoC moves what the
  // mapper's closed count says, beside the reprogramming loads.
  Scratch scratch;
  const std::string small = "--set pe.cus=1 --set pe.crossbars_per_cu=1 --set crossbar.rows=16";
  const auto fast = run_stats(scratch, "tiny", "lenet_caffe", small);
  CHECK(fast["functional"]["matches_reference"] == true);
  CHECK(fast["programming"]["rounds"].get<int>() > 100);
  const auto fine = run_stats(scratch, "tiny", "lenet_caffe", small + " --fine-grained all");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["layers"] == fast["layers"]);
  CHECK(fine["noc"] == fast["noc"]);
  // Batch mode: each image's sums carried on their own.
  const auto batch = run_stats(scratch, "tiny", "lenet_caffe", small + " --batch 2");
  CHECK(batch["functional"]["matches_reference"] == true);

  // The simple mapper's rounds, and SPATEM's partitioning inside the rounds
  // that hold no layer larger than the chip.
  for (const std::string mapper : {"simple", "spatem"}) {
    CAPTURE(mapper);
    const std::string report = scratch.path("map.json");
    const CliResult r = run_cli(scratch,
                                "map --arch configs/tiny.yaml --net "
                                "workloads/networks/lenet_caffe.yaml --mapper " +
                                    mapper + " " + small + " --report '" + report + "'");
    REQUIRE(r.exit_code == 0);
    const auto traffic = nlohmann::json::parse(read_file(report))["estimated_traffic_bytes"];
    const std::int64_t carried = traffic["carried_partial_sums_each_way"].get<std::int64_t>();
    CHECK(carried > 0);
    const auto stats = mapper == "simple" ? fast
                                          : run_stats(scratch, "tiny", "lenet_caffe",
                                                      small + " --mapper " + mapper);
    CHECK(stats["functional"]["matches_reference"] == true);
    const auto& noc = stats["noc"]["networks"];
    CHECK(noc["mesh"]["bytes"].get<std::int64_t>() ==
          traffic["activations"].get<std::int64_t>() + traffic["partial_sums"].get<std::int64_t>());
    // Down the fat tree and up the collection tree: inputs, outputs, the
    // carried sums each way, and the reconfiguration of rounds 1 on.
    CHECK(noc["fat_tree"]["bytes"].get<std::int64_t>() +
              noc["collection"]["bytes"].get<std::int64_t>() ==
          traffic["input"].get<std::int64_t>() + traffic["outputs"].get<std::int64_t>() +
              2 * carried + stats["programming"]["reprogramming_bytes"].get<std::int64_t>());
  }
}

TEST_CASE("cli: batch mode pipelines images through the chip at the slowest stage's rate",
          "[cli][e2e][batch]") {
  // Fig. 21 of 001: images stream through the layer pipeline. On LeNet-5 /
  // tiny.yaml C1 (one crossbar) is the slowest stage; once the pipeline is
  // full, an image leaves every C1 span (its first-to-last cycle for one
  // image), and the first image takes as long as a batch of one.
  Scratch scratch;
  const auto one = run_stats(scratch, "tiny", "lenet5");
  const auto four = run_stats(scratch, "tiny", "lenet5", "--batch 4");
  CHECK(four["functional"]["matches_reference"] == true);
  CHECK(four["batch"]["images"] == 4);
  const auto& done = four["batch"]["image_done_cycles"];
  REQUIRE(done.size() == 4);
  CHECK(done[0] == one["latency_cycles"]);
  const std::int64_t c1 = one["layers"][0]["cycles"].get<std::int64_t>();
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(done[i].get<std::int64_t>() - done[i - 1].get<std::int64_t>() == c1);
  }
  CHECK(four["batch"]["cycles_per_image"].get<double>() <
        one["batch"]["cycles_per_image"].get<double>());
  // Values: image 0 layer by layer, images 1..3 at the network output (10 each).
  CHECK(four["functional"]["compared_values"] == 8094 + 3 * 10);
}

TEST_CASE("cli: batch mode agrees in both modes and with rounds", "[cli][batch][fine]") {
  Scratch scratch;
  const auto fast = run_stats(scratch, "tiny", "lenet5", "--batch 3");
  const auto fine = run_stats(scratch, "tiny", "lenet5", "--batch 3 --fine-grained all");
  CHECK(fine["latency_cycles"] == fast["latency_cycles"]);
  CHECK(fine["batch"] == fast["batch"]);
  // Two rounds on 8 PEs: every image through round 0, then through round 1.
  const auto rounds = run_stats(
      scratch, "tiny", "lenet5",
      "--batch 3 --set chip.pe_grid.x=4 --set chip.pe_grid.y=2 --set chip.pes_per_group=8");
  CHECK(rounds["programming"]["rounds"] == 2);
  CHECK(rounds["functional"]["matches_reference"] == true);
}
