// Random blocks against references written in datapath_test_util.hpp: the
// naive exact product (lossless ADC) and the bit-level crossbar model (lossy
// ADC), over several shapes, both sign schemes, signed and unsigned inputs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "datapath_test_util.hpp"

using reramsim::arch::AdcOverflow;
using reramsim::arch::SignScheme;
using reramsim::hw::CrossbarDatapath;
using reramsim::hw::DatapathCounts;
using reramsim::hw::DatapathParams;
namespace t = reramsim::hw::test;

namespace {

struct Shape {
  std::int64_t rows, cols;
  int wb, cb, ab, d, ou_rows, ou_cols;
};

// Chosen to cover: partial last row group and column group, slices and
// digits with fewer significant bits (wb % cb, ab % d != 0), 1-bit weights,
// the int64 exact path (wb + ab + log2 R > 31), OU sums in 16, 32 and 64
// bits (Qmax 27 ... 2.6e14, the last with a nominal OU taller than the
// block), per-column totals wider than the OU sums, many full 32-column
// blocks, 16-bit partial sums flushed every 1, 257 and 291 rows (1-bit and
// 4-bit DAC), and digit x cell products beyond 16 bits.
const std::vector<Shape> kShapes = {
    {37, 5, 8, 2, 8, 1, 9, 8},         {64, 7, 7, 3, 5, 2, 16, 5},
    {1, 1, 1, 1, 1, 1, 1, 1},          {130, 9, 4, 4, 4, 4, 128, 16},
    {200, 3, 16, 4, 16, 4, 200, 16},   {300, 16, 16, 8, 16, 8, 300, 16},
    {20, 2, 16, 16, 16, 16, 60000, 4}, {600, 2, 8, 4, 8, 4, 200, 8},
    {3, 2, 16, 16, 16, 16, 1, 3},      {700, 20, 8, 4, 4, 4, 700, 8},
    {800, 40, 8, 8, 2, 1, 800, 8},     {40, 30, 8, 2, 4, 1, 9, 8},
};

DatapathParams params_for(const Shape& s, SignScheme scheme, int adc_bits, AdcOverflow overflow) {
  return t::make_params(s.rows, s.cols, s.wb, s.cb, s.ab, s.d, s.ou_rows, s.ou_cols, adc_bits,
                        scheme, overflow);
}

std::int64_t qmax_of(const Shape& s) {
  return std::int64_t(s.ou_rows) * ((1ll << s.d) - 1) * ((1ll << s.cb) - 1);
}

}  // namespace

namespace {
void check_lossless_exact() {
  std::uint32_t seed = 1;
  for (const Shape& s : kShapes) {
    for (SignScheme scheme : {SignScheme::offset, SignScheme::differential}) {
      for (bool signed_inputs : {false, true}) {
        // The narrowest lossless ADC: 2^B - 1 >= Qmax.
        const auto p = params_for(s, scheme, t::bit_length(qmax_of(s)), AdcOverflow::clip);
        const std::int64_t vectors = 3;
        const auto block = t::random_block(p, vectors, signed_inputs, seed++);
        const CrossbarDatapath dp(p, block.weights);
        REQUIRE(dp.lossless());
        std::vector<std::int64_t> out(std::size_t(vectors * p.cols));
        DatapathCounts counts;
        dp.mvm(block.inputs.data(), vectors, signed_inputs, out.data(), counts);
        INFO("rows " << s.rows << " wb " << s.wb << " cb " << s.cb << " ab " << s.ab << " d " << s.d
                     << " scheme " << int(scheme) << " signed " << signed_inputs);
        CHECK(out == t::exact_product(p, block, vectors));
        CHECK(counts.clipped == 0);
      }
    }
  }
}
}  // namespace

TEST_CASE("datapath: lossless ADC equals the exact integer product", "[datapath]") {
  check_lossless_exact();
}

// Blocks at the edges of the fast path's accumulators, every input and
// weight at its extreme (then random): sums beyond int32 through the 16-bit
// pair kernel (flushed into int64 every 255 row pairs), and inputs outside
// (-2^15, 2^15) on the portable int64 (wb + ab + log2 R > 31) and int32
// paths. Expected values from the naive int64 product.
namespace {
void check_accumulator_limits() {
  struct Case {
    Shape shape;
    bool signed_inputs;
    std::int32_t x;
    std::int16_t w;
  };
  const std::vector<Case> cases = {
      {{1100, 20, 8, 2, 16, 1, 128, 16}, true, -32768, -128},  // 1100 * 2^22 > 2^31
      {{1101, 20, 8, 2, 15, 1, 128, 16}, false, 32767, -128},
      {{300, 3, 16, 4, 16, 4, 300, 16}, true, -32768, -32768},  // |x| = 2^15
      {{64, 5, 8, 2, 16, 1, 9, 8}, false, 65535, -128},         // x beyond int16
  };
  std::uint32_t seed = 900;
  for (const Case& c : cases) {
    const Shape& s = c.shape;
    const auto p = params_for(s, SignScheme::offset, t::bit_length(qmax_of(s)), AdcOverflow::clip);
    for (bool extreme : {true, false}) {
      auto block = t::random_block(p, 2, c.signed_inputs, seed++);
      if (extreme) {
        std::fill(block.weights.begin(), block.weights.end(), c.w);
        std::fill(block.inputs.begin(), block.inputs.end(), c.x);
      }
      const CrossbarDatapath dp(p, block.weights);
      REQUIRE(dp.lossless());
      std::vector<std::int64_t> out(std::size_t(2 * p.cols));
      DatapathCounts counts;
      dp.mvm(block.inputs.data(), 2, c.signed_inputs, out.data(), counts);
      INFO("rows " << s.rows << " x " << c.x << " w " << c.w << " extreme " << extreme);
      CHECK(out == t::exact_product(p, block, 2));
    }
  }
}
}  // namespace

TEST_CASE("datapath: lossless fast path is exact at its accumulator limits", "[datapath]") {
  check_accumulator_limits();
}

// The row-pair kernel has an AVX2 form chosen at run time and an SSE2 form
// for processors without AVX2; RERAMSIM_NO_AVX2 forces the SSE2 form here
// (each test case runs in a process of its own, which chooses once).
TEST_CASE("datapath: the SSE2 kernel is exact too (RERAMSIM_NO_AVX2)", "[datapath]") {
  REQUIRE(setenv("RERAMSIM_NO_AVX2", "1", 1) == 0);
  check_lossless_exact();
  check_accumulator_limits();
}

namespace {
void check_lossy_against_reference(AdcOverflow overflow) {
  std::uint32_t seed = 100;
  std::int64_t clipped_somewhere = 0;
  for (const Shape& s : kShapes) {
    const int full = t::bit_length(qmax_of(s));
    for (SignScheme scheme : {SignScheme::offset, SignScheme::differential}) {
      for (bool signed_inputs : {false, true}) {
        for (int narrower = 1; narrower <= 3; ++narrower) {
          if (full - narrower < 1) continue;
          const auto p = params_for(s, scheme, full - narrower, overflow);
          const std::int64_t vectors = 2;
          const auto block = t::random_block(p, vectors, signed_inputs, seed++);
          const CrossbarDatapath dp(p, block.weights);
          REQUIRE_FALSE(dp.lossless());
          std::vector<std::int64_t> out(std::size_t(vectors * p.cols));
          DatapathCounts counts;
          dp.mvm(block.inputs.data(), vectors, signed_inputs, out.data(), counts);
          const auto ref = t::bit_level_reference(p, block, vectors, signed_inputs);
          INFO("rows " << s.rows << " wb " << s.wb << " cb " << s.cb << " ab " << s.ab << " d "
                       << s.d << " adc " << p.adc_bits << " scheme " << int(scheme) << " signed "
                       << signed_inputs);
          CHECK(out == ref.outputs);
          CHECK(counts.clipped == ref.clipped);
          clipped_somewhere += ref.clipped;
        }
      }
    }
  }
  // The cases must actually lose information, or they test nothing lossy.
  CHECK(clipped_somewhere > 0);
}
}  // namespace

TEST_CASE("datapath: lossy clip ADC equals the bit-level reference", "[datapath]") {
  check_lossy_against_reference(AdcOverflow::clip);
}

TEST_CASE("datapath: lossy drop_lsb ADC equals the bit-level reference", "[datapath]") {
  check_lossy_against_reference(AdcOverflow::drop_lsb);
}

namespace {
void check_stepping(bool lossless) {
  std::uint32_t seed = 500;
  for (const Shape& s : kShapes) {
    const int full = t::bit_length(qmax_of(s));
    if (!lossless && full < 2) continue;
    for (SignScheme scheme : {SignScheme::offset, SignScheme::differential}) {
      for (AdcOverflow overflow : {AdcOverflow::clip, AdcOverflow::drop_lsb}) {
        const bool signed_inputs = (seed % 2) == 0;
        const auto p = params_for(s, scheme, lossless ? full : full - 1, overflow);
        const std::int64_t vectors = 2;
        const auto block = t::random_block(p, vectors, signed_inputs, seed++);
        const CrossbarDatapath dp(p, block.weights);
        REQUIRE(dp.lossless() == lossless);
        std::vector<std::int64_t> out(std::size_t(vectors * p.cols));
        DatapathCounts mvm_counts;
        dp.mvm(block.inputs.data(), vectors, signed_inputs, out.data(), mvm_counts);
        DatapathCounts step_counts;
        const auto stepped = t::step_all(dp, block, vectors, signed_inputs, step_counts);
        INFO("rows " << s.rows << " wb " << s.wb << " scheme " << int(scheme) << " overflow "
                     << int(overflow));
        CHECK(stepped == out);
        CHECK(step_counts.ou_activations == mvm_counts.ou_activations);
        CHECK(step_counts.adc_conversions == mvm_counts.adc_conversions);
        CHECK(step_counts.dac_inputs == mvm_counts.dac_inputs);
        CHECK(step_counts.clipped == mvm_counts.clipped);
      }
    }
  }
}
}  // namespace

TEST_CASE("datapath: stepping every OU reproduces mvm with a lossless ADC", "[datapath]") {
  check_stepping(true);
}

TEST_CASE("datapath: stepping every OU reproduces mvm with a lossy ADC", "[datapath]") {
  check_stepping(false);
}
