// SPATEM's assigning step (000_95e50d1ef642925c.txt, "Assigning Step"):
// virtual crossbars merged into virtual CUs, virtual CUs into virtual PEs,
// greedily by the most shared data, and virtual PEs placed on the PE mesh in
// ascending distance. SystemC-free; the rules are in docs/mapping.md,
// "Assigning step".
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/pack.hpp"

namespace reramsim::mapping {

// Values two blocks exchange per input vector when they sit together: blocks
// of the same layer, matrix and iw replica (any ib replica) share the input
// values of their common weight-matrix rows and the outputs of their common
// kept columns (partial sums reduced together). Rows plus columns in common;
// 0 for blocks of different layers, matrices or iw replicas.
std::int64_t shared_data(const MvmBlock& a, const MvmBlock& b);
// Summed over every pair of blocks of two virtual crossbars.
std::int64_t shared_data(const Packing& packing, int crossbar_a, int crossbar_b);

// A physical crossbar: its PE (y * chip.pe_x + x on the mesh) and its index
// within the PE, cu * pe.crossbars_per_cu + slot.
struct CrossbarSlot {
  int pe = 0;
  int crossbar = 0;
};

struct Assignment {
  std::vector<CrossbarSlot> slots;    // per virtual crossbar (Packing::crossbars)
  std::vector<std::vector<int>> cus;  // virtual CU -> its virtual crossbars, in slot order
  std::vector<std::vector<int>> pes;  // virtual PE -> its virtual CUs, in CU order
  std::vector<int> pe_of;             // virtual PE -> physical PE
  std::int64_t shared_in_cus = 0;     // shared data between crossbars of one CU
  std::int64_t shared_in_pes = 0;     // between crossbars of one PE, not of one CU
};

// The packing's virtual crossbars in network order: ranked by their first
// block's (layer, matrix, iw, col_begin, ib, row_begin), so that an output
// group's row pieces are consecutive; stable for equal ranks.
std::vector<int> crossbars_in_network_order(const Packing& packing);

// Deterministic. Throws std::invalid_argument for an infeasible packing or
// one with more virtual crossbars than the chip has.
Assignment assign(const Packing& packing, const arch::ArchConfig& arch);

}  // namespace reramsim::mapping
