// The ordering step: a list schedule of every layer's parts, then each PE's
// blocks sorted by it (docs/mapping.md, "Ordering step").
#include "reramsim/mapping/order.hpp"

#include <algorithm>
#include <tuple>

namespace reramsim::mapping {

using workloads::Layer;
using workloads::LayerType;

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

int layer_parts(const Layer& layer) {
  if (layer.type == LayerType::fc || layer.type == LayerType::local) return 1;
  return std::max(1, layer.out.h);
}

int last_input_row(const Layer& layer, const workloads::Shape& in, int part) {
  if (layer_parts(layer) <= 1) return in.h - 1;
  switch (layer.type) {
    case LayerType::conv:
    case LayerType::pool: {
      const int last = part * layer.stride_h - layer.pad_h + layer.kernel_h - 1;
      return std::clamp(last, 0, in.h - 1);
    }
    default:  // lrn, add, concat: row for row
      return std::min(part, in.h - 1);
  }
}

std::vector<LayerEstimate> estimate_parts(const workloads::Network& network,
                                          const arch::ArchConfig& arch, const MappingPlan& plan) {
  const std::size_t layers = network.layers.size();
  std::vector<LayerEstimate> est(layers);
  // The network input streams down the fat tree a row at a time.
  const workloads::Shape& input = network.input;
  const std::int64_t row_flits = ceil_div(
      std::int64_t(input.w) * input.c * arch.data.activation_bits, arch.noc.link_width_bits);
  const auto row_ready = [&](int source, int row) -> std::int64_t {
    if (source == workloads::kNetworkInput) return (row + 1) * row_flits;
    const Layer& s = network.layers[std::size_t(source)];
    const int part = layer_parts(s) > 1 ? std::min(row, layer_parts(s) - 1) : 0;
    return est[std::size_t(source)].out[std::size_t(part)];
  };
  for (std::size_t li = 0; li < layers; ++li) {
    const Layer& layer = network.layers[li];
    const int parts = layer_parts(layer);
    LayerEstimate& e = est[li];
    // One part on the slowest crossbar (they run in parallel), or on the ALU.
    std::int64_t cycles = 1;
    if (layer.has_weights()) {
      const std::int64_t vectors =
          layer.type == LayerType::conv ? std::int64_t(layer.out.h) * layer.out.w / parts : 1;
      for (int t : plan.layers[li].tiles) {
        const CrossbarTile& tile = plan.tiles[std::size_t(t)];
        const std::int64_t steps =
            ceil_div(tile.rows, arch.crossbar.ou.rows) *
            ceil_div(tile.cols * arch.weight_columns() + arch.reference_columns(),
                     arch.crossbar.ou.cols);
        cycles = std::max(cycles, vectors * arch.input_cycles() * steps * arch.latency.ou_step);
      }
    } else {
      cycles = std::max<std::int64_t>(
          1, ceil_div(layer.out.elements() / parts, arch.pe.alu_lanes) * arch.latency.alu_op);
    }
    e.part_cycles = cycles;
    e.start.assign(std::size_t(parts), 0);
    e.out.assign(std::size_t(parts), 0);
    std::vector<std::int64_t> crossbar_end(std::size_t(parts), 0);
    for (int p = 0; p < parts; ++p) {
      std::int64_t ready = 0;
      for (int source : layer.inputs) {
        const workloads::Shape& in = network.shape_of(source);
        ready = std::max(ready, row_ready(source, last_input_row(layer, in, p)) + 1);
      }
      const std::int64_t free = p > 0 ? crossbar_end[std::size_t(p - 1)] : 0;
      e.start[std::size_t(p)] = std::max(ready, free);
      crossbar_end[std::size_t(p)] = e.start[std::size_t(p)] + cycles;
    }
    for (int p = 0; p < parts; ++p) {
      // A weighted layer's part p leaves with the arithmetic that follows
      // part p+1's front.
      const bool lagged = layer.has_weights() && p + 1 < parts;
      e.out[std::size_t(p)] =
          lagged ? std::max(crossbar_end[std::size_t(p)], e.start[std::size_t(p + 1)])
                 : crossbar_end[std::size_t(p)];
    }
  }
  return est;
}

std::vector<std::vector<Block>> order_blocks(const workloads::Network& network,
                                             const arch::ArchConfig& arch,
                                             const MappingPlan& plan) {
  const std::vector<LayerEstimate> est = estimate_parts(network, arch, plan);
  using Key = std::tuple<std::int64_t, int, int, int>;  // time, layer, part, back
  std::vector<std::vector<std::pair<Key, Block>>> keyed(std::size_t(arch.chip.pes()));
  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    const Layer& layer = network.layers[li];
    const int parts = layer_parts(layer);
    const LayerEstimate& e = est[li];
    for (int pe : plan.layers[li].pes) {
      auto& blocks = keyed[std::size_t(pe)];
      for (int p = 0; p < parts; ++p) {
        blocks.push_back({Key{e.start[std::size_t(p)], int(li), p, 0}, Block{int(li), p, false}});
        if (!layer.has_weights()) continue;
        // The back of part p follows the front of part p+1 (the last its own).
        const int after = std::min(p + 1, parts - 1);
        blocks.push_back(
            {Key{e.start[std::size_t(after)], int(li), after, 1}, Block{int(li), p, true}});
      }
    }
  }
  std::vector<std::vector<Block>> order(keyed.size());
  for (std::size_t pe = 0; pe < keyed.size(); ++pe) {
    auto& blocks = keyed[pe];
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, block] : blocks) order[pe].push_back(block);
  }
  return order;
}

}  // namespace reramsim::mapping
