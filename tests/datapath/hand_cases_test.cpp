// Small blocks worked out by hand, conversion by conversion. All use R = 2,
// N = 1, wb = 4, cb = 2 (S = 2 slices), ab = 2, d = 1 (K = 2 input cycles),
// OU 2 x 2, so Qmax = 2 * 1 * 3 = 6; a 3-bit ADC (max code 7) is lossless.
#include <catch2/catch.hpp>

#include <vector>

#include "datapath_test_util.hpp"

using reramsim::arch::AdcOverflow;
using reramsim::arch::SignScheme;
using reramsim::hw::CrossbarDatapath;
using reramsim::hw::DatapathCounts;
using reramsim::hw::test::make_params;

namespace {
std::int64_t run_one(const reramsim::hw::DatapathParams& p, std::vector<std::int16_t> w,
                     std::vector<std::int32_t> x, bool signed_inputs, DatapathCounts& counts) {
  const CrossbarDatapath dp(p, std::move(w));
  std::int64_t out = 0;
  dp.mvm(x.data(), 1, signed_inputs, &out, counts);
  return out;
}
}  // namespace

// w = [5, -3], x = [2, 3]. Offset: u = w + 8 = [13, 5] = [0b1101, 0b0101];
// cells (slice 0, slice 1, reference): row 0 [1, 3, 1], row 1 [1, 1, 1].
// Digits: x0 = 0b10, x1 = 0b11 -> cycle 0 a = [0, 1], cycle 1 a = [1, 1].
// OU sums: cycle 0 [1, 1, 1], cycle 1 [2, 4, 2].
// Y = (1 + 4*1) + 2*(2 + 4*4) = 41, Ref = 1 + 2*2 = 5, result = 41 - 8*5 = 1
// = 2*5 + 3*(-3).
TEST_CASE("datapath: hand-computed offset scheme with unsigned inputs", "[datapath]") {
  const auto p = make_params(2, 1, 4, 2, 2, 1, 2, 2, 3, SignScheme::offset);
  DatapathCounts counts;
  CHECK(run_one(p, {5, -3}, {2, 3}, false, counts) == 1);
  CHECK(counts.clipped == 0);
}

// w = [-8, 7], x = [3, 1]. w+ = [0, 7], w- = [8, 0]; 7 = 0b0111 -> slices
// (3, 1), 8 = 0b1000 -> (0, 2). Columns (pos s0, pos s1, neg s0, neg s1):
// row 0 [0, 0, 0, 2], row 1 [3, 1, 0, 0]. Cycle 0 a = [1, 1]: sums
// [3, 1, 0, 2]; cycle 1 a = [1, 0]: [0, 0, 0, 2].
// Y+ = 3 + 4*1 = 7, Y- = 4*2 + 2*(4*2) = 24, result = -17 = 3*(-8) + 1*7.
TEST_CASE("datapath: hand-computed differential scheme", "[datapath]") {
  const auto p = make_params(2, 1, 4, 2, 2, 1, 2, 2, 3, SignScheme::differential);
  DatapathCounts counts;
  CHECK(run_one(p, {-8, 7}, {3, 1}, false, counts) == -17);
}

// w = [5, -3] (cells as in the offset case), signed x = [-2, 1]: sign bit
// inverted, x_u = x + 2 = [0, 3]; both cycles a = [0, 1], sums [1, 1, 1].
// Y = 5 + 2*5 = 15, Ref = 1 + 2 = 3, 15 - 8*3 = -9; minus 2^(ab-1) * (5 - 3)
// = 4 -> -13 = -2*5 + 1*(-3).
TEST_CASE("datapath: hand-computed signed inputs in offset binary", "[datapath]") {
  const auto p = make_params(2, 1, 4, 2, 2, 1, 2, 2, 3, SignScheme::offset);
  DatapathCounts counts;
  CHECK(run_one(p, {5, -3}, {-2, 1}, true, counts) == -13);
}

// The offset case with a 2-bit ADC (max code 3 < Qmax 6), clip: cycle 1's
// slice-1 sum 4 becomes 3. Y = 5 + 2*(2 + 4*3) = 33, Ref = 5,
// 33 - 40 = -7 instead of the exact 1; one conversion clipped.
TEST_CASE("datapath: hand-computed narrow ADC clips", "[datapath]") {
  const auto p = make_params(2, 1, 4, 2, 2, 1, 2, 2, 2, SignScheme::offset, AdcOverflow::clip);
  DatapathCounts counts;
  CHECK(run_one(p, {5, -3}, {2, 3}, false, counts) == -7);
  CHECK(counts.clipped == 1);
}

// The offset case with a 2-bit ADC, drop_lsb: Qmax = 6 = 0b110 has 3 bits,
// t = 1 bit dropped, value = (Q >> 1) << 1. Cycle 0 sums [1, 1, 1] -> 0
// (three conversions lose a bit), cycle 1 [2, 4, 2] unchanged.
// Y = 2*(2 + 4*4) = 36, Ref = 2*2 = 4, 36 - 32 = 4 instead of 1.
TEST_CASE("datapath: hand-computed drop_lsb truncates", "[datapath]") {
  const auto p = make_params(2, 1, 4, 2, 2, 1, 2, 2, 2, SignScheme::offset, AdcOverflow::drop_lsb);
  DatapathCounts counts;
  CHECK(run_one(p, {5, -3}, {2, 3}, false, counts) == 4);
  CHECK(counts.clipped == 3);
}
