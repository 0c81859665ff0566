// `reramsim noc`: synthetic traffic on one part of the NoC (docs/noc.md).
// Validates every option before simulating; writes the statistics (nothing
// wall-clock in them) atomically and prints a summary with the wall time.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include <systemc>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "reramsim/arch/arch_config.hpp"
#include "reramsim/noc/traffic.hpp"

namespace reramsim::cli {

namespace {

using nlohmann::ordered_json;

constexpr const char* kCommand = "noc";

std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t low,
                          std::uint64_t high) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-' || value < low || value > high) {
    throw UsageError("reramsim noc: --" + option + " expects an integer in [" +
                     std::to_string(low) + ", " + std::to_string(high) + "], got '" + text + "'");
  }
  return value;
}

double parse_rate(const std::string& text) {
  char* end = nullptr;
  const double value = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || value < 0.0 ||
      value > 1.0) {
    throw UsageError(
        "reramsim noc: --rate expects a number in [0, 1] (packets per node per cycle), got '" +
        text + "'");
  }
  return value;
}

noc::Network parse_network(const std::string& text) {
  if (text == "mesh") return noc::Network::mesh;
  if (text == "fattree") return noc::Network::fat_tree;
  if (text == "collection") return noc::Network::collection;
  throw UsageError("reramsim noc: --network expects mesh, fattree or collection, got '" + text +
                   "'");
}

noc::Pattern parse_pattern(const std::string& text) {
  for (noc::Pattern p : {noc::Pattern::uniform, noc::Pattern::transpose, noc::Pattern::hotspot,
                         noc::Pattern::broadcast, noc::Pattern::gather}) {
    if (text == noc::to_string(p)) return p;
  }
  throw UsageError(
      "reramsim noc: --pattern expects uniform, transpose, hotspot, broadcast or gather, got '" +
      text + "'");
}

ordered_json make_noc_stats(const arch::ArchConfig& arch, const noc::TrafficResult& r,
                            const std::string& network_option) {
  const noc::TrafficSpec& spec = r.spec;
  ordered_json j;
  j["tool"] = "reramsim";
  j["command"] = "noc";
  j["arch"] = {{"name", arch.name}, {"file", arch.file}};
  j["network"] = network_option;
  j["pattern"] = noc::to_string(spec.pattern);
  j["rate"] = spec.rate;
  j["packet_flits"] = spec.packet_flits;
  j["packet_bytes"] = std::int64_t(spec.packet_flits) * arch.noc.link_width_bits / 8;
  j["seed"] = spec.seed;
  j["clock_mhz"] = arch.chip.clock_mhz;
  j["cycles"] = spec.cycles;
  j["warmup_cycles"] = spec.warmup;
  j["measured_cycles"] = r.measured_cycles;
  j["sources"] = r.sources;
  j["offered"] = {{"packets", r.injected_packets},
                  {"packets_per_node_cycle", r.offered_packets()},
                  {"flits_per_node_cycle", r.offered_flits()}};
  j["accepted"] = {{"packets", r.delivered_packets},
                   {"packets_per_node_cycle", r.accepted_packets()},
                   {"flits_per_node_cycle", r.accepted_flits()}};
  j["latency_cycles"] = {{"average", r.average_latency()},
                         {"p99", r.stats.latency.percentile(0.99)},
                         {"max", r.stats.latency_max},
                         {"zero_load", r.bounds.computed ? ordered_json(r.bounds.zero_load_latency)
                                                         : ordered_json(nullptr)}};
  if (r.bounds.computed) {
    j["saturation_bound"] = {{"packets_per_node_cycle", r.bounds.saturation_rate},
                             {"flits_per_node_cycle", r.bounds.saturation_rate * spec.packet_flits},
                             {"busiest_link", r.bounds.busiest_link_name}};
  } else {
    j["saturation_bound"] = nullptr;
  }
  const noc::NetworkStats& s = r.stats;
  j["network_stats"] = {{"packets", s.packets},
                        {"deliveries", s.deliveries},
                        {"flits", s.flits},
                        {"bytes", s.bytes},
                        {"byte_hops", s.byte_hops},
                        {"link_flits", s.link_flits},
                        {"router_traversals", s.router_traversals},
                        {"wait_cycles", s.wait_cycles}};
  std::int64_t busy = 0;
  std::int64_t wait = 0;
  const noc::LinkReport* busiest = nullptr;
  ordered_json per_link = ordered_json::array();
  const double cycles = double(std::max<std::int64_t>(r.measured_cycles, 1));
  for (const auto& link : r.links) {
    busy += link.stats.busy_cycles;
    wait += link.stats.wait_cycles;
    // The first of the busiest links; none when nothing was carried.
    if (link.stats.busy_cycles > (busiest != nullptr ? busiest->stats.busy_cycles : 0)) {
      busiest = &link;
    }
    per_link.push_back({{"name", link.name},
                        {"packets", link.stats.packets},
                        {"flits", link.stats.flits},
                        {"busy_cycles", link.stats.busy_cycles},
                        {"wait_cycles", link.stats.wait_cycles},
                        {"utilization", double(link.stats.busy_cycles) / cycles}});
  }
  j["links"] = {
      {"count", r.links.size()},
      {"busy_cycles", busy},
      {"wait_cycles", wait},
      {"busiest", busiest != nullptr ? ordered_json(busiest->name) : ordered_json()},
      {"max_utilization", busiest != nullptr ? double(busiest->stats.busy_cycles) / cycles : 0.0},
      {"per_link", per_link}};
  j["all_cycles"] = {{"injected_packets", r.total_injected_packets},
                     {"deliveries", r.total_deliveries}};
  return j;
}

void print_summary(std::ostream& out, const ordered_json& j, double wall_s) {
  const auto& lat = j["latency_cycles"];
  const auto& links = j["links"];
  out << "reramsim noc: " << j["network"].get<std::string>() << ", "
      << j["pattern"].get<std::string>() << " traffic at " << j["rate"].get<double>()
      << " packets/node/cycle, " << j["packet_flits"].get<int>() << "-flit packets, on "
      << j["arch"]["name"].get<std::string>() << " (seed " << j["seed"].get<std::uint64_t>()
      << ")\n";
  out << "  cycles         " << j["cycles"].get<std::int64_t>() << " (warm-up "
      << j["warmup_cycles"].get<std::int64_t>() << ", measured "
      << j["measured_cycles"].get<std::int64_t>() << ") from " << j["sources"].get<int>()
      << " source(s)\n";
  out << std::fixed << std::setprecision(4);
  out << "  offered        " << j["offered"]["packets_per_node_cycle"].get<double>()
      << " packets/node/cycle = " << j["offered"]["flits_per_node_cycle"].get<double>()
      << " flits/node/cycle\n";
  out << "  accepted       " << j["accepted"]["packets_per_node_cycle"].get<double>()
      << " packets/node/cycle = " << j["accepted"]["flits_per_node_cycle"].get<double>()
      << " flits/node/cycle\n";
  out << std::setprecision(2);
  out << "  latency        average " << lat["average"].get<double>() << ", p99 "
      << lat["p99"].get<std::int64_t>() << ", max " << lat["max"].get<std::int64_t>() << " cycles";
  if (!lat["zero_load"].is_null()) out << " (zero-load " << lat["zero_load"].get<double>() << ")";
  out << "\n";
  if (!links["busiest"].is_null()) {
    out << "  links          busiest " << links["busiest"].get<std::string>() << " "
        << 100.0 * links["max_utilization"].get<double>() << "% busy; "
        << links["wait_cycles"].get<std::int64_t>() << " wait cycles in all\n";
  }
  if (!j["saturation_bound"].is_null()) {
    out << std::setprecision(4) << "  bound          saturation at "
        << j["saturation_bound"]["packets_per_node_cycle"].get<double>()
        << " packets/node/cycle = " << j["saturation_bound"]["flits_per_node_cycle"].get<double>()
        << " flits/node/cycle (busiest link "
        << j["saturation_bound"]["busiest_link"].get<std::string>() << ")\n";
  }
  const double cycles = double(j["cycles"].get<std::int64_t>());
  const double flits =
      double(j["all_cycles"]["deliveries"].get<std::int64_t>()) * j["packet_flits"].get<int>();
  out << std::setprecision(3) << "  wall time      " << wall_s << " s = " << 1e6 * wall_s / cycles
      << " us per simulated cycle";
  if (flits > 0) out << ", " << 1e6 * wall_s / flits << " us per delivered flit";
  out << "\n";
}

}  // namespace

int noc_command(const std::vector<std::string>& args) {
  const Options options = parse_options(kCommand, args,
                                        {"arch", "network", "pattern", "rate", "cycles", "seed",
                                         "stats", "warmup", "packet-flits", "set"});
  if (!options.positional.empty()) {
    throw UsageError("reramsim noc: unexpected argument '" + options.positional.front() + "'");
  }
  if (!options.has("arch")) throw UsageError("reramsim noc: missing --arch CONFIG.yaml");
  if (!options.has("network")) {
    throw UsageError("reramsim noc: missing --network mesh|fattree|collection");
  }
  if (!options.has("pattern")) {
    throw UsageError("reramsim noc: missing --pattern uniform|transpose|hotspot|broadcast|gather");
  }
  if (!options.has("rate")) throw UsageError("reramsim noc: missing --rate R");
  if (!options.has("cycles")) throw UsageError("reramsim noc: missing --cycles N");

  noc::TrafficSpec spec;
  spec.network = parse_network(options.get("network"));
  spec.pattern = parse_pattern(options.get("pattern"));
  spec.rate = parse_rate(options.get("rate"));
  // A billion cycles keeps every simulated time inside SystemC's 64-bit
  // picosecond clock even at a 1 kHz chip clock.
  spec.cycles = std::int64_t(parse_count("cycles", options.get("cycles"), 1, 1000000000));
  spec.warmup = options.has("warmup")
                    ? std::int64_t(parse_count("warmup", options.get("warmup"), 0, 1000000000))
                    : spec.cycles / 10;
  if (spec.warmup >= spec.cycles) {
    throw UsageError("reramsim noc: --warmup (" + std::to_string(spec.warmup) +
                     ") must be less than --cycles (" + std::to_string(spec.cycles) + ")");
  }
  spec.packet_flits =
      options.has("packet-flits")
          ? int(parse_count("packet-flits", options.get("packet-flits"), 1, 1000000))
          : 8;
  spec.seed =
      options.has("seed") ? parse_count("seed", options.get("seed"), 0, ~std::uint64_t(0)) : 1;
  const std::string stats_path = options.get("stats");
  if (!stats_path.empty()) check_writable("noc", "stats", stats_path);

  const arch::ArchConfig arch =
      arch::load_arch_config(options.get("arch"), options.overrides(kCommand));
  const std::string problem = noc::check_traffic(arch, spec);
  if (!problem.empty()) throw UsageError("reramsim noc: " + problem);

  const auto wall_start = std::chrono::steady_clock::now();
  noc::TrafficResult result;
  try {
    result = noc::run_traffic(arch, spec);
  } catch (const sc_core::sc_report& report) {
    std::cerr << "reramsim: simulation error: " << report.what() << "\n";
    return 3;
  }
  const auto wall_end = std::chrono::steady_clock::now();

  const ordered_json stats = make_noc_stats(arch, result, options.get("network"));
  if (!stats_path.empty()) write_text_atomically(stats_path, stats.dump(2) + "\n");
  print_summary(std::cout, stats, std::chrono::duration<double>(wall_end - wall_start).count());
  return 0;
}

}  // namespace reramsim::cli
