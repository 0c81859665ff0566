// The ordering step: blocks of layers sharing a PE interleave, and every
// block comes after the blocks producing what it waits for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <tuple>

#include "mapping_test_util.hpp"
#include "reramsim/mapping/order.hpp"
#include "reramsim/mapping/plan.hpp"

using namespace reramsim;
using reramsim::test::config;
using reramsim::test::net;

namespace {
// tiny.yaml shrunk to 10 PEs: LeNet-5's layers no longer get PEs of their
// own, so S2 shares C1's PE and S4 C3's.
arch::ArchConfig small_tiny() {
  auto arch = config("tiny");
  arch.chip.pe_x = 5;
  arch.chip.pe_y = 2;
  return arch;
}
}  // namespace

TEST_CASE("order: the last input row a part reads", "[mapping][order]") {
  const auto network = net("lenet5");
  const auto& c1 = network.layers[0];  // 5x5 conv, stride 1, no pad, 32x32 in
  const auto& s2 = network.layers[1];  // 2x2 pool, stride 2
  // Hand: output row p of C1 reads input rows p .. p+4; of S2 rows 2p .. 2p+1.
  CHECK(mapping::last_input_row(c1, network.input, 0) == 4);
  CHECK(mapping::last_input_row(c1, network.input, 27) == 31);
  CHECK(mapping::last_input_row(s2, c1.out, 13) == 27);
  // F6 (fc) has one part and reads its whole input.
  CHECK(mapping::layer_parts(network.layers[5]) == 1);
  CHECK(mapping::last_input_row(network.layers[5], network.layers[4].out, 0) ==
        network.layers[4].out.h - 1);
}

TEST_CASE("order: layers sharing a PE interleave their parts", "[mapping][order]") {
  const auto arch = small_tiny();
  const auto network = net("lenet5");
  const auto plan = mapping::map_simple(network, arch);
  REQUIRE(plan.layers[1].pes == plan.layers[0].pes);
  const auto order = mapping::order_blocks(network, arch, plan);
  const auto& blocks = order[std::size_t(plan.layers[0].pes.front())];
  // S2's first part comes before C1's last: the pool follows the conv row by row.
  const auto position = [&](int layer, int part, bool back) {
    return std::find(blocks.begin(), blocks.end(), mapping::Block{layer, part, back}) -
           blocks.begin();
  };
  CHECK(position(1, 0, false) < position(0, 27, false));
}

TEST_CASE("order: every block follows the blocks producing the rows it reads", "[mapping][order]") {
  // Chips too small for a PE per layer, so layers share PEs: LeNet-5 on 10
  // tiny PEs, DeepID and ResNet-18 on 5 x 5 SPATEM PEs (96 crossbars each).
  auto spatem = config("spatem");
  spatem.chip.pe_x = 5;
  spatem.chip.pe_y = 5;
  const std::pair<const char*, arch::ArchConfig> cases[] = {
      {"lenet5", small_tiny()}, {"deepid", spatem}, {"resnet18", spatem}};
  for (const auto& [name, a] : cases) {
    const auto network = net(name);
    const auto plan = mapping::map_simple(network, a);
    const auto order = mapping::order_blocks(network, a, plan);
    // The global order the proof in docs/mapping.md relies on: per PE, a
    // block whose input comes from a layer on the same PE is preceded by the
    // block that sends that row (the back of a weighted part, the front of
    // an unweighted one).
    for (const auto& blocks : order) {
      std::map<std::tuple<int, int, bool>, std::size_t> at;
      for (std::size_t i = 0; i < blocks.size(); ++i) {
        at[{blocks[i].layer, blocks[i].part, blocks[i].back}] = i;
      }
      for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto& b = blocks[i];
        if (b.back) {
          // A back follows its own front.
          CHECK(at.at({b.layer, b.part, false}) < i);
          continue;
        }
        const auto& layer = network.layers[std::size_t(b.layer)];
        for (int source : layer.inputs) {
          if (source == workloads::kNetworkInput) continue;
          const auto& s = network.layers[std::size_t(source)];
          const int row = mapping::last_input_row(layer, s.out, b.part);
          const int part = mapping::layer_parts(s) > 1 ? row : 0;
          const auto producer = at.find({source, part, s.has_weights()});
          if (producer != at.end()) CHECK(producer->second < i);
        }
      }
    }
  }
}

TEST_CASE("order: more weight copies than rows split rows into runs of windows",
          "[mapping][order]") {
  const auto network = net("deepid");
  const auto& conv2 = network.layers[std::size_t(network.find("conv2"))];
  REQUIRE(conv2.out.h == 16);
  REQUIRE(conv2.out.w == 12);
  // Hand: 104 copies over 16 rows want ceil(104 / 16) = 7 runs a row; runs
  // of ceil(12 / 7) = 2 windows make 6 runs, 96 parts.
  CHECK(mapping::layer_splits(conv2, 104) == 6);
  CHECK(mapping::layer_parts(conv2, 104) == 96);
  const auto w5 = mapping::part_windows(conv2, 104, 5);
  CHECK((w5.row == 0 && w5.x_begin == 10 && w5.count == 2));
  const auto w6 = mapping::part_windows(conv2, 104, 6);
  CHECK((w6.row == 1 && w6.x_begin == 0 && w6.count == 2));
  // Part 6 (row 1) reads input rows up to 1 + 3 - 1 = 3 (3x3 kernel, stride 1).
  CHECK(mapping::last_input_row(conv2, network.shape_of(conv2.inputs.front()), 6, 104) == 3);
  // No more copies than rows: one part a row.
  CHECK(mapping::layer_splits(conv2, 16) == 1);
  CHECK(mapping::layer_parts(conv2, 16) == 16);
}
