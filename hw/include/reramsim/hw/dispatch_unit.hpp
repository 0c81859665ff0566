// The workload dispatch unit with the on-chip global buffer. First it
// configures the PEs: for each, C.wload (its weight tiles), C.ifetch (its
// instruction LUT) and C.dload (its descriptor table) down the fat tree,
// and it waits for every PE's acknowledgement up the collection tree. Then
// it sends the network input down the fat tree, row by row, multicast to
// every PE that reads it, and collects the network's outputs from the
// collection tree.
// Between layers the data goes over the mesh from PE to PE (hw::Pe); the
// dispatch unit does not touch it.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <tuple>
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

  // Before the simulation: per round, per PE, the program to load (C.ifetch,
  // C.dload) and the weight blocks (C.wload).
  void set_programs(std::vector<std::vector<mapping::PeProgram>> programs,
                    std::vector<std::vector<std::vector<TileWeights>>> weights);
  // Called with the cycle the last PE acknowledged its configuration.
  void on_configured(std::function<void(std::int64_t)> callback) {
    m_on_configured = std::move(callback);
  }

  // Valid after the simulation: the network outputs as collected (the
  // layers no other layer reads), the cycle inference began (every PE
  // configured, the first input row sent) and the cycle the last output arrived.
  const std::vector<workloads::Tensor>& results(int image = 0) const {
    return m_results[std::size_t(image)];
  }
  // Batch mode: the cycle each image's last output arrived.
  const std::vector<std::int64_t>& image_done_cycles() const { return m_image_done; }
  std::int64_t configured_cycle() const { return m_configured_cycle; }
  // Instruction words and descriptor entries loaded over all rounds.
  std::int64_t instructions_loaded() const;
  std::int64_t descriptors_loaded() const;
  // Cycles spent reconfiguring between rounds (inside the inference).
  std::int64_t reprogramming_cycles() const { return m_reprogramming_cycles; }
  // NoC bytes of that reconfiguration: the loads down the fat tree and the
  // acknowledgements up the collection tree.
  std::int64_t reprogramming_bytes() const { return m_reprogramming_bytes; }
  std::int64_t finish_cycle() const { return m_finish_cycle; }
  bool finished() const { return m_finished; }

 private:
  void run();
  void noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  // Returns the NoC bytes it moved (loads down, acknowledgements up).
  std::int64_t configure(int round);
  // Sends a source's rows (the network input, or a layer's output from the
  // global buffer) to the PEs of `round` that read them.
  void send_rows(int source, int round, int image);
  void send_row(int source, int image, int row, const std::vector<int>& readers);
  // Sends the partial sums carried from earlier rounds to this round's groups.
  void send_carried(int round, int image);

  RunContext& m_context;
  tlm_utils::tlm_quantumkeeper m_keeper;
  noc::Inbox m_inbox;
  std::vector<std::vector<std::shared_ptr<const mapping::PeProgram>>> m_programs;  // round, PE
  std::vector<std::vector<std::shared_ptr<std::vector<TileWeights>>>> m_weights;
  std::function<void(std::int64_t)> m_on_configured;
  // Per image, per layer: the network outputs (empty for other layers), and
  // the global buffer (outputs read across rounds, network outputs).
  std::vector<std::vector<workloads::Tensor>> m_results;
  std::vector<std::vector<workloads::Tensor>> m_global;
  // Partial sums of groups carried across rounds, by (image, layer, group, part).
  std::map<std::tuple<int, int, int, int>, std::shared_ptr<const GroupValues>> m_carried;
  std::vector<std::int64_t> m_image_done;
  std::int64_t m_configured_cycle = 0;
  std::int64_t m_reprogramming_cycles = 0;
  std::int64_t m_reprogramming_bytes = 0;
  std::int64_t m_finish_cycle = 0;
  bool m_finished = false;
};

}  // namespace reramsim::hw
