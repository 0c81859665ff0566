// From a mapper's choices to the MappingPlan the hardware runs: SPATEM's
// partitioning, packing and assigning steps (partition.hpp, pack.hpp,
// assign.hpp), or the ISAAC and HitM replication baselines (baselines.hpp)
// followed by the same packing and assigning, or Re-ReRAM's local mapping
// (rereram.hpp), or the skeleton mapper (map_simple). SystemC-free; the
// rules are in docs/mapping.md, "From passes to a plan".
#pragma once

#include <string>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/assign.hpp"
#include "reramsim/mapping/pack.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/mapping/rereram.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// Turns a strategy and its packing and assignment into the plan the hardware
// runs: one CrossbarTile per MvmBlock, on the physical crossbar the
// assignment gives its virtual crossbar, at its placement's offsets; tiles
// ordered by (layer, matrix, replica, col_begin, bit_group, row_begin); one
// OutputGroup per (matrix, replica, col_begin); layers without weights on a
// PE of their own near their input while free PEs are left. Throws
// std::invalid_argument when the four do not belong together (degrees per
// layer, an infeasible packing, a slot per virtual crossbar, every block
// placed once, one width per output group).
MappingPlan make_plan(const workloads::Network& network, const arch::ArchConfig& arch,
                      const PartitionCandidate& candidate, const Packing& packing,
                      const Assignment& assignment, const std::string& mapper_name);

struct MapResult {
  MappingPlan plan;
  PartitionCandidate candidate;  // the strategy mapped (all degrees 1 for "simple")
  // Its packing; for "simple" the one tile per crossbar map_simple places,
  // in tile order, each block at (0, 0).
  Packing packing;
  int candidate_index = 0;   // of the strategy mapped among those tried
  int candidates_tried = 0;  // strategies packed (1 but for "spatem")
  // Algorithm 3's accepted iterations for "local" (reallocate), from S0 (all
  // degrees 1) to `candidate`; empty for the other mappers.
  std::vector<ReallocationStep> reallocation;
  // The network did not fit the chip with any of the mapper's strategies:
  // it runs in map_simple's rounds (one copy per layer fills each), and the
  // mapper maps each round's layers with the whole chip (a round holding a
  // layer larger than the chip keeps one copy). `candidate` then holds each
  // layer's degrees in its round and the rounds' estimates summed, `packing`
  // every round's crossbars in turn; `reallocation` stays empty.
  bool rounds_fallback = false;
};

// Maps a network with one of mapper_names():
// - "simple": map_simple; candidate all degrees 1;
// - "spatem": the partitioner's candidates at the chip's crossbars, then
//   all degrees 1 as a last resort (packing can fit what whole crossbars per
//   piece cannot, e.g. DeepFace on spatem.yaml), the first that packs, then
//   assign and make_plan;
// - "isaac", "hitm": isaac_replication / hitm_replication at the chip's
//   crossbars, then pack, assign and make_plan;
// - "local": Re-ReRAM's Algorithm 3 (reallocate) at the chip's crossbars,
//   then pack, Algorithm 2's placement (local_assignment) and make_plan.
// A network no strategy fits at once runs in map_simple's rounds, each
// round mapped on its own (MapResult::rounds_fallback). Throws
// std::invalid_argument for an unknown mapper (the message lists the valid
// ones).
MapResult map_network(const workloads::Network& network, const arch::ArchConfig& arch,
                      const std::string& mapper);

// "simple", "spatem", "isaac", "hitm", "local".
const std::vector<std::string>& mapper_names();

}  // namespace reramsim::mapping
