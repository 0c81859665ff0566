// The simple mapper on pruned layers: only kept columns are tiled, so pruned
// output channels take no crossbars and no cells.
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"

using namespace reramsim;
using test::config;
using test::net;

namespace {
const mapping::LayerPlan& plan_of(const mapping::MappingPlan& plan,
                                  const workloads::Network& network, const std::string& name) {
  const int index = network.find(name);
  REQUIRE(index >= 0);
  return plan.layers[std::size_t(index)];
}
}  // namespace

TEST_CASE("mapping: lenet5_pruned takes fewer crossbars than lenet5, by hand count",
          "[mapping][pruned]") {
  const auto arch = config("tiny");
  REQUIRE(arch.weights_per_row() == 15);  // (64 columns - 1 reference) / 4 slices
  const auto dense_net = net("lenet5");
  const auto pruned_net = net("lenet5_pruned");
  const auto dense = mapping::map_simple(dense_net, arch);
  const auto pruned = mapping::map_simple(pruned_net, arch);
  // 64-row x 15-weight tiles. C3 150 rows -> 3 row tiles x ceil(8 kept / 15)
  // = 1 -> 3 (dense 3 x 2 = 6); C5 400 rows -> 7 x ceil(60 / 15) = 4 -> 28
  // (dense 7 x 8 = 56). C1 1, F6 12 and OUT 2 as in lenet5: 1 + 3 + 28 + 12 +
  // 2 = 46 (dense 77).
  CHECK(dense.crossbars_used == 77);
  CHECK(pruned.crossbars_used == 46);
  const auto& c3 = plan_of(pruned, pruned_net, "C3");
  const auto& c5 = plan_of(pruned, pruned_net, "C5");
  CHECK(c3.tiles.size() == 3);
  CHECK(c3.row_tiles == 3);
  CHECK(c3.col_tiles == 1);
  CHECK(c5.tiles.size() == 28);
  CHECK(c5.row_tiles == 7);
  CHECK(c5.col_tiles == 4);
  CHECK(plan_of(dense, dense_net, "C3").tiles.size() == 6);
  CHECK(plan_of(dense, dense_net, "C5").tiles.size() == 56);
  // C5's kept columns: 60 split 15 + 15 + 15 + 15 over four output groups.
  REQUIRE(c5.groups.size() == 4);
  for (std::size_t g = 0; g < 4; ++g) {
    CHECK(c5.groups[g].col_begin == std::int64_t(g) * 15);
    CHECK(c5.groups[g].cols == 15);
  }
  CHECK(c3.sparse);
  CHECK(c5.sparse);
  CHECK_FALSE(plan_of(pruned, pruned_net, "C1").sparse);
  CHECK_FALSE(plan_of(pruned, pruned_net, "F6").sparse);
  CHECK_FALSE(plan_of(dense, dense_net, "C5").sparse);
  // Kept column k of C3 is channel 2k (the odd channels are pruned).
  REQUIRE(c3.kept_columns.size() == 1);
  REQUIRE(c3.kept_columns[0].size() == 8);
  for (std::int64_t k = 0; k < 8; ++k) CHECK(c3.column(0, k) == 2 * k);
  CHECK(c5.column(0, 59) == 118);
}

TEST_CASE("mapping: every kept weight of lenet5_pruned is placed once and no pruned one",
          "[mapping][pruned]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5_pruned");
  const auto plan = mapping::map_simple(network, arch);
  std::map<std::tuple<int, std::int64_t, std::int64_t, std::int64_t>, int> covered;
  for (const auto& t : plan.tiles) {
    const auto& lp = plan.layers[std::size_t(t.layer)];
    for (std::int64_t r = t.row_begin; r < t.row_begin + t.rows; ++r) {
      for (std::int64_t k = t.col_begin; k < t.col_begin + t.cols; ++k) {
        const std::int64_t col = lp.column(t.matrix, k);
        const auto& pruned = network.layers[std::size_t(t.layer)].pruned_outputs;
        // Every lenet5 weighted layer is ungrouped, so the column is the channel.
        REQUIRE_FALSE(std::binary_search(pruned.begin(), pruned.end(), int(col)));
        ++covered[{t.layer, t.matrix, r, col}];
      }
    }
  }
  std::int64_t kept_weights = 0;
  for (const auto& l : network.layers) kept_weights += l.kept_weights();
  CHECK(kept_weights == 36270);  // tests/workloads: by hand from the layer tables
  CHECK(std::int64_t(covered.size()) == kept_weights);
  for (const auto& [key, count] : covered) REQUIRE(count == 1);
  // Cells: 4 per kept weight (8-bit weights in 2-bit cells) plus one reference
  // cell per tile row (offset scheme).
  std::int64_t tile_rows = 0;
  for (const auto& t : plan.tiles) tile_rows += t.rows;
  CHECK(plan.reference_cells == tile_rows);
  CHECK(plan.cells_used == kept_weights * 4 + tile_rows);
}

TEST_CASE("mapping: unpruned layers' kept columns are all their columns", "[mapping][pruned]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    const auto& lp = plan.layers[li];
    CHECK_FALSE(lp.sparse);
    if (!network.layers[li].has_weights()) {
      CHECK(lp.kept_columns.empty());
      continue;
    }
    REQUIRE(std::int64_t(lp.kept_columns.size()) == lp.shape.matrices);
    for (std::int64_t m = 0; m < lp.shape.matrices; ++m) {
      REQUIRE(std::int64_t(lp.kept_columns[std::size_t(m)].size()) == lp.shape.cols);
      for (std::int64_t k = 0; k < lp.shape.cols; ++k) CHECK(lp.column(m, k) == k);
    }
  }
}

TEST_CASE("mapping: a grouped conv pruned unevenly tiles each group's kept columns",
          "[mapping][pruned]") {
  const auto arch = config("tiny");
  // 4x4x8 input, 1x1 conv, out 40 in 2 groups of 20 columns x 4 rows. Group 0
  // loses 10 channels (0..9) -> 10 kept -> 1 tile; group 1 loses 4 (20..23)
  // -> 16 kept -> ceil(16 / 15) = 2 tiles of 15 and 1 columns.
  const auto network = workloads::parse_network(
      "name: t\ninput: {h: 4, w: 4, c: 8}\nlayers:\n"
      "  - {name: a, type: conv, kernel: 1, out: 40, groups: 2,\n"
      "     pruned_outputs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23]}\n",
      "t.yaml");
  const auto plan = mapping::map_simple(network, arch);
  const auto& lp = plan.layers[0];
  CHECK(plan.crossbars_used == 3);
  CHECK(lp.col_tiles == 2);  // the most any group needs
  REQUIRE(lp.groups.size() == 3);
  CHECK(lp.groups[0].matrix == 0);
  CHECK(lp.groups[0].cols == 10);
  CHECK(lp.groups[1].matrix == 1);
  CHECK(lp.groups[1].cols == 15);
  CHECK(lp.groups[2].matrix == 1);
  CHECK(lp.groups[2].col_begin == 15);
  CHECK(lp.groups[2].cols == 1);
  // Group 0's kept columns are 10..19; group 1's 4..19 (channels 24..39).
  CHECK(lp.column(0, 0) == 10);
  CHECK(lp.column(1, 0) == 4);
  CHECK(lp.column(1, 15) == 19);
  // Cells: 4 rows x (26 kept x 4 slices + 1 reference per tile x 3 tiles).
  CHECK(plan.cells_used == 4 * (26 * 4 + 3));
}

TEST_CASE("mapping: the crossbar budget counts kept columns only", "[mapping][pruned]") {
  const auto arch = config("tiny");
  REQUIRE(arch.total_crossbars() == 128);
  // fc 640 inputs x 300 outputs: 10 row tiles x ceil(300 / 15) = 20 -> 200
  // crossbars dense, more than tiny's 128; with 180 outputs pruned, 120 kept
  // -> 10 x 8 = 80 fit.
  std::string pruned_list;
  for (int c = 0; c < 180; ++c) pruned_list += (c ? ", " : "") + std::to_string(c);
  const std::string head = "name: t\ninput: {h: 8, w: 8, c: 10}\nlayers:\n";
  const auto dense =
      workloads::parse_network(head + "  - {name: f, type: fc, out: 300}\n", "t.yaml");
  const auto sparse = workloads::parse_network(
      head + "  - {name: f, type: fc, out: 300, pruned_outputs: [" + pruned_list + "]}\n",
      "t.yaml");
  // Dense, its 20 groups of 10 row tiles take two rounds (12 groups, then 8).
  CHECK(mapping::map_simple(dense, arch).rounds == 2);
  const auto plan = mapping::map_simple(sparse, arch);
  CHECK(plan.rounds == 1);
  CHECK(plan.crossbars_used == 80);
}
