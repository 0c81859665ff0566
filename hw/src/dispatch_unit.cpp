#include "reramsim/hw/dispatch_unit.hpp"

#include <algorithm>

#include "reramsim/isa/isa.hpp"
#include "reramsim/mapping/order.hpp"
#include "reramsim/mapping/program.hpp"

namespace reramsim::hw {

using workloads::Layer;
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

void DispatchUnit::set_programs(std::vector<mapping::PeProgram> programs) {
  m_programs.clear();
  for (auto& p : programs) {
    m_programs.push_back(std::make_shared<const mapping::PeProgram>(std::move(p)));
  }
}

namespace {
std::int64_t descriptor_bytes(const mapping::PeProgram& program) {
  // An entry's fixed fields (layer, kind, geometry, shift) in 32 bytes, then
  // a 32-bit word per channel or BatchNorm parameter it lists.
  std::int64_t bytes = 0;
  for (const auto& d : program.table) {
    bytes += 32 + 4 * std::int64_t(d.channels.size() + d.bn_mean.size() + d.bn_var.size() +
                                   d.bn_gamma.size() + d.bn_beta.size());
  }
  return bytes;
}
}  // namespace

void DispatchUnit::configure() {
  const auto& arch = m_context.arch;
  std::vector<std::int64_t> weight_bytes(m_programs.size(), 0);
  for (const auto& tile : m_context.plan.tiles) {
    weight_bytes[std::size_t(tile.pe)] += (tile.rows * tile.cols * arch.data.weight_bits + 7) / 8;
  }
  int configured = 0;
  for (std::size_t pe = 0; pe < m_programs.size(); ++pe) {
    const auto& program = m_programs[pe];
    if (program->code.empty()) continue;
    ++configured;
    auto data = std::make_shared<ConfigurationData>();
    data->program = program;
    const std::pair<isa::COp, std::int64_t> loads[] = {
        {isa::COp::wload, weight_bytes[pe]},
        {isa::COp::ifetch, std::int64_t(program->code.size()) * 8},  // 64-bit words
        {isa::COp::dload, descriptor_bytes(*program)}};
    for (const auto& [op, bytes] : loads) {
      noc::Packet packet;
      packet.network = noc::Network::fat_tree;
      packet.dsts = {int(pe)};
      packet.kind = kConfiguration;
      packet.tag = int(op);
      packet.bytes = std::max<std::int64_t>(bytes, 1);
      packet.data = data;
      noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
    }
  }
  for (int acknowledged = 0; acknowledged < configured; ++acknowledged) {
    m_inbox.take(m_keeper, [](const noc::Packet& p) { return p.kind == kConfigured; });
  }
  m_configured_cycle = m_context.cycles(m_keeper.get_current_time());
  if (m_on_configured) m_on_configured(m_configured_cycle);
}

void DispatchUnit::send_input() {
  // Each input row goes, multicast down the fat tree, to the PEs whose parts
  // read it; rows are read from the global buffer one after another, and the
  // tree's links serialize them.
  const std::vector<std::vector<int>> readers =
      mapping::row_readers(m_context.network, m_context.plan, workloads::kNetworkInput);
  const Tensor& input = m_context.qnet.input;
  const std::int64_t row_values = std::int64_t(input.shape.w) * input.shape.c;
  for (int y = 0; y < input.shape.h; ++y) {
    if (readers[std::size_t(y)].empty()) continue;
    auto values = std::make_shared<GroupValues>();
    values->vectors = input.shape.w;
    values->cols = input.shape.c;
    const auto first = input.data.begin() + std::ptrdiff_t(y * row_values);
    values->values.assign(first, first + std::ptrdiff_t(row_values));
    auto data = std::make_shared<ActivationData>();
    data->values = values;
    data->row = y;
    m_context.counts.global_buffer_reads += row_values;

    noc::Packet packet;
    packet.network = noc::Network::fat_tree;
    packet.dsts = readers[std::size_t(y)];
    packet.kind = kActivations;
    packet.layer = workloads::kNetworkInput;
    packet.part = y;
    packet.bytes = (row_values * m_context.arch.data.activation_bits + 7) / 8;
    packet.data = data;
    noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
  }
}

void DispatchUnit::run() {
  const auto& network = m_context.network;
  const std::size_t layers = network.layers.size();
  m_results.resize(layers);
  m_keeper.reset();
  configure();
  send_input();

  // The network outputs: layers no layer reads. Each of their parts sends a
  // packet per output group (one for layers without weights).
  std::vector<bool> consumed(layers, false);
  for (const Layer& layer : network.layers) {
    for (int source : layer.inputs) {
      if (source != workloads::kNetworkInput) consumed[std::size_t(source)] = true;
    }
  }
  std::int64_t expected = 0;
  for (std::size_t l = 0; l < layers; ++l) {
    if (consumed[l]) continue;
    const Layer& layer = network.layers[l];
    m_results[l].shape = layer.out;
    m_results[l].data.assign(std::size_t(layer.out.elements()), 0);
    const auto& lp = m_context.plan.layers[l];
    const int parts = mapping::layer_parts(layer, layer.has_weights() ? lp.replicas : 1);
    if (!layer.has_weights()) {
      expected += parts;
      continue;
    }
    // Part p comes from the output groups of weight copy p % replicas.
    for (int p = 0; p < parts; ++p) {
      for (const auto& group : lp.groups) expected += group.replica == p % lp.replicas ? 1 : 0;
    }
  }
  for (std::int64_t received = 0; received < expected; ++received) {
    const noc::Packet result =
        m_inbox.take(m_keeper, [](const noc::Packet& p) { return p.kind == kLayerResult; });
    const auto* data = static_cast<const ActivationData*>(result.data.get());
    place_activations(m_results[std::size_t(result.layer)], *data);
    m_context.counts.global_buffer_writes += std::int64_t(data->values->values.size());
  }
  m_keeper.sync();
  m_finish_cycle = m_context.cycles(sc_core::sc_time_stamp());
  m_finished = true;
}

}  // namespace reramsim::hw
