// Per-PE programs in the four-category ISA (docs/isa.md), generated from the
// mapping plan: the instruction LUT contents and the descriptor table the
// instructions index. Both are loaded into a PE at configuration time (C-type
// instruction fetch and data load); the PE's controller then runs them.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/isa/isa.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/reference.hpp"

namespace reramsim::mapping {

// One entry of a PE's descriptor table: the geometry an instruction works on,
// copied from the plan so the PE needs nothing else at run time.
struct Descriptor {
  enum class Kind { layer, tile, group };
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
  // group and layer: the requantization shift of the layer's outputs.
  int shift = 0;
  // group of a layer with an executed BatchNorm: its parameters for each of
  // the group's columns (the channels they produce), and its shift.
  std::vector<std::int32_t> bn_mean, bn_var, bn_gamma, bn_beta;
  int bn_shift = 0;
};

struct PeProgram {
  std::vector<isa::Instruction> code;
  std::vector<Descriptor> table;
};

// Emits every PE's program (docs/isa.md, "Programs the mapper emits"). A
// layer's instructions on a PE: receive its input from the distribution
// network into one of the two convolution buffers (alternating per layer);
// an R-type MVM per crossbar tile; A.add of row tiles of one output group;
// partial sums to the reducing PE over the mesh (N.local), or, on the
// reducer, receive and add them, requantize (A.shift), run an executed
// BatchNorm (A.rsqrt, A.mul, A.sub, A.mul, A.shift, A.add, A.shift), apply
// ReLU (A.relu) and send the outputs up the collection tree (N.coll). Layers without
// weights are one A-type layer operation. Every program ends with C.halt.
// The quantized network gives each layer's requantization shift (calibrated)
// and executed-BatchNorm parameters, copied into the descriptors.
std::vector<PeProgram> make_programs(const workloads::Network& network,
                                     const arch::ArchConfig& arch, const MappingPlan& plan,
                                     const workloads::QuantizedNetwork& qnet);

}  // namespace reramsim::mapping
