#include "reramsim/hw/crossbar_datapath.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

namespace reramsim::hw {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

int bit_length(std::uint64_t value) {
  int bits = 0;
  while (value != 0) {
    ++bits;
    value >>= 1;
  }
  return bits;
}

void require(bool condition, const std::string& what) {
  if (!condition) throw std::invalid_argument("crossbar datapath: " + what);
}

// The least and greatest of count >= 1 values: one min/max pass that
// vectorizes. Every input vector of every MVM is checked, so it is also
// compiled for AVX2 (packed 32-bit min and max; SSE2 has none), used where
// the processor has it.
#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target_clones("avx2", "default")))
#endif
void min_max(const std::int32_t* values, std::int64_t count, std::int32_t& lo, std::int32_t& hi) {
  std::int32_t l = values[0];
  std::int32_t h = values[0];
  for (std::int64_t i = 0; i < count; ++i) {
    // On values, not std::min's references, which GCC does not vectorize.
    const std::int32_t x = values[i];
    l = x < l ? x : l;
    h = x > h ? x : h;
  }
  lo = l;
  hi = h;
}

}  // namespace

DatapathParams from_arch(const arch::ArchConfig& arch, std::int64_t rows, std::int64_t cols) {
  const auto& xbar = arch.crossbar;
  require(rows >= 1 && rows <= xbar.rows,
          "block rows " + std::to_string(rows) + " not in [1, " + std::to_string(xbar.rows) + "]");
  require(cols >= 1 && cols <= arch.weights_per_row(),
          "block weight columns " + std::to_string(cols) + " not in [1, " +
              std::to_string(arch.weights_per_row()) + "]");
  DatapathParams p;
  p.rows = rows;
  p.cols = cols;
  p.weight_bits = arch.data.weight_bits;
  p.cell_bits = xbar.cell_bits;
  p.activation_bits = arch.data.activation_bits;
  p.dac_bits = xbar.dac_bits;
  p.ou_rows = xbar.ou.rows;
  p.ou_cols = xbar.ou.cols;
  p.adc_bits = xbar.adc_bits;
  p.adc_overflow = xbar.adc_overflow;
  p.sign_scheme = xbar.sign_scheme;
  return p;
}

CrossbarDatapath::CrossbarDatapath(const DatapathParams& params, std::vector<std::int16_t> weights)
    : m_params(params), m_weights(std::move(weights)) {
  const DatapathParams& p = m_params;
  // These ranges keep every intermediate within its type: Qmax < 2^48 and
  // |result| <= R * 2^ab * 2^wb < 2^62.
  require(p.rows >= 1 && p.rows <= 65536, "rows not in [1, 65536]");
  require(p.cols >= 1, "cols < 1");
  require(p.weight_bits >= 1 && p.weight_bits <= 16, "weight bits not in [1, 16]");
  require(p.cell_bits >= 1 && p.cell_bits <= p.weight_bits, "cell bits not in [1, weight bits]");
  require(p.activation_bits >= 1 && p.activation_bits <= 30, "activation bits not in [1, 30]");
  require(p.dac_bits >= 1 && p.dac_bits <= std::min(p.activation_bits, 16),
          "DAC bits not in [1, min(activation bits, 16)]");
  require(p.ou_rows >= 1 && p.ou_rows <= 65536, "OU rows not in [1, 65536]");
  require(p.ou_cols >= 1, "OU cols < 1");
  require(p.adc_bits >= 1 && p.adc_bits <= 62, "ADC bits not in [1, 62]");
  require(std::int64_t(m_weights.size()) == p.rows * p.cols, "weights are not rows x cols");

  const std::int64_t rows = p.rows;
  const std::int64_t cols = p.cols;
  const int slices = p.weight_slices();
  const bool offset = p.sign_scheme == arch::SignScheme::offset;
  m_physical_columns = offset ? cols * slices + 1 : 2 * cols * slices;
  m_row_groups = ceil_div(rows, p.ou_rows);
  m_column_groups = ceil_div(m_physical_columns, p.ou_cols);

  const std::int64_t cell_max = (std::int64_t(1) << p.cell_bits) - 1;
  m_qmax = std::int64_t(p.ou_rows) * ((std::int64_t(1) << p.dac_bits) - 1) * cell_max;
  m_max_code = (std::int64_t(1) << p.adc_bits) - 1;
  m_lossless = m_qmax <= m_max_code;
  if (!m_lossless && p.adc_overflow == arch::AdcOverflow::drop_lsb) {
    m_drop_bits = bit_length(std::uint64_t(m_qmax)) - p.adc_bits;
  }
  int growth = 0;
  while ((std::int64_t(1) << growth) < rows) ++growth;
  m_narrow_exact = p.weight_bits + p.activation_bits + growth <= 31;

  // One pass over the rows (a chip programs tens of millions of weights):
  // the range over all of them, checked once, and the column sums.
  const std::int64_t half = std::int64_t(1) << (p.weight_bits - 1);
  m_column_sum.assign(std::size_t(cols), 0);
  std::int16_t lo = 0;
  std::int16_t hi = 0;
  std::int64_t* sums = m_column_sum.data();
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int16_t* w = m_weights.data() + r * cols;
    for (std::int64_t n = 0; n < cols; ++n) {
      const std::int16_t x = w[n];  // (on values, so that it vectorizes)
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
      sums[n] += x;
    }
  }
  if (lo < -half || hi >= half) {
    require(false, "weight " + std::to_string(lo < -half ? lo : hi) + " outside " +
                       std::to_string(p.weight_bits) + "-bit range");
  }
  m_max_abs_weight = std::max(-std::int64_t(lo), std::int64_t(hi));
  // Each mode keeps only the layout its mvm() reads, as a chip holds
  // thousands of crossbars: the cells for the lossy path; the paired weights
  // for the lossless pair kernel. step() derives cells with cell().
  if (!m_lossless) {
    const std::int64_t phys = m_physical_columns;
    m_cells.resize(std::size_t(rows * phys));
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = 0; c < phys; ++c) m_cells[std::size_t(r * phys + c)] = cell(r, c);
    }
  }
#if defined(__SSE2__)
  if (m_lossless) {
    m_pair_stride = ceil_div(cols, 16) * 16;
    m_pair_weights.assign(std::size_t(ceil_div(rows, 2) * m_pair_stride * 2), 0);
    // Two rows at a time, interleaved (vectorizes); an odd last row pairs
    // with zeros.
    for (std::int64_t r = 0; r < rows; r += 2) {
      const std::int16_t* w0 = m_weights.data() + r * cols;
      std::int16_t* pair = m_pair_weights.data() + (r / 2) * m_pair_stride * 2;
      if (r + 1 < rows) {
        const std::int16_t* w1 = w0 + cols;
        for (std::int64_t n = 0; n < cols; ++n) {
          pair[2 * n] = w0[n];
          pair[2 * n + 1] = w1[n];
        }
      } else {
        for (std::int64_t n = 0; n < cols; ++n) pair[2 * n] = w0[n];
      }
    }
  }
#endif
}

std::uint16_t CrossbarDatapath::cell(std::int64_t r, std::int64_t c) const {
  const DatapathParams& p = m_params;
  const int slices = p.weight_slices();
  const bool offset = p.sign_scheme == arch::SignScheme::offset;
  if (offset && c == m_physical_columns - 1) return 1;  // the reference column
  // Column c holds slice s (bits [s*cb, (s+1)*cb)) of a non-negative value:
  // u = w + 2^(wb-1) (offset), or w+ / w- (differential).
  const std::int64_t group = offset ? slices : 2 * slices;
  const std::int64_t n = c / group;
  const int part = int((c % group) / slices);
  const int s = int(c % slices);
  const std::int64_t w = m_weights[std::size_t(r * p.cols + n)];
  const std::int64_t value = offset ? w + (std::int64_t(1) << (p.weight_bits - 1))
                                    : std::max<std::int64_t>(part == 0 ? w : -w, 0);
  return std::uint16_t((value >> (s * p.cell_bits)) & ((std::int64_t(1) << p.cell_bits) - 1));
}

std::int64_t CrossbarDatapath::to_offset_binary(const std::int32_t* inputs, std::int64_t count,
                                                bool signed_inputs, std::uint32_t* out) const {
  const int ab = m_params.activation_bits;
  const std::int64_t low = signed_inputs ? -(std::int64_t(1) << (ab - 1)) : 0;
  const std::int64_t high =
      signed_inputs ? (std::int64_t(1) << (ab - 1)) - 1 : (std::int64_t(1) << ab) - 1;
  std::int32_t lo = 0;
  std::int32_t hi = 0;
  if (count > 0) min_max(inputs, count, lo, hi);
  if (lo < low || hi > high) {
    throw std::invalid_argument("crossbar datapath: input " + std::to_string(lo < low ? lo : hi) +
                                " outside [" + std::to_string(low) + ", " + std::to_string(high) +
                                "] (" + (signed_inputs ? "signed" : "unsigned") + " " +
                                std::to_string(ab) + "-bit)");
  }
  if (out != nullptr) {
    // Inverting the sign bit of a two's-complement number adds 2^(ab-1).
    const std::uint32_t bias = signed_inputs ? std::uint32_t(1) << (ab - 1) : 0;
    for (std::int64_t i = 0; i < count; ++i) out[i] = std::uint32_t(inputs[i]) + bias;
  }
  return std::max(-std::int64_t(lo), std::int64_t(hi));
}

void CrossbarDatapath::combine(const std::int64_t* columns, bool signed_inputs,
                               std::int64_t* outputs) const {
  const DatapathParams& p = m_params;
  const int slices = p.weight_slices();
  const bool offset = p.sign_scheme == arch::SignScheme::offset;
  const auto shift_add = [&](const std::int64_t* slice_sums) {
    std::int64_t y = 0;
    for (int s = 0; s < slices; ++s) y += slice_sums[s] << (s * p.cell_bits);
    return y;
  };
  const std::int64_t reference =
      offset ? columns[m_physical_columns - 1] << (p.weight_bits - 1) : 0;
  const std::int64_t input_bias = signed_inputs ? std::int64_t(1) << (p.activation_bits - 1) : 0;
  for (std::int64_t n = 0; n < p.cols; ++n) {
    std::int64_t y =
        offset ? shift_add(columns + n * slices) - reference
               : shift_add(columns + 2 * n * slices) - shift_add(columns + 2 * n * slices + slices);
    outputs[n] = y - input_bias * m_column_sum[std::size_t(n)];
  }
}

// out[v][n] = sum_r x[v][r] * w[r][n]; Acc is int32 when that is exact, so the
// common narrow case vectorizes in 32-bit lanes.
template <typename Acc>
void CrossbarDatapath::exact_mvm(const std::int32_t* inputs, std::int64_t vectors,
                                 std::int64_t* outputs) const {
  const std::int64_t rows = m_params.rows;
  const std::int64_t cols = m_params.cols;
  std::vector<Acc> acc(static_cast<std::size_t>(cols));
  for (std::int64_t v = 0; v < vectors; ++v) {
    std::fill(acc.begin(), acc.end(), Acc(0));
    const std::int32_t* x = inputs + v * rows;
    for (std::int64_t r = 0; r < rows; ++r) {
      const Acc xr = Acc(x[r]);
      if (xr == 0) continue;  // sparse activations (after ReLU) are common
      const std::int16_t* w = m_weights.data() + r * cols;
      Acc* a = acc.data();
      for (std::int64_t n = 0; n < cols; ++n) a[n] += xr * Acc(w[n]);
    }
    std::int64_t* out = outputs + v * cols;
    for (std::int64_t n = 0; n < cols; ++n) out[n] = std::int64_t(acc[std::size_t(n)]);
  }
}

#if defined(__SSE2__)
namespace {

// A row pair with a nonzero input: its interleaved weights and its inputs,
// x[2i] in the low and x[2i+1] in the high 16 bits.
struct Pair {
  const std::int16_t* weights;
  std::int32_t x;
};

// out[n] = sum over the active pairs of their products, n < cols, with
// SSE2's pmaddwd, which multiplies 16-bit pairs and adds each pair into 32
// bits: two rows per instruction, 4 columns per register, blocks of 16
// columns held in registers across all pairs; the int32 sums are added into
// int64 every `flush` pairs.
void pair_sums_sse2(const Pair* active, std::int64_t count, std::int64_t cols, std::int64_t flush,
                    std::int64_t* out) {
  for (std::int64_t c0 = 0; c0 < cols; c0 += 16) {
    std::int64_t sum[16] = {};
    for (std::int64_t i0 = 0; i0 == 0 || i0 < count; i0 += flush) {
      const std::int64_t i1 = std::min(i0 + flush, count);
      __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
      for (std::int64_t i = i0; i < i1; ++i) {
        const __m128i xv = _mm_set1_epi32(active[i].x);
        const __m128i* w = reinterpret_cast<const __m128i*>(active[i].weights + c0 * 2);
        a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_loadu_si128(w), xv));
        a1 = _mm_add_epi32(a1, _mm_madd_epi16(_mm_loadu_si128(w + 1), xv));
        a2 = _mm_add_epi32(a2, _mm_madd_epi16(_mm_loadu_si128(w + 2), xv));
        a3 = _mm_add_epi32(a3, _mm_madd_epi16(_mm_loadu_si128(w + 3), xv));
      }
      std::int32_t part[16];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(part), a0);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(part + 4), a1);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(part + 8), a2);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(part + 12), a3);
      for (int j = 0; j < 16; ++j) sum[j] += part[j];
    }
    const std::int64_t valid = std::min<std::int64_t>(16, cols - c0);
    for (std::int64_t j = 0; j < valid; ++j) out[c0 + j] = sum[j];
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
#define RERAMSIM_PAIR_SUMS_AVX2 1
// The same sums with AVX2 where the processor has it (the build targets
// plain x86-64): 8 columns per register, so half the multiply-adds, and
// blocks of 32 columns (16 at the end) per pass over the pairs. The same
// int32 chunks as the SSE2 form, so the same exact sums.
__attribute__((target("avx2"))) void pair_sums_avx2(const Pair* active, std::int64_t count,
                                                    std::int64_t cols, std::int64_t flush,
                                                    std::int64_t* out) {
  for (std::int64_t c0 = 0; c0 < cols; c0 += 32) {
    // A second block of 16 columns lies within the padded stride (a
    // multiple of 16) whenever column c0 + 16 exists.
    const bool two_blocks = c0 + 16 < cols;
    std::int64_t sum[32] = {};
    for (std::int64_t i0 = 0; i0 == 0 || i0 < count; i0 += flush) {
      const std::int64_t i1 = std::min(i0 + flush, count);
      __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
      if (two_blocks) {
        for (std::int64_t i = i0; i < i1; ++i) {
          const __m256i xv = _mm256_set1_epi32(active[i].x);
          const __m256i* w = reinterpret_cast<const __m256i*>(active[i].weights + c0 * 2);
          a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_loadu_si256(w), xv));
          a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_loadu_si256(w + 1), xv));
          a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(_mm256_loadu_si256(w + 2), xv));
          a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(_mm256_loadu_si256(w + 3), xv));
        }
      } else {
        for (std::int64_t i = i0; i < i1; ++i) {
          const __m256i xv = _mm256_set1_epi32(active[i].x);
          const __m256i* w = reinterpret_cast<const __m256i*>(active[i].weights + c0 * 2);
          a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_loadu_si256(w), xv));
          a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_loadu_si256(w + 1), xv));
        }
      }
      std::int32_t part[32];
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(part), a0);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(part + 8), a1);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(part + 16), a2);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(part + 24), a3);
      for (int j = 0; j < 32; ++j) sum[j] += part[j];
    }
    const std::int64_t valid = std::min<std::int64_t>(32, cols - c0);
    for (std::int64_t j = 0; j < valid; ++j) out[c0 + j] = sum[j];
  }
}

// RERAMSIM_NO_AVX2 set keeps the SSE2 form on a processor with AVX2 (the
// tests run both forms that way; chosen once per process).
bool has_avx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2") && !std::getenv("RERAMSIM_NO_AVX2");
  return avx2;
}
#endif

}  // namespace

// The exact product by row pairs (pair_sums_*). The caller guarantees
// |x| < 2^15 and that flush_pairs row pairs sum within int32.
void CrossbarDatapath::exact_mvm_pairs(const std::int32_t* inputs, std::int64_t vectors,
                                       std::int64_t flush_pairs, std::int64_t* outputs) const {
  const std::int64_t rows = m_params.rows;
  const std::int64_t cols = m_params.cols;
  const std::int64_t pairs = ceil_div(rows, 2);
  std::vector<Pair> active(static_cast<std::size_t>(pairs));
#if defined(RERAMSIM_PAIR_SUMS_AVX2)
  const auto pair_sums = has_avx2() ? pair_sums_avx2 : pair_sums_sse2;
#else
  const auto pair_sums = pair_sums_sse2;
#endif
  for (std::int64_t v = 0; v < vectors; ++v) {
    const std::int32_t* x = inputs + v * rows;
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < pairs; ++i) {
      const std::uint32_t x0 = std::uint16_t(x[2 * i]);
      const std::uint32_t x1 = 2 * i + 1 < rows ? std::uint16_t(x[2 * i + 1]) : 0;
      // Branch-free skip of all-zero pairs (sparse activations).
      active[std::size_t(count)] = {m_pair_weights.data() + i * m_pair_stride * 2,
                                    std::int32_t(x0 | (x1 << 16))};
      count += (x0 | x1) != 0;
    }
    pair_sums(active.data(), count, cols, flush_pairs, outputs + v * cols);
  }
}
#endif

namespace {

// A row taking part in one input cycle: its cells and its nonzero DAC digit.
struct ActiveRow {
  const std::uint16_t* cells;
  std::uint32_t digit;
};

// out[c] = sum over the active rows of digit * cells[c], c in [0, phys): one
// input cycle's OU sums of one row group. Portable form: one pass per row
// over the sums in memory (physical column innermost, vectorizes).
template <typename Q>
void ou_sums_streaming(const ActiveRow* rows, std::int64_t count, std::int64_t phys, Q* out) {
  std::fill(out, out + phys, Q(0));
  for (std::int64_t i = 0; i < count; ++i) {
    const std::uint16_t* cell = rows[i].cells;
    const Q a = Q(rows[i].digit);
    for (std::int64_t c = 0; c < phys; ++c) out[c] = Q(out[c] + a * cell[c]);
  }
}

#if defined(__GNUC__)
// The same sums, 3x faster: blocks of 32 columns stay in four 16-bit vector
// registers across all rows instead of a load and store of the sums per row
// (GCC/Clang vector extensions; GCC does not keep such a block in registers
// on its own). For a digit times a cell within 16 bits; the 16-bit sums are
// added into `out` every `flush` rows, before they could wrap. Unit: every
// digit is 1 (1-bit DAC), so no multiply.
typedef std::uint16_t U16x8 __attribute__((vector_size(16)));

template <typename Q, bool Unit>
void ou_sums_blocked(const ActiveRow* rows, std::int64_t count, std::int64_t flush,
                     std::int64_t phys, Q* out) {
  constexpr std::int64_t kBlock = 32;
  std::int64_t c0 = 0;
  for (; c0 + kBlock <= phys; c0 += kBlock) {
    Q* o = out + c0;
    for (std::int64_t i0 = 0; i0 == 0 || i0 < count; i0 += flush) {
      const std::int64_t i1 = std::min(i0 + flush, count);
      U16x8 s0 = {}, s1 = {}, s2 = {}, s3 = {};
      for (std::int64_t i = i0; i < i1; ++i) {
        const std::uint16_t* cell = rows[i].cells + c0;
        U16x8 x0, x1, x2, x3;
        std::memcpy(&x0, cell, sizeof x0);  // unaligned loads
        std::memcpy(&x1, cell + 8, sizeof x1);
        std::memcpy(&x2, cell + 16, sizeof x2);
        std::memcpy(&x3, cell + 24, sizeof x3);
        if (!Unit) {
          const std::uint16_t d = std::uint16_t(rows[i].digit);
          const U16x8 a = {d, d, d, d, d, d, d, d};
          x0 *= a;
          x1 *= a;
          x2 *= a;
          x3 *= a;
        }
        s0 += x0;
        s1 += x1;
        s2 += x2;
        s3 += x3;
      }
      std::uint16_t* part = nullptr;
      std::uint16_t staged[kBlock];
      if constexpr (std::is_same_v<Q, std::uint16_t>) {
        part = o;  // one pass over the rows, straight to the output
      } else {
        part = staged;
      }
      std::memcpy(part, &s0, sizeof s0);
      std::memcpy(part + 8, &s1, sizeof s1);
      std::memcpy(part + 16, &s2, sizeof s2);
      std::memcpy(part + 24, &s3, sizeof s3);
      if constexpr (std::is_same_v<Q, std::uint16_t>) {
        continue;
      } else if (i0 == 0) {
        for (std::int64_t j = 0; j < kBlock; ++j) o[j] = part[j];
      } else {
        for (std::int64_t j = 0; j < kBlock; ++j) o[j] = Q(o[j] + part[j]);
      }
    }
  }
  if (c0 < phys) {  // the last, partial block
    for (std::int64_t c = c0; c < phys; ++c) out[c] = 0;
    for (std::int64_t i = 0; i < count; ++i) {
      const Q a = Q(rows[i].digit);
      for (std::int64_t c = c0; c < phys; ++c) out[c] = Q(out[c] + a * rows[i].cells[c]);
    }
  }
}
#endif

// The ADC on `count` OU sums: totals += value; returns the conversions that
// lost information. Counted in chunks in Q's own width so the loop stays in
// narrow vector lanes without the counter wrapping.
template <typename Q, typename T>
std::int64_t quantize(const Q* sums, std::int64_t count, bool clip, Q max_code, Q kept_mask,
                      T* totals) {
  constexpr std::int64_t kChunk = 32768;
  std::int64_t lost = 0;
  for (std::int64_t i0 = 0; i0 < count; i0 += kChunk) {
    const std::int64_t i1 = std::min(i0 + kChunk, count);
    Q chunk_lost = 0;
    if (clip) {
      for (std::int64_t i = i0; i < i1; ++i) {
        chunk_lost = Q(chunk_lost + (sums[i] > max_code));
        totals[i] += T(std::min(sums[i], max_code));
      }
    } else {
      for (std::int64_t i = i0; i < i1; ++i) {
        const Q kept = Q(sums[i] & kept_mask);
        chunk_lost = Q(chunk_lost + (kept != sums[i]));
        totals[i] += T(kept);
      }
    }
    lost += std::int64_t(chunk_lost);
  }
  return lost;
}

}  // namespace

// The bit-level path, per vector and row group: list each input cycle's rows
// with a nonzero digit (skipping zero digits costs nothing in hardware terms
// and is exact), build that cycle's OU sums (Q: the narrowest unsigned type
// holding Qmax), quantize them and add the values per input cycle and
// physical column into totals (T: holds ceil(R/h) ADC values). The shifts by
// 2^(k*d) and 2^(s*cb) come once per vector.
template <typename Q, typename T>
void CrossbarDatapath::quantized_mvm(const std::uint32_t* inputs_u, std::int64_t vectors,
                                     bool signed_inputs, std::int64_t* outputs,
                                     std::int64_t& clipped) const {
  const DatapathParams& p = m_params;
  const std::int64_t rows = p.rows;
  const std::int64_t phys = m_physical_columns;
  const int cycles = p.input_cycles();
  const int d = p.dac_bits;
  const std::uint32_t digit_mask = (std::uint32_t(1) << d) - 1;
  const std::int64_t count = cycles * phys;
  const bool clip = p.adc_overflow == arch::AdcOverflow::clip;
  const Q max_code = Q(std::min(m_max_code, m_qmax));  // < Qmax: lossy
  const Q kept_mask = Q(~((std::uint64_t(1) << m_drop_bits) - 1));
  const auto sums_of = [&](const ActiveRow* active, std::int64_t n, Q* out) {
#if defined(__GNUC__)
    const std::int64_t product_max =
        ((std::int64_t(1) << d) - 1) * ((std::int64_t(1) << p.cell_bits) - 1);
    if (product_max <= 0xFFFF) {
      // 16-bit sums of a Q = uint16 OU never wrap (Qmax <= 0xFFFF).
      const std::int64_t flush =
          std::is_same_v<Q, std::uint16_t> ? std::max<std::int64_t>(n, 1) : 0xFFFF / product_max;
      if (d == 1) {
        ou_sums_blocked<Q, true>(active, n, flush, phys, out);
      } else {
        ou_sums_blocked<Q, false>(active, n, flush, phys, out);
      }
      return;
    }
#endif
    ou_sums_streaming(active, n, phys, out);
  };

  std::vector<ActiveRow> active(static_cast<std::size_t>(cycles * p.ou_rows));
  std::vector<std::int64_t> active_count(static_cast<std::size_t>(cycles));
  std::vector<Q> sums(static_cast<std::size_t>(count));
  std::vector<T> totals(static_cast<std::size_t>(count));
  std::vector<std::int64_t> columns(static_cast<std::size_t>(phys));
  std::int64_t lost = 0;
  for (std::int64_t v = 0; v < vectors; ++v) {
    const std::uint32_t* x = inputs_u + v * rows;
    std::fill(totals.begin(), totals.end(), T(0));
    for (std::int64_t r0 = 0; r0 < rows; r0 += p.ou_rows) {
      const std::int64_t r1 = std::min<std::int64_t>(r0 + p.ou_rows, rows);
      std::fill(active_count.begin(), active_count.end(), 0);
      for (std::int64_t r = r0; r < r1; ++r) {
        if (x[r] == 0) continue;  // sparse activations (after ReLU) are common
        for (int k = 0; k < cycles; ++k) {
          // Branch-free: digits are random bits, a branch would mispredict.
          const std::uint32_t a = (x[r] >> (k * d)) & digit_mask;
          std::int64_t& n = active_count[std::size_t(k)];
          active[std::size_t(k * p.ou_rows + n)] = {m_cells.data() + r * phys, a};
          n += a != 0;
        }
      }
      for (int k = 0; k < cycles; ++k) {
        sums_of(active.data() + k * p.ou_rows, active_count[std::size_t(k)],
                sums.data() + k * phys);
      }
      lost += quantize(sums.data(), count, clip, max_code, kept_mask, totals.data());
    }
    std::fill(columns.begin(), columns.end(), 0);
    for (int k = 0; k < cycles; ++k) {
      const T* total = totals.data() + k * phys;
      for (std::int64_t c = 0; c < phys; ++c)
        columns[std::size_t(c)] += std::int64_t(total[c]) << (k * d);
    }
    combine(columns.data(), signed_inputs, outputs + v * p.cols);
  }
  clipped += lost;
}

// Picks T, the narrowest type (at least Q) holding the sum over row groups
// of one column's ADC values.
template <typename Q>
void CrossbarDatapath::quantized_mvm_for(const std::uint32_t* inputs_u, std::int64_t vectors,
                                         bool signed_inputs, std::int64_t* outputs,
                                         std::int64_t& clipped) const {
  const bool clip = m_params.adc_overflow == arch::AdcOverflow::clip;
  const std::uint64_t bound =
      std::uint64_t(m_row_groups) * std::uint64_t(clip ? m_max_code : m_qmax);
  if constexpr (std::is_same_v<Q, std::uint16_t>) {
    if (bound <= 0xFFFF) {
      quantized_mvm<Q, std::uint16_t>(inputs_u, vectors, signed_inputs, outputs, clipped);
      return;
    }
  }
  if constexpr (!std::is_same_v<Q, std::uint64_t>) {
    if (bound <= 0xFFFFFFFFull) {
      quantized_mvm<Q, std::uint32_t>(inputs_u, vectors, signed_inputs, outputs, clipped);
      return;
    }
  }
  quantized_mvm<Q, std::uint64_t>(inputs_u, vectors, signed_inputs, outputs, clipped);
}

void CrossbarDatapath::exact_product(const std::int32_t* inputs, std::int64_t vectors,
                                     std::int64_t max_abs_x, std::int64_t* outputs) const {
#if defined(__SSE2__)
  // The SSE2 kernel is exact for this batch when |x| < 2^15: with |w| <= 2^15
  // a row pair's sum stays below 2^31 - 2^16, and int32_max / pair_max pairs
  // sum within int32 before the flush into int64.
  if (max_abs_x <= 0x7FFF) {
    const std::int64_t pair_max = 2 * max_abs_x * m_max_abs_weight;
    exact_mvm_pairs(inputs, vectors, pair_max == 0 ? m_params.rows : 0x7FFFFFFF / pair_max,
                    outputs);
    return;
  }
#endif
  if (m_narrow_exact) {
    exact_mvm<std::int32_t>(inputs, vectors, outputs);
  } else {
    exact_mvm<std::int64_t>(inputs, vectors, outputs);
  }
}

void CrossbarDatapath::mvm(const std::int32_t* inputs, std::int64_t vectors, bool signed_inputs,
                           std::int64_t* outputs, DatapathCounts& counts) const {
  require(vectors >= 0, "negative vector count");
  if (vectors == 0) return;
  const std::int64_t rows = m_params.rows;
  if (m_lossless) {
    // value = Q for every conversion, so the bit-level result is the exact
    // product (docs/hardware.md); compute it directly.
    const std::int64_t max_abs_x = to_offset_binary(inputs, vectors * rows, signed_inputs, nullptr);
    exact_product(inputs, vectors, max_abs_x, outputs);
  } else {
    std::vector<std::uint32_t> inputs_u(static_cast<std::size_t>(vectors * rows));
    to_offset_binary(inputs, vectors * rows, signed_inputs, inputs_u.data());
    if (m_qmax <= 0xFFFF) {
      quantized_mvm_for<std::uint16_t>(inputs_u.data(), vectors, signed_inputs, outputs,
                                       counts.clipped);
    } else if (m_qmax <= 0xFFFFFFFFll) {
      quantized_mvm_for<std::uint32_t>(inputs_u.data(), vectors, signed_inputs, outputs,
                                       counts.clipped);
    } else {
      quantized_mvm_for<std::uint64_t>(inputs_u.data(), vectors, signed_inputs, outputs,
                                       counts.clipped);
    }
  }
  const std::int64_t cycles = vectors * m_params.input_cycles();
  counts.ou_activations += cycles * ou_steps_per_input_cycle();
  counts.adc_conversions += cycles * m_row_groups * m_physical_columns;
  counts.dac_inputs += cycles * rows;
}

void CrossbarDatapath::begin_vector(StepState& state, const std::int32_t* input,
                                    bool signed_inputs) const {
  state.m_inputs.resize(std::size_t(m_params.rows));
  to_offset_binary(input, m_params.rows, signed_inputs, state.m_inputs.data());
  state.m_columns.assign(std::size_t(m_physical_columns), 0);
  state.m_signed_inputs = signed_inputs;
}

void CrossbarDatapath::step(StepState& state, int k, std::int64_t g, std::int64_t c,
                            DatapathCounts& counts) const {
  const DatapathParams& p = m_params;
  require(
      k >= 0 && k < p.input_cycles() && g >= 0 && g < m_row_groups && c >= 0 && c < m_column_groups,
      "OU step (k, g, c) out of range");
  require(std::int64_t(state.m_inputs.size()) == p.rows, "step() before begin_vector()");
  const std::int64_t r0 = g * p.ou_rows;
  const std::int64_t r1 = std::min<std::int64_t>(r0 + p.ou_rows, p.rows);
  const std::int64_t c0 = c * p.ou_cols;
  const std::int64_t c1 = std::min<std::int64_t>(c0 + p.ou_cols, m_physical_columns);
  const std::uint32_t digit_mask = (std::uint32_t(1) << p.dac_bits) - 1;
  const std::uint64_t kept_mask = ~((std::uint64_t(1) << m_drop_bits) - 1);
  const bool clip = p.adc_overflow == arch::AdcOverflow::clip;
  for (std::int64_t col = c0; col < c1; ++col) {
    std::uint64_t q = 0;
    for (std::int64_t r = r0; r < r1; ++r) {
      const std::uint64_t a = (state.m_inputs[std::size_t(r)] >> (k * p.dac_bits)) & digit_mask;
      q += a * cell(r, col);
    }
    // Same ADC rule as quantized_mvm; lossless: max_code >= Qmax and no
    // dropped bits, so value = q.
    std::uint64_t value = q;
    if (clip) {
      value = std::min(q, std::uint64_t(m_max_code));
    } else {
      value = q & kept_mask;
    }
    counts.clipped += value != q;
    state.m_columns[std::size_t(col)] += std::int64_t(value) << (k * p.dac_bits);
  }
  counts.ou_activations += 1;
  counts.adc_conversions += c1 - c0;
  if (c == 0) counts.dac_inputs += r1 - r0;
}

void CrossbarDatapath::finish_vector(const StepState& state, std::int64_t* outputs) const {
  require(std::int64_t(state.m_columns.size()) == m_physical_columns,
          "finish_vector() before begin_vector()");
  combine(state.m_columns.data(), state.m_signed_inputs, outputs);
}

}  // namespace reramsim::hw
