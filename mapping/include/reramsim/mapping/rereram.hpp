// Re-ReRAM's workload mapping (001_ea7aef8f81a45a7e.txt, Section VII): the
// "local mapping" of Table III, where every layer's group of PEs is compact
// and consecutive layer groups are mesh neighbours, so that inter-layer
// traffic stays on the local mesh.
//
// - Allocation, Algorithm 3 ("in-demand resource re-allocate mapping
//   optimization"): start from one copy of every weighted layer and, one
//   iteration at a time, give the slowest pipeline stage more crossbars while
//   the estimated latency drops and the chip's crossbars last.
// - Placement, Algorithm 2 ("relevance ranking based workload mapping"):
//   layers in network order, each layer's crossbars filled into as few PEs as
//   possible before the next layer starts, PEs taken in a serpentine order of
//   the mesh so that consecutive PEs are neighbours.
//
// Global folding (Fig. 11) is not built. SystemC-free; the rules are in
// docs/mapping.md, "Re-ReRAM mappings: local mapping with Algorithms 2 and 3".
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/assign.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/mapping/pack.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// How an iteration of Algorithm 3 gives a layer more resources.
enum class ReallocationMove {
  // iw doubled, capped at V: twice the weight copies share the input
  // windows, so the layer's compute time halves (the paper's move: "compute
  // latency decreased to half while transfer bandwidth stay the same").
  double_iw,
  // The smallest useful hwm above the current one (useful_degrees(K)) that
  // lowers the layer's stage time: shorter row parts need fewer OU steps
  // where ou.rows < crossbar.rows. Tried only when doubling iw is impossible
  // (iw = V) or refused.
  split_rows,
};
const char* to_string(ReallocationMove move);

// The degrees `move` gives a layer, or false when the move does not apply
// (iw = V for double_iw) or does not strictly lower its stage_time.
bool next_degrees(const MvmProblem& problem, const PartitionDegrees& current, ReallocationMove move,
                  const arch::ArchConfig& arch, PartitionDegrees& next);

// One layer's change in one iteration of Algorithm 3.
struct LayerReallocation {
  int layer = 0;  // index in Network::layers
  PartitionDegrees before;
  PartitionDegrees after;
  std::int64_t stage_before = 0;  // stage_time (baselines.hpp) at `before`
  std::int64_t stage_after = 0;   // ... at `after`, always smaller
  std::int64_t crossbars_added = 0;
};

// One iteration of Algorithm 3: every layer whose stage time equals the
// slowest one gets more resources at once by the same move (with one such
// layer, it alone: improving one of several tied layers cannot shorten the
// slowest stage).
struct ReallocationStep {
  ReallocationMove move = ReallocationMove::double_iw;
  std::vector<LayerReallocation> layers;  // network order
  std::int64_t slowest_before = 0;        // the largest stage time before the step
  std::int64_t slowest_after = 0;         // ... after it, over every layer
  std::int64_t crossbars_added = 0;       // sum over `layers`
  std::int64_t crossbars = 0;             // total demand after the step
  std::int64_t latency_before = 0;        // pipelined_latency before the step
  std::int64_t latency = 0;               // ... after it
};

// Why Algorithm 3 refused a step.
enum class ReallocationStop {
  no_option,    // a slowest layer cannot make the move (next_degrees false)
  over_budget,  // the step needs more crossbars than the budget
  no_gain,      // the step does not lower the estimated latency
};
const char* to_string(ReallocationStop stop);

struct Reallocation {
  // The last accepted mapping, as Partitioner computes a candidate's
  // crossbars, latency reduction (against degrees 1) and pipelined latency.
  PartitionCandidate candidate;
  std::int64_t initial_crossbars = 0;   // demand of S0 (all degrees 1)
  std::int64_t initial_latency = 0;     // pipelined_latency of S0
  std::int64_t initial_slowest = 0;     // largest stage time of S0
  std::vector<ReallocationStep> steps;  // the accepted iterations, in order
  // The two refused steps that ended it, double_iw then split_rows, with
  // their reasons; for no_option a step lists only the layers that could
  // make the move.
  ReallocationStep refused_double;
  ReallocationStop double_stop = ReallocationStop::no_option;
  ReallocationStep refused_split;
  ReallocationStop split_stop = ReallocationStop::no_option;
};

// Algorithm 3 on the network's weighted layers (lower_network) within
// `crossbars` crossbars (crossbar_demand, one crossbar per piece as the
// baselines count). Stage times are stage_time(layer_latency(...)), the
// estimate is pipelined_latency, as for the baselines. Each iteration takes
// every layer at the largest stage time and tries double_iw on all of them,
// then split_rows; a step is accepted when every such layer can make the
// move, the total demand stays within the budget and the estimate strictly
// drops. When neither step is accepted it stops. Throws
// std::invalid_argument naming the needed and available crossbars when S0
// does not fit.
Reallocation reallocate(const workloads::Network& network, const arch::ArchConfig& arch,
                        std::int64_t crossbars);

// The k-th PE of the serpentine (boustrophedon) walk of the chip.pe_x x
// chip.pe_y mesh: row 0 left to right, row 1 right to left, ...; PE ids are
// y * pe_x + x. Consecutive PEs of the walk are mesh neighbours. k in
// [0, chip.pes()).
int serpentine_pe(int k, const arch::ArchConfig& arch);

// Algorithm 2's placement of a packing: its virtual crossbars ranked by
// their first block in (layer, matrix, iw, col_begin, ib, row_begin) order,
// taken into the PEs of the serpentine walk, crossbar 0, 1, ... of each PE.
// When every weighted layer can start on a fresh PE (sum over layers of
// ceil(its crossbars / pe.crossbars()) <= chip.pes(), as map_simple's aligned
// mode), each does; otherwise layers continue on the current PE. A virtual
// crossbar belongs to the layer of its first block. `cus`, `pes` and
// `pe_of` describe the physical CUs and PEs used (virtual PE v is the v-th
// PE of the walk that holds crossbars); shared data as assign() counts it.
// Throws std::invalid_argument for an infeasible packing or one with more
// virtual crossbars than fit.
Assignment local_assignment(const Packing& packing, const arch::ArchConfig& arch);

}  // namespace reramsim::mapping
