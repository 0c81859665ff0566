// Per-PE programs in the four-category ISA (docs/isa.md), generated from the
// mapping plan: the instruction LUT contents and the descriptor table the
// instructions index. Both are loaded into a PE at configuration time (C-type
// instruction fetch and data load); the PE's controller then runs them.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/isa/isa.hpp"
#include "reramsim/mapping/order.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/reference.hpp"

namespace reramsim::mapping {

// One entry of a PE's descriptor table: the geometry an instruction works on,
// copied from the plan so the PE needs nothing else at run time.
struct Descriptor {
  enum class Kind { layer, tile, group, input };
  Kind kind = Kind::layer;
  int layer = 0;
  // tile: the crossbar block (weight-matrix coordinates; columns index the
  // layer's kept columns, see LayerPlan) and the output group it feeds.
  int tile = -1;  // index in MappingPlan::tiles, for statistics only
  std::int64_t matrix = 0;
  std::int64_t row_begin = 0;
  std::int64_t rows = 0;
  std::int64_t col_begin = 0;
  std::int64_t cols = 0;
  int group = -1;  // tile and group: the output group within the layer
  int crossbar = 0;
  int block = 0;  // tile: its block within the crossbar (crossbars may hold several)
  // tile: its input-cycle group (SPATEM's ib) and how many the layer has.
  int bit_group = 0;
  int bit_groups = 1;
  // tile, group and input: the weight copies of the layer (SPATEM's iw),
  // which fix how its parts split rows (order.hpp, part_windows).
  int replicas = 1;
  // group on a PE that contributes to it without reducing it: its sends
  // carry partial sums to the reducer, not outputs.
  bool partial = false;
  // group and layer: the requantization shift of the layer's outputs.
  int shift = 0;
  // group: the output channel each of its columns produces, and for a
  // locally connected layer the output position (y * W + x) it computes
  // (-1 for conv and fc, whose groups cover every position).
  std::vector<std::int32_t> channels;
  std::int64_t position = -1;
  // group of a layer with an executed BatchNorm: its parameters for each of
  // the group's columns (the channels they produce), and its shift.
  std::vector<std::int32_t> bn_mean, bn_var, bn_gamma, bn_beta;
  int bn_shift = 0;
  // input: the layer `layer` reads the output of `source` (a layer, or
  // workloads::kNetworkInput), which arrives in packets of one output row
  // each; `packets_per_row` of them complete a row.
  int source = 0;
  int packets_per_row = 1;
};

struct PeProgram {
  std::vector<isa::Instruction> code;
  std::vector<Descriptor> table;
};

// Emits every PE's program (docs/isa.md, "Programs the mapper emits"). A
// layer's part has a front: receive the input rows it needs (N.dist from the
// dispatch unit for the network input, N.local from the producing PEs) and
// an R-type MVM per crossbar tile; and a back, one part behind so the
// arithmetic of part p overlaps the crossbars' part p+1 (Fig. 6): A.add of
// row tiles of one output group, partial sums to the reducing PE (N.local)
// or, on the reducer, receive and add them, requantize (A.shift), run an
// executed BatchNorm (its per-column factors A.rsqrt, A.mul once at the
// program's start; A.sub, A.mul, A.shift, A.add, A.shift per part), apply
// ReLU (A.relu) and send the outputs over the mesh to every PE running a
// consumer layer (N.local; to itself without the NoC), or up the collection
// tree (N.coll) for a network output. Layers without weights run one A-type
// layer operation per part. A PE holding one layer runs it as a loop
// (C.loop, C.lag); a PE holding several runs their parts interleaved in the
// ordering step's order (order_blocks), each block after a C.part naming its
// part. Every program ends with C.halt. The quantized network gives each
// layer's requantization shift (calibrated) and executed-BatchNorm
// parameters, copied into the descriptors. A plan of several rounds has a
// set of programs per round: those of `round`'s layers, whose inputs from
// other rounds (and the network input) come from the dispatch unit (N.dist)
// and whose outputs read in other rounds also go up (N.coll).
std::vector<PeProgram> make_programs(const workloads::Network& network,
                                     const arch::ArchConfig& arch, const MappingPlan& plan,
                                     const workloads::QuantizedNetwork& qnet, int round = 0);
// Every round's programs, [round][pe]: make_programs for each round, the
// work that does not depend on the round (block indices, the ordering
// step's estimates) done once, so thousands of rounds stay cheap.
std::vector<std::vector<PeProgram>> make_round_programs(const workloads::Network& network,
                                                        const arch::ArchConfig& arch,
                                                        const MappingPlan& plan,
                                                        const workloads::QuantizedNetwork& qnet);

}  // namespace reramsim::mapping
