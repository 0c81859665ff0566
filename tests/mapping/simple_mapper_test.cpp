// The skeleton mapper: every weight placed exactly once, crossbar counts by
// closed form, programs covering every tile, and a clear error when the chip
// is too small.
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/mapping/program.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

using namespace reramsim;
using test::config;
using test::net;

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

TEST_CASE("mapping: every weight of LeNet-5 is placed exactly once", "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  // Count how often each (layer, matrix, row, col) is covered by a tile.
  std::map<std::tuple<int, std::int64_t, std::int64_t, std::int64_t>, int> covered;
  for (const auto& t : plan.tiles) {
    for (std::int64_t r = t.row_begin; r < t.row_begin + t.rows; ++r) {
      for (std::int64_t c = t.col_begin; c < t.col_begin + t.cols; ++c) {
        ++covered[{t.layer, t.matrix, r, c}];
      }
    }
  }
  CHECK(std::int64_t(covered.size()) == network.total_weights());
  for (const auto& [key, count] : covered) REQUIRE(count == 1);
  // Cells: each weight occupies weight_slices cells (8-bit weights in 2-bit
  // cells: 4), and each tile's rows one reference cell (offset scheme).
  std::int64_t tile_rows = 0;
  for (const auto& t : plan.tiles) tile_rows += t.rows;
  CHECK(plan.reference_cells == tile_rows);
  CHECK(plan.cells_used == network.total_weights() * 4 + tile_rows);
}

TEST_CASE("mapping: crossbars used follow the tiling closed form", "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  // Tiles of 64 rows x 15 weights ((64 columns - 1 reference) / 4 slices);
  // hand-derived per layer: C1 25x6 -> 1, C3 150x16 -> 3*2 = 6, C5 400x120 ->
  // 7*8 = 56, F6 120x84 -> 2*6 = 12, OUT 84x10 -> 2. Total 77.
  CHECK(plan.crossbars_used == 1 + 6 + 56 + 12 + 2);
  std::int64_t expected = 0;
  for (const auto& l : network.layers) {
    if (!l.has_weights()) continue;
    const auto m = workloads::lower(l);
    expected += m.matrices * ceil_div(m.rows, 64) * ceil_div(m.cols, 15);
  }
  CHECK(plan.crossbars_used == expected);
}

TEST_CASE("mapping: with PEs enough, every layer starts on a PE of its own", "[mapping]") {
  const auto arch = config("tiny");  // 16 PEs of 8 crossbars
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  // Hand count: C1 1 crossbar -> 1 PE, C3 6 -> 1, C5 56 -> 7, F6 12 -> 2,
  // OUT 2 -> 1: 12 PEs, and S2, S4 one each: 14 of 16.
  CHECK(plan.pes_used == 14);
  for (std::size_t a = 0; a < plan.layers.size(); ++a) {
    for (std::size_t b = a + 1; b < plan.layers.size(); ++b) {
      for (int pe : plan.layers[a].pes) {
        const auto& other = plan.layers[b].pes;
        CHECK(std::find(other.begin(), other.end(), pe) == other.end());
      }
    }
  }
}

TEST_CASE("mapping: without PEs enough, tiles fill PEs in order", "[mapping]") {
  auto arch = config("tiny");
  arch.chip.pe_x = 5;
  arch.chip.pe_y = 2;  // 10 PEs, 80 crossbars: 77 fit, 12 aligned PEs do not
  const auto plan = mapping::map_simple(net("lenet5"), arch);
  CHECK(plan.pes_used == int(ceil_div(77, arch.pe.crossbars())));
  // S2 runs on the PE of C1's tile.
  CHECK(plan.layers[1].pes == plan.layers[0].pes);
}

TEST_CASE("mapping: no crossbar holds two tiles", "[mapping]") {
  const auto arch = config("re-reram");
  const auto plan = mapping::map_simple(net("resnet18"), arch);
  std::set<std::pair<int, int>> used;
  for (const auto& t : plan.tiles) {
    CHECK(t.rows <= arch.crossbar.rows);
    CHECK(t.cols * arch.weight_columns() + arch.reference_columns() <= arch.crossbar.cols);
    CHECK(used.insert({t.pe, t.crossbar}).second);
  }
}

TEST_CASE("mapping: programs give every tile and output group one owner", "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  workloads::QuantizedNetwork qnet;  // shifts 0, no BatchNorm: enough for the structure
  qnet.layers.resize(network.layers.size());
  const auto programs = mapping::make_programs(network, arch, plan, qnet);
  std::map<int, int> tile_mvms;  // plan tile -> R-type instructions
  // (layer, group) -> destinations of its outputs (N.local to a PE, or the
  // dispatch unit by N.coll), with the sending PE.
  std::map<std::pair<int, int>, std::multiset<int>> destinations;
  std::map<std::pair<int, int>, std::set<int>> senders;
  for (std::size_t pe = 0; pe < programs.size(); ++pe) {
    const auto& program = programs[pe];
    if (program.code.empty()) continue;
    CHECK(isa::mnemonic(program.code.back()) == "C.halt");
    for (const auto& instruction : program.code) {
      // Every instruction fits its encoding (the ISA is the contract).
      CHECK(isa::decode(isa::encode(instruction)) == instruction);
      if (instruction.category == isa::Category::r) {
        const auto& d = program.table.at(instruction.desc);
        REQUIRE(d.kind == mapping::Descriptor::Kind::tile);
        CHECK(plan.tiles[std::size_t(d.tile)].pe == int(pe));
        CHECK(int(instruction.index) == plan.tiles[std::size_t(d.tile)].crossbar);
        ++tile_mvms[d.tile];
      }
      if (instruction.category != isa::Category::n || instruction.recv == 1) continue;
      const auto& d = program.table.at(instruction.io_ch);
      if (d.partial) continue;  // partial sums to a reducer
      destinations[{d.layer, d.group}].insert(int(instruction.des));
      senders[{d.layer, d.group}].insert(int(pe));
    }
  }
  CHECK(tile_mvms.size() == plan.tiles.size());
  for (const auto& [t, n] : tile_mvms) CHECK(n == 1);
  // Each output group of a weighted layer (each other layer) is sent by one
  // PE, once to every PE running a layer that reads it; the last layer's go
  // to the dispatch unit (endpoint 511) instead.
  std::size_t expected = 0;
  for (std::size_t l = 0; l < plan.layers.size(); ++l) {
    const std::size_t groups = network.layers[l].has_weights() ? plan.layers[l].groups.size() : 1;
    expected += groups;
    std::multiset<int> readers;
    if (l + 1 < plan.layers.size()) {  // LeNet-5 is a chain
      for (int pe : plan.layers[l + 1].pes) readers.insert(pe);
    } else {
      readers.insert(int(isa::kDispatchEndpoint));
    }
    for (std::size_t g = 0; g < groups; ++g) {
      const int group = network.layers[l].has_weights() ? int(g) : -1;
      CHECK(destinations[{int(l), group}] == readers);
      CHECK(senders[{int(l), group}].size() == 1);
    }
  }
  CHECK(destinations.size() == expected);
}

TEST_CASE("mapping: a layer larger than the chip is refused with the counts", "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet_caffe");
  // Hand count with 15 weights per crossbar row: conv1 25x20 -> 1*2; conv2
  // 500x50 -> 8*4; ip1 800x500 -> 13*34 = 442 > 128 even in a round alone.
  REQUIRE_THROWS_WITH(mapping::map_simple(network, arch),
                      network.file +
                          ": layer 'ip1' needs 442 crossbars with one tile per "
                          "crossbar, but " +
                          arch.file + " has 128 (even alone, in a round of its own)");
}

TEST_CASE("mapping: a network larger than the chip runs in rounds", "[mapping]") {
  auto arch = config("tiny");
  arch.chip.pe_x = 4;
  arch.chip.pe_y = 2;  // 64 crossbars; LeNet-5 needs 77
  const auto plan = mapping::map_simple(net("lenet5"), arch);
  // Hand: C1 1 + C3 6 + C5 56 = 63 fit round 0 (with S2, S4); F6's 12 would
  // make 75, so F6 and OUT (2) form round 1, starting on crossbar 0 again.
  REQUIRE(plan.rounds == 2);
  const std::vector<int> rounds = {0, 0, 0, 0, 0, 1, 1};
  for (std::size_t l = 0; l < rounds.size(); ++l) CHECK(plan.layers[l].round == rounds[l]);
  CHECK(plan.tiles[std::size_t(plan.layers[5].tiles.front())].pe == 0);
  CHECK(plan.tiles[std::size_t(plan.layers[5].tiles.front())].crossbar == 0);
  CHECK(plan.crossbars_used == 63);  // distinct crossbars holding a tile in any round
}

TEST_CASE("mapping: pruned layers use the indexing filter's sparse R-type form", "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5_pruned");
  const auto plan = mapping::map_simple(network, arch);
  workloads::QuantizedNetwork qnet;
  qnet.layers.resize(network.layers.size());
  const auto programs = mapping::make_programs(network, arch, plan, qnet);
  std::map<std::string, std::set<std::uint32_t>> sparse_by_layer;
  for (const auto& program : programs) {
    for (const auto& instruction : program.code) {
      if (instruction.category != isa::Category::r) continue;
      const auto& d = program.table.at(instruction.desc);
      sparse_by_layer[network.layers[std::size_t(d.layer)].name].insert(instruction.sparse);
    }
  }
  // lenet5_pruned.yaml prunes C3 and C5 only.
  CHECK(sparse_by_layer["C1"] == std::set<std::uint32_t>{0});
  CHECK(sparse_by_layer["C3"] == std::set<std::uint32_t>{1});
  CHECK(sparse_by_layer["C5"] == std::set<std::uint32_t>{1});
}

TEST_CASE("mapping: a convolution runs as a loop over its output rows, arithmetic one row behind",
          "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  workloads::QuantizedNetwork qnet;
  qnet.layers.resize(network.layers.size());
  const auto programs = mapping::make_programs(network, arch, plan, qnet);
  // C1 (28 x 28 outputs) is alone on its PE: receive, R.conv, then lagged
  // requantization, ReLU and the send to S2's PE, all in a 28-part loop.
  const auto& code = programs[std::size_t(plan.layers[0].pes.front())].code;
  std::vector<std::string> text;
  for (const auto& i : code) text.push_back(isa::mnemonic(i));
  const std::vector<std::string> expected = {"C.loop",  "N.dist", "R.conv",  "C.lag",
                                             "A.shift", "A.relu", "N.local", "C.halt"};
  CHECK(text == expected);
  CHECK(code[0].src == 28);                                         // parts
  CHECK(code[0].des == 6);                                          // body length
  CHECK(code[3].src == 1);                                          // lag
  CHECK(code[6].des == std::uint32_t(plan.layers[1].pes.front()));  // to S2
}
