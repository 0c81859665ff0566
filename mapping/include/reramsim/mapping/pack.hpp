// SPATEM's packing step (000_95e50d1ef642925c.txt, "Packing Step"): a
// partition strategy's MVM blocks packed onto virtual crossbars by greedy
// worst-fit, several blocks (of any layers) to a crossbar, each on whole
// operation units (OUs) so that it is activated on its own. The candidates of
// the partitioning step are tried in ascending estimated latency until one
// fits the chip. SystemC-free; the rules are in docs/mapping.md, "Packing step".
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// A rectangular piece of one replica of one weight matrix: at most
// crossbar.rows rows and weights_per_row() weight columns of one of the
// hwm x wwm parts. Rows are weight-matrix rows; columns index the matrix's
// KEPT columns, as CrossbarTile (plan.hpp).
struct MvmBlock {
  int layer = 0;  // index in Network::layers
  std::int64_t matrix = 0;
  int iw = 0;  // replica along the input windows, [0, degrees.iw)
  int ib = 0;  // replica along the input cycles, [0, degrees.ib)
  std::int64_t row_begin = 0;
  std::int64_t rows = 0;
  std::int64_t col_begin = 0;
  std::int64_t cols = 0;           // weight columns
  std::int64_t physical_cols = 0;  // cols * weight_columns()
  std::int64_t cells() const { return rows * physical_cols; }
};

// Where a block sits in its virtual crossbar: the cell of its top-left
// weight. Both offsets are multiples of the OU's rows and columns.
struct BlockPlacement {
  int block = 0;  // index into Packing::blocks
  std::int64_t row = 0;
  std::int64_t col = 0;
};

// The blocks one physical crossbar will hold, in the order they were placed.
struct VirtualCrossbar {
  std::vector<BlockPlacement> blocks;
};

struct Packing {
  // Every block placed within the budget. When false, `crossbars` holds the
  // state at the block that would have needed one crossbar too many.
  bool feasible = false;
  std::int64_t budget = 0;
  std::vector<MvmBlock> blocks;            // as make_blocks produced them
  std::vector<VirtualCrossbar> crossbars;  // in the order they were opened
  // Block cells plus the reference cells: each used crossbar's reference
  // columns over the rows its blocks occupy.
  std::int64_t cells_used = 0;
  std::int64_t reference_cells = 0;
  std::int64_t multi_layer_crossbars = 0;  // crossbars holding blocks of more than one layer

  std::int64_t crossbars_used() const { return std::int64_t(crossbars.size()); }
};

// The blocks of a strategy: per weighted layer, matrix, iw replica, ib
// replica, row part, column part, row piece and column piece, in that order.
// A matrix of a conv pruned unevenly across its groups has its own kept
// columns; parts beyond them are empty and give no block. Throws
// std::invalid_argument when the candidate's degrees do not match the network
// (one per layer, is_valid for every weighted layer).
std::vector<MvmBlock> make_blocks(const workloads::Network& network, const arch::ArchConfig& arch,
                                  const PartitionCandidate& candidate);

// Greedy worst-fit decreasing over arbitrary blocks (each must fit an empty
// crossbar: rows <= crossbar.rows, physical_cols <= crossbar.cols -
// reference_columns(); std::invalid_argument otherwise). Blocks are taken in
// descending OU footprint; each goes to the open virtual crossbar with the
// most free cells that can place it, at its top-most, then left-most free
// OU-aligned position; a crossbar is opened when none can. Infeasible (not
// thrown) when more than `budget` crossbars would be needed.
Packing pack_blocks(std::vector<MvmBlock> blocks, const arch::ArchConfig& arch,
                    std::int64_t budget);

// pack_blocks(make_blocks(...)) within `budget` crossbars, by default the chip's.
Packing pack(const workloads::Network& network, const arch::ArchConfig& arch,
             const PartitionCandidate& candidate, std::int64_t budget);
Packing pack(const workloads::Network& network, const arch::ArchConfig& arch,
             const PartitionCandidate& candidate);

struct PackChoice {
  int candidate = -1;  // index of the first candidate that packs; -1 when none does
  Packing packing;     // its packing (the last one tried when none fits)
};

// Tries the candidates in the given order (Partitioner::candidates ranks them
// by ascending estimated latency) and stops at the first that packs within
// `budget` crossbars, by default the chip's.
PackChoice pack_first_fitting(const workloads::Network& network, const arch::ArchConfig& arch,
                              const std::vector<PartitionCandidate>& candidates,
                              std::int64_t budget);
PackChoice pack_first_fitting(const workloads::Network& network, const arch::ArchConfig& arch,
                              const std::vector<PartitionCandidate>& candidates);

}  // namespace reramsim::mapping
