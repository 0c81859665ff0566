// Re-ReRAM's local mapping (docs/mapping.md, "Re-ReRAM mappings: local
// mapping with Algorithms 2 and 3"): Algorithm 3's allocation (reallocate,
// next_degrees), Algorithm 2's placement (serpentine_pe, local_assignment)
// and map_network("local").
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/baselines.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/mapping/mapper.hpp"
#include "reramsim/mapping/pack.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/mapping/rereram.hpp"
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
using mapping::ReallocationMove;
using mapping::ReallocationStop;
using test::config;
using test::covers_exactly_once;
using test::net;
using test::overlap;
using test::Rect;

namespace {

// ---- An independent replay of Algorithm 3 (only the latency model is shared).

// Per weighted layer (lower_network order): its problem and current degrees.
struct Replay {
  std::vector<mapping::MvmProblem> problems;
  std::vector<PartitionDegrees> degrees;

  std::int64_t stage(std::size_t l, const PartitionDegrees& d, const arch::ArchConfig& arch) const {
    return mapping::stage_time(mapping::layer_latency(problems[l], d, arch));
  }
  std::int64_t slowest(const arch::ArchConfig& arch) const {
    std::int64_t s = 0;
    for (std::size_t l = 0; l < problems.size(); ++l) s = std::max(s, stage(l, degrees[l], arch));
    return s;
  }
  std::int64_t demand(const std::vector<PartitionDegrees>& ds, const arch::ArchConfig& arch) const {
    std::int64_t sum = 0;
    for (std::size_t l = 0; l < problems.size(); ++l) {
      sum += mapping::crossbar_demand(problems[l], ds[l], arch);
    }
    return sum;
  }
  std::int64_t latency(const std::vector<PartitionDegrees>& ds,
                       const arch::ArchConfig& arch) const {
    std::vector<mapping::LayerLatency> ls;
    for (std::size_t l = 0; l < problems.size(); ++l) {
      ls.push_back(mapping::layer_latency(problems[l], ds[l], arch));
    }
    return mapping::pipelined_latency(ls);
  }
  std::size_t index_of(int layer) const {
    for (std::size_t l = 0; l < problems.size(); ++l) {
      if (problems[l].layer == layer) return l;
    }
    FAIL("layer " << layer << " is not weighted");
    return 0;
  }
};

Replay start(const workloads::Network& network, const arch::ArchConfig& arch) {
  Replay r;
  r.problems = mapping::lower_network(network, arch);
  r.degrees.assign(r.problems.size(), PartitionDegrees{});
  return r;
}

// The move by its definition, searched without useful_degrees: iw doubled
// (capped at V) if that lowers the stage; the smallest integer hwm above the
// current one lowering it (a larger degree with the same part size has the
// same compute and more pieces, so the smallest lowering one is a useful
// degree anyway).
bool brute_move(const Replay& r, std::size_t l, ReallocationMove move, const arch::ArchConfig& arch,
                PartitionDegrees& next) {
  const PartitionDegrees& d = r.degrees[l];
  const std::int64_t now = r.stage(l, d, arch);
  if (move == ReallocationMove::double_iw) {
    if (d.iw >= r.problems[l].vectors) return false;
    next = d;
    next.iw = int(std::min<std::int64_t>(2 * d.iw, r.problems[l].vectors));
    return r.stage(l, next, arch) < now;
  }
  for (std::int64_t h = d.hwm + 1; h <= r.problems[l].rows; ++h) {
    next = d;
    next.hwm = int(h);
    if (r.stage(l, next, arch) < now) return true;
  }
  return false;
}

// Whether a whole move (every slowest layer) would be accepted from r.
bool move_accepted(const Replay& r, ReallocationMove move, std::int64_t budget,
                   const arch::ArchConfig& arch) {
  const std::int64_t slowest = r.slowest(arch);
  std::vector<PartitionDegrees> next = r.degrees;
  bool any = false;
  for (std::size_t l = 0; l < r.problems.size(); ++l) {
    if (r.stage(l, r.degrees[l], arch) != slowest) continue;
    if (!brute_move(r, l, move, arch, next[l])) return false;
    any = true;
  }
  return any && r.demand(next, arch) <= budget &&
         r.latency(next, arch) < r.latency(r.degrees, arch);
}

// Replays the trace from S0, checking every step against the rules, and
// the end: the candidate is the last state and neither move is accepted.
void check_reallocation(const mapping::Reallocation& result, const workloads::Network& network,
                        const arch::ArchConfig& arch, std::int64_t budget) {
  Replay r = start(network, arch);
  CHECK(result.initial_crossbars == r.demand(r.degrees, arch));
  CHECK(result.initial_latency == r.latency(r.degrees, arch));
  CHECK(result.initial_slowest == r.slowest(arch));
  for (std::size_t s = 0; s < result.steps.size(); ++s) {
    const mapping::ReallocationStep& step = result.steps[s];
    INFO("step " << s << " " << mapping::to_string(step.move));
    const std::int64_t slowest = r.slowest(arch);
    const std::int64_t before = r.latency(r.degrees, arch);
    CHECK(step.slowest_before == slowest);
    CHECK(step.latency_before == before);
    // Exactly the then-slowest layers, each by the step's move.
    std::set<int> expected;
    for (std::size_t l = 0; l < r.problems.size(); ++l) {
      if (r.stage(l, r.degrees[l], arch) == slowest) expected.insert(r.problems[l].layer);
    }
    std::set<int> changed;
    std::int64_t added = 0;
    std::vector<PartitionDegrees> next = r.degrees;
    for (const mapping::LayerReallocation& c : step.layers) {
      changed.insert(c.layer);
      const std::size_t l = r.index_of(c.layer);
      PartitionDegrees want;
      REQUIRE(brute_move(r, l, step.move, arch, want));
      CHECK(c.before == r.degrees[l]);
      CHECK(c.after == want);
      CHECK(c.stage_before == slowest);
      CHECK(c.stage_after == r.stage(l, want, arch));
      CHECK(c.stage_after < c.stage_before);
      const std::int64_t more = mapping::crossbar_demand(r.problems[l], want, arch) -
                                mapping::crossbar_demand(r.problems[l], r.degrees[l], arch);
      CHECK(c.crossbars_added == more);
      added += more;
      next[l] = want;
    }
    CHECK(changed == expected);
    CHECK(step.layers.size() == expected.size());
    // The doubling comes first: a row split only when it was refused.
    if (step.move == ReallocationMove::split_rows) {
      CHECK_FALSE(move_accepted(r, ReallocationMove::double_iw, budget, arch));
    }
    r.degrees = next;
    CHECK(step.crossbars_added == added);
    CHECK(step.crossbars == r.demand(r.degrees, arch));
    CHECK(step.crossbars <= budget);
    CHECK(step.latency == r.latency(r.degrees, arch));
    CHECK(step.latency < before);
    CHECK(step.slowest_after == r.slowest(arch));
  }
  // The candidate is the last state, with the partitioner's bookkeeping.
  REQUIRE(result.candidate.degrees.size() == network.layers.size());
  Replay s0 = start(network, arch);
  std::int64_t reduction = 0;
  for (std::size_t l = 0; l < r.problems.size(); ++l) {
    CHECK(result.candidate.degrees[std::size_t(r.problems[l].layer)] == r.degrees[l]);
    reduction += mapping::layer_latency(s0.problems[l], PartitionDegrees{}, arch).total -
                 mapping::layer_latency(r.problems[l], r.degrees[l], arch).total;
  }
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    if (!network.layers[l].has_weights()) CHECK(result.candidate.degrees[l] == PartitionDegrees{});
  }
  CHECK(result.candidate.crossbars == r.demand(r.degrees, arch));
  CHECK(result.candidate.crossbars <= budget);
  CHECK(result.candidate.latency == r.latency(r.degrees, arch));
  CHECK(result.candidate.latency_reduction == reduction);
  // It stopped because neither move helps the slowest layers any more.
  CHECK_FALSE(move_accepted(r, ReallocationMove::double_iw, budget, arch));
  CHECK_FALSE(move_accepted(r, ReallocationMove::split_rows, budget, arch));
}

// ---- Placement helpers.

int mesh_distance(int a, int b, int pe_x) {
  return std::abs(a % pe_x - b % pe_x) + std::abs(a / pe_x - b / pe_x);
}

// The serpentine position of a PE, inverted by hand: row y walks left to
// right when even, right to left when odd.
int walk_position(int pe, const arch::ArchConfig& arch) {
  const int x = pe % arch.chip.pe_x;
  const int y = pe / arch.chip.pe_x;
  return y * arch.chip.pe_x + (y % 2 == 0 ? x : arch.chip.pe_x - 1 - x);
}

arch::ArchConfig grid(const arch::ArchConfig& base, int x, int y) {
  arch::ArchConfig a = base;
  a.chip.pe_x = x;
  a.chip.pe_y = y;
  return a;
}

// A block of `layer` at (matrix 0, iw 0, ib 0), row piece `row`.
mapping::MvmBlock block(int layer, std::int64_t row) {
  mapping::MvmBlock b;
  b.layer = layer;
  b.row_begin = row * 8;
  b.rows = 8;
  b.cols = 1;
  b.physical_cols = 4;
  return b;
}

// A packing of `counts[l]` one-block crossbars for layer l, opened in
// reverse order (so that the ranking, not the opening order, decides).
mapping::Packing hand_packing(const std::vector<int>& counts) {
  mapping::Packing p;
  p.feasible = true;
  for (std::size_t l = 0; l < counts.size(); ++l) {
    for (int k = 0; k < counts[l]; ++k) p.blocks.push_back(block(int(l), k));
  }
  for (int i = int(p.blocks.size()) - 1; i >= 0; --i) {
    p.crossbars.push_back({{mapping::BlockPlacement{i, 0, 0}}});
  }
  return p;
}

// The slot of the k-th block of hand_packing (block k sits in crossbar n-1-k).
mapping::CrossbarSlot slot_of(const mapping::Assignment& a, std::size_t k) {
  return a.slots[a.slots.size() - 1 - k];
}

// Distinct slots inside the chip, and cus / pes / pe_of describing them.
void check_slots(const mapping::Assignment& a, const mapping::Packing& packing,
                 const arch::ArchConfig& arch) {
  REQUIRE(a.slots.size() == packing.crossbars.size());
  std::set<std::pair<int, int>> seen;
  for (const mapping::CrossbarSlot& s : a.slots) {
    REQUIRE(s.pe >= 0);
    REQUIRE(s.pe < arch.chip.pes());
    REQUIRE(s.crossbar >= 0);
    REQUIRE(s.crossbar < arch.pe.crossbars());
    CHECK(seen.insert({s.pe, s.crossbar}).second);
  }
  std::set<int> in_cus;
  std::int64_t shared_cus = 0;
  std::int64_t shared_pes = 0;
  REQUIRE(a.pes.size() == a.pe_of.size());
  for (std::size_t v = 0; v < a.pes.size(); ++v) {
    std::vector<int> members;
    for (int cu : a.pes[v]) {
      const std::vector<int>& xs = a.cus[std::size_t(cu)];
      for (std::size_t i = 0; i < xs.size(); ++i) {
        CHECK(a.slots[std::size_t(xs[i])].pe == a.pe_of[v]);
        CHECK(a.slots[std::size_t(xs[i])].crossbar / arch.pe.crossbars_per_cu ==
              a.slots[std::size_t(xs.front())].crossbar / arch.pe.crossbars_per_cu);
        CHECK(in_cus.insert(xs[i]).second);
        for (std::size_t j = i + 1; j < xs.size(); ++j) {
          shared_cus += mapping::shared_data(packing, xs[i], xs[j]);
        }
        for (int m : members) shared_pes += mapping::shared_data(packing, m, xs[i]);
      }
      members.insert(members.end(), xs.begin(), xs.end());
    }
  }
  CHECK(in_cus.size() == a.slots.size());
  CHECK(a.shared_in_cus == shared_cus);
  CHECK(a.shared_in_pes == shared_pes);
  CHECK(std::set<int>(a.pe_of.begin(), a.pe_of.end()).size() == a.pe_of.size());
}

// ---- Plan checks (in part those of mapper_test.cpp's check_tiles; the rectangle helpers are
// shared in mapping_test_util.hpp).

void check_plan(const MappingPlan& plan, const workloads::Network& network,
                const arch::ArchConfig& arch, const PartitionCandidate& candidate) {
  REQUIRE(plan.layers.size() == network.layers.size());
  test::TileLayout layout = test::tile_layout(plan, arch);
  auto& copies = layout.copies;  // (operator[]: a copy without tiles shows as empty)
  std::size_t expected_copies = 0;
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const workloads::Layer& layer = network.layers[l];
    const LayerPlan& lp = plan.layers[l];
    const PartitionDegrees& d = candidate.degrees[l];
    CHECK(lp.replicas == d.iw);
    CHECK(lp.bit_groups == d.ib);
    if (!layer.has_weights()) {
      CHECK(lp.tiles.empty());
      CHECK(lp.pes.size() == 1);
      continue;
    }
    const workloads::MatrixShape shape = workloads::lower(layer);
    for (std::int64_t m = 0; m < shape.matrices; ++m) {
      const auto kept = std::int64_t(workloads::kept_columns(layer, m).size());
      for (int r = 0; r < d.iw; ++r) {
        for (int b = 0; b < d.ib; ++b) {
          ++expected_copies;
          INFO("layer " << l << " matrix " << m << " replica " << r << " bit group " << b);
          REQUIRE(covers_exactly_once(copies[{int(l), m, r, b}], shape.rows, kept));
        }
      }
    }
    // Groups: each copy's columns tiled in order, every bit group's rows
    // from 0 to K, the reducer on the first tile.
    std::map<std::pair<std::int64_t, int>, std::int64_t> next_col;
    for (std::size_t g = 0; g < lp.groups.size(); ++g) {
      const OutputGroup& group = lp.groups[g];
      std::int64_t& col = next_col[{group.matrix, group.replica}];
      CHECK(group.col_begin == col);
      col += group.cols;
      REQUIRE_FALSE(group.tiles.empty());
      CHECK(group.reducer_pe == plan.tiles[std::size_t(group.tiles.front())].pe);
      std::vector<std::int64_t> next_row(std::size_t(lp.bit_groups), 0);
      std::set<int> others;
      for (int t : group.tiles) {
        const CrossbarTile& tile = plan.tiles[std::size_t(t)];
        REQUIRE(tile.group == int(g));
        REQUIRE(std::tie(tile.matrix, tile.replica, tile.col_begin, tile.cols) ==
                std::tie(group.matrix, group.replica, group.col_begin, group.cols));
        REQUIRE(tile.row_begin == next_row[std::size_t(tile.bit_group)]);
        next_row[std::size_t(tile.bit_group)] += tile.rows;
        if (tile.pe != group.reducer_pe) others.insert(tile.pe);
      }
      for (std::int64_t rows : next_row) CHECK(rows == shape.rows);
      CHECK(group.contributors == std::vector<int>(others.begin(), others.end()));
    }
  }
  CHECK(copies.size() == expected_copies);
  test::check_crossbar_use(plan, arch, layout);
}

// Each weighted layer's PEs are a run of consecutive positions of the
// serpentine walk, and each starts where the previous weighted layer ends or
// on the next PE of the walk (adjacent on the mesh).
void check_layer_groups(const MappingPlan& plan, const workloads::Network& network,
                        const arch::ArchConfig& arch) {
  int previous_last = -1;
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    if (!network.layers[l].has_weights()) continue;
    std::vector<int> walk;
    for (int pe : plan.layers[l].pes) walk.push_back(walk_position(pe, arch));
    std::sort(walk.begin(), walk.end());
    REQUIRE_FALSE(walk.empty());
    INFO("layer " << network.layers[l].name);
    CHECK(walk.back() - walk.front() + 1 == int(walk.size()));
    if (previous_last >= 0) {
      CHECK((walk.front() == previous_last || walk.front() == previous_last + 1));
      CHECK(mesh_distance(mapping::serpentine_pe(walk.front(), arch),
                          mapping::serpentine_pe(previous_last, arch), arch.chip.pe_x) <= 1);
    }
    previous_last = walk.back();
  }
}

}  // namespace

// ---- Algorithm 3.

TEST_CASE("rereram: the first iteration on LeNet-5 doubles C1, by hand", "[mapping][rereram]") {
  // tiny.yaml, hand calculation (docs/mapping.md's component formulas):
  // C1 at degrees 1: total 101,015 over 784 windows, fill 129, stage
  // 100,886; C3: 51,933 over 100, fill 520, stage 51,413; C5, F6, OUT one
  // window each (stage 0, fill = total = 720, 577, 431). S0: 77 crossbars,
  // T = 129 + 520 + 720 + 577 + 431 + 100,886 = 103,263.
  // C1 at iw = 2: 392 windows, compute 392 x 8 input cycles x 16 OU steps =
  // 50,176, input 516, reduce ceil(392 x 6 / 32) = 74: total 50,766, fill
  // 130, stage 50,636; +1 crossbar; the slowest is then C3's 51,413:
  // T = 2378 + 51,413 = 53,791.
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto r = mapping::reallocate(network, arch, arch.total_crossbars());
  CHECK(r.initial_crossbars == 77);
  CHECK(r.initial_slowest == 100886);
  CHECK(r.initial_latency == 103263);
  REQUIRE_FALSE(r.steps.empty());
  const mapping::ReallocationStep& first = r.steps.front();
  CHECK(first.move == ReallocationMove::double_iw);
  REQUIRE(first.layers.size() == 1);
  CHECK(first.layers[0].layer == network.find("C1"));
  CHECK(first.layers[0].before == PartitionDegrees{});
  CHECK(first.layers[0].after == PartitionDegrees{1, 1, 2, 1});
  CHECK(first.layers[0].stage_before == 100886);
  CHECK(first.layers[0].stage_after == 50636);
  CHECK(first.layers[0].crossbars_added == 1);
  CHECK(first.crossbars == 78);
  CHECK(first.slowest_before == 100886);
  CHECK(first.slowest_after == 51413);
  CHECK(first.latency_before == 103263);
  CHECK(first.latency == 53791);
}

TEST_CASE("rereram: next_degrees doubles iw up to V, then splits rows where it helps",
          "[mapping][rereram]") {
  // LeNet-5 C3 on tiny.yaml: K = 150, V = 100, 64-row crossbars, 8-row OUs,
  // 15 weight columns x 4 slices + 1 reference = 61 columns = 8 OU columns.
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto problem =
      mapping::lower_problem(network.layers[std::size_t(network.find("C3"))], arch);
  PartitionDegrees next;
  REQUIRE(mapping::next_degrees(problem, {1, 1, 1, 1}, ReallocationMove::double_iw, arch, next));
  CHECK(next == PartitionDegrees{1, 1, 2, 1});
  REQUIRE(mapping::next_degrees(problem, {1, 1, 64, 1}, ReallocationMove::double_iw, arch, next));
  CHECK(next == PartitionDegrees{1, 1, 100, 1});  // capped at V
  CHECK_FALSE(
      mapping::next_degrees(problem, {1, 1, 100, 1}, ReallocationMove::double_iw, arch, next));
  // At iw = 4 (25 windows), by hand: hwm 1 has 3 row pieces of 64 rows (8 OU
  // rows): compute 25 x 8 x 64 = 12,800, reduce ceil(25 x 15 x 3 / 32) = 36,
  // input 592, total 13,428, fill 538, stage 12,890. hwm 2 cuts 75-row parts
  // into 4 pieces, still 64 rows at most: compute 12,800, reduce 47, stage
  // 12,901, no better. hwm 3 cuts 50-row parts, 7 OU rows: compute 11,200,
  // reduce 36, total 11,828, fill 474, stage 11,354.
  REQUIRE(mapping::next_degrees(problem, {1, 1, 4, 1}, ReallocationMove::split_rows, arch, next));
  CHECK(next == PartitionDegrees{3, 1, 4, 1});
  CHECK(mapping::stage_time(mapping::layer_latency(problem, {1, 1, 4, 1}, arch)) == 12890);
  CHECK(mapping::stage_time(mapping::layer_latency(problem, {2, 1, 4, 1}, arch)) == 12901);
  CHECK(mapping::stage_time(mapping::layer_latency(problem, {3, 1, 4, 1}, arch)) == 11354);
  // Re-ReRAM's OU spans all 1152 rows: shorter row parts never save an OU
  // step, so ResNet-34's conv1 (K = 147) has no row split.
  const auto rr = config("re-reram");
  const auto resnet = net("resnet34");
  const auto conv1 = mapping::lower_problem(resnet.layers[std::size_t(resnet.find("conv1"))], rr);
  CHECK_FALSE(mapping::next_degrees(conv1, {1, 1, 16, 1}, ReallocationMove::split_rows, rr, next));
}

TEST_CASE("rereram: every accepted step targets the then-slowest layers and lowers the estimate",
          "[mapping][rereram]") {
  // Property, replayed independently (check_reallocation): LeNet-5 on
  // tiny.yaml at several budgets (its run uses both moves), ResNet-18 on
  // re-reram.yaml (steps over several tied layers at once).
  const auto tiny = config("tiny");
  const auto lenet = net("lenet5");
  bool split = false;
  for (std::int64_t budget : {77, 80, 100, 110, 128}) {
    INFO("LeNet-5, budget " << budget);
    const auto r = mapping::reallocate(lenet, tiny, budget);
    check_reallocation(r, lenet, tiny, budget);
    for (const auto& s : r.steps) split = split || s.move == ReallocationMove::split_rows;
  }
  CHECK(split);
  const auto rr = config("re-reram");
  const auto resnet = net("resnet18");
  const auto r = mapping::reallocate(resnet, rr, rr.total_crossbars());
  check_reallocation(r, resnet, rr, rr.total_crossbars());
  CHECK(std::any_of(r.steps.begin(), r.steps.end(),
                    [](const mapping::ReallocationStep& s) { return s.layers.size() > 1; }));
}

TEST_CASE("rereram: Algorithm 3 never exceeds the budget", "[mapping][rereram]") {
  // Property: every step's demand and the candidate's within the budget, for
  // every budget from S0's 77 crossbars to tiny.yaml's 128 and beyond; the
  // estimate never above S0's.
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  for (std::int64_t budget = 77; budget <= 200; ++budget) {
    INFO("budget " << budget);
    const auto r = mapping::reallocate(network, arch, budget);
    for (const auto& s : r.steps) CHECK(s.crossbars <= budget);
    CHECK(r.candidate.crossbars <= budget);
    CHECK(r.candidate.latency <= r.initial_latency);
  }
}

TEST_CASE("rereram: Algorithm 3 stops when the slowest layer cannot be helped",
          "[mapping][rereram]") {
  const auto arch = config("tiny");
  const auto lenet = net("lenet5");
  SECTION("no crossbar to spare: both moves refused as over budget") {
    // S0 needs 77; C1's doubling and its row split (13-row parts, 2 row
    // pieces) each need a 78th.
    const auto r = mapping::reallocate(lenet, arch, 77);
    CHECK(r.steps.empty());
    CHECK(r.candidate.crossbars == 77);
    CHECK(r.candidate.latency == r.initial_latency);
    CHECK(r.double_stop == ReallocationStop::over_budget);
    CHECK(r.split_stop == ReallocationStop::over_budget);
    REQUIRE(r.refused_double.layers.size() == 1);
    CHECK(r.refused_double.layers[0].layer == lenet.find("C1"));
    CHECK(r.refused_double.crossbars == 78);
    CHECK(r.refused_split.crossbars == 78);
  }
  SECTION("every stage already 0: no move applies") {
    // Layers of one window have stage 0 (fill = total): nothing to shorten.
    const auto fc = workloads::parse_network(
        "name: fc\ninput: {h: 1, w: 1, c: 32}\nlayers:\n"
        "  - {name: f1, type: fc, out: 16, activation: relu}\n"
        "  - {name: f2, type: fc, out: 10}\n",
        "fc.yaml");
    const auto r = mapping::reallocate(fc, arch, arch.total_crossbars());
    CHECK(r.steps.empty());
    CHECK(r.initial_slowest == 0);
    CHECK(r.double_stop == ReallocationStop::no_option);
    CHECK(r.split_stop == ReallocationStop::no_option);
  }
  SECTION("the full chip: stopped by the next doubling's cost, as check_reallocation re-checks") {
    const auto r = mapping::reallocate(lenet, arch, arch.total_crossbars());
    CHECK_FALSE(r.steps.empty());
    CHECK(r.double_stop == ReallocationStop::over_budget);
    check_reallocation(r, lenet, arch, arch.total_crossbars());
  }
  SECTION("one copy per layer does not fit: refused with the counts") {
    CHECK_THROWS_AS(mapping::reallocate(lenet, arch, 76), std::invalid_argument);
    CHECK_THROWS_WITH(mapping::reallocate(lenet, arch, 76), Contains("77") && Contains("76"));
  }
}

// ---- Algorithm 2.

TEST_CASE("rereram: the serpentine walk by hand, consecutive PEs adjacent", "[mapping][rereram]") {
  // 4 x 3 mesh, PE = y * 4 + x: row 0 left to right, row 1 back, row 2 on.
  const auto arch = grid(config("tiny"), 4, 3);
  const std::vector<int> expected{0, 1, 2, 3, 7, 6, 5, 4, 8, 9, 10, 11};
  std::vector<int> walk;
  for (int k = 0; k < arch.chip.pes(); ++k) walk.push_back(mapping::serpentine_pe(k, arch));
  CHECK(walk == expected);
  CHECK_THROWS_AS(mapping::serpentine_pe(12, arch), std::invalid_argument);
  CHECK_THROWS_AS(mapping::serpentine_pe(-1, arch), std::invalid_argument);
  for (const auto& a : {config("tiny"), config("re-reram"), grid(config("tiny"), 5, 3)}) {
    std::set<int> seen;
    for (int k = 0; k < a.chip.pes(); ++k) {
      const int pe = mapping::serpentine_pe(k, a);
      CHECK(seen.insert(pe).second);
      if (k > 0) CHECK(mesh_distance(pe, mapping::serpentine_pe(k - 1, a), a.chip.pe_x) == 1);
    }
    CHECK(int(seen.size()) == a.chip.pes());
  }
}

TEST_CASE("rereram: layers start on fresh PEs of the walk when the chip has enough, by hand",
          "[mapping][rereram]") {
  // tiny.yaml: 4 x 4 PEs of 2 CUs x 4 crossbars. Layers of 20, 3 and 9
  // crossbars need 3 + 1 + 2 = 6 PEs aligned: layer 0 on walk 0..2 (PEs 0,
  // 1, 2; 8 + 8 + 4), layer 1 on walk 3 (PE 3), layer 2 on walk 4..5 (PEs 7,
  // 6). Crossbars in row-piece order within a layer, opened in reverse.
  const auto arch = config("tiny");
  const auto packing = hand_packing({20, 3, 9});
  const auto a = mapping::local_assignment(packing, arch);
  check_slots(a, packing, arch);
  auto expect = [&](std::size_t block, int pe, int crossbar) {
    INFO("block " << block);
    CHECK(slot_of(a, block).pe == pe);
    CHECK(slot_of(a, block).crossbar == crossbar);
  };
  for (int k = 0; k < 20; ++k) expect(std::size_t(k), k / 8, k % 8);
  for (int k = 0; k < 3; ++k) expect(std::size_t(20 + k), 3, k);
  for (int k = 0; k < 9; ++k) expect(std::size_t(23 + k), k < 8 ? 7 : 6, k % 8);
  CHECK(a.pe_of == std::vector<int>{0, 1, 2, 3, 7, 6});
  CHECK(a.cus.size() == 2 + 2 + 1 + 1 + 2 + 1);
  // Two row pieces of one layer share their one column (shared_data 1).
  // Pairs within CUs: five full CUs of layer 0 and two of layer 2 (6 pairs
  // each) and layer 1's 3 crossbars (3 pairs): 45. Across the CUs of a PE:
  // PEs 0, 1 and 7 (4 x 4 pairs each): 48.
  CHECK(a.shared_in_cus == 45);
  CHECK(a.shared_in_pes == 48);
}

TEST_CASE("rereram: layers continue on the current PE when the chip is short of PEs, by hand",
          "[mapping][rereram]") {
  // 2 x 2 PEs of 8 crossbars (walk: PEs 0, 1, 3, 2). Layers of 20, 5 and 3
  // crossbars would need 3 + 1 + 1 = 5 PEs aligned, so they fill on: layer 0
  // on PE 0 (8), PE 1 (8), PE 3 (crossbars 0-3), layer 1 on PE 3 (4-7) and
  // PE 2 (0), layer 2 on PE 2 (1-3).
  const auto arch = grid(config("tiny"), 2, 2);
  const auto packing = hand_packing({20, 5, 3});
  const auto a = mapping::local_assignment(packing, arch);
  check_slots(a, packing, arch);
  const std::vector<std::pair<int, int>> expected = {
      {0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {1, 0}, {1, 1},
      {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}, {3, 0}, {3, 1}, {3, 2}, {3, 3},
      {3, 4}, {3, 5}, {3, 6}, {3, 7}, {2, 0}, {2, 1}, {2, 2}, {2, 3}};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    INFO("block " << k);
    CHECK(std::make_pair(slot_of(a, k).pe, slot_of(a, k).crossbar) == expected[k]);
  }
  CHECK(a.pe_of == std::vector<int>{0, 1, 3, 2});
}

TEST_CASE("rereram: a crossbar of several blocks ranks by its first; bad packings are refused",
          "[mapping][rereram]") {
  // Two crossbars: X0 holds layer 1's block and layer 0's second block, X1
  // layer 0's first block. By smallest block, X1 (layer 0, row 0) comes
  // first, then X0 (layer 0, row 8): both layer 0's, on PE 0.
  const auto arch = config("tiny");
  mapping::Packing p;
  p.feasible = true;
  p.blocks = {block(1, 0), block(0, 1), block(0, 0)};
  p.crossbars = {{{mapping::BlockPlacement{0, 0, 0}, mapping::BlockPlacement{1, 8, 0}}},
                 {{mapping::BlockPlacement{2, 0, 0}}}};
  const auto a = mapping::local_assignment(p, arch);
  CHECK(a.slots[1].pe == 0);
  CHECK(a.slots[1].crossbar == 0);
  CHECK(a.slots[0].pe == 0);
  CHECK(a.slots[0].crossbar == 1);
  mapping::Packing infeasible = p;
  infeasible.feasible = false;
  CHECK_THROWS_AS(mapping::local_assignment(infeasible, arch), std::invalid_argument);
  const auto small = grid(arch, 1, 1);  // 8 crossbars
  CHECK_THROWS_AS(mapping::local_assignment(hand_packing({9}), small), std::invalid_argument);
}

// ---- map_network("local").

TEST_CASE("rereram: map_network local gives plans with every weight once, layer by layer",
          "[mapping][rereram]") {
  // The plan property of mapper_test.cpp's check_tiles (copied in part),
  // Algorithm 3's trace and the layer groups of Algorithm 2.
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"lenet5", "tiny"}, {"resnet18", "re-reram"}, {"lenet5_pruned", "tiny"}};
  for (const auto& [network_name, config_name] : cases) {
    INFO(network_name << " on " << config_name);
    const auto arch = config(config_name);
    const auto network = net(network_name);
    const auto result = mapping::map_network(network, arch, "local");
    CHECK(result.plan.mapper == "local");
    CHECK(result.candidates_tried == 1);
    CHECK(result.plan.tiles.size() == result.packing.blocks.size());
    CHECK(result.plan.crossbars_used <= arch.total_crossbars());
    check_plan(result.plan, network, arch, result.candidate);
    check_layer_groups(result.plan, network, arch);
    const auto r = mapping::reallocate(network, arch, arch.total_crossbars());
    CHECK(result.candidate.degrees == r.candidate.degrees);
    CHECK(result.candidate.latency == r.candidate.latency);
    REQUIRE(result.reallocation.size() == r.steps.size());
    CHECK_FALSE(result.reallocation.empty());
    for (std::size_t s = 0; s < r.steps.size(); ++s) {
      CHECK(result.reallocation[s].latency == r.steps[s].latency);
      CHECK(result.reallocation[s].crossbars == r.steps[s].crossbars);
    }
  }
  // The other mappers leave the trace empty.
  CHECK(mapping::map_network(net("lenet5"), config("tiny"), "hitm").reallocation.empty());
}

TEST_CASE("rereram: map_network local is listed and runs a network too large in rounds",
          "[mapping][rereram]") {
  const auto& names = mapping::mapper_names();
  CHECK(std::find(names.begin(), names.end(), "local") != names.end());
  // LeNet-5 on tiny.yaml shrunk to 64 crossbars: one replica per layer
  // needs 77 (replication_minimum_crossbars), so no strategy of Algorithm 3
  // fits; the plan is the simple mapper's two rounds (simple_mapper_test).
  auto arch = config("tiny");
  arch.chip.pe_x = 4;
  arch.chip.pe_y = 2;
  const auto network = net("lenet5");
  REQUIRE(mapping::replication_minimum_crossbars(network, arch) == 77);
  const auto result = mapping::map_network(network, arch, "local");
  CHECK(result.rounds_fallback);
  CHECK(result.plan.rounds == 2);
  CHECK(result.plan.mapper == "local");
}

TEST_CASE("rereram: mapping twice gives the same local plan", "[mapping][rereram]") {
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  const auto a = mapping::map_network(network, arch, "local");
  const auto b = mapping::map_network(network, arch, "local");
  REQUIRE(a.plan.tiles.size() == b.plan.tiles.size());
  for (std::size_t i = 0; i < a.plan.tiles.size(); ++i) {
    const CrossbarTile& x = a.plan.tiles[i];
    const CrossbarTile& y = b.plan.tiles[i];
    CHECK(std::tie(x.layer, x.matrix, x.row_begin, x.col_begin, x.pe, x.crossbar, x.replica,
                   x.bit_group, x.xbar_row, x.xbar_col) ==
          std::tie(y.layer, y.matrix, y.row_begin, y.col_begin, y.pe, y.crossbar, y.replica,
                   y.bit_group, y.xbar_row, y.xbar_col));
  }
}
