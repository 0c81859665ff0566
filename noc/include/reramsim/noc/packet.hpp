// What travels over the network-on-chip: a packet with its routing facts and
// the real values it carries, attached to a TLM generic payload as an
// extension.
#pragma once

#include <systemc>
#include <tlm>

#include <cstdint>
#include <memory>
#include <vector>

namespace reramsim::noc {

enum class Network { fat_tree = 0, mesh = 1, collection = 2 };
constexpr int kNetworks = 3;
const char* to_string(Network network);

struct Packet {
  Network network = Network::mesh;
  int src = 0;             // endpoint id: PEs 0..P-1, the dispatch unit P
  std::vector<int> dsts;   // one, or several for a fat-tree multicast
  std::int64_t bytes = 0;  // payload size on the wire
  int kind = 0;            // meaning defined by the endpoints
  int layer = 0;
  int tag = 0;                       // e.g. the output group of a partial sum
  int part = 0;                      // e.g. the output row of a layer's activations
  int image = 0;                     // the image of the batch the data belong to
  std::shared_ptr<const void> data;  // the values carried (type known by kind)
};

class PacketExtension : public tlm::tlm_extension<PacketExtension> {
 public:
  Packet packet;
  tlm::tlm_extension_base* clone() const override { return new PacketExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    packet = static_cast<const PacketExtension&>(other).packet;
  }
};

// Injects `packet` through an initiator socket bound to the NoC, `local_time`
// past the current simulation time (the sender's quantum-keeper offset).
template <typename Socket>
void send_packet(Socket& socket, Packet packet, sc_core::sc_time local_time) {
  PacketExtension ext;
  ext.packet = std::move(packet);
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_WRITE_COMMAND);
  payload.set_extension(&ext);
  socket->b_transport(payload, local_time);
  payload.clear_extension(&ext);
}

}  // namespace reramsim::noc
