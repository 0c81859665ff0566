// Shipped configs and networks by name, for the mapping tests.
#pragma once

#include <cstdint>
#include <string>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::test {

inline arch::ArchConfig config(const std::string& name) {
  return arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/" + name + ".yaml");
}

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

inline workloads::Network net(const std::string& name) {
  return workloads::load_network(std::string(RERAMSIM_SOURCE_DIR) + "/workloads/networks/" + name +
                                 ".yaml");
}

}  // namespace reramsim::test
