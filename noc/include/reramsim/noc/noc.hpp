// The network-on-chip: fat-tree distribution (with multicast), local mesh and
// collection tree, with routers reduced to switch traversal (ST) and link
// traversal (LT) (001_ea7aef8f81a45a7e.txt Section VI.B).
//
// Loosely timed: a packet injected through `inject_socket[src]` is routed at
// once; every link it crosses is reserved for its flits (a link carries one
// flit per cycle), so contention delays later packets and the wait is counted.
// Each destination receives it through `deliver_socket[dst]` with the delay
// of its tail's arrival. Zero-load latency: routers x t_router + links x
// t_link + (flits - 1).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/noc/activity_trace.hpp"
#include "reramsim/noc/packet.hpp"
#include "reramsim/noc/topology.hpp"

namespace reramsim::noc {

struct NetworkStats {
  std::int64_t packets = 0;
  std::int64_t deliveries = 0;         // packet arrivals at destinations (multicast: several)
  std::int64_t flits = 0;              // flits injected
  std::int64_t bytes = 0;              // bytes injected
  std::int64_t byte_hops = 0;          // bytes x links crossed
  std::int64_t link_flits = 0;         // flits x links crossed (link activity)
  std::int64_t router_traversals = 0;  // flits x routers crossed
  std::int64_t wait_cycles = 0;        // head cycles spent waiting for busy links
  std::int64_t latency_sum = 0;        // per delivery, injection to tail arrival
  std::int64_t latency_max = 0;
};

class Noc : public sc_core::sc_module {
 public:
  // Endpoints: PEs 0..P-1, then the dispatch unit / global buffer (P).
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<Noc>>> inject_socket;
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<Noc>>> deliver_socket;

  Noc(sc_core::sc_module_name name, const arch::ArchConfig& arch, ActivityTrace* trace);

  int dispatch_endpoint() const { return m_topology.pes(); }
  const NetworkStats& stats(Network network) const { return m_stats[std::size_t(network)]; }
  const Topology& topology() const { return m_topology; }

 private:
  struct LinkState {
    std::int64_t free_at = 0;
    int trace_signal = -1;
  };

  void b_transport(int src, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  // Reserves `link` for `flits` from the head's ready time; returns the start.
  std::int64_t cross(std::vector<LinkState>& links, int link, std::int64_t head_ready,
                     std::int64_t flits, NetworkStats& stats);
  void deliver(const Packet& packet, int dst, std::int64_t arrival_cycle);
  std::int64_t flits_of(std::int64_t bytes) const;

  std::int64_t route_fat_tree(const Packet& packet, std::int64_t t0, std::int64_t flits);
  std::int64_t route_collection(const Packet& packet, std::int64_t t0, std::int64_t flits);
  std::int64_t route_mesh(const Packet& packet, std::int64_t t0, std::int64_t flits);

  const arch::ArchConfig& m_arch;
  Topology m_topology;
  sc_core::sc_time m_period;
  std::int64_t m_router;
  std::int64_t m_link;
  std::array<std::vector<LinkState>, kNetworks> m_links;
  std::array<NetworkStats, kNetworks> m_stats;
  ActivityTrace* m_trace = nullptr;
};

}  // namespace reramsim::noc
