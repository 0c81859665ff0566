#include <algorithm>
#include <map>

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

// Crossbars a layer needs under one-tile-per-crossbar tiling.
std::int64_t crossbars_needed(const workloads::MatrixShape& m, std::int64_t tile_rows,
                              std::int64_t tile_cols) {
  return m.matrices * ceil_div(m.rows, tile_rows) * ceil_div(m.cols, tile_cols);
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
    if (l.has_weights()) needed += crossbars_needed(workloads::lower(l), tile_rows, tile_cols);
  }
  if (needed > arch.total_crossbars()) {
    throw InputError(network.file + ": network '" + network.name + "' needs " +
                     std::to_string(needed) + " crossbars without replication, but " + arch.file +
                     " has " + std::to_string(arch.total_crossbars()));
  }

  std::int64_t next = 0;  // next free crossbar, chip-wide, PE-major
  int last_weighted_pe = 0;
  plan.layers.resize(network.layers.size());
  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    const Layer& layer = network.layers[li];
    LayerPlan& lp = plan.layers[li];
    lp.layer = int(li);
    if (!layer.has_weights()) {
      lp.pes = {last_weighted_pe};
      continue;
    }
    lp.shape = workloads::lower(layer);
    lp.row_tiles = ceil_div(lp.shape.rows, tile_rows);
    lp.col_tiles = ceil_div(lp.shape.cols, tile_cols);
    for (std::int64_t m = 0; m < lp.shape.matrices; ++m) {
      for (std::int64_t ct = 0; ct < lp.col_tiles; ++ct) {
        OutputGroup group;
        group.matrix = m;
        group.col_begin = ct * tile_cols;
        group.cols = std::min(tile_cols, lp.shape.cols - group.col_begin);
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
          plan.cells_used += tile.rows * (tile.cols * arch.weight_columns() + arch.reference_columns());
          plan.reference_cells += tile.rows * arch.reference_columns();
        }
        lp.groups.push_back(std::move(group));
      }
    }
    for (int t : lp.tiles) lp.pes.push_back(plan.tiles[std::size_t(t)].pe);
    std::sort(lp.pes.begin(), lp.pes.end());
    lp.pes.erase(std::unique(lp.pes.begin(), lp.pes.end()), lp.pes.end());
    last_weighted_pe = plan.tiles[std::size_t(lp.tiles.front())].pe;
  }
  plan.crossbars_used = next;
  plan.pes_used = int(ceil_div(next, per_pe));
  return plan;
}

std::vector<PeProgram> make_programs(const Network& network, const arch::ArchConfig& arch,
                                     const MappingPlan& plan) {
  std::vector<PeProgram> programs(std::size_t(arch.chip.pes()));
  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    const LayerPlan& lp = plan.layers[li];
    if (!network.layers[li].has_weights()) {
      PeTask task;
      task.kind = PeTask::Kind::vector_op;
      task.layer = int(li);
      programs[std::size_t(lp.pes.front())].tasks.push_back(task);
      continue;
    }
    std::map<int, PeTask> tasks;  // by PE, ordered for determinism
    for (int t : lp.tiles) {
      PeTask& task = tasks[plan.tiles[std::size_t(t)].pe];
      task.kind = PeTask::Kind::mvm;
      task.layer = int(li);
      task.tiles.push_back(t);
    }
    for (std::size_t g = 0; g < lp.groups.size(); ++g) {
      const OutputGroup& group = lp.groups[g];
      tasks[group.reducer_pe].groups.push_back(int(g));
      for (int pe : group.contributors) tasks[pe].sends.push_back(int(g));
    }
    for (auto& [pe, task] : tasks) programs[std::size_t(pe)].tasks.push_back(std::move(task));
  }
  return programs;
}

}  // namespace reramsim::mapping
