// The partitioning step's lowering and latency model (docs/mapping.md):
// problems and latencies by hand, agreement with the simple mapper's
// crossbar count and the simulator's crossbar closed form, and monotonicity.
#include <catch2/catch.hpp>

#include "mapping_test_util.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/latency_model.hpp"
#include "reramsim/mapping/partition.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"

using namespace reramsim;
using mapping::PartitionDegrees;
using test::ceil_div;
using test::config;
using test::net;

namespace {

const workloads::Layer& layer(const workloads::Network& n, const std::string& name) {
  return n.layers[std::size_t(n.find(name))];
}
mapping::MvmProblem problem(const workloads::Network& n, const std::string& name,
                            const arch::ArchConfig& arch) {
  mapping::MvmProblem p = mapping::lower_problem(layer(n, name), arch);
  p.layer = n.find(name);
  return p;
}
}  // namespace

TEST_CASE("mapping: lower_problem of CaffeNet conv2 (two groups) by hand", "[mapping]") {
  const auto arch = config("spatem");
  const auto p = mapping::lower_problem(layer(net("caffenet"), "conv2"), arch);
  // caffenet.yaml: conv2 takes norm1's 27 x 27 x 96 (227 -> conv1 11/4 -> 55
  // -> pool1 3/2 -> 27), 5 x 5 kernel, pad 2, 256 outputs in 2 groups.
  CHECK(p.matrices == 2);           // G
  CHECK(p.rows == 5 * 5 * 96 / 2);  // R*S*C/G = 1200
  CHECK(p.cols == 256 / 2);         // M/G = 128
  CHECK(p.vectors == 27 * 27);      // E*F = 729 (pad 2 keeps 27)
  CHECK(p.input_cycles == 16);      // spatem.yaml: 16-bit activations, 1-bit DAC
  CHECK(p.weight_columns == 1);     // 2-bit weights in 2-bit cells, offset scheme
  CHECK(p.reference_columns == 1);  // offset: one reference column per crossbar
  CHECK(p.input_values == 27 * 27 * 96);
  CHECK(p.partial_sum_bits == 2 + 16 + 11);  // wb + ab + ceil(log2 1200)
}

TEST_CASE("mapping: lower_problem of locally connected and fc layers by hand", "[mapping]") {
  const auto arch = config("tiny");
  // deepface.yaml: L4 takes C3's 63 x 63 x 16 (152 -> C1 11 -> 142 -> M2 3/2
  // ceil -> 71 -> C3 9 -> 63), 9 x 9 kernel, stride 1: 55 x 55 positions,
  // each its own 1296 x 16 matrix applied to one vector.
  const auto local = mapping::lower_problem(layer(net("deepface"), "L4"), arch);
  CHECK(local.matrices == 55 * 55);
  CHECK(local.rows == 9 * 9 * 16);
  CHECK(local.cols == 16);
  CHECK(local.vectors == 1);
  // caffenet.yaml: fc6 flattens pool5's 6 x 6 x 256 into 9216 inputs.
  const auto fc = mapping::lower_problem(layer(net("caffenet"), "fc6"), arch);
  CHECK(fc.matrices == 1);
  CHECK(fc.rows == 6 * 6 * 256);
  CHECK(fc.cols == 4096);
  CHECK(fc.vectors == 1);
  // tiny.yaml: 8-bit weights in 2-bit cells = 4 slices; 8-bit input, 1-bit DAC.
  CHECK(fc.weight_columns == 4);
  CHECK(fc.input_cycles == 8);
}

TEST_CASE("mapping: lower_problem of a pruned layer counts its kept columns", "[mapping]") {
  const auto arch = config("tiny");
  const auto pruned = net("lenet5_pruned");
  const auto dense = net("lenet5");
  // lenet5_pruned.yaml: C3 keeps 8 of 16 outputs, C5 60 of 120; rows stay.
  CHECK(mapping::lower_problem(layer(pruned, "C3"), arch).cols == 8);
  CHECK(mapping::lower_problem(layer(pruned, "C5"), arch).cols == 60);
  CHECK(mapping::lower_problem(layer(pruned, "C5"), arch).rows == 400);
  CHECK(mapping::lower_problem(layer(dense, "C3"), arch).cols == 16);
  CHECK(mapping::lower_problem(layer(dense, "C5"), arch).cols == 120);
  // Fewer columns need fewer crossbars: C5 on 64-row crossbars holding 15
  // weights a row: ceil(400/64) x ceil(60/15) = 7 x 4 instead of 7 x 8.
  CHECK(mapping::crossbar_demand(problem(pruned, "C5", arch), PartitionDegrees{}, arch) == 28);
  CHECK(mapping::crossbar_demand(problem(dense, "C5", arch), PartitionDegrees{}, arch) == 56);
}

TEST_CASE("mapping: lower_problem rejects a layer without weights", "[mapping]") {
  const auto arch = config("tiny");
  CHECK_THROWS_AS(mapping::lower_problem(layer(net("lenet5"), "S2"), arch), std::invalid_argument);
  // lower_network keeps the five weighted layers of LeNet-5, in order.
  const auto problems = mapping::lower_network(net("lenet5"), arch);
  REQUIRE(problems.size() == 5);
  CHECK(problems[0].layer == 0);  // C1
  CHECK(problems[4].layer == 6);  // OUT
}

TEST_CASE("mapping: degrees-1 demand equals the simple mapper's crossbars", "[mapping]") {
  // map_simple tiles every matrix without replication (plan.hpp); with every
  // degree 1 the model's demand must be the same count, layer by layer.
  const std::pair<const char*, const char*> cases[] = {{"lenet5", "tiny"},
                                                       {"lenet5_pruned", "tiny"},
                                                       {"caffenet", "spatem"},
                                                       {"resnet18", "spatem"},
                                                       {"deepid", "spatem"}};
  for (const auto& [network_name, config_name] : cases) {
    CAPTURE(network_name, config_name);
    const auto arch = config(config_name);
    const auto network = net(network_name);
    const auto plan = mapping::map_simple(network, arch);
    std::int64_t total = 0;
    for (const auto& p : mapping::lower_network(network, arch)) {
      const std::int64_t demand = mapping::crossbar_demand(p, PartitionDegrees{}, arch);
      CHECK(demand == std::int64_t(plan.layers[std::size_t(p.layer)].tiles.size()));
      total += demand;
    }
    CHECK(total == plan.crossbars_used);
  }
}

TEST_CASE("mapping: degrees-1 compute equals the simulator's crossbar closed form", "[mapping]") {
  // docs/hardware.md, "Crossbar timing" (hw::Crossbar::mvm_cycles): a tile of
  // R rows and N weight columns takes ceil(R/ou.rows) x ceil((N*slices+ref)/
  // ou.cols) x input cycles x ou_step cycles per vector; a layer's tiles run
  // in parallel, so its crossbar time is its slowest tile's. Computed here
  // from the simple mapper's real tiles, independently of the model.
  const std::pair<const char*, const char*> cases[] = {{"lenet5", "tiny"},
                                                       {"lenet5_pruned", "tiny"},
                                                       {"caffenet", "spatem"},
                                                       {"resnet18", "spatem"},
                                                       {"resnet18", "re-reram"}};
  for (const auto& [network_name, config_name] : cases) {
    CAPTURE(network_name, config_name);
    const auto arch = config(config_name);
    const auto network = net(network_name);
    const auto plan = mapping::map_simple(network, arch);
    for (const auto& p : mapping::lower_network(network, arch)) {
      CAPTURE(network.layers[std::size_t(p.layer)].name);
      std::int64_t slowest = 0;
      for (int t : plan.layers[std::size_t(p.layer)].tiles) {
        const auto& tile = plan.tiles[std::size_t(t)];
        const std::int64_t physical = tile.cols * arch.weight_columns() + arch.reference_columns();
        const std::int64_t steps =
            ceil_div(tile.rows, arch.crossbar.ou.rows) * ceil_div(physical, arch.crossbar.ou.cols);
        slowest = std::max(slowest, plan.layers[std::size_t(p.layer)].shape.vectors *
                                        arch.input_cycles() * steps * arch.latency.ou_step);
      }
      CHECK(mapping::layer_latency(p, PartitionDegrees{}, arch).compute == slowest);
    }
  }
  // Two by hand. LeNet-5 C1 on tiny: one 25 x 6 tile, 6*4 + 1 = 25 physical
  // columns: 4 x 4 OU steps x 8 input cycles x 1 cycle x 784 windows.
  const auto tiny = config("tiny");
  CHECK(mapping::layer_latency(problem(net("lenet5"), "C1", tiny), PartitionDegrees{}, tiny)
            .compute == 4 * 4 * 8 * 784);
  // CaffeNet conv2 on spatem: full 128 x 127 tiles (128 physical columns):
  // 15 x 16 = 240 OU steps x 16 input cycles x 7 cycles x 729 windows.
  const auto spatem = config("spatem");
  CHECK(
      mapping::layer_latency(problem(net("caffenet"), "conv2", spatem), PartitionDegrees{}, spatem)
          .compute == 240 * 16 * 7 * 729);
}

TEST_CASE("mapping: demand and latency of LeNet-5 C3 on tiny by hand", "[mapping]") {
  const auto arch = config("tiny");
  const auto p = problem(net("lenet5"), "C3", arch);
  // C3: K = 5*5*6 = 150 rows, N = 16, V = 10*10 = 100, Kin = 8; input
  // 14 x 14 x 6 = 1176 values; partial sums 8 + 8 + ceil(log2 150) = 24 bits.
  // tiny.yaml: 64-row crossbars holding 15 weights a row (4 slices + 1
  // reference column), OU 8 x 8, 8 crossbars a PE, unit latencies, 16-bit
  // links, 32 ALU lanes, a 2-level fat tree.
  // Input (every setting): 1176 bytes = 588 flits; 2 routers + 3 links + 587 = 592.
  SECTION("every degree 1") {
    // 3 x 2 crossbars; 3 row pieces; widest crossbar 64 rows x 15 weights
    // (61 physical columns): 8 x 8 = 64 OU steps.
    CHECK(mapping::crossbar_demand(p, PartitionDegrees{}, arch) == 6);
    const auto t = mapping::layer_latency(p, PartitionDegrees{}, arch);
    CHECK(t.windows == 100);
    CHECK(t.input == 592);
    CHECK(t.compute == 100 * 8 * 64);  // 51,200
    CHECK(t.transfer == 0);            // the 3 pieces fit one PE
    // 100 x 15 values x (2 additions + 1 requantization) = 4500 ops on 32 lanes.
    CHECK(t.reduce == 141);
    CHECK(t.total == 592 + 51200 + 141);  // 51,933
    CHECK(t.fill == 520);                 // ceil(51933 / 100)
  }
  SECTION("hwm 3, wwm 2, iw 4, ib 2") {
    // Parts of 50 rows x 8 weights, one crossbar each: 3 x 2 per copy, 4 x 2
    // copies: 48. 8*4 + 1 = 33 physical columns: 7 x 5 = 35 OU steps.
    const PartitionDegrees d{3, 2, 4, 2};
    CHECK(mapping::crossbar_demand(p, d, arch) == 48);
    const auto t = mapping::layer_latency(p, d, arch);
    CHECK(t.windows == 25);           // ceil(100 / 4)
    CHECK(t.compute == 25 * 4 * 35);  // 4 = ceil(8 / 2) input cycles: 3500
    CHECK(t.transfer == 0);           // 3 row pieces x 2 bit groups = 6 <= 8 a PE
    // 25 x 8 values x (5 additions + 1 shift + 1 requantization) = 1400 ops.
    CHECK(t.reduce == 44);
    CHECK(t.total == 592 + 3500 + 44);  // 4136
    CHECK(t.fill == 166);               // ceil(4136 / 25)
  }
  SECTION("hwm 3, wwm 2, iw 4, ib 4") {
    // As above with 4 bit groups: 96 crossbars, 2 input cycles.
    const PartitionDegrees d{3, 2, 4, 4};
    CHECK(mapping::crossbar_demand(p, d, arch) == 96);
    const auto t = mapping::layer_latency(p, d, arch);
    CHECK(t.compute == 25 * 2 * 35);  // 1750
    // 12 pieces: 8 on one PE, 4 on another, whose sums of 25 x 8 values x 24
    // bits = 600 bytes = 300 flits cross one mesh hop (2 routers + 1 link - 1).
    CHECK(t.transfer == 2 + 300);
    // 200 values x (7 local + 1 reducer additions + 3 shifts + 1 requantization).
    CHECK(t.reduce == 75);                    // ceil(2400 / 32)
    CHECK(t.total == 592 + 1750 + 302 + 75);  // 2719
    CHECK(t.fill == 109);                     // ceil(2719 / 25)
  }
}

TEST_CASE("mapping: demand and latency of CaffeNet conv2 on spatem by hand", "[mapping]") {
  const auto arch = config("spatem");
  const auto p = problem(net("caffenet"), "conv2", arch);
  // K = 1200, N = 128, 2 groups, V = 729, Kin = 16, 29-bit partial sums.
  // spatem.yaml: 128-row crossbars of 127 weights + reference, OU 9 x 8, 7
  // cycles per step, 96 crossbars a PE, 4-level fat tree, 16-bit links, 32
  // ALU lanes. Input: 69,984 values x 16 bits = 69,984 flits; 4 routers + 5
  // links + 69,983.
  const std::int64_t input = 4 + 5 + 69983;
  SECTION("every degree 1") {
    // 2 x ceil(1200/128) x ceil(128/127) = 2 x 10 x 2 crossbars.
    CHECK(mapping::crossbar_demand(p, PartitionDegrees{}, arch) == 40);
    const auto t = mapping::layer_latency(p, PartitionDegrees{}, arch);
    CHECK(t.input == input);
    CHECK(t.compute == 729 * 16 * 240 * 7);
    CHECK(t.transfer == 0);  // 10 row pieces on one PE
    // 729 x 127 = 92,583 values x (9 additions + 1 requantization) / 32 lanes.
    CHECK(t.reduce == 28933);
  }
  SECTION("hwm 2, wwm 2, iw 3, ib 1") {
    // 2 x 2 parts of 600 rows (5 crossbars) x 64 weights (1): 20 per copy;
    // 2 matrices x 3 replicas.
    const PartitionDegrees d{2, 2, 3, 1};
    CHECK(mapping::crossbar_demand(p, d, arch) == 2 * 3 * 20);
    const auto t = mapping::layer_latency(p, d, arch);
    // 128 rows x (64 + 1) physical columns: 15 x 9 = 135 OU steps.
    CHECK(t.compute == 243 * 16 * 135 * 7);  // 3,674,160
    CHECK(t.transfer == 0);
    CHECK(t.reduce == 243 * 64 * 10 / 32);  // 4860
    CHECK(t.total == input + 3674160 + 4860);
  }
  SECTION("hwm 10, wwm 1, iw 1, ib 16") {
    // Parts of 120 rows x 128 weights (1 x 2 crossbars): 20 per copy, 16 bit
    // groups, 2 matrices: 640.
    const PartitionDegrees d{10, 1, 1, 16};
    CHECK(mapping::crossbar_demand(p, d, arch) == 640);
    const auto t = mapping::layer_latency(p, d, arch);
    // 120 rows x 128 physical columns: 14 x 16 = 224 OU steps, 1 input cycle.
    CHECK(t.compute == 729 * 1 * 224 * 7);  // 1,143,072
    // 160 pieces: 96 + 64 on two PEs; 92,583 values x 29 bits = 2,684,907
    // bits -> 335,614 bytes = 167,807 flits after one hop.
    CHECK(t.transfer == 2 + 167807);
    // 92,583 x (95 + 1 additions + 15 shifts + 1 requantization) / 32, up.
    CHECK(t.reduce == 324041);
    CHECK(t.total == input + 1143072 + 167809 + 324041);
  }
}

TEST_CASE("mapping: pipelined latency by hand", "[mapping]") {
  // docs/mapping.md: sum of fills + the largest (total - fill).
  mapping::LayerLatency a, b, c;
  a.total = 100, a.fill = 10;  // 10 windows
  b.total = 50, b.fill = 10;   // 5 windows
  c.total = 30, c.fill = 30;   // fc: 1 window
  // Fills 10 + 10 + 30 = 50; then a's remaining 9 windows, 90 cycles.
  CHECK(mapping::pipelined_latency({a, b, c}) == 140);
  CHECK(mapping::pipelined_latency({c}) == 30);  // one window: just the layer
  CHECK(mapping::pipelined_latency({}) == 0);
}

TEST_CASE("mapping: latency is non-increasing where the model says so", "[mapping]") {
  // docs/mapping.md, "Monotonicity": compute never grows with any degree;
  // the total never grows with iw or wwm (communication shrinks with them
  // too); hwm and ib trade compute for communication, so only their compute
  // is checked. Every integer degree of every dimension is walked, the
  // others held at each of their useful degrees up to 4 values.
  const auto arch = config("tiny");
  const auto network = net("lenet5");
  for (const auto& p : mapping::lower_network(network, arch)) {
    CAPTURE(network.layers[std::size_t(p.layer)].name);
    const std::int64_t sizes[4] = {p.rows, p.cols, p.vectors, p.input_cycles};
    auto few = [](std::int64_t size) {
      auto d = mapping::useful_degrees(size);
      if (d.size() > 4) d = {d[0], d[1], d[d.size() / 2], d.back()};
      return d;
    };
    const auto hs = few(p.rows), ws = few(p.cols), is = few(p.vectors), bs = few(p.input_cycles);
    for (int h : hs) {
      for (int w : ws) {
        for (int i : is) {
          for (int b : bs) {
            for (int dim = 0; dim < 4; ++dim) {
              PartitionDegrees d{h, w, i, b};
              int* walked[4] = {&d.hwm, &d.wwm, &d.iw, &d.ib};
              mapping::LayerLatency before;
              for (int v = 1; v <= sizes[dim]; ++v) {
                *walked[dim] = v;
                const auto t = mapping::layer_latency(p, d, arch);
                if (v > 1) {
                  REQUIRE(t.compute <= before.compute);
                  if (dim == 1 || dim == 2) REQUIRE(t.total <= before.total);
                }
                before = t;
              }
            }
          }
        }
      }
    }
  }
}

TEST_CASE("mapping: degrees outside their dimension are rejected", "[mapping]") {
  const auto arch = config("tiny");
  const auto p = problem(net("lenet5"), "C3", arch);  // K 150, N 16, V 100, Kin 8
  CHECK(mapping::is_valid(p, PartitionDegrees{150, 16, 100, 8}));
  CHECK_FALSE(mapping::is_valid(p, PartitionDegrees{151, 1, 1, 1}));
  CHECK_FALSE(mapping::is_valid(p, PartitionDegrees{1, 17, 1, 1}));
  CHECK_FALSE(mapping::is_valid(p, PartitionDegrees{1, 1, 101, 1}));
  CHECK_FALSE(mapping::is_valid(p, PartitionDegrees{1, 1, 1, 9}));
  CHECK_FALSE(mapping::is_valid(p, PartitionDegrees{0, 1, 1, 1}));
  CHECK_THROWS_AS(mapping::layer_latency(p, PartitionDegrees{1, 1, 1, 9}, arch),
                  std::invalid_argument);
  CHECK_THROWS_AS(mapping::crossbar_demand(p, PartitionDegrees{1, 1, 0, 1}, arch),
                  std::invalid_argument);
}
