// SPATEM's partitioning step, part 1 (000_95e50d1ef642925c.txt, "Partitioning
// Step"): each weighted layer lowered to a matrix-vector-multiply problem, and
// the inference-latency estimation model as a function of the partition
// degrees along SPATEM's four dimensions. SystemC-free; every formula is in
// docs/mapping.md.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::mapping {

// The MVM problem a conv, fc or locally connected layer lowers to, in the
// units of the PE model (arch::ArchConfig).
struct MvmProblem {
  int layer = 0;                  // index in Network::layers (set by lower_network)
  std::int64_t matrices = 0;      // independent weight matrices (G, E*F or 1)
  std::int64_t rows = 0;          // K = R*S*C/G (conv), R*S*C (local), N_in (fc)
  std::int64_t cols = 0;          // N: kept weight columns, the most any matrix keeps
  std::int64_t vectors = 0;       // V: input vectors per matrix (E*F for conv, else 1)
  int input_cycles = 0;           // Kin = ceil(activation_bits / dac_bits)
  int weight_columns = 0;         // physical columns per weight column (slices, sign scheme)
  int reference_columns = 0;      // physical columns per crossbar for the sign scheme
  std::int64_t input_values = 0;  // values of the layer's input tensor
  int partial_sum_bits = 0;       // on the wire: weight + activation bits + ceil(log2 K)
};

// Throws std::invalid_argument for a layer without weights.
MvmProblem lower_problem(const workloads::Layer& layer, const arch::ArchConfig& arch);
// The problems of the network's weighted layers with at least one kept
// column, in network order.
std::vector<MvmProblem> lower_network(const workloads::Network& network,
                                      const arch::ArchConfig& arch);

// SPATEM's partition degrees: hwm parts along the weight-matrix rows, wwm
// along its weight columns, iw weight replicas sharing the input windows, ib
// replicas sharing the input cycles (bit-level parallelism).
struct PartitionDegrees {
  int hwm = 1;
  int wwm = 1;
  int iw = 1;
  int ib = 1;
  bool operator==(const PartitionDegrees& o) const {
    return hwm == o.hwm && wwm == o.wwm && iw == o.iw && ib == o.ib;
  }
  bool operator!=(const PartitionDegrees& o) const { return !(*this == o); }
};

// Every degree within [1, the size of its dimension]: hwm <= K, wwm <= N,
// iw <= V, ib <= Kin.
bool is_valid(const MvmProblem& problem, const PartitionDegrees& degrees);

// One copy of one weight matrix split hwm x wwm into parts of at most
// ceil(K/hwm) rows and ceil(N/wwm) weight columns, each part cut into
// crossbar tiles. Depends only on (hwm, wwm), so the partitioner computes it
// once for all (iw, ib).
struct PartShape {
  std::int64_t part_rows = 0;   // ceil(K / hwm)
  std::int64_t part_cols = 0;   // ceil(N / wwm)
  std::int64_t crossbars = 0;   // per copy: hwm*ceil(part_rows/xbar_rows) * wwm*ceil(part_cols/wpr)
  std::int64_t row_pieces = 0;  // partial sums per output value: hwm*ceil(part_rows/xbar_rows)
  std::int64_t group_cols = 0;  // weight columns of the widest crossbar: min(part_cols, wpr)
  std::int64_t ou_steps = 0;    // per input cycle, of the largest crossbar of a part
};
PartShape part_shape(const MvmProblem& problem, int hwm, int wwm, const arch::ArchConfig& arch);

// Crossbars a layer needs: matrices x iw x ib x crossbars of one copy.
std::int64_t crossbar_demand(const MvmProblem& problem, const PartShape& shape, int iw, int ib);
// Checks the degrees (std::invalid_argument when !is_valid).
std::int64_t crossbar_demand(const MvmProblem& problem, const PartitionDegrees& degrees,
                             const arch::ArchConfig& arch);

// One layer's estimated latency in cycles, by component (docs/mapping.md).
struct LayerLatency {
  std::int64_t windows = 0;   // ceil(V / iw): vectors one replica runs one after another
  std::int64_t input = 0;     // distributing the layer's input down the fat tree
  std::int64_t compute = 0;   // crossbars (the simulator's crossbar time for degrees 1)
  std::int64_t transfer = 0;  // partial sums to the reducer over the NoC
  std::int64_t reduce = 0;    // partial-sum additions and bit-group shifts on the ALU
  std::int64_t total = 0;     // input + compute + transfer + reduce
  std::int64_t fill = 0;      // ceil(total / windows): one window's share, the pipeline fill
};
LayerLatency layer_latency(const MvmProblem& problem, const PartShape& shape, int iw, int ib,
                           const arch::ArchConfig& arch);
// Checks the degrees (std::invalid_argument when !is_valid).
LayerLatency layer_latency(const MvmProblem& problem, const PartitionDegrees& degrees,
                           const arch::ArchConfig& arch);

// Layers pipelined at input-window granularity: the first window passes
// through every layer, then the slowest stage finishes its remaining windows:
// sum_l fill_l + max_l (total_l - fill_l). 0 for no layers.
std::int64_t pipelined_latency(const std::vector<LayerLatency>& layers);

}  // namespace reramsim::mapping
