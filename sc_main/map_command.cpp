// `reramsim map`: what a mapper makes of a network on a chip, without
// simulating: partition degrees and replicas per layer, crossbars and cells,
// crossbars shared between layers, the latency and traffic estimates.
#include <chrono>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/mapping/mapper.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::cli {

using nlohmann::ordered_json;

namespace {

// The report: deterministic (no wall time), so the same inputs give the
// same file.
ordered_json make_report(const arch::ArchConfig& arch, const workloads::Network& network,
                         const mapping::MapResult& mapped) {
  const mapping::MappingPlan& plan = mapped.plan;
  const mapping::PlanTraffic traffic = mapping::estimate_traffic(network, arch, plan);
  // (with rounds, a crossbar's cells count once per round it is programmed in)
  const std::int64_t used_capacity =
      mapping::programmed_crossbars(plan) * std::int64_t(arch.crossbar.rows) * arch.crossbar.cols;
  ordered_json j;
  j["tool"] = "reramsim";
  j["arch"] = {{"name", arch.name}, {"file", arch.file}};
  j["network"] = {{"name", network.name}, {"file", network.file}};
  j["mapper"] = plan.mapper;
  j["candidate"] = {{"index", mapped.candidate_index}, {"tried", mapped.candidates_tried}};
  j["rounds"] = plan.rounds;  // weights reprogrammed between rounds
  // No strategy of the mapper fit at once: map_simple's rounds, each round's
  // layers mapped by the mapper with the whole chip.
  j["rounds_fallback"] = mapped.rounds_fallback;
  j["crossbars"] = {{"chip", arch.total_crossbars()},
                    {"used", plan.crossbars_used},
                    {"shared_between_layers", plan.shared_crossbars}};
  j["pes"] = {{"chip", arch.chip.pes()}, {"used", plan.pes_used}};
  j["cells"] = {{"used", plan.cells_used},
                {"reference", plan.reference_cells},
                {"utilization_of_used_crossbars",
                 used_capacity > 0 ? double(plan.cells_used) / double(used_capacity) : 0.0}};
  j["estimated_latency_cycles"] = mapped.candidate.latency;
  j["estimated_traffic_bytes"] = {{"input", traffic.input_bytes},
                                  {"activations", traffic.activation_bytes},
                                  {"partial_sums", traffic.partial_sum_bytes},
                                  {"outputs", traffic.output_bytes},
                                  {"carried_partial_sums_each_way", traffic.carried_bytes},
                                  {"total", traffic.total()}};
  ordered_json layers = ordered_json::array();
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const auto& layer = network.layers[l];
    const auto& lp = plan.layers[l];
    const auto& d = mapped.candidate.degrees[l];
    ordered_json entry;
    entry["name"] = layer.name;
    entry["type"] = workloads::to_string(layer.type);
    entry["degrees"] = {{"hwm", d.hwm}, {"wwm", d.wwm}, {"iw", d.iw}, {"ib", d.ib}};
    entry["tiles"] = lp.tiles.size();
    entry["output_groups"] = lp.groups.size();
    // The rounds it runs in: one, or several for a layer larger than the chip.
    entry["rounds"] = {lp.first_round, lp.round};
    entry["pes"] = lp.pes;
    if (layer.has_weights() && !lp.tiles.empty()) {
      entry["estimated_cycles"] =
          mapping::layer_latency(mapping::lower_problem(layer, arch), d, arch).total;
    } else {
      entry["estimated_cycles"] = nullptr;
    }
    layers.push_back(entry);
  }
  j["layers"] = layers;
  return j;
}

}  // namespace

int map_command(const std::vector<std::string>& args) {
  const Options options = parse_options("map", args, {"arch", "net", "mapper", "report", "set"});
  if (!options.positional.empty()) {
    throw UsageError("reramsim map: unexpected argument '" + options.positional.front() + "'");
  }
  if (!options.has("arch")) throw UsageError("reramsim map: missing --arch CONFIG.yaml");
  if (!options.has("net")) throw UsageError("reramsim map: missing --net NETWORK.yaml");
  const std::string mapper = options.has("mapper") ? options.get("mapper") : "spatem";
  check_mapper("map", mapper);
  const std::string report_path = options.get("report");
  if (!report_path.empty()) check_writable("map", "report", report_path);

  const arch::ArchConfig arch =
      arch::load_arch_config(options.get("arch"), options.overrides("map"));
  const workloads::Network network = workloads::load_network(options.get("net"));
  const auto start = std::chrono::steady_clock::now();
  const mapping::MapResult mapped = mapping::map_network(network, arch, mapper);
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const ordered_json report = make_report(arch, network, mapped);
  if (!report_path.empty()) write_text_atomically(report_path, report.dump(2) + "\n");

  std::ostream& out = std::cout;
  out << "reramsim map: " << network.name << " on " << arch.name << " (mapper " << mapper << ")\n";
  out << std::left << std::setw(22) << "  layer" << std::setw(8) << "type" << std::right
      << std::setw(6) << "hwm" << std::setw(6) << "wwm" << std::setw(6) << "iw" << std::setw(5)
      << "ib" << std::setw(8) << "tiles" << std::setw(6) << "PEs" << std::setw(14) << "est_cycles"
      << "\n";
  for (const auto& l : report["layers"]) {
    out << "  " << std::left << std::setw(20) << l["name"].get<std::string>() << std::setw(8)
        << l["type"].get<std::string>() << std::right << std::setw(6)
        << l["degrees"]["hwm"].get<int>() << std::setw(6) << l["degrees"]["wwm"].get<int>()
        << std::setw(6) << l["degrees"]["iw"].get<int>() << std::setw(5)
        << l["degrees"]["ib"].get<int>() << std::setw(8) << l["tiles"].get<std::int64_t>()
        << std::setw(6) << l["pes"].size() << std::setw(14)
        << (l["estimated_cycles"].is_null()
                ? std::string("-")
                : std::to_string(l["estimated_cycles"].get<std::int64_t>()))
        << "\n";
  }
  const auto& c = report["crossbars"];
  out << "  crossbars      " << c["used"].get<std::int64_t>() << " of "
      << c["chip"].get<std::int64_t>() << " (" << c["shared_between_layers"].get<std::int64_t>()
      << " shared between layers) on " << report["pes"]["used"].get<int>() << " PEs; cells used "
      << report["cells"]["used"].get<std::int64_t>() << " (" << std::fixed << std::setprecision(1)
      << 100.0 * report["cells"]["utilization_of_used_crossbars"].get<double>()
      << "% of the used crossbars)\n";
  out << "  estimate       " << report["estimated_latency_cycles"].get<std::int64_t>()
      << " cycles, " << report["estimated_traffic_bytes"]["total"].get<std::int64_t>()
      << " bytes moved; " << report["rounds"].get<int>() << " round(s)"
      << (mapped.rounds_fallback ? " (nothing fits the chip at once; each round mapped on its own)"
                                 : "")
      << "\n";
  out << "  mapped in      " << std::setprecision(1) << wall_ms << " ms (candidate "
      << mapped.candidate_index << " of " << mapped.candidates_tried << " tried)\n";
  return 0;
}

}  // namespace reramsim::cli
