// Synthetic traffic for one part of the NoC, as NoC studies measure it: every
// source starts a packet each cycle with probability `rate` (a Bernoulli
// process), destinations follow a pattern, and latency and throughput are
// measured after a warm-up (docs/noc.md).
//
// The generator is loosely timed: one thread walks the cycles of a quantum,
// injecting each cycle's packets with a time annotation, and synchronises once
// per quantum. Rather than one random draw per source per cycle, it draws the
// gap to a source's next packet from the geometric distribution, which is
// exactly the gap of a Bernoulli process (one draw per packet). Injections
// are made in cycle order across all sources because the NoC reserves links
// in the order packets are injected; one thread per source running a quantum
// ahead would reserve links out of time order.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/noc/noc.hpp"

namespace reramsim::noc {

enum class Pattern { uniform, transpose, hotspot, broadcast, gather };
const char* to_string(Pattern pattern);

struct TrafficSpec {
  Network network = Network::mesh;
  Pattern pattern = Pattern::uniform;
  double rate = 0.0;        // packets started per source per cycle, in [0, 1]
  std::int64_t cycles = 0;  // cycles in which sources inject
  std::int64_t warmup = 0;  // leading cycles left out of the measurement
  int packet_flits = 8;     // every packet is packet_flits * link_width_bits / 8 bytes
  std::uint64_t seed = 1;   // std::mt19937_64 seed
};

// Empty if `spec` can run on `arch`; otherwise why not, as the tail of a
// one-line message (e.g. "--pattern transpose needs a square PE grid; ...").
// Checks the pattern against the network, the grid and the enabled networks.
std::string check_traffic(const arch::ArchConfig& arch, const TrafficSpec& spec);

// The endpoints that inject (PEs 0..P-1, the dispatch unit P), in order:
// mesh: every PE (transpose: those off the diagonal, which would send to
// themselves); fat tree: the dispatch unit; collection: every PE.
std::vector<int> traffic_sources(const arch::ArchConfig& arch, const TrafficSpec& spec);

// The PE that hotspot traffic favours: the one at (x/2, y/2).
int hotspot_pe(const arch::ArchConfig& arch);

// What the pattern implies without simulating, by enumerating every source
// and destination with its probability (docs/noc.md):
struct TrafficBounds {
  bool computed = false;  // false when sources x destinations exceed 2^22 (too slow to enumerate)
  // Average zero-load latency over the pattern's deliveries: routers x router
  // + links x link + (flits - 1) per delivery.
  double zero_load_latency = 0.0;
  // Flits per cycle the busiest link must carry per unit rate (1 packet per
  // source per cycle), and that link.
  double max_channel_load = 0.0;
  int busiest_link = -1;
  std::string busiest_link_name;
  // 1 / max_channel_load: the rate (packets per source per cycle) at which
  // the busiest link is fully used; no rate above it is sustainable.
  double saturation_rate = 0.0;
};
TrafficBounds analyse_traffic(const arch::ArchConfig& arch, const TrafficSpec& spec);

// Starts the packets. One socket per endpoint (the NoC's inject sockets must
// all be bound); only the sources' sockets are used.
class TrafficGenerator : public sc_core::sc_module {
 public:
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<TrafficGenerator>>> noc_socket;

  SC_HAS_PROCESS(TrafficGenerator);
  TrafficGenerator(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                   const TrafficSpec& spec);
  ~TrafficGenerator() override;

  std::int64_t injected_packets() const { return m_injected; }  // all cycles
  std::int64_t measured_injected_packets() const { return m_measured_injected; }

 private:
  void run();
  // Fills m_ext.packet.dsts for a packet from `src`.
  void choose_destinations(int src);
  std::uint64_t uniform_below(std::uint64_t n) { return m_rng() % n; }  // bias < n / 2^64
  // Cycles from one packet of a source to its next (>= 1): the trial of the
  // first success of Bernoulli(rate) trials.
  std::int64_t draw_gap();

  TrafficSpec m_spec;
  std::vector<int> m_sources;
  std::vector<int> m_transpose_dst;  // per PE
  int m_pes;
  int m_hotspot;
  // m_gap_bound[g - 1] = (1 - rate)^g * 2^53, descending: a draw's top 53
  // bits u give the gap g, the smallest with u >= m_gap_bound[g - 1], since
  // P(gap > g) = (1 - rate)^g. Products and comparisons of doubles are exact
  // or correctly rounded in IEEE arithmetic, so every platform draws the same.
  std::vector<double> m_gap_bound;
  // m_gap_guide[i]: the first entry below (i + 1) * 2^43, where the search for
  // a draw in [i * 2^43, (i + 1) * 2^43) starts (an indexed search: one or two
  // comparisons per draw instead of a binary search).
  std::vector<std::uint32_t> m_gap_guide;
  std::mt19937_64 m_rng;
  std::vector<std::int64_t> m_next;  // per source position: the cycle of its next packet
  sc_core::sc_time m_period;
  tlm_utils::tlm_quantumkeeper m_keeper;
  // One payload and extension reused for every packet: the NoC copies what it
  // keeps, so nothing is allocated per packet here.
  tlm::tlm_generic_payload m_payload;
  PacketExtension m_ext;
  std::int64_t m_injected = 0;
  std::int64_t m_measured_injected = 0;
};

// Receives at every endpoint and counts arrivals (tails) per endpoint and
// inside the measurement window.
class TrafficSink : public sc_core::sc_module {
 public:
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<TrafficSink>>> noc_in_socket;

  TrafficSink(sc_core::sc_module_name name, const arch::ArchConfig& arch, std::int64_t window_begin,
              std::int64_t window_end);

  std::int64_t deliveries() const { return m_deliveries; }  // all cycles
  std::int64_t measured_deliveries() const { return m_measured_deliveries; }
  const std::vector<std::int64_t>& received() const { return m_received; }  // per endpoint

 private:
  void b_transport(int endpoint, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);

  sc_core::sc_time m_period;
  std::int64_t m_window_begin;
  std::int64_t m_window_end;
  std::int64_t m_deliveries = 0;
  std::int64_t m_measured_deliveries = 0;
  std::vector<std::int64_t> m_received;
};

struct LinkReport {
  std::string name;  // Noc::link_name
  LinkStats stats;
};

struct TrafficResult {
  TrafficSpec spec;
  int sources = 0;
  std::int64_t measured_cycles = 0;
  // Inside the window: packets injected, and deliveries (multicast: one per
  // destination) whose tail arrived.
  std::int64_t injected_packets = 0;
  std::int64_t delivered_packets = 0;
  // All cycles, including warm-up and arrivals after the last cycle.
  std::int64_t total_injected_packets = 0;
  std::int64_t total_deliveries = 0;
  std::vector<std::int64_t> received;  // deliveries per endpoint, all cycles
  // The network's statistics for packets injected inside the window
  // (latency, waits, per-link counts; busy cycles clipped to the window).
  NetworkStats stats;
  std::vector<LinkReport> links;  // physical links only, in id order
  TrafficBounds bounds;

  // Per source per cycle over the window.
  double offered_packets() const;
  double accepted_packets() const;
  double offered_flits() const { return offered_packets() * spec.packet_flits; }
  double accepted_flits() const { return accepted_packets() * spec.packet_flits; }
  double average_latency() const;
};

// Elaborates a NoC, a generator and a sink, simulates `spec.cycles` cycles of
// injection (and every packet's delivery) and measures. SystemC elaborates
// once per process, so call this once per process.
TrafficResult run_traffic(const arch::ArchConfig& arch, const TrafficSpec& spec);

}  // namespace reramsim::noc
