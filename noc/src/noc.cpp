#include "reramsim/noc/noc.hpp"

#include <algorithm>
#include <limits>
#include <cmath>
#include <string>
#include <utility>

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

Noc::Noc(sc_core::sc_module_name name, const arch::ArchConfig& arch, ActivityTrace* trace,
         const std::vector<bool>* traced_pes)
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
  for (int n = 0; n < kNetworks; ++n) {
    m_stats[std::size_t(n)].links.resize(m_links[std::size_t(n)].size());
  }
  if (trace != nullptr) {
    // One signal per link, named by the network and the link's place, for
    // the links that serve the traced PEs (all when none are named), so a
    // corner of a large chip can be inspected without tracing all of it.
    const std::string base = std::string(this->name());
    const int pes = m_topology.pes();
    const auto traced = [&](int pe) {
      return traced_pes == nullptr ||
             (std::size_t(pe) < traced_pes->size() && (*traced_pes)[std::size_t(pe)]);
    };
    for (int pe = 0; pe < pes; ++pe) {
      if (!traced(pe)) continue;
      for (int dir = 0; dir < 4; ++dir) {
        const int i = pe * 4 + dir;
        auto& link = m_links[std::size_t(Network::mesh)][std::size_t(i)];
        if (link.trace_signal < 0) {
          link.trace_signal =
              trace->add_signal(base + ".mesh", link_name(arch, m_topology, Network::mesh, i));
        }
      }
      for (int level = 0; level <= m_topology.fat_tree_levels(); ++level) {
        const int node = m_topology.fat_tree_ancestor(pe, level);
        auto& link = m_links[std::size_t(Network::fat_tree)]
                            [std::size_t(m_topology.fat_tree_link(level, node))];
        if (link.trace_signal < 0) {
          link.trace_signal = trace->add_signal(
              base + ".fat_tree", "into_l" + std::to_string(level) + "_n" + std::to_string(node));
        }
      }
      for (int level = 0; level <= arch.noc.collection.levels; ++level) {
        const int node = m_topology.collection_ancestor(pe, level);
        auto& link = m_links[std::size_t(Network::collection)]
                            [std::size_t(m_topology.collection_link(level, node))];
        if (link.trace_signal < 0) {
          link.trace_signal =
              trace->add_signal(base + ".collection",
                                "out_of_l" + std::to_string(level) + "_n" + std::to_string(node));
        }
      }
    }
  }
  m_trace = trace;
  SC_METHOD(route_pending);
  sensitive << m_route_event;
  dont_initialize();
  m_deliver_payload.set_command(tlm::TLM_WRITE_COMMAND);
  m_deliver_payload.set_data_length(0);
  m_deliver_payload.set_extension(&m_deliver_ext);
}

std::int64_t Noc::flits_of(std::int64_t bytes) const {
  const std::int64_t bits = std::max<std::int64_t>(bytes, 1) * 8;
  return (bits + m_arch.noc.link_width_bits - 1) / m_arch.noc.link_width_bits;
}

void Noc::set_measurement_window(std::int64_t begin, std::int64_t end) {
  m_window_begin = begin;
  m_window_end = end;
}

void Noc::restart_measurement(std::int64_t begin) {
  for (NetworkStats& stats : m_stats) {
    std::vector<LinkStats> links(stats.links.size());
    stats = NetworkStats{};
    stats.links = std::move(links);
  }
  m_window_begin = begin;
  m_window_end = std::numeric_limits<std::int64_t>::max();
}

namespace {

// (level, index) of the tree node a fat-tree link leads into or a collection
// link leads out of.
std::pair<int, int> tree_node(const arch::ArchConfig& arch, const Topology& topology,
                              Network network, int link) {
  const bool fat = network == Network::fat_tree;
  const int levels = fat ? arch.noc.fat_tree.levels : arch.noc.collection.levels;
  for (int level = levels; level > 0; --level) {
    const int first = fat ? topology.fat_tree_link(level, 0) : topology.collection_link(level, 0);
    if (link >= first) return {level, link - first};
  }
  return {0, link};
}

}  // namespace

bool link_exists(const arch::ArchConfig& arch, const Topology& topology, Network network,
                 int link) {
  if (network == Network::mesh) {
    const int pe = link / 4;
    const int x = pe % arch.chip.pe_x;
    const int y = pe / arch.chip.pe_x;
    switch (link % 4) {
      case 0:
        return x + 1 < arch.chip.pe_x;
      case 1:
        return x > 0;
      case 2:
        return y + 1 < arch.chip.pe_y;
      default:
        return y > 0;
    }
  }
  const auto [level, index] = tree_node(arch, topology, network, link);
  const bool fat = network == Network::fat_tree;
  const int arity = fat ? arch.noc.fat_tree.arity : arch.noc.collection.arity;
  const int levels = fat ? arch.noc.fat_tree.levels : arch.noc.collection.levels;
  std::int64_t leaves_below = 1;
  for (int l = level; l < levels; ++l) leaves_below *= arity;
  return std::int64_t(index) * leaves_below < topology.pes();
}

std::string link_name(const arch::ArchConfig& arch, const Topology& topology, Network network,
                      int link) {
  if (network == Network::mesh) {
    static const char* dirs[] = {"east", "west", "north", "south"};
    return "pe" + std::to_string(link / 4) + "_" + dirs[link % 4];
  }
  const bool fat = network == Network::fat_tree;
  const int levels = fat ? arch.noc.fat_tree.levels : arch.noc.collection.levels;
  const auto [level, index] = tree_node(arch, topology, network, link);
  const std::string prefix = fat ? "to_" : "from_";
  if (level == levels) return prefix + "pe" + std::to_string(index);
  return prefix + "r" + std::to_string(level) + "." + std::to_string(index);
}

std::int64_t Noc::cross(Network network, int link, std::int64_t head_ready, std::int64_t flits,
                        bool counted) {
  LinkState& state = m_links[std::size_t(network)][std::size_t(link)];
  NetworkStats& stats = m_stats[std::size_t(network)];
  LinkStats& link_stats = stats.links[std::size_t(link)];
  const std::int64_t start = std::max(head_ready, state.free_at);
  state.free_at = start + flits;
  // Occupancy is clipped to the window whoever the packet is, so a link's
  // utilization is what it really carried during the measured cycles.
  const std::int64_t busy = std::min(start + flits, m_window_end) - std::max(start, m_window_begin);
  if (busy > 0) link_stats.busy_cycles += busy;
  if (counted) {
    stats.wait_cycles += start - head_ready;
    stats.link_flits += flits;
    link_stats.packets += 1;
    link_stats.flits += flits;
    link_stats.wait_cycles += start - head_ready;
  }
  if (state.trace_signal >= 0) m_trace->busy(state.trace_signal, start, start + flits);
  return start;
}

void Noc::record_latency(NetworkStats& stats, std::int64_t latency) {
  stats.latency_sum += latency;
  stats.latency_max = std::max(stats.latency_max, latency);
  stats.latency.add(latency);
}

std::int64_t Noc::route_fat_tree(const Packet& packet, std::int64_t t0, std::int64_t flits,
                                 bool counted) {
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
          cross(Network::fat_tree, m_topology.fat_tree_link(level, node), ready, flits, counted);
      ++links_crossed;
      const bool is_router = level < levels;
      if (is_router && counted) stats.router_traversals += flits;
      next.emplace_back(node, start + m_link + (is_router ? m_router : 0));
    }
    frontier = std::move(next);
  }
  if (counted) stats.byte_hops += packet.bytes * links_crossed;
  std::int64_t last = t0;
  for (const auto& [pe, head] : frontier) {
    const std::int64_t arrival = head + flits - 1;
    if (counted) record_latency(stats, arrival - t0);
    deliver(packet, pe, arrival);
    last = std::max(last, arrival);
  }
  return last;
}

std::int64_t Noc::route_collection(const Packet& packet, std::int64_t t0, std::int64_t flits,
                                   bool counted) {
  auto& stats = m_stats[std::size_t(Network::collection)];
  const int levels = m_arch.noc.collection.levels;
  std::int64_t head = t0;
  for (int level = levels; level >= 0; --level) {
    const int node = m_topology.collection_ancestor(packet.src, level);
    const std::int64_t start =
        cross(Network::collection, m_topology.collection_link(level, node), head, flits, counted);
    // The link out of a PE or router leads into a router, except out of the root.
    const bool into_router = level > 0;
    if (into_router && counted) stats.router_traversals += flits;
    head = start + m_link + (into_router ? m_router : 0);
  }
  const std::int64_t arrival = head + flits - 1;
  if (counted) {
    stats.byte_hops += packet.bytes * (levels + 1);
    record_latency(stats, arrival - t0);
  }
  deliver(packet, dispatch_endpoint(), arrival);
  return arrival;
}

std::int64_t Noc::route_mesh(const Packet& packet, std::int64_t t0, std::int64_t flits,
                             bool counted) {
  auto& stats = m_stats[std::size_t(Network::mesh)];
  const int dst = packet.dsts.front();
  // XY route walked in place, the links of Topology::mesh_route in the same
  // order (link id = pe * 4 + direction: 0 east, 1 west, 2 north, 3 south),
  // without building a vector per packet.
  const int width = m_arch.chip.pe_x;
  int x = packet.src % width;
  int y = packet.src / width;
  const int tx = dst % width;
  const int ty = dst / width;
  std::int64_t hops = 0;
  std::int64_t head = t0 + m_router;  // the source PE's router
  while (x != tx || y != ty) {
    int direction = 0;
    if (x != tx) {
      direction = tx > x ? 0 : 1;
    } else {
      direction = ty > y ? 2 : 3;
    }
    const std::int64_t start =
        cross(Network::mesh, (y * width + x) * 4 + direction, head, flits, counted);
    head = start + m_link + m_router;
    ++hops;
    if (direction < 2) {
      x += direction == 0 ? 1 : -1;
    } else {
      y += direction == 2 ? 1 : -1;
    }
  }
  const std::int64_t arrival = head + flits - 1;
  if (counted) {
    stats.router_traversals += flits * (hops + 1);
    stats.byte_hops += packet.bytes * hops;
    record_latency(stats, arrival - t0);
  }
  deliver(packet, dst, arrival);
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
  // Injections are routed in time order, ties by source endpoint, whatever
  // order the (time-decoupled) senders call in: queued here, routed by
  // route_pending() just after their injection time.
  const std::int64_t t0 = std::int64_t(((sc_core::sc_time_stamp() + delay) / m_period) + 0.5);
  const bool earliest = m_pending.empty() || t0 < m_pending.begin()->first;
  auto it = m_pending.find(t0);
  if (it == m_pending.end()) {
    if (m_spare.empty()) {
      it = m_pending.emplace(t0, Bucket{}).first;
    } else {
      Buckets::node_type node = std::move(m_spare.back());
      m_spare.pop_back();
      node.key() = t0;
      it = m_pending.insert(std::move(node)).position;
    }
  }
  Bucket& bucket = it->second;
  if (bucket.used == bucket.items.size()) bucket.items.emplace_back();
  Pending& pending = bucket.items[bucket.used++];
  pending.src = src;
  pending.sequence = m_sequence++;
  pending.packet = ext->packet;  // reuses the slot's destination storage
  pending.packet.src = src;
  if (earliest) schedule_routing();
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

sc_core::sc_time Noc::routing_time(std::int64_t t0) const {
  // Just after the injection cycle begins, once every sender of that cycle
  // has called, whatever its delta cycle.
  return m_period * double(t0) + sc_core::sc_time(1, sc_core::SC_PS);
}

void Noc::schedule_routing() {
  const sc_core::sc_time at = routing_time(m_pending.begin()->first);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  m_route_event.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}

void Noc::route_pending() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!m_pending.empty() && routing_time(m_pending.begin()->first) <= now) {
    Buckets::node_type node = m_pending.extract(m_pending.begin());
    Bucket& bucket = node.mapped();
    const auto live = bucket.items.begin() + std::ptrdiff_t(bucket.used);
    std::sort(bucket.items.begin(), live, [](const Pending& a, const Pending& b) {
      return a.src != b.src ? a.src < b.src : a.sequence < b.sequence;
    });
    for (auto p = bucket.items.begin(); p != live; ++p) {
      route(p->packet, node.key());
      p->packet.data.reset();  // delivered: do not keep the values alive
    }
    bucket.used = 0;
    m_spare.push_back(std::move(node));
  }
  if (!m_pending.empty()) schedule_routing();
}

void Noc::route(const Packet& packet, std::int64_t t0) {
  const int src = packet.src;
  const std::int64_t flits = flits_of(packet.bytes);
  const bool counted = t0 >= m_window_begin && t0 < m_window_end;
  if (counted) {
    NetworkStats& stats = m_stats[std::size_t(packet.network)];
    stats.packets += 1;
    stats.deliveries += std::int64_t(packet.dsts.size());
    stats.flits += flits;
    stats.bytes += packet.bytes;
  }
  switch (packet.network) {
    case Network::fat_tree:
      if (src != dispatch_endpoint()) {
        SC_REPORT_ERROR(kMsgId, "fat-tree packets start at the dispatch unit");
      }
      route_fat_tree(packet, t0, flits, counted);
      break;
    case Network::collection:
      if (src == dispatch_endpoint()) {
        SC_REPORT_ERROR(kMsgId, "collection packets start at a PE");
      }
      route_collection(packet, t0, flits, counted);
      break;
    case Network::mesh:
      if (src == dispatch_endpoint() || packet.dsts.size() != 1) {
        SC_REPORT_ERROR(kMsgId, "mesh packets go from one PE to one PE");
      }
      route_mesh(packet, t0, flits, counted);
      break;
  }
}

Noc::~Noc() {
  // The payload would otherwise free the extension, which it does not own.
  m_deliver_payload.clear_extension(&m_deliver_ext);
}

void Noc::deliver(const Packet& packet, int dst, std::int64_t arrival_cycle) {
  sc_core::sc_time delay = m_period * double(arrival_cycle) - sc_core::sc_time_stamp();
  if (!m_delivering) {
    // The usual case: one payload reused, so a delivery allocates nothing.
    struct Guard {
      bool& flag;
      ~Guard() { flag = false; }
    } guard{m_delivering};
    m_delivering = true;
    m_deliver_ext.packet = packet;  // reuses the destination vector's storage
    m_deliver_ext.packet.dsts.assign(1, dst);
    (*deliver_socket[std::size_t(dst)])->b_transport(m_deliver_payload, delay);
    m_deliver_ext.packet.data.reset();  // the receiver has its copy; do not keep the values alive
    return;
  }
  // A receiver that injects from inside its b_transport gets here while the
  // shared payload is in use: deliver through one of its own.
  PacketExtension ext;
  ext.packet = packet;
  ext.packet.dsts = {dst};
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_WRITE_COMMAND);
  payload.set_data_length(0);
  payload.set_extension(&ext);
  (*deliver_socket[std::size_t(dst)])->b_transport(payload, delay);
  payload.clear_extension(&ext);
}

}  // namespace reramsim::noc

namespace reramsim::noc {

std::size_t LatencyHistogram::bucket_of(std::int64_t latency) {
  const std::uint64_t v = std::uint64_t(std::max<std::int64_t>(latency, 0));
  constexpr std::uint64_t kExact = std::uint64_t(2) << kSubBits;  // 2048
  if (v < kExact) return std::size_t(v);
  int exponent = 63;
  while ((v >> exponent) == 0) --exponent;  // floor(log2 v) >= kSubBits + 1
  const int shift = exponent - kSubBits;
  return std::size_t(kExact +
                     std::uint64_t(exponent - kSubBits - 1) * (std::uint64_t(1) << kSubBits) +
                     ((v >> shift) - (std::uint64_t(1) << kSubBits)));
}

std::int64_t LatencyHistogram::bucket_upper(std::size_t bucket) {
  constexpr std::size_t kExact = std::size_t(2) << kSubBits;
  if (bucket < kExact) return std::int64_t(bucket);
  const std::size_t above = bucket - kExact;
  const int exponent = int(above >> kSubBits) + kSubBits + 1;
  const std::uint64_t mantissa =
      (above & ((std::size_t(1) << kSubBits) - 1)) + (std::uint64_t(1) << kSubBits);
  const int shift = exponent - kSubBits;
  return std::int64_t(((mantissa + 1) << shift) - 1);
}

void LatencyHistogram::add(std::int64_t latency) {
  const std::size_t bucket = bucket_of(latency);
  if (bucket >= m_counts.size()) m_counts.resize(bucket + 1, 0);
  ++m_counts[bucket];
  ++m_count;
  m_max = std::max(m_max, latency);
}

std::int64_t LatencyHistogram::percentile(double p) const {
  if (m_count == 0) return 0;
  // Nearest rank, computed in integers where possible so the result does not
  // depend on rounding: rank = ceil(p * count), at least 1.
  std::int64_t rank = std::int64_t(std::ceil(p * double(m_count) - 1e-9));
  rank = std::clamp<std::int64_t>(rank, 1, m_count);
  std::int64_t seen = 0;
  for (std::size_t b = 0; b < m_counts.size(); ++b) {
    seen += m_counts[b];
    if (seen >= rank) return std::min(bucket_upper(b), m_max);
  }
  return m_max;
}

}  // namespace reramsim::noc
