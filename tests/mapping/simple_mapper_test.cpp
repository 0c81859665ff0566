// The skeleton mapper: every weight placed exactly once, crossbar counts by
// closed form, programs covering every tile, and rounds when the chip is too
// small.
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

TEST_CASE("mapping: a layer larger than the chip takes rounds of its own, whole groups each",
          "[mapping]") {
  const auto arch = config("tiny");
  const auto network = net("lenet_caffe");
  const auto plan = mapping::map_simple(network, arch);
  // Hand count with 15 weights per crossbar row (tiny.yaml, 128 crossbars):
  // conv1 25x20 -> 1*2 and conv2 500x50 -> 8*4 fit round 0 with the pools;
  // ip1 800x500 -> 13*34 = 442 > 128 takes rounds of its own: its 34 output
  // groups of 13 row tiles, 9 to a round (117 crossbars): rounds 1..4 with
  // 9, 9, 9 and 7 groups; ip2 500x10 -> 8*1 follows in round 5.
  REQUIRE(plan.rounds == 6);
  const std::vector<int> first = {0, 0, 0, 0, 1, 5};
  const std::vector<int> last = {0, 0, 0, 0, 4, 5};
  for (std::size_t l = 0; l < first.size(); ++l) {
    CHECK(plan.layers[l].first_round == first[l]);
    CHECK(plan.layers[l].round == last[l]);
  }
  const auto& ip1 = plan.layers[4];
  REQUIRE(ip1.groups.size() == 34);
  std::vector<int> groups_per_round(6, 0);
  for (const auto& g : ip1.groups) {
    ++groups_per_round[std::size_t(g.round)];
    CHECK(g.tiles.size() == 13);  // whole: nothing carried
    CHECK_FALSE(g.carry_out);
    CHECK(g.carry_from == -1);
  }
  CHECK(groups_per_round == std::vector<int>{0, 9, 9, 9, 7, 0});
  // Each round starts on crossbar 0 again and holds at most the chip.
  CHECK(plan.tiles[std::size_t(ip1.groups[9].tiles.front())].pe == 0);
  CHECK(plan.tiles[std::size_t(ip1.groups[9].tiles.front())].crossbar == 0);
  CHECK(mapping::programmed_crossbars(plan) == 34 + 117 * 3 + 7 * 13 + 8);
}

TEST_CASE("mapping: a group taller than the chip is a chain carried across rounds", "[mapping]") {
  auto arch = config("tiny");
  arch.pe.cus = 1;
  arch.pe.crossbars_per_cu = 1;  // 16 crossbars of 64 rows x 15 weights
  const auto network = workloads::parse_network(
      "name: t\ninput: {h: 8, w: 8, c: 20}\nlayers:\n  - {name: f, type: fc, out: 20}\n", "t.yaml");
  const auto plan = mapping::map_simple(network, arch);
  // Hand: 1280 rows -> 20 row tiles, 20 outputs -> column tiles of 15 and 5.
  // Filling rounds of 16 crossbars in order: group 0's rows 0..15 (round 0),
  // its rows 16..19 and group 1's rows 0..11 (round 1), group 1's rows
  // 12..19 (round 2).
  REQUIRE(plan.rounds == 3);
  const auto& lp = plan.layers[0];
  CHECK(lp.first_round == 0);
  CHECK(lp.round == 2);
  struct Expect {
    std::int64_t col_begin, cols, first_row, tiles;
    int round, carry_from;
    bool carry_out;
  };
  const std::vector<Expect> expect = {{0, 15, 0, 16, 0, -1, true},
                                      {0, 15, 16 * 64, 4, 1, 0, false},
                                      {15, 5, 0, 12, 1, -1, true},
                                      {15, 5, 12 * 64, 8, 2, 2, false}};
  REQUIRE(lp.groups.size() == expect.size());
  for (std::size_t g = 0; g < expect.size(); ++g) {
    CAPTURE(g);
    const auto& group = lp.groups[g];
    CHECK(group.col_begin == expect[g].col_begin);
    CHECK(group.cols == expect[g].cols);
    CHECK(group.round == expect[g].round);
    CHECK(group.carry_from == expect[g].carry_from);
    CHECK(group.carry_out == expect[g].carry_out);
    REQUIRE(std::int64_t(group.tiles.size()) == expect[g].tiles);
    CHECK(plan.tiles[std::size_t(group.tiles.front())].row_begin == expect[g].first_row);
    // The reducer is the PE of the group's first tile, in its own round.
    CHECK(group.reducer_pe == plan.tiles[std::size_t(group.tiles.front())].pe);
  }
  CHECK(plan.tiles[std::size_t(lp.groups[2].tiles.front())].pe == 4);  // after 4 in round 1
  // Every weight once.
  std::map<std::pair<std::int64_t, std::int64_t>, int> covered;
  for (const auto& t : plan.tiles) {
    for (std::int64_t r = t.row_begin; r < t.row_begin + t.rows; ++r) {
      for (std::int64_t c = t.col_begin; c < t.col_begin + t.cols; ++c) ++covered[{r, c}];
    }
  }
  CHECK(covered.size() == 1280 * 20);
  CHECK(std::all_of(covered.begin(), covered.end(), [](const auto& e) { return e.second == 1; }));
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
