// NoC latency against the closed form (routers x t_router + links x t_link +
// flits - 1), contention on a shared link, and multicast delivery.
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <catch2/catch.hpp>

#include <map>

#include "hw_test_util.hpp"
#include "reramsim/noc/noc.hpp"

using namespace reramsim;

namespace {

struct Sink : sc_core::sc_module {
  tlm_utils::simple_target_socket<Sink> noc_in_socket{"noc_in_socket"};
  std::vector<std::pair<noc::Packet, sc_core::sc_time>> received;
  explicit Sink(sc_core::sc_module_name n) : sc_module(n) {
    noc_in_socket.register_b_transport(this, &Sink::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    noc::PacketExtension* ext = nullptr;
    p.get_extension(ext);
    received.emplace_back(ext->packet, sc_core::sc_time_stamp() + delay);
  }
};

struct Source : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Source> noc_socket{"noc_socket"};
  std::vector<noc::Packet> to_send;
  SC_HAS_PROCESS(Source);
  explicit Source(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() {
    for (const auto& packet : to_send) {
      noc::PacketExtension ext;
      ext.packet = packet;
      tlm::tlm_generic_payload p;
      p.set_extension(&ext);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // all injected at time 0
      noc_socket->b_transport(p, delay);
      p.clear_extension(&ext);
    }
  }
};

// A NoC on tiny.yaml (4x4 PEs, fat tree and collection tree of arity 4 with 2
// levels, 16-bit links) with a source at every endpoint and a sink at every
// endpoint.
struct Bench {
  arch::ArchConfig arch;
  noc::Noc noc;
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<std::unique_ptr<Sink>> sinks;
  explicit Bench(arch::ArchConfig a) : arch(std::move(a)), noc("noc", arch, nullptr) {
    for (int i = 0; i <= arch.chip.pes(); ++i) {
      sources.push_back(std::make_unique<Source>(("source" + std::to_string(i)).c_str()));
      sinks.push_back(std::make_unique<Sink>(("sink" + std::to_string(i)).c_str()));
      sources.back()->noc_socket.bind(*noc.inject_socket[std::size_t(i)]);
      noc.deliver_socket[std::size_t(i)]->bind(sinks.back()->noc_in_socket);
    }
  }
  std::int64_t cycles(const sc_core::sc_time& t) const {
    return std::int64_t(t / sc_core::sc_time(arch.cycle_ns(), sc_core::SC_NS) + 0.5);
  }
};

noc::Packet packet(noc::Network network, std::vector<int> dsts, std::int64_t bytes) {
  noc::Packet p;
  p.network = network;
  p.dsts = std::move(dsts);
  p.bytes = bytes;
  return p;
}

}  // namespace

TEST_CASE("noc: zero-load mesh latency equals the closed form", "[noc]") {
  Bench bench(test::tiny_arch());
  // PE 0 (0,0) to PE 6 (2,1): 3 hops, 4 routers; 64 bytes over 16-bit links
  // = 32 flits. Hand calculation: 4*t_router + 3*t_link + 31.
  bench.sources[0]->to_send = {packet(noc::Network::mesh, {6}, 64)};
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
  Bench bench(test::tiny_arch());
  const int dispatch = bench.noc.dispatch_endpoint();
  const int levels = bench.arch.noc.fat_tree.levels;
  // 2 bytes = 1 flit: L routers and L + 1 links each way (hand calculation).
  bench.sources[std::size_t(dispatch)]->to_send = {packet(noc::Network::fat_tree, {9}, 2)};
  bench.sources[3]->to_send = {packet(noc::Network::collection, {dispatch}, 2)};
  sc_core::sc_start();
  const auto& lat = bench.arch.latency;
  const std::int64_t expected = levels * lat.router + (levels + 1) * lat.link;
  REQUIRE(bench.sinks[9]->received.size() == 1);
  CHECK(bench.cycles(bench.sinks[9]->received[0].second) == expected);
  REQUIRE(bench.sinks[std::size_t(dispatch)]->received.size() == 1);
  CHECK(bench.cycles(bench.sinks[std::size_t(dispatch)]->received[0].second) == expected);
}

TEST_CASE("noc: a fat-tree multicast reaches every destination exactly once", "[noc]") {
  Bench bench(test::tiny_arch());
  const int dispatch = bench.noc.dispatch_endpoint();
  const std::vector<int> dsts = {0, 1, 5, 15};
  bench.sources[std::size_t(dispatch)]->to_send = {packet(noc::Network::fat_tree, dsts, 8)};
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
  Bench bench(test::tiny_arch());
  // Two 32-flit packets from PE 0 to PE 1 injected at the same time: the
  // second waits the first's 32 flits on the shared link (hand calculation).
  bench.sources[0]->to_send = {packet(noc::Network::mesh, {1}, 64),
                               packet(noc::Network::mesh, {1}, 64)};
  sc_core::sc_start();
  REQUIRE(bench.sinks[1]->received.size() == 2);
  const std::int64_t first = bench.cycles(bench.sinks[1]->received[0].second);
  const std::int64_t second = bench.cycles(bench.sinks[1]->received[1].second);
  CHECK(second - first == 32);
  CHECK(bench.noc.stats(noc::Network::mesh).wait_cycles == 32);
}
