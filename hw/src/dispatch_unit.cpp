#include "reramsim/hw/dispatch_unit.hpp"

namespace reramsim::hw {

using workloads::Layer;
using workloads::LayerType;
using workloads::Tensor;

DispatchUnit::DispatchUnit(sc_core::sc_module_name name, RunContext& context)
    : sc_module(name),
      noc_socket("noc_socket"),
      noc_in_socket("noc_in_socket"),
      m_context(context) {
  noc_in_socket.register_b_transport(this, &DispatchUnit::noc_in);
  SC_THREAD(run);
}

void DispatchUnit::noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  noc::PacketExtension* ext = nullptr;
  payload.get_extension(ext);
  m_inbox.deliver(ext->packet, sc_core::sc_time_stamp() + delay);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

void DispatchUnit::place_result(int layer_index, const noc::Packet& packet) {
  const Layer& layer = m_context.network.layers[std::size_t(layer_index)];
  const auto* values = static_cast<const GroupValues*>(packet.data.get());
  Tensor& out = m_outputs[std::size_t(layer_index)];
  m_context.counts.global_buffer_writes += std::int64_t(values->values.size());
  if (!layer.has_weights()) {
    for (std::size_t i = 0; i < values->values.size(); ++i) {
      out.data[i] = std::int32_t(values->values[i]);
    }
    return;
  }
  const mapping::LayerPlan& lp = m_context.plan.layers[std::size_t(layer_index)];
  const mapping::OutputGroup& group = lp.groups[std::size_t(packet.tag)];
  const int M = layer.out.c;
  // Output channel of each of the group's columns: its kept matrix column
  // (pruned channels stay 0, as the indexing filter leaves them), offset by
  // the group's first channel for grouped convolutions.
  const std::int64_t first_channel =
      layer.type == LayerType::conv ? group.matrix * (M / layer.groups) : 0;
  std::vector<std::int64_t> channels(std::size_t(values->cols));
  for (std::int64_t c = 0; c < values->cols; ++c) {
    channels[std::size_t(c)] = first_channel + lp.column(group.matrix, group.col_begin + c);
  }
  for (std::int64_t v = 0; v < values->vectors; ++v) {
    const std::int64_t position = layer.type == LayerType::conv    ? v
                                  : layer.type == LayerType::local ? group.matrix
                                                                   : 0;
    for (std::int64_t c = 0; c < values->cols; ++c) {
      out.data[std::size_t(position * M + channels[std::size_t(c)])] =
          std::int32_t(values->values[std::size_t(v * values->cols + c)]);
    }
  }
}

void DispatchUnit::run() {
  const auto& network = m_context.network;
  const std::size_t layers = network.layers.size();
  m_outputs.resize(layers);
  m_timing.resize(layers);
  m_keeper.reset();
  // Dataflow between layers: a layer's input leaves as soon as every layer it
  // reads is complete, so independent branches (a residual block's
  // downsample and its first convolution) run at the same time.
  std::vector<bool> sent(layers, false);
  std::vector<bool> complete(layers, false);
  std::vector<std::size_t> received(layers, 0);
  std::size_t completed = 0;
  while (completed < layers) {
    for (std::size_t li = 0; li < layers; ++li) {
      if (sent[li]) continue;
      bool ready = true;
      for (int source : network.layers[li].inputs) {
        ready = ready && (source == workloads::kNetworkInput || complete[std::size_t(source)]);
      }
      if (!ready) continue;
      sent[li] = true;
      send_input(li);
    }
    const noc::Packet result =
        m_inbox.take(m_keeper, [](const noc::Packet& p) { return p.kind == kLayerResult; });
    const std::size_t li = std::size_t(result.layer);
    place_result(result.layer, result);
    const std::size_t expected =
        network.layers[li].has_weights() ? m_context.plan.layers[li].groups.size() : 1;
    if (++received[li] == expected) {
      complete[li] = true;
      ++completed;
      m_timing[li].end_cycle = m_context.cycles(m_keeper.get_current_time());
    }
  }
  m_keeper.sync();
  m_finish_cycle = m_context.cycles(sc_core::sc_time_stamp());
  m_finished = true;
}

void DispatchUnit::send_input(std::size_t li) {
  const Layer& layer = m_context.network.layers[li];
  const mapping::LayerPlan& lp = m_context.plan.layers[li];
  m_outputs[li].shape = layer.out;
  m_outputs[li].data.assign(std::size_t(layer.out.elements()), 0);
  auto input = std::make_shared<LayerInputData>();
  std::int64_t values = 0;
  for (int source : layer.inputs) {
    const Tensor* t = source == workloads::kNetworkInput ? &m_context.qnet.input
                                                         : &m_outputs[std::size_t(source)];
    input->tensors.push_back(t);
    values += t->shape.elements();
  }
  m_context.counts.global_buffer_reads += values;
  m_timing[li].start_cycle = m_context.cycles(m_keeper.get_current_time());

  noc::Packet packet;
  packet.network = noc::Network::fat_tree;
  packet.dsts = lp.pes;
  packet.kind = kLayerInput;
  packet.layer = int(li);
  packet.bytes = (values * m_context.arch.data.activation_bits + 7) / 8;
  packet.data = input;
  noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
}

}  // namespace reramsim::hw
