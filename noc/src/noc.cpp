#include "reramsim/noc/noc.hpp"

#include <algorithm>
#include <string>

namespace reramsim::noc {

const char* to_string(Network network) {
  switch (network) {
    case Network::fat_tree:
      return "fat_tree";
    case Network::mesh:
      return "mesh";
    case Network::collection:
      return "collection";
  }
  return "?";
}

namespace {
constexpr const char* kMsgId = "reramsim/noc";
}

Noc::Noc(sc_core::sc_module_name name, const arch::ArchConfig& arch, ActivityTrace* trace)
    : sc_module(name),
      m_arch(arch),
      m_topology(arch),
      m_period(sc_core::sc_time(arch.cycle_ns(), sc_core::SC_NS)),
      m_router(arch.latency.router),
      m_link(arch.latency.link) {
  const int endpoints = m_topology.pes() + 1;
  for (int i = 0; i < endpoints; ++i) {
    const std::string suffix = std::to_string(i);
    inject_socket.push_back(std::make_unique<tlm_utils::simple_target_socket_tagged<Noc>>(
        ("inject_socket_" + suffix).c_str()));
    inject_socket.back()->register_b_transport(this, &Noc::b_transport, i);
    deliver_socket.push_back(std::make_unique<tlm_utils::simple_initiator_socket<Noc>>(
        ("deliver_socket_" + suffix).c_str()));
  }
  m_links[std::size_t(Network::fat_tree)].resize(std::size_t(m_topology.fat_tree_links()));
  m_links[std::size_t(Network::collection)].resize(std::size_t(m_topology.collection_links()));
  m_links[std::size_t(Network::mesh)].resize(std::size_t(m_topology.mesh_links()));
  if (trace != nullptr) {
    // One signal per link, named by the network and the link's endpoints.
    const std::string base = std::string(this->name());
    for (std::size_t i = 0; i < m_links[std::size_t(Network::mesh)].size(); ++i) {
      static const char* dirs[] = {"east", "west", "north", "south"};
      m_links[std::size_t(Network::mesh)][i].trace_signal =
          trace->add_signal(base + ".mesh", "pe" + std::to_string(i / 4) + "_" + dirs[i % 4]);
    }
    for (std::size_t i = 0; i < m_links[std::size_t(Network::fat_tree)].size(); ++i) {
      m_links[std::size_t(Network::fat_tree)][i].trace_signal =
          trace->add_signal(base + ".fat_tree", "link" + std::to_string(i));
    }
    for (std::size_t i = 0; i < m_links[std::size_t(Network::collection)].size(); ++i) {
      m_links[std::size_t(Network::collection)][i].trace_signal =
          trace->add_signal(base + ".collection", "link" + std::to_string(i));
    }
  }
  m_trace = trace;
}

std::int64_t Noc::flits_of(std::int64_t bytes) const {
  const std::int64_t bits = std::max<std::int64_t>(bytes, 1) * 8;
  return (bits + m_arch.noc.link_width_bits - 1) / m_arch.noc.link_width_bits;
}

std::int64_t Noc::cross(std::vector<LinkState>& links, int link, std::int64_t head_ready,
                        std::int64_t flits, NetworkStats& stats) {
  LinkState& state = links[std::size_t(link)];
  const std::int64_t start = std::max(head_ready, state.free_at);
  stats.wait_cycles += start - head_ready;
  state.free_at = start + flits;
  stats.link_flits += flits;
  if (m_trace != nullptr) m_trace->busy(state.trace_signal, start, start + flits);
  return start;
}

std::int64_t Noc::route_fat_tree(const Packet& packet, std::int64_t t0, std::int64_t flits) {
  auto& links = m_links[std::size_t(Network::fat_tree)];
  auto& stats = m_stats[std::size_t(Network::fat_tree)];
  const int levels = m_topology.fat_tree_levels();
  const int arity = m_topology.fat_tree_arity();
  // Multicast: each link of the union of the routes is crossed once; a node's
  // head time is its parent's plus the link and (for routers) the switch.
  std::vector<std::pair<int, std::int64_t>> frontier = {{0, t0}};  // (node index, head ready)
  std::int64_t links_crossed = 0;
  for (int level = 0; level <= levels; ++level) {
    std::vector<int> needed;
    for (int dst : packet.dsts) needed.push_back(m_topology.fat_tree_ancestor(dst, level));
    std::sort(needed.begin(), needed.end());
    needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
    std::vector<std::pair<int, std::int64_t>> next;
    for (int node : needed) {
      const int parent = level == 0 ? 0 : node / arity;
      std::int64_t ready = t0;
      for (const auto& [index, time] : frontier) {
        if (index == parent) ready = time;
      }
      const std::int64_t start =
          cross(links, m_topology.fat_tree_link(level, node), ready, flits, stats);
      ++links_crossed;
      const bool is_router = level < levels;
      if (is_router) stats.router_traversals += flits;
      next.emplace_back(node, start + m_link + (is_router ? m_router : 0));
    }
    frontier = std::move(next);
  }
  stats.byte_hops += packet.bytes * links_crossed;
  std::int64_t last = t0;
  for (const auto& [pe, head] : frontier) {
    const std::int64_t arrival = head + flits - 1;
    deliver(packet, pe, arrival);
    stats.latency_sum += arrival - t0;
    stats.latency_max = std::max(stats.latency_max, arrival - t0);
    last = std::max(last, arrival);
  }
  return last;
}

std::int64_t Noc::route_collection(const Packet& packet, std::int64_t t0, std::int64_t flits) {
  auto& links = m_links[std::size_t(Network::collection)];
  auto& stats = m_stats[std::size_t(Network::collection)];
  const int levels = m_arch.noc.collection.levels;
  std::int64_t head = t0;
  for (int level = levels; level >= 0; --level) {
    const int node = m_topology.collection_ancestor(packet.src, level);
    const std::int64_t start =
        cross(links, m_topology.collection_link(level, node), head, flits, stats);
    // The link out of a PE or router leads into a router, except out of the root.
    const bool into_router = level > 0;
    if (into_router) stats.router_traversals += flits;
    head = start + m_link + (into_router ? m_router : 0);
  }
  stats.byte_hops += packet.bytes * (levels + 1);
  const std::int64_t arrival = head + flits - 1;
  deliver(packet, dispatch_endpoint(), arrival);
  stats.latency_sum += arrival - t0;
  stats.latency_max = std::max(stats.latency_max, arrival - t0);
  return arrival;
}

std::int64_t Noc::route_mesh(const Packet& packet, std::int64_t t0, std::int64_t flits) {
  auto& links = m_links[std::size_t(Network::mesh)];
  auto& stats = m_stats[std::size_t(Network::mesh)];
  const int dst = packet.dsts.front();
  const std::vector<int> route = m_topology.mesh_route(packet.src, dst);
  std::int64_t head = t0 + m_router;  // the source PE's router
  stats.router_traversals += flits * std::int64_t(route.size() + 1);
  for (int link : route) {
    const std::int64_t start = cross(links, link, head, flits, stats);
    head = start + m_link + m_router;
  }
  stats.byte_hops += packet.bytes * std::int64_t(route.size());
  const std::int64_t arrival = head + flits - 1;
  deliver(packet, dst, arrival);
  stats.latency_sum += arrival - t0;
  stats.latency_max = std::max(stats.latency_max, arrival - t0);
  return arrival;
}

void Noc::b_transport(int src, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  PacketExtension* ext = nullptr;
  payload.get_extension(ext);
  if (ext == nullptr || ext->packet.dsts.empty()) {
    SC_REPORT_ERROR(kMsgId, "packet without a PacketExtension or destinations");
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  Packet& packet = ext->packet;
  packet.src = src;
  const std::int64_t t0 = std::int64_t(((sc_core::sc_time_stamp() + delay) / m_period) + 0.5);
  const std::int64_t flits = flits_of(packet.bytes);
  NetworkStats& stats = m_stats[std::size_t(packet.network)];
  stats.packets += 1;
  stats.deliveries += std::int64_t(packet.dsts.size());
  stats.flits += flits;
  stats.bytes += packet.bytes;
  switch (packet.network) {
    case Network::fat_tree:
      if (src != dispatch_endpoint()) {
        SC_REPORT_ERROR(kMsgId, "fat-tree packets start at the dispatch unit");
      }
      route_fat_tree(packet, t0, flits);
      break;
    case Network::collection:
      if (src == dispatch_endpoint()) {
        SC_REPORT_ERROR(kMsgId, "collection packets start at a PE");
      }
      route_collection(packet, t0, flits);
      break;
    case Network::mesh:
      if (src == dispatch_endpoint() || packet.dsts.size() != 1) {
        SC_REPORT_ERROR(kMsgId, "mesh packets go from one PE to one PE");
      }
      route_mesh(packet, t0, flits);
      break;
  }
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Noc::deliver(const Packet& packet, int dst, std::int64_t arrival_cycle) {
  PacketExtension ext;
  ext.packet = packet;
  ext.packet.dsts = {dst};
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_WRITE_COMMAND);
  payload.set_data_length(0);
  payload.set_extension(&ext);
  sc_core::sc_time delay = m_period * double(arrival_cycle) - sc_core::sc_time_stamp();
  (*deliver_socket[std::size_t(dst)])->b_transport(payload, delay);
  payload.clear_extension(&ext);
}

}  // namespace reramsim::noc
