#include "reramsim/noc/traffic.hpp"

#include <algorithm>

#include "reramsim/noc/topology.hpp"

namespace reramsim::noc {

const char* to_string(Pattern pattern) {
  switch (pattern) {
    case Pattern::uniform:
      return "uniform";
    case Pattern::transpose:
      return "transpose";
    case Pattern::hotspot:
      return "hotspot";
    case Pattern::broadcast:
      return "broadcast";
    case Pattern::gather:
      return "gather";
  }
  return "?";
}

namespace {

// The names the command line uses (docs/noc.md).
const char* option_name(Network network) {
  switch (network) {
    case Network::fat_tree:
      return "fattree";
    case Network::mesh:
      return "mesh";
    case Network::collection:
      return "collection";
  }
  return "?";
}

std::string file_of(const arch::ArchConfig& arch) {
  return arch.file.empty() ? arch.name : arch.file;
}

// One kind of packet a source sends, with its probability per injection.
struct Choice {
  std::vector<int> dsts;
  double probability = 0.0;
};

// The pattern's destination distribution for a packet from `src`.
std::vector<Choice> choices_of(const arch::ArchConfig& arch, const TrafficSpec& spec, int src) {
  const int pes = arch.chip.pes();
  std::vector<Choice> choices;
  const auto uniform = [&](double weight, bool exclude_src) {
    const int count = exclude_src ? pes - 1 : pes;
    for (int d = 0; d < pes; ++d) {
      if (exclude_src && d == src) continue;
      choices.push_back({{d}, weight / count});
    }
  };
  switch (spec.pattern) {
    case Pattern::uniform:
      uniform(1.0, spec.network == Network::mesh);
      break;
    case Pattern::transpose:
      choices.push_back({{(src % arch.chip.pe_x) * arch.chip.pe_x + src / arch.chip.pe_x}, 1.0});
      break;
    case Pattern::hotspot: {
      const bool exclude_src = spec.network == Network::mesh;
      const int hot = hotspot_pe(arch);
      if (exclude_src && src == hot) {
        uniform(1.0, true);
      } else {
        uniform(0.5, exclude_src);
        for (auto& c : choices) {
          if (c.dsts.front() == hot) c.probability += 0.5;
        }
      }
      break;
    }
    case Pattern::broadcast: {
      Choice all;
      for (int d = 0; d < pes; ++d) all.dsts.push_back(d);
      all.probability = 1.0;
      choices.push_back(all);
      break;
    }
    case Pattern::gather:
      choices.push_back({{pes}, 1.0});
      break;
  }
  return choices;
}

}  // namespace

int hotspot_pe(const arch::ArchConfig& arch) {
  return (arch.chip.pe_y / 2) * arch.chip.pe_x + arch.chip.pe_x / 2;
}

std::string check_traffic(const arch::ArchConfig& arch, const TrafficSpec& spec) {
  const std::string network = std::string("--network ") + option_name(spec.network);
  switch (spec.network) {
    case Network::mesh:
      if (!arch.noc.mesh.enabled) return network + ": the mesh is disabled in " + file_of(arch);
      if (spec.pattern != Pattern::uniform && spec.pattern != Pattern::transpose &&
          spec.pattern != Pattern::hotspot) {
        return std::string("--pattern ") + to_string(spec.pattern) + " does not apply to " +
               network + " (it takes uniform, transpose or hotspot)";
      }
      if (arch.chip.pes() < 2) return network + " needs at least 2 PEs";
      if (spec.pattern == Pattern::transpose && arch.chip.pe_x != arch.chip.pe_y) {
        return "--pattern transpose needs a square PE grid; " + file_of(arch) + " has " +
               std::to_string(arch.chip.pe_x) + " x " + std::to_string(arch.chip.pe_y) + " PEs";
      }
      break;
    case Network::fat_tree:
      if (!arch.noc.fat_tree.enabled) {
        return network + ": the fat tree is disabled in " + file_of(arch);
      }
      if (spec.pattern != Pattern::uniform && spec.pattern != Pattern::hotspot &&
          spec.pattern != Pattern::broadcast) {
        return std::string("--pattern ") + to_string(spec.pattern) + " does not apply to " +
               network + " (it takes uniform, hotspot or broadcast)";
      }
      break;
    case Network::collection:
      if (!arch.noc.collection.enabled) {
        return network + ": the collection tree is disabled in " + file_of(arch);
      }
      if (spec.pattern != Pattern::gather) {
        return std::string("--pattern ") + to_string(spec.pattern) + " does not apply to " +
               network + " (it takes gather)";
      }
      break;
  }
  return "";
}

std::vector<int> traffic_sources(const arch::ArchConfig& arch, const TrafficSpec& spec) {
  const int pes = arch.chip.pes();
  std::vector<int> sources;
  if (spec.network == Network::fat_tree) return {pes};
  for (int p = 0; p < pes; ++p) {
    const bool diagonal = p % arch.chip.pe_x == p / arch.chip.pe_x;
    if (spec.pattern == Pattern::transpose && diagonal) continue;
    sources.push_back(p);
  }
  return sources;
}

TrafficBounds analyse_traffic(const arch::ArchConfig& arch, const TrafficSpec& spec) {
  TrafficBounds bounds;
  const Topology topology(arch);
  const std::vector<int> sources = traffic_sources(arch, spec);
  const int pes = arch.chip.pes();
  const std::int64_t pairs = std::int64_t(sources.size()) * (pes + 1);
  if (pairs > (std::int64_t(1) << 22)) return bounds;

  const std::int64_t router = arch.latency.router;
  const std::int64_t link = arch.latency.link;
  const double tail = spec.packet_flits - 1;
  std::vector<double> load;
  switch (spec.network) {
    case Network::mesh:
      load.assign(std::size_t(topology.mesh_links()), 0.0);
      break;
    case Network::fat_tree:
      load.assign(std::size_t(topology.fat_tree_links()), 0.0);
      break;
    case Network::collection:
      load.assign(std::size_t(topology.collection_links()), 0.0);
      break;
  }
  double latency_sum = 0.0;  // probability-weighted, per delivery
  double deliveries = 0.0;
  std::vector<int> links;
  for (int src : sources) {
    for (const Choice& choice : choices_of(arch, spec, src)) {
      links.clear();
      double latency = 0.0;  // the same for every destination of a choice
      if (spec.network == Network::mesh) {
        links = topology.mesh_route(src, choice.dsts.front());
        const double hops = double(links.size());
        latency = (hops + 1) * router + hops * link + tail;
      } else if (spec.network == Network::fat_tree) {
        const int levels = arch.noc.fat_tree.levels;
        for (int dst : choice.dsts) {
          for (int level = 0; level <= levels; ++level) {
            links.push_back(topology.fat_tree_link(level, topology.fat_tree_ancestor(dst, level)));
          }
        }
        // A multicast crosses each link of the union of its routes once.
        std::sort(links.begin(), links.end());
        links.erase(std::unique(links.begin(), links.end()), links.end());
        latency = double(levels) * router + double(levels + 1) * link + tail;
      } else {
        const int levels = arch.noc.collection.levels;
        for (int level = levels; level >= 0; --level) {
          links.push_back(
              topology.collection_link(level, topology.collection_ancestor(src, level)));
        }
        latency = double(levels) * router + double(levels + 1) * link + tail;
      }
      for (int l : links) load[std::size_t(l)] += choice.probability * spec.packet_flits;
      const double copies = double(choice.dsts.size());
      latency_sum += choice.probability * copies * latency;
      deliveries += choice.probability * copies;
    }
  }
  const auto busiest = std::max_element(load.begin(), load.end());
  bounds.computed = true;
  bounds.zero_load_latency = deliveries > 0 ? latency_sum / deliveries : 0.0;
  bounds.max_channel_load = *busiest;
  bounds.busiest_link = int(busiest - load.begin());
  bounds.busiest_link_name = link_name(arch, topology, spec.network, bounds.busiest_link);
  bounds.saturation_rate = *busiest > 0 ? 1.0 / *busiest : 0.0;
  return bounds;
}

TrafficGenerator::TrafficGenerator(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                                   const TrafficSpec& spec)
    : sc_module(name),
      m_spec(spec),
      m_sources(traffic_sources(arch, spec)),
      m_pes(arch.chip.pes()),
      m_hotspot(hotspot_pe(arch)),
      m_rng(spec.seed),
      m_period(sc_core::sc_time(arch.cycle_ns(), sc_core::SC_NS)) {
  for (int i = 0; i <= m_pes; ++i) {
    noc_socket.push_back(std::make_unique<tlm_utils::simple_initiator_socket<TrafficGenerator>>(
        ("noc_socket_" + std::to_string(i)).c_str()));
  }
  for (int p = 0; p < m_pes; ++p) {
    m_transpose_dst.push_back((p % arch.chip.pe_x) * arch.chip.pe_x + p / arch.chip.pe_x);
  }
  m_ext.packet.network = spec.network;
  m_ext.packet.bytes = std::int64_t(spec.packet_flits) * arch.noc.link_width_bits / 8;
  if (spec.pattern == Pattern::broadcast) {
    for (int p = 0; p < m_pes; ++p) m_ext.packet.dsts.push_back(p);
  } else {
    m_ext.packet.dsts.assign(1, 0);
  }
  m_payload.set_command(tlm::TLM_WRITE_COMMAND);
  m_payload.set_data_length(0);
  m_payload.set_extension(&m_ext);
  if (spec.rate > 0.0) {
    // Up to 2^16 entries; a longer gap is drawn as 2^16 plus a fresh gap
    // (the geometric distribution is memoryless). Once the bound falls below
    // 1 every draw passes, so the table ends there (an error of < 2^-53).
    const double keep = 1.0 - spec.rate;
    double bound = 9007199254740992.0;  // 2^53
    while (m_gap_bound.size() < (std::size_t(1) << 16)) {
      bound *= keep;
      if (bound < 1.0) bound = 0.0;
      m_gap_bound.push_back(bound);
      if (bound == 0.0) break;
    }
    m_gap_guide.resize(std::size_t(1) << 10);
    std::size_t position = 0;
    for (std::size_t i = m_gap_guide.size(); i-- > 0;) {
      const double upper = double(i + 1) * 8796093022208.0;  // (i + 1) * 2^43
      while (position < m_gap_bound.size() && m_gap_bound[position] >= upper) ++position;
      m_gap_guide[i] = std::uint32_t(position);
    }
  }
  SC_THREAD(run);
}

std::int64_t TrafficGenerator::draw_gap() {
  std::int64_t skipped = 0;
  for (;;) {
    const std::uint64_t draw = m_rng() >> 11;
    const double u = double(draw);
    // The first bound <= u in the descending table; every entry before the
    // guide's start is >= the top of u's interval, so > u.
    std::size_t position = m_gap_guide[std::size_t(draw >> 43)];
    while (position < m_gap_bound.size() && m_gap_bound[position] > u) ++position;
    if (position < m_gap_bound.size()) return skipped + std::int64_t(position) + 1;
    skipped += std::int64_t(m_gap_bound.size());
    // A gap past the last cycle means no further packet, whatever its length;
    // stopping here bounds the work for rates so small that 1 - rate rounds
    // to 1 (the table then never passes a draw).
    if (skipped >= m_spec.cycles) return skipped;
  }
}

TrafficGenerator::~TrafficGenerator() {
  // The payload would otherwise free the extension, which it does not own.
  m_payload.clear_extension(&m_ext);
}

void TrafficGenerator::choose_destinations(int src) {
  int& dst = m_ext.packet.dsts.front();
  switch (m_spec.pattern) {
    case Pattern::uniform:
      if (m_spec.network == Network::mesh) {
        dst = int(uniform_below(std::uint64_t(m_pes - 1)));
        if (dst >= src) ++dst;  // any PE but the source
      } else {
        dst = int(uniform_below(std::uint64_t(m_pes)));
      }
      break;
    case Pattern::transpose:
      dst = m_transpose_dst[std::size_t(src)];
      break;
    case Pattern::hotspot: {
      const bool hot = (m_rng() >> 11) < (std::uint64_t(1) << 52);  // probability 1/2
      if (m_spec.network == Network::mesh) {
        if (hot && src != m_hotspot) {
          dst = m_hotspot;
        } else {
          dst = int(uniform_below(std::uint64_t(m_pes - 1)));
          if (dst >= src) ++dst;
        }
      } else {
        dst = hot ? m_hotspot : int(uniform_below(std::uint64_t(m_pes)));
      }
      break;
    }
    case Pattern::broadcast:
      break;  // every PE, set once
    case Pattern::gather:
      dst = m_pes;  // the dispatch unit / global buffer
      break;
  }
}

void TrafficGenerator::run() {
  m_keeper.reset();
  const std::int64_t sources = std::int64_t(m_sources.size());
  if (m_gap_bound.empty()) return;  // rate 0: nothing is injected
  // Trial t (cycle t - 1) is the first success: the first packet's cycle.
  for (std::int64_t k = 0; k < sources; ++k) m_next.push_back(draw_gap() - 1);
  for (std::int64_t t = 0; t < m_spec.cycles; ++t) {
    const bool measured = t >= m_spec.warmup;
    // The first source in a cycle wins a link that several want at the same
    // cycle; rotating it keeps that advantage from favouring low PE ids.
    const std::int64_t first = t % sources;
    for (std::int64_t k = 0; k < sources; ++k) {
      const std::int64_t position = first + k < sources ? first + k : first + k - sources;
      std::int64_t& next = m_next[std::size_t(position)];
      if (next != t) continue;
      next = t + draw_gap();
      const int src = m_sources[std::size_t(position)];
      choose_destinations(src);
      sc_core::sc_time delay = m_keeper.get_local_time();
      (*noc_socket[std::size_t(src)])->b_transport(m_payload, delay);
      ++m_injected;
      if (measured) ++m_measured_injected;
    }
    m_keeper.inc(m_period);
    if (m_keeper.need_sync()) m_keeper.sync();
  }
  m_keeper.sync();
}

TrafficSink::TrafficSink(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                         std::int64_t window_begin, std::int64_t window_end)
    : sc_module(name),
      m_period(sc_core::sc_time(arch.cycle_ns(), sc_core::SC_NS)),
      m_window_begin(window_begin),
      m_window_end(window_end),
      m_received(std::size_t(arch.chip.pes() + 1), 0) {
  for (int i = 0; i <= arch.chip.pes(); ++i) {
    noc_in_socket.push_back(std::make_unique<tlm_utils::simple_target_socket_tagged<TrafficSink>>(
        ("noc_in_socket_" + std::to_string(i)).c_str()));
    noc_in_socket.back()->register_b_transport(this, &TrafficSink::b_transport, i);
  }
}

void TrafficSink::b_transport(int endpoint, tlm::tlm_generic_payload& payload,
                              sc_core::sc_time& delay) {
  const std::int64_t arrival = std::int64_t(((sc_core::sc_time_stamp() + delay) / m_period) + 0.5);
  ++m_received[std::size_t(endpoint)];
  ++m_deliveries;
  if (arrival >= m_window_begin && arrival < m_window_end) ++m_measured_deliveries;
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

double TrafficResult::offered_packets() const {
  const double node_cycles = double(sources) * double(measured_cycles);
  return node_cycles > 0 ? double(injected_packets) / node_cycles : 0.0;
}

double TrafficResult::accepted_packets() const {
  const double node_cycles = double(sources) * double(measured_cycles);
  return node_cycles > 0 ? double(delivered_packets) / node_cycles : 0.0;
}

double TrafficResult::average_latency() const {
  return stats.deliveries > 0 ? double(stats.latency_sum) / double(stats.deliveries) : 0.0;
}

TrafficResult run_traffic(const arch::ArchConfig& arch, const TrafficSpec& spec) {
  const sc_core::sc_time period(arch.cycle_ns(), sc_core::SC_NS);
  // Nothing else runs, so a long quantum costs no accuracy: injections are
  // ordered by cycle whatever the quantum, and fewer synchronisations are
  // cheaper.
  tlm::tlm_global_quantum::instance().set(period * 10000.0);
  Noc noc("noc", arch, nullptr);
  noc.set_measurement_window(spec.warmup, spec.cycles);
  TrafficGenerator generator("traffic", arch, spec);
  TrafficSink sink("sink", arch, spec.warmup, spec.cycles);
  for (int i = 0; i <= arch.chip.pes(); ++i) {
    generator.noc_socket[std::size_t(i)]->bind(*noc.inject_socket[std::size_t(i)]);
    noc.deliver_socket[std::size_t(i)]->bind(*sink.noc_in_socket[std::size_t(i)]);
  }
  sc_core::sc_start();

  TrafficResult result;
  result.spec = spec;
  result.sources = int(traffic_sources(arch, spec).size());
  result.measured_cycles = spec.cycles - spec.warmup;
  result.injected_packets = generator.measured_injected_packets();
  result.delivered_packets = sink.measured_deliveries();
  result.total_injected_packets = generator.injected_packets();
  result.total_deliveries = sink.deliveries();
  result.received = sink.received();
  result.stats = noc.stats(spec.network);
  for (std::size_t id = 0; id < result.stats.links.size(); ++id) {
    if (!link_exists(arch, noc.topology(), spec.network, int(id))) continue;
    result.links.push_back(
        {link_name(arch, noc.topology(), spec.network, int(id)), result.stats.links[id]});
  }
  result.bounds = analyse_traffic(arch, spec);
  return result;
}

}  // namespace reramsim::noc
