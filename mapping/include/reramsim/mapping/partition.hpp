// SPATEM's partitioning step, part 2 (000_95e50d1ef642925c.txt, "Partitioning
// Step (cont.)", "Algorithm 1"): choose every weighted layer's partition
// degrees under a crossbar budget by a knapsack dynamic program that
// maximises the total inference-latency reduction, and list the resulting
// strategies in ascending estimated pipelined latency. SystemC-free; the
// formulation, its exactness and its cost are in docs/mapping.md.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// The degrees worth trying along a dimension of `size`: for every distinct
// part size ceil(size / d), the smallest d giving it, ascending (1 first,
// `size` last). Any other degree gives the same parts with more replicas, so
// it never beats the smaller one (docs/mapping.md, "Degree steps").
std::vector<int> useful_degrees(std::int64_t size);

// One way to partition one layer.
struct LayerOption {
  PartitionDegrees degrees;
  std::int64_t crossbars = 0;  // crossbar_demand
  std::int64_t reduction = 0;  // latency at degrees 1 minus latency at these degrees (cycles)
  LayerLatency latency;
};

// A partition strategy for the whole network.
struct PartitionCandidate {
  std::vector<PartitionDegrees> degrees;  // parallel to Network::layers; all 1 without weights
  std::int64_t crossbars = 0;             // total crossbar demand
  std::int64_t latency_reduction = 0;     // the DP objective: sum over layers of reduction
  std::int64_t latency = 0;               // pipelined_latency estimate (cycles)
};

struct PartitionStats {
  std::int64_t combinations = 0;  // degree combinations evaluated by the latency model
  std::int64_t options = 0;       // of which kept as DP items (Pareto-optimal per layer)
  std::int64_t dp_updates = 0;    // DP cell relaxations
};

// Runs the enumeration and the DP once for a network, an architecture and a
// budget of `crossbars`; the queries below read its tables.
class Partitioner {
 public:
  Partitioner(const workloads::Network& network, const arch::ArchConfig& arch,
              std::int64_t crossbars);

  std::int64_t capacity() const { return m_capacity; }
  // Crossbars needed with every degree 1 (the DP's smallest strategy).
  std::int64_t minimum_crossbars() const { return m_minimum; }
  bool feasible() const { return m_minimum <= m_capacity; }

  // The largest total latency reduction of any strategy needing at most
  // `budget` crossbars, budget in [0, capacity()]; -1 when none fits.
  std::int64_t best_reduction(std::int64_t budget) const;
  // A strategy achieving best_reduction(budget). Throws std::invalid_argument
  // when none fits or the budget is above capacity().
  PartitionCandidate strategy(std::int64_t budget) const;
  // The DP's strategies, one per budget at which the best reduction grows,
  // ranked by (estimated pipelined latency, crossbars); at most
  // max_candidates; empty when not even degrees 1 fit.
  std::vector<PartitionCandidate> candidates(int max_candidates = 16) const;

  // Per weighted layer (network order): its problem, its degrees-1 latency
  // and its DP items, ascending in crossbars and strictly in reduction.
  const std::vector<MvmProblem>& problems() const { return m_problems; }
  const std::vector<LayerLatency>& base_latencies() const { return m_base; }
  const std::vector<std::vector<LayerOption>>& options() const { return m_options; }
  const PartitionStats& stats() const { return m_stats; }

 private:
  void enumerate(const arch::ArchConfig& arch);
  void solve();
  // Reconstructs the per-layer option indices of best_reduction(budget).
  std::vector<int> choices(std::int64_t budget) const;
  PartitionCandidate make_candidate(const std::vector<int>& choice) const;

  std::size_t m_layers_in_network = 0;
  std::int64_t m_capacity = 0;
  std::int64_t m_minimum = 0;
  std::vector<MvmProblem> m_problems;
  std::vector<LayerLatency> m_base;
  std::vector<std::vector<LayerOption>> m_options;
  // m_choice[l][r]: the option of layer l on the best path with at most r
  // crossbars for layers 0..l, -1 where unreachable or never needed.
  std::vector<std::vector<std::int32_t>> m_choice;
  std::vector<std::int64_t> m_best;  // the last DP row: best reduction with at most r crossbars
  PartitionStats m_stats;
};

// Partitioner(network, arch, crossbars).candidates(max_candidates).
std::vector<PartitionCandidate> partition(const workloads::Network& network,
                                          const arch::ArchConfig& arch, std::int64_t crossbars,
                                          int max_candidates = 16);

}  // namespace reramsim::mapping
