// Throughput of the lossy (bit-level) path, and of the lossless fast path for
// comparison, in MACs of the underlying exact
// product per second. Hidden ([.]): not part of the suite, run by hand on a
// Release build: test_datapath "[speed]".
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include "datapath_test_util.hpp"

using reramsim::arch::AdcOverflow;
using reramsim::arch::SignScheme;
using reramsim::hw::CrossbarDatapath;
using reramsim::hw::DatapathCounts;
namespace t = reramsim::hw::test;

namespace {
void measure(const char* label, const reramsim::hw::DatapathParams& p, std::int64_t vectors) {
  const auto block = t::random_block(p, vectors, false, 42);
  const CrossbarDatapath dp(p, block.weights);
  const bool lossless = dp.lossless();
  std::vector<std::int64_t> out(std::size_t(vectors * p.cols));
  DatapathCounts counts;
  dp.mvm(block.inputs.data(), vectors, false, out.data(), counts);  // warm-up
  // Best of 20 batches: the machine may be shared, and the minimum is the
  // least disturbed measurement.
  double best = 1e30;
  for (int batch = 0; batch < 20; ++batch) {
    const auto start = std::chrono::steady_clock::now();
    dp.mvm(block.inputs.data(), vectors, false, out.data(), counts);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double macs = double(vectors) * double(p.rows * p.cols);
  std::cout << label << ": " << macs / best / 1e9 << " GMAC/s (" << best / vectors * 1e6
            << " us per vector, ADC " << p.adc_bits << " bits, "
            << (lossless                              ? "lossless"
                : p.adc_overflow == AdcOverflow::clip ? "clip"
                                                      : "drop_lsb")
            << ")\n";
  CHECK((counts.clipped > 0) == !lossless);
}
}  // namespace

TEST_CASE("datapath: speed of the lossy and lossless paths", "[.][speed]") {
  for (AdcOverflow overflow : {AdcOverflow::clip, AdcOverflow::drop_lsb}) {
    // SPATEM-like: 128 x 127, 8-bit weights in 2-bit cells (509 physical
    // columns), 8-bit activations through a 1-bit DAC, OU 9 x 8; Qmax = 27.
    measure("128x127 wb8 cb2 ab8 d1 OU 9x8",
            t::make_params(128, 127, 8, 2, 8, 1, 9, 8, 4, SignScheme::offset, overflow), 256);
    // Re-ReRAM-like: 1152 x 255, 4-bit weights, cells, activations and DAC,
    // OU 1152 x 16; Qmax = 259200 (18 bits).
    measure("1152x255 wb4 cb4 ab4 d4 OU 1152x16",
            t::make_params(1152, 255, 4, 4, 4, 4, 1152, 16, 4, SignScheme::offset, overflow), 64);
  }
  measure("128x127 wb8 cb2 ab8 d1 OU 9x8",
          t::make_params(128, 127, 8, 2, 8, 1, 9, 8, 5, SignScheme::offset), 256);
  // spatem.yaml's lossless crossbars: 2-bit weights in one 2-bit cell, a
  // 1-bit DAC; 15-bit activations, below 2^15 as the networks' mostly are,
  // so the row-pair kernel runs.
  measure("128x127 wb2 cb2 ab15 d1 OU 9x8",
          t::make_params(128, 127, 2, 2, 15, 1, 9, 8, 8, SignScheme::offset), 256);
  measure("1152x255 wb4 cb4 ab4 d4 OU 1152x16",
          t::make_params(1152, 255, 4, 4, 4, 4, 1152, 16, 18, SignScheme::offset), 64);
}
