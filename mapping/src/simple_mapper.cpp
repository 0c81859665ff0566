#include <algorithm>

#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::mapping {

using workloads::InputError;
using workloads::Layer;
using workloads::Network;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Crossbars a layer needs under one-tile-per-crossbar tiling of its kept
// columns. Only a pruned layer needs its matrices counted one by one.
std::int64_t crossbars_needed(const Layer& layer, std::int64_t tile_rows, std::int64_t tile_cols) {
  const workloads::MatrixShape m = workloads::lower(layer);
  const std::int64_t row_tiles = ceil_div(m.rows, tile_rows);
  if (layer.pruned_outputs.empty()) return m.matrices * row_tiles * ceil_div(m.cols, tile_cols);
  std::int64_t needed = 0;
  for (std::int64_t g = 0; g < m.matrices; ++g) {
    const auto kept = std::int64_t(workloads::kept_columns(layer, g).size());
    needed += row_tiles * ceil_div(kept, tile_cols);
  }
  return needed;
}

}  // namespace

MappingPlan map_simple(const Network& network, const arch::ArchConfig& arch) {
  MappingPlan plan;
  plan.mapper = "simple";
  const std::int64_t tile_rows = arch.crossbar.rows;
  // Weight columns per crossbar after the sign scheme's slices and reference.
  const std::int64_t tile_cols = arch.weights_per_row();
  const int per_pe = arch.pe.crossbars();

  std::int64_t needed = 0;
  for (const Layer& l : network.layers) {
    if (l.has_weights()) needed += crossbars_needed(l, tile_rows, tile_cols);
  }
  // A network larger than the chip runs in rounds: consecutive layers fill
  // the chip, and the next round starts on crossbar 0 again once the next
  // weighted layer no longer fits. Only a layer larger than the chip by
  // itself cannot be placed.
  std::vector<int> round_of(network.layers.size(), 0);
  int rounds = 1;
  if (needed > arch.total_crossbars()) {
    std::int64_t in_round = 0;
    for (std::size_t li = 0; li < network.layers.size(); ++li) {
      const Layer& l = network.layers[li];
      const std::int64_t n = l.has_weights() ? crossbars_needed(l, tile_rows, tile_cols) : 0;
      if (n > arch.total_crossbars()) {
        throw InputError(network.file + ": layer '" + l.name + "' needs " + std::to_string(n) +
                         " crossbars with one tile per crossbar, but " + arch.file + " has " +
                         std::to_string(arch.total_crossbars()) +
                         " (even alone, in a round of its own)");
      }
      if (in_round + n > arch.total_crossbars()) {
        ++rounds;
        in_round = 0;
      }
      in_round += n;
      round_of[li] = rounds - 1;
    }
  }
  plan.rounds = rounds;

  // Layers sharing a PE run one after the other on its controller, while
  // layers on different PEs pipeline row by row. So when the chip has PEs
  // enough, each weighted layer starts on a PE of its own, and then each
  // layer without weights too; otherwise tiles fill the PEs in order.
  std::int64_t aligned_pes = 0;
  std::int64_t unweighted = 0;
  for (const Layer& l : network.layers) {
    if (l.has_weights()) {
      aligned_pes += ceil_div(crossbars_needed(l, tile_rows, tile_cols), per_pe);
    } else {
      ++unweighted;
    }
  }
  const bool align_weighted = rounds == 1 && aligned_pes <= arch.chip.pes();
  const bool own_pe_unweighted = align_weighted && aligned_pes + unweighted <= arch.chip.pes();

  std::int64_t next = 0;  // next free crossbar, chip-wide, PE-major
  int last_weighted_pe = 0;
  plan.layers.resize(network.layers.size());
  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    const Layer& layer = network.layers[li];
    LayerPlan& lp = plan.layers[li];
    lp.layer = int(li);
    lp.round = round_of[li];
    if (li > 0 && round_of[li] != round_of[li - 1]) next = 0;  // a new round: crossbars anew
    if (align_weighted) next = ceil_div(next, per_pe) * per_pe;
    if (!layer.has_weights()) {
      if (own_pe_unweighted) {
        lp.pes = {int(next / per_pe)};
        next += per_pe;  // the whole PE: its ALU/SFU runs this layer
      } else {
        lp.pes = {last_weighted_pe};
      }
      continue;
    }
    lp.shape = workloads::lower(layer);
    lp.sparse = !layer.pruned_outputs.empty();
    lp.row_tiles = ceil_div(lp.shape.rows, tile_rows);
    lp.kept_columns.reserve(std::size_t(lp.shape.matrices));
    for (std::int64_t m = 0; m < lp.shape.matrices; ++m) {
      lp.kept_columns.push_back(workloads::kept_columns(layer, m));
    }
    for (std::int64_t m = 0; m < lp.shape.matrices; ++m) {
      // Tiles cover the kept columns only, packed: pruned columns take no cells.
      const auto kept = std::int64_t(lp.kept_columns[std::size_t(m)].size());
      const std::int64_t col_tiles = ceil_div(kept, tile_cols);
      lp.col_tiles = std::max(lp.col_tiles, col_tiles);
      for (std::int64_t ct = 0; ct < col_tiles; ++ct) {
        OutputGroup group;
        group.matrix = m;
        group.col_begin = ct * tile_cols;
        group.cols = std::min(tile_cols, kept - group.col_begin);
        for (std::int64_t rt = 0; rt < lp.row_tiles; ++rt) {
          CrossbarTile tile;
          tile.layer = int(li);
          tile.matrix = m;
          tile.row_begin = rt * tile_rows;
          tile.rows = std::min(tile_rows, lp.shape.rows - tile.row_begin);
          tile.col_begin = group.col_begin;
          tile.cols = group.cols;
          tile.pe = int(next / per_pe);
          tile.crossbar = int(next % per_pe);
          tile.group = int(lp.groups.size());
          ++next;
          const int index = int(plan.tiles.size());
          plan.tiles.push_back(tile);
          lp.tiles.push_back(index);
          group.tiles.push_back(index);
          if (rt == 0) {
            group.reducer_pe = tile.pe;
          } else if (tile.pe != group.reducer_pe &&
                     std::find(group.contributors.begin(), group.contributors.end(), tile.pe) ==
                         group.contributors.end()) {
            group.contributors.push_back(tile.pe);
          }
          plan.cells_used +=
              tile.rows * (tile.cols * arch.weight_columns() + arch.reference_columns());
          plan.reference_cells += tile.rows * arch.reference_columns();
        }
        lp.groups.push_back(std::move(group));
      }
    }
    for (int t : lp.tiles) lp.pes.push_back(plan.tiles[std::size_t(t)].pe);
    std::sort(lp.pes.begin(), lp.pes.end());
    lp.pes.erase(std::unique(lp.pes.begin(), lp.pes.end()), lp.pes.end());
    // The loader never lets every channel be pruned, but a hand-built layer
    // could; it then has no tiles and no PE of its own.
    if (!lp.tiles.empty()) last_weighted_pe = plan.tiles[std::size_t(lp.tiles.front())].pe;
  }
  // Crossbars holding a tile in any round.
  std::vector<std::pair<int, int>> slots;
  for (const CrossbarTile& t : plan.tiles) slots.emplace_back(t.pe, t.crossbar);
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  plan.crossbars_used = std::int64_t(slots.size());
  std::vector<bool> used(std::size_t(arch.chip.pes()), false);
  for (const LayerPlan& lp : plan.layers) {
    for (int pe : lp.pes) used[std::size_t(pe)] = true;
  }
  plan.pes_used = int(std::count(used.begin(), used.end(), true));
  return plan;
}

}  // namespace reramsim::mapping
