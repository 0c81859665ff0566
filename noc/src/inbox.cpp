#include "reramsim/noc/inbox.hpp"

namespace reramsim::noc {

void Inbox::deliver(const Packet& packet, const sc_core::sc_time& arrival) {
  m_entries.push_back({packet, arrival});
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  m_arrived.notify(arrival > now ? arrival - now : sc_core::SC_ZERO_TIME);
}

Packet Inbox::take(tlm_utils::tlm_quantumkeeper& keeper,
                   const std::function<bool(const Packet&)>& match, sc_core::sc_time* arrival_out) {
  for (;;) {
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
      if (!match(it->packet)) continue;
      Packet packet = std::move(it->packet);
      const sc_core::sc_time arrival = it->arrival;
      m_entries.erase(it);
      if (arrival_out != nullptr) *arrival_out = arrival;
      if (arrival > keeper.get_current_time()) {
        keeper.set(arrival - sc_core::sc_time_stamp());
      }
      return packet;
    }
    // Catch up with simulated time first: packets may arrive (and their
    // notifications fire) while this thread waits out its local offset.
    if (keeper.get_local_time() > sc_core::SC_ZERO_TIME) {
      keeper.sync();
      continue;
    }
    sc_core::wait(m_arrived);
  }
}

}  // namespace reramsim::noc
