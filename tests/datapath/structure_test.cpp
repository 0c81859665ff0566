// Layout, action counts, the lossless boundary, parameters from a config, and
// the range checks.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "datapath_test_util.hpp"
#include "reramsim/arch/arch_config.hpp"

using reramsim::arch::AdcOverflow;
using reramsim::arch::SignScheme;
using reramsim::hw::CrossbarDatapath;
using reramsim::hw::DatapathCounts;
namespace t = reramsim::hw::test;

namespace {
reramsim::arch::ArchConfig load(const std::string& name) {
  return reramsim::arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/" + name);
}
}  // namespace

// configs/spatem.yaml: 128 x 128 crossbar, 2-bit weights in 2-bit cells
// (1 slice), offset, so 127 weight columns + 1 reference = 128 physical
// columns; OU 9 x 8 -> ceil(128/9) = 15 row groups x ceil(128/8) = 16
// column groups = 240 OU steps per input cycle; 16-bit activations through a
// 1-bit DAC -> 16 input cycles. For 3 vectors: OU activations 3*16*240 =
// 11520, ADC conversions 3*16*15*128 = 92160, DAC inputs 3*16*128 = 6144.
TEST_CASE("datapath: counts of the SPATEM crossbar by closed form", "[datapath]") {
  const auto arch = load("spatem.yaml");
  const auto p = reramsim::hw::from_arch(arch, 128, 127);
  const auto block = t::random_block(p, 3, true, 7);
  const CrossbarDatapath dp(p, block.weights);
  CHECK(dp.physical_columns() == 128);
  CHECK(dp.ou_steps_per_input_cycle() == 240);
  CHECK(dp.lossless());  // Qmax = 9 * 1 * 3 = 27 <= 255
  std::vector<std::int64_t> out(3 * 127);
  DatapathCounts counts;
  dp.mvm(block.inputs.data(), 3, true, out.data(), counts);
  CHECK(counts.ou_activations == 11520);
  CHECK(counts.adc_conversions == 92160);
  CHECK(counts.dac_inputs == 6144);
  CHECK(counts.clipped == 0);
}

// 5 weight columns of 8-bit weights in 3-bit cells: S = 3 slices.
// Offset: 5*3 + 1 reference = 16; differential: 2*5*3 = 30.
TEST_CASE("datapath: physical columns of both sign schemes", "[datapath]") {
  const std::vector<std::int16_t> w(2 * 5, 1);
  const CrossbarDatapath offset(t::make_params(2, 5, 8, 3, 8, 1, 2, 4, 8, SignScheme::offset), w);
  const CrossbarDatapath differential(
      t::make_params(2, 5, 8, 3, 8, 1, 2, 4, 8, SignScheme::differential), w);
  CHECK(offset.physical_columns() == 16);
  CHECK(offset.column_groups() == 4);
  CHECK(differential.physical_columns() == 30);
  CHECK(differential.column_groups() == 8);
}

// 1-bit cells, 1-bit DAC, 3-bit ADC (max code 7): Qmax = h, so h = 7 is
// exactly at the ADC range (lossless) and h = 8 is not. With every weight -1
// (u = 0) and every input 1, only the reference column conducts: its OU sum
// is h; the exact result is -h. At h = 8 the ADC clips 8 to 7: -7, not -8.
TEST_CASE("datapath: lossless boundary at Qmax = 2^B - 1", "[datapath]") {
  for (int h : {7, 8}) {
    const auto p = t::make_params(h, 1, 1, 1, 1, 1, h, 1, 3, SignScheme::offset);
    const CrossbarDatapath dp(p, std::vector<std::int16_t>(std::size_t(h), -1));
    CHECK(dp.ou_full_range() == h);
    CHECK(dp.lossless() == (h == 7));
    const std::vector<std::int32_t> x(std::size_t(h), 1);
    std::int64_t out = 0;
    DatapathCounts counts;
    dp.mvm(x.data(), 1, false, &out, counts);
    CHECK(out == -7);  // h = 7: exactly -7; h = 8: -8 with the reference sum clipped
    CHECK(counts.clipped == (h == 7 ? 0 : 1));
  }
}

// Values copied from configs/re-reram.yaml's crossbar and data sections.
TEST_CASE("datapath: from_arch copies the crossbar and data settings", "[datapath]") {
  const auto arch = load("re-reram.yaml");
  const auto p = reramsim::hw::from_arch(arch, 1000, 200);
  CHECK(p.rows == 1000);
  CHECK(p.cols == 200);
  CHECK(p.weight_bits == 4);
  CHECK(p.cell_bits == 4);
  CHECK(p.activation_bits == 4);
  CHECK(p.dac_bits == 4);
  CHECK(p.ou_rows == 1152);
  CHECK(p.ou_cols == 16);
  CHECK(p.adc_bits == 18);
  CHECK(p.adc_overflow == AdcOverflow::clip);
  CHECK(p.sign_scheme == SignScheme::offset);
}

// re-reram.yaml holds (256 - 1) / 1 = 255 weight columns in 1152 rows.
TEST_CASE("datapath: from_arch rejects a block larger than the crossbar", "[datapath]") {
  const auto arch = load("re-reram.yaml");
  CHECK_NOTHROW(reramsim::hw::from_arch(arch, 1152, 255));
  CHECK_THROWS_AS(reramsim::hw::from_arch(arch, 1153, 1), std::invalid_argument);
  CHECK_THROWS_AS(reramsim::hw::from_arch(arch, 1, 256), std::invalid_argument);
}

// ab = 4: unsigned inputs in [0, 15], signed in [-8, 7]; checked on both the
// lossless (8-bit ADC) and the lossy (2-bit ADC) path and in begin_vector.
TEST_CASE("datapath: inputs outside the mode's range throw", "[datapath]") {
  for (int adc_bits : {8, 2}) {
    const auto p = t::make_params(2, 1, 4, 2, 4, 1, 2, 2, adc_bits, SignScheme::offset);
    const CrossbarDatapath dp(p, {1, -1});
    std::int64_t out[1];
    DatapathCounts counts;
    const auto run = [&](std::int32_t x, bool signed_inputs) {
      const std::int32_t in[2] = {0, x};
      dp.mvm(in, 1, signed_inputs, out, counts);
    };
    CHECK_NOTHROW(run(15, false));
    CHECK_THROWS_AS(run(16, false), std::invalid_argument);
    CHECK_THROWS_AS(run(-1, false), std::invalid_argument);
    CHECK_NOTHROW(run(-8, true));
    CHECK_NOTHROW(run(7, true));
    CHECK_THROWS_AS(run(8, true), std::invalid_argument);
    CHECK_THROWS_AS(run(-9, true), std::invalid_argument);
    CrossbarDatapath::StepState state;
    const std::int32_t bad[2] = {16, 0};
    CHECK_THROWS_AS(dp.begin_vector(state, bad, false), std::invalid_argument);
  }
}

// wb = 4: weights in [-8, 7].
TEST_CASE("datapath: weights outside the weight range throw", "[datapath]") {
  const auto p = t::make_params(2, 1, 4, 2, 4, 1, 2, 2, 8, SignScheme::differential);
  CHECK_NOTHROW(CrossbarDatapath(p, {-8, 7}));
  CHECK_THROWS_AS(CrossbarDatapath(p, {8, 0}), std::invalid_argument);
  CHECK_THROWS_AS(CrossbarDatapath(p, {0, -9}), std::invalid_argument);
  CHECK_THROWS_AS(CrossbarDatapath(p, {0}), std::invalid_argument);  // not rows x cols
}
