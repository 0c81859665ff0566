// Helpers every plan's users share.
#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "reramsim/mapping/order.hpp"
#include "reramsim/mapping/plan.hpp"

namespace reramsim::mapping {

std::vector<int> block_indices(const MappingPlan& plan) {
  std::map<std::pair<int, int>, int> next;  // (pe, crossbar) -> blocks so far
  std::vector<int> blocks;
  blocks.reserve(plan.tiles.size());
  for (const CrossbarTile& tile : plan.tiles) blocks.push_back(next[{tile.pe, tile.crossbar}]++);
  return blocks;
}

int bit_group_input_bits(const arch::ArchConfig& arch, int bit_group, int bit_groups) {
  if (bit_groups <= 1) return arch.data.activation_bits;
  const int cycles = arch.input_cycles();
  const int digits = (cycles + bit_groups - 1) / bit_groups;
  const int first = bit_group * digits;
  return std::max(0, std::min(cycles, first + digits) - first) * arch.crossbar.dac_bits;
}

namespace {
std::int64_t bytes_for(std::int64_t values, int bits) {
  return (values * bits + 7) / 8;
}
}  // namespace

PlanTraffic estimate_traffic(const workloads::Network& network, const arch::ArchConfig& arch,
                             const MappingPlan& plan) {
  PlanTraffic traffic;
  const int bits = arch.data.activation_bits;
  const std::size_t layers = network.layers.size();
  // Who reads each layer: every PE of every layer taking it as an input.
  std::vector<std::vector<int>> readers(layers);
  for (std::size_t c = 0; c < layers; ++c) {
    for (int source : network.layers[c].inputs) {
      if (source == workloads::kNetworkInput) continue;
      auto& pes = readers[std::size_t(source)];
      pes.insert(pes.end(), plan.layers[c].pes.begin(), plan.layers[c].pes.end());
    }
  }
  for (auto& pes : readers) {
    std::sort(pes.begin(), pes.end());
    pes.erase(std::unique(pes.begin(), pes.end()), pes.end());
  }
  // The network input, row by row (multicast: once on the root link).
  const workloads::Shape& in = network.input;
  traffic.input_bytes = std::int64_t(in.h) * bytes_for(std::int64_t(in.w) * in.c, bits);
  for (std::size_t l = 0; l < layers; ++l) {
    const workloads::Layer& layer = network.layers[l];
    const LayerPlan& lp = plan.layers[l];
    // Every send is one row (one part) of one group.
    const auto outputs_to = [&](int sender, std::int64_t packets, std::int64_t values) {
      const std::int64_t packet_bytes = bytes_for(values, bits);
      if (readers[l].empty()) {
        traffic.output_bytes += packets * packet_bytes;
        return;
      }
      for (int pe : readers[l]) {
        if (pe != sender) traffic.activation_bytes += packets * packet_bytes;
      }
    };
    const int parts = layer_parts(layer, layer.has_weights() ? lp.replicas : 1);
    if (!layer.has_weights()) {
      if (!lp.pes.empty()) {
        outputs_to(lp.pes.front(), parts, std::int64_t(layer.out.w) * layer.out.c);
      }
      continue;
    }
    // Partial sums: weight + activation bits + the growth of a sum of K terms.
    int growth = 0;
    while ((std::int64_t(1) << growth) < lp.shape.rows) ++growth;
    const int psum_bits = arch.data.weight_bits + bits + growth;
    for (const OutputGroup& group : lp.groups) {
      // One packet per part of its weight copy, of the part's windows.
      for (int p = group.replica; p < parts; p += lp.replicas) {
        const std::int64_t vectors = layer.type == workloads::LayerType::conv
                                         ? part_windows(layer, lp.replicas, p).count
                                         : 1;
        traffic.partial_sum_bytes += std::int64_t(group.contributors.size()) *
                                     bytes_for(vectors * group.cols, psum_bits);
        outputs_to(group.reducer_pe, 1, vectors * group.cols);
      }
    }
  }
  return traffic;
}

}  // namespace reramsim::mapping
