// `reramsim run`: config + network -> quantized network and reference ->
// mapping plan -> per-PE programs -> elaborated chip -> simulation ->
// comparison and statistics.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include <systemc>
#include <tlm>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "reramsim/arch/arch_config.hpp"
#include "reramsim/hw/chip.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/mapping/mapper.hpp"
#include "reramsim/mapping/program.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/reference.hpp"
#include "reramsim/workloads/yaml_input.hpp"
#include "stats_json.hpp"

namespace reramsim::cli {

namespace {

// "all", or a comma-separated list of PE numbers and ranges ("0-3,7").
std::vector<int> parse_pe_list(const std::string& option, const std::string& text, int pes) {
  std::vector<int> list;
  if (text == "all") {
    for (int p = 0; p < pes; ++p) list.push_back(p);
    return list;
  }
  const auto bad = [&] {
    return UsageError("reramsim run: --" + option +
                      " expects 'all' or PE numbers and ranges in [0, " + std::to_string(pes - 1) +
                      "] like 0-3,7, got '" + text + "'");
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const std::size_t dash = item.find('-');
    try {
      std::size_t used = 0;
      const int first = std::stoi(item.substr(0, dash), &used);
      if (used != (dash == std::string::npos ? item.size() : dash)) throw bad();
      int last = first;
      if (dash != std::string::npos) {
        last = std::stoi(item.substr(dash + 1), &used);
        if (used != item.size() - dash - 1) throw bad();
      }
      if (first < 0 || last >= pes || first > last) throw bad();
      for (int p = first; p <= last; ++p) list.push_back(p);
    } catch (const std::logic_error&) {
      throw bad();
    }
    start = comma + 1;
  }
  return list;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  const Options options = parse_options("run", args,
                                        {"arch", "net", "stats", "vcd", "seed", "quantum-ns", "set",
                                         "fine-grained", "trace-pes", "mapper", "batch"});
  if (!options.positional.empty()) {
    throw UsageError("reramsim run: unexpected argument '" + options.positional.front() + "'");
  }
  if (!options.has("arch")) throw UsageError("reramsim run: missing --arch CONFIG.yaml");
  if (!options.has("net")) throw UsageError("reramsim run: missing --net NETWORK.yaml");
  const std::uint64_t seed =
      options.has("seed") ? parse_unsigned("run", "seed", options.get("seed")) : 1;
  const std::uint64_t quantum_ns =
      options.has("quantum-ns") ? parse_unsigned("run", "quantum-ns", options.get("quantum-ns"))
                                : 1000;
  if (quantum_ns == 0) throw UsageError("reramsim run: --quantum-ns must be at least 1");
  const std::string mapper = options.has("mapper") ? options.get("mapper") : "simple";
  const std::uint64_t batch =
      options.has("batch") ? parse_unsigned("run", "batch", options.get("batch")) : 1;
  if (batch == 0 || batch > 4096) throw UsageError("reramsim run: --batch expects 1..4096");
  check_mapper("run", mapper);
  const std::string stats_path = options.get("stats");
  const std::string vcd_path = options.get("vcd");
  if (!stats_path.empty()) check_writable("run", "stats", stats_path);
  if (!vcd_path.empty()) check_writable("run", "vcd", vcd_path);

  const auto wall_start = std::chrono::steady_clock::now();
  const arch::ArchConfig arch =
      arch::load_arch_config(options.get("arch"), options.overrides("run"));
  // An inference uses every NoC part: inputs and configuration down the fat
  // tree, layer data over the mesh, outputs up the collection tree.
  const std::pair<const char*, bool> parts[] = {
      {"noc.fat_tree.enabled", arch.noc.fat_tree.enabled},
      {"noc.mesh.enabled", arch.noc.mesh.enabled},
      {"noc.collection.enabled", arch.noc.collection.enabled}};
  for (const auto& [key, enabled] : parts) {
    if (!enabled) {
      throw workloads::InputError(arch.file + ": " + key +
                                  ": reramsim run needs it true (only reramsim noc studies one "
                                  "NoC part alone)");
    }
  }
  const workloads::Network network = workloads::load_network(options.get("net"));

  // Map first: a network that does not fit is refused before any work.
  const mapping::MappingPlan plan = mapping::map_network(network, arch, mapper).plan;

  // Values: seeded weights and input, the reference run (which calibrates the
  // requantization shifts the hardware then uses).
  workloads::QuantizationSpec spec;
  spec.weight_bits = arch.data.weight_bits;
  spec.activation_bits = arch.data.activation_bits;
  spec.seed = seed;
  spec.execute_batchnorm = arch.pe.execute_batchnorm;
  const auto reference_start = std::chrono::steady_clock::now();
  workloads::QuantizedNetwork qnet = workloads::quantize(network, spec);
  const std::vector<workloads::Tensor> reference = workloads::reference_forward(qnet, true);
  // Batch mode: images 1.. are inputs drawn with the following seeds, run
  // through the same weights and shifts; their network outputs are checked.
  std::vector<workloads::Tensor> images;
  std::vector<std::vector<workloads::Tensor>> image_references;
  if (batch > 1) {
    images.push_back(qnet.input);
    image_references.push_back(reference);
    for (std::uint64_t i = 1; i < batch; ++i) {
      workloads::QuantizationSpec image_spec = spec;
      image_spec.seed = seed + i;
      workloads::QuantizedNetwork other = qnet;
      other.input = workloads::quantize(network, image_spec).input;
      images.push_back(other.input);
      image_references.push_back(workloads::reference_forward(other, false));
    }
  }
  const auto reference_done = std::chrono::steady_clock::now();
  // A plan of several rounds has a set of programs per round.
  std::vector<std::vector<mapping::PeProgram>> programs =
      mapping::make_round_programs(network, arch, plan, qnet);

  noc::ActivityTrace trace;
  hw::RunContext context(arch, network, qnet, plan);
  context.images = std::move(images);
  if (!vcd_path.empty()) context.trace = &trace;
  if (options.has("trace-pes")) {
    if (vcd_path.empty()) throw UsageError("reramsim run: --trace-pes needs --vcd");
    context.traced_pes.assign(std::size_t(arch.chip.pes()), false);
    for (int pe : parse_pe_list("trace-pes", options.get("trace-pes"), arch.chip.pes())) {
      context.traced_pes[std::size_t(pe)] = true;
    }
  }

  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(double(quantum_ns), sc_core::SC_NS));
  hw::Chip chip("chip", context, std::move(programs));
  if (options.has("fine-grained")) {
    for (int pe : parse_pe_list("fine-grained", options.get("fine-grained"), arch.chip.pes())) {
      chip.pe(pe).set_fine_grained(true);
    }
  }
  try {
    if (isatty(STDERR_FILENO) == 0) {
      sc_core::sc_start();
    } else {
      // On a terminal, long runs report progress: the simulation advances in
      // slices of simulated time (the same events in the same order, so the
      // same results) and a line is redrawn between them.
      const sc_core::sc_time slice = context.period * 1e6;
      const auto begin = std::chrono::steady_clock::now();
      bool shown = false;
      // (Before the first slice nothing is pending yet: elaboration ends in it.)
      do {
        sc_core::sc_start(slice);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        if (wall < 1.0) continue;
        int started = 0;
        for (const auto& t : context.layer_timing) started += t.started ? 1 : 0;
        const std::int64_t cycle = context.cycles(sc_core::sc_time_stamp());
        std::cerr << "\rreramsim run: cycle " << cycle << ", layers started " << started << " of "
                  << network.layers.size() << ", " << std::fixed << std::setprecision(2)
                  << double(cycle) / wall / 1e6 << " M cycles/s   " << std::flush;
        shown = true;
      } while (!chip.dispatch_unit().finished() && sc_core::sc_pending_activity());
      if (shown) std::cerr << "\n";
    }
  } catch (const sc_core::sc_report& report) {
    std::cerr << "reramsim: simulation error: " << report.what() << "\n";
    return 3;
  }
  const auto wall_end = std::chrono::steady_clock::now();
  if (!chip.dispatch_unit().finished()) {
    std::cerr << "reramsim: simulation ended before the last layer completed (deadlock)\n";
    return 3;
  }

  // Every layer's output as the PEs computed it; the network outputs as they
  // arrived at the dispatch unit over the collection tree.
  std::vector<workloads::Tensor> outputs = context.observed;
  for (std::size_t l = 0; l < outputs.size(); ++l) {
    if (!chip.dispatch_unit().results()[l].data.empty()) {
      outputs[l] = chip.dispatch_unit().results()[l];
    }
  }
  FunctionalCheck check = compare_outputs(network, outputs, reference);
  // The other images: their network outputs against their references.
  for (std::size_t i = 1; i < image_references.size(); ++i) {
    const auto& got = chip.dispatch_unit().results(int(i));
    for (std::size_t l = 0; l < got.size(); ++l) {
      if (got[l].data.empty()) continue;  // not a network output
      const auto& want = image_references[i][l].data;
      for (std::size_t k = 0; k < want.size(); ++k) {
        ++check.compared;
        if (got[l].data[k] == want[k]) continue;
        ++check.mismatched;
        check.matches = false;
        if (check.first_mismatch_layer.empty()) {
          check.first_mismatch_layer = network.layers[l].name;
        }
      }
    }
  }
  const nlohmann::ordered_json stats = make_stats(context, chip, check, seed);
  if (!stats_path.empty()) {
    write_atomically(stats_path, [&](const std::string& tmp) {
      std::ofstream out(tmp);
      out << stats.dump(2) << "\n";
      if (!out) throw workloads::InputError(stats_path + ": cannot write the statistics file");
    });
  }
  if (!vcd_path.empty()) {
    write_atomically(vcd_path, [&](const std::string& tmp) {
      trace.write_vcd(tmp, std::int64_t(arch.cycle_ns() * 1000.0 + 0.5));
    });
  }

  const double wall_s = std::chrono::duration<double>(wall_end - wall_start).count();
  const double reference_s =
      std::chrono::duration<double>(reference_done - reference_start).count();
  print_summary(std::cout, stats, wall_s, reference_s);
  return check.matches ? 0 : 1;
}

}  // namespace reramsim::cli
