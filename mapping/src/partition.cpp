// Algorithm 1 of SPATEM as an exact multiple-choice knapsack DP
// (docs/mapping.md, "Partitioning").
#include "reramsim/mapping/partition.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace reramsim::mapping {

namespace {

constexpr std::int64_t kUnreachable = std::numeric_limits<std::int64_t>::min() / 4;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Problems whose options are the same: everything but the layer index.
bool same_shape(const MvmProblem& a, const MvmProblem& b) {
  return a.matrices == b.matrices && a.rows == b.rows && a.cols == b.cols &&
         a.vectors == b.vectors && a.input_cycles == b.input_cycles &&
         a.weight_columns == b.weight_columns && a.reference_columns == b.reference_columns &&
         a.input_values == b.input_values && a.partial_sum_bits == b.partial_sum_bits;
}

// One DP item over a run of budgets: where previous[r - need] + gain beats
// current[r], take it and record the option. Branch-free (which option wins
// at a budget is data, a branch would mispredict), so the loop vectorizes;
// also compiled for AVX2 (packed 64-bit compares), used where the processor
// has it. Strictly better only: on ties the earlier option stays.
#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target_clones("avx2", "default")))
#endif
void relax(const std::int64_t* __restrict shifted_previous, std::int64_t gain,
           std::int64_t* __restrict current, std::int32_t* __restrict choice, std::int32_t option,
           std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t value = shifted_previous[i] + gain;
    const bool better = value > current[i];
    current[i] = better ? value : current[i];
    choice[i] = better ? option : choice[i];
  }
}

}  // namespace

std::vector<int> useful_degrees(std::int64_t size) {
  std::vector<int> degrees;
  std::int64_t d = 1;
  while (d <= size) {
    degrees.push_back(int(d));
    const std::int64_t parts = ceil_div(size, d);
    if (parts == 1) break;
    // The smallest degree whose parts are shorter than `parts`.
    d = ceil_div(size, parts - 1);
  }
  return degrees;
}

Partitioner::Partitioner(const workloads::Network& network, const arch::ArchConfig& arch,
                         std::int64_t crossbars)
    : m_layers_in_network(network.layers.size()),
      m_capacity(std::max<std::int64_t>(crossbars, 0)),
      m_problems(lower_network(network, arch)) {
  for (const MvmProblem& p : m_problems) {
    const PartShape whole = part_shape(p, 1, 1, arch);
    m_base.push_back(layer_latency(p, whole, 1, 1, arch));
    m_minimum += crossbar_demand(p, whole, 1, 1);
  }
  if (!feasible()) return;
  enumerate(arch);
  solve();
}

void Partitioner::enumerate(const arch::ArchConfig& arch) {
  m_options.resize(m_problems.size());
  for (std::size_t l = 0; l < m_problems.size(); ++l) {
    const MvmProblem& p = m_problems[l];
    // Repeated blocks (ResNet) give identical problems, hence identical
    // options: enumerate each shape once.
    const auto same = std::find_if(m_problems.begin(), m_problems.begin() + std::ptrdiff_t(l),
                                   [&p](const MvmProblem& q) { return same_shape(p, q); });
    if (same != m_problems.begin() + std::ptrdiff_t(l)) {
      m_options[l] = m_options[std::size_t(same - m_problems.begin())];
      m_stats.options += std::int64_t(m_options[l].size());
      continue;
    }
    const std::int64_t own_minimum = crossbar_demand(p, part_shape(p, 1, 1, arch), 1, 1);
    // The other layers need at least their degrees-1 crossbars.
    const std::int64_t cap = m_capacity - (m_minimum - own_minimum);
    // Per demand, the fastest combination found (first found on ties, in
    // the slides' dimension order).
    std::vector<LayerOption> fastest(std::size_t(cap + 1));
    std::vector<bool> seen(std::size_t(cap + 1), false);
    const std::vector<int> hs = useful_degrees(p.rows);
    const std::vector<int> ws = useful_degrees(p.cols);
    const std::vector<int> is = useful_degrees(p.vectors);
    const std::vector<int> bs = useful_degrees(p.input_cycles);
    for (int h : hs) {
      for (int w : ws) {
        const PartShape shape = part_shape(p, h, w, arch);
        const std::int64_t copy = crossbar_demand(p, shape, 1, 1);
        // The copy's crossbars are not monotone in h or w (e.g. 300 rows on
        // 128-row crossbars: 3, 4, 3 for h = 1, 2, 3), so no early exit here.
        if (copy > cap) continue;
        for (int i : is) {
          if (copy * i > cap) break;
          for (int b : bs) {
            const std::int64_t demand = copy * i * b;
            if (demand > cap) break;
            const LayerLatency t = layer_latency(p, shape, i, b, arch);
            ++m_stats.combinations;
            LayerOption& best = fastest[std::size_t(demand)];
            if (!seen[std::size_t(demand)] || t.total < best.latency.total) {
              seen[std::size_t(demand)] = true;
              best.degrees = PartitionDegrees{h, w, i, b};
              best.crossbars = demand;
              best.reduction = m_base[l].total - t.total;
              best.latency = t;
            }
          }
        }
      }
    }
    // Pareto frontier: an option needing more crossbars is worth keeping
    // only when it reduces the latency further.
    std::vector<LayerOption>& kept = m_options[l];
    for (std::size_t d = 0; d < fastest.size(); ++d) {
      if (!seen[d]) continue;
      if (kept.empty() || fastest[d].reduction > kept.back().reduction) kept.push_back(fastest[d]);
    }
    m_stats.options += std::int64_t(kept.size());
  }
}

void Partitioner::solve() {
  const std::size_t layers = m_problems.size();
  // suffix[l]: crossbars layers l.. need at least.
  std::vector<std::int64_t> suffix(layers + 1, 0);
  for (std::size_t l = layers; l-- > 0;) {
    suffix[l] = suffix[l + 1] + m_options[l].front().crossbars;
  }
  // Row "no layer yet": reduction 0 within any budget.
  std::vector<std::int64_t> previous(std::size_t(m_capacity + 1), 0);
  std::vector<std::int64_t> current(previous.size());
  m_choice.assign(layers, {});
  std::int64_t low = 0;  // crossbars layers before l need at least
  for (std::size_t l = 0; l < layers; ++l) {
    std::fill(current.begin(), current.end(), kUnreachable);
    std::vector<std::int32_t>& choice = m_choice[l];
    choice.assign(previous.size(), -1);
    // Budgets above `high` leave too few crossbars for the later layers.
    const std::int64_t high = m_capacity - suffix[l + 1];
    const std::vector<LayerOption>& items = m_options[l];
    for (std::size_t o = 0; o < items.size(); ++o) {
      const std::int64_t need = items[o].crossbars;
      const std::int64_t gain = items[o].reduction;
      // previous[] is reachable on [low, high - own minimum]; the loop stays inside it.
      const std::int64_t first = low + need;
      const std::int64_t count = std::max<std::int64_t>(0, high - first + 1);
      if (count > 0) {
        relax(previous.data() + low, gain, current.data() + first, choice.data() + first,
              std::int32_t(o), count);
      }
      m_stats.dp_updates += count;
    }
    low += items.front().crossbars;
    previous.swap(current);
  }
  m_best = std::move(previous);
}

std::int64_t Partitioner::best_reduction(std::int64_t budget) const {
  if (budget < 0 || budget > m_capacity) {
    throw std::invalid_argument("best_reduction: budget " + std::to_string(budget) +
                                " outside [0, " + std::to_string(m_capacity) + "]");
  }
  if (budget < m_minimum) return -1;
  return m_best[std::size_t(budget)];
}

std::vector<int> Partitioner::choices(std::int64_t budget) const {
  std::vector<int> choice(m_problems.size(), 0);
  std::int64_t r = budget;
  for (std::size_t l = m_problems.size(); l-- > 0;) {
    const std::int32_t o = m_choice[l][std::size_t(r)];
    choice[l] = o;
    r -= m_options[l][std::size_t(o)].crossbars;
  }
  return choice;
}

PartitionCandidate Partitioner::make_candidate(const std::vector<int>& choice) const {
  PartitionCandidate c;
  c.degrees.assign(m_layers_in_network, PartitionDegrees{});
  std::vector<LayerLatency> latencies;
  latencies.reserve(choice.size());
  for (std::size_t l = 0; l < choice.size(); ++l) {
    const LayerOption& o = m_options[l][std::size_t(choice[l])];
    c.degrees[std::size_t(m_problems[l].layer)] = o.degrees;
    c.crossbars += o.crossbars;
    c.latency_reduction += o.reduction;
    latencies.push_back(o.latency);
  }
  c.latency = pipelined_latency(latencies);
  return c;
}

PartitionCandidate Partitioner::strategy(std::int64_t budget) const {
  if (best_reduction(budget) < 0) {
    throw std::invalid_argument("strategy: no partition fits " + std::to_string(budget) +
                                " crossbars (degrees 1 need " + std::to_string(m_minimum) + ")");
  }
  return make_candidate(choices(budget));
}

std::vector<PartitionCandidate> Partitioner::candidates(int max_candidates) const {
  if (!feasible() || max_candidates <= 0) return {};
  // Rank the breakpoints of the best-reduction curve first, cheaply, and
  // build full candidates only for the winners.
  struct Ranked {
    std::int64_t latency;
    std::int64_t crossbars;
  };
  std::vector<Ranked> ranked;
  for (std::int64_t r = m_minimum; r <= m_capacity; ++r) {
    if (r > m_minimum && m_best[std::size_t(r)] <= m_best[std::size_t(r - 1)]) continue;
    // At a breakpoint the strategy cannot fit in r - 1, so it needs exactly r.
    std::vector<LayerLatency> latencies;
    latencies.reserve(m_problems.size());
    const std::vector<int> choice = choices(r);
    for (std::size_t l = 0; l < choice.size(); ++l) {
      latencies.push_back(m_options[l][std::size_t(choice[l])].latency);
    }
    ranked.push_back({pipelined_latency(latencies), r});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.latency != b.latency ? a.latency < b.latency : a.crossbars < b.crossbars;
  });
  if (ranked.size() > std::size_t(max_candidates)) ranked.resize(std::size_t(max_candidates));
  std::vector<PartitionCandidate> out;
  out.reserve(ranked.size());
  for (const Ranked& k : ranked) out.push_back(make_candidate(choices(k.crossbars)));
  return out;
}

std::vector<PartitionCandidate> partition(const workloads::Network& network,
                                          const arch::ArchConfig& arch, std::int64_t crossbars,
                                          int max_candidates) {
  return Partitioner(network, arch, crossbars).candidates(max_candidates);
}

}  // namespace reramsim::mapping
