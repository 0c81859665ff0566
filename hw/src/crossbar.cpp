#include "reramsim/hw/crossbar.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace reramsim::hw {

namespace {
constexpr const char* kMsgId = "reramsim/crossbar";

}  // namespace

Crossbar::Crossbar(sc_core::sc_module_name name, RunContext& context)
    : sc_module(name), mvm_socket("mvm_socket"), m_context(context) {
  mvm_socket.register_b_transport(this, &Crossbar::b_transport);
  mvm_socket.register_transport_dbg(this, &Crossbar::transport_dbg);
}

int Crossbar::program(std::int64_t rows, std::int64_t cols, std::vector<std::int16_t> weights,
                      std::int64_t row_offset, int activation_bits) {
  Block block;
  try {
    DatapathParams params = from_arch(m_context.arch, rows, cols);
    if (activation_bits > 0) params.activation_bits = activation_bits;
    block.datapath = std::make_unique<CrossbarDatapath>(params, std::move(weights));
  } catch (const std::invalid_argument& e) {
    SC_REPORT_ERROR(kMsgId, (std::string("cannot program ") + name() + ": " + e.what()).c_str());
    return -1;
  }
  m_blocks.push_back(std::move(block));
  m_written_rows = std::max(m_written_rows, row_offset + rows);
  m_context.counts.weight_rows_written += rows;
  if (m_context.trace != nullptr && m_traced && m_trace_signal < 0) {
    const std::string full = this->name();
    const auto dot = full.rfind('.');
    m_trace_signal =
        m_context.trace->add_signal(full.substr(0, dot), full.substr(dot + 1) + "_busy");
  }
  return int(m_blocks.size()) - 1;
}

void Crossbar::set_fine_grained(bool fine) {
  m_fine = fine;
  if (fine && m_context.trace != nullptr && m_traced && m_trace_cycle < 0) {
    const std::string scope = name();
    m_trace_cycle = m_context.trace->add_value_signal(scope, "input_cycle", 16);
    m_trace_row_group = m_context.trace->add_value_signal(scope, "ou_row_group", 16);
    m_trace_col_group = m_context.trace->add_value_signal(scope, "ou_col_group", 16);
  }
}

std::int64_t Crossbar::ou_steps(int block) const {
  return std::size_t(block) < m_blocks.size()
             ? m_blocks[std::size_t(block)].datapath->ou_steps_per_input_cycle()
             : 0;
}

std::int64_t Crossbar::mvm_cycles(std::int64_t vectors, int block) const {
  if (std::size_t(block) >= m_blocks.size()) return 0;
  return vectors * m_blocks[std::size_t(block)].datapath->input_cycles() * ou_steps(block) *
         m_context.arch.latency.ou_step;
}

void Crossbar::count(const MvmExtension& mvm, const DatapathCounts& counts) {
  ActionCounts& c = m_context.counts;
  const auto& params = m_blocks[std::size_t(mvm.block)].datapath->params();
  c.crossbar_mvms += mvm.vectors;
  if (mvm.count_macs) c.macs += mvm.vectors * params.rows * params.cols;
  c.ou_activations += counts.ou_activations;
  c.adc_conversions += counts.adc_conversions;
  c.dac_inputs += counts.dac_inputs;
  c.adc_lossy_conversions += counts.clipped;
}

void Crossbar::step_through(const MvmExtension& mvm, DatapathCounts& counts) {
  // One event per OU step: input cycle k outer, then row group g, then
  // column group c, as the hardware sequences them.
  const sc_core::sc_time step = m_context.period * double(m_context.arch.latency.ou_step);
  const CrossbarDatapath& datapath = *m_blocks[std::size_t(mvm.block)].datapath;
  const std::int64_t rows = datapath.params().rows;
  const std::int64_t cols = datapath.params().cols;
  CrossbarDatapath::StepState state;
  for (std::int64_t v = 0; v < mvm.vectors; ++v) {
    datapath.begin_vector(state, mvm.inputs + v * rows, mvm.signed_inputs);
    for (int k = 0; k < datapath.input_cycles(); ++k) {
      for (std::int64_t g = 0; g < datapath.row_groups(); ++g) {
        for (std::int64_t c = 0; c < datapath.column_groups(); ++c) {
          if (m_trace_cycle >= 0) {
            const std::int64_t now = m_context.cycles(sc_core::sc_time_stamp());
            m_context.trace->value(m_trace_cycle, now, std::uint64_t(k));
            m_context.trace->value(m_trace_row_group, now, std::uint64_t(g));
            m_context.trace->value(m_trace_col_group, now, std::uint64_t(c));
          }
          datapath.step(state, k, g, c, counts);
          sc_core::wait(step);
        }
      }
    }
    datapath.finish_vector(state, mvm.outputs + v * cols);
  }
}

void Crossbar::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  MvmExtension* mvm = nullptr;
  payload.get_extension(mvm);
  if (mvm == nullptr || mvm->block < 0 || std::size_t(mvm->block) >= m_blocks.size()) {
    SC_REPORT_ERROR(kMsgId, "MVM request without MvmExtension, or for a block not programmed");
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const sc_core::sc_time start = std::max(sc_core::sc_time_stamp() + delay, m_busy_until);
  const sc_core::sc_time end =
      start + m_context.period * double(mvm_cycles(mvm->vectors, mvm->block));
  m_busy_until = end;
  if (m_trace_signal >= 0) {
    m_context.trace->busy(m_trace_signal, m_context.cycles(start), m_context.cycles(end));
  }
  DatapathCounts counts;
  try {
    if (m_fine) {
      sc_core::wait(start - sc_core::sc_time_stamp());
      step_through(*mvm, counts);
      delay = sc_core::SC_ZERO_TIME;
    } else {
      m_blocks[std::size_t(mvm->block)].datapath->mvm(mvm->inputs, mvm->vectors, mvm->signed_inputs,
                                                      mvm->outputs, counts);
      delay = end - sc_core::sc_time_stamp();
    }
  } catch (const std::invalid_argument& e) {
    SC_REPORT_ERROR(kMsgId, (std::string(name()) + ": " + e.what()).c_str());
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  count(*mvm, counts);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int Crossbar::transport_dbg(tlm::tlm_generic_payload& payload) {
  // Debug reads return the first block's weights as bytes (row-major int16).
  if (payload.get_command() != tlm::TLM_READ_COMMAND || m_blocks.empty()) return 0;
  const std::vector<std::int16_t>& weights = m_blocks.front().datapath->weights();
  const std::size_t total = weights.size() * sizeof(std::int16_t);
  const std::size_t offset = std::size_t(payload.get_address());
  if (offset >= total) return 0;
  const std::size_t length = std::min<std::size_t>(payload.get_data_length(), total - offset);
  std::memcpy(payload.get_data_ptr(),
              reinterpret_cast<const unsigned char*>(weights.data()) + offset, length);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
  return unsigned(length);
}

}  // namespace reramsim::hw
