// The assigning step: virtual crossbars -> virtual CUs -> virtual PEs ->
// physical PEs (docs/mapping.md, "Assigning step").
#include "reramsim/mapping/assign.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace reramsim::mapping {

namespace {

std::int64_t overlap(std::int64_t a0, std::int64_t an, std::int64_t b0, std::int64_t bn) {
  return std::max<std::int64_t>(0, std::min(a0 + an, b0 + bn) - std::max(a0, b0));
}

// Blocks of one (layer, matrix, iw) are cut on one grid (make_blocks), so two
// of them have equal or disjoint row ranges, and likewise columns: the blocks
// sharing rows with a block are exactly those of its row list, and their
// shared rows are its rows. That turns shared data into list look-ups instead
// of a pass over all pairs.
struct SharingIndex {
  std::vector<int> crossbar_of;         // per block
  std::vector<int> row_list, col_list;  // per block: its list
  std::vector<std::vector<int>> lists;  // blocks, row lists then column lists

  explicit SharingIndex(const Packing& packing) {
    const std::vector<MvmBlock>& bl = packing.blocks;
    crossbar_of.assign(bl.size(), -1);
    for (std::size_t x = 0; x < packing.crossbars.size(); ++x) {
      for (const BlockPlacement& p : packing.crossbars[x].blocks) {
        crossbar_of[std::size_t(p.block)] = int(x);
      }
    }
    row_list.assign(bl.size(), -1);
    col_list.assign(bl.size(), -1);
    build(bl, true);
    build(bl, false);
  }

 private:
  void build(const std::vector<MvmBlock>& bl, bool rows) {
    using Key = std::tuple<int, std::int64_t, int, std::int64_t, std::int64_t, int>;
    std::vector<Key> keys;
    for (std::size_t b = 0; b < bl.size(); ++b) {
      if (crossbar_of[b] < 0) continue;  // not placed: shares nothing
      const MvmBlock& k = bl[b];
      keys.emplace_back(k.layer, k.matrix, k.iw, rows ? k.row_begin : k.col_begin,
                        rows ? k.rows : k.cols, int(b));
    }
    std::sort(keys.begin(), keys.end());
    std::vector<int>& list_of = rows ? row_list : col_list;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto& [layer, matrix, iw, begin, length, block] = keys[i];
      bool same = false;
      if (i > 0) {
        const Key& prev = keys[i - 1];
        if (std::get<0>(prev) == layer && std::get<1>(prev) == matrix && std::get<2>(prev) == iw) {
          same = std::get<3>(prev) == begin && std::get<4>(prev) == length;
          // Sorted by begin: if no neighbour overlaps, none does.
          if (!same && begin < std::get<3>(prev) + std::get<4>(prev)) {
            throw std::invalid_argument(
                std::string("assign: blocks of layer ") + std::to_string(layer) + " matrix " +
                std::to_string(matrix) + " overlap in their " + (rows ? "rows" : "columns") +
                " without being equal (not cut on one grid, as make_blocks does)");
          }
        }
      }
      if (!same) lists.emplace_back();
      lists.back().push_back(block);
      list_of[std::size_t(block)] = int(lists.size()) - 1;
    }
  }
};

// Greedy merging of units (each a set of virtual crossbars, given in rank
// order) into groups of at most `capacity`: a group starts with the first
// unassigned unit and takes, one at a time, the unassigned unit sharing the
// most data with its members (ties: the earlier unit), or the next
// unassigned unit when none shares any. `shared` accumulates the data shared
// inside the groups.
std::vector<std::vector<int>> merge(const std::vector<std::vector<int>>& units, int capacity,
                                    const Packing& packing, const SharingIndex& index,
                                    std::int64_t& shared) {
  const std::size_t n = units.size();
  std::vector<int> unit_of(packing.crossbars.size(), -1);
  for (std::size_t u = 0; u < n; ++u) {
    for (int x : units[u]) unit_of[std::size_t(x)] = int(u);
  }
  std::vector<char> assigned(n, 0);
  std::vector<std::int64_t> gain(n, 0);
  std::vector<int> touched;
  // (gain, -unit): the largest gain, then the earliest unit. Entries go
  // stale when a unit's gain grows or it is taken; those are skipped.
  std::priority_queue<std::pair<std::int64_t, int>> queue;

  auto join = [&](int u, std::vector<int>& group) {
    assigned[std::size_t(u)] = 1;
    group.push_back(u);
    for (int x : units[std::size_t(u)]) {
      for (const BlockPlacement& p : packing.crossbars[std::size_t(x)].blocks) {
        const MvmBlock& b = packing.blocks[std::size_t(p.block)];
        const std::pair<int, std::int64_t> shares[] = {
            {index.row_list[std::size_t(p.block)], b.rows},
            {index.col_list[std::size_t(p.block)], b.cols}};
        for (const auto& [list, amount] : shares) {
          for (int other : index.lists[std::size_t(list)]) {
            const int v = unit_of[std::size_t(index.crossbar_of[std::size_t(other)])];
            if (assigned[std::size_t(v)]) continue;
            if (gain[std::size_t(v)] == 0) touched.push_back(v);
            gain[std::size_t(v)] += amount;
            queue.emplace(gain[std::size_t(v)], -v);
          }
        }
      }
    }
  };

  std::vector<std::vector<int>> groups;
  std::size_t next = 0;  // every unit before it is assigned
  while (true) {
    while (next < n && assigned[next]) ++next;
    if (next == n) break;
    std::vector<int> group;
    join(int(next), group);
    while (int(group.size()) < capacity) {
      int best = -1;
      while (!queue.empty()) {
        const auto [g, neg] = queue.top();
        queue.pop();
        if (!assigned[std::size_t(-neg)] && gain[std::size_t(-neg)] == g) {
          best = -neg;
          break;
        }
      }
      if (best >= 0) {
        shared += gain[std::size_t(best)];
      } else {
        while (next < n && assigned[next]) ++next;
        if (next == n) break;
        best = int(next);
      }
      join(best, group);
    }
    for (int v : touched) gain[std::size_t(v)] = 0;
    touched.clear();
    queue = {};
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace

std::int64_t shared_data(const MvmBlock& a, const MvmBlock& b) {
  if (a.layer != b.layer || a.matrix != b.matrix || a.iw != b.iw) return 0;
  return overlap(a.row_begin, a.rows, b.row_begin, b.rows) +
         overlap(a.col_begin, a.cols, b.col_begin, b.cols);
}

std::int64_t shared_data(const Packing& packing, int crossbar_a, int crossbar_b) {
  std::int64_t total = 0;
  for (const BlockPlacement& p : packing.crossbars[std::size_t(crossbar_a)].blocks) {
    for (const BlockPlacement& q : packing.crossbars[std::size_t(crossbar_b)].blocks) {
      total +=
          shared_data(packing.blocks[std::size_t(p.block)], packing.blocks[std::size_t(q.block)]);
    }
  }
  return total;
}

std::vector<int> crossbars_in_network_order(const Packing& packing) {
  const std::size_t n = packing.crossbars.size();
  using Rank = std::tuple<int, std::int64_t, int, std::int64_t, int, std::int64_t>;
  std::vector<Rank> rank(n, Rank{std::numeric_limits<int>::max(), 0, 0, 0, 0, 0});
  for (std::size_t x = 0; x < n; ++x) {
    for (const BlockPlacement& p : packing.crossbars[x].blocks) {
      const MvmBlock& b = packing.blocks[std::size_t(p.block)];
      rank[x] = std::min(rank[x], Rank{b.layer, b.matrix, b.iw, b.col_begin, b.ib, b.row_begin});
    }
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return rank[std::size_t(a)] < rank[std::size_t(b)]; });
  return order;
}

Assignment assign(const Packing& packing, const arch::ArchConfig& arch) {
  if (!packing.feasible) throw std::invalid_argument("assign: the packing is infeasible");
  if (packing.crossbars_used() > arch.total_crossbars()) {
    throw std::invalid_argument("assign: " + std::to_string(packing.crossbars_used()) +
                                " virtual crossbars, but the chip has " +
                                std::to_string(arch.total_crossbars()));
  }
  const SharingIndex index(packing);
  const std::size_t n = packing.crossbars.size();

  // Crossbars in rank order: by their first block in network order, output
  // group by output group (layer, matrix, iw, columns, ib, rows), so that
  // crossbars sharing nothing with a group still follow their layer.
  const std::vector<int> order = crossbars_in_network_order(packing);

  Assignment out;
  std::vector<std::vector<int>> crossbar_units;
  crossbar_units.reserve(n);
  for (int x : order) crossbar_units.push_back({x});
  const auto cus =
      merge(crossbar_units, arch.pe.crossbars_per_cu, packing, index, out.shared_in_cus);
  for (const auto& cu : cus) {
    out.cus.emplace_back();
    for (int u : cu) out.cus.back().push_back(order[std::size_t(u)]);
  }
  out.pes = merge(out.cus, arch.pe.cus, packing, index, out.shared_in_pes);

  // Placement on the mesh, virtual PE by virtual PE: the free physical PE
  // with the least (shared data x Manhattan distance) to the PEs already
  // placed; ties, and PEs sharing nothing with those placed, by distance to
  // PE 0, then id.
  const int pe_x = arch.chip.pe_x;
  const int physical = arch.chip.pes();
  auto distance = [&](int a, int b) {
    return std::abs(a % pe_x - b % pe_x) + std::abs(a / pe_x - b / pe_x);
  };
  std::vector<int> vpe_of(n, -1);  // virtual crossbar -> virtual PE
  for (std::size_t v = 0; v < out.pes.size(); ++v) {
    for (int cu : out.pes[v]) {
      for (int x : out.cus[std::size_t(cu)]) vpe_of[std::size_t(x)] = int(v);
    }
  }
  std::vector<char> taken(std::size_t(physical), 0);
  std::vector<std::int64_t> with(out.pes.size(), 0);  // shared data with each placed virtual PE
  std::vector<int> related;
  out.pe_of.assign(out.pes.size(), -1);
  for (std::size_t v = 0; v < out.pes.size(); ++v) {
    for (int cu : out.pes[v]) {
      for (int x : out.cus[std::size_t(cu)]) {
        for (const BlockPlacement& p : packing.crossbars[std::size_t(x)].blocks) {
          const MvmBlock& b = packing.blocks[std::size_t(p.block)];
          const std::pair<int, std::int64_t> shares[] = {
              {index.row_list[std::size_t(p.block)], b.rows},
              {index.col_list[std::size_t(p.block)], b.cols}};
          for (const auto& [list, amount] : shares) {
            for (int other : index.lists[std::size_t(list)]) {
              const int q = vpe_of[std::size_t(index.crossbar_of[std::size_t(other)])];
              if (q >= int(v)) continue;  // only PEs already placed pull
              if (with[std::size_t(q)] == 0) related.push_back(q);
              with[std::size_t(q)] += amount;
            }
          }
        }
      }
    }
    int best = -1;
    std::tuple<std::int64_t, int, int> best_key{};
    for (int p = 0; p < physical; ++p) {
      if (taken[std::size_t(p)]) continue;
      std::int64_t cost = 0;
      for (int q : related) {
        cost += with[std::size_t(q)] * distance(p, out.pe_of[std::size_t(q)]);
      }
      const std::tuple<std::int64_t, int, int> key{cost, distance(p, 0), p};
      if (best < 0 || key < best_key) {
        best = p;
        best_key = key;
      }
    }
    taken[std::size_t(best)] = 1;
    out.pe_of[v] = best;
    for (int q : related) with[std::size_t(q)] = 0;
    related.clear();
  }

  out.slots.assign(n, CrossbarSlot{});
  const int per_cu = arch.pe.crossbars_per_cu;
  for (std::size_t v = 0; v < out.pes.size(); ++v) {
    for (std::size_t k = 0; k < out.pes[v].size(); ++k) {
      const std::vector<int>& cu = out.cus[std::size_t(out.pes[v][k])];
      for (std::size_t s = 0; s < cu.size(); ++s) {
        out.slots[std::size_t(cu[s])] = {out.pe_of[v], int(k) * per_cu + int(s)};
      }
    }
  }
  return out;
}

}  // namespace reramsim::mapping
