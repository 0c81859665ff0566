// `reramsim validate` and `reramsim info`: check inputs and show what they
// derive to, without simulating.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::cli {

namespace {

std::string shape_text(const workloads::Shape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c);
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

int validate_command(const std::vector<std::string>& args) {
  const Options options = parse_options("validate", args, {});
  if (options.positional.empty()) throw UsageError("reramsim validate: expected one or more files");
  int failures = 0;
  for (const std::string& path : options.positional) {
    try {
      // A network file has `layers`; anything else is taken as a config.
      const YAML::Node root = workloads::load_yaml_file(path);
      if (root["layers"]) {
        const workloads::Network net = workloads::load_network(path);
        std::cout << path << ": ok (network " << net.name << ", " << net.layers.size()
                  << " layers, " << net.total_weights() << " weights, " << net.total_macs()
                  << " MACs)\n";
      } else {
        const arch::ArchConfig arch = arch::load_arch_config(path);
        std::cout << path << ": ok (architecture " << arch.name << ", " << arch.chip.pes()
                  << " PEs, " << arch.total_crossbars() << " crossbars)\n";
      }
    } catch (const workloads::InputError& e) {
      std::cerr << "reramsim: " << e.what() << "\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 2;
}

int info_command(const std::vector<std::string>& args) {
  const Options options = parse_options("info", args, {"arch", "net"});
  if (!options.positional.empty()) {
    throw UsageError("reramsim info: unexpected argument '" + options.positional.front() + "'");
  }
  if (!options.has("arch")) throw UsageError("reramsim info: missing --arch CONFIG.yaml");
  const arch::ArchConfig arch = arch::load_arch_config(options.get("arch"));
  std::ostream& out = std::cout;
  const std::int64_t tile_cols = arch.weights_per_row();
  out << "architecture " << arch.name << " (" << arch.file << ")\n"
      << "  PEs              " << arch.chip.pe_x << " x " << arch.chip.pe_y << " = "
      << arch.chip.pes() << " (groups of " << arch.chip.pes_per_group << ")\n"
      << "  crossbars        " << arch.total_crossbars() << " = " << arch.chip.pes() << " PEs x "
      << arch.pe.cus << " CUs x " << arch.pe.crossbars_per_cu << ", each " << arch.crossbar.rows
      << " x " << arch.crossbar.cols << " cells of " << arch.crossbar.cell_bits << " bits\n"
      << "  cells            " << arch.total_cells() << "\n"
      << "  weights          " << arch.data.weight_bits << "-bit in " << arch.weight_columns()
      << " column(s) ("
      << (arch.crossbar.sign_scheme == arch::SignScheme::offset ? "offset, +1 reference column"
                                                                : "differential pairs")
      << "): a crossbar holds " << arch.crossbar.rows << " x " << tile_cols << " weights; capacity "
      << arch.total_crossbars() * arch.crossbar.rows * tile_cols << "\n"
      << "  activations      " << arch.data.activation_bits << "-bit through a "
      << arch.crossbar.dac_bits << "-bit DAC: " << arch.input_cycles() << " input cycles\n"
      << "  OU               " << arch.crossbar.ou.rows << " x " << arch.crossbar.ou.cols << ", "
      << arch.latency.ou_step << " cycle(s) per step; a full crossbar takes "
      << ceil_div(arch.crossbar.rows, arch.crossbar.ou.rows) *
             ceil_div(arch.crossbar.cols, arch.crossbar.ou.cols)
      << " OU steps per input cycle\n"
      << "  clock            " << arch.chip.clock_mhz << " MHz\n";
  if (!options.has("net")) return 0;

  const workloads::Network net = workloads::load_network(options.get("net"));
  out << "\nnetwork " << net.name << " (" << net.file << "), input " << shape_text(net.input)
      << "\n";
  out << std::left << std::setw(22) << "  layer" << std::setw(8) << "type" << std::setw(14) << "in"
      << std::setw(14) << "out" << std::right << std::setw(12) << "weights" << std::setw(14)
      << "MACs"
      << "  matrices x rows x cols (vectors)  crossbars\n";
  std::int64_t crossbars = 0;
  for (const auto& layer : net.layers) {
    const workloads::Shape in =
        layer.inputs.empty() ? net.input : net.shape_of(layer.inputs.front());
    out << "  " << std::left << std::setw(20) << layer.name << std::setw(8)
        << workloads::to_string(layer.type) << std::setw(14) << shape_text(in) << std::setw(14)
        << shape_text(layer.out) << std::right << std::setw(12) << layer.weights() << std::setw(14)
        << layer.macs();
    if (layer.has_weights()) {
      const workloads::MatrixShape m = workloads::lower(layer);
      const std::int64_t needed =
          m.matrices * ceil_div(m.rows, arch.crossbar.rows) * ceil_div(m.cols, tile_cols);
      crossbars += needed;
      std::ostringstream matrix;
      matrix << m.matrices << " x " << m.rows << " x " << m.cols << " (" << m.vectors << ")";
      out << "  " << std::left << std::setw(33) << matrix.str() << std::right << std::setw(9)
          << needed;
    }
    out << "\n";
  }
  out << "  total: " << net.total_weights() << " weights, " << net.total_macs() << " MACs, "
      << crossbars << " crossbars without replication (chip has " << arch.total_crossbars()
      << ")\n";
  return 0;
}

}  // namespace reramsim::cli
