// A NoC with a packet source and a sink at every endpoint, for the NoC tests.
#pragma once

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "reramsim/noc/noc.hpp"

namespace reramsim::test {

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

// Sends each packet at its injection cycle (a delay annotation from time 0).
struct Source : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Source> noc_socket{"noc_socket"};
  std::vector<std::pair<noc::Packet, std::int64_t>> to_send;
  sc_core::sc_time period;
  SC_HAS_PROCESS(Source);
  Source(sc_core::sc_module_name n, sc_core::sc_time p) : sc_module(n), period(p) {
    SC_THREAD(run);
  }
  void run() {
    for (const auto& [packet, cycle] : to_send) {
      noc::send_packet(noc_socket, packet, period * double(cycle));
    }
  }
};

struct NocBench {
  arch::ArchConfig arch;
  sc_core::sc_time period;
  noc::Noc noc;
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<std::unique_ptr<Sink>> sinks;
  explicit NocBench(arch::ArchConfig a)
      : arch(std::move(a)), period(arch.cycle_ns(), sc_core::SC_NS), noc("noc", arch, nullptr) {
    for (int i = 0; i <= arch.chip.pes(); ++i) {
      sources.push_back(std::make_unique<Source>(("source" + std::to_string(i)).c_str(), period));
      sinks.push_back(std::make_unique<Sink>(("sink" + std::to_string(i)).c_str()));
      sources.back()->noc_socket.bind(*noc.inject_socket[std::size_t(i)]);
      noc.deliver_socket[std::size_t(i)]->bind(sinks.back()->noc_in_socket);
    }
  }
  std::int64_t cycles(const sc_core::sc_time& t) const { return std::int64_t(t / period + 0.5); }
  void send(int src, noc::Network network, std::vector<int> dsts, std::int64_t bytes,
            std::int64_t cycle) {
    noc::Packet p;
    p.network = network;
    p.dsts = std::move(dsts);
    p.bytes = bytes;
    sources[std::size_t(src)]->to_send.emplace_back(p, cycle);
  }
};

}  // namespace reramsim::test
