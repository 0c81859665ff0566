#include "reramsim/hw/crossbar.hpp"

#include <algorithm>
#include <cstring>

namespace reramsim::hw {

namespace {
constexpr const char* kMsgId = "reramsim/crossbar";

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// out[v][c] = sum_r in[v][r] * w[r][c]; the accumulator type is chosen by the
// caller so that the common narrow case vectorizes in 32 bits.
template <typename Acc>
void multiply(const std::int32_t* in, std::int64_t vectors, std::int64_t rows, std::int64_t cols,
              const std::int16_t* w, std::int64_t* out) {
  std::vector<Acc> acc(static_cast<std::size_t>(cols));
  for (std::int64_t v = 0; v < vectors; ++v) {
    std::fill(acc.begin(), acc.end(), Acc(0));
    const std::int32_t* x = in + v * rows;
    for (std::int64_t r = 0; r < rows; ++r) {
      const Acc xr = Acc(x[r]);
      if (xr == 0) continue;
      const std::int16_t* wr = w + r * cols;
      for (std::int64_t c = 0; c < cols; ++c) acc[std::size_t(c)] += xr * Acc(wr[c]);
    }
    std::int64_t* o = out + v * cols;
    for (std::int64_t c = 0; c < cols; ++c) o[c] = std::int64_t(acc[std::size_t(c)]);
  }
}
}  // namespace

Crossbar::Crossbar(sc_core::sc_module_name name, RunContext& context)
    : sc_module(name), mvm_socket("mvm_socket"), m_context(context) {
  mvm_socket.register_b_transport(this, &Crossbar::b_transport);
  mvm_socket.register_transport_dbg(this, &Crossbar::transport_dbg);
}

void Crossbar::program(std::int64_t rows, std::int64_t cols, std::vector<std::int16_t> weights) {
  const auto& xbar = m_context.arch.crossbar;
  if (rows > xbar.rows || cols > m_context.arch.weights_per_row() ||
      std::int64_t(weights.size()) != rows * cols) {
    SC_REPORT_ERROR(kMsgId, "weight block does not fit the crossbar");
    return;
  }
  m_rows = rows;
  m_cols = cols;
  m_weights = std::move(weights);
  m_context.counts.weight_rows_written += rows;
  if (m_context.trace != nullptr && m_trace_signal < 0) {
    const std::string full = this->name();
    const auto dot = full.rfind('.');
    m_trace_signal =
        m_context.trace->add_signal(full.substr(0, dot), full.substr(dot + 1) + "_busy");
  }
}

std::int64_t Crossbar::ou_steps() const {
  const auto& xbar = m_context.arch.crossbar;
  const std::int64_t phys_cols =
      m_cols * m_context.arch.weight_columns() + m_context.arch.reference_columns();
  return ceil_div(m_rows, xbar.ou.rows) * ceil_div(phys_cols, xbar.ou.cols);
}

std::int64_t Crossbar::mvm_cycles(std::int64_t vectors) const {
  return vectors * m_context.arch.input_cycles() * ou_steps() * m_context.arch.latency.ou_step;
}

void Crossbar::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  MvmExtension* mvm = nullptr;
  payload.get_extension(mvm);
  if (mvm == nullptr || m_rows == 0) {
    SC_REPORT_ERROR(kMsgId, "MVM request without MvmExtension, or crossbar not programmed");
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const auto& arch = m_context.arch;
  // Products of <= 16-bit operands summed over `rows` fit in 32 bits when
  // their widths plus the sum's growth stay below 31 bits.
  int growth = 0;
  while ((std::int64_t(1) << growth) < m_rows) ++growth;
  if (arch.data.weight_bits + arch.data.activation_bits + growth <= 31) {
    multiply<std::int32_t>(mvm->inputs, mvm->vectors, m_rows, m_cols, m_weights.data(),
                           mvm->outputs);
  } else {
    multiply<std::int64_t>(mvm->inputs, mvm->vectors, m_rows, m_cols, m_weights.data(),
                           mvm->outputs);
  }

  ActionCounts& counts = m_context.counts;
  const std::int64_t input_cycles = arch.input_cycles();
  const std::int64_t steps = ou_steps();
  const std::int64_t phys_cols = m_cols * arch.weight_columns() + arch.reference_columns();
  counts.crossbar_mvms += mvm->vectors;
  counts.macs += mvm->vectors * m_rows * m_cols;
  counts.ou_activations += mvm->vectors * input_cycles * steps;
  // Every active bitline of every OU step is converted once.
  counts.adc_conversions +=
      mvm->vectors * input_cycles * ceil_div(m_rows, arch.crossbar.ou.rows) * phys_cols;
  counts.dac_inputs += mvm->vectors * input_cycles * m_rows;

  const sc_core::sc_time start = std::max(sc_core::sc_time_stamp() + delay, m_busy_until);
  m_busy_until = start + m_context.period * double(mvm_cycles(mvm->vectors));
  if (m_trace_signal >= 0) {
    m_context.trace->busy(m_trace_signal, m_context.cycles(start), m_context.cycles(m_busy_until));
  }
  delay = m_busy_until - sc_core::sc_time_stamp();
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int Crossbar::transport_dbg(tlm::tlm_generic_payload& payload) {
  // Debug reads return the programmed weights as bytes (row-major int16).
  if (payload.get_command() != tlm::TLM_READ_COMMAND) return 0;
  const std::size_t total = m_weights.size() * sizeof(std::int16_t);
  const std::size_t offset = std::size_t(payload.get_address());
  if (offset >= total) return 0;
  const std::size_t length = std::min<std::size_t>(payload.get_data_length(), total - offset);
  std::memcpy(payload.get_data_ptr(),
              reinterpret_cast<const unsigned char*>(m_weights.data()) + offset, length);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
  return unsigned(length);
}

}  // namespace reramsim::hw
