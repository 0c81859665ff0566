// Shared set-up for the SystemC unit tests: an architecture loaded from
// configs/tiny.yaml (then adjusted per test) and an otherwise empty run
// context, so one module can be elaborated alone.
#pragma once

#include <memory>
#include <string>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/hw/run_context.hpp"

namespace reramsim::test {

inline arch::ArchConfig tiny_arch() {
  return arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/tiny.yaml");
}

// Owns the empty inputs a RunContext refers to.
struct EmptyRun {
  workloads::Network network;
  workloads::QuantizedNetwork qnet;
  mapping::MappingPlan plan;
  std::unique_ptr<hw::RunContext> context;
  explicit EmptyRun(const arch::ArchConfig& arch) {
    qnet.network = &network;
    context = std::make_unique<hw::RunContext>(arch, network, qnet, plan);
  }
};

}  // namespace reramsim::test
