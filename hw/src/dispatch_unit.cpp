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

void DispatchUnit::set_programs(std::vector<std::vector<mapping::PeProgram>> programs,
                                std::vector<std::vector<std::vector<TileWeights>>> weights) {
  m_programs.clear();
  m_weights.clear();
  for (std::size_t r = 0; r < programs.size(); ++r) {
    m_programs.emplace_back();
    m_weights.emplace_back();
    for (std::size_t pe = 0; pe < programs[r].size(); ++pe) {
      m_programs[r].push_back(
          std::make_shared<const mapping::PeProgram>(std::move(programs[r][pe])));
      m_weights[r].push_back(std::make_shared<std::vector<TileWeights>>(
          r < weights.size() && pe < weights[r].size() ? std::move(weights[r][pe])
                                                       : std::vector<TileWeights>{}));
    }
  }
}

std::int64_t DispatchUnit::instructions_loaded() const {
  std::int64_t n = 0;
  for (const auto& round : m_programs) {
    for (const auto& p : round) n += std::int64_t(p->code.size());
  }
  return n;
}

std::int64_t DispatchUnit::descriptors_loaded() const {
  std::int64_t n = 0;
  for (const auto& round : m_programs) {
    for (const auto& p : round) n += std::int64_t(p->table.size());
  }
  return n;
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

std::int64_t DispatchUnit::configure(int round) {
  const auto& arch = m_context.arch;
  int configured = 0;
  std::int64_t bytes_moved = 0;
  const auto& programs = m_programs[std::size_t(round)];
  for (std::size_t pe = 0; pe < programs.size(); ++pe) {
    const auto& program = programs[pe];
    if (program->code.empty()) continue;
    ++configured;
    auto data = std::make_shared<ConfigurationData>();
    data->program = program;
    // Handed over: each round is configured once.
    data->weights = std::move(m_weights[std::size_t(round)][pe]);
    std::int64_t weight_bytes = 0;
    for (const TileWeights& w : *data->weights) {
      weight_bytes += (w.rows * w.cols * arch.data.weight_bits + 7) / 8;
    }
    const std::pair<isa::COp, std::int64_t> loads[] = {
        {isa::COp::wload, weight_bytes},
        {isa::COp::ifetch, std::int64_t(program->code.size()) * 8},  // 64-bit words
        {isa::COp::dload, descriptor_bytes(*program)}};
    for (const auto& [op, bytes] : loads) {
      noc::Packet packet;
      packet.network = noc::Network::fat_tree;
      packet.dsts = {int(pe)};
      packet.kind = kConfiguration;
      packet.tag = int(op);
      packet.part = round;
      packet.bytes = std::max<std::int64_t>(bytes, 1);
      bytes_moved += packet.bytes;
      packet.data = data;
      noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
    }
  }
  for (int acknowledged = 0; acknowledged < configured; ++acknowledged) {
    m_inbox.take(m_keeper, [](const noc::Packet& p) { return p.kind == kConfigured; });
  }
  return bytes_moved + configured;  // an acknowledgement is 1 byte
}

void DispatchUnit::send_rows(int source, int round, int image) {
  const std::vector<std::vector<int>> readers =
      mapping::row_readers(m_context.network, m_context.plan, source, round);
  const workloads::Shape& shape = m_context.network.shape_of(source);
  for (int y = 0; y < shape.h; ++y) send_row(source, image, y, readers[std::size_t(y)]);
}

void DispatchUnit::send_row(int source, int image, int y, const std::vector<int>& readers) {
  // A row goes, multicast down the fat tree, to the PEs whose parts read it;
  // rows are read from the global buffer one after another, and the tree's
  // links serialize them.
  if (readers.empty()) return;
  const Tensor& tensor = source == workloads::kNetworkInput
                             ? m_context.image(image)
                             : m_global[std::size_t(image)][std::size_t(source)];
  const std::int64_t row_values = std::int64_t(tensor.shape.w) * tensor.shape.c;
  auto values = std::make_shared<GroupValues>();
  values->vectors = tensor.shape.w;
  values->cols = tensor.shape.c;
  const auto first = tensor.data.begin() + std::ptrdiff_t(y * row_values);
  values->values.assign(first, first + std::ptrdiff_t(row_values));
  auto data = std::make_shared<ActivationData>();
  data->values = values;
  data->row = y;
  m_context.counts.global_buffer_reads += row_values;

  noc::Packet packet;
  packet.network = noc::Network::fat_tree;
  packet.dsts = readers;
  packet.kind = kActivations;
  packet.layer = source;
  packet.part = y;
  packet.image = image;
  packet.bytes = (row_values * m_context.arch.data.activation_bits + 7) / 8;
  packet.data = data;
  noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
}

void DispatchUnit::send_carried(int round, int image) {
  // The partial sums an earlier round left for this round's groups, each to
  // the group's reducer, part by part.
  const auto& network = m_context.network;
  const auto& plan = m_context.plan;
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const mapping::LayerPlan& lp = plan.layers[l];
    if (!lp.runs_in(round) || !network.layers[l].has_weights()) continue;
    const int parts = mapping::layer_parts(network.layers[l], lp.replicas);
    const int bits = mapping::partial_sum_bits(m_context.arch, lp.shape.rows);
    for (std::size_t g = 0; g < lp.groups.size(); ++g) {
      const mapping::OutputGroup& group = lp.groups[g];
      if (group.round != round || group.carry_from < 0) continue;
      for (int p = group.replica; p < parts; p += lp.replicas) {
        const auto it = m_carried.find({image, int(l), group.carry_from, p});
        if (it == m_carried.end()) {
          SC_REPORT_ERROR("reramsim/dispatch",
                          "carried partial sums missing from the global buffer");
          return;
        }
        const std::int64_t values = std::int64_t(it->second->values.size());
        m_context.counts.global_buffer_reads += values;
        noc::Packet packet;
        packet.network = noc::Network::fat_tree;
        packet.dsts.push_back(group.reducer_pe);
        packet.kind = kPartialSums;
        packet.layer = int(l);
        packet.tag = int(g);
        packet.part = p;
        packet.image = image;
        packet.bytes = (values * bits + 7) / 8;
        packet.data = it->second;
        m_carried.erase(it);
        noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
      }
    }
  }
}

void DispatchUnit::run() {
  const auto& network = m_context.network;
  const auto& plan = m_context.plan;
  const std::size_t layers = network.layers.size();
  const int batch = m_context.batch();
  m_results.assign(std::size_t(batch), std::vector<Tensor>(layers));
  m_global.assign(std::size_t(batch), std::vector<Tensor>(layers));
  m_image_done.assign(std::size_t(batch), 0);
  m_carried.clear();
  m_keeper.reset();

  // Which layers' outputs come up to the global buffer: network outputs
  // (no layer reads them) and those a layer of another round reads.
  std::vector<bool> consumed(layers, false);
  std::vector<bool> to_global(layers, false);
  for (std::size_t c = 0; c < layers; ++c) {
    for (int source : network.layers[c].inputs) {
      if (source == workloads::kNetworkInput) continue;
      consumed[std::size_t(source)] = true;
      if (plan.layers[c].round != plan.layers[std::size_t(source)].round) {
        to_global[std::size_t(source)] = true;
      }
    }
  }
  for (std::size_t l = 0; l < layers; ++l) {
    // A folded layer (global folding) reaches its readers through here too.
    if (!consumed[l] || plan.layers[l].global_out) to_global[l] = true;
    if (!to_global[l]) continue;
    for (auto& global : m_global) {
      global[l].shape = network.layers[l].out;
      global[l].data.assign(std::size_t(network.layers[l].out.elements()), 0);
    }
  }

  for (int round = 0; round < plan.rounds; ++round) {
    const std::int64_t begin = m_context.cycles(m_keeper.get_current_time());
    const std::int64_t configuration_bytes = configure(round);
    const std::int64_t end = m_context.cycles(m_keeper.get_current_time());
    if (round == 0) {
      m_configured_cycle = end;
      if (m_on_configured) m_on_configured(m_configured_cycle);
    } else {
      m_reprogramming_cycles += end - begin;
      m_reprogramming_bytes += configuration_bytes;
    }
    // The round's inputs: the network input and the outputs of other
    // rounds its layers read, from the global buffer.
    std::vector<int> sources;
    std::int64_t expected = 0;
    for (std::size_t l = 0; l < layers; ++l) {
      const Layer& layer = network.layers[l];
      const auto& lp = plan.layers[l];
      if (!lp.runs_in(round)) continue;
      for (int source : layer.inputs) {
        const bool outside =
            source == workloads::kNetworkInput || !plan.layers[std::size_t(source)].runs_in(round);
        if (outside && std::find(sources.begin(), sources.end(), source) == sources.end()) {
          sources.push_back(source);
        }
      }
      // Each of its parts sends a packet per output group of the round (one
      // for layers without weights), part p from weight copy p % replicas;
      // a group carried to a later round sends its partial sums instead.
      const int parts = mapping::layer_parts(layer, layer.has_weights() ? lp.replicas : 1);
      if (!layer.has_weights()) {
        if (to_global[l]) expected += parts;
        continue;
      }
      for (int p = 0; p < parts; ++p) {
        for (const auto& group : lp.groups) {
          if (group.round != round || group.replica != p % lp.replicas) continue;
          if (group.carry_out || to_global[l]) ++expected;
        }
      }
    }
    std::sort(sources.begin(), sources.end());
    // Batch mode: every image's inputs, one image after the other (the PEs
    // take them in turn, so images pipeline through the chip).
    for (int image = 0; image < batch; ++image) {
      for (int source : sources) send_rows(source, round, image);
      send_carried(round, image);
    }
    // Folded layers of this round: rows relayed to this round's readers as
    // soon as all their packets are here.
    std::vector<std::vector<std::vector<int>>> relay(layers);
    std::vector<int> relay_packets(layers, 0);
    std::vector<std::vector<std::vector<int>>> arrived(static_cast<std::size_t>(batch));
    for (auto& a : arrived) a.resize(layers);
    for (std::size_t l = 0; l < layers; ++l) {
      if (!plan.layers[l].runs_in(round) || !plan.layers[l].global_out) continue;
      relay[l] = mapping::row_readers(network, plan, int(l), round);
      relay_packets[l] = mapping::output_packets_per_row(network, plan, int(l));
      for (auto& a : arrived) a[l].assign(relay[l].size(), 0);
    }
    std::vector<std::int64_t> left(std::size_t(batch), expected);
    for (std::int64_t received = 0; received < expected * batch; ++received) {
      const noc::Packet result = m_inbox.take(m_keeper, [](const noc::Packet& p) {
        return p.kind == kLayerResult || p.kind == kPartialSums;
      });
      if (result.kind == kPartialSums) {  // carried to the next group of its chain
        auto values = std::static_pointer_cast<const GroupValues>(result.data);
        m_context.counts.global_buffer_writes += std::int64_t(values->values.size());
        m_carried[{result.image, result.layer, result.tag, result.part}] = std::move(values);
        --left[std::size_t(result.image)];  // (never the last: a later group adds them)
        continue;
      }
      const auto* data = static_cast<const ActivationData*>(result.data.get());
      place_activations(m_global[std::size_t(result.image)][std::size_t(result.layer)], *data);
      m_context.counts.global_buffer_writes += std::int64_t(data->values->values.size());
      const std::size_t l = std::size_t(result.layer);
      if (!relay[l].empty() &&
          ++arrived[std::size_t(result.image)][l][std::size_t(data->row)] == relay_packets[l]) {
        send_row(result.layer, result.image, data->row, relay[l][std::size_t(data->row)]);
      }
      if (--left[std::size_t(result.image)] == 0 && round + 1 == plan.rounds) {
        m_image_done[std::size_t(result.image)] = m_context.cycles(m_keeper.get_current_time());
      }
    }
  }
  for (int image = 0; image < batch; ++image) {
    for (std::size_t l = 0; l < layers; ++l) {
      if (!consumed[l]) m_results[std::size_t(image)][l] = m_global[std::size_t(image)][l];
    }
  }
  m_keeper.sync();
  m_finish_cycle = m_context.cycles(sc_core::sc_time_stamp());
  m_finished = true;
}

}  // namespace reramsim::hw
