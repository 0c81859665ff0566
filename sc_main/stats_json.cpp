#include "stats_json.hpp"

#include <algorithm>
#include <iomanip>

namespace reramsim::cli {

using nlohmann::ordered_json;

FunctionalCheck compare_outputs(const workloads::Network& network,
                                const std::vector<workloads::Tensor>& simulated,
                                const std::vector<workloads::Tensor>& reference) {
  FunctionalCheck check;
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const auto& a = simulated[l].data;
    const auto& b = reference[l].data;
    LayerError error;
    if (a.size() != b.size()) {
      error.mismatched = std::int64_t(std::max(a.size(), b.size()));
    } else {
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::int64_t diff = std::llabs(std::int64_t(a[i]) - std::int64_t(b[i]));
        error.mismatched += diff != 0;
        error.max_abs_error = std::max(error.max_abs_error, diff);
        sum += diff;
      }
      error.mean_abs_error = b.empty() ? 0.0 : double(sum) / double(b.size());
    }
    check.compared += std::int64_t(b.size());
    check.mismatched += error.mismatched;
    if (error.mismatched > 0 && check.first_mismatch_layer.empty()) {
      check.first_mismatch_layer = network.layers[l].name;
    }
    check.layers.push_back(error);
  }
  check.matches = check.mismatched == 0;
  return check;
}

namespace {

ordered_json network_stats(const arch::ArchConfig& arch, const noc::Noc& noc,
                           noc::Network network) {
  const noc::NetworkStats& s = noc.stats(network);
  ordered_json j;
  j["packets"] = s.packets;
  j["deliveries"] = s.deliveries;
  j["flits"] = s.flits;
  j["bytes"] = s.bytes;
  j["byte_hops"] = s.byte_hops;
  j["link_flits"] = s.link_flits;
  j["router_traversals"] = s.router_traversals;
  j["wait_cycles"] = s.wait_cycles;
  j["average_latency_cycles"] =
      s.deliveries > 0 ? double(s.latency_sum) / double(s.deliveries) : 0.0;
  j["max_latency_cycles"] = s.latency_max;
  j["p99_latency_cycles"] = s.latency.percentile(0.99);
  // A compact per-link summary (the per-link arrays are in `reramsim noc`'s
  // statistics): total occupancy and the busiest link.
  std::int64_t busy = 0;
  std::size_t busiest = 0;
  for (std::size_t id = 0; id < s.links.size(); ++id) {
    busy += s.links[id].busy_cycles;
    if (s.links[id].busy_cycles > s.links[busiest].busy_cycles) busiest = id;
  }
  j["link_busy_cycles"] = busy;
  if (busy > 0) {
    j["busiest_link"] = {{"name", noc::link_name(arch, noc.topology(), network, int(busiest))},
                         {"busy_cycles", s.links[busiest].busy_cycles},
                         {"wait_cycles", s.links[busiest].wait_cycles}};
  } else {
    j["busiest_link"] = nullptr;
  }
  return j;
}

}  // namespace

ordered_json make_stats(const hw::RunContext& context, hw::Chip& chip, const FunctionalCheck& check,
                        std::uint64_t seed) {
  const auto& arch = context.arch;
  const auto& network = context.network;
  const auto& plan = context.plan;
  const auto& dispatch = chip.dispatch_unit();
  ordered_json j;
  j["tool"] = "reramsim";
  j["arch"] = {{"name", arch.name}, {"file", arch.file}};
  j["network"] = {{"name", network.name}, {"file", network.file}};
  j["mapper"] = plan.mapper;
  j["seed"] = seed;
  j["clock_mhz"] = arch.chip.clock_mhz;

  // Inference: from the first input row (every PE configured) to the last output.
  const std::int64_t latency = dispatch.finish_cycle() - dispatch.configured_cycle();
  j["latency_cycles"] = latency;
  j["latency_ns"] = double(latency) * arch.cycle_ns();

  // Configuration before inference, simulated: weight tiles, instruction
  // LUTs and descriptor tables down the fat tree, crossbar rows written,
  // every PE's acknowledgement back (C.wload, C.ifetch, C.dload).
  // (over every round's programs)
  const std::int64_t instructions = dispatch.instructions_loaded();
  const std::int64_t descriptors = dispatch.descriptors_loaded();
  j["programming"] = {{"weight_rows_written", context.counts.weight_rows_written},
                      {"cycles", dispatch.configured_cycle()},
                      {"rounds", plan.rounds},
                      {"reprogramming_cycles", dispatch.reprogramming_cycles()},
                      {"reprogramming_bytes", dispatch.reprogramming_bytes()},
                      {"instructions", instructions},
                      {"descriptor_entries", descriptors}};

  // (with rounds, a crossbar's cells count once per round it is programmed in)
  const std::int64_t used_capacity =
      mapping::programmed_crossbars(plan) * std::int64_t(arch.crossbar.rows) * arch.crossbar.cols;
  j["resources"] = {{"pes", arch.chip.pes()},
                    {"pes_used", plan.pes_used},
                    {"crossbars", arch.total_crossbars()},
                    {"crossbars_used", plan.crossbars_used},
                    {"cells", arch.total_cells()},
                    {"cells_used", plan.cells_used},
                    {"reference_cells", plan.reference_cells},
                    {"cell_utilization_of_used_crossbars",
                     used_capacity > 0 ? double(plan.cells_used) / double(used_capacity) : 0.0}};

  // Batch mode (Fig. 21 of 001): images pipelined through the chip.
  {
    const auto& done = dispatch.image_done_cycles();
    ordered_json b;
    b["images"] = context.batch();
    b["cycles_per_image"] = double(latency) / double(context.batch());
    ordered_json finished = ordered_json::array();
    for (std::int64_t c : done) finished.push_back(c - dispatch.configured_cycle());
    b["image_done_cycles"] = finished;
    j["batch"] = b;
  }
  // SPATEM's computation parallelism: crossbars busy at once, on average
  // over the inference (every crossbar's MVM cycles over the latency).
  std::int64_t array_cycles = 0;
  for (std::int64_t c : context.layer_array_cycles) array_cycles += c;
  j["computation_parallelism"] = latency > 0 ? double(array_cycles) / double(latency) : 0.0;

  ordered_json layers = ordered_json::array();
  const auto& timing = context.layer_timing;
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const auto& layer = network.layers[l];
    ordered_json entry;
    entry["name"] = layer.name;
    entry["type"] = workloads::to_string(layer.type);
    // Cycles of inference, counted from its start as latency_cycles is.
    entry["start_cycle"] = timing[l].start_cycle - dispatch.configured_cycle();
    entry["end_cycle"] = timing[l].end_cycle - dispatch.configured_cycle();
    entry["cycles"] = timing[l].end_cycle - timing[l].start_cycle;
    entry["weights"] = layer.weights();
    entry["macs"] = layer.macs();
    entry["crossbars"] = plan.layers[l].tiles.size();
    entry["array_cycles"] = context.layer_array_cycles[l];
    entry["mismatched_values"] = check.layers[l].mismatched;
    entry["max_abs_error"] = check.layers[l].max_abs_error;
    entry["mean_abs_error"] = check.layers[l].mean_abs_error;
    layers.push_back(entry);
  }
  j["layers"] = layers;

  ordered_json noc_json;
  std::int64_t bytes = 0;
  std::int64_t byte_hops = 0;
  std::int64_t router_traversals = 0;
  std::int64_t link_flits = 0;
  ordered_json per_network;
  for (int n = 0; n < noc::kNetworks; ++n) {
    const auto& s = chip.noc().stats(noc::Network(n));
    bytes += s.bytes;
    byte_hops += s.byte_hops;
    router_traversals += s.router_traversals;
    link_flits += s.link_flits;
    per_network[noc::to_string(noc::Network(n))] = network_stats(arch, chip.noc(), noc::Network(n));
  }
  noc_json["bytes"] = bytes;
  noc_json["byte_hops"] = byte_hops;
  noc_json["networks"] = per_network;
  j["noc"] = noc_json;

  const auto& c = context.counts;
  j["actions"] = {{"crossbar_mvms", c.crossbar_mvms},
                  {"macs", c.macs},
                  {"ou_activations", c.ou_activations},
                  {"adc_conversions", c.adc_conversions},
                  {"adc_lossy_conversions", c.adc_lossy_conversions},
                  {"dac_inputs", c.dac_inputs},
                  {"buffer_reads", c.buffer_reads},
                  {"buffer_writes", c.buffer_writes},
                  {"global_buffer_reads", c.global_buffer_reads},
                  {"global_buffer_writes", c.global_buffer_writes},
                  {"alu_ops", c.alu_ops},
                  {"sfu_ops", c.sfu_ops},
                  {"router_traversals", router_traversals},
                  {"link_flits", link_flits},
                  {"weight_rows_written", c.weight_rows_written}};

  ordered_json busy = ordered_json::array();
  ordered_json crossbar_busy = ordered_json::array();
  ordered_json alu_busy = ordered_json::array();
  for (int p = 0; p < chip.pes(); ++p) {
    busy.push_back(chip.pe(p).busy_cycles());
    crossbar_busy.push_back(chip.pe(p).crossbar_busy_cycles());
    alu_busy.push_back(chip.pe(p).alu_busy_cycles());
  }
  j["pe_busy_cycles"] = busy;
  j["pe_crossbar_busy_cycles"] = crossbar_busy;
  j["pe_alu_busy_cycles"] = alu_busy;

  j["functional"] = {{"matches_reference", check.matches},
                     {"compared_values", check.compared},
                     {"mismatched_values", check.mismatched},
                     {"output_max_abs_error", check.layers.back().max_abs_error},
                     {"output_mean_abs_error", check.layers.back().mean_abs_error},
                     {"first_mismatch_layer", check.first_mismatch_layer.empty()
                                                  ? ordered_json(nullptr)
                                                  : ordered_json(check.first_mismatch_layer)}};
  return j;
}

void print_summary(std::ostream& out, const ordered_json& stats, double wall_s,
                   double reference_s) {
  const auto& res = stats["resources"];
  const auto& noc_json = stats["noc"];
  out << "reramsim run: " << stats["network"]["name"].get<std::string>() << " on "
      << stats["arch"]["name"].get<std::string>() << " (mapper "
      << stats["mapper"].get<std::string>() << ", seed " << stats["seed"].get<std::uint64_t>()
      << ")\n";
  out << std::fixed << std::setprecision(3);
  out << "  latency        " << stats["latency_cycles"].get<std::int64_t>()
      << " cycles = " << stats["latency_ns"].get<double>() / 1000.0 << " us\n";
  out << "  crossbars      " << res["crossbars_used"].get<std::int64_t>() << " of "
      << res["crossbars"].get<std::int64_t>() << " on " << res["pes_used"].get<int>() << " of "
      << res["pes"].get<int>() << " PEs; cells used " << res["cells_used"].get<std::int64_t>()
      << " (" << 100.0 * res["cell_utilization_of_used_crossbars"].get<double>()
      << "% of the used crossbars)\n";
  out << "  NoC            " << noc_json["bytes"].get<std::int64_t>() << " bytes, "
      << noc_json["byte_hops"].get<std::int64_t>() << " byte-hops";
  for (const auto& [name, s] : noc_json["networks"].items()) {
    out << "; " << name << " " << s["bytes"].get<std::int64_t>() << " B";
  }
  out << "\n";
  out << "  actions        " << stats["actions"]["macs"].get<std::int64_t>() << " MACs, "
      << stats["actions"]["ou_activations"].get<std::int64_t>() << " OU activations, "
      << stats["actions"]["adc_conversions"].get<std::int64_t>() << " ADC conversions\n";
  const auto& f = stats["functional"];
  out << "  functional     "
      << (f["matches_reference"].get<bool>()
              ? "matches the reference"
              : "DIFFERS from the reference (first in layer " +
                    f["first_mismatch_layer"].get<std::string>() + ")")
      << " (" << f["compared_values"].get<std::int64_t>() << " values, "
      << f["mismatched_values"].get<std::int64_t>() << " differ";
  if (!f["matches_reference"].get<bool>()) {
    out << "; output error max " << f["output_max_abs_error"].get<std::int64_t>() << ", mean "
        << std::setprecision(3) << f["output_mean_abs_error"].get<double>();
  }
  out << ")\n";
  out << "  wall time      " << std::setprecision(2) << wall_s << " s (reference " << reference_s
      << " s)\n";
}

}  // namespace reramsim::cli
