// Synthetic traffic (noc/include/reramsim/noc/traffic.hpp) on the 8 x 8 study
// chip, configs/noc-mesh8x8.yaml: throughput below and above saturation
// against the bounds docs/noc.md derives, per-link statistics, multicast
// delivery, and the bounds the code computes against the closed forms.
// run_traffic elaborates and simulates, so each case calls it at most once.
#include <systemc>
#include <catch2/catch.hpp>

#include <set>

#include "reramsim/noc/traffic.hpp"

using namespace reramsim;

namespace {

arch::ArchConfig mesh8x8() {
  return arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/noc-mesh8x8.yaml");
}

noc::TrafficSpec spec_of(noc::Network network, noc::Pattern pattern, double rate,
                         std::int64_t cycles) {
  noc::TrafficSpec spec;
  spec.network = network;
  spec.pattern = pattern;
  spec.rate = rate;
  spec.cycles = cycles;
  spec.warmup = cycles / 10;
  spec.packet_flits = 8;
  spec.seed = 1;
  return spec;
}

// docs/noc.md, "Saturation of the mesh": on a k x k mesh (N = k^2 nodes) with
// XY routing and uniform traffic to the N - 1 other nodes, the busiest links
// (those crossing the bisection) carry lambda * k * N / (4 (N - 1)) flits per
// cycle, so lambda <= 4 (N - 1) / (k N) flits per node per cycle: 0.4921875
// for k = 8, that is 0.0615234375 packets of 8 flits.
constexpr double kMeshBoundFlits = 4.0 * 63.0 / (8.0 * 64.0);
constexpr double kMeshBoundPackets = kMeshBoundFlits / 8.0;

}  // namespace

TEST_CASE("noc traffic: the computed bounds equal the closed forms of docs/noc.md",
          "[noc][traffic]") {
  const arch::ArchConfig arch = mesh8x8();
  const auto mesh =
      noc::analyse_traffic(arch, spec_of(noc::Network::mesh, noc::Pattern::uniform, 0.01, 1000));
  REQUIRE(mesh.computed);
  CHECK(mesh.saturation_rate == Approx(kMeshBoundPackets).epsilon(1e-12));
  // Average hops under uniform traffic to another node: 2 (k^2 - 1) / (3k)
  // * N / (N - 1) = 5.25 * 64 / 63; zero-load latency (h + 1) + h + 7.
  const double hops = 2.0 * 63.0 / 24.0 * 64.0 / 63.0;
  CHECK(mesh.zero_load_latency == Approx(2.0 * hops + 8.0).epsilon(1e-12));
  // The busiest link crosses the bisection: x = 3 <-> 4 or y = 3 <-> 4.
  std::set<std::string> bisection;
  for (int i = 0; i < 8; ++i) {
    bisection.insert("pe" + std::to_string(i * 8 + 3) + "_east");
    bisection.insert("pe" + std::to_string(i * 8 + 4) + "_west");
    bisection.insert("pe" + std::to_string(3 * 8 + i) + "_north");
    bisection.insert("pe" + std::to_string(4 * 8 + i) + "_south");
  }
  CHECK(bisection.count(mesh.busiest_link_name) == 1);

  // Fat tree: every packet of the one source crosses the root link, 8 flits:
  // at most 1/8 packet per cycle; zero-load 3 routers + 4 links + 7 = 14.
  const auto tree = noc::analyse_traffic(
      arch, spec_of(noc::Network::fat_tree, noc::Pattern::broadcast, 0.01, 1000));
  CHECK(tree.saturation_rate == Approx(1.0 / 8.0).epsilon(1e-12));
  CHECK(tree.zero_load_latency == Approx(14.0).epsilon(1e-12));
  CHECK(tree.busiest_link_name == "to_r0.0");

  // Gather: all 64 PEs share the root's link to the global buffer.
  const auto gather = noc::analyse_traffic(
      arch, spec_of(noc::Network::collection, noc::Pattern::gather, 0.01, 1000));
  CHECK(gather.saturation_rate == Approx(1.0 / (64.0 * 8.0)).epsilon(1e-12));
  CHECK(gather.zero_load_latency == Approx(14.0).epsilon(1e-12));
  CHECK(gather.busiest_link_name == "from_r0.0");
}

TEST_CASE("noc traffic: below saturation the mesh accepts the offered load", "[noc][traffic]") {
  // 70% of the bisection bound, 20,000 cycles with 2,000 of warm-up.
  const double rate = 0.7 * kMeshBoundPackets;
  const auto r =
      noc::run_traffic(mesh8x8(), spec_of(noc::Network::mesh, noc::Pattern::uniform, rate, 20000));
  // About 0.0431 * 64 * 18,000 = 49,600 packets are injected in the window:
  // a binomial count's relative standard deviation is 1/sqrt(49,600) = 0.45%,
  // so 3% around the nominal rate is more than 6 sigma.
  CHECK(r.sources == 64);
  CHECK(r.offered_packets() == Approx(rate).epsilon(0.03));
  // Accepted against the measured offered load differs only by packets in
  // flight at the window's edges (latency ~55 cycles of 18,000: ~0.3%).
  CHECK(r.accepted_packets() == Approx(r.offered_packets()).epsilon(0.02));
  CHECK(r.accepted_flits() == Approx(8.0 * r.accepted_packets()).epsilon(1e-12));
  // No link can be busy more than every measured cycle.
  for (const auto& link : r.links) CHECK(link.stats.busy_cycles <= r.measured_cycles);
  // Queueing adds latency but the network is stable: the p99 stays within a
  // few hundred cycles of the 18.7-cycle zero-load latency.
  CHECK(r.average_latency() > r.bounds.zero_load_latency);
  CHECK(r.stats.latency.percentile(0.99) < 1000);
}

TEST_CASE("noc traffic: above the bisection bound the mesh's throughput flattens at it",
          "[noc][traffic]") {
  // 1.5x the bound offered; the accepted throughput must neither exceed the
  // bound by more than 5% (the bound is exact; 5% covers the window's edge
  // effects) nor fall more than 5% below it (measured: 98% of the bound, see
  // docs/noc.md).
  const double rate = 1.5 * kMeshBoundPackets;
  const auto r =
      noc::run_traffic(mesh8x8(), spec_of(noc::Network::mesh, noc::Pattern::uniform, rate, 20000));
  CHECK(r.offered_flits() == Approx(1.5 * kMeshBoundFlits).epsilon(0.03));
  CHECK(r.accepted_flits() <= 1.05 * kMeshBoundFlits);
  CHECK(r.accepted_flits() >= 0.95 * kMeshBoundFlits);
  // Saturated: some link is busy in (nearly) every measured cycle, and
  // latency grows far beyond its zero-load value.
  std::int64_t busiest = 0;
  for (const auto& link : r.links) busiest = std::max(busiest, link.stats.busy_cycles);
  CHECK(double(busiest) >= 0.99 * double(r.measured_cycles));
  CHECK(r.average_latency() > 50.0 * r.bounds.zero_load_latency);
}

TEST_CASE("noc traffic: per-link statistics add up to the network's", "[noc][traffic]") {
  const auto r =
      noc::run_traffic(mesh8x8(), spec_of(noc::Network::mesh, noc::Pattern::uniform, 0.03, 5000));
  std::int64_t packets = 0, flits = 0, waits = 0;
  for (const auto& link : r.links) {
    packets += link.stats.packets;
    flits += link.stats.flits;
    waits += link.stats.wait_cycles;
  }
  const auto& s = r.stats;
  // Every packet is 8 flits of 16 bits = 16 bytes: link flits = byte-hops *
  // 8 / 16, and link crossings = byte-hops / 16.
  CHECK(s.bytes == 16 * s.packets);
  CHECK(flits == s.link_flits);
  CHECK(flits == s.byte_hops * 8 / 16);
  CHECK(packets == s.byte_hops / 16);
  CHECK(waits == s.wait_cycles);
  // The 8 x 8 mesh has 2 directions x 2 axes x 8 lines x 7 links = 224 links.
  CHECK(r.links.size() == 224u);
  // Counted packets are the ones injected in the window.
  CHECK(s.packets == r.injected_packets);
  CHECK(s.latency.count() == s.deliveries);
}

TEST_CASE("noc traffic: a broadcast stream reaches every PE exactly once per packet",
          "[noc][traffic]") {
  // 0.05 packets per cycle from the dispatch unit: 40% of the root link.
  const auto r = noc::run_traffic(
      mesh8x8(), spec_of(noc::Network::fat_tree, noc::Pattern::broadcast, 0.05, 4000));
  REQUIRE(r.total_injected_packets > 100);
  for (int pe = 0; pe < 64; ++pe) CHECK(r.received[std::size_t(pe)] == r.total_injected_packets);
  CHECK(r.received[64] == 0);  // the dispatch unit receives nothing
  CHECK(r.total_deliveries == 64 * r.total_injected_packets);
  // Packets wait only for the dispatch unit's link: once it has spaced them
  // at least 8 cycles apart, every link below carries them in that order
  // without overlap.
  std::int64_t root_wait = 0;
  for (const auto& link : r.links) {
    if (link.name == "to_r0.0") {
      root_wait = link.stats.wait_cycles;
    } else {
      CHECK(link.stats.wait_cycles == 0);
    }
  }
  CHECK(root_wait == r.stats.wait_cycles);
  CHECK(root_wait > 0);  // at 0.05 packets per cycle, 30% of gaps are under 8 cycles
}

TEST_CASE("noc traffic: gather saturates the collection tree's root link", "[noc][traffic]") {
  // Bound: 1 / (64 * 8) = 0.001953125 packets per PE per cycle; offer twice
  // that. The root link then carries a flit every cycle: accepted 1/64 flit
  // per PE per cycle (within 2%: window edge effects).
  const auto r = noc::run_traffic(
      mesh8x8(), spec_of(noc::Network::collection, noc::Pattern::gather, 2.0 / 512.0, 20000));
  CHECK(r.accepted_flits() == Approx(1.0 / 64.0).epsilon(0.02));
  for (const auto& link : r.links) {
    if (link.name == "from_r0.0") CHECK(link.stats.busy_cycles == r.measured_cycles);
  }
  CHECK(r.received[64] == r.total_deliveries);
}

TEST_CASE("noc traffic: hotspot sends half the fat tree's packets to the centre PE",
          "[noc][traffic]") {
  const auto r = noc::run_traffic(
      mesh8x8(), spec_of(noc::Network::fat_tree, noc::Pattern::hotspot, 0.05, 20000));
  const int hot = noc::hotspot_pe(mesh8x8());
  CHECK(hot == 4 * 8 + 4);  // (x/2, y/2) = (4, 4)
  // P(hotspot) = 1/2 + 1/2 * 1/64; about 1,000 packets give a standard
  // deviation of sqrt(0.25 / 1000) = 1.6%, so 0.05 is 3 sigma.
  const double share = double(r.received[std::size_t(hot)]) / double(r.total_deliveries);
  CHECK(share == Approx(0.5 + 0.5 / 64.0).margin(0.05));
}

TEST_CASE("noc traffic: at low load the mesh's latency is the zero-load closed form",
          "[noc][traffic]") {
  // 0.001 packets per node per cycle: a packet rarely meets another (the
  // busiest link is 0.8% busy), so the average is within 2% of 18.67 cycles.
  const auto r =
      noc::run_traffic(mesh8x8(), spec_of(noc::Network::mesh, noc::Pattern::uniform, 0.001, 50000));
  CHECK(r.average_latency() == Approx(r.bounds.zero_load_latency).epsilon(0.02));
  CHECK(r.bounds.zero_load_latency == Approx(8.0 + 2.0 * 5.25 * 64.0 / 63.0).epsilon(1e-12));
}
