// The ISAAC and HitM replication baselines (docs/mapping-baselines.md).
#include "reramsim/mapping/baselines.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace reramsim::mapping {

namespace {

// A weighted layer with its matrix whole: one replica's shape and crossbars.
struct Replicable {
  MvmProblem problem;
  PartShape shape;
  std::int64_t per_replica = 0;  // crossbar_demand with iw = 1
};

std::vector<Replicable> replicable_layers(const workloads::Network& network,
                                          const arch::ArchConfig& arch) {
  std::vector<Replicable> layers;
  for (const MvmProblem& p : lower_network(network, arch)) {
    Replicable r{p, part_shape(p, 1, 1, arch), 0};
    r.per_replica = crossbar_demand(p, r.shape, 1, 1);
    layers.push_back(r);
  }
  return layers;
}

std::int64_t minimum(const std::vector<Replicable>& layers) {
  std::int64_t sum = 0;
  for (const Replicable& l : layers) sum += l.per_replica;
  return sum;
}

void require_fit(const char* who, const std::vector<Replicable>& layers, std::int64_t crossbars) {
  const std::int64_t needed = minimum(layers);
  if (needed > crossbars) {
    throw std::invalid_argument(std::string(who) + ": one replica of every weighted layer needs " +
                                std::to_string(needed) + " crossbars, only " +
                                std::to_string(crossbars) + " available");
  }
}

// Assumes the counts are valid.
PartitionCandidate make_candidate(std::size_t layers_in_network,
                                  const std::vector<Replicable>& layers,
                                  const std::vector<int>& replicas, const arch::ArchConfig& arch) {
  PartitionCandidate c;
  c.degrees.assign(layers_in_network, PartitionDegrees{});
  std::vector<LayerLatency> latencies;
  latencies.reserve(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Replicable& x = layers[l];
    const LayerLatency t = layer_latency(x.problem, x.shape, replicas[l], 1, arch);
    c.degrees[std::size_t(x.problem.layer)].iw = replicas[l];
    c.crossbars += crossbar_demand(x.problem, x.shape, replicas[l], 1);
    // As Partitioner: reduction against degrees 1.
    c.latency_reduction += layer_latency(x.problem, x.shape, 1, 1, arch).total - t.total;
    latencies.push_back(t);
  }
  c.latency = pipelined_latency(latencies);
  return c;
}

// A target time T = num / den of ISAAC's rule; exact, as the candidates
// t_l / j are rarely integers.
struct Fraction {
  std::int64_t num;
  std::int64_t den;
};
// 128-bit products: t_l (up to ~1e9 cycles) times j (up to V_l) stays far
// below 2^63 today, but nothing in the config bounds it.
__extension__ typedef __int128 Wide;
bool less(const Fraction& a, const Fraction& b) {
  return Wide(a.num) * b.den < Wide(b.num) * a.den;
}

}  // namespace

std::int64_t replication_minimum_crossbars(const workloads::Network& network,
                                           const arch::ArchConfig& arch) {
  return minimum(replicable_layers(network, arch));
}

std::int64_t stage_time(const LayerLatency& latency) {
  return latency.total - latency.fill;
}

PartitionCandidate replication_candidate(const workloads::Network& network,
                                         const arch::ArchConfig& arch,
                                         const std::vector<int>& replicas) {
  const std::vector<Replicable> layers = replicable_layers(network, arch);
  if (replicas.size() != layers.size()) {
    throw std::invalid_argument("replication_candidate: " + std::to_string(replicas.size()) +
                                " replica counts for " + std::to_string(layers.size()) +
                                " weighted layers");
  }
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (replicas[l] < 1 || replicas[l] > layers[l].problem.vectors) {
      throw std::invalid_argument("replication_candidate: " + std::to_string(replicas[l]) +
                                  " replicas of layer " + std::to_string(layers[l].problem.layer) +
                                  " outside [1, " + std::to_string(layers[l].problem.vectors) +
                                  "]");
    }
  }
  return make_candidate(network.layers.size(), layers, replicas, arch);
}

PartitionCandidate isaac_replication(const workloads::Network& network,
                                     const arch::ArchConfig& arch, std::int64_t crossbars) {
  const std::vector<Replicable> layers = replicable_layers(network, arch);
  require_fit("isaac_replication", layers, crossbars);
  if (layers.empty()) return make_candidate(network.layers.size(), layers, {}, arch);

  // Throughput demand: one replica's crossbar time (OU steps x input cycles
  // x windows); the fastest layer is the reference that gets one replica.
  std::vector<std::int64_t> demand;
  for (const Replicable& l : layers) {
    demand.push_back(layer_latency(l.problem, l.shape, 1, 1, arch).compute);
  }
  const std::int64_t reference = *std::min_element(demand.begin(), demand.end());

  auto replicas_at = [&](const Fraction& target) {
    std::vector<int> r(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const Wide ratio = Wide(demand[l]) * target.den / target.num;  // floor(t_l / T)
      r[l] = int(std::max<Wide>(1, std::min<Wide>(ratio, layers[l].problem.vectors)));
    }
    return r;
  };
  auto fits = [&](const Fraction& target) {
    const std::vector<int> r = replicas_at(target);
    std::int64_t used = 0;
    for (std::size_t l = 0; l < layers.size(); ++l) used += layers[l].per_replica * r[l];
    return used <= crossbars;
  };

  // The counts only change where some t_l / T crosses an integer j, i.e. at
  // T = t_l / j; between two such points they are those of the upper one. So
  // the smallest fitting T >= t_ref is one of them with j <= min(V_l,
  // t_l / t_ref) (larger j are clamped to V_l or lie below t_ref).
  std::vector<Fraction> targets;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::int64_t most = std::min(layers[l].problem.vectors, demand[l] / reference);
    for (std::int64_t j = 1; j <= most; ++j) targets.push_back({demand[l], j});
  }
  std::sort(targets.begin(), targets.end(), less);
  // Fewer crossbars as T grows; the largest target, max_l t_l, gives every
  // layer one replica, which require_fit has checked.
  const auto first = std::partition_point(targets.begin(), targets.end(),
                                          [&](const Fraction& t) { return !fits(t); });
  return make_candidate(network.layers.size(), layers, replicas_at(*first), arch);
}

PartitionCandidate hitm_replication(const workloads::Network& network, const arch::ArchConfig& arch,
                                    std::int64_t crossbars) {
  const std::vector<Replicable> layers = replicable_layers(network, arch);
  require_fit("hitm_replication", layers, crossbars);

  // Options: per distinct window count ceil(V/r), the smallest r giving it.
  // The latency depends on r only through that count and the crossbars grow
  // with r, so no other r is ever needed (docs/mapping.md, "Degree steps").
  struct Option {
    std::int64_t stage;
    std::int64_t crossbars;
    std::size_t layer;
    int replicas;
  };
  std::vector<Option> options;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Replicable& x = layers[l];
    for (int r : useful_degrees(x.problem.vectors)) {
      options.push_back({stage_time(layer_latency(x.problem, x.shape, r, 1, arch)),
                         crossbar_demand(x.problem, x.shape, r, 1), l, r});
    }
  }
  // The objective is a maximum of per-layer terms, so the knapsack DP over
  // (layer, crossbars) collapses to a threshold: a bottleneck S is reachable
  // iff every layer's cheapest option with stage <= S fits together. Sweep S
  // upwards over the options' stages, keeping each layer's cheapest option
  // seen so far; the first S that fits is the optimum.
  std::sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
    return a.stage != b.stage ? a.stage < b.stage : a.crossbars < b.crossbars;
  });
  std::vector<int> replicas(layers.size(), 0);
  std::vector<std::int64_t> cheapest(layers.size(), -1);
  std::size_t missing = layers.size();
  std::int64_t used = 0;
  for (std::size_t k = 0; k < options.size();) {
    const std::int64_t stage = options[k].stage;
    for (; k < options.size() && options[k].stage == stage; ++k) {
      const Option& o = options[k];
      if (cheapest[o.layer] < 0) {
        --missing;
        used += o.crossbars;
      } else if (o.crossbars < cheapest[o.layer]) {
        used -= cheapest[o.layer] - o.crossbars;
      } else {
        continue;
      }
      cheapest[o.layer] = o.crossbars;
      replicas[o.layer] = o.replicas;
    }
    // Once every option is seen each layer holds its r = 1, the fewest
    // crossbars, which require_fit has checked: the loop always breaks.
    if (missing == 0 && used <= crossbars) break;
  }
  return make_candidate(network.layers.size(), layers, replicas, arch);
}

}  // namespace reramsim::mapping
