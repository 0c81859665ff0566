// A receiving endpoint's packet store under loosely-timed simulation.
//
// A packet is delivered as soon as its sender's (possibly time-decoupled)
// thread sends it, annotated with its arrival time. A receiver that finds what
// it needs takes it and advances its local time to the arrival; one that does
// not synchronises and waits for the next arrival.
#pragma once

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <deque>
#include <functional>

#include "reramsim/noc/packet.hpp"

namespace reramsim::noc {

class Inbox {
 public:
  // Called from the delivering b_transport: `arrival` is absolute.
  void deliver(const Packet& packet, const sc_core::sc_time& arrival);

  // Blocks the calling thread until a packet satisfying `match` is present;
  // removes it and sets the keeper's local time to at least its arrival.
  // `arrival`, when given, receives the packet's arrival time.
  Packet take(tlm_utils::tlm_quantumkeeper& keeper, const std::function<bool(const Packet&)>& match,
              sc_core::sc_time* arrival = nullptr);

 private:
  struct Entry {
    Packet packet;
    sc_core::sc_time arrival;
  };
  std::deque<Entry> m_entries;
  sc_core::sc_event m_arrived;
};

}  // namespace reramsim::noc
