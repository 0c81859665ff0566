// SPATEM's ordering step (000_95e50d1ef642925c.txt, "Ordering Step"): the
// order in which each PE runs the parts of the layers it holds, so that every
// data dependency is met as soon as possible and layers sharing a PE pipeline
// part by part instead of running one after the other. SystemC-free;
// docs/mapping.md, "Ordering step", has the estimate and why the order
// cannot deadlock.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// The parts (rounds) a layer's work is cut into: one per output row for
// conv layers and layers without weights (pool, lrn, add, concat), so
// consecutive layers pipeline row by row; one for fc and locally connected
// layers, whose every output needs the whole input. A conv with more weight
// copies (`replicas`, SPATEM's iw) than output rows cuts each row into
// `layer_splits` parts of consecutive windows, so that every copy has work.
int layer_splits(const workloads::Layer& layer, int replicas);
int layer_parts(const workloads::Layer& layer, int replicas = 1);

// The output windows of a part: row `row`, positions x_begin .. x_begin +
// count - 1 (every position of every row for a layer of one part: row 0,
// count = out.h * out.w).
struct PartWindows {
  int row = 0;
  int x_begin = 0;
  int count = 0;
};
PartWindows part_windows(const workloads::Layer& layer, int replicas, int part);

// The last row of a source's output (shape `in`) that part `part` of
// `layer` reads: a window's last row for conv and pool, the same row for
// lrn, add and concat, every row when the layer has one part.
int last_input_row(const workloads::Layer& layer, const workloads::Shape& in, int part,
                   int replicas = 1);
// The first such row (0 for a layer of one part).
int first_input_row(const workloads::Layer& layer, const workloads::Shape& in, int part,
                    int replicas = 1);

// Per output row of `source` (a layer, or workloads::kNetworkInput), the PEs
// that read it, ascending: every PE running a layer that takes `source` as
// an input and runs a part whose windows reach the row (a PE holding some of
// a layer's weight copies runs only their parts). Rows go only there.
// Packets that complete one output row of a layer as its PEs send them: one
// per output group of the row's weight copy and run of windows (a locally
// connected layer's groups each cover one position), one for a layer
// without weights. Throws std::logic_error when groups are not uniform.
int output_packets_per_row(const workloads::Network& network, const MappingPlan& plan, int layer);

// With `round` >= 0, only readers in layers of that round.
std::vector<std::vector<int>> row_readers(const workloads::Network& network,
                                          const MappingPlan& plan, int source, int round = -1);

// Estimated cycles of every part of every layer, the list schedule the
// order follows (docs/mapping.md): `start` when its inputs are ready and its
// crossbars free, `out` when its outputs leave (for weighted layers after the
// next part's start, since the arithmetic lags the crossbars by one part).
struct LayerEstimate {
  std::int64_t part_cycles = 1;  // one part on the layer's slowest crossbar (or the ALU)
  std::vector<std::int64_t> start;
  std::vector<std::int64_t> out;
};
std::vector<LayerEstimate> estimate_parts(const workloads::Network& network,
                                          const arch::ArchConfig& arch, const MappingPlan& plan);

// One block of a PE's program: the front of a part (its receives and MVMs;
// for a layer without weights the whole part) or the back of a part of a
// weighted layer (the lagging arithmetic and sends).
struct Block {
  int layer = 0;
  int part = 0;
  bool back = false;
  bool operator==(const Block& o) const {
    return layer == o.layer && part == o.part && back == o.back;
  }
};

// Per PE, its blocks in program order: ascending estimated time (a back
// right after the next part's front, the last back after the last front),
// ties by layer, part, front first. Every receive then waits only for data
// that blocks earlier in this global order produce, so no PE can wait on
// another in a cycle.
// Only the layers of `round` (their sources in other rounds arrive from the
// global buffer, like the network input).
std::vector<std::vector<Block>> order_blocks(const workloads::Network& network,
                                             const arch::ArchConfig& arch, const MappingPlan& plan,
                                             int round = 0);
// The same from the plan's estimate_parts, computed once for every round.
std::vector<std::vector<Block>> order_blocks(const workloads::Network& network,
                                             const arch::ArchConfig& arch, const MappingPlan& plan,
                                             int round, const std::vector<LayerEstimate>& est);

}  // namespace reramsim::mapping
