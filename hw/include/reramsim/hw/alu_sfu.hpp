// The PE's arithmetic unit as a SystemC module: ALU lanes (add, subtract,
// multiply, divide, max, min, ReLU, shift-and-clamp) and SFU lanes
// (inverse square root and other transcendental functions), Table V of
// 001_ea7aef8f81a45a7e.txt. One transaction is one vector operation over
// `count` elements, or one layer-level operation (pool, lrn, residual add,
// concat); it computes real values and is busy for lanes_cycles() of the
// lane operations it took (docs/hardware.md, "ALU and SFU").
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/passthrough_target_socket.h>

#include <cstdint>
#include <vector>

#include "reramsim/hw/run_context.hpp"
#include "reramsim/hw/vector_unit.hpp"

namespace reramsim::hw {

enum class VectorOp {
  add,         // out = a + b
  sub,         // out = a - b
  mul,         // out = a * b
  div,         // out = a / b, rounded half away from zero
  max,         // out = max(a, b)
  min,         // out = min(a, b)
  relu,        // out = max(a, 0)
  shift,       // out = requantize(a, imm, activation_bits, relu = false)
  shift_relu,  // out = requantize(a, imm, activation_bits, relu = true)
  rsqrt,       // SFU: out = round(2^imm / sqrt(a)), 0 for a <= 0
  layer,       // a whole pool / lrn / add / concat layer on tensors
};

class VectorOpExtension : public tlm::tlm_extension<VectorOpExtension> {
 public:
  VectorOp op = VectorOp::add;
  // Element-wise operations.
  const std::int64_t* a = nullptr;
  const std::int64_t* b = nullptr;
  std::int64_t* out = nullptr;
  std::int64_t count = 0;
  int imm = 0;
  // Layer operations.
  const workloads::Layer* layer = nullptr;
  std::vector<const workloads::Tensor*> inputs;
  workloads::Tensor* result = nullptr;
  int shift = 0;      // requantization shift of a residual add
  int row_begin = 0;  // output rows computed: row_begin .. row_begin + rows - 1
  int rows = -1;      // -1: every row
  tlm::tlm_extension_base* clone() const override { return new VectorOpExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const VectorOpExtension&>(other);
  }
};

class AluSfu : public sc_core::sc_module {
 public:
  tlm_utils::passthrough_target_socket<AluSfu> op_socket;

  AluSfu(sc_core::sc_module_name name, RunContext& context);

  // Lane operations and cycles of the last transaction (for tests).
  const VectorWork& last_work() const { return m_last_work; }

 private:
  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload);
  VectorWork elementwise(const VectorOpExtension& op) const;
  VectorWork layer_op(VectorOpExtension& op) const;

  RunContext& m_context;
  sc_core::sc_time m_busy_until;
  VectorWork m_last_work;
};

}  // namespace reramsim::hw
