#include "reramsim/noc/batch_link.hpp"

#include <string>

namespace reramsim::noc {

namespace {
constexpr const char* kMsgId = "reramsim/batch_link";
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

int rounds_for(int participants) {
  int rounds = 0;
  while ((1 << rounds) < participants) ++rounds;
  return rounds;
}

std::int64_t flits_for(const arch::ArchConfig& arch, std::int64_t elements, int bytes_per_value) {
  return std::max<std::int64_t>(1,
                                ceil_div(elements * bytes_per_value * 8, arch.noc.link_width_bits));
}
}  // namespace

std::int64_t batch_reduce_cycles(const arch::ArchConfig& arch, int participants,
                                 std::int64_t elements, int bytes_per_value) {
  if (participants <= 1) return 0;
  const std::int64_t hop =
      arch.latency.router + arch.latency.link + flits_for(arch, elements, bytes_per_value) - 1;
  const std::int64_t add = ceil_div(elements, arch.pe.alu_lanes) * arch.latency.alu_op;
  if (arch.noc.batch_link_distributive) return rounds_for(participants) * (hop + add);
  return std::int64_t(participants - 1) * (2 * hop + add);
}

BatchLink::BatchLink(sc_core::sc_module_name name, const arch::ArchConfig& arch, int ports)
    : sc_module(name), m_arch(arch), m_period(arch.cycle_ns(), sc_core::SC_NS) {
  for (int pe = 0; pe < (ports < 0 ? arch.chip.pes() : ports); ++pe) {
    reduce_socket.push_back(std::make_unique<tlm_utils::simple_target_socket_tagged<BatchLink>>(
        ("reduce_socket_" + std::to_string(pe)).c_str()));
    reduce_socket.back()->register_b_transport(this, &BatchLink::b_transport, pe);
  }
}

void BatchLink::b_transport(int, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  ReduceExtension* req = nullptr;
  payload.get_extension(req);
  if (req == nullptr || req->values == nullptr || req->participants < 1) {
    SC_REPORT_ERROR(kMsgId, "reduction without its ReduceExtension");
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  auto& slot = m_pending[req->group];
  if (!slot) {
    slot = std::make_unique<Pending>();
    slot->sum.assign(req->values->size(), 0);
    slot->left = req->participants;
  }
  Pending& p = *slot;
  if (p.sum.size() != req->values->size()) {
    SC_REPORT_ERROR(kMsgId, "participants of one reduction contribute vectors of different sizes");
  }
  for (std::size_t i = 0; i < p.sum.size(); ++i) p.sum[i] += (*req->values)[i];
  p.latest = std::max(p.latest, sc_core::sc_time_stamp() + delay);
  if (++p.arrived == req->participants) {
    // The last contribution starts the reduction.
    const std::int64_t elements = std::int64_t(p.sum.size());
    const std::int64_t cycles = batch_reduce_cycles(m_arch, req->participants, elements, 8);
    p.done = p.latest + m_period * double(cycles);
    p.complete.notify(p.done - sc_core::sc_time_stamp());
    ++m_reductions;
    const std::int64_t flits =
        elements > 0 ? ceil_div(elements * 64, m_arch.noc.link_width_bits) : 1;
    const std::int64_t hops = m_arch.noc.batch_link_distributive
                                  ? std::int64_t(req->participants) * rounds_for(req->participants)
                                  : 2 * std::int64_t(req->participants - 1);
    m_link_flits += hops * flits;
  } else {
    // Wait for the others, from this initiator's own time.
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    sc_core::wait(p.complete);
  }
  *req->values = p.sum;
  delay = p.done > sc_core::sc_time_stamp() + delay ? p.done - sc_core::sc_time_stamp() : delay;
  if (--p.left == 0) m_pending.erase(req->group);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace reramsim::noc
