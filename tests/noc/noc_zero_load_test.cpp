// NoC latency against the closed form (routers x t_router + links x t_link +
// flits - 1), contention on a shared link, and multicast delivery.
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <catch2/catch.hpp>

#include <map>

#include "noc_test_util.hpp"
#include "reramsim/noc/noc.hpp"

using namespace reramsim;
using test::NocBench;

namespace {

arch::ArchConfig tiny_arch() {
  return arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/tiny.yaml");
}

noc::Packet packet(noc::Network network, std::vector<int> dsts, std::int64_t bytes) {
  noc::Packet p;
  p.network = network;
  p.dsts = std::move(dsts);
  p.bytes = bytes;
  return p;
}

}  // namespace

TEST_CASE("noc: zero-load mesh latency equals the closed form", "[noc]") {
  NocBench bench(tiny_arch());
  // PE 0 (0,0) to PE 6 (2,1): 3 hops, 4 routers; 64 bytes over 16-bit links
  // = 32 flits. Hand calculation: 4*t_router + 3*t_link + 31.
  bench.sources[0]->to_send.emplace_back(packet(noc::Network::mesh, {6}, 64), 0);
  sc_core::sc_start();
  REQUIRE(bench.sinks[6]->received.size() == 1);
  const auto& lat = bench.arch.latency;
  CHECK(bench.cycles(bench.sinks[6]->received[0].second) == 4 * lat.router + 3 * lat.link + 31);
  const auto& s = bench.noc.stats(noc::Network::mesh);
  CHECK(s.byte_hops == 64 * 3);
  CHECK(s.link_flits == 32 * 3);
  CHECK(s.wait_cycles == 0);
}

TEST_CASE("noc: zero-load fat-tree and collection latency equal the closed form", "[noc]") {
  NocBench bench(tiny_arch());
  const int dispatch = bench.noc.dispatch_endpoint();
  const int levels = bench.arch.noc.fat_tree.levels;
  // 2 bytes = 1 flit: L routers and L + 1 links each way (hand calculation).
  bench.sources[std::size_t(dispatch)]->to_send.emplace_back(packet(noc::Network::fat_tree, {9}, 2),
                                                             0);
  bench.sources[3]->to_send.emplace_back(packet(noc::Network::collection, {dispatch}, 2), 0);
  sc_core::sc_start();
  const auto& lat = bench.arch.latency;
  const std::int64_t expected = levels * lat.router + (levels + 1) * lat.link;
  REQUIRE(bench.sinks[9]->received.size() == 1);
  CHECK(bench.cycles(bench.sinks[9]->received[0].second) == expected);
  REQUIRE(bench.sinks[std::size_t(dispatch)]->received.size() == 1);
  CHECK(bench.cycles(bench.sinks[std::size_t(dispatch)]->received[0].second) == expected);
}

TEST_CASE("noc: a fat-tree multicast reaches every destination exactly once", "[noc]") {
  NocBench bench(tiny_arch());
  const int dispatch = bench.noc.dispatch_endpoint();
  const std::vector<int> dsts = {0, 1, 5, 15};
  bench.sources[std::size_t(dispatch)]->to_send.emplace_back(
      packet(noc::Network::fat_tree, dsts, 8), 0);
  sc_core::sc_start();
  for (int pe = 0; pe < bench.arch.chip.pes(); ++pe) {
    const bool wanted = std::find(dsts.begin(), dsts.end(), pe) != dsts.end();
    CHECK(bench.sinks[std::size_t(pe)]->received.size() == (wanted ? 1u : 0u));
  }
  // Links of the union of the routes, each crossed once (hand count on the
  // 1-4-16 tree): root 1; level-1 routers of PEs {0,1}, {5}, {15}: 3; PEs: 4.
  CHECK(bench.noc.stats(noc::Network::fat_tree).link_flits == 4 * (1 + 3 + 4));
}

TEST_CASE("noc: packets contending for a link wait for its flits", "[noc]") {
  NocBench bench(tiny_arch());
  // Two 32-flit packets from PE 0 to PE 1 injected at the same time: the
  // second waits the first's 32 flits on the shared link (hand calculation).
  bench.sources[0]->to_send.emplace_back(packet(noc::Network::mesh, {1}, 64), 0);
  bench.sources[0]->to_send.emplace_back(packet(noc::Network::mesh, {1}, 64), 0);
  sc_core::sc_start();
  REQUIRE(bench.sinks[1]->received.size() == 2);
  const std::int64_t first = bench.cycles(bench.sinks[1]->received[0].second);
  const std::int64_t second = bench.cycles(bench.sinks[1]->received[1].second);
  CHECK(second - first == 32);
  CHECK(bench.noc.stats(noc::Network::mesh).wait_cycles == 32);
}
