// Re-ReRAM's local mapping: Algorithm 3's allocation and Algorithm 2's
// placement (docs/mapping.md, "Re-ReRAM mappings: local mapping with
// Algorithms 2 and 3").
#include "reramsim/mapping/rereram.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

#include "reramsim/mapping/baselines.hpp"

namespace reramsim::mapping {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

std::int64_t stage_of(const MvmProblem& p, const PartitionDegrees& d,
                      const arch::ArchConfig& arch) {
  return stage_time(layer_latency(p, d, arch));
}

// The current mapping's per-layer state (lower_network order).
struct Layers {
  std::vector<MvmProblem> problems;
  std::vector<PartitionDegrees> degrees;
  std::vector<LayerLatency> latency;
  std::vector<std::int64_t> crossbars;

  std::int64_t demand() const {
    return std::accumulate(crossbars.begin(), crossbars.end(), std::int64_t{0});
  }
  std::int64_t slowest() const {
    std::int64_t s = 0;
    for (const LayerLatency& l : latency) s = std::max(s, stage_time(l));
    return s;
  }
};

}  // namespace

const char* to_string(ReallocationMove move) {
  return move == ReallocationMove::double_iw ? "double_iw" : "split_rows";
}

const char* to_string(ReallocationStop stop) {
  switch (stop) {
    case ReallocationStop::no_option:
      return "no_option";
    case ReallocationStop::over_budget:
      return "over_budget";
    case ReallocationStop::no_gain:
      return "no_gain";
  }
  return "?";
}

bool next_degrees(const MvmProblem& problem, const PartitionDegrees& current, ReallocationMove move,
                  const arch::ArchConfig& arch, PartitionDegrees& next) {
  const std::int64_t stage = stage_of(problem, current, arch);
  if (move == ReallocationMove::double_iw) {
    if (current.iw >= problem.vectors) return false;
    PartitionDegrees d = current;
    d.iw = int(std::min<std::int64_t>(2 * std::int64_t(current.iw), problem.vectors));
    if (stage_of(problem, d, arch) >= stage) return false;
    next = d;
    return true;
  }
  // More pieces cost transfers and additions, so only a split that shortens
  // the OU steps enough counts; the first such degree is the cheapest.
  for (int h : useful_degrees(problem.rows)) {
    if (h <= current.hwm) continue;
    PartitionDegrees d = current;
    d.hwm = h;
    if (stage_of(problem, d, arch) < stage) {
      next = d;
      return true;
    }
  }
  return false;
}

namespace {

// The step giving every layer at the slowest stage of `s` the move, into
// `t`; false (with the layers that could move listed) when one cannot.
bool propose(const Layers& s, ReallocationMove move, const arch::ArchConfig& arch, Layers& t,
             ReallocationStep& step) {
  t = s;
  step = ReallocationStep{};
  step.move = move;
  step.slowest_before = s.slowest();
  step.latency_before = pipelined_latency(s.latency);
  bool every_one = true;
  for (std::size_t l = 0; l < s.problems.size(); ++l) {
    if (stage_time(s.latency[l]) != step.slowest_before) continue;
    PartitionDegrees next;
    if (!next_degrees(s.problems[l], s.degrees[l], move, arch, next)) {
      every_one = false;
      continue;
    }
    LayerReallocation change;
    change.layer = s.problems[l].layer;
    change.before = s.degrees[l];
    change.after = next;
    change.stage_before = step.slowest_before;
    t.degrees[l] = next;
    t.latency[l] = layer_latency(s.problems[l], next, arch);
    t.crossbars[l] = crossbar_demand(s.problems[l], next, arch);
    change.stage_after = stage_time(t.latency[l]);
    change.crossbars_added = t.crossbars[l] - s.crossbars[l];
    step.crossbars_added += change.crossbars_added;
    step.layers.push_back(change);
  }
  step.crossbars = t.demand();
  step.slowest_after = t.slowest();
  step.latency = pipelined_latency(t.latency);
  // A slowest layer left as it is keeps the slowest stage where it is; an
  // empty step (no weighted layers) changes nothing.
  return every_one && !step.layers.empty();
}

// Accepts or refuses a proposed step (with `can_move` from propose).
bool accept(bool can_move, const ReallocationStep& step, std::int64_t budget,
            ReallocationStop& why) {
  if (!can_move) {
    why = ReallocationStop::no_option;
  } else if (step.crossbars > budget) {
    why = ReallocationStop::over_budget;
  } else if (step.latency >= step.latency_before) {
    why = ReallocationStop::no_gain;
  } else {
    return true;
  }
  return false;
}

}  // namespace

Reallocation reallocate(const workloads::Network& network, const arch::ArchConfig& arch,
                        std::int64_t crossbars) {
  Layers s;
  s.problems = lower_network(network, arch);
  s.degrees.assign(s.problems.size(), PartitionDegrees{});
  std::vector<std::int64_t> base_total;
  for (const MvmProblem& p : s.problems) {
    s.latency.push_back(layer_latency(p, PartitionDegrees{}, arch));
    s.crossbars.push_back(crossbar_demand(p, PartitionDegrees{}, arch));
    base_total.push_back(s.latency.back().total);
  }
  if (s.demand() > crossbars) {
    throw std::invalid_argument("reallocate: one replica of every weighted layer needs " +
                                std::to_string(s.demand()) + " crossbars, only " +
                                std::to_string(crossbars) + " available");
  }

  Reallocation out;
  out.initial_crossbars = s.demand();
  out.initial_latency = pipelined_latency(s.latency);
  out.initial_slowest = s.slowest();
  // Each accepted step lowers the estimate, a non-negative integer, so the
  // loop ends.
  while (true) {
    Layers t;
    bool can = propose(s, ReallocationMove::double_iw, arch, t, out.refused_double);
    if (accept(can, out.refused_double, crossbars, out.double_stop)) {
      out.steps.push_back(out.refused_double);
      s = std::move(t);
      continue;
    }
    can = propose(s, ReallocationMove::split_rows, arch, t, out.refused_split);
    if (accept(can, out.refused_split, crossbars, out.split_stop)) {
      out.steps.push_back(out.refused_split);
      s = std::move(t);
      continue;
    }
    break;
  }

  PartitionCandidate& c = out.candidate;
  c.degrees.assign(network.layers.size(), PartitionDegrees{});
  for (std::size_t l = 0; l < s.problems.size(); ++l) {
    c.degrees[std::size_t(s.problems[l].layer)] = s.degrees[l];
    c.latency_reduction += base_total[l] - s.latency[l].total;
  }
  c.crossbars = s.demand();
  c.latency = pipelined_latency(s.latency);
  return out;
}

int serpentine_pe(int k, const arch::ArchConfig& arch) {
  const int pe_x = arch.chip.pe_x;
  if (k < 0 || k >= arch.chip.pes()) {
    throw std::invalid_argument("serpentine_pe: position " + std::to_string(k) + " outside [0, " +
                                std::to_string(arch.chip.pes()) + ")");
  }
  const int y = k / pe_x;
  const int x = y % 2 == 0 ? k % pe_x : pe_x - 1 - k % pe_x;
  return y * pe_x + x;
}

Assignment local_assignment(const Packing& packing, const arch::ArchConfig& arch) {
  if (!packing.feasible) throw std::invalid_argument("local_assignment: the packing is infeasible");
  const std::size_t n = packing.crossbars.size();
  if (packing.crossbars_used() > arch.total_crossbars()) {
    throw std::invalid_argument("local_assignment: " + std::to_string(n) +
                                " virtual crossbars, but the chip has " +
                                std::to_string(arch.total_crossbars()));
  }

  // Algorithm 2's relevance ranking: layer by layer, within a layer output
  // group by output group, so that a group's row pieces (reduced together)
  // are consecutive and share PEs, as the latency model's reduction assumes.
  const std::vector<int> order = crossbars_in_network_order(packing);
  // The layer each crossbar ranks by: its first block's in network order.
  std::vector<int> layer(n, std::numeric_limits<int>::max());
  for (std::size_t x = 0; x < n; ++x) {
    for (const BlockPlacement& p : packing.crossbars[x].blocks) {
      layer[x] = std::min(layer[x], packing.blocks[std::size_t(p.block)].layer);
    }
  }

  // A fresh PE per layer keeps layers off each other's PE controller, so
  // they pipeline (map_simple's aligned mode); only when all fit that way.
  const std::int64_t per_pe = arch.pe.crossbars();
  std::int64_t aligned_pes = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && layer[std::size_t(order[j])] == layer[std::size_t(order[i])]) ++j;
    aligned_pes += ceil_div(std::int64_t(j - i), per_pe);
    i = j;
  }
  const bool align = aligned_pes <= arch.chip.pes();

  Assignment out;
  out.slots.resize(n);
  std::int64_t next = 0;  // position in the walk, PE-major: walk index * per_pe + crossbar
  int last_cu = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const int x = order[i];
    const bool new_layer = i > 0 && layer[std::size_t(x)] != layer[std::size_t(order[i - 1])];
    if (align && new_layer) next = ceil_div(next, per_pe) * per_pe;
    const int walk = int(next / per_pe);
    const int crossbar = int(next % per_pe);
    const int pe = serpentine_pe(walk, arch);
    out.slots[std::size_t(x)] = {pe, crossbar};
    const int cu = crossbar / arch.pe.crossbars_per_cu;
    // A new physical PE, or a new CU of it, opens a virtual PE or CU.
    const bool new_pe = out.pe_of.empty() || out.pe_of.back() != pe;
    if (new_pe) {
      out.pe_of.push_back(pe);
      out.pes.emplace_back();
    }
    if (new_pe || cu != last_cu) {
      out.pes.back().push_back(int(out.cus.size()));
      out.cus.emplace_back();
      last_cu = cu;
    }
    out.cus.back().push_back(x);
    ++next;
  }

  // Shared data kept close, counted as assign() does: pairs within a CU,
  // and pairs within a PE across its CUs.
  for (const std::vector<int>& pe : out.pes) {
    for (std::size_t a = 0; a < pe.size(); ++a) {
      const std::vector<int>& cu_a = out.cus[std::size_t(pe[a])];
      for (std::size_t i = 0; i < cu_a.size(); ++i) {
        for (std::size_t j = i + 1; j < cu_a.size(); ++j) {
          out.shared_in_cus += shared_data(packing, cu_a[i], cu_a[j]);
        }
      }
      for (std::size_t b = a + 1; b < pe.size(); ++b) {
        for (int u : cu_a) {
          for (int v : out.cus[std::size_t(pe[b])]) out.shared_in_pes += shared_data(packing, u, v);
        }
      }
    }
  }
  return out;
}

}  // namespace reramsim::mapping
