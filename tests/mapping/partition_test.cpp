// The partitioning DP (Algorithm 1, docs/mapping.md): the degree steps, an
// exhaustive search over every integer degree that must find nothing the DP
// misses, and the candidates' bookkeeping. "[.speed]" is a timing harness.
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/workloads/network.hpp"

using namespace reramsim;
using mapping::PartitionDegrees;
using test::config;
using test::net;

namespace {

// Two and three layers small enough to enumerate: a conv and an fc; a grouped
// conv, a locally connected layer and a pruned fc.
workloads::Network two_layers() {
  return workloads::parse_network(
      "name: two\ninput: {h: 6, w: 6, c: 4}\nlayers:\n"
      "  - {name: c1, type: conv, kernel: 3, pad: 1, out: 10, activation: relu}\n"
      "  - {name: f2, type: fc, out: 12}\n",
      "two.yaml");
}
workloads::Network three_layers() {
  return workloads::parse_network(
      "name: three\ninput: {h: 4, w: 4, c: 4}\nlayers:\n"
      "  - {name: c1, type: conv, kernel: 3, pad: 1, groups: 2, out: 8, activation: relu}\n"
      "  - {name: l2, type: local, kernel: 3, out: 6, activation: relu}\n"
      "  - {name: f3, type: fc, out: 20, pruned_outputs: [0, 1, 2, 3, 4]}\n",
      "three.yaml");
}

// Brute force, sharing nothing with the partitioner but the latency model:
// every integer degree of every dimension of every layer, every combination
// of layers within `capacity` crossbars. best[r] is the largest total
// reduction of a combination needing exactly r crossbars.
struct Exhaustive {
  struct Choice {
    std::int64_t crossbars;
    std::int64_t reduction;
  };
  std::vector<std::vector<Choice>> layers;
  std::vector<std::int64_t> best;
  std::int64_t combinations = 0;

  void search(std::size_t l, std::int64_t used, std::int64_t reduction, std::int64_t capacity) {
    if (l == layers.size()) {
      ++combinations;
      best[std::size_t(used)] = std::max(best[std::size_t(used)], reduction);
      return;
    }
    for (const Choice& c : layers[l]) {
      if (used + c.crossbars > capacity) break;  // sorted by crossbars
      search(l + 1, used + c.crossbars, reduction + c.reduction, capacity);
    }
  }
};

Exhaustive exhaustive(const workloads::Network& network, const arch::ArchConfig& arch,
                      std::int64_t capacity) {
  Exhaustive e;
  const auto problems = mapping::lower_network(network, arch);
  std::int64_t minimum = 0;
  for (const auto& p : problems) minimum += mapping::crossbar_demand(p, PartitionDegrees{}, arch);
  for (const auto& p : problems) {
    // Crossbars this layer may take while the others keep degrees 1 (the
    // minimum of each: a smaller demand never exists, as checked below).
    const std::int64_t own = mapping::crossbar_demand(p, PartitionDegrees{}, arch);
    const std::int64_t cap = capacity - (minimum - own);
    const std::int64_t base = mapping::layer_latency(p, PartitionDegrees{}, arch).total;
    std::vector<Exhaustive::Choice> choices;
    for (int h = 1; h <= p.rows; ++h) {
      for (int w = 1; w <= p.cols; ++w) {
        const std::int64_t copy = mapping::crossbar_demand(p, PartitionDegrees{h, w, 1, 1}, arch);
        REQUIRE(copy >= own);
        if (copy > cap) continue;
        for (int i = 1; i <= p.vectors && copy * i <= cap; ++i) {
          for (int b = 1; b <= p.input_cycles && copy * i * b <= cap; ++b) {
            const PartitionDegrees d{h, w, i, b};
            choices.push_back({mapping::crossbar_demand(p, d, arch),
                               base - mapping::layer_latency(p, d, arch).total});
          }
        }
      }
    }
    std::sort(choices.begin(), choices.end(),
              [](const auto& a, const auto& b) { return a.crossbars < b.crossbars; });
    e.layers.push_back(std::move(choices));
  }
  e.best.assign(std::size_t(capacity + 1), std::numeric_limits<std::int64_t>::min());
  e.search(0, 0, 0, capacity);
  return e;
}

// For every budget up to the capacity the DP's best reduction must equal the
// exhaustive search's best within that budget.
void check_against_exhaustive(const workloads::Network& network, const arch::ArchConfig& arch,
                              std::int64_t capacity) {
  const Exhaustive e = exhaustive(network, arch, capacity);
  const mapping::Partitioner dp(network, arch, capacity);
  REQUIRE(dp.feasible());
  INFO("exhaustive combinations: " << e.combinations);
  CHECK(e.combinations > 1000);  // the search is not trivially small
  std::int64_t within = -1;      // best of the exhaustive search with at most r crossbars
  for (std::int64_t r = 0; r <= capacity; ++r) {
    within = std::max(within, e.best[std::size_t(r)]);
    CAPTURE(r);
    REQUIRE(dp.best_reduction(r) == within);
    if (within >= 0) {
      const auto s = dp.strategy(r);
      REQUIRE(s.crossbars <= r);
      REQUIRE(s.latency_reduction == within);
    }
  }
}

// Recomputes a candidate from its degrees with the latency model alone.
void check_candidate(const mapping::PartitionCandidate& c, const workloads::Network& network,
                     const arch::ArchConfig& arch, std::int64_t capacity) {
  REQUIRE(c.degrees.size() == network.layers.size());
  std::int64_t crossbars = 0, reduction = 0;
  std::vector<mapping::LayerLatency> latencies;
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    if (!network.layers[i].has_weights()) {
      CHECK(c.degrees[i] == PartitionDegrees{});
      continue;
    }
    const auto p = mapping::lower_problem(network.layers[i], arch);
    REQUIRE(mapping::is_valid(p, c.degrees[i]));
    crossbars += mapping::crossbar_demand(p, c.degrees[i], arch);
    const auto t = mapping::layer_latency(p, c.degrees[i], arch);
    reduction += mapping::layer_latency(p, PartitionDegrees{}, arch).total - t.total;
    latencies.push_back(t);
  }
  CHECK(c.crossbars == crossbars);
  CHECK(c.crossbars <= capacity);
  CHECK(c.latency_reduction == reduction);
  CHECK(c.latency == mapping::pipelined_latency(latencies));
}

}  // namespace

TEST_CASE("mapping: useful degrees by hand and by brute force", "[mapping]") {
  // ceil(10/d) for d = 1..10: 10 5 4 3 2 2 2 2 2 1; the first d of each value.
  CHECK(mapping::useful_degrees(10) == std::vector<int>{1, 2, 3, 4, 5, 10});
  // ceil(16/d): 16 8 6 4 4 3 3 2 ... 2 1.
  CHECK(mapping::useful_degrees(16) == std::vector<int>{1, 2, 3, 4, 6, 8, 16});
  CHECK(mapping::useful_degrees(1) == std::vector<int>{1});
  for (int n = 1; n <= 500; ++n) {
    std::vector<int> expected;
    for (int d = 1; d <= n; ++d) {
      if (d == 1 || (n + d - 1) / d < (n + d - 2) / (d - 1)) expected.push_back(d);
    }
    REQUIRE(mapping::useful_degrees(n) == expected);
  }
}

TEST_CASE("mapping: exhaustive search finds nothing the DP misses on LeNet-5 and tiny",
          "[mapping]") {
  // LeNet-5 needs 77 of tiny's 128 crossbars with degrees 1 (simple mapper
  // test). Budget 95 leaves 18 to spread: ~1.4e7 combinations of integer
  // degrees; the whole 128 would be ~1e10.
  check_against_exhaustive(net("lenet5"), config("tiny"), 95);
}

TEST_CASE("mapping: exhaustive search finds nothing the DP misses on small networks", "[mapping]") {
  const auto tiny = config("tiny");
  SECTION("conv + fc, 200 crossbars") {
    check_against_exhaustive(two_layers(), tiny, 200);
  }
  SECTION("grouped conv + local + pruned fc, 80 crossbars") {
    check_against_exhaustive(three_layers(), tiny, 80);
  }
  SECTION("differential weights, OU 9 x 8, 2-bit DAC, 60 crossbars") {
    // Another PE model: 8 physical columns a weight, no reference column,
    // an OU that divides neither crossbar side, 4 input cycles.
    const auto other =
        arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/tiny.yaml",
                               {{"crossbar.signed_weights", "differential"},
                                {"crossbar.ou.rows", "9"},
                                {"crossbar.dac_bits", "2"}});
    REQUIRE(other.weight_columns() == 8);
    REQUIRE(other.reference_columns() == 0);
    REQUIRE(other.input_cycles() == 4);
    check_against_exhaustive(three_layers(), other, 60);
  }
}

TEST_CASE("mapping: candidates fit the budget, recompute exactly and are ranked", "[mapping]") {
  const std::pair<const char*, const char*> cases[] = {
      {"lenet5", "tiny"}, {"lenet5_pruned", "tiny"}, {"caffenet", "spatem"}};
  for (const auto& [network_name, config_name] : cases) {
    CAPTURE(network_name, config_name);
    const auto arch = config(config_name);
    const auto network = net(network_name);
    const std::int64_t capacity = arch.total_crossbars();
    const mapping::Partitioner dp(network, arch, capacity);
    const auto candidates = dp.candidates();
    REQUIRE(candidates.size() == 16);  // the default; these networks have more breakpoints
    std::set<std::int64_t> demands;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      check_candidate(candidates[k], network, arch, capacity);
      // Ascending estimated latency; one strategy per distinct demand.
      if (k > 0) CHECK(candidates[k - 1].latency <= candidates[k].latency);
      CHECK(demands.insert(candidates[k].crossbars).second);
      // Each is the DP's best within its own demand.
      CHECK(candidates[k].latency_reduction == dp.best_reduction(candidates[k].crossbars));
    }
    // Partitioning never makes the estimate worse than degrees 1 everywhere.
    CHECK(candidates.front().latency <= dp.strategy(dp.minimum_crossbars()).latency);
    CHECK(dp.candidates(3).size() == 3);
    CHECK(mapping::partition(network, arch, capacity, 5).size() == 5);
  }
}

TEST_CASE("mapping: a network that does not fit gives no candidates", "[mapping]") {
  // DeepFace on spatem.yaml (128-row crossbars, 127 weights a row) with
  // degrees 1, by hand: each of its locally connected layers' positions is a
  // matrix of its own: L4 55*55 x ceil(1296/128) = 33,275, L5 25*25 x 7 =
  // 4375, L6 21*21 x 4 = 1764; C1 3, C3 21, F7 56 x 33 = 1848, F8 32 x 32 =
  // 1024. 42,310 in all, more than the chip's 16,128.
  const auto arch = config("spatem");
  const mapping::Partitioner dp(net("deepface"), arch, arch.total_crossbars());
  CHECK_FALSE(dp.feasible());
  CHECK(dp.minimum_crossbars() == 33275 + 4375 + 1764 + 3 + 21 + 1848 + 1024);
  CHECK(dp.candidates().empty());
  CHECK(dp.best_reduction(arch.total_crossbars()) == -1);
  CHECK_THROWS_AS(dp.strategy(arch.total_crossbars()), std::invalid_argument);
  // Below LeNet-5's 77 (simple mapper test) nothing fits; at 77 degrees 1 does.
  const auto tiny = config("tiny");
  const mapping::Partitioner small(net("lenet5"), tiny, 76);
  CHECK(small.candidates().empty());
  const mapping::Partitioner exact(net("lenet5"), tiny, 77);
  REQUIRE(exact.candidates().size() >= 1);
  CHECK(exact.candidates().front().crossbars == 77);
}

TEST_CASE("mapping: partition speed on the SPATEM chip", "[.speed]") {
  // Not a unit test: prints the time of Partitioner + candidates() on
  // spatem.yaml's 16,128 crossbars (docs/mapping.md quotes it), best of 5.
  const auto arch = config("spatem");
  for (const char* name :
       {"resnet34", "overfeat_fast", "resnet18", "caffenet", "deepid", "lenet5"}) {
    const auto network = net(name);
    double best_ms = 1e30;
    std::vector<mapping::PartitionCandidate> candidates;
    for (int run = 0; run < 5; ++run) {
      const auto start = std::chrono::steady_clock::now();
      const mapping::Partitioner dp(network, arch, arch.total_crossbars());
      candidates = dp.candidates();
      const auto end = std::chrono::steady_clock::now();
      best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(end - start).count());
      if (run == 0) {
        std::cout << name << ": " << dp.problems().size() << " weighted layers, degrees 1 need "
                  << dp.minimum_crossbars() << " crossbars (estimate "
                  << dp.strategy(dp.minimum_crossbars()).latency << " cycles); "
                  << dp.stats().combinations << " combinations, " << dp.stats().options
                  << " DP items, " << dp.stats().dp_updates << " DP updates\n";
      }
    }
    REQUIRE_FALSE(candidates.empty());
    std::cout << "  " << best_ms << " ms; best candidate " << candidates.front().latency
              << " cycles on " << candidates.front().crossbars << " crossbars\n";
  }
}
