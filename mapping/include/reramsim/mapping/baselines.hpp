// The replication baselines SPATEM compares against (000_95e50d1ef642925c.txt,
// "Limitation on Previous Work", "Experimental Setup": "we implement ISAAC and
// HitM with adapting the throughput models to consider OU"). Both keep every
// weighted layer's matrix whole (hwm = wwm = ib = 1) and only choose its
// number of weight replicas r_l (iw = r_l, 1 <= r_l <= V_l) under a crossbar
// budget, with the OU-aware latency model of latency_model.hpp:
//
// - isaac_replication: replicas proportional to each layer's single-replica
//   compute time relative to the fastest layer, scaled down (ratios kept,
//   rounded down, at least 1) until the demand fits;
// - hitm_replication: the replica counts minimising the largest pipeline
//   stage time (the max term of pipelined_latency) within the budget, exactly,
//   with the fewest crossbars among the optima.
//
// Both return a PartitionCandidate as the partitioner does, so the rest of
// the mapper treats every mapper alike. SystemC-free; the rules, their
// citations and the tests are in docs/mapping-baselines.md.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// Crossbars the network needs with one replica of every weighted layer (the
// degrees-1 demand, Partitioner::minimum_crossbars()): the smallest budget
// the baselines accept.
std::int64_t replication_minimum_crossbars(const workloads::Network& network,
                                           const arch::ArchConfig& arch);

// The stage time a layer adds to the pipeline's steady state: total - fill,
// the term pipelined_latency takes the maximum of (0 for a single window).
std::int64_t stage_time(const LayerLatency& latency);

// The candidate replicating weighted layer l (lower_network order) replicas[l]
// times, every other degree 1: crossbars, latency reduction and pipelined
// latency as Partitioner computes them. Throws std::invalid_argument when the
// vector has the wrong length or a count lies outside [1, V_l]; the budget is
// not checked.
PartitionCandidate replication_candidate(const workloads::Network& network,
                                         const arch::ArchConfig& arch,
                                         const std::vector<int>& replicas);

// ISAAC (Shafiee et al., ISCA 2016): layers are replicated so that every
// pipeline stage keeps pace with the last one ("for a balanced pipeline, we
// work our way back from the last layer"), OU-aware: with t_l the layer's
// compute time at degrees 1 (windows x input cycles x OU steps) and
// t_ref = min_l t_l,
//   r_l(T) = clamp(floor(t_l / T), 1, V_l)
// for the smallest target time T >= t_ref whose total demand fits
// `crossbars` (T = t_ref is the unscaled rule r_l = floor(t_l / t_ref)).
// Leftover crossbars stay unused, as in ISAAC. Throws std::invalid_argument
// naming the needed and available crossbars when one replica per layer does
// not fit.
PartitionCandidate isaac_replication(const workloads::Network& network,
                                     const arch::ArchConfig& arch, std::int64_t crossbars);

// HitM (Li, Wang, Chen, ICCAD 2020): minimises max_l stage_time(r_l) subject
// to sum_l crossbar_demand(r_l) <= crossbars over every integer r_l in
// [1, V_l], exactly; of the optima it returns the one with the fewest
// crossbars (unique: each layer's smallest r_l meeting the optimal stage
// time). Leftover crossbars stay unused. Throws as isaac_replication.
PartitionCandidate hitm_replication(const workloads::Network& network, const arch::ArchConfig& arch,
                                    std::int64_t crossbars);

}  // namespace reramsim::mapping
