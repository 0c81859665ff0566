#include "reramsim/hw/alu_sfu.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace reramsim::hw {

namespace {
constexpr const char* kMsgId = "reramsim/alu_sfu";

std::int64_t divide_rounded(std::int64_t a, std::int64_t b) {
  if (b == 0) return 0;  // the lane saturates to 0 rather than trapping
  const std::int64_t magnitude = (2 * std::llabs(a) + std::llabs(b)) / (2 * std::llabs(b));
  return (a < 0) != (b < 0) ? -magnitude : magnitude;
}
}  // namespace

AluSfu::AluSfu(sc_core::sc_module_name name, RunContext& context)
    : sc_module(name), op_socket("op_socket"), m_context(context) {
  op_socket.register_b_transport(this, &AluSfu::b_transport);
  op_socket.register_transport_dbg(this, &AluSfu::transport_dbg);
}

namespace {
// out[i] = f(a[i], b[i]) (b[i] = 0 without b): one loop per operation, the
// operation chosen once per transaction rather than once per value, so each
// loop is a simple one the compiler vectorizes. `out` may alias `a` or `b`
// (each value is read before its own slot is written).
template <typename F>
void map_values(const VectorOpExtension& op, F f) {
  const std::int64_t* a = op.a;
  const std::int64_t* b = op.b;
  std::int64_t* out = op.out;
  if (b == nullptr) {
    for (std::int64_t i = 0; i < op.count; ++i) out[i] = f(a[i], std::int64_t(0));
  } else {
    for (std::int64_t i = 0; i < op.count; ++i) out[i] = f(a[i], b[i]);
  }
}
}  // namespace

VectorWork AluSfu::elementwise(const VectorOpExtension& op) const {
  VectorWork work;
  const int bits = m_context.arch.data.activation_bits;
  using V = std::int64_t;
  switch (op.op) {
    case VectorOp::add:
      map_values(op, [](V a, V b) { return a + b; });
      break;
    case VectorOp::sub:
      map_values(op, [](V a, V b) { return a - b; });
      break;
    case VectorOp::mul:
      map_values(op, [](V a, V b) { return a * b; });
      break;
    case VectorOp::div:
      map_values(op, [](V a, V b) { return divide_rounded(a, b); });
      break;
    case VectorOp::max:
      map_values(op, [](V a, V b) { return std::max(a, b); });
      break;
    case VectorOp::min:
      map_values(op, [](V a, V b) { return std::min(a, b); });
      break;
    case VectorOp::relu:
      map_values(op, [](V a, V) { return std::max<V>(a, 0); });
      break;
    case VectorOp::shift:
      map_values(op, [&](V a, V) { return V(requantize_value(a, op.imm, bits, false)); });
      break;
    case VectorOp::shift_relu:
      map_values(op, [&](V a, V) { return V(requantize_value(a, op.imm, bits, true)); });
      break;
    case VectorOp::rsqrt:
      map_values(op, [&](V a, V) {
        return a > 0 ? V(std::llround(std::ldexp(1.0, op.imm) / std::sqrt(double(a)))) : V(0);
      });
      break;
    case VectorOp::layer:
      map_values(op, [](V, V) { return V(0); });
      break;
  }
  switch (op.op) {
    case VectorOp::mul:
    case VectorOp::div:
      work.alu_mul_div = op.count;
      break;
    case VectorOp::rsqrt:
      work.sfu = op.count;
      break;
    default:
      work.alu_simple = op.count;
      break;
  }
  return work;
}

VectorWork AluSfu::layer_op(VectorOpExtension& op) const {
  VectorWork work;
  const workloads::Layer& layer = *op.layer;
  const int bits = m_context.arch.data.activation_bits;
  switch (layer.type) {
    case workloads::LayerType::pool:
      *op.result = pool_layer(*op.inputs.front(), layer, bits, work, op.row_begin, op.rows);
      break;
    case workloads::LayerType::lrn:
      *op.result = lrn_layer(*op.inputs.front(), layer, bits, work, op.row_begin, op.rows);
      break;
    case workloads::LayerType::add:
      *op.result = add_layer(op.inputs, layer, op.shift, bits, work, op.row_begin, op.rows);
      break;
    case workloads::LayerType::concat:
      *op.result = concat_layer(op.inputs, layer, bits, op.row_begin, op.rows);
      break;
    default:
      SC_REPORT_ERROR(kMsgId, "layer operation on a weighted layer");
      break;
  }
  return work;
}

void AluSfu::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  VectorOpExtension* op = nullptr;
  payload.get_extension(op);
  if (op == nullptr || (op->op == VectorOp::layer ? op->layer == nullptr || op->result == nullptr
                                                  : op->a == nullptr || op->out == nullptr)) {
    SC_REPORT_ERROR(kMsgId, "vector operation without its operands");
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  m_last_work = op->op == VectorOp::layer ? layer_op(*op) : elementwise(*op);
  ActionCounts& counts = m_context.counts;
  counts.alu_ops += m_last_work.alu_simple + m_last_work.alu_mul_div;
  counts.sfu_ops += m_last_work.sfu;
  const sc_core::sc_time start = std::max(sc_core::sc_time_stamp() + delay, m_busy_until);
  m_busy_until = start + m_context.period * double(lanes_cycles(m_last_work, m_context.arch));
  delay = m_busy_until - sc_core::sc_time_stamp();
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int AluSfu::transport_dbg(tlm::tlm_generic_payload& payload) {
  // Debug reads return the lane configuration: ALU lanes then SFU lanes (int32).
  if (payload.get_command() != tlm::TLM_READ_COMMAND || payload.get_data_length() < 8) return 0;
  const std::int32_t lanes[2] = {m_context.arch.pe.alu_lanes, m_context.arch.pe.sfu_lanes};
  std::memcpy(payload.get_data_ptr(), lanes, sizeof(lanes));
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
  return sizeof(lanes);
}

}  // namespace reramsim::hw
