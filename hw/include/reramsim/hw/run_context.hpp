// What every hardware module of one run shares: the inputs it was elaborated
// from (read-only) and the counters it adds to. Built once before
// elaboration; modules never call back into the mapper.
#pragma once

#include <systemc>

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/noc/activity_trace.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/reference.hpp"

namespace reramsim::hw {

// Action counts per component kind, from which energy can be derived.
struct ActionCounts {
  std::int64_t crossbar_mvms = 0;   // input vectors multiplied by a crossbar
  std::int64_t macs = 0;            // useful multiply-accumulates (weights x vectors)
  std::int64_t ou_activations = 0;  // OU steps, over all input cycles
  std::int64_t adc_conversions = 0;
  std::int64_t adc_lossy_conversions = 0;  // OU sums clipped or with nonzero dropped bits
  std::int64_t dac_inputs = 0;             // wordline drives, over all input cycles
  std::int64_t buffer_reads = 0;           // activation words read from PE buffers
  std::int64_t buffer_writes = 0;
  std::int64_t global_buffer_reads = 0;
  std::int64_t global_buffer_writes = 0;
  std::int64_t alu_ops = 0;  // lane operations
  std::int64_t sfu_ops = 0;
  std::int64_t weight_rows_written = 0;  // crossbar rows programmed before inference
};

struct RunContext {
  const arch::ArchConfig& arch;
  const workloads::Network& network;
  const workloads::QuantizedNetwork& qnet;  // weights to program; requantization shifts
  const mapping::MappingPlan& plan;
  ActionCounts counts;
  // Per layer: crossbar busy cycles summed over its tiles (the array time a
  // layer takes, whatever the parallelism).
  std::vector<std::int64_t> layer_array_cycles;
  noc::ActivityTrace* trace = nullptr;  // null unless a waveform was asked for
  std::vector<bool> traced_pes;         // empty: trace every PE
  bool traced(int pe) const {
    return trace != nullptr && (traced_pes.empty() || (std::size_t(pe) < traced_pes.size() &&
                                                       traced_pes[std::size_t(pe)]));
  }
  sc_core::sc_time period;

  RunContext(const arch::ArchConfig& a, const workloads::Network& n,
             const workloads::QuantizedNetwork& q, const mapping::MappingPlan& p)
      : arch(a),
        network(n),
        qnet(q),
        plan(p),
        layer_array_cycles(n.layers.size(), 0),
        period(a.cycle_ns(), sc_core::SC_NS) {}

  std::int64_t cycles(const sc_core::sc_time& t) const { return std::int64_t(t / period + 0.5); }
};

// Packet kinds on the NoC (noc::Packet::kind).
enum PacketKind : int { kLayerInput = 1, kPartialSums = 2, kLayerResult = 3 };

// Values carried by packets.
struct LayerInputData {
  std::vector<const workloads::Tensor*> tensors;  // owned by the dispatch unit
};
struct GroupValues {
  std::int64_t vectors = 0;
  std::int64_t cols = 0;
  std::vector<std::int64_t> values;  // vectors x cols, partial sums or results
};

}  // namespace reramsim::hw
