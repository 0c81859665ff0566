// A processing element: its crossbars, the convolution buffer feeding them
// (img2col), the ALU/SFU lanes, the NoC interface, and a local controller
// running the PE's program from its instruction LUT (docs/isa.md).
//
// The controller issues instructions in program order and dispatches them to
// their units; each starts when its operands are ready and its unit is free
// (a scoreboard of ready times under loosely-timed simulation), so work on
// different units overlaps: crossbars run in parallel, and the ALU adds and
// requantizes part p of a layer while the crossbars compute part p+1 (a
// C.loop body with C.lag, Fig. 6 of 001_ea7aef8f81a45a7e.txt). Only receiving
// (N-type with recv) blocks issue until the data has arrived.
//
// Layer inputs arrive row by row (from the dispatch unit for the network
// input, over the mesh from the producing PEs otherwise) into an input store
// per source layer, from which the convolution buffer builds each part's
// windows.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "reramsim/hw/alu_sfu.hpp"
#include "reramsim/hw/conv_buffer.hpp"
#include "reramsim/hw/crossbar.hpp"
#include "reramsim/hw/run_context.hpp"
#include "reramsim/mapping/program.hpp"
#include "reramsim/noc/inbox.hpp"

namespace reramsim::hw {

class Pe : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Pe> noc_socket;  // into the NoC
  tlm_utils::simple_target_socket<Pe> noc_in_socket;  // from the NoC
  tlm_utils::simple_initiator_socket<Pe> conv_buffer_socket;
  tlm_utils::simple_initiator_socket<Pe> alu_socket;
  // Bound to every crossbar in order: crossbar_socket[k] reaches crossbar k.
  // One multi-socket rather than a socket per crossbar: a chip has tens of
  // thousands of crossbars, and every SystemC port and export costs time to
  // elaborate and to tear down.
  tlm_utils::multi_passthrough_initiator_socket<Pe> crossbar_socket;

  SC_HAS_PROCESS(Pe);
  Pe(sc_core::sc_module_name name, int id, RunContext& context);
  ~Pe() override;

  // The PE will be configured at run time, once per round it takes part in:
  // it waits for its C.wload, C.ifetch and C.dload from the dispatch unit,
  // writes its crossbars' rows and acknowledges before running the program.
  // `rounds`: the rounds of the plan it takes part in (ascending).
  void expect_configuration(std::vector<int> rounds) { m_rounds = std::move(rounds); }
  // Loads a program directly (tests; no configuration phase).
  void load_program(mapping::PeProgram program);
  const mapping::PeProgram& program() const { return m_program; }

  Crossbar& crossbar(int index) { return *m_crossbars[std::size_t(index)]; }
  // Runs this PE's crossbars in the fine-grained mode (an event per OU step).
  void set_fine_grained(bool fine);
  // Cycles any unit was busy, and the crossbars' and the ALU/SFU's own busy
  // cycles (each the union of that unit's intervals): when the controller
  // overlaps them, crossbar + ALU exceeds the total.
  std::int64_t busy_cycles() const { return m_busy_cycles; }
  std::int64_t crossbar_busy_cycles() const { return m_crossbar_busy_cycles; }
  std::int64_t alu_busy_cycles() const { return m_alu_busy_cycles; }

 private:
  // A crossbar tile's products for one part. Two per tile (by part parity),
  // so the crossbars can fill part p+1's while the ALU still reads part p's.
  struct TileWork {
    std::vector<std::int64_t> products;
    std::int64_t vectors = 0;
    sc_core::sc_time ready;              // absolute time the products are complete
    sc_core::sc_process_handle process;  // fine-grained mode: the stepping process
  };
  // A tile's input vectors and their read cycles, from the convolution
  // buffer to the crossbar: dead once the MVM has read them, so they need
  // not be kept per tile and part (ResNet-18 mapped by SPATEM on spatem.yaml
  // held 160 MB of them). One buffer serves every MVM in the fast mode, and
  // stays in cache; the fine-grained mode's crossbars run at once, so each
  // has its own.
  struct TileInputs {
    std::vector<std::int32_t> vectors;
    std::vector<std::int64_t> reads;
  };
  // Values held for an output group or layer (accumulator, received partial
  // sums, output buffer), the part they belong to and when they are ready.
  struct Held {
    std::shared_ptr<GroupValues> values;
    sc_core::sc_time ready;
    int part = -1;
  };
  // A source layer's output as it arrives, row by row.
  struct InputStore {
    workloads::Tensor tensor;
    int packets_per_row = 1;
    std::vector<int> packets;               // received, per row
    std::vector<sc_core::sc_time> arrived;  // latest arrival, per row
  };

  void run();
  void configure(int round);
  // Runs the loaded program to its C.halt.
  void run_program();
  // Forgets one image's data (stores, buffers, accumulators).
  void clear_state();
  void execute(const isa::Instruction& instruction);
  void execute_r(const isa::Instruction& instruction);
  void execute_a(const isa::Instruction& instruction);
  void execute_n(const isa::Instruction& instruction);
  void receive_input(const mapping::Descriptor& d);
  void send_outputs(const isa::Instruction& instruction, const mapping::Descriptor& d);
  InputStore& store(int source, int packets_per_row);
  // `packets_per_row` 0: not known yet (outputs the PE sends itself can come first).
  void add_to_store(InputStore& store, const ActivationData& data, sc_core::sc_time arrival);
  // Whether all packets of a row have arrived.
  bool complete(const InputStore& store, int row) const;
  // Joins fine-grained crossbar processes still running.
  void join_crossbars();
  // Waits for one fine-grained crossbar process, if it still runs.
  void join(sc_core::sc_process_handle& process);
  // A tile's products of the current part, waiting for its fine-grained
  // crossbar if need be.
  TileWork& await_tile(std::uint32_t desc, int part);
  // Sums the union of the units' busy intervals into m_busy_cycles.
  void sum_busy();

  // Reads the part's vectors of a tile from the convolution buffer and
  // multiplies them on its crossbar from local time `delay`; returns the
  // local time it ends.
  sc_core::sc_time run_tile(const workloads::Layer& layer, bool signed_inputs,
                            const workloads::Tensor& input, const mapping::Descriptor& tile,
                            std::int64_t vector_begin, std::int64_t vector_count,
                            sc_core::sc_time delay, TileInputs& inputs, TileWork& work);
  // One ALU/SFU transaction starting at absolute time `start`; returns its end.
  sc_core::sc_time run_alu(VectorOpExtension& ext, sc_core::sc_time start);
  void noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  void send(noc::Network network, int dst, int kind, int layer, int tag, int part,
            std::int64_t bytes, std::shared_ptr<const void> data, sc_core::sc_time at);
  // Issues an instruction whose operands are ready at absolute time `ready`;
  // returns when it starts (and moves the issue time there).
  sc_core::sc_time issue_at(sc_core::sc_time ready);
  // Records unit activity [start, end) for busy statistics and the waveform.
  enum class Unit { crossbars = 0, alu = 1 };
  void mark_busy(sc_core::sc_time start, sc_core::sc_time end, Unit unit);
  void mark_layer_start(int layer, sc_core::sc_time start);

  const mapping::Descriptor& entry(std::uint32_t index) const;
  // The accumulator of a descriptor's output group for the current part,
  // started from the group's first tile computed on this PE.
  Held& accumulator(const mapping::Descriptor& d);
  // Which of a tile's two buffers a part uses: its copy's parts alternate.
  static int slot(const mapping::Descriptor& tile, int part) {
    return (part / std::max(1, tile.replicas)) & 1;
  }
  std::int64_t group_key(const mapping::Descriptor& d) const {
    return (std::int64_t(d.layer) << 32) | std::uint32_t(d.group);
  }

  int m_id;
  RunContext& m_context;
  mapping::PeProgram m_program;
  std::unique_ptr<ConvBuffer> m_conv_buffer;
  std::unique_ptr<AluSfu> m_alu;
  std::vector<std::unique_ptr<Crossbar>> m_crossbars;
  tlm_utils::tlm_quantumkeeper m_keeper;
  noc::Inbox m_inbox;
  bool m_fine = false;
  std::vector<int> m_rounds;  // configured and run in turn
  int m_image = 0;            // the image of the batch the program works on

  // The part of its layer the current instruction works on (the loop
  // iteration minus the lag, or the latest C.part outside loops).
  int m_part = 0;

  // Scoreboard state.
  std::map<int, InputStore> m_stores;  // by source layer (kNetworkInput for the network input)
  std::map<int, std::pair<int, sc_core::sc_time>> m_input_ready;  // layer -> (part, ready)
  std::map<std::uint32_t, TileWork[2]> m_tiles;                   // by tile entry, part parity
  std::vector<TileInputs> m_tile_inputs;                          // [0], or per crossbar (fine)
  std::vector<sc_core::sc_time> m_crossbar_free;                  // per crossbar
  std::vector<sc_core::sc_process_handle> m_crossbar_process;     // fine-grained mode
  std::map<std::int64_t, Held> m_accumulators;                    // by group_key
  std::map<std::int64_t, Held> m_received;                        // partial sums from the NIC
  std::map<std::int64_t, Held> m_outputs;                         // the output buffer
  std::map<std::int64_t, Held> m_factors;                         // BatchNorm per-column factors
  std::map<std::int64_t, const void*> m_recorded;                 // outputs already observed
  sc_core::sc_time m_last_end;                                    // latest end of any unit's work
  std::map<std::int64_t, std::uint32_t> m_group_first;            // group_key -> first tile entry

  std::int64_t m_busy_cycles = 0;
  std::int64_t m_crossbar_busy_cycles = 0;
  std::int64_t m_alu_busy_cycles = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> m_busy_intervals[2];  // by Unit
  int m_trace_signal = -1;
};

}  // namespace reramsim::hw
