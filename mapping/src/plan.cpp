// Helpers every plan's users share.
#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>

#include "reramsim/mapping/order.hpp"
#include "reramsim/mapping/plan.hpp"

namespace reramsim::mapping {

int partial_sum_bits(const arch::ArchConfig& arch, std::int64_t rows) {
  int growth = 0;
  while ((std::int64_t(1) << growth) < rows) ++growth;
  return arch.data.weight_bits + arch.data.activation_bits + growth;
}

std::int64_t programmed_crossbars(const MappingPlan& plan) {
  std::vector<std::tuple<int, int, int>> slots;
  slots.reserve(plan.tiles.size());
  for (const CrossbarTile& t : plan.tiles)
    slots.emplace_back(tile_round(plan, t), t.pe, t.crossbar);
  std::sort(slots.begin(), slots.end());
  return std::int64_t(std::unique(slots.begin(), slots.end()) - slots.begin());
}

std::int64_t distinct_crossbars(const MappingPlan& plan) {
  std::vector<std::pair<int, int>> slots;
  slots.reserve(plan.tiles.size());
  for (const CrossbarTile& t : plan.tiles) slots.emplace_back(t.pe, t.crossbar);
  std::sort(slots.begin(), slots.end());
  return std::int64_t(std::unique(slots.begin(), slots.end()) - slots.begin());
}

std::vector<int> block_indices(const MappingPlan& plan) {
  // (round, pe, crossbar) -> blocks so far: each round programs its own.
  std::map<std::tuple<int, int, int>, int> next;
  std::vector<int> blocks;
  blocks.reserve(plan.tiles.size());
  for (const CrossbarTile& tile : plan.tiles) {
    const int round = tile_round(plan, tile);
    blocks.push_back(next[{round, tile.pe, tile.crossbar}]++);
  }
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
  // Outputs go up to the global buffer for a network output, or for a
  // reader in another round, which gets them back down the fat tree.
  std::vector<bool> consumed(layers, false);
  std::vector<bool> to_global(layers, false);
  std::vector<std::vector<int>> later_rounds(layers);  // rounds reading it, other than its own
  for (std::size_t c = 0; c < layers; ++c) {
    for (int source : network.layers[c].inputs) {
      if (source == workloads::kNetworkInput) continue;
      consumed[std::size_t(source)] = true;
      for (int r = plan.layers[c].first_round; r <= plan.layers[c].round; ++r) {
        if (plan.layers[std::size_t(source)].runs_in(r)) continue;
        to_global[std::size_t(source)] = true;
        auto& list = later_rounds[std::size_t(source)];
        if (std::find(list.begin(), list.end(), r) == list.end()) list.push_back(r);
      }
    }
  }
  for (std::size_t l = 0; l < layers; ++l) {
    to_global[l] = to_global[l] || !consumed[l] || plan.layers[l].global_out;
  }
  // A source's rows down the fat tree to a round's readers (multicast: each
  // row once on the root link).
  const auto distribute = [&](int source, int round) {
    const workloads::Shape& s = network.shape_of(source);
    for (const auto& pes : row_readers(network, plan, source, round)) {
      if (!pes.empty()) traffic.input_bytes += bytes_for(std::int64_t(s.w) * s.c, bits);
    }
  };
  std::vector<int> input_rounds;
  for (std::size_t c = 0; c < layers; ++c) {
    const auto& inputs = network.layers[c].inputs;
    if (std::find(inputs.begin(), inputs.end(), workloads::kNetworkInput) == inputs.end()) continue;
    for (int r = plan.layers[c].first_round; r <= plan.layers[c].round; ++r) {
      if (std::find(input_rounds.begin(), input_rounds.end(), r) == input_rounds.end()) {
        input_rounds.push_back(r);
      }
    }
  }
  for (int r : input_rounds) distribute(workloads::kNetworkInput, r);
  for (std::size_t l = 0; l < layers; ++l) {
    const workloads::Layer& layer = network.layers[l];
    const LayerPlan& lp = plan.layers[l];
    auto readers = row_readers(network, plan, int(l), lp.round);
    for (int r : later_rounds[l]) distribute(int(l), r);
    if (lp.global_out) {  // folded: relayed down the fat tree, not over the mesh
      distribute(int(l), lp.round);
      for (auto& row : readers) row.clear();
    }
    // One packet of `values` for output row `row`, from `sender`: to every
    // other PE of its round reading the row, and up the collection tree.
    const auto send_row = [&](int sender, int row, std::int64_t values) {
      const std::int64_t packet_bytes = bytes_for(values, bits);
      if (to_global[l]) traffic.output_bytes += packet_bytes;
      for (int pe : readers[std::size_t(row)]) {
        if (pe != sender) traffic.activation_bytes += packet_bytes;
      }
    };
    const int parts = layer_parts(layer, layer.has_weights() ? lp.replicas : 1);
    if (!layer.has_weights()) {
      if (!lp.pes.empty()) {
        for (int p = 0; p < parts; ++p) {
          send_row(lp.pes.front(), p, std::int64_t(layer.out.w) * layer.out.c);
        }
      }
      continue;
    }
    const int psum_bits = partial_sum_bits(arch, lp.shape.rows);
    for (const OutputGroup& group : lp.groups) {
      // One packet per part of its weight copy, of the part's windows.
      for (int p = group.replica; p < parts; p += lp.replicas) {
        std::int64_t vectors = 1;
        int row = 0;
        if (layer.type == workloads::LayerType::conv) {
          const PartWindows w = part_windows(layer, lp.replicas, p);
          vectors = w.count;
          row = w.row;
        } else if (layer.type == workloads::LayerType::local) {
          row = int(group.matrix / layer.out.w);
        }
        const std::int64_t psum_bytes = bytes_for(vectors * group.cols, psum_bits);
        traffic.partial_sum_bytes += std::int64_t(group.contributors.size()) * psum_bytes;
        // A chain carried across rounds: up to the global buffer, and back
        // down to the next group of the chain (counted once, each way).
        if (group.carry_out) {
          traffic.carried_bytes += psum_bytes;
        } else {
          send_row(group.reducer_pe, row, vectors * group.cols);
        }
      }
    }
  }
  return traffic;
}

}  // namespace reramsim::mapping
