// Single packets on the 8 x 8 study chip (configs/noc-mesh8x8.yaml: 16-bit
// links, router 1 cycle, link 1 cycle, fat tree and collection tree of arity 4
// with 3 levels): zero-load latency against the closed form routers x t_router
// + links x t_link + (flits - 1) for what tests/noc/noc_zero_load_test.cpp does not cover
// (multi-flit tree packets, a 14-hop mesh route, a 64-PE broadcast), per-link
// statistics, and the measurement window.
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <catch2/catch.hpp>

#include <set>

#include "noc_test_util.hpp"
#include "reramsim/noc/noc.hpp"

using namespace reramsim;
using test::NocBench;

namespace {

arch::ArchConfig mesh8x8() {
  return arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/noc-mesh8x8.yaml");
}

}  // namespace

TEST_CASE("noc: an 8-flit fat-tree packet's latency equals the closed form", "[noc]") {
  NocBench bench(mesh8x8());
  // 16 bytes over 16-bit links = 8 flits. Dispatch unit -> root -> level-1
  // router -> level-2 router -> PE 37: 3 routers and 4 links, so by hand
  // 3 * 1 + 4 * 1 + (8 - 1) = 14 cycles.
  bench.send(bench.noc.dispatch_endpoint(), noc::Network::fat_tree, {37}, 16, 0);
  sc_core::sc_start();
  REQUIRE(bench.sinks[37]->received.size() == 1);
  CHECK(bench.cycles(bench.sinks[37]->received[0].second) == 14);
  const auto& s = bench.noc.stats(noc::Network::fat_tree);
  CHECK(s.link_flits == 8 * 4);         // 8 flits on each of the 4 links
  CHECK(s.router_traversals == 8 * 3);  // 8 flits through each of the 3 routers
  CHECK(s.latency.percentile(0.99) == 14);
}

TEST_CASE("noc: an 8-flit collection packet's latency equals the closed form", "[noc]") {
  NocBench bench(mesh8x8());
  // PE 63 -> leaf router -> level-1 router -> root -> global buffer: 3
  // routers and 4 links; 3 + 4 + 7 = 14 cycles (hand calculation).
  bench.send(63, noc::Network::collection, {bench.noc.dispatch_endpoint()}, 16, 0);
  sc_core::sc_start();
  const auto& got = bench.sinks[std::size_t(bench.noc.dispatch_endpoint())]->received;
  REQUIRE(got.size() == 1);
  CHECK(bench.cycles(got[0].second) == 14);
  CHECK(got[0].first.src == 63);
}

TEST_CASE("noc: a corner-to-corner mesh packet follows XY and meets the closed form", "[noc]") {
  NocBench bench(mesh8x8());
  // PE 0 (0,0) -> PE 63 (7,7): 7 hops east then 7 north = 14 links and 15
  // routers; 15 * 1 + 14 * 1 + (8 - 1) = 36 cycles (hand calculation).
  bench.send(0, noc::Network::mesh, {63}, 16, 0);
  sc_core::sc_start();
  REQUIRE(bench.sinks[63]->received.size() == 1);
  CHECK(bench.cycles(bench.sinks[63]->received[0].second) == 36);
  // The links crossed: pe0..pe6 east along y = 0, then pe7, pe15, ..., pe55
  // north along x = 7; each carries the packet's 8 flits once.
  std::set<std::string> expected;
  for (int x = 0; x < 7; ++x) expected.insert("pe" + std::to_string(x) + "_east");
  for (int y = 0; y < 7; ++y) expected.insert("pe" + std::to_string(y * 8 + 7) + "_north");
  const auto& s = bench.noc.stats(noc::Network::mesh);
  const noc::Topology& topology = bench.noc.topology();
  int used = 0;
  for (std::size_t id = 0; id < s.links.size(); ++id) {
    const std::string name = noc::link_name(bench.arch, topology, noc::Network::mesh, int(id));
    const bool on_route = expected.count(name) == 1;
    CHECK(s.links[id].packets == (on_route ? 1 : 0));
    CHECK(s.links[id].flits == (on_route ? 8 : 0));
    CHECK(s.links[id].busy_cycles == (on_route ? 8 : 0));
    used += on_route;
  }
  CHECK(used == 14);
  CHECK(s.byte_hops == 16 * 14);
}

TEST_CASE("noc: a broadcast reaches each of the 64 PEs exactly once", "[noc]") {
  NocBench bench(mesh8x8());
  std::vector<int> all;
  for (int pe = 0; pe < 64; ++pe) all.push_back(pe);
  bench.send(bench.noc.dispatch_endpoint(), noc::Network::fat_tree, all, 16, 0);
  sc_core::sc_start();
  for (int pe = 0; pe < 64; ++pe) {
    REQUIRE(bench.sinks[std::size_t(pe)]->received.size() == 1);
    // Every copy has the unicast zero-load latency (14, as above): copies
    // take disjoint links below their common ancestors.
    CHECK(bench.cycles(bench.sinks[std::size_t(pe)]->received[0].second) == 14);
    CHECK(bench.sinks[std::size_t(pe)]->received[0].first.dsts == std::vector<int>{pe});
  }
  CHECK(bench.sinks[64]->received.empty());
  // The union of the routes is the whole 1-4-16-64 tree: 85 links, each
  // crossed once by the 8 flits.
  const auto& s = bench.noc.stats(noc::Network::fat_tree);
  CHECK(s.link_flits == 8 * 85);
  CHECK(s.deliveries == 64);
  for (const auto& link : s.links) CHECK(link.packets == 1);
  CHECK(s.links.size() == 85u);
}

TEST_CASE("noc: the measurement window counts packets injected in it and clips busy cycles",
          "[noc]") {
  NocBench bench(mesh8x8());
  bench.noc.set_measurement_window(50, 200);
  // Three 8-flit packets PE 0 -> PE 1 (link pe0_east, id 0), each reserving
  // it from one router cycle after injection: at 45 ([46, 54), 4 cycles in
  // the window, not counted), at 60 ([61, 69), counted) and at 195
  // ([196, 204), 4 cycles in the window, counted).
  bench.send(0, noc::Network::mesh, {1}, 16, 45);
  bench.send(0, noc::Network::mesh, {1}, 16, 60);
  bench.send(0, noc::Network::mesh, {1}, 16, 195);
  sc_core::sc_start();
  REQUIRE(bench.sinks[1]->received.size() == 3);  // all are delivered
  const auto& s = bench.noc.stats(noc::Network::mesh);
  CHECK(s.packets == 2);
  CHECK(s.links[0].packets == 2);
  CHECK(s.links[0].flits == 16);
  CHECK(s.links[0].busy_cycles == 4 + 8 + 4);
  // Zero-load: 2 routers + 1 link + 7 = 10 cycles each.
  CHECK(s.latency_sum == 20);
  CHECK(s.latency_max == 10);
}

TEST_CASE("noc: per-link waits and flits add up to the network totals", "[noc]") {
  NocBench bench(mesh8x8());
  // Crossing flows sharing links, all at cycle 0: PE 0 -> 3 and PE 1 -> 2
  // share pe1_east; PE 2 -> 26 (x = 2, y = 3) and PE 10 -> 26 share pe10_north.
  bench.send(0, noc::Network::mesh, {3}, 16, 0);
  bench.send(1, noc::Network::mesh, {2}, 16, 0);
  bench.send(2, noc::Network::mesh, {26}, 16, 0);
  bench.send(10, noc::Network::mesh, {26}, 16, 0);
  sc_core::sc_start();
  const auto& s = bench.noc.stats(noc::Network::mesh);
  std::int64_t flits = 0, waits = 0, packets = 0;
  for (const auto& link : s.links) {
    flits += link.flits;
    waits += link.wait_cycles;
    packets += link.packets;
  }
  // Hops: 3 + 1 + 3 + 2 = 9 link crossings of 8 flits each.
  CHECK(packets == 9);
  CHECK(flits == 9 * 8);
  CHECK(flits == s.link_flits);
  CHECK(flits == s.byte_hops * 8 / 16);  // bytes * 8 / link width = flits per hop
  CHECK(waits == s.wait_cycles);
  CHECK(waits > 0);  // someone waited on a shared link
}

TEST_CASE("noc: the latency histogram gives exact and bucketed percentiles", "[noc]") {
  noc::LatencyHistogram h;
  CHECK(h.percentile(0.99) == 0);
  for (int v = 1; v <= 100; ++v) h.add(v);
  // Nearest rank: the 99th of 100 sorted values is 99, the 50th is 50.
  CHECK(h.percentile(0.99) == 99);
  CHECK(h.percentile(0.5) == 50);
  CHECK(h.percentile(1.0) == 100);
  noc::LatencyHistogram big;
  for (int i = 0; i < 99; ++i) big.add(5000);
  big.add(9000);
  // 5000 lies in [4096, 8192), split into 1024 buckets of 4: [5000, 5003].
  CHECK(big.percentile(0.99) == 5003);
  // 9000 is in [8192, 16384)'s bucket [9000, 9007], whose upper end is
  // capped at the largest sample.
  CHECK(big.percentile(1.0) == 9000);
}
