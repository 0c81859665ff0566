// The mapping plan: where every piece of every weight matrix lives, and what
// each PE does. Produced at elaboration time from network + architecture;
// consumed by the hardware model, which never calls back into the mapper.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// A rectangular piece of one weight matrix of one layer, held by one crossbar.
// Rows are those of the weight matrix (workloads::lower); columns
// col_begin .. col_begin+cols-1 index the matrix's KEPT columns (pruned output
// channels take no cells), so kept column k is matrix column
// LayerPlan::column(matrix, k), the same number when nothing is pruned. The
// crossbar spends `cols * weight_columns + reference_columns` physical columns
// on it (arch::ArchConfig).
struct CrossbarTile {
  int layer = 0;
  std::int64_t matrix = 0;
  std::int64_t row_begin = 0;
  std::int64_t rows = 0;
  std::int64_t col_begin = 0;
  std::int64_t cols = 0;
  int pe = 0;
  int crossbar = 0;  // index within the PE
  int group = 0;     // index into its LayerPlan::groups
  // Replication (SPATEM's partition degrees): the tile belongs to weight copy
  // `replica` (iw: replicas share the layer's parts, replica r computing
  // parts p with p % replicas == r) and to input-cycle group `bit_group` (ib:
  // the copies of one replica split the input cycles, bit group b taking
  // DAC digits [b * ceil(K / ib), (b + 1) * ceil(K / ib)) of each input, their
  // shifted results adding up like row tiles').
  int replica = 0;
  int bit_group = 0;
  // Where the block sits in its crossbar (cells; packing puts blocks of
  // several layers into one crossbar, each OU-aligned). 0, 0 for one tile
  // per crossbar.
  std::int64_t xbar_row = 0;
  std::int64_t xbar_col = 0;
};

// Partial sums of row tiles that share (matrix, column range) are added on
// the PE of the first row tile (the reducer), which requantizes and sends the
// result to the global buffer. The column range indexes kept columns, as in
// CrossbarTile.
struct OutputGroup {
  std::int64_t matrix = 0;
  int replica = 0;  // the weight copy whose parts it computes
  // The round its tiles are programmed in: the layer's, except for a layer
  // larger than the chip, whose groups spread over rounds of their own.
  int round = 0;
  // A group too tall for one round is cut by rows into a chain of groups in
  // consecutive rounds, carried through the global buffer: all but the last
  // send their partial sums up the collection tree (carry_out) instead of
  // outputs, and the next in the chain receives them down the fat tree
  // (carry_from, the index of that group in LayerPlan::groups) and adds them
  // to its own before it requantizes.
  bool carry_out = false;
  int carry_from = -1;
  std::int64_t col_begin = 0;
  std::int64_t cols = 0;
  int reducer_pe = 0;
  std::vector<int> tiles;         // indices into MappingPlan::tiles: bit group, then row order
  std::vector<int> contributors;  // PEs other than the reducer holding tiles of it
};

struct LayerPlan {
  int layer = 0;
  workloads::MatrixShape shape;  // zero for layers without weights
  std::int64_t row_tiles = 0;    // per matrix
  // Per matrix: ceil(kept columns / weights per row). Only a grouped conv
  // pruned unevenly across its groups has matrices that need fewer; this is
  // the most any matrix needs.
  std::int64_t col_tiles = 0;
  int replicas = 1;    // iw
  int bit_groups = 1;  // ib
  // The round the layer runs in: a network larger than the chip runs in
  // rounds, the crossbars reprogrammed between them (001 Section VII.B's
  // partial networks); data crossing rounds goes through the global buffer.
  // A layer larger than the chip spreads its output groups over rounds
  // first_round .. round, which hold no other layer (OutputGroup::round).
  int round = 0;
  int first_round = 0;
  // Global folding (001 Table III): the layer's outputs reach its readers in
  // the same round over the global network (up the collection tree, relayed
  // by the dispatch unit down the fat tree) instead of the mesh.
  bool global_out = false;
  std::vector<int> tiles;  // indices into MappingPlan::tiles
  std::vector<OutputGroup> groups;
  std::vector<int> pes;  // PEs taking part (holding tiles, or running the ALU/SFU work)
  // Per matrix, its unpruned columns ascending (workloads::kept_columns);
  // empty for layers without weights.
  std::vector<std::vector<std::int64_t>> kept_columns;
  // The layer has pruned outputs: its tiles skip columns, so the PE runs their
  // MVMs in the indexing filter's sparse form (R.conv.sparse, 001 Section V).
  bool sparse = false;

  bool runs_in(int r) const { return first_round <= r && r <= round; }

  // The real matrix column of the k-th kept column of `matrix`.
  std::int64_t column(std::int64_t matrix, std::int64_t k) const {
    return kept_columns[std::size_t(matrix)][std::size_t(k)];
  }
};

struct MappingPlan {
  std::string mapper;  // "simple", "spatem", "isaac", "hitm"
  std::vector<CrossbarTile> tiles;
  std::vector<LayerPlan> layers;      // parallel to network.layers
  std::int64_t crossbars_used = 0;    // crossbars holding at least one tile
  std::int64_t shared_crossbars = 0;  // of which hold tiles of more than one layer
  int rounds = 1;
  std::int64_t cells_used = 0;       // rows x physical columns of every tile, references included
  std::int64_t reference_cells = 0;  // of which the sign scheme's reference columns
  int pes_used = 0;
};

// The round a tile is programmed in (its group's).
inline int tile_round(const MappingPlan& plan, const CrossbarTile& tile) {
  return plan.layers[std::size_t(tile.layer)].groups[std::size_t(tile.group)].round;
}

// Width of a partial sum on the wire: the operands' bits plus the growth of a
// sum of `rows` products (ceil(log2 rows)).
int partial_sum_bits(const arch::ArchConfig& arch, std::int64_t rows);

// Crossbars holding a tile, counted once per round they are programmed in
// (MappingPlan::crossbars_used for a plan of one round): what cell
// utilization divides by.
std::int64_t programmed_crossbars(const MappingPlan& plan);
// Crossbars holding a tile in any round, each counted once
// (MappingPlan::crossbars_used).
std::int64_t distinct_crossbars(const MappingPlan& plan);

// Each tile's block index within its crossbar: crossbars take their tiles in
// plan order, so the k-th tile of a (pe, crossbar) in a round is its block k.
std::vector<int> block_indices(const MappingPlan& plan);

// The input bits an input-cycle group sees: its DAC digits of the
// activation, ceil(K / bit_groups) of them (fewer for the last group) times
// the DAC's bits; the activation width when bit_groups is 1.
int bit_group_input_bits(const arch::ArchConfig& arch, int bit_group, int bit_groups);

// The bytes a plan moves per inference, as the generated programs move them
// (docs/mapping.md, "Communication"): the network input down the fat tree
// once, each output group's partial sums from every contributing PE to its
// reducer and its outputs to every other PE running a layer that reads
// them over the mesh, the network outputs up the collection tree; with
// rounds, data crossing them through the global buffer.
// Per-packet rounding to whole bytes included.
struct PlanTraffic {
  std::int64_t input_bytes = 0;
  std::int64_t activation_bytes = 0;
  std::int64_t partial_sum_bytes = 0;
  std::int64_t output_bytes = 0;
  // Partial sums carried across rounds (a group cut over rounds), each way:
  // up the collection tree to the global buffer, then down the fat tree.
  std::int64_t carried_bytes = 0;
  std::int64_t total() const {
    return input_bytes + activation_bytes + partial_sum_bytes + output_bytes + 2 * carried_bytes;
  }
};
PlanTraffic estimate_traffic(const workloads::Network& network, const arch::ArchConfig& arch,
                             const MappingPlan& plan);

// The skeleton mapper: each weighted layer's matrices, reduced to their kept
// columns, are cut into crossbar-sized tiles (rows x weights_per_row), placed
// one tile per crossbar in PE order, no replication. When the chip has PEs
// enough, every weighted layer starts on a fresh PE, and then every layer
// without weights gets a PE of its own (its ALU/SFU), so that layers pipeline
// across PEs; otherwise tiles fill PEs in order and a layer without weights
// runs on the PE holding the previous weighted layer's first tile (PE 0
// before any).
// A network larger than the chip runs in rounds (LayerPlan::round), a layer
// larger than the chip in rounds of its own (OutputGroup::round).
MappingPlan map_simple(const workloads::Network& network, const arch::ArchConfig& arch);

}  // namespace reramsim::mapping
