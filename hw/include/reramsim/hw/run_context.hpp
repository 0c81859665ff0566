// What every hardware module of one run shares: the inputs it was elaborated
// from (read-only) and the counters it adds to. Built once before
// elaboration; modules never call back into the mapper.
#pragma once

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/mapping/program.hpp"
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

// When a layer ran: its first unit's start and its last output's send.
struct LayerTiming {
  std::int64_t start_cycle = 0;
  std::int64_t end_cycle = 0;
  bool started = false;
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
  // Per layer, from the PEs that run it.
  std::vector<LayerTiming> layer_timing;
  // Every layer's output as its PEs produced it for the first image, written
  // through a zero-time debug path (not counted, no NoC) so the run can be
  // checked against the reference; the hardware itself moves values only in
  // packets.
  std::vector<workloads::Tensor> observed;
  // The batch's input images (batch mode); empty: the one image qnet.input.
  std::vector<workloads::Tensor> images;
  int batch() const { return images.empty() ? 1 : int(images.size()); }
  const workloads::Tensor& image(int i) const {
    return images.empty() ? qnet.input : images[std::size_t(i)];
  }
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
        layer_timing(n.layers.size()),
        period(a.cycle_ns(), sc_core::SC_NS) {
    observed.resize(n.layers.size());
    for (std::size_t l = 0; l < n.layers.size(); ++l) {
      observed[l].shape = n.layers[l].out;
      observed[l].data.assign(std::size_t(n.layers[l].out.elements()), 0);
    }
  }

  // Widens a layer's recorded interval to include [start, end] (cycles).
  void record_layer_time(int layer, std::int64_t start, std::int64_t end) {
    LayerTiming& t = layer_timing[std::size_t(layer)];
    if (!t.started) {
      t.start_cycle = start;
      t.end_cycle = end;
      t.started = true;
      return;
    }
    t.start_cycle = std::min(t.start_cycle, start);
    t.end_cycle = std::max(t.end_cycle, end);
  }

  std::int64_t cycles(const sc_core::sc_time& t) const { return std::int64_t(t / period + 0.5); }
};

// Packet kinds on the NoC (noc::Packet::kind).
enum PacketKind : int {
  kActivations = 1,    // one output row (or part of one) of a layer, or of the network input
  kPartialSums = 2,    // a part's partial sums of an output group, to its reducer
  kLayerResult = 3,    // a network output row, up the collection tree
  kConfiguration = 4,  // C.wload / C.ifetch / C.dload of a PE, down the fat tree
  kConfigured = 5,     // a PE's acknowledgement that it is configured, up the collection tree
};

// One weight block a C.wload writes into a crossbar.
struct TileWeights {
  int crossbar = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t row_offset = 0;        // where it sits in the crossbar
  int input_bits = 0;                 // the inputs it sees (fewer for an input-cycle group)
  std::vector<std::int16_t> weights;  // rows x cols, row-major
};

// What a configuration packet of one round loads (its tag is the C-type
// opcode, its part the round): the PE's program for C.ifetch (instruction
// LUT) and C.dload (descriptor table), its weight blocks for C.wload, in
// plan order (so block k of a crossbar is the k-th listed for it). The
// dispatch unit hands the blocks over with the packet and the PE moves them
// into its crossbars: tens of millions of weights are not copied again.
struct ConfigurationData {
  std::shared_ptr<const mapping::PeProgram> program;
  std::shared_ptr<std::vector<TileWeights>> weights;
};

// Values carried by packets.
struct GroupValues {
  std::int64_t vectors = 0;
  std::int64_t cols = 0;
  std::vector<std::int64_t> values;  // vectors x cols, partial sums or results
};

// Activations of kActivations and kLayerResult packets: positions
// x_begin .. x_begin + values->vectors - 1 of output row `row`, one value per
// column; column c is channel (*channels)[c], or channel c when `channels`
// is null (every channel in order).
struct ActivationData {
  std::shared_ptr<const GroupValues> values;
  int row = 0;
  int x_begin = 0;
  const std::vector<std::int32_t>* channels = nullptr;  // owned by the sender's program
};

// Writes activations into an H x W x C tensor (a consumer's input store, or
// RunContext::observed).
void place_activations(workloads::Tensor& tensor, const ActivationData& data);

}  // namespace reramsim::hw
