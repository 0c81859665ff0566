// What travels over the network-on-chip: a packet with its routing facts and
// the real values it carries, attached to a TLM generic payload as an
// extension.
#pragma once

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

}  // namespace reramsim::noc
