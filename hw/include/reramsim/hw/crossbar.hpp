// A ReRAM crossbar computing matrix-vector multiplies on the weights
// programmed into it, one TLM transaction per batch of input vectors.
//
// Timing (closed form, docs/architecture.md): each input vector is fed in
// ceil(activation_bits / dac_bits) input cycles; in each, the OUs holding
// mapped weights run one after another, ceil(rows / ou_rows) x
// ceil(phys_cols / ou_cols) OU steps of `ou_step` cycles, where phys_cols =
// cols x weight_slices. The crossbar is busy for vectors x that.
//
// Values: the exact integer product (the bit-sliced, ADC-quantized datapath
// comes with the PE microarchitecture).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <vector>

#include "reramsim/hw/run_context.hpp"

namespace reramsim::hw {

// Attached to a generic payload sent to mvm_socket.
class MvmExtension : public tlm::tlm_extension<MvmExtension> {
 public:
  const std::int32_t* inputs = nullptr;  // vectors x rows
  std::int64_t vectors = 0;
  std::int64_t* outputs = nullptr;  // vectors x cols, overwritten
  tlm::tlm_extension_base* clone() const override { return new MvmExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const MvmExtension&>(other);
  }
};

class Crossbar : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Crossbar> mvm_socket;

  Crossbar(sc_core::sc_module_name name, RunContext& context);

  // Programs a rows x cols block of weights (row-major), as a C-type weight
  // load before inference; counts the rows written.
  void program(std::int64_t rows, std::int64_t cols, std::vector<std::int16_t> weights);

  std::int64_t rows() const { return m_rows; }
  std::int64_t cols() const { return m_cols; }
  // OU steps per input cycle for the programmed block.
  std::int64_t ou_steps() const;
  // Cycles to multiply `vectors` input vectors (closed form above).
  std::int64_t mvm_cycles(std::int64_t vectors) const;

 private:
  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload);

  RunContext& m_context;
  std::int64_t m_rows = 0;
  std::int64_t m_cols = 0;
  std::vector<std::int16_t> m_weights;
  sc_core::sc_time m_busy_until;
  int m_trace_signal = -1;
};

}  // namespace reramsim::hw
