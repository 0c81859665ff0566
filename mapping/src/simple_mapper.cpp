#include <algorithm>

#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::mapping {

using workloads::Layer;
using workloads::Network;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Row tiles [row_tile_begin, row_tile_end) of column tile `col_tile` of
// `matrix`, programmed in `round`: one output group of the plan.
struct Chunk {
  std::int64_t matrix = 0;
  std::int64_t col_tile = 0;
  std::int64_t row_tile_begin = 0;
  std::int64_t row_tile_end = 0;
  int round = 0;
};

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
  const std::int64_t total = arch.total_crossbars();
  const std::size_t layers = network.layers.size();
  // A network larger than the chip runs in rounds: consecutive layers fill
  // the chip, and the next round starts on crossbar 0 again once the next
  // weighted layer no longer fits. A layer larger than the chip by itself
  // takes rounds of its own: whole output groups fill each round, and a
  // group taller than the chip is cut by rows into a chain carried across
  // rounds (OutputGroup::carry_out), down to one tile per round at worst.
  std::vector<int> round_of(layers, 0);
  std::vector<int> first_round_of(layers, 0);
  std::vector<std::vector<Chunk>> chunks(layers);
  int round = 0;
  std::int64_t in_round = 0;  // crossbars taken in `round`
  bool round_used = false;    // `round` holds a layer
  const auto next_round = [&] {
    if (round_used) ++round;
    in_round = 0;
    round_used = false;
  };
  for (std::size_t li = 0; li < layers; ++li) {
    const Layer& l = network.layers[li];
    const std::int64_t n = l.has_weights() ? crossbars_needed(l, tile_rows, tile_cols) : 0;
    const bool split = needed > total && n > total;
    if (split || in_round + n > total) next_round();
    first_round_of[li] = round;
    if (l.has_weights()) {
      const workloads::MatrixShape m = workloads::lower(l);
      const std::int64_t row_tiles = ceil_div(m.rows, tile_rows);
      for (std::int64_t g = 0; g < m.matrices; ++g) {
        const auto kept =
            l.pruned_outputs.empty() ? m.cols : std::int64_t(workloads::kept_columns(l, g).size());
        for (std::int64_t ct = 0; ct < ceil_div(kept, tile_cols); ++ct) {
          for (std::int64_t rt = 0; rt < row_tiles;) {
            // A whole group when one fits a round; a taller one fills rounds.
            if (in_round == total || (row_tiles <= total && in_round + row_tiles > total)) {
              next_round();
            }
            const std::int64_t take = std::min(row_tiles - rt, total - in_round);
            chunks[li].push_back(Chunk{g, ct, rt, rt + take, round});
            in_round += take;
            round_used = true;
            rt += take;
          }
        }
      }
    }
    round_used = true;
    round_of[li] = round;
    if (split) next_round();  // its readers in rounds after it
  }
  if (!round_used) --round;  // nothing after the last split layer
  const int rounds = round + 1;
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
  int placing = 0;        // the round `next` counts in
  const auto enter_round = [&](int r) {
    if (r != placing) next = 0;  // a new round: crossbars anew
    placing = r;
  };
  int last_weighted_pe = 0;
  plan.layers.resize(layers);
  for (std::size_t li = 0; li < layers; ++li) {
    const Layer& layer = network.layers[li];
    LayerPlan& lp = plan.layers[li];
    lp.layer = int(li);
    lp.round = round_of[li];
    lp.first_round = first_round_of[li];
    enter_round(lp.first_round);
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
    for (const Chunk& chunk : chunks[li]) {
      // Tiles cover the kept columns only, packed: pruned columns take no cells.
      const std::int64_t m = chunk.matrix;
      const auto kept = std::int64_t(lp.kept_columns[std::size_t(m)].size());
      lp.col_tiles = std::max(lp.col_tiles, ceil_div(kept, tile_cols));
      enter_round(chunk.round);
      OutputGroup group;
      group.matrix = m;
      group.col_begin = chunk.col_tile * tile_cols;
      group.cols = std::min(tile_cols, kept - group.col_begin);
      group.round = chunk.round;
      if (chunk.row_tile_begin > 0) group.carry_from = int(lp.groups.size()) - 1;
      group.carry_out = chunk.row_tile_end < lp.row_tiles;
      for (std::int64_t rt = chunk.row_tile_begin; rt < chunk.row_tile_end; ++rt) {
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
        if (rt == chunk.row_tile_begin) {
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
    for (int t : lp.tiles) lp.pes.push_back(plan.tiles[std::size_t(t)].pe);
    std::sort(lp.pes.begin(), lp.pes.end());
    lp.pes.erase(std::unique(lp.pes.begin(), lp.pes.end()), lp.pes.end());
    // The loader never lets every channel be pruned, but a hand-built layer
    // could; it then has no tiles and no PE of its own.
    if (!lp.tiles.empty()) last_weighted_pe = plan.tiles[std::size_t(lp.tiles.front())].pe;
    enter_round(lp.round);
  }
  // Crossbars holding a tile in any round.
  plan.crossbars_used = distinct_crossbars(plan);
  std::vector<bool> used(std::size_t(arch.chip.pes()), false);
  for (const LayerPlan& lp : plan.layers) {
    for (int pe : lp.pes) used[std::size_t(pe)] = true;
  }
  plan.pes_used = int(std::count(used.begin(), used.end(), true));
  return plan;
}

}  // namespace reramsim::mapping
