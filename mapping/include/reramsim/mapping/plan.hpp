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
// Rows and columns are those of the weight matrix (workloads::lower); the
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
};

// Partial sums of row tiles that share (matrix, column range) are added on
// the PE of the first row tile (the reducer), which requantizes and sends the
// result to the global buffer.
struct OutputGroup {
  std::int64_t matrix = 0;
  std::int64_t col_begin = 0;
  std::int64_t cols = 0;
  int reducer_pe = 0;
  std::vector<int> tiles;         // indices into MappingPlan::tiles, row order
  std::vector<int> contributors;  // PEs other than the reducer holding tiles of it
};

struct LayerPlan {
  int layer = 0;
  workloads::MatrixShape shape;  // zero for layers without weights
  std::int64_t row_tiles = 0;    // per matrix
  std::int64_t col_tiles = 0;    // per matrix
  std::vector<int> tiles;        // indices into MappingPlan::tiles
  std::vector<OutputGroup> groups;
  std::vector<int> pes;  // PEs taking part (holding tiles, or running the ALU/SFU work)
};

struct MappingPlan {
  std::string mapper;  // "simple"
  std::vector<CrossbarTile> tiles;
  std::vector<LayerPlan> layers;  // parallel to network.layers
  std::int64_t crossbars_used = 0;
  std::int64_t cells_used = 0;  // rows x physical columns of every tile, references included
  std::int64_t reference_cells = 0;  // of which the sign scheme's reference columns
  int pes_used = 0;
};

// One step of a PE's program: the layers it takes part in, in execution order.
struct PeTask {
  enum class Kind { mvm, vector_op };
  Kind kind = Kind::mvm;
  int layer = 0;
  std::vector<int> tiles;   // mvm: tiles on this PE
  std::vector<int> groups;  // mvm: indices into LayerPlan::groups this PE reduces
  std::vector<int> sends;   // mvm: groups whose partial sums this PE sends to a reducer
};

struct PeProgram {
  std::vector<PeTask> tasks;
};

// The skeleton mapper: each weighted layer's matrices are cut into
// crossbar-sized tiles (rows x weights_per_row), placed one tile per
// crossbar in PE order, no replication; layers without weights run on the ALU
// of the PE holding the previous weighted layer's first tile (PE 0 otherwise).
// Throws workloads::InputError when the chip has too few crossbars.
MappingPlan map_simple(const workloads::Network& network, const arch::ArchConfig& arch);

std::vector<PeProgram> make_programs(const workloads::Network& network,
                                     const arch::ArchConfig& arch, const MappingPlan& plan);

}  // namespace reramsim::mapping
