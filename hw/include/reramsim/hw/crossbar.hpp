// A ReRAM crossbar computing matrix-vector multiplies on the weights
// programmed into it, through its bit-level datapath (bit-sliced cells, the
// sign scheme, bit-serial DAC input, OU sequencing, ADC quantization of every
// OU partial sum, shift-and-add: hw::CrossbarDatapath, docs/hardware.md).
//
// Timing (closed form): each input vector takes K = ceil(activation_bits /
// dac_bits) input cycles; in each, the OUs holding mapped cells run one after
// another, ceil(rows / ou_rows) x ceil(physical columns / ou_cols) OU steps of
// `ou_step` cycles. The crossbar is busy for vectors x that.
//
// Two modes agree on time (tests/hw/fine_grained_test.cpp):
// - fast (default): one transaction computes every vector at once, values by
//   the vectorized datapath, time annotated in closed form;
// - fine-grained: the transaction waits one OU step at a time, computing each
//   step's contribution, and traces the OU it is in, for waveform inspection
//   of a small region. b_transport then consumes simulated time (call it from
//   a thread with the local time synchronised).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/passthrough_target_socket.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "reramsim/hw/crossbar_datapath.hpp"
#include "reramsim/hw/run_context.hpp"

namespace reramsim::hw {

// Attached to a generic payload sent to mvm_socket.
class MvmExtension : public tlm::tlm_extension<MvmExtension> {
 public:
  const std::int32_t* inputs = nullptr;  // vectors x rows
  std::int64_t vectors = 0;
  bool signed_inputs = true;        // false: inputs are known non-negative (after ReLU)
  std::int64_t* outputs = nullptr;  // vectors x cols, overwritten
  int block = 0;                    // which programmed block (packing puts several in one crossbar)
  bool count_macs = true;           // false for bit groups after the first (MACs counted once)
  tlm::tlm_extension_base* clone() const override { return new MvmExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const MvmExtension&>(other);
  }
};

class Crossbar : public sc_core::sc_module {
 public:
  tlm_utils::passthrough_target_socket<Crossbar> mvm_socket;

  Crossbar(sc_core::sc_module_name name, RunContext& context);

  // Programs a rows x cols block of weights (row-major), as a C-type weight
  // load before inference; counts the rows written. Packing may place
  // several blocks in one crossbar (disjoint OU-aligned regions, from row
  // `row_offset`); each is activated by its own OUs, and they take turns.
  // `activation_bits` is the input width the block sees: the configured
  // one, or fewer for an input-cycle group (its inputs then unsigned).
  // Returns the block's index.
  int program(std::int64_t rows, std::int64_t cols, std::vector<std::int16_t> weights,
              std::int64_t row_offset = 0, int activation_bits = 0);
  // Switches to the fine-grained mode (an event per OU step).
  void set_fine_grained(bool fine);
  // Whether this crossbar appears in the waveform (when one is recorded).
  void set_traced(bool traced) { m_traced = traced; }
  bool fine_grained() const { return m_fine; }

  int blocks() const { return int(m_blocks.size()); }
  // Forgets every block (reprogramming for the next round).
  void clear() {
    m_blocks.clear();
    m_written_rows = 0;
  }
  std::int64_t rows(int block = 0) const {
    return m_blocks[std::size_t(block)].datapath->params().rows;
  }
  std::int64_t cols(int block = 0) const {
    return m_blocks[std::size_t(block)].datapath->params().cols;
  }
  // Rows holding weights (the last programmed row + 1): what programming writes.
  std::int64_t written_rows() const { return m_written_rows; }
  // sum_r w[r][n] of a block: the correction of offset-binary inputs.
  const std::vector<std::int64_t>& column_sums(int block) const {
    return m_blocks[std::size_t(block)].datapath->column_sums();
  }
  // OU steps per input cycle for a programmed block.
  std::int64_t ou_steps(int block = 0) const;
  // Cycles for a block to multiply `vectors` input vectors (closed form above).
  std::int64_t mvm_cycles(std::int64_t vectors, int block = 0) const;

 private:
  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload);
  void count(const MvmExtension& mvm, const DatapathCounts& counts);
  void step_through(const MvmExtension& mvm, DatapathCounts& counts);

  struct Block {
    std::unique_ptr<CrossbarDatapath> datapath;
  };
  RunContext& m_context;
  std::vector<Block> m_blocks;
  std::int64_t m_written_rows = 0;
  bool m_fine = false;
  bool m_traced = true;
  sc_core::sc_time m_busy_until;
  int m_trace_signal = -1;
  int m_trace_cycle = -1;  // fine-grained: input cycle, row group, column group
  int m_trace_row_group = -1;
  int m_trace_col_group = -1;
};

}  // namespace reramsim::hw
