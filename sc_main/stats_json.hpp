// The statistics of a run as JSON (deterministic: the same inputs and seed
// give byte-identical output; nothing wall-clock is in it), and the summary
// printed at the end of a run.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "reramsim/hw/chip.hpp"

namespace reramsim::cli {

struct LayerError {
  std::int64_t mismatched = 0;
  std::int64_t max_abs_error = 0;
  double mean_abs_error = 0.0;
};

// Simulated against reference values: exact equality, and with a lossy ADC
// how far the values drift (per layer; errors compound through the network).
struct FunctionalCheck {
  bool matches = true;
  std::int64_t compared = 0;
  std::int64_t mismatched = 0;
  std::string first_mismatch_layer;  // empty when all match
  std::vector<LayerError> layers;    // parallel to the network's layers
};

// Compares every layer's simulated output with the reference.
FunctionalCheck compare_outputs(const workloads::Network& network,
                                const std::vector<workloads::Tensor>& simulated,
                                const std::vector<workloads::Tensor>& reference);

nlohmann::ordered_json make_stats(const hw::RunContext& context, hw::Chip& chip,
                                  const FunctionalCheck& check, std::uint64_t seed);

void print_summary(std::ostream& out, const nlohmann::ordered_json& stats, double wall_s,
                   double reference_s);

}  // namespace reramsim::cli
