// From the mapping passes to a MappingPlan (docs/mapping.md, "From passes to
// a plan"): make_plan's tiles, groups and PEs, and map_network's mappers.
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/assign.hpp"
#include "reramsim/mapping/baselines.hpp"
#include "reramsim/mapping/mapper.hpp"
#include "reramsim/mapping/pack.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

using namespace reramsim;
using Catch::Matchers::Contains;
using mapping::CrossbarTile;
using mapping::LayerPlan;
using mapping::MappingPlan;
using mapping::OutputGroup;
using mapping::PartitionCandidate;
using mapping::PartitionDegrees;
using test::ceil_div;
using test::config;
using test::covers_exactly_once;
using test::net;
using test::overlap;
using test::Rect;

namespace {

PartitionCandidate ones(const workloads::Network& network) {
  PartitionCandidate c;
  c.degrees.assign(network.layers.size(), PartitionDegrees{});
  return c;
}

// What a plan promises about its tiles, checked from the network, the
// degrees and the architecture alone (independent of make_plan): every
// weight of every replica and bit group in exactly one tile; every tile
// OU-aligned inside its crossbar's non-reference columns, no two overlapping;
// the counts recomputed from the tiles.
void check_tiles(const MappingPlan& plan, const workloads::Network& network,
                 const arch::ArchConfig& arch, const PartitionCandidate& candidate) {
  REQUIRE(plan.layers.size() == network.layers.size());
  test::TileLayout layout = test::tile_layout(plan, arch);
  auto& copies = layout.copies;  // (operator[]: a copy without tiles shows as empty)
  std::size_t expected_copies = 0;
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const workloads::Layer& layer = network.layers[l];
    const LayerPlan& lp = plan.layers[l];
    const PartitionDegrees& d = candidate.degrees[l];
    CHECK(lp.layer == int(l));
    CHECK(lp.replicas == d.iw);
    CHECK(lp.bit_groups == d.ib);
    if (!layer.has_weights()) {
      CHECK(lp.tiles.empty());
      CHECK(lp.pes.size() == 1);
      continue;
    }
    const workloads::MatrixShape shape = workloads::lower(layer);
    CHECK(lp.shape.rows == shape.rows);
    CHECK(lp.shape.cols == shape.cols);
    CHECK(lp.sparse == !layer.pruned_outputs.empty());
    REQUIRE(std::int64_t(lp.kept_columns.size()) == shape.matrices);
    for (std::int64_t m = 0; m < shape.matrices; ++m) {
      const std::vector<std::int64_t> kept = workloads::kept_columns(layer, m);
      CHECK(lp.kept_columns[std::size_t(m)] == kept);
      for (int r = 0; r < d.iw; ++r) {
        for (int b = 0; b < d.ib; ++b) {
          ++expected_copies;
          INFO("layer " << l << " matrix " << m << " replica " << r << " bit group " << b);
          REQUIRE(covers_exactly_once(copies[{int(l), m, r, b}], shape.rows,
                                      std::int64_t(kept.size())));
        }
      }
    }
  }
  CHECK(copies.size() == expected_copies);  // no tile outside a layer's replicas and bit groups
  test::check_crossbar_use(plan, arch, layout);
}

void check_same_plan(const MappingPlan& a, const MappingPlan& b) {
  CHECK(a.mapper == b.mapper);
  CHECK(a.crossbars_used == b.crossbars_used);
  CHECK(a.shared_crossbars == b.shared_crossbars);
  CHECK(a.cells_used == b.cells_used);
  CHECK(a.reference_cells == b.reference_cells);
  CHECK(a.pes_used == b.pes_used);
  REQUIRE(a.tiles.size() == b.tiles.size());
  for (std::size_t i = 0; i < a.tiles.size(); ++i) {
    const CrossbarTile& x = a.tiles[i];
    const CrossbarTile& y = b.tiles[i];
    REQUIRE(std::tie(x.layer, x.matrix, x.row_begin, x.rows, x.col_begin, x.cols, x.pe, x.crossbar,
                     x.group, x.replica, x.bit_group, x.xbar_row, x.xbar_col) ==
            std::tie(y.layer, y.matrix, y.row_begin, y.rows, y.col_begin, y.cols, y.pe, y.crossbar,
                     y.group, y.replica, y.bit_group, y.xbar_row, y.xbar_col));
  }
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t l = 0; l < a.layers.size(); ++l) {
    const LayerPlan& x = a.layers[l];
    const LayerPlan& y = b.layers[l];
    CHECK(std::tie(x.layer, x.row_tiles, x.col_tiles, x.replicas, x.bit_groups, x.tiles, x.pes,
                   x.kept_columns, x.sparse) == std::tie(y.layer, y.row_tiles, y.col_tiles,
                                                         y.replicas, y.bit_groups, y.tiles, y.pes,
                                                         y.kept_columns, y.sparse));
    CHECK(std::tie(x.shape.matrices, x.shape.rows, x.shape.cols, x.shape.vectors) ==
          std::tie(y.shape.matrices, y.shape.rows, y.shape.cols, y.shape.vectors));
    REQUIRE(x.groups.size() == y.groups.size());
    for (std::size_t g = 0; g < x.groups.size(); ++g) {
      const OutputGroup& p = x.groups[g];
      const OutputGroup& q = y.groups[g];
      CHECK(std::tie(p.matrix, p.replica, p.col_begin, p.cols, p.reducer_pe, p.tiles) ==
            std::tie(q.matrix, q.replica, q.col_begin, q.cols, q.reducer_pe, q.tiles));
      // map_simple lists contributors in tile order, make_plan ascending.
      std::vector<int> pc = p.contributors;
      std::vector<int> qc = q.contributors;
      std::sort(pc.begin(), pc.end());
      std::sort(qc.begin(), qc.end());
      CHECK(pc == qc);
    }
  }
}

struct Case {
  const char* network;
  const char* config;
};

// The property cases: the brief's networks on the SPATEM chip, and a pruned
// one on the tiny chip.
const std::vector<Case> kCases = {
    {"lenet5", "spatem"}, {"deepid", "spatem"}, {"caffenet", "spatem"}, {"lenet5_pruned", "tiny"}};
const std::vector<std::string> kPassMappers = {"spatem", "isaac", "hitm"};

// pool on the input, conv, pool, pool, fc: a layer without weights fed by the
// network input, by a weighted layer and by another layer without weights.
workloads::Network small_chain() {
  return workloads::parse_network(
      "name: chain\ninput: {h: 16, w: 16, c: 1}\nlayers:\n"
      "  - {name: p0, type: pool, mode: max, kernel: 2, stride: 2}\n"
      "  - {name: c1, type: conv, kernel: 3, out: 4, activation: relu}\n"
      "  - {name: p1, type: pool, mode: max, kernel: 2, stride: 2}\n"
      "  - {name: p2, type: pool, mode: max, kernel: 3, stride: 1}\n"
      "  - {name: f1, type: fc, out: 10}\n",
      "chain.yaml");
}

// small_chain at degrees 1 (one block each for c1 and f1), one block per
// crossbar, c1's on PE c1_pe and f1's on PE f1_pe.
MappingPlan chain_plan(const arch::ArchConfig& arch, int c1_pe, int f1_pe) {
  const auto network = small_chain();
  const auto candidate = ones(network);
  mapping::Packing packing;
  packing.feasible = true;
  packing.blocks = mapping::make_blocks(network, arch, candidate);
  REQUIRE(packing.blocks.size() == 2);
  REQUIRE(packing.blocks[0].layer == 1);
  packing.crossbars = {{{mapping::BlockPlacement{0, 0, 0}}}, {{mapping::BlockPlacement{1, 0, 0}}}};
  mapping::Assignment assignment;
  assignment.slots = {{c1_pe, 0}, {f1_pe, 0}};
  return mapping::make_plan(network, arch, candidate, packing, assignment, "test");
}

}  // namespace

TEST_CASE("mapper: every weight is in one tile and no crossbar holds overlapping tiles",
          "[mapping][mapper]") {
  // Property, checked independently of make_plan (check_tiles).
  for (const Case& c : kCases) {
    const auto arch = config(c.config);
    const auto network = net(c.network);
    for (const std::string& m : kPassMappers) {
      INFO(c.network << " on " << c.config << " with " << m);
      const auto result = mapping::map_network(network, arch, m);
      CHECK(result.plan.mapper == m);
      CHECK(result.plan.tiles.size() == result.packing.blocks.size());
      CHECK(result.plan.crossbars_used == result.packing.crossbars_used());
      CHECK(result.plan.crossbars_used <= arch.total_crossbars());
      check_tiles(result.plan, network, arch, result.candidate);
    }
  }
}

TEST_CASE("mapper: each output group covers its columns over every row and bit group once",
          "[mapping][mapper]") {
  // Property. The cases include partitioned rows and columns and bit groups
  // (checked below, so that the property is not vacuous).
  bool split_rows = false;
  bool bit_groups = false;
  for (const Case& c : kCases) {
    const auto arch = config(c.config);
    const auto network = net(c.network);
    for (const std::string& m : kPassMappers) {
      INFO(c.network << " on " << c.config << " with " << m);
      const auto result = mapping::map_network(network, arch, m);
      const MappingPlan& plan = result.plan;
      for (std::size_t l = 0; l < network.layers.size(); ++l) {
        const LayerPlan& lp = plan.layers[l];
        if (!network.layers[l].has_weights()) continue;
        const workloads::MatrixShape shape = workloads::lower(network.layers[l]);
        split_rows = split_rows || result.candidate.degrees[l].hwm > 1;
        bit_groups = bit_groups || lp.bit_groups > 1;
        std::vector<int> grouped;
        // Per (matrix, replica), the column ranges of its groups in order.
        std::map<std::pair<std::int64_t, int>, std::vector<std::pair<std::int64_t, std::int64_t>>>
            columns;
        for (std::size_t g = 0; g < lp.groups.size(); ++g) {
          const OutputGroup& group = lp.groups[g];
          if (g > 0) {
            const OutputGroup& prev = lp.groups[g - 1];
            REQUIRE(std::tie(prev.matrix, prev.replica, prev.col_begin) <
                    std::tie(group.matrix, group.replica, group.col_begin));
          }
          columns[{group.matrix, group.replica}].emplace_back(group.col_begin,
                                                              group.col_begin + group.cols);
          // Bit group by bit group, the row ranges follow each other from 0 to K.
          std::vector<std::int64_t> next_row(std::size_t(lp.bit_groups), 0);
          int last_bit_group = 0;
          for (int t : group.tiles) {
            const CrossbarTile& tile = plan.tiles[std::size_t(t)];
            REQUIRE(tile.layer == int(l));
            REQUIRE(tile.group == int(g));
            REQUIRE(std::tie(tile.matrix, tile.replica, tile.col_begin, tile.cols) ==
                    std::tie(group.matrix, group.replica, group.col_begin, group.cols));
            REQUIRE(tile.bit_group >= last_bit_group);
            last_bit_group = tile.bit_group;
            REQUIRE(tile.row_begin == next_row[std::size_t(tile.bit_group)]);
            next_row[std::size_t(tile.bit_group)] += tile.rows;
            grouped.push_back(t);
          }
          for (std::int64_t end : next_row) REQUIRE(end == shape.rows);
        }
        for (std::int64_t mtx = 0; mtx < shape.matrices; ++mtx) {
          for (int r = 0; r < lp.replicas; ++r) {
            const auto& ranges = columns[{mtx, r}];
            std::int64_t next = 0;
            for (const auto& [begin, end] : ranges) {
              REQUIRE(begin == next);
              next = end;
            }
            REQUIRE(next == std::int64_t(lp.kept_columns[std::size_t(mtx)].size()));
          }
        }
        std::sort(grouped.begin(), grouped.end());
        std::vector<int> tiles = lp.tiles;
        std::sort(tiles.begin(), tiles.end());
        REQUIRE(grouped == tiles);  // every tile in exactly one group of its layer
      }
    }
  }
  CHECK(split_rows);
  CHECK(bit_groups);
}

TEST_CASE("mapper: the reducer holds a group's first tile, the contributors its other PEs",
          "[mapping][mapper]") {
  // Property, recomputed with a set per group.
  for (const Case& c : kCases) {
    const auto arch = config(c.config);
    const auto network = net(c.network);
    for (const std::string& m : kPassMappers) {
      INFO(c.network << " on " << c.config << " with " << m);
      const MappingPlan plan = mapping::map_network(network, arch, m).plan;
      for (const LayerPlan& lp : plan.layers) {
        std::set<int> layer_pes;
        for (const OutputGroup& g : lp.groups) {
          REQUIRE_FALSE(g.tiles.empty());
          REQUIRE(g.reducer_pe == plan.tiles[std::size_t(g.tiles.front())].pe);
          std::set<int> others;
          for (int t : g.tiles) others.insert(plan.tiles[std::size_t(t)].pe);
          layer_pes.insert(others.begin(), others.end());
          others.erase(g.reducer_pe);
          REQUIRE(g.contributors == std::vector<int>(others.begin(), others.end()));
        }
        if (!lp.groups.empty()) {
          REQUIRE(lp.pes == std::vector<int>(layer_pes.begin(), layer_pes.end()));
        }
      }
    }
  }
}

TEST_CASE("mapper: make_plan places a partitioned layer's blocks as packed and assigned, by hand",
          "[mapping][mapper]") {
  // LeNet-5 on tiny.yaml with C3 (K = 150, N = 16; 64-row crossbars, 15
  // weights a row) at degrees (2, 2, 1, 2), every other layer at 1. By hand:
  // row parts [0, 75) and [75, 150), cut at 64 rows: 0+64, 64+11, 75+64,
  // 139+11; column parts [0, 8) and [8, 16), one piece each; two bit groups.
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  PartitionCandidate candidate = ones(network);
  const int c3 = network.find("C3");
  candidate.degrees[std::size_t(c3)] = {2, 2, 1, 2};
  const auto packing = mapping::pack(network, arch, candidate);
  REQUIRE(packing.feasible);
  const auto assignment = mapping::assign(packing, arch);
  const MappingPlan plan =
      mapping::make_plan(network, arch, candidate, packing, assignment, "hand");
  CHECK(plan.mapper == "hand");

  const LayerPlan& lp = plan.layers[std::size_t(c3)];
  CHECK(lp.replicas == 1);
  CHECK(lp.bit_groups == 2);
  CHECK(lp.row_tiles == 4);
  CHECK(lp.col_tiles == 2);
  CHECK(lp.tiles.size() == 16);
  REQUIRE(lp.groups.size() == 2);
  const std::vector<std::tuple<int, std::int64_t, std::int64_t>> rows = {
      {0, 0, 64}, {0, 64, 11}, {0, 75, 64}, {0, 139, 11},
      {1, 0, 64}, {1, 64, 11}, {1, 75, 64}, {1, 139, 11}};
  for (std::size_t g = 0; g < 2; ++g) {
    const OutputGroup& group = lp.groups[g];
    CHECK(group.matrix == 0);
    CHECK(group.replica == 0);
    CHECK(group.col_begin == std::int64_t(8 * g));
    CHECK(group.cols == 8);
    REQUIRE(group.tiles.size() == rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const CrossbarTile& t = plan.tiles[std::size_t(group.tiles[k])];
      CHECK(std::make_tuple(t.bit_group, t.row_begin, t.rows) == rows[k]);
    }
  }

  // Every tile sits where the packing placed its block, on the physical
  // crossbar the assignment gave that virtual crossbar.
  std::map<std::tuple<int, std::int64_t, int, int, std::int64_t, std::int64_t>, int> tile_of;
  for (std::size_t i = 0; i < plan.tiles.size(); ++i) {
    const CrossbarTile& t = plan.tiles[i];
    tile_of[{t.layer, t.matrix, t.replica, t.bit_group, t.row_begin, t.col_begin}] = int(i);
  }
  REQUIRE(tile_of.size() == packing.blocks.size());
  for (std::size_t x = 0; x < packing.crossbars.size(); ++x) {
    for (const auto& p : packing.crossbars[x].blocks) {
      const auto& b = packing.blocks[std::size_t(p.block)];
      const CrossbarTile& t = plan.tiles[std::size_t(
          tile_of.at({b.layer, b.matrix, b.iw, b.ib, b.row_begin, b.col_begin}))];
      CHECK(t.rows == b.rows);
      CHECK(t.cols == b.cols);
      CHECK(t.pe == assignment.slots[x].pe);
      CHECK(t.crossbar == assignment.slots[x].crossbar);
      CHECK(t.xbar_row == p.row);
      CHECK(t.xbar_col == p.col);
    }
  }
}

TEST_CASE("mapper: layers without weights take the free PE nearest their input's reducer",
          "[mapping][mapper]") {
  // By hand, on tiny.yaml's 4 x 4 mesh (PE = y * 4 + x) with c1 on PE 5
  // (1, 1) and f1 on PE 6: p0 reads the network input, so PE 0 (free,
  // distance 0); p1 reads c1, whose reducer is PE 5: PEs 1, 4, 6, 9 are one
  // hop away, 6 is f1's, 1 is the lowest id; p2 reads p1 (PE 1): 0 is p0's, 5
  // c1's, so 2.
  auto arch = config("tiny");
  MappingPlan plan = chain_plan(arch, 5, 6);
  CHECK(plan.layers[0].pes == std::vector<int>{0});
  CHECK(plan.layers[1].pes == std::vector<int>{5});
  CHECK(plan.layers[2].pes == std::vector<int>{1});
  CHECK(plan.layers[3].pes == std::vector<int>{2});
  CHECK(plan.layers[4].pes == std::vector<int>{6});
  CHECK(plan.pes_used == 5);

  // Three PEs in a row, c1 on PE 1, f1 on PE 2: p0 takes the free PE 0, then
  // none is left: p1 runs on c1's reducer, PE 1, and p2 on p1's PE.
  arch.chip.pe_x = 3;
  arch.chip.pe_y = 1;
  plan = chain_plan(arch, 1, 2);
  CHECK(plan.layers[0].pes == std::vector<int>{0});
  CHECK(plan.layers[2].pes == std::vector<int>{1});
  CHECK(plan.layers[3].pes == std::vector<int>{1});
  CHECK(plan.pes_used == 3);
}

TEST_CASE("mapper: isaac on LeNet-5 replicates the layers as isaac_replication does",
          "[mapping][mapper]") {
  // By hand (docs/mapping-baselines.md and baselines_test): C1 117 replicas,
  // C3 100 (its windows), the fc layers 1, 323 crossbars of tiles; and the
  // same as isaac_replication's degrees for every layer.
  const auto arch = config("spatem");
  const auto network = net("lenet5");
  const auto result = mapping::map_network(network, arch, "isaac");
  const auto isaac = mapping::isaac_replication(network, arch, arch.total_crossbars());
  const std::vector<std::pair<std::string, int>> by_hand = {
      {"C1", 117}, {"C3", 100}, {"C5", 1}, {"F6", 1}, {"OUT", 1}};
  for (const auto& [name, replicas] : by_hand) {
    INFO(name);
    const LayerPlan& lp = result.plan.layers[std::size_t(network.find(name))];
    CHECK(lp.replicas == replicas);
    CHECK(lp.bit_groups == 1);
  }
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    CHECK(result.plan.layers[l].replicas == isaac.degrees[l].iw);
    CHECK(result.candidate.degrees[l] == isaac.degrees[l]);
  }
  CHECK(result.plan.tiles.size() == 323);
  // C1 (25 rows, 6 columns): one tile, hence one group, a replica.
  const LayerPlan& c1 = result.plan.layers[std::size_t(network.find("C1"))];
  CHECK(c1.groups.size() == 117);
  CHECK(c1.row_tiles == 1);
  CHECK(c1.col_tiles == 1);
}

TEST_CASE("mapper: simple gives map_simple's plan", "[mapping][mapper]") {
  // Independent: map_simple itself, compared field by field.
  for (const Case& c :
       std::vector<Case>{{"lenet5", "tiny"}, {"lenet5_pruned", "tiny"}, {"caffenet", "spatem"}}) {
    INFO(c.network << " on " << c.config);
    const auto arch = config(c.config);
    const auto network = net(c.network);
    const auto result = mapping::map_network(network, arch, "simple");
    check_same_plan(result.plan, mapping::map_simple(network, arch));
    CHECK(result.candidate.degrees == ones(network).degrees);
    // The packing map_simple amounts to: a crossbar per tile.
    CHECK(result.packing.feasible);
    CHECK(result.packing.blocks.size() == result.plan.tiles.size());
    CHECK(result.packing.crossbars_used() == result.plan.crossbars_used);
    CHECK(result.packing.cells_used == result.plan.cells_used);
    CHECK(result.candidates_tried == 1);
  }
}

namespace {
// The longest a crossbar of a packing is busy when its blocks take turns:
// per block, its windows x input cycles x OU steps (OU rows over its rows,
// OU columns over its weight and reference columns), summed per crossbar.
// An independent count of what the SPATEM mapper weighs a packing by.
std::int64_t busiest_shared_crossbar(const workloads::Network& network,
                                     const arch::ArchConfig& arch,
                                     const mapping::Packing& packing) {
  std::int64_t longest = 0;
  for (const auto& xbar : packing.crossbars) {
    std::int64_t busy = 0;
    for (const auto& placed : xbar.blocks) {
      const auto& b = packing.blocks[std::size_t(placed.block)];
      const std::int64_t windows = workloads::lower(network.layers[std::size_t(b.layer)]).vectors;
      busy += windows * arch.input_cycles() * ceil_div(b.rows, arch.crossbar.ou.rows) *
              ceil_div(b.physical_cols + arch.reference_columns(), arch.crossbar.ou.cols) *
              arch.latency.ou_step;
    }
    longest = std::max(longest, busy);
  }
  return longest;
}
}  // namespace

TEST_CASE("mapper: SPATEM runs DeepFace in rounds, faster than its packed single round",
          "[mapping][mapper]") {
  // DeepFace needs 42,310 crossbars at one tile each (partition_test), more
  // than spatem.yaml's 16,128, so the partitioner has no candidate; degrees 1
  // packs onto the chip only with blocks sharing crossbars (pack_test,
  // "DeepFace with degrees 1 ..."), where they take turns: some crossbar
  // runs more than a million cycles of blocks, against the rounds' estimate
  // (every round mapped by SPATEM, reprogramming included), so SPATEM takes
  // the simple mapper's rounds.
  const auto arch = config("spatem");
  const auto network = net("deepface");
  const auto simple = mapping::map_simple(network, arch);
  CHECK(simple.rounds > 1);
  CHECK(mapping::map_network(network, arch, "simple").plan.rounds == simple.rounds);
  const auto packed = mapping::pack(network, arch, ones(network), arch.total_crossbars());
  REQUIRE(packed.feasible);
  REQUIRE(std::int64_t(packed.blocks.size()) > packed.crossbars_used());
  const auto result = mapping::map_network(network, arch, "spatem");
  CHECK(result.rounds_fallback);
  CHECK(result.plan.rounds == simple.rounds);
  CHECK(result.candidate.latency < busiest_shared_crossbar(network, arch, packed));
  CHECK(busiest_shared_crossbar(network, arch, packed) > 1000000);
  check_tiles(result.plan, network, arch, result.candidate);
}

TEST_CASE("mapper: SPATEM keeps a packed single round when rounds would cost more",
          "[mapping][mapper]") {
  // On tiny.yaml (128 crossbars of 64 rows x 15 weights), fc 8 -> 1800 is
  // 120 tiles of 8 rows and fc 1800 -> 8 is 29 tiles of 64 rows: 149 > 128
  // one per crossbar, so only degrees 1 packed fits, f1's blocks 8 to a
  // crossbar. Taking turns costs such a crossbar 8 blocks x 8 input cycles x
  // 1 x 8 OU steps = 512 cycles, while a second round for f2 costs its
  // weights down the fat tree (1800 x 8 x 8 bits over 16-bit links = 7,200
  // cycles) before its 64 rows are written at 100 cycles each.
  const auto arch = config("tiny");
  const auto network = workloads::parse_network(
      "name: wide\ninput: {h: 1, w: 1, c: 8}\nlayers:\n"
      "  - {name: f1, type: fc, out: 1800}\n  - {name: f2, type: fc, out: 8}\n",
      "wide.yaml");
  const auto result = mapping::map_network(network, arch, "spatem");
  CHECK_FALSE(result.rounds_fallback);
  CHECK(result.plan.rounds == 1);
  CHECK(std::int64_t(result.plan.tiles.size()) > result.plan.crossbars_used);
  check_tiles(result.plan, network, arch, result.candidate);
}

TEST_CASE("mapper: mapping twice gives the same plan", "[mapping][mapper]") {
  const auto arch = config("spatem");
  const auto network = net("deepid");
  for (const std::string& m : kPassMappers) {
    INFO(m);
    check_same_plan(mapping::map_network(network, arch, m).plan,
                    mapping::map_network(network, arch, m).plan);
  }
}

TEST_CASE("mapper: an unknown mapper name is refused with the valid names", "[mapping][mapper]") {
  CHECK(mapping::mapper_names() ==
        std::vector<std::string>{"simple", "spatem", "isaac", "hitm", "local", "folding"});
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  CHECK_THROWS_AS(mapping::map_network(network, arch, "greedy"), std::invalid_argument);
  CHECK_THROWS_WITH(
      mapping::map_network(network, arch, "greedy"),
      Contains("'greedy'") && Contains("simple, spatem, isaac, hitm, local, folding"));
}

TEST_CASE("mapper: a network too large for the chip runs in rounds, every mapper",
          "[mapping][mapper]") {
  // LeNet-5 on tiny.yaml shrunk to 64 crossbars (77 needed at one copy per
  // layer): every mapper takes the simple mapper's two rounds (C1..C5 with
  // 63 crossbars, then F6 and OUT with 14), then maps each round's layers
  // with the whole chip, so the replicating mappers copy or split layers
  // into the crossbars one copy leaves idle (round 0's last one fits a copy
  // of C1; F6 and OUT have one window, so only SPATEM can split them).
  auto small = config("tiny");
  small.chip.pe_x = 4;
  small.chip.pe_y = 2;
  const auto network = net("lenet5");
  for (const std::string& m : mapping::mapper_names()) {
    INFO(m);
    const auto result = mapping::map_network(network, small, m);
    const auto& plan = result.plan;
    CHECK(plan.rounds == 2);
    CHECK(result.rounds_fallback == (m != "simple"));
    const std::vector<int> rounds = {0, 0, 0, 0, 0, 1, 1};
    for (std::size_t l = 0; l < rounds.size(); ++l) CHECK(plan.layers[l].round == rounds[l]);
    check_tiles(plan, network, small, result.candidate);
    std::vector<std::int64_t> tiles_per_round(2, 0);
    for (const auto& t : plan.tiles) ++tiles_per_round[std::size_t(mapping::tile_round(plan, t))];
    if (m == "simple") {
      CHECK(tiles_per_round == std::vector<std::int64_t>{63, 14});
    } else {
      CHECK(tiles_per_round[0] + tiles_per_round[1] > 77);  // a copy or a split more
    }
    CHECK(mapping::programmed_crossbars(plan) <= 2 * 64);
  }
}

TEST_CASE("mapper: layers larger than the chip run in rounds of their own, every mapper",
          "[mapping][mapper]") {
  // OverFeat-fast on tiny.yaml (128 crossbars of 64 rows x 15 weights): the
  // layers needing more than the chip alone, by the lowered shapes
  // (matrices x ceil(K / 64) x ceil(kept / 15)), each take rounds holding no
  // other layer; a group taller than the chip (fc6's 36,864 rows: 576 row
  // tiles, against 128) is a chain carried across rounds.
  const auto arch = config("tiny");
  const auto network = net("overfeat_fast");
  std::vector<std::int64_t> needs;
  for (const auto& layer : network.layers) {
    if (!layer.has_weights()) {
      needs.push_back(0);
      continue;
    }
    const auto shape = workloads::lower(layer);
    needs.push_back(shape.matrices * ceil_div(shape.rows, 64) * ceil_div(shape.cols, 15));
  }
  for (const std::string& m : mapping::mapper_names()) {
    INFO(m);
    const auto result = mapping::map_network(network, arch, m);
    const auto& plan = result.plan;
    CHECK(result.rounds_fallback == (m != "simple"));
    std::vector<std::int64_t> per_round(std::size_t(plan.rounds), 0);
    for (const auto& t : plan.tiles) ++per_round[std::size_t(mapping::tile_round(plan, t))];
    CHECK(*std::max_element(per_round.begin(), per_round.end()) <= 128);
    bool carried = false;
    for (std::size_t l = 0; l < network.layers.size(); ++l) {
      const auto& lp = plan.layers[l];
      CAPTURE(network.layers[l].name);
      if (needs[l] <= 128) {
        CHECK(lp.first_round == lp.round);
        continue;
      }
      CHECK(lp.first_round < lp.round);
      for (std::size_t o = 0; o < network.layers.size(); ++o) {
        if (o == l) continue;
        const auto& other = plan.layers[o];
        CHECK((other.round < lp.first_round || other.first_round > lp.round));
      }
      for (const auto& g : lp.groups) {
        if (g.carry_from >= 0) {
          carried = true;
          const auto& from = lp.groups[std::size_t(g.carry_from)];
          CHECK(from.carry_out);
          CHECK(from.round < g.round);
          CHECK(from.col_begin == g.col_begin);
        }
      }
    }
    CHECK(carried);
  }
}

TEST_CASE("mapper: make_plan refuses a packing and assignment that do not belong together",
          "[mapping][mapper]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto candidate = ones(network);
  const auto packing = mapping::pack(network, arch, candidate);
  const auto assignment = mapping::assign(packing, arch);
  REQUIRE_NOTHROW(mapping::make_plan(network, arch, candidate, packing, assignment, "x"));

  PartitionCandidate short_candidate = candidate;
  short_candidate.degrees.pop_back();
  CHECK_THROWS_AS(mapping::make_plan(network, arch, short_candidate, packing, assignment, "x"),
                  std::invalid_argument);
  mapping::Packing infeasible = packing;
  infeasible.feasible = false;
  CHECK_THROWS_AS(mapping::make_plan(network, arch, candidate, infeasible, assignment, "x"),
                  std::invalid_argument);
  mapping::Assignment fewer = assignment;
  fewer.slots.pop_back();
  CHECK_THROWS_AS(mapping::make_plan(network, arch, candidate, packing, fewer, "x"),
                  std::invalid_argument);
  mapping::Packing unplaced = packing;
  unplaced.crossbars.back().blocks.pop_back();
  CHECK_THROWS_AS(mapping::make_plan(network, arch, candidate, unplaced, assignment, "x"),
                  std::invalid_argument);
  // The packing of other degrees: C3's blocks have bit groups degrees 1 lack.
  PartitionCandidate split = candidate;
  split.degrees[std::size_t(network.find("C3"))] = {1, 1, 1, 2};
  const auto other = mapping::pack(network, arch, split);
  CHECK_THROWS_AS(
      mapping::make_plan(network, arch, candidate, other, mapping::assign(other, arch), "x"),
      std::invalid_argument);
}
