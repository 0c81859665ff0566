// The workload dispatch unit with the on-chip global buffer: it holds every
// layer's output, sends each layer's input down the fat tree (multicast to
// the PEs that need it), collects results from the collection tree, and
// records when each layer starts and ends.
//
// Dataflow between layers: a layer's inputs leave as soon as all of its
// producers are complete, so independent branches overlap (no pipelining
// within a layer's windows yet).
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

struct LayerTiming {
  std::int64_t start_cycle = 0;
  std::int64_t end_cycle = 0;
};

class DispatchUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DispatchUnit> noc_socket;
  tlm_utils::simple_target_socket<DispatchUnit> noc_in_socket;

  SC_HAS_PROCESS(DispatchUnit);
  DispatchUnit(sc_core::sc_module_name name, RunContext& context);

  // Valid after the simulation: each layer's output tensor and timing.
  const std::vector<workloads::Tensor>& outputs() const { return m_outputs; }
  const std::vector<LayerTiming>& timing() const { return m_timing; }
  std::int64_t finish_cycle() const { return m_finish_cycle; }
  bool finished() const { return m_finished; }

 private:
  void run();
  void noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  void place_result(int layer, const noc::Packet& packet);
  // Reads a layer's inputs from the global buffer and multicasts them to its PEs.
  void send_input(std::size_t layer);

  RunContext& m_context;
  tlm_utils::tlm_quantumkeeper m_keeper;
  noc::Inbox m_inbox;
  std::vector<workloads::Tensor> m_outputs;
  std::vector<LayerTiming> m_timing;
  std::int64_t m_finish_cycle = 0;
  bool m_finished = false;
};

}  // namespace reramsim::hw
