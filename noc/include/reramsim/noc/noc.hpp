// The network-on-chip: fat-tree distribution (with multicast), local mesh and
// collection tree, with routers reduced to switch traversal (ST) and link
// traversal (LT) (001_ea7aef8f81a45a7e.txt Section VI.B).
//
// Loosely timed: a packet injected through `inject_socket[src]` is routed
// just after its injection cycle, injections in time order (ties by source
// endpoint), whatever order the time-decoupled senders call in; every link it crosses is reserved
// for its flits (a link carries one flit per cycle), so contention delays later packets and the
// wait is counted. Each destination receives it through `deliver_socket[dst]` with the delay of its
// tail's arrival. Zero-load latency: routers x t_router + links x t_link + (flits - 1).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/noc/activity_trace.hpp"
#include "reramsim/noc/packet.hpp"
#include "reramsim/noc/topology.hpp"

namespace reramsim::noc {

// Distribution of delivery latencies for tail percentiles: exact below 2048
// cycles; above, buckets of 1/1024 relative width (2^e .. 2^(e+1) split in
// 1024), so memory stays bounded (at most ~56k counters) even for the
// million-cycle waits of an end-to-end run. Counters grow only when a new
// largest bucket is seen, so adding a sample does not allocate in steady state.
class LatencyHistogram {
 public:
  void add(std::int64_t latency);
  std::int64_t count() const { return m_count; }
  // Nearest-rank percentile (0 < p <= 1): the smallest latency L such that at
  // least ceil(p * count) samples are <= L; above 2047 cycles, the upper end of
  // L's bucket, but never more than the largest sample. 0 when empty.
  std::int64_t percentile(double p) const;

 private:
  static constexpr int kSubBits = 10;  // 1024 buckets per power of two
  static std::size_t bucket_of(std::int64_t latency);
  static std::int64_t bucket_upper(std::size_t bucket);
  std::vector<std::int64_t> m_counts;
  std::int64_t m_count = 0;
  std::int64_t m_max = 0;
};

// One directed link's activity. The model reserves a link for a packet's
// flits back to back, so flits == cycles the link carries a flit for counted
// packets; busy_cycles is the occupancy inside the measurement window (it
// includes reservations of packets injected before the window that spill into
// it, and excludes what spills past its end).
struct LinkStats {
  std::int64_t packets = 0;      // counted packets crossing the link
  std::int64_t flits = 0;        // their flits
  std::int64_t busy_cycles = 0;  // cycles carrying a flit, within the window
  std::int64_t wait_cycles = 0;  // head cycles counted packets waited for it
};

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
  LatencyHistogram latency;      // per delivery, for tail percentiles
  std::vector<LinkStats> links;  // indexed by the network's link id (topology.hpp)
};

// Whether a link id is a physical link: mesh ids are pe*4 + direction, and a
// PE on the grid's edge has no link leaving the grid; a tree link exists when
// some PE hangs below it (arity^levels may exceed the PE count).
bool link_exists(const arch::ArchConfig& arch, const Topology& topology, Network network, int link);
// A readable link name: mesh "pe5_east"; fat tree "to_pe5" / "to_r1.2" (the
// link into leaf PE 5, into router 2 of level 1; "to_r0.0" comes from the
// dispatch unit); collection "from_pe5" / "from_r1.2" ("from_r0.0" ends at the
// global buffer).
std::string link_name(const arch::ArchConfig& arch, const Topology& topology, Network network,
                      int link);

class Noc : public sc_core::sc_module {
 public:
  // Endpoints: PEs 0..P-1, then the dispatch unit / global buffer (P).
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<Noc>>> inject_socket;
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<Noc>>> deliver_socket;

  // With a trace, `traced_pes` (null: all) limits the traced links to those
  // serving the marked PEs.
  SC_HAS_PROCESS(Noc);
  Noc(sc_core::sc_module_name name, const arch::ArchConfig& arch, ActivityTrace* trace,
      const std::vector<bool>* traced_pes = nullptr);
  ~Noc() override;

  int dispatch_endpoint() const { return m_topology.pes(); }
  const NetworkStats& stats(Network network) const { return m_stats[std::size_t(network)]; }
  const Topology& topology() const { return m_topology; }

  // Statistics count the packets injected in cycles [begin, end) and the link
  // occupancy inside that window; packets outside it are routed (and contend)
  // all the same. The default window is every cycle, so a run counts
  // everything. Synthetic traffic sets it to exclude the warm-up.
  void set_measurement_window(std::int64_t begin, std::int64_t end);
  // During a run: forgets what was counted so far and counts from cycle
  // `begin` on (e.g. inference after the configuration phase).
  void restart_measurement(std::int64_t begin);

 private:
  struct LinkState {
    std::int64_t free_at = 0;
    int trace_signal = -1;
  };

  // An injection waiting to be routed, in the bucket of its injection cycle.
  struct Pending {
    int src = 0;
    std::uint64_t sequence = 0;  // call order, the last tie-break
    Packet packet;
  };

  void b_transport(int src, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  sc_core::sc_time routing_time(std::int64_t t0) const;
  void schedule_routing();
  void route_pending();  // SC_METHOD
  void route(const Packet& packet, std::int64_t t0);
  // Reserves `link` for `flits` from the head's ready time; returns the start.
  // `counted`: the packet was injected inside the measurement window.
  std::int64_t cross(Network network, int link, std::int64_t head_ready, std::int64_t flits,
                     bool counted);
  void deliver(const Packet& packet, int dst, std::int64_t arrival_cycle);
  // Records one delivery's latency (injection to tail arrival).
  void record_latency(NetworkStats& stats, std::int64_t latency);
  std::int64_t flits_of(std::int64_t bytes) const;

  std::int64_t route_fat_tree(const Packet& packet, std::int64_t t0, std::int64_t flits,
                              bool counted);
  std::int64_t route_collection(const Packet& packet, std::int64_t t0, std::int64_t flits,
                                bool counted);
  std::int64_t route_mesh(const Packet& packet, std::int64_t t0, std::int64_t flits, bool counted);

  const arch::ArchConfig& m_arch;
  Topology m_topology;
  sc_core::sc_time m_period;
  std::int64_t m_router;
  std::int64_t m_link;
  std::array<std::vector<LinkState>, kNetworks> m_links;
  std::array<NetworkStats, kNetworks> m_stats;
  std::int64_t m_window_begin = 0;
  std::int64_t m_window_end = std::numeric_limits<std::int64_t>::max();
  ActivityTrace* m_trace = nullptr;
  tlm::tlm_generic_payload m_deliver_payload;
  PacketExtension m_deliver_ext;
  bool m_delivering = false;  // m_deliver_payload is in use
  // The injections of one cycle; `used` of `items` are live, the rest keep
  // their storage for reuse, so the steady state allocates nothing.
  struct Bucket {
    std::vector<Pending> items;
    std::size_t used = 0;
  };
  using Buckets = std::map<std::int64_t, Bucket>;
  Buckets m_pending;                        // by injection cycle
  std::vector<Buckets::node_type> m_spare;  // emptied buckets, for reuse
  std::uint64_t m_sequence = 0;
  sc_core::sc_event m_route_event;
};

}  // namespace reramsim::noc
