// The assigning step (docs/mapping.md, "Assigning step"): shared data, the
// merge of virtual crossbars into CUs and PEs, and the placement on the mesh.
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/assign.hpp"
#include "reramsim/mapping/pack.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/workloads/network.hpp"

using namespace reramsim;
using mapping::MvmBlock;
using mapping::PartitionCandidate;
using mapping::PartitionDegrees;
using test::config;
using test::net;

namespace {

MvmBlock block(int layer, int ib, std::int64_t row_begin, std::int64_t rows, std::int64_t col_begin,
               std::int64_t cols) {
  MvmBlock b;
  b.layer = layer;
  b.ib = ib;
  b.row_begin = row_begin;
  b.rows = rows;
  b.col_begin = col_begin;
  b.cols = cols;
  b.physical_cols = cols;
  return b;
}

// A packing by hand: one block per virtual crossbar, in the given order.
mapping::Packing one_per_crossbar(const std::vector<MvmBlock>& blocks) {
  mapping::Packing p;
  p.feasible = true;
  p.budget = std::int64_t(blocks.size());
  p.blocks = blocks;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    p.crossbars.push_back({{mapping::BlockPlacement{int(i), 0, 0}}});
  }
  return p;
}

PartitionCandidate ones(const workloads::Network& network) {
  PartitionCandidate c;
  c.degrees.assign(network.layers.size(), PartitionDegrees{});
  return c;
}

// The assignment's promises, checked against the packing and the chip: one
// distinct physical crossbar per virtual crossbar, CUs and PEs within their
// sizes and consistent with the slots, one virtual PE per physical PE, and
// the shared-data totals recomputed pair by pair with shared_data.
void check_assignment(const mapping::Assignment& a, const mapping::Packing& packing,
                      const arch::ArchConfig& arch) {
  const std::size_t n = packing.crossbars.size();
  REQUIRE(a.slots.size() == n);
  std::set<std::pair<int, int>> slots;
  for (const auto& s : a.slots) {
    REQUIRE(s.pe >= 0);
    REQUIRE(s.pe < arch.chip.pes());
    REQUIRE(s.crossbar >= 0);
    REQUIRE(s.crossbar < arch.pe.crossbars());
    REQUIRE(slots.insert({s.pe, s.crossbar}).second);
  }
  std::vector<int> in_cu(n, 0);
  for (const auto& cu : a.cus) {
    REQUIRE_FALSE(cu.empty());
    REQUIRE(int(cu.size()) <= arch.pe.crossbars_per_cu);
    for (int x : cu) ++in_cu[std::size_t(x)];
  }
  for (int k : in_cu) REQUIRE(k == 1);
  REQUIRE(a.pe_of.size() == a.pes.size());
  std::set<int> physical;
  std::int64_t shared_in_cus = 0;
  std::int64_t shared_in_pes = 0;
  std::vector<int> cu_seen(a.cus.size(), 0);
  for (std::size_t v = 0; v < a.pes.size(); ++v) {
    REQUIRE(physical.insert(a.pe_of[v]).second);
    REQUIRE(int(a.pes[v].size()) <= arch.pe.cus);
    std::vector<std::pair<int, std::size_t>> members;  // (crossbar, CU position)
    for (std::size_t k = 0; k < a.pes[v].size(); ++k) {
      const auto& cu = a.cus[std::size_t(a.pes[v][k])];
      ++cu_seen[std::size_t(a.pes[v][k])];
      for (std::size_t s = 0; s < cu.size(); ++s) {
        const auto& slot = a.slots[std::size_t(cu[s])];
        CHECK(slot.pe == a.pe_of[v]);
        CHECK(slot.crossbar == int(k) * arch.pe.crossbars_per_cu + int(s));
        members.emplace_back(cu[s], k);
      }
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = i + 1; j < members.size(); ++j) {
        const std::int64_t d = mapping::shared_data(packing, members[i].first, members[j].first);
        (members[i].second == members[j].second ? shared_in_cus : shared_in_pes) += d;
      }
    }
  }
  for (int k : cu_seen) REQUIRE(k == 1);
  CHECK(a.shared_in_cus == shared_in_cus);
  CHECK(a.shared_in_pes == shared_in_pes);
}

}  // namespace

TEST_CASE("assigning: shared data of two blocks by hand", "[mapping][assign]") {
  // Same layer, matrix and iw replica: rows in common (inputs) plus columns
  // in common (outputs); ib replicas share both.
  const MvmBlock a = block(3, 0, 0, 20, 0, 10);
  CHECK(mapping::shared_data(a, block(3, 1, 0, 20, 0, 10)) == 30);   // an ib replica
  CHECK(mapping::shared_data(a, block(3, 0, 20, 20, 0, 10)) == 10);  // the next row piece
  CHECK(mapping::shared_data(a, block(3, 0, 0, 20, 10, 5)) == 20);   // the next column piece
  CHECK(mapping::shared_data(a, block(3, 0, 10, 20, 5, 10)) == 15);  // partial overlaps: 10 + 5
  CHECK(mapping::shared_data(a, block(3, 0, 20, 20, 10, 5)) == 0);   // nothing in common
  CHECK(mapping::shared_data(a, block(4, 0, 0, 20, 0, 10)) == 0);    // another layer
  MvmBlock other_window = block(3, 0, 0, 20, 0, 10);
  other_window.iw = 1;
  CHECK(mapping::shared_data(a, other_window) == 0);  // other input windows, other outputs
  MvmBlock other_matrix = block(3, 0, 0, 20, 0, 10);
  other_matrix.matrix = 1;
  CHECK(mapping::shared_data(a, other_matrix) == 0);
}

TEST_CASE("assigning: crossbars join the CU they share the most data with, by hand",
          "[mapping][assign]") {
  // tiny.yaml: 4 crossbars per CU, 2 CUs per PE. Virtual crossbars (one block
  // each; layer, ib, rows, columns):
  //   X0 layer 0 ib 0 rows 0..19  cols 0..9
  //   X1 layer 1
  //   X2 layer 0 ib 0 rows 20..39 cols 0..9   shares 10 with X0
  //   X3 layer 0 ib 1 rows 0..19  cols 0..9   30 with X0, 10 with X2
  //   X4 layer 2
  //   X5 layer 0 ib 1 rows 20..39 cols 0..9   10 with X0, 30 with X2, 10 with X3
  // Rank (layer, matrix, iw, cols, ib, rows): X0, X2, X3, X5, X1, X4.
  // CU0 starts at X0; gains X2 10, X3 30, X5 10: X3 joins (+30); X2 and X5
  // reach 20, tie, X2 ranks first (+20); X5 reaches 50 (+50). CU0 = X0, X3,
  // X2, X5 with 100 shared, and X1 waits although it was opened earlier.
  // CU1 = X1, X4 (nothing shared, rank order). Both CUs on PE 0.
  const auto arch = config("tiny");
  const auto packing = one_per_crossbar({block(0, 0, 0, 20, 0, 10), block(1, 0, 0, 20, 0, 10),
                                         block(0, 0, 20, 20, 0, 10), block(0, 1, 0, 20, 0, 10),
                                         block(2, 0, 0, 20, 0, 10), block(0, 1, 20, 20, 0, 10)});
  const auto a = mapping::assign(packing, arch);
  check_assignment(a, packing, arch);
  REQUIRE(a.cus.size() == 2);
  CHECK(a.cus[0] == std::vector<int>{0, 3, 2, 5});
  CHECK(a.cus[1] == std::vector<int>{1, 4});
  CHECK(a.shared_in_cus == 100);
  CHECK(a.shared_in_pes == 0);
  REQUIRE(a.pes.size() == 1);
  CHECK(a.pe_of == std::vector<int>{0});
  const int expected_slot[] = {0, 4, 2, 1, 5, 3};
  for (int x = 0; x < 6; ++x) {
    CAPTURE(x);
    CHECK(a.slots[std::size_t(x)].pe == 0);
    CHECK(a.slots[std::size_t(x)].crossbar == expected_slot[x]);
  }
}

TEST_CASE("assigning: unrelated virtual PEs take the PEs nearest PE 0", "[mapping][assign]") {
  // 40 crossbars of 40 layers: nothing shared, so 10 CUs and 5 virtual PEs in
  // rank (layer) order. On tiny.yaml's 4 x 4 mesh (PE p at (p mod 4, p div
  // 4)) by Manhattan distance to PE 0, then id: 0; 1, 4; 2, 5, 8; ...
  const auto arch = config("tiny");
  std::vector<MvmBlock> blocks;
  for (int layer = 39; layer >= 0; --layer) blocks.push_back(block(layer, 0, 0, 8, 0, 8));
  const auto packing = one_per_crossbar(blocks);
  const auto a = mapping::assign(packing, arch);
  check_assignment(a, packing, arch);
  CHECK(a.pe_of == std::vector<int>{0, 1, 4, 2, 5});
  // The first CU holds layers 0..3, i.e. the last four crossbars given.
  CHECK(a.cus[0] == std::vector<int>{39, 38, 37, 36});
  CHECK(a.shared_in_cus == 0);
}

TEST_CASE("assigning: a virtual PE goes next to the PE it shares data with", "[mapping][assign]") {
  // tiny.yaml. Crossbars of layers 0..7 (one each, unrelated), then twelve
  // row pieces of layer 8's output group (rows 16k..16k+15, columns 0..9;
  // each pair shares its 10 columns), then layers 9..12.
  //   CUs: layers 0-3; 4-7; pieces 0-3; 4-7; 8-11; layers 9-12.
  //   PEs: vPE0 = the first two CUs; vPE1 = pieces 0-3 + pieces 4-7 (the
  //   CU sharing the most, 4 x 4 x 10 = 160, ties to the earlier); vPE2 =
  //   pieces 8-11 + layers 9-12.
  //   vPE0 at PE 0; vPE1 shares nothing with it: PE 1, the nearest PE 0.
  //   vPE2 shares 8 x 4 x 10 = 320 with vPE1 at PE 1 = (1, 0): PE 2 = (2, 0)
  //   and PE 5 = (1, 1) are one hop away, both 2 from PE 0: PE 2 by id.
  //   (Unrelated, it would have taken PE 4.)
  const auto arch = config("tiny");
  std::vector<MvmBlock> blocks;
  for (int layer = 0; layer < 8; ++layer) blocks.push_back(block(layer, 0, 0, 8, 0, 8));
  for (int k = 0; k < 12; ++k) blocks.push_back(block(8, 0, 16 * k, 16, 0, 10));
  for (int layer = 9; layer < 13; ++layer) blocks.push_back(block(layer, 0, 0, 8, 0, 8));
  const auto packing = one_per_crossbar(blocks);
  const auto a = mapping::assign(packing, arch);
  check_assignment(a, packing, arch);
  REQUIRE(a.cus.size() == 6);
  CHECK(a.cus[2] == std::vector<int>{8, 9, 10, 11});
  CHECK(a.cus[3] == std::vector<int>{12, 13, 14, 15});
  CHECK(a.cus[4] == std::vector<int>{16, 17, 18, 19});
  REQUIRE(a.pes.size() == 3);
  CHECK(a.pes[1] == std::vector<int>{2, 3});
  CHECK(a.pes[2] == std::vector<int>{4, 5});
  CHECK(a.pe_of == std::vector<int>{0, 1, 2});
  // Pairs inside a CU: three CUs of 4 pieces, 6 pairs x 10 each; between
  // the CUs of vPE1: 16 pairs x 10.
  CHECK(a.shared_in_cus == 3 * 6 * 10);
  CHECK(a.shared_in_pes == 16 * 10);
}

TEST_CASE("assigning: packed networks get distinct physical crossbars, deterministically",
          "[mapping][assign]") {
  const auto tiny = config("tiny");
  const auto spatem = config("spatem");
  const auto lenet5 = net("lenet5");
  const auto deepface = net("deepface");
  const auto caffenet = net("caffenet");
  const std::vector<std::pair<mapping::Packing, const arch::ArchConfig*>> cases = {
      {mapping::pack(lenet5, tiny, ones(lenet5)), &tiny},
      {mapping::pack(deepface, spatem, ones(deepface)), &spatem},
      {mapping::pack_first_fitting(caffenet, spatem,
                                   mapping::partition(caffenet, spatem, spatem.total_crossbars()))
           .packing,
       &spatem}};
  for (const auto& [packing, arch] : cases) {
    REQUIRE(packing.feasible);
    const auto a = mapping::assign(packing, *arch);
    check_assignment(a, packing, *arch);
    // As few PEs as the crossbars need: every CU but the last is full, and
    // every PE but the last.
    const std::int64_t per_pe = arch->pe.crossbars();
    CHECK(std::int64_t(a.pes.size()) == (packing.crossbars_used() + per_pe - 1) / per_pe);
    const auto again = mapping::assign(packing, *arch);
    CHECK(again.pe_of == a.pe_of);
    CHECK(again.cus == a.cus);
    for (std::size_t x = 0; x < a.slots.size(); ++x) {
      REQUIRE(again.slots[x].pe == a.slots[x].pe);
      REQUIRE(again.slots[x].crossbar == a.slots[x].crossbar);
    }
  }
}

TEST_CASE("assigning: infeasible, oversized or irregularly cut packings are rejected",
          "[mapping][assign]") {
  const auto arch = config("tiny");
  auto packing = one_per_crossbar({block(0, 0, 0, 8, 0, 8)});
  packing.feasible = false;
  CHECK_THROWS_AS(mapping::assign(packing, arch), std::invalid_argument);
  std::vector<MvmBlock> blocks;
  for (int layer = 0; layer <= 128; ++layer) blocks.push_back(block(layer, 0, 0, 8, 0, 8));
  CHECK_THROWS_AS(mapping::assign(one_per_crossbar(blocks), arch), std::invalid_argument);
  // Rows 0..19 and 10..29 of one matrix: not cut on one grid.
  CHECK_THROWS_AS(
      mapping::assign(one_per_crossbar({block(0, 0, 0, 20, 0, 8), block(0, 0, 10, 20, 8, 8)}),
                      arch),
      std::invalid_argument);
}
