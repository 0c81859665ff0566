// From the mapping passes to a MappingPlan (docs/mapping.md, "From passes to
// a plan").
#include "reramsim/mapping/mapper.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "reramsim/mapping/baselines.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::mapping {

using workloads::InputError;
using workloads::Layer;
using workloads::Network;

namespace {

// Where packing and assignment put one block.
struct Placed {
  int crossbar = -1;  // virtual crossbar
  std::int64_t row = 0;
  std::int64_t col = 0;
};

int mesh_distance(int a, int b, int pe_x) {
  return std::abs(a % pe_x - b % pe_x) + std::abs(a / pe_x - b / pe_x);
}

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Fills the groups' contributors and the layer's counts and PEs once its
// tiles and groups are in place.
void finish_weighted_layer(LayerPlan& lp, const std::vector<CrossbarTile>& tiles) {
  for (OutputGroup& g : lp.groups) {
    for (int t : g.tiles) {
      const int pe = tiles[std::size_t(t)].pe;
      if (pe != g.reducer_pe) g.contributors.push_back(pe);
    }
    sort_unique(g.contributors);
  }
  // Every replica and bit group is cut on one row grid, so the distinct row
  // ranges are those of one copy.
  std::vector<std::int64_t> rows;
  rows.reserve(lp.tiles.size());
  for (int t : lp.tiles) rows.push_back(tiles[std::size_t(t)].row_begin);
  sort_unique(rows);
  lp.row_tiles = std::int64_t(rows.size());
  // Groups are ordered by (matrix, replica, col_begin): a copy's column
  // pieces are a run.
  std::int64_t run = 0;
  for (std::size_t i = 0; i < lp.groups.size(); ++i) {
    const bool same = i > 0 && lp.groups[i].matrix == lp.groups[i - 1].matrix &&
                      lp.groups[i].replica == lp.groups[i - 1].replica;
    run = same ? run + 1 : 1;
    lp.col_tiles = std::max(lp.col_tiles, run);
  }
  for (int t : lp.tiles) lp.pes.push_back(tiles[std::size_t(t)].pe);
  sort_unique(lp.pes);
}

// The PE a layer's consumers are placed near: the reducer of its first
// output group, the PE running it for a layer without weights, PE 0 for the
// network input (and for a weighted layer left without tiles).
int anchor_pe(const MappingPlan& plan, int layer_or_input) {
  if (layer_or_input == workloads::kNetworkInput) return 0;
  const LayerPlan& src = plan.layers[std::size_t(layer_or_input)];
  if (!src.groups.empty()) return src.groups.front().reducer_pe;
  if (!src.pes.empty()) return src.pes.front();
  return 0;
}

// A packing's crossbars run their blocks one after the other (each block's
// OU steps for each of its windows and input cycles), so no layer finishes
// before its busiest crossbar has run every block it holds: the longest
// such sum, a bound the latency model (one block per crossbar) does not see.
std::int64_t shared_crossbar_bound(const Network& network, const arch::ArchConfig& arch,
                                   const PartitionCandidate& candidate, const Packing& packing) {
  const auto ceil_div = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
  std::int64_t longest = 0;
  for (const VirtualCrossbar& xbar : packing.crossbars) {
    std::int64_t busy = 0;
    for (const BlockPlacement& placed : xbar.blocks) {
      const MvmBlock& b = packing.blocks[std::size_t(placed.block)];
      const PartitionDegrees& d = candidate.degrees[std::size_t(b.layer)];
      const std::int64_t vectors = workloads::lower(network.layers[std::size_t(b.layer)]).vectors;
      const std::int64_t steps =
          ceil_div(b.rows, arch.crossbar.ou.rows) *
          ceil_div(b.physical_cols + arch.reference_columns(), arch.crossbar.ou.cols);
      busy += ceil_div(vectors, d.iw) * ceil_div(arch.input_cycles(), d.ib) * steps *
              arch.latency.ou_step;
    }
    longest = std::max(longest, busy);
  }
  return longest;
}

// Reconfiguring the chip between rounds, as the dispatch unit does it: every
// weight of the round down the fat tree's root link, then the crossbars
// write their rows (all in parallel, a row at a time).
std::int64_t reprogramming_estimate(const MappingPlan& plan, const arch::ArchConfig& arch) {
  std::map<int, std::int64_t> bits;                        // per round
  std::map<std::tuple<int, int, int>, std::int64_t> rows;  // per (round, pe, crossbar)
  for (const CrossbarTile& t : plan.tiles) {
    const int round = tile_round(plan, t);
    bits[round] += t.rows * t.cols * arch.data.weight_bits;
    rows[{round, t.pe, t.crossbar}] += t.rows;
  }
  std::map<int, std::int64_t> most_rows;
  for (const auto& [slot, n] : rows) {
    auto& m = most_rows[std::get<0>(slot)];
    m = std::max(m, n);
  }
  std::int64_t cycles = 0;
  for (const auto& [round, b] : bits) {
    if (round == 0) continue;  // the first configuration precedes inference
    cycles += (b + arch.noc.link_width_bits - 1) / arch.noc.link_width_bits +
              most_rows[round] * arch.latency.weight_write_row;
  }
  return cycles;
}

// Every degree 1, with the partitioner's crossbars, reduction and latency.
PartitionCandidate degrees_one(const Network& network, const arch::ArchConfig& arch) {
  return replication_candidate(network, arch,
                               std::vector<int>(lower_network(network, arch).size(), 1));
}

// A plan's tiles as the packing they amount to: a block per tile, a virtual
// crossbar per crossbar of each round, in order of first use (for
// map_simple, one block per crossbar at (0, 0), in tile order).
Packing packing_of(const MappingPlan& plan, const arch::ArchConfig& arch) {
  Packing p;
  p.feasible = true;
  p.budget = arch.total_crossbars();
  p.blocks.reserve(plan.tiles.size());
  std::map<std::tuple<int, int, int>, std::size_t> opened;  // (round, pe, crossbar)
  for (const CrossbarTile& t : plan.tiles) {
    MvmBlock b;
    b.layer = t.layer;
    b.matrix = t.matrix;
    b.iw = t.replica;
    b.ib = t.bit_group;
    b.row_begin = t.row_begin;
    b.rows = t.rows;
    b.col_begin = t.col_begin;
    b.cols = t.cols;
    b.physical_cols = t.cols * arch.weight_columns();
    const auto [it, added] =
        opened.try_emplace({tile_round(plan, t), t.pe, t.crossbar}, p.crossbars.size());
    if (added) p.crossbars.emplace_back();
    p.crossbars[it->second].blocks.push_back(
        BlockPlacement{int(p.blocks.size()), t.xbar_row, t.xbar_col});
    p.blocks.push_back(b);
  }
  p.cells_used = plan.cells_used;
  p.multi_layer_crossbars = plan.shared_crossbars;
  p.reference_cells = plan.reference_cells;
  return p;
}

}  // namespace

MappingPlan make_plan(const Network& network, const arch::ArchConfig& arch,
                      const PartitionCandidate& candidate, const Packing& packing,
                      const Assignment& assignment, const std::string& mapper_name) {
  const std::size_t n_layers = network.layers.size();
  if (candidate.degrees.size() != n_layers) {
    throw std::invalid_argument(
        "make_plan: the candidate has " + std::to_string(candidate.degrees.size()) +
        " degree sets for a network of " + std::to_string(n_layers) + " layers");
  }
  if (!packing.feasible) throw std::invalid_argument("make_plan: the packing is infeasible");
  if (assignment.slots.size() != packing.crossbars.size()) {
    throw std::invalid_argument("make_plan: the assignment has " +
                                std::to_string(assignment.slots.size()) + " slots for " +
                                std::to_string(packing.crossbars.size()) + " virtual crossbars");
  }
  const std::vector<MvmBlock>& blocks = packing.blocks;
  std::vector<Placed> placed(blocks.size());
  for (std::size_t x = 0; x < packing.crossbars.size(); ++x) {
    for (const BlockPlacement& p : packing.crossbars[x].blocks) {
      if (p.block < 0 || std::size_t(p.block) >= blocks.size() ||
          placed[std::size_t(p.block)].crossbar >= 0) {
        throw std::invalid_argument("make_plan: block " + std::to_string(p.block) +
                                    " is unknown or placed twice");
      }
      placed[std::size_t(p.block)] = {int(x), p.row, p.col};
    }
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const MvmBlock& b = blocks[i];
    if (placed[i].crossbar < 0) {
      throw std::invalid_argument("make_plan: block " + std::to_string(i) + " is not placed");
    }
    const bool in_network = b.layer >= 0 && std::size_t(b.layer) < n_layers &&
                            network.layers[std::size_t(b.layer)].has_weights();
    if (!in_network || b.iw >= candidate.degrees[std::size_t(b.layer)].iw ||
        b.ib >= candidate.degrees[std::size_t(b.layer)].ib) {
      throw std::invalid_argument("make_plan: block " + std::to_string(i) +
                                  " does not match the candidate's layers and degrees");
    }
  }

  // Tiles of one output group consecutive, bit group then row order within.
  std::vector<int> order(blocks.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int i, int j) {
    const MvmBlock& a = blocks[std::size_t(i)];
    const MvmBlock& b = blocks[std::size_t(j)];
    return std::tie(a.layer, a.matrix, a.iw, a.col_begin, a.ib, a.row_begin) <
           std::tie(b.layer, b.matrix, b.iw, b.col_begin, b.ib, b.row_begin);
  });

  MappingPlan plan;
  plan.mapper = mapper_name;
  plan.layers.resize(n_layers);
  for (std::size_t li = 0; li < n_layers; ++li) {
    const Layer& layer = network.layers[li];
    LayerPlan& lp = plan.layers[li];
    lp.layer = int(li);
    lp.replicas = candidate.degrees[li].iw;
    lp.bit_groups = candidate.degrees[li].ib;
    if (!layer.has_weights()) continue;
    lp.shape = workloads::lower(layer);
    lp.sparse = !layer.pruned_outputs.empty();
    lp.kept_columns.reserve(std::size_t(lp.shape.matrices));
    for (std::int64_t m = 0; m < lp.shape.matrices; ++m) {
      lp.kept_columns.push_back(workloads::kept_columns(layer, m));
    }
  }

  plan.tiles.reserve(blocks.size());
  for (int i : order) {
    const MvmBlock& b = blocks[std::size_t(i)];
    const Placed& where = placed[std::size_t(i)];
    const CrossbarSlot& slot = assignment.slots[std::size_t(where.crossbar)];
    LayerPlan& lp = plan.layers[std::size_t(b.layer)];
    CrossbarTile t;
    t.layer = b.layer;
    t.matrix = b.matrix;
    t.row_begin = b.row_begin;
    t.rows = b.rows;
    t.col_begin = b.col_begin;
    t.cols = b.cols;
    t.pe = slot.pe;
    t.crossbar = slot.crossbar;
    t.replica = b.iw;
    t.bit_group = b.ib;
    t.xbar_row = where.row;
    t.xbar_col = where.col;
    const bool new_group = lp.groups.empty() || lp.groups.back().matrix != b.matrix ||
                           lp.groups.back().replica != b.iw ||
                           lp.groups.back().col_begin != b.col_begin;
    if (new_group) {
      OutputGroup g;
      g.matrix = b.matrix;
      g.replica = b.iw;
      g.col_begin = b.col_begin;
      g.cols = b.cols;
      g.reducer_pe = t.pe;  // the first tile's PE, as map_simple
      lp.groups.push_back(std::move(g));
    } else if (lp.groups.back().cols != b.cols) {
      // Its partial sums would not line up with the group's.
      throw std::invalid_argument("make_plan: blocks of layer " + std::to_string(b.layer) +
                                  " starting at kept column " + std::to_string(b.col_begin) +
                                  " differ in width");
    }
    t.group = int(lp.groups.size()) - 1;
    const int index = int(plan.tiles.size());
    plan.tiles.push_back(t);
    lp.tiles.push_back(index);
    lp.groups.back().tiles.push_back(index);
  }
  for (std::size_t li = 0; li < n_layers; ++li) {
    if (network.layers[li].has_weights()) finish_weighted_layer(plan.layers[li], plan.tiles);
  }

  // Layers without weights run on a PE's ALU/SFU. A PE no other layer uses
  // lets them pipeline with their producers; the one nearest the producer's
  // reducer keeps the hop short. Without a free PE they share the reducer's.
  const int pes = arch.chip.pes();
  std::vector<char> used(std::size_t(pes), 0);
  for (const LayerPlan& lp : plan.layers) {
    for (int pe : lp.pes) used[std::size_t(pe)] = 1;
  }
  int free_pes = int(std::count(used.begin(), used.end(), 0));
  for (std::size_t li = 0; li < n_layers; ++li) {
    const Layer& layer = network.layers[li];
    if (layer.has_weights()) continue;
    const int anchor =
        anchor_pe(plan, layer.inputs.empty() ? workloads::kNetworkInput : layer.inputs.front());
    int chosen = anchor;
    if (free_pes > 0) {
      int best = -1;
      int best_distance = 0;
      for (int pe = 0; pe < pes; ++pe) {
        if (used[std::size_t(pe)]) continue;
        const int d = mesh_distance(pe, anchor, arch.chip.pe_x);
        if (best < 0 || d < best_distance) {  // ascending ids: ties keep the lower
          best = pe;
          best_distance = d;
        }
      }
      chosen = best;
      --free_pes;
    }
    used[std::size_t(chosen)] = 1;
    plan.layers[li].pes = {chosen};
  }

  plan.crossbars_used = packing.crossbars_used();
  plan.shared_crossbars = packing.multi_layer_crossbars;
  plan.cells_used = packing.cells_used;
  plan.reference_cells = packing.reference_cells;
  plan.pes_used = int(std::count(used.begin(), used.end(), 1));
  return plan;
}

const std::vector<std::string>& mapper_names() {
  static const std::vector<std::string> names{"simple", "spatem", "isaac",
                                              "hitm",   "local",  "folding"};
  return names;
}

static void mark_global_links(const Network& network, const arch::ArchConfig& arch,
                              MappingPlan& plan) {
  // Global folding (001 Section VII, Fig. 11, Table III): a layer whose
  // readers lie far from it on the mesh (more than half the grid's longer
  // side, Manhattan, from any PE producing its outputs) sends its outputs
  // over the global network instead; near ones stay on the mesh.
  const int far = std::max(arch.chip.pe_x, arch.chip.pe_y) / 2;
  const auto distance = [&](int a, int b) {
    return std::abs(a % arch.chip.pe_x - b % arch.chip.pe_x) +
           std::abs(a / arch.chip.pe_x - b / arch.chip.pe_x);
  };
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    LayerPlan& lp = plan.layers[l];
    std::vector<int> senders;
    if (network.layers[l].has_weights()) {
      for (const OutputGroup& g : lp.groups) senders.push_back(g.reducer_pe);
    } else {
      senders = lp.pes;
    }
    for (std::size_t c = l + 1; c < network.layers.size() && !lp.global_out; ++c) {
      const auto& inputs = network.layers[c].inputs;
      if (std::find(inputs.begin(), inputs.end(), int(l)) == inputs.end()) continue;
      for (int reader : plan.layers[c].pes) {
        for (int sender : senders) {
          if (distance(sender, reader) > far) lp.global_out = true;
        }
      }
    }
  }
}

// The layers `members` (ascending) as a network of their own: inputs from
// outside them become the network input, whose shape is the first such
// source's. The layers keep their shapes, so lowering and the latency model
// see them as in the whole network.
static Network sub_network(const Network& network, const std::vector<int>& members) {
  Network sub;
  sub.name = network.name;
  sub.file = network.file;
  sub.source = network.source;
  sub.input = network.input;
  bool input_set = false;
  std::vector<int> index(network.layers.size(), -1);
  for (int l : members) {
    Layer layer = network.layers[std::size_t(l)];
    for (int& source : layer.inputs) {
      const int inside = source == workloads::kNetworkInput ? -1 : index[std::size_t(source)];
      if (inside < 0 && !input_set) {
        sub.input = network.shape_of(source);
        input_set = true;
      }
      source = inside >= 0 ? inside : workloads::kNetworkInput;
    }
    index[std::size_t(l)] = int(sub.layers.size());
    sub.layers.push_back(std::move(layer));
  }
  return sub;
}

// Each round's layers (ascending), by LayerPlan::round: a layer larger than
// the chip is listed in its last round.
static std::vector<std::vector<int>> layers_by_round(const MappingPlan& plan) {
  std::vector<std::vector<int>> members(std::size_t(plan.rounds));
  for (std::size_t l = 0; l < plan.layers.size(); ++l) {
    members[std::size_t(plan.layers[l].round)].push_back(int(l));
  }
  return members;
}

static bool any_weighted(const Network& network, const std::vector<int>& members) {
  return std::any_of(members.begin(), members.end(),
                     [&](int l) { return network.layers[std::size_t(l)].has_weights(); });
}

// A network no strategy of `mapper` fits in one go runs in map_simple's
// rounds (one copy per layer fills each round; a layer larger than the chip
// takes rounds of its own). Each round then holds a network that fits, so
// the mapper maps that round's layers with the whole chip: its partitioning
// or replication fills the crossbars one copy per layer leaves idle,
// without adding a round. Rounds of a layer larger than the chip keep their
// one copy.
static MapResult map_in_rounds(const Network& network, const arch::ArchConfig& arch,
                               const std::string& mapper) {
  const MappingPlan base = map_simple(network, arch);
  const std::size_t n_layers = network.layers.size();
  MapResult result;
  result.rounds_fallback = true;
  result.candidates_tried = 1;
  result.candidate = degrees_one(network, arch);
  const std::vector<std::vector<int>> members = layers_by_round(base);
  std::vector<bool> keep(std::size_t(base.rounds), false);
  for (const LayerPlan& lp : base.layers) {
    if (lp.first_round != lp.round) {
      for (int r = lp.first_round; r <= lp.round; ++r) keep[std::size_t(r)] = true;
    }
  }
  // Per layer: the plan it comes from (null: `base`) and its index there.
  std::vector<MapResult> rounds(std::size_t(base.rounds));
  std::vector<const MapResult*> from(n_layers, nullptr);
  std::vector<int> index_in(n_layers);
  std::iota(index_in.begin(), index_in.end(), 0);
  std::int64_t latency = 0;
  for (std::size_t r = 0; r < members.size(); ++r) {
    const bool weighted = any_weighted(network, members[r]);
    const Network sub = sub_network(network, members[r]);
    if (keep[r] || !weighted) {
      latency += weighted ? degrees_one(sub, arch).latency : 0;
      continue;
    }
    rounds[r] = map_network(sub, arch, mapper);
    if (rounds[r].rounds_fallback) {
      throw std::logic_error("map_in_rounds: a round of one copy per layer did not fit");
    }
    latency += rounds[r].candidate.latency;
    for (std::size_t k = 0; k < members[r].size(); ++k) {
      const std::size_t l = std::size_t(members[r][k]);
      from[l] = &rounds[r];
      index_in[l] = int(k);
      result.candidate.degrees[l] = rounds[r].candidate.degrees[k];
    }
    result.plan.shared_crossbars += rounds[r].plan.shared_crossbars;
  }
  result.candidate.latency = latency;  // the rounds one after the other, reconfigured between

  // The merged plan: every layer's tiles and groups from its round's plan,
  // in layer order, tile indices renumbered.
  MappingPlan& plan = result.plan;
  plan.mapper = mapper;
  plan.rounds = base.rounds;
  plan.layers.resize(n_layers);
  for (std::size_t l = 0; l < n_layers; ++l) {
    const MappingPlan& src = from[l] ? from[l]->plan : base;
    const LayerPlan& sl = src.layers[std::size_t(index_in[l])];
    LayerPlan lp = sl;
    lp.layer = int(l);
    lp.round = base.layers[l].round;
    lp.first_round = base.layers[l].first_round;
    lp.tiles.clear();
    std::map<int, int> renumbered;
    for (int t : sl.tiles) {
      CrossbarTile tile = src.tiles[std::size_t(t)];
      tile.layer = int(l);
      renumbered[t] = int(plan.tiles.size());
      lp.tiles.push_back(int(plan.tiles.size()));
      plan.tiles.push_back(tile);
      if (!from[l]) {  // map_simple's one tile per crossbar
        plan.cells_used +=
            tile.rows * (tile.cols * arch.weight_columns() + arch.reference_columns());
        plan.reference_cells += tile.rows * arch.reference_columns();
      }
    }
    for (OutputGroup& g : lp.groups) {
      for (int& t : g.tiles) t = renumbered.at(t);
      if (from[l]) g.round = lp.round;
    }
    plan.layers[l] = std::move(lp);
  }
  for (const MapResult& r : rounds) {
    plan.cells_used += r.plan.cells_used;
    plan.reference_cells += r.plan.reference_cells;
  }
  plan.crossbars_used = distinct_crossbars(plan);
  std::vector<int> pes;
  for (const LayerPlan& lp : plan.layers) pes.insert(pes.end(), lp.pes.begin(), lp.pes.end());
  sort_unique(pes);
  plan.pes_used = int(pes.size());
  result.candidate.crossbars = programmed_crossbars(plan);
  result.candidate.latency += reprogramming_estimate(plan, arch);
  result.packing = packing_of(plan, arch);
  return result;
}

MapResult map_network(const Network& network, const arch::ArchConfig& arch,
                      const std::string& mapper) {
  const auto& names = mapper_names();
  if (std::find(names.begin(), names.end(), mapper) == names.end()) {
    std::string valid;
    for (const std::string& n : names) valid += (valid.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown mapper '" + mapper + "' (valid: " + valid + ")");
  }
  const std::int64_t available = arch.total_crossbars();
  MapResult result;

  if (mapper == "simple") {
    result.candidate = degrees_one(network, arch);
    // Too large for the chip: map_simple runs it in rounds.
    result.plan = map_simple(network, arch);
    result.packing = packing_of(result.plan, arch);
    result.candidates_tried = 1;
    if (result.plan.rounds > 1) {
      // In rounds the estimate is theirs, one after the other, as for the
      // other mappers in rounds (map_in_rounds).
      std::int64_t latency = reprogramming_estimate(result.plan, arch);
      for (const std::vector<int>& round : layers_by_round(result.plan)) {
        if (any_weighted(network, round)) {
          latency += degrees_one(sub_network(network, round), arch).latency;
        }
      }
      result.candidate.latency = latency;
    }
    return result;
  }

  if (mapper == "spatem") {
    std::vector<PartitionCandidate> candidates = Partitioner(network, arch, available).candidates();
    // The partitioner counts a crossbar per piece; packing several pieces to
    // a crossbar can still fit degrees 1 when that count does not (DeepFace).
    const PartitionCandidate ones = degrees_one(network, arch);
    if (std::none_of(candidates.begin(), candidates.end(),
                     [&](const PartitionCandidate& c) { return c.degrees == ones.degrees; })) {
      candidates.push_back(ones);
    }
    PackChoice choice = pack_first_fitting(network, arch, candidates, available);
    if (choice.candidate < 0) {
      // Not even packed at degrees 1: rounds of one copy per layer.
      return map_in_rounds(network, arch, mapper);
    }
    if (candidates[std::size_t(choice.candidate)].degrees == ones.degrees &&
        std::int64_t(choice.packing.blocks.size()) > choice.packing.crossbars_used()) {
      // It fits only with blocks sharing crossbars, which then take turns:
      // rounds with a crossbar per block may be faster, reprogramming
      // included. The faster by estimate wins (docs/mapping.md, "Rounds").
      const std::int64_t packed =
          std::max(candidates[std::size_t(choice.candidate)].latency,
                   shared_crossbar_bound(network, arch, candidates[std::size_t(choice.candidate)],
                                         choice.packing));
      MapResult in_rounds = map_in_rounds(network, arch, mapper);
      if (in_rounds.candidate.latency < packed) return in_rounds;
    }
    result.candidate_index = choice.candidate;
    result.candidates_tried = choice.candidate + 1;
    result.candidate = std::move(candidates[std::size_t(choice.candidate)]);
    result.packing = std::move(choice.packing);
  } else {
    const std::int64_t minimum = replication_minimum_crossbars(network, arch);
    if (minimum > available) return map_in_rounds(network, arch, mapper);
    if (mapper == "local" || mapper == "folding") {
      // Algorithm 3 from one copy of every layer, the same start and the
      // same one-crossbar-per-piece count as the baselines.
      Reallocation r = reallocate(network, arch, available);
      result.candidate = std::move(r.candidate);
      result.reallocation = std::move(r.steps);
    } else {
      result.candidate = mapper == "isaac" ? isaac_replication(network, arch, available)
                                           : hitm_replication(network, arch, available);
    }
    // Packing never opens more crossbars than there are blocks, and these
    // strategies' demand (one crossbar per block) fits the chip.
    result.packing = pack(network, arch, result.candidate, available);
    if (!result.packing.feasible) {
      throw std::logic_error("map_network: a " + mapper + " strategy within budget did not pack");
    }
    result.candidates_tried = 1;
  }
  // Re-ReRAM's local mapping places layer by layer on neighbouring PEs
  // (Algorithm 2); the others merge by shared data (SPATEM's assigning step).
  const bool serpentine = mapper == "local" || mapper == "folding";
  const Assignment assignment =
      serpentine ? local_assignment(result.packing, arch) : assign(result.packing, arch);
  result.plan = make_plan(network, arch, result.candidate, result.packing, assignment, mapper);
  if (mapper == "folding") mark_global_links(network, arch, result.plan);
  return result;
}

}  // namespace reramsim::mapping
