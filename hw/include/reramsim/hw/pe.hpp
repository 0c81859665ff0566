// A processing element: its crossbars, a convolution buffer feeding them
// (img2col), the ALU/SFU lanes, and a controller running the PE's program.
//
// For each weighted layer it takes part in, the PE waits for the layer's input
// (fat-tree distribution), multiplies every input vector by each of its
// crossbar tiles (the crossbars run in parallel), adds partial sums of row
// tiles, sends them to the reducing PE over the mesh or, as the reducer,
// requantizes and sends the outputs up the collection tree. Vector layers
// (pool, lrn, add, concat) run on the ALU/SFU.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "reramsim/hw/alu_sfu.hpp"
#include "reramsim/hw/conv_buffer.hpp"
#include "reramsim/hw/crossbar.hpp"
#include "reramsim/hw/run_context.hpp"
#include "reramsim/noc/inbox.hpp"

namespace reramsim::hw {

class Pe : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Pe> noc_socket;  // into the NoC
  tlm_utils::simple_target_socket<Pe> noc_in_socket;  // from the NoC
  tlm_utils::simple_initiator_socket<Pe> conv_buffer_socket;
  tlm_utils::simple_initiator_socket<Pe> alu_socket;
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket_tagged<Pe>>> crossbar_socket;

  SC_HAS_PROCESS(Pe);
  Pe(sc_core::sc_module_name name, int id, RunContext& context, mapping::PeProgram program);

  Crossbar& crossbar(int index) { return *m_crossbars[std::size_t(index)]; }
  // Runs this PE's crossbars in the fine-grained mode (an event per OU step).
  void set_fine_grained(bool fine);
  std::int64_t busy_cycles() const { return m_busy_cycles; }

 private:
  void run();
  // A crossbar tile's buffers: its input vectors, read cycles and products.
  struct TileWork {
    std::vector<std::int32_t> inputs;
    std::vector<std::int64_t> reads;
    std::vector<std::int64_t> products;
    std::int64_t vectors = 0;
  };
  void run_mvm(const mapping::PeTask& task);
  // Reads a tile's vectors from the convolution buffer and multiplies them on
  // its crossbar from local time `delay`; returns the local time it ends.
  sc_core::sc_time run_tile(const workloads::Layer& layer, bool signed_inputs,
                            const workloads::Tensor& input, const mapping::CrossbarTile& tile,
                            sc_core::sc_time delay, TileWork& work);
  void run_vector_op(const mapping::PeTask& task);
  void noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  void send(noc::Network network, int dst, int kind, int layer, int tag, std::int64_t bytes,
            std::shared_ptr<const void> data);
  // One ALU/SFU transaction from the PE's current time; the PE waits for it.
  void run_alu(VectorOpExtension& ext);
  void alu_elementwise(VectorOp op, const std::vector<std::int64_t>& a,
                       const std::vector<std::int64_t>& b, std::vector<std::int64_t>& out, int imm);
  // Advances local time by `cycles` of PE activity and records it as busy.
  void busy_for(std::int64_t cycles);
  // Records PE activity without moving local time.
  void mark_busy(std::int64_t start, std::int64_t cycles);

  int m_id;
  RunContext& m_context;
  mapping::PeProgram m_program;
  std::unique_ptr<ConvBuffer> m_conv_buffer;
  std::unique_ptr<AluSfu> m_alu;
  std::vector<std::unique_ptr<Crossbar>> m_crossbars;
  tlm_utils::tlm_quantumkeeper m_keeper;
  noc::Inbox m_inbox;
  std::int64_t m_busy_cycles = 0;
  bool m_fine = false;
  int m_trace_signal = -1;
};

}  // namespace reramsim::hw
