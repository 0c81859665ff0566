// The ordering step: a list schedule of every layer's parts, then each PE's
// blocks sorted by it (docs/mapping.md, "Ordering step").
#include "reramsim/mapping/order.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>

namespace reramsim::mapping {

using workloads::Layer;
using workloads::LayerType;

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

int layer_splits(const Layer& layer, int replicas) {
  if (layer.type != LayerType::conv || replicas <= layer.out.h) return 1;
  // Runs of equal length (the last may be shorter), none empty.
  const std::int64_t wanted = std::min<std::int64_t>(layer.out.w, ceil_div(replicas, layer.out.h));
  const std::int64_t run = ceil_div(layer.out.w, wanted);
  return int(ceil_div(layer.out.w, run));
}

int layer_parts(const Layer& layer, int replicas) {
  if (layer.type == LayerType::fc || layer.type == LayerType::local) return 1;
  return std::max(1, layer.out.h) * layer_splits(layer, replicas);
}

PartWindows part_windows(const Layer& layer, int replicas, int part) {
  PartWindows w;
  if (layer_parts(layer, replicas) <= 1) {
    w.count = layer.out.h * layer.out.w;
    return w;
  }
  const int splits = layer_splits(layer, replicas);
  const int chunk = int(ceil_div(layer.out.w, splits));
  w.row = part / splits;
  w.x_begin = (part % splits) * chunk;
  w.count = std::min(chunk, layer.out.w - w.x_begin);
  return w;
}

int last_input_row(const Layer& layer, const workloads::Shape& in, int part, int replicas) {
  if (layer_parts(layer, replicas) <= 1) return in.h - 1;
  const int row = part_windows(layer, replicas, part).row;
  switch (layer.type) {
    case LayerType::conv:
    case LayerType::pool: {
      const int last = row * layer.stride_h - layer.pad_h + layer.kernel_h - 1;
      return std::clamp(last, 0, in.h - 1);
    }
    default:  // lrn, add, concat: row for row
      return std::min(row, in.h - 1);
  }
}

int first_input_row(const Layer& layer, const workloads::Shape& in, int part, int replicas) {
  if (layer_parts(layer, replicas) <= 1) return 0;
  const int row = part_windows(layer, replicas, part).row;
  switch (layer.type) {
    case LayerType::conv:
    case LayerType::pool:
      return std::clamp(row * layer.stride_h - layer.pad_h, 0, in.h - 1);
    default:  // lrn, add, concat: row for row
      return std::min(row, in.h - 1);
  }
}

int output_packets_per_row(const workloads::Network& network, const MappingPlan& plan, int layer) {
  const Layer& l = network.layers[std::size_t(layer)];
  if (!l.has_weights()) return 1;
  const LayerPlan& lp = plan.layers[std::size_t(layer)];
  const std::size_t groups = lp.groups.size();
  // Each part comes from one replica's groups.
  if (groups % std::size_t(lp.replicas) != 0) {
    throw std::logic_error("layer " + l.name + ": output groups not uniform over its replicas");
  }
  // A row split into parts (more copies than rows) takes a packet per part.
  if (l.type != LayerType::local) {
    return int(groups / std::size_t(lp.replicas)) * layer_splits(l, lp.replicas);
  }
  if (groups % std::size_t(l.out.h) != 0) {
    throw std::logic_error("layer " + l.name + ": output groups not uniform over its rows");
  }
  return int(groups / std::size_t(l.out.h));
}

std::vector<std::vector<int>> row_readers(const workloads::Network& network,
                                          const MappingPlan& plan, int source, int round) {
  const workloads::Shape& shape = network.shape_of(source);
  std::vector<std::vector<int>> readers(std::size_t(std::max(shape.h, 1)));
  for (std::size_t c = 0; c < network.layers.size(); ++c) {
    const Layer& consumer = network.layers[c];
    if (std::find(consumer.inputs.begin(), consumer.inputs.end(), source) ==
            consumer.inputs.end() ||
        (round >= 0 && !plan.layers[c].runs_in(round))) {
      continue;
    }
    const LayerPlan& lp = plan.layers[c];
    const int replicas = consumer.has_weights() ? lp.replicas : 1;
    const int parts = layer_parts(consumer, replicas);
    // The weight copies each PE holds (all parts for a layer without weights).
    std::map<int, std::vector<bool>> holds;
    for (int pe : lp.pes) holds[pe].assign(std::size_t(replicas), !consumer.has_weights());
    for (int t : lp.tiles) {
      const CrossbarTile& tile = plan.tiles[std::size_t(t)];
      if (round >= 0 && tile_round(plan, tile) != round) continue;
      holds[tile.pe][std::size_t(tile.replica)] = true;
    }
    for (const auto& [pe, held] : holds) {
      std::vector<bool> rows(readers.size(), false);
      for (int q = 0; q < parts; ++q) {
        if (!held[std::size_t(q % replicas)]) continue;
        const int first = first_input_row(consumer, shape, q, replicas);
        const int last = last_input_row(consumer, shape, q, replicas);
        for (int r = first; r <= last; ++r) rows[std::size_t(r)] = true;
      }
      for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r]) readers[r].push_back(pe);
      }
    }
  }
  for (auto& pes : readers) {
    std::sort(pes.begin(), pes.end());
    pes.erase(std::unique(pes.begin(), pes.end()), pes.end());
  }
  return readers;
}

std::vector<LayerEstimate> estimate_parts(const workloads::Network& network,
                                          const arch::ArchConfig& arch, const MappingPlan& plan) {
  const std::size_t layers = network.layers.size();
  std::vector<LayerEstimate> est(layers);
  // The network input streams down the fat tree a row at a time.
  // (and so does a source from an earlier round, from the global buffer).
  const auto row_ready = [&](int source, int row, int round) -> std::int64_t {
    if (source == workloads::kNetworkInput || plan.layers[std::size_t(source)].round != round) {
      const workloads::Shape& in = network.shape_of(source);
      const std::int64_t row_flits =
          ceil_div(std::int64_t(in.w) * in.c * arch.data.activation_bits, arch.noc.link_width_bits);
      return (row + 1) * row_flits;
    }
    const Layer& s = network.layers[std::size_t(source)];
    const int replicas = s.has_weights() ? plan.layers[std::size_t(source)].replicas : 1;
    const auto& out = est[std::size_t(source)].out;
    if (layer_parts(s, replicas) <= 1) return out.front();
    // The row is complete when its last part (of its splits) is out.
    const int splits = layer_splits(s, replicas);
    std::int64_t latest = 0;
    for (int k = 0; k < splits; ++k) latest = std::max(latest, out[std::size_t(row * splits + k)]);
    return latest;
  };
  for (std::size_t li = 0; li < layers; ++li) {
    const Layer& layer = network.layers[li];
    const int replicas = layer.has_weights() ? plan.layers[li].replicas : 1;
    const int parts = layer_parts(layer, replicas);
    LayerEstimate& e = est[li];
    // One part on the slowest crossbar (they run in parallel), or on the ALU.
    std::int64_t cycles = 1;
    if (layer.has_weights()) {
      const std::int64_t vectors =
          layer.type == LayerType::conv ? part_windows(layer, replicas, 0).count : 1;
      for (int t : plan.layers[li].tiles) {
        const CrossbarTile& tile = plan.tiles[std::size_t(t)];
        const std::int64_t steps =
            ceil_div(tile.rows, arch.crossbar.ou.rows) *
            ceil_div(tile.cols * arch.weight_columns() + arch.reference_columns(),
                     arch.crossbar.ou.cols);
        const std::int64_t input_cycles =
            bit_group_input_bits(arch, tile.bit_group, plan.layers[li].bit_groups) /
            arch.crossbar.dac_bits;
        cycles = std::max(cycles, vectors * input_cycles * steps * arch.latency.ou_step);
      }
    } else {
      cycles = std::max<std::int64_t>(
          1, ceil_div(layer.out.elements() / parts, arch.pe.alu_lanes) * arch.latency.alu_op);
    }
    e.part_cycles = cycles;
    e.start.assign(std::size_t(parts), 0);
    e.out.assign(std::size_t(parts), 0);
    // Weight copies take turns over the parts: copy p % replicas runs part p.
    std::vector<std::int64_t> crossbar_end(std::size_t(parts), 0);
    for (int p = 0; p < parts; ++p) {
      std::int64_t ready = 0;
      for (int source : layer.inputs) {
        const workloads::Shape& in = network.shape_of(source);
        ready = std::max(
            ready,
            row_ready(source, last_input_row(layer, in, p, replicas), plan.layers[li].round) + 1);
      }
      const std::int64_t free = p >= replicas ? crossbar_end[std::size_t(p - replicas)] : 0;
      e.start[std::size_t(p)] = std::max(ready, free);
      crossbar_end[std::size_t(p)] = e.start[std::size_t(p)] + cycles;
    }
    for (int p = 0; p < parts; ++p) {
      // A weighted layer's part p leaves with the arithmetic that follows
      // the front of its copy's next part.
      const bool lagged = layer.has_weights() && p + replicas < parts;
      e.out[std::size_t(p)] =
          lagged ? std::max(crossbar_end[std::size_t(p)], e.start[std::size_t(p + replicas)])
                 : crossbar_end[std::size_t(p)];
    }
  }
  return est;
}

std::vector<std::vector<Block>> order_blocks(const workloads::Network& network,
                                             const arch::ArchConfig& arch, const MappingPlan& plan,
                                             int round) {
  return order_blocks(network, arch, plan, round, estimate_parts(network, arch, plan));
}

std::vector<std::vector<Block>> order_blocks(const workloads::Network& network,
                                             const arch::ArchConfig& arch, const MappingPlan& plan,
                                             int round, const std::vector<LayerEstimate>& est) {
  using Key = std::tuple<std::int64_t, int, int, int>;  // time, layer, part, back
  std::vector<std::vector<std::pair<Key, Block>>> keyed(std::size_t(arch.chip.pes()));
  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    if (!plan.layers[li].runs_in(round)) continue;
    const Layer& layer = network.layers[li];
    const int replicas = layer.has_weights() ? plan.layers[li].replicas : 1;
    const int parts = layer_parts(layer, replicas);
    const LayerEstimate& e = est[li];
    // The weight copies each PE holds: it runs their parts.
    std::map<int, std::vector<bool>> holds;
    for (int pe : plan.layers[li].pes) {
      holds[pe].assign(std::size_t(replicas), !layer.has_weights());
    }
    for (int t : plan.layers[li].tiles) {
      const CrossbarTile& tile = plan.tiles[std::size_t(t)];
      if (tile_round(plan, tile) != round) continue;
      holds[tile.pe][std::size_t(tile.replica)] = true;
    }
    for (const auto& [pe, held] : holds) {
      auto& blocks = keyed[std::size_t(pe)];
      for (int p = 0; p < parts; ++p) {
        if (!held[std::size_t(p % replicas)]) continue;
        blocks.push_back({Key{e.start[std::size_t(p)], int(li), p, 0}, Block{int(li), p, false}});
        if (!layer.has_weights()) continue;
        // The back of part p runs when its outputs are due: after its
        // crossbars' work and (lagging) the front of its copy's next part,
        // while the other copies' fronts go ahead of it.
        blocks.push_back({Key{e.out[std::size_t(p)], int(li), p, 1}, Block{int(li), p, true}});
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
