// The partitioning step's lowering and latency estimate (docs/mapping.md).
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/mapping/plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace reramsim::mapping {

using workloads::Layer;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Flits of a packet carrying `values` values of `bits` bits; packets are
// whole bytes, as the simulator sends them (docs/architecture.md, "NoC").
std::int64_t flits(std::int64_t values, int bits, int link_width_bits) {
  const std::int64_t bytes = ceil_div(values * bits, 8);
  return ceil_div(8 * bytes, link_width_bits);
}

void check(const MvmProblem& problem, const PartitionDegrees& d) {
  if (!is_valid(problem, d)) {
    throw std::invalid_argument(
        "partition degrees (hwm " + std::to_string(d.hwm) + ", wwm " + std::to_string(d.wwm) +
        ", iw " + std::to_string(d.iw) + ", ib " + std::to_string(d.ib) + ") outside [1, (" +
        std::to_string(problem.rows) + ", " + std::to_string(problem.cols) + ", " +
        std::to_string(problem.vectors) + ", " + std::to_string(problem.input_cycles) +
        ")] for layer " + std::to_string(problem.layer));
  }
}

}  // namespace

MvmProblem lower_problem(const Layer& layer, const arch::ArchConfig& arch) {
  if (!layer.has_weights()) {
    throw std::invalid_argument("lower_problem: layer '" + layer.name + "' has no weights");
  }
  const workloads::MatrixShape m = workloads::lower(layer);
  MvmProblem p;
  p.matrices = m.matrices;
  p.rows = m.rows;
  p.vectors = m.vectors;
  if (layer.pruned_outputs.empty()) {
    p.cols = m.cols;
  } else {
    // Only conv groups can keep different numbers of columns; local and fc
    // matrices all span every output channel, so matrix 0 stands for all.
    const std::int64_t distinct = layer.type == workloads::LayerType::conv ? m.matrices : 1;
    for (std::int64_t g = 0; g < distinct; ++g) {
      p.cols = std::max(p.cols, std::int64_t(workloads::kept_columns(layer, g).size()));
    }
  }
  p.input_cycles = arch.input_cycles();
  p.weight_columns = arch.weight_columns();
  p.reference_columns = arch.reference_columns();
  p.input_values = layer.in.elements();
  // As hw::Pe sends partial sums: operand bits plus ceil(log2 K) of growth.
  p.partial_sum_bits = partial_sum_bits(arch, p.rows);
  return p;
}

std::vector<MvmProblem> lower_network(const workloads::Network& network,
                                      const arch::ArchConfig& arch) {
  std::vector<MvmProblem> problems;
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    if (!network.layers[i].has_weights()) continue;
    MvmProblem p = lower_problem(network.layers[i], arch);
    p.layer = int(i);
    // A hand-built layer with every column pruned has nothing to map.
    if (p.cols > 0) problems.push_back(p);
  }
  return problems;
}

bool is_valid(const MvmProblem& problem, const PartitionDegrees& d) {
  return d.hwm >= 1 && d.hwm <= problem.rows && d.wwm >= 1 && d.wwm <= problem.cols && d.iw >= 1 &&
         d.iw <= problem.vectors && d.ib >= 1 && d.ib <= problem.input_cycles;
}

PartShape part_shape(const MvmProblem& problem, int hwm, int wwm, const arch::ArchConfig& arch) {
  const std::int64_t xbar_rows = arch.crossbar.rows;
  const std::int64_t per_row = arch.weights_per_row();
  PartShape s;
  s.part_rows = ceil_div(problem.rows, hwm);
  s.part_cols = ceil_div(problem.cols, wwm);
  s.row_pieces = hwm * ceil_div(s.part_rows, xbar_rows);
  s.crossbars = s.row_pieces * wwm * ceil_div(s.part_cols, per_row);
  s.group_cols = std::min(s.part_cols, per_row);
  // A part's crossbars run in parallel; its first tile is the largest in
  // both directions, so it sets the time (docs/hardware.md, "Crossbar timing").
  const std::int64_t tile_rows = std::min(s.part_rows, xbar_rows);
  const std::int64_t physical = s.group_cols * problem.weight_columns + problem.reference_columns;
  s.ou_steps =
      ceil_div(tile_rows, arch.crossbar.ou.rows) * ceil_div(physical, arch.crossbar.ou.cols);
  return s;
}

std::int64_t crossbar_demand(const MvmProblem& problem, const PartShape& shape, int iw, int ib) {
  return problem.matrices * iw * ib * shape.crossbars;
}

std::int64_t crossbar_demand(const MvmProblem& problem, const PartitionDegrees& degrees,
                             const arch::ArchConfig& arch) {
  check(problem, degrees);
  return crossbar_demand(problem, part_shape(problem, degrees.hwm, degrees.wwm, arch), degrees.iw,
                         degrees.ib);
}

LayerLatency layer_latency(const MvmProblem& problem, const PartShape& shape, int iw, int ib,
                           const arch::ArchConfig& arch) {
  const arch::LatencyConfig& lat = arch.latency;
  const int link_width = arch.noc.link_width_bits;
  LayerLatency t;
  t.windows = ceil_div(problem.vectors, iw);

  // The whole input goes down the fat tree once (a multicast reaches every
  // replica), so partitioning does not change it: zero-load latency of L
  // routers, L + 1 links and the flits behind the head.
  if (problem.input_values > 0) {
    const int levels = arch.noc.fat_tree.levels;
    t.input = std::int64_t(levels) * lat.router + std::int64_t(levels + 1) * lat.link +
              flits(problem.input_values, arch.data.activation_bits, link_width) - 1;
  }

  t.compute =
      t.windows * ceil_div(problem.input_cycles, ib) * shape.ou_steps * std::int64_t(lat.ou_step);

  // One reducer per output group (one crossbar's columns of one copy) merges
  // the row pieces of every bit-group replica; groups reduce in parallel.
  // The pieces of a group are taken to sit on consecutive crossbars, a PE's
  // worth per PE (as the simple mapper places them): each PE first adds its
  // own pieces, then the reducer receives one packet per other PE.
  const std::int64_t pieces = shape.row_pieces * ib;
  const std::int64_t per_pe = std::min<std::int64_t>(pieces, arch.pe.crossbars());
  const std::int64_t pes = ceil_div(pieces, per_pe);
  const std::int64_t values = t.windows * shape.group_cols;
  if (pes > 1) {
    // The other PEs' sums queue on the reducer's input link after one mesh
    // hop (two routers, one link).
    t.transfer = 2 * std::int64_t(lat.router) + lat.link - 1 +
                 (pes - 1) * flits(values, problem.partial_sum_bits, link_width);
  }
  // Per output value: per_pe - 1 local additions, pes - 1 at the reducer,
  // ib - 1 shifts aligning the bit groups, one requantization.
  const std::int64_t ops = values * ((per_pe - 1) + (pes - 1) + (ib - 1) + 1);
  t.reduce = ceil_div(ops, arch.pe.alu_lanes) * lat.alu_op;

  t.total = t.input + t.compute + t.transfer + t.reduce;
  t.fill = ceil_div(t.total, t.windows);
  return t;
}

LayerLatency layer_latency(const MvmProblem& problem, const PartitionDegrees& degrees,
                           const arch::ArchConfig& arch) {
  check(problem, degrees);
  return layer_latency(problem, part_shape(problem, degrees.hwm, degrees.wwm, arch), degrees.iw,
                       degrees.ib, arch);
}

std::int64_t pipelined_latency(const std::vector<LayerLatency>& layers) {
  std::int64_t fill = 0;
  std::int64_t steady = 0;
  for (const LayerLatency& l : layers) {
    fill += l.fill;
    steady = std::max(steady, l.total - l.fill);
  }
  return fill + steady;
}

}  // namespace reramsim::mapping
