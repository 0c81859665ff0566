// Reference execution of the quantized network: im2col + integer GEMM for
// conv, matrix-vector products for local and fc, direct loops for the rest.
//
// Accumulators. Every output is accumulated exactly in int64. The inner
// products are computed in int32 over chunks of the reduction dimension, each
// chunk short enough that chunk * max|activation| * max|weight| <= INT32_MAX
// (the maxima are measured on the layer's actual data, so nothing can
// overflow whatever the inputs), and each chunk's sum is added to the int64
// accumulator. At 8 bits a chunk is ~131k products, so every layer is one chunk
// and the int16 x int16 -> int32 dot products vectorize (pmaddwd). Wider data
// (e.g. 16 bits, where one product may reach 2^30) makes chunks too short:
// conv then splits its activations into bytes (see run_conv), fc and local
// fall back to int64 loops, as does anything whose activations exceed int16.
#include "reramsim/workloads/reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

namespace reramsim::workloads {
namespace {

using i16 = std::int16_t;
using i32 = std::int32_t;
using i64 = std::int64_t;

constexpr i64 kInt32Max = std::numeric_limits<i32>::max();
// Below this chunk length the int32 partial sums cost more than they save.
constexpr i64 kMinInt32Chunk = 64;
// Rows of the im2col matrix built at a time (bounds memory for large layers;
// a block of ~256 x K int16 stays in L2).
constexpr i64 kRowBlock = 256;
// Weight-matrix columns processed per pass over a row block: 64 columns of a
// transposed weight matrix with K <= 4608 is <= 576 KiB, usually far less.
constexpr i64 kColBlock = 64;

i64 act_hi(int bits) {
  return (i64(1) << (bits - 1)) - 1;
}
i64 act_lo(int bits) {
  return -(i64(1) << (bits - 1));
}

i64 round_shift(i64 x, int s) {
  return s == 0 ? x : (x + (i64(1) << (s - 1))) >> s;
}

[[noreturn]] void fail(const Layer& layer, const std::string& what) {
  throw std::invalid_argument("reference: layer '" + layer.name + "': " + what);
}

// Chunk length for int32 partial sums of products bounded by max_a * max_w.
i64 int32_chunk(i64 max_a, i64 max_w) {
  const i64 p = max_a * max_w;
  return p == 0 ? std::numeric_limits<i64>::max() : kInt32Max / p;
}

// The kernels below are also compiled for AVX2 (wider multiply-adds, packed
// 32-bit min and max) and chosen at run time where the processor has it;
// the build targets plain x86-64. Integer arithmetic: the same results.
#if defined(__GNUC__) && defined(__x86_64__)
#define RERAMSIM_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RERAMSIM_AVX2_CLONES
#endif

// max |v[i]| from the least and greatest value (in the values' own width,
// so the loop vectorizes; |INT32_MIN| is taken in 64 bits at the end).
template <typename T>
i64 max_abs_of(const T* v, std::size_t n) {
  T lo = 0, hi = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // On values, not std::min's references, which GCC does not vectorize.
    const T x = v[i];
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  return std::max(-i64(lo), i64(hi));
}

RERAMSIM_AVX2_CLONES i64 max_abs(const i32* v, std::size_t n) {
  return max_abs_of(v, n);
}

RERAMSIM_AVX2_CLONES i64 max_abs(const std::vector<i16>& v) {
  return max_abs_of(v.data(), v.size());
}

bool fits_i16(i64 max_abs_value) {
  return max_abs_value <= std::numeric_limits<i16>::max();
}

// Clamp for layers that keep their input scale (pool, lrn, concat).
i32 clamp_passthrough(i64 y, int bits, bool relu) {
  if (relu) y = std::max<i64>(y, 0);
  return i32(std::clamp(y, act_lo(bits), act_hi(bits)));
}

// One im2col window (see im2col_window) into any element type.
template <typename T>
void im2col_into(const Tensor& in, const Layer& layer, int c0, int cg, int oy, int ox, T* col) {
  const int y0 = oy * layer.stride_h - layer.pad_h;
  const int x0 = ox * layer.stride_w - layer.pad_w;
  for (int r = 0; r < layer.kernel_h; ++r) {
    const int y = y0 + r;
    for (int s = 0; s < layer.kernel_w; ++s) {
      const int x = x0 + s;
      T* dst = col + (std::size_t(r) * layer.kernel_w + s) * cg;
      if (y < 0 || y >= in.shape.h || x < 0 || x >= in.shape.w) {
        std::fill(dst, dst + cg, T(0));
        continue;
      }
      const i32* src = in.data.data() + (std::size_t(y) * in.shape.w + x) * in.shape.c + c0;
      for (int c = 0; c < cg; ++c) dst[c] = T(src[c]);
    }
  }
}

// out[0..3] += dot(a, w_i) over n products, summed in int32 (the caller
// guarantees n * max|a| * max|w| <= INT32_MAX). Four columns share each load
// of `a`; the loop vectorizes to widening multiply-adds.
inline void dot4_i32(const i16* __restrict a, const i16* __restrict w0, const i16* __restrict w1,
                     const i16* __restrict w2, const i16* __restrict w3, i64 n, i64* out) {
  i32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (i64 k = 0; k < n; ++k) {
    s0 += i32(a[k]) * i32(w0[k]);
    s1 += i32(a[k]) * i32(w1[k]);
    s2 += i32(a[k]) * i32(w2[k]);
    s3 += i32(a[k]) * i32(w3[k]);
  }
  out[0] += s0;
  out[1] += s1;
  out[2] += s2;
  out[3] += s3;
}

inline i64 dot1_i32(const i16* __restrict a, const i16* __restrict w, i64 n) {
  i32 s = 0;
  for (i64 k = 0; k < n; ++k) s += i32(a[k]) * i32(w[k]);
  return s;
}

template <typename TA>
inline i64 dot1_i64(const TA* __restrict a, const i16* __restrict w, i64 n) {
  i64 s = 0;
  for (i64 k = 0; k < n; ++k) s += i64(a[k]) * i64(w[k]);
  return s;
}

// acc[p * acc_stride + j] = sum_k a[p * K + k] * wt[j * K + k] for p < rows,
// j < cols (wt is the transposed weight matrix: one contiguous row per output).
RERAMSIM_AVX2_CLONES void gemm_i16(const i16* a, const i16* wt, i64 rows, i64 k_len, i64 cols,
                                   i64 chunk, i64* acc, i64 acc_stride) {
  for (i64 jb = 0; jb < cols; jb += kColBlock) {
    const i64 je = std::min(cols, jb + kColBlock);
    for (i64 p = 0; p < rows; ++p) {
      const i16* ap = a + p * k_len;
      i64* out = acc + p * acc_stride;
      for (i64 k0 = 0; k0 < k_len; k0 += chunk) {
        const i64 n = std::min(chunk, k_len - k0);
        i64 j = jb;
        for (; j + 4 <= je; j += 4) {
          const i16* w = wt + j * k_len + k0;
          dot4_i32(ap + k0, w, w + k_len, w + 2 * k_len, w + 3 * k_len, n, out + j);
        }
        for (; j < je; ++j) out[j] += dot1_i32(ap + k0, wt + j * k_len + k0, n);
      }
    }
  }
}

template <typename TA>
void gemm_i64(const TA* a, const i16* wt, i64 rows, i64 k_len, i64 cols, i64* acc, i64 acc_stride) {
  for (i64 p = 0; p < rows; ++p) {
    for (i64 j = 0; j < cols; ++j)
      acc[p * acc_stride + j] += dot1_i64(a + p * k_len, wt + j * k_len, k_len);
  }
}

// out[j] += sum_k x[k] * w[k * cols + j] (w row-major, rows = k_len). Each
// weight is used once (fc, local), so stream it row by row; zero activations
// (common after ReLU) skip their row.
template <typename TA>
void matvec(const TA* x, const i16* w, i64 k_len, i64 cols, i64 chunk, i64* out,
            std::vector<i32>& partial) {
  if (chunk < kMinInt32Chunk) {
    for (i64 k = 0; k < k_len; ++k) {
      const i64 xk = x[k];
      if (xk == 0) continue;
      const i16* wk = w + k * cols;
      for (i64 j = 0; j < cols; ++j) out[j] += xk * wk[j];
    }
    return;
  }
  partial.resize(std::size_t(cols));
  for (i64 k0 = 0; k0 < k_len; k0 += chunk) {
    const i64 k1 = std::min(k_len, k0 + chunk);
    std::fill(partial.begin(), partial.end(), 0);
    i32* __restrict ps = partial.data();
    for (i64 k = k0; k < k1; ++k) {
      const i32 xk = i32(x[k]);
      if (xk == 0) continue;
      const i16* __restrict wk = w + k * cols;
      for (i64 j = 0; j < cols; ++j) ps[j] += xk * i32(wk[j]);
    }
    for (i64 j = 0; j < cols; ++j) out[j] += ps[j];
  }
}

// Uniform `bits`-bit values cut from the engine's 64-bit outputs: each output
// yields floor(64 / bits) fields, lowest bits first, the leftover high bits are
// dropped. Every range drawn is a power of two, so lo + field is exactly
// uniform; taking several values per output matters because mt19937_64 costs
// ~10 ns a draw and large networks hold ~10^8 weights.
class BitFields {
 public:
  BitFields(std::mt19937_64& rng, int bits)
      : m_rng(rng), m_bits(bits), m_mask((std::uint64_t(1) << bits) - 1), m_per_word(64 / bits) {}

  // out[i] = lo + next field, for i < n.
  template <typename T>
  void fill(T* out, std::size_t n, i64 lo) {
    std::size_t i = 0;
    for (; i < n && m_left > 0; ++i) out[i] = T(lo + i64(next()));
    // Whole words without the per-field refill check.
    const std::size_t per_word = std::size_t(m_per_word);
    for (; n - i >= per_word; i += per_word) {
      std::uint64_t word = m_rng();
      for (std::size_t f = 0; f < per_word; ++f, word >>= m_bits)
        out[i + f] = T(lo + i64(word & m_mask));
    }
    for (; i < n; ++i) out[i] = T(lo + i64(next()));
  }

 private:
  std::uint64_t next() {
    if (m_left == 0) {
      m_word = m_rng();
      m_left = m_per_word;
    }
    const std::uint64_t v = m_word & m_mask;
    m_word >>= m_bits;
    --m_left;
    return v;
  }

  std::mt19937_64& m_rng;
  int m_bits;
  std::uint64_t m_mask;
  int m_per_word;
  int m_left = 0;
  std::uint64_t m_word = 0;
};

const Tensor& input_of(const QuantizedNetwork& qnet, const std::vector<Tensor>& outputs,
                       int index) {
  return index == kNetworkInput ? qnet.input : outputs[std::size_t(index)];
}

void check_input(const Layer& layer, const Tensor& in) {
  if (!(in.shape == layer.in))
    fail(layer, "input tensor shape differs from the layer's input shape");
  if (in.data.size() != std::size_t(in.shape.elements()))
    fail(layer, "input tensor has the wrong size");
}

// t[j * rows + k] = m[k * cols + j]: the transpose of a rows x cols matrix,
// in square tiles so that neither the reads nor the strided writes leave
// the cache between neighbours.
void transpose(const i16* m, i64 rows, i64 cols, i16* t) {
  constexpr i64 kTile = 32;
  for (i64 k0 = 0; k0 < rows; k0 += kTile) {
    const i64 k1 = std::min(rows, k0 + kTile);
    for (i64 j0 = 0; j0 < cols; j0 += kTile) {
      const i64 j1 = std::min(cols, j0 + kTile);
      for (i64 k = k0; k < k1; ++k)
        for (i64 j = j0; j < j1; ++j) t[j * rows + k] = m[k * cols + j];
    }
  }
}

// conv: per group, im2col a block of output positions, then GEMM against the
// transposed group matrix. acc is E x F x M.
//
// Three paths, by the int32 chunk the data allows (see the file comment):
// direct int16 GEMM; for wide int16 data (e.g. 16-bit), the same GEMM twice on
// the activations split into bytes, a = 256 * hi + lo with hi in [-128, 127]
// and lo in [0, 255], which shortens no chunk below 2^31 / (255 * 2^15) = 257;
// plain int64 only for activations beyond int16.
void run_conv(const Layer& layer, const QuantizedLayer& ql, const Tensor& in,
              std::vector<i64>& acc) {
  enum class Path { direct, split, wide };
  const MatrixShape ms = lower(layer);
  const i64 k_len = ms.rows, cols = ms.cols, positions = ms.vectors;
  const int cg = layer.in.c / layer.groups;
  const i64 max_a = max_abs(in.data.data(), in.data.size());
  const i64 max_w = max_abs(ql.weights);
  const i64 chunk = std::min(k_len, int32_chunk(max_a, max_w));
  const i64 split_chunk = std::min(k_len, int32_chunk(255, max_w));
  Path path = Path::split;
  if (!fits_i16(max_a))
    path = Path::wide;
  else if (chunk >= std::min(k_len, kMinInt32Chunk))
    path = Path::direct;

  std::vector<i16> wt(std::size_t(k_len * cols));
  std::vector<i16> a16, lo16;
  std::vector<i32> a32;
  if (path == Path::wide)
    a32.resize(std::size_t(kRowBlock * k_len));
  else
    a16.resize(std::size_t(kRowBlock * k_len));
  if (path == Path::split) lo16.resize(a16.size());

  for (int g = 0; g < layer.groups; ++g) {
    const i16* wg = ql.weights.data() + g * k_len * cols;
    transpose(wg, k_len, cols, wt.data());
    for (i64 p0 = 0; p0 < positions; p0 += kRowBlock) {
      const i64 rows = std::min(kRowBlock, positions - p0);
      for (i64 p = 0; p < rows; ++p) {
        const int oy = int((p0 + p) / layer.out.w), ox = int((p0 + p) % layer.out.w);
        if (path == Path::wide)
          im2col_into(in, layer, g * cg, cg, oy, ox, a32.data() + p * k_len);
        else
          im2col_into(in, layer, g * cg, cg, oy, ox, a16.data() + p * k_len);
      }
      i64* out = acc.data() + p0 * layer.out_channels + g * cols;
      const i64 stride = layer.out_channels;
      switch (path) {
        case Path::direct:
          gemm_i16(a16.data(), wt.data(), rows, k_len, cols, chunk, out, stride);
          break;
        case Path::split: {
          const std::size_t n = std::size_t(rows * k_len);
          for (std::size_t i = 0; i < n; ++i) {
            // a mod 256 via the well-defined unsigned conversion; the division
            // is exact once the low byte is removed.
            const i32 lo = i32(std::uint16_t(a16[i]) & 0xFFu);
            lo16[i] = i16(lo);
            a16[i] = i16((a16[i] - lo) / 256);
          }
          // This block's region of acc is still zero: sum the high bytes, scale
          // by 256, then add the low bytes.
          gemm_i16(a16.data(), wt.data(), rows, k_len, cols, split_chunk, out, stride);
          for (i64 p = 0; p < rows; ++p)
            for (i64 j = 0; j < cols; ++j) out[p * stride + j] *= 256;
          gemm_i16(lo16.data(), wt.data(), rows, k_len, cols, split_chunk, out, stride);
          break;
        }
        case Path::wide:
          gemm_i64(a32.data(), wt.data(), rows, k_len, cols, out, stride);
          break;
      }
    }
  }
}

// local: one matrix per output position; fc: one matrix over the flattened
// input (H, W, C order is the tensor's storage order).
void run_matvec_layer(const Layer& layer, const QuantizedLayer& ql, const Tensor& in,
                      std::vector<i64>& acc) {
  const MatrixShape ms = lower(layer);
  const i64 max_a = max_abs(in.data.data(), in.data.size());
  const i64 chunk = int32_chunk(max_a, max_abs(ql.weights));
  const bool narrow = fits_i16(max_a);
  std::vector<i32> partial;
  if (layer.type == LayerType::fc) {
    matvec(in.data.data(), ql.weights.data(), ms.rows, ms.cols, chunk, acc.data(), partial);
    return;
  }
  std::vector<i16> col16(std::size_t(ms.rows));
  std::vector<i32> col32(std::size_t(ms.rows));
  for (i64 p = 0; p < ms.matrices; ++p) {
    const int oy = int(p / layer.out.w), ox = int(p % layer.out.w);
    const i16* w = ql.weights.data() + p * ms.rows * ms.cols;
    i64* out = acc.data() + p * ms.cols;
    if (narrow) {
      im2col_into(in, layer, 0, layer.in.c, oy, ox, col16.data());
      matvec(col16.data(), w, ms.rows, ms.cols, chunk, out, partial);
    } else {
      im2col_into(in, layer, 0, layer.in.c, oy, ox, col32.data());
      matvec(col32.data(), w, ms.rows, ms.cols, chunk, out, partial);
    }
  }
}

void run_pool(const Layer& layer, const Tensor& in, int bits, bool relu, Tensor& out) {
  const int c_len = in.shape.c;
  std::vector<i64> sum(static_cast<std::size_t>(c_len));
  std::vector<i32> best(static_cast<std::size_t>(c_len));
  for (int oy = 0; oy < layer.out.h; ++oy) {
    // Window positions outside the unpadded input (padding, or past the edge
    // in ceil mode) are skipped.
    const int y0 = oy * layer.stride_h - layer.pad_h;
    const int ya = std::max(y0, 0), yb = std::min(y0 + layer.kernel_h, in.shape.h);
    for (int ox = 0; ox < layer.out.w; ++ox) {
      const int x0 = ox * layer.stride_w - layer.pad_w;
      const int xa = std::max(x0, 0), xb = std::min(x0 + layer.kernel_w, in.shape.w);
      const i64 count = i64(std::max(0, yb - ya)) * std::max(0, xb - xa);
      std::fill(sum.begin(), sum.end(), 0);
      std::fill(best.begin(), best.end(), std::numeric_limits<i32>::min());
      for (int y = ya; y < yb; ++y)
        for (int x = xa; x < xb; ++x) {
          const i32* src = in.data.data() + (std::size_t(y) * in.shape.w + x) * c_len;
          for (int c = 0; c < c_len; ++c) {
            sum[std::size_t(c)] += src[c];
            best[std::size_t(c)] = std::max(best[std::size_t(c)], src[c]);
          }
        }
      i32* dst = out.data.data() + (std::size_t(oy) * layer.out.w + ox) * c_len;
      for (int c = 0; c < c_len; ++c) {
        i64 y = 0;  // a window with no position inside the input yields 0
        if (count > 0 && layer.pool_mode == PoolMode::max) {
          y = best[std::size_t(c)];
        } else if (count > 0) {
          // Half away from zero: round |sum| / count half up, restore the sign.
          const i64 s = sum[std::size_t(c)];
          const i64 q = (2 * std::abs(s) + count) / (2 * count);
          y = s < 0 ? -q : q;
        }
        dst[c] = clamp_passthrough(y, bits, relu);
      }
    }
  }
}

void run_lrn(const Layer& layer, const Tensor& in, int bits, bool relu, Tensor& out) {
  const int c_len = in.shape.c;
  const int half = layer.lrn_size / 2;
  const double scale = layer.lrn_alpha / layer.lrn_size;
  std::vector<double> sq(std::size_t(c_len) + 1);  // prefix sums of x^2 over channels
  for (i64 p = 0; p < in.shape.elements() / c_len; ++p) {
    const i32* src = in.data.data() + p * c_len;
    i32* dst = out.data.data() + p * c_len;
    sq[0] = 0;
    for (int c = 0; c < c_len; ++c)
      sq[std::size_t(c) + 1] = sq[std::size_t(c)] + double(src[c]) * src[c];
    for (int c = 0; c < c_len; ++c) {
      const int lo = std::max(0, c - half), hi = std::min(c_len - 1, c + half);
      const double denom = std::pow(
          layer.lrn_k + scale * (sq[std::size_t(hi) + 1] - sq[std::size_t(lo)]), layer.lrn_beta);
      dst[c] = clamp_passthrough(std::lround(src[c] / denom), bits, relu);
    }
  }
}

void run_concat(const Layer& layer, const std::vector<const Tensor*>& ins, int bits, bool relu,
                Tensor& out) {
  const i64 positions = i64(layer.out.h) * layer.out.w;
  int c0 = 0;
  for (const Tensor* t : ins) {
    if (i64(t->shape.h) * t->shape.w != positions)
      fail(layer, "concat inputs differ in height or width");
    for (i64 p = 0; p < positions; ++p)
      for (int c = 0; c < t->shape.c; ++c)
        out.data[std::size_t(p * layer.out.c + c0 + c)] =
            clamp_passthrough(t->data[std::size_t(p * t->shape.c + c)], bits, relu);
    c0 += t->shape.c;
  }
  if (c0 != layer.out.c) fail(layer, "concat input channels do not sum to the output channels");
}

}  // namespace

std::int32_t requantize(std::int64_t acc, int shift, int activation_bits, bool relu) {
  if (shift < 0 || shift > 62) throw std::invalid_argument("requantize: shift out of range");
  const i64 lo = relu ? 0 : act_lo(activation_bits);
  return i32(std::clamp(round_shift(acc, shift), lo, act_hi(activation_bits)));
}

void im2col_window(const Tensor& input, const Layer& layer, int group, int out_y, int out_x,
                   std::int32_t* column) {
  const int cg = layer.type == LayerType::conv ? layer.in.c / layer.groups : layer.in.c;
  im2col_into(input, layer, group * cg, cg, out_y, out_x, column);
}

std::int16_t QuantizedNetwork::weight(int l, std::int64_t m, std::int64_t row,
                                      std::int64_t col) const {
  const MatrixShape ms = lower(network->layers[std::size_t(l)]);
  return layers[std::size_t(l)].weights[std::size_t((m * ms.rows + row) * ms.cols + col)];
}

QuantizedNetwork quantize(const Network& network, const QuantizationSpec& spec) {
  if (spec.weight_bits < 1 || spec.weight_bits > 16)
    throw std::invalid_argument("quantize: weight_bits must be in [1, 16] (weights are int16)");
  if (spec.activation_bits < 2 || spec.activation_bits > 31)
    throw std::invalid_argument("quantize: activation_bits must be in [2, 31]");
  QuantizedNetwork qnet;
  qnet.network = &network;
  qnet.spec = spec;
  qnet.layers.resize(network.layers.size());
  // mt19937_64 output is specified by the standard and the mapping is ours, so
  // the draw is identical on every platform. Weights take consecutive fields of
  // one draw stream across layers (in layer order), the input a fresh stream.
  std::mt19937_64 rng(spec.seed);
  BitFields weight_fields(rng, spec.weight_bits);
  const i64 w_lo = act_lo(spec.weight_bits);
  for (std::size_t l = 0; l < network.layers.size(); ++l) {
    const Layer& layer = network.layers[l];
    if (!layer.has_weights()) continue;
    const MatrixShape ms = lower(layer);
    auto& w = qnet.layers[l].weights;
    w.resize(std::size_t(ms.matrices * ms.rows * ms.cols));
    weight_fields.fill(w.data(), w.size(), w_lo);
    if (layer.pruned_outputs.empty()) continue;
    // Pruned columns are drawn like the rest, then zeroed, so pruning a layer
    // leaves the stream, and so every other weight, as in the dense network.
    std::vector<bool> kept(std::size_t(ms.cols));
    for (i64 m = 0; m < ms.matrices; ++m) {
      std::fill(kept.begin(), kept.end(), false);
      for (i64 c : kept_columns(layer, m)) kept[std::size_t(c)] = true;
      i16* wm = w.data() + m * ms.rows * ms.cols;
      for (i64 r = 0; r < ms.rows; ++r)
        for (i64 c = 0; c < ms.cols; ++c)
          if (!kept[std::size_t(c)]) wm[r * ms.cols + c] = 0;
    }
  }
  if (spec.execute_batchnorm) {
    // A stream of its own, so weights and input do not depend on this choice.
    std::mt19937_64 bn_rng(spec.seed ^ 0x9e3779b97f4a7c15ULL);
    const auto draw = [&bn_rng](i64 lo, i64 hi) {
      return std::int32_t(lo + i64(bn_rng() % std::uint64_t(hi - lo + 1)));
    };
    const int ab = spec.activation_bits;
    const i64 small = i64(1) << std::max(0, ab - 3);
    for (std::size_t l = 0; l < network.layers.size(); ++l) {
      const Layer& layer = network.layers[l];
      if (!layer.batchnorm || !layer.has_weights()) continue;
      QuantizedLayer& ql = qnet.layers[l];
      for (int c = 0; c < layer.out.c; ++c) {
        ql.bn_mean.push_back(draw(-small, small));
        ql.bn_var.push_back(draw(1, i64(1) << ab));
        ql.bn_gamma.push_back(draw(1, i64(1) << std::max(0, ab - 2)));
        ql.bn_beta.push_back(draw(-small, small));
      }
    }
  }
  qnet.input.shape = network.input;
  qnet.input.data.resize(std::size_t(network.input.elements()));
  BitFields input_fields(rng, spec.activation_bits - 1);
  input_fields.fill(qnet.input.data.data(), qnet.input.data.size(), 0);
  return qnet;
}

namespace {

// The executed BatchNorm of reference.hpp, after the layer's requantization.
void run_batchnorm(const Layer& layer, QuantizedLayer& ql, const std::vector<i64>& acc, int bits,
                   bool relu, bool calibrate, Tensor& out) {
  const std::size_t C = std::size_t(layer.out.c);
  std::vector<i64> factor(C);
  for (std::size_t c = 0; c < C; ++c) {
    const i64 r =
        std::llround(std::ldexp(1.0, kBatchNormRsqrtBits) / std::sqrt(double(ql.bn_var[c])));
    factor[c] = i64(ql.bn_gamma[c]) * r;
  }
  std::vector<i64> t(acc.size());
  i64 max_t = 0;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::size_t c = i % C;
    const i64 y = requantize(acc[i], ql.shift, bits, false);
    t[i] = (y - ql.bn_mean[c]) * factor[c];
    max_t = std::max(max_t, std::abs(t[i]));
  }
  if (calibrate) {
    int s = 0;
    while (round_shift(max_t, s) > act_hi(bits)) ++s;
    ql.bn_shift = s;
  }
  for (std::size_t i = 0; i < acc.size(); ++i) {
    out.data[i] = requantize(round_shift(t[i], ql.bn_shift) + ql.bn_beta[i % C], 0, bits, relu);
  }
}

}  // namespace

std::vector<Tensor> reference_forward(QuantizedNetwork& qnet, bool calibrate) {
  if (qnet.network == nullptr) throw std::invalid_argument("reference_forward: no network");
  const Network& net = *qnet.network;
  if (qnet.layers.size() != net.layers.size())
    throw std::invalid_argument("reference_forward: quantized layers do not match the network");
  if (!(qnet.input.shape == net.input) ||
      qnet.input.data.size() != std::size_t(net.input.elements()))
    throw std::invalid_argument("reference_forward: input tensor does not match the network input");
  const int bits = qnet.spec.activation_bits;
  std::vector<Tensor> outputs(net.layers.size());

  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    const Layer& layer = net.layers[l];
    QuantizedLayer& ql = qnet.layers[l];
    const bool relu = layer.activation == Activation::relu;
    if (layer.inputs.empty()) fail(layer, "no inputs");
    std::vector<const Tensor*> ins;
    for (int i : layer.inputs) {
      if (i != kNetworkInput && (i < 0 || std::size_t(i) >= l))
        fail(layer, "input is not an earlier layer");
      ins.push_back(&input_of(qnet, outputs, i));
    }
    Tensor& out = outputs[l];
    out.shape = layer.out;
    out.data.assign(std::size_t(layer.out.elements()), 0);

    std::vector<i64> acc;  // raw sums of requantized layers
    switch (layer.type) {
      case LayerType::conv:
      case LayerType::local:
      case LayerType::fc: {
        check_input(layer, *ins[0]);
        const MatrixShape ms = lower(layer);
        if (ql.weights.size() != std::size_t(ms.matrices * ms.rows * ms.cols))
          fail(layer, "weight count does not match the layer's matrices");
        if (layer.out.elements() != ms.cols * ms.matrices * ms.vectors)
          fail(layer, "output shape does not match the layer's matrices");
        acc.assign(std::size_t(layer.out.elements()), 0);
        if (layer.type == LayerType::conv)
          run_conv(layer, ql, *ins[0], acc);
        else
          run_matvec_layer(layer, ql, *ins[0], acc);
        break;
      }
      case LayerType::add:
        acc.assign(std::size_t(layer.out.elements()), 0);
        for (const Tensor* t : ins) {
          if (!(t->shape == layer.out))
            fail(layer, "add input shape differs from the output shape");
          for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += t->data[i];
        }
        break;
      case LayerType::pool:
        check_input(layer, *ins[0]);
        run_pool(layer, *ins[0], bits, relu, out);
        break;
      case LayerType::lrn:
        check_input(layer, *ins[0]);
        if (!(layer.out == layer.in)) fail(layer, "lrn output shape differs from its input");
        run_lrn(layer, *ins[0], bits, relu, out);
        break;
      case LayerType::concat:
        run_concat(layer, ins, bits, relu, out);
        break;
    }

    if (layer.type == LayerType::conv || layer.type == LayerType::fc ||
        layer.type == LayerType::local || layer.type == LayerType::add) {
      if (calibrate) {
        i64 max_acc = 0;
        for (i64 v : acc) max_acc = std::max(max_acc, std::abs(v));
        int s = 0;
        while (round_shift(max_acc, s) > act_hi(bits)) ++s;
        ql.shift = s;
      }
      if (!ql.has_batchnorm()) {
        for (std::size_t i = 0; i < acc.size(); ++i)
          out.data[i] = requantize(acc[i], ql.shift, bits, relu);
      } else {
        run_batchnorm(layer, ql, acc, bits, relu, calibrate, out);
      }
    }
  }
  return outputs;
}

}  // namespace reramsim::workloads
