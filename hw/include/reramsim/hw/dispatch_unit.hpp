// The workload dispatch unit with the on-chip global buffer: it sends the
// network input down the fat tree, row by row, multicast to every PE that
// reads it, and collects the network's outputs from the collection tree.
// Between layers the data goes over the mesh from PE to PE (hw::Pe); the
// dispatch unit does not touch it.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <vector>

#include "reramsim/hw/run_context.hpp"
#include "reramsim/noc/inbox.hpp"

namespace reramsim::hw {

class DispatchUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DispatchUnit> noc_socket;
  tlm_utils::simple_target_socket<DispatchUnit> noc_in_socket;

  SC_HAS_PROCESS(DispatchUnit);
  DispatchUnit(sc_core::sc_module_name name, RunContext& context);

  // Valid after the simulation: the network outputs as collected (the
  // layers no other layer reads), and the cycle the last one arrived.
  const std::vector<workloads::Tensor>& results() const { return m_results; }
  std::int64_t finish_cycle() const { return m_finish_cycle; }
  bool finished() const { return m_finished; }

 private:
  void run();
  void noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  void send_input();

  RunContext& m_context;
  tlm_utils::tlm_quantumkeeper m_keeper;
  noc::Inbox m_inbox;
  std::vector<workloads::Tensor> m_results;  // per layer; empty unless a network output
  std::int64_t m_finish_cycle = 0;
  bool m_finished = false;
};

}  // namespace reramsim::hw
