// Shared by the datapath tests: seeded random blocks and two references
// written independently of CrossbarDatapath (naive exact product, and a
// bit-level model of the crossbar built from the weights' bits).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "reramsim/hw/crossbar_datapath.hpp"

namespace reramsim::hw::test {

struct Block {
  std::vector<std::int16_t> weights;  // R x N
  std::vector<std::int32_t> inputs;   // vectors x R
};

// Uniform weights over the whole wb-bit range and inputs over the ab-bit range
// of the chosen mode; `zero_fraction` of the inputs are 0 (ReLU sparsity).
inline Block random_block(const DatapathParams& p, std::int64_t vectors, bool signed_inputs,
                          std::uint32_t seed, double zero_fraction = 0.2) {
  std::mt19937 rng(seed);
  const int wb = p.weight_bits;
  const int ab = p.activation_bits;
  std::uniform_int_distribution<int> w_dist(-(1 << (wb - 1)), (1 << (wb - 1)) - 1);
  const std::int64_t x_low = signed_inputs ? -(std::int64_t(1) << (ab - 1)) : 0;
  const std::int64_t x_high =
      signed_inputs ? (std::int64_t(1) << (ab - 1)) - 1 : (std::int64_t(1) << ab) - 1;
  std::uniform_int_distribution<std::int64_t> x_dist(x_low, x_high);
  std::bernoulli_distribution zero(zero_fraction);
  Block b;
  b.weights.resize(std::size_t(p.rows * p.cols));
  for (auto& w : b.weights) w = std::int16_t(w_dist(rng));
  b.inputs.resize(std::size_t(vectors * p.rows));
  for (auto& x : b.inputs) x = zero(rng) ? 0 : std::int32_t(x_dist(rng));
  // Put the range's extremes in, where sign and carry mistakes show.
  b.weights.front() = std::int16_t(-(1 << (wb - 1)));
  b.weights.back() = std::int16_t((1 << (wb - 1)) - 1);
  b.inputs.front() = std::int32_t(x_low);
  b.inputs.back() = std::int32_t(x_high);
  return b;
}

inline std::vector<std::int64_t> exact_product(const DatapathParams& p, const Block& b,
                                               std::int64_t vectors) {
  std::vector<std::int64_t> out(std::size_t(vectors * p.cols), 0);
  for (std::int64_t v = 0; v < vectors; ++v)
    for (std::int64_t n = 0; n < p.cols; ++n)
      for (std::int64_t r = 0; r < p.rows; ++r)
        out[std::size_t(v * p.cols + n)] += std::int64_t(b.inputs[std::size_t(v * p.rows + r)]) *
                                            b.weights[std::size_t(r * p.cols + n)];
  return out;
}

inline std::int64_t bit(std::uint64_t value, int index) {
  return index < 64 ? std::int64_t((value >> index) & 1) : 0;
}

struct ReferenceResult {
  std::vector<std::int64_t> outputs;
  std::int64_t clipped = 0;
};

// The crossbar as the model describes it, one conversion at a time: cells
// assembled from individual weight bits, the signed input's sign bit
// inverted, one DAC digit per input cycle assembled from input bits, every
// (input cycle, row group, physical column) OU sum quantized by the ADC rule,
// then shift-and-add with plain multiplications by powers of two.
inline ReferenceResult bit_level_reference(const DatapathParams& p, const Block& b,
                                           std::int64_t vectors, bool signed_inputs) {
  const std::int64_t R = p.rows, N = p.cols;
  const int wb = p.weight_bits, cb = p.cell_bits, ab = p.activation_bits, d = p.dac_bits;
  int S = 0;
  while (S * cb < wb) ++S;
  int K = 0;
  while (K * d < ab) ++K;
  const bool offset = p.sign_scheme == arch::SignScheme::offset;
  const std::int64_t P = offset ? N * S + 1 : 2 * N * S;

  // Stored non-negative value of weight column n's part (0: u or w+, 1: w-).
  const auto stored = [&](std::int64_t r, std::int64_t n, int part) -> std::uint64_t {
    const std::int64_t w = b.weights[std::size_t(r * N + n)];
    if (offset) return std::uint64_t(w + (std::int64_t(1) << (wb - 1)));
    return std::uint64_t(part == 0 ? (w > 0 ? w : 0) : (w < 0 ? -w : 0));
  };
  std::vector<std::vector<std::int64_t>> cell(std::size_t(R), std::vector<std::int64_t>(P, 0));
  for (std::int64_t r = 0; r < R; ++r) {
    for (std::int64_t n = 0; n < N; ++n) {
      for (int part = 0; part < (offset ? 1 : 2); ++part) {
        for (int s = 0; s < S; ++s) {
          std::int64_t value = 0;
          for (int j = 0; j < cb && s * cb + j < wb; ++j)
            value += bit(stored(r, n, part), s * cb + j) << j;
          const std::int64_t col = offset ? n * S + s : 2 * n * S + part * S + s;
          cell[std::size_t(r)][std::size_t(col)] = value;
        }
      }
    }
    if (offset) cell[std::size_t(r)][std::size_t(P - 1)] = 1;
  }

  const std::int64_t qmax = std::int64_t(p.ou_rows) * ((1ll << d) - 1) * ((1ll << cb) - 1);
  const std::int64_t max_code = (1ll << p.adc_bits) - 1;
  int t = 0;  // smallest shift that brings Qmax into the ADC's codes
  while ((qmax >> t) > max_code) ++t;
  const bool clip = p.adc_overflow == arch::AdcOverflow::clip;

  ReferenceResult res;
  res.outputs.assign(std::size_t(vectors * N), 0);
  for (std::int64_t v = 0; v < vectors; ++v) {
    std::vector<std::uint64_t> xu(static_cast<std::size_t>(R));
    for (std::int64_t r = 0; r < R; ++r) {
      const std::uint32_t x = std::uint32_t(b.inputs[std::size_t(v * R + r)]);
      const std::uint32_t keep = ab == 32 ? ~0u : (1u << ab) - 1;
      xu[std::size_t(r)] = signed_inputs ? (x ^ (1u << (ab - 1))) & keep : x;
    }
    std::vector<std::int64_t> total(std::size_t(P), 0);  // per physical column
    for (int k = 0; k < K; ++k) {
      for (std::int64_t r0 = 0; r0 < R; r0 += p.ou_rows) {
        for (std::int64_t col = 0; col < P; ++col) {
          std::int64_t q = 0;
          for (std::int64_t r = r0; r < R && r < r0 + p.ou_rows; ++r) {
            std::int64_t digit = 0;
            for (int j = 0; j < d; ++j) digit += bit(xu[std::size_t(r)], k * d + j) << j;
            q += digit * cell[std::size_t(r)][std::size_t(col)];
          }
          std::int64_t value = q;
          if (qmax > max_code) {
            if (clip) {
              value = q > max_code ? max_code : q;
            } else {
              value = q - q % (1ll << t);
            }
          }
          res.clipped += value != q;
          std::int64_t scale = 1;
          for (int j = 0; j < k * d; ++j) scale *= 2;
          total[std::size_t(col)] += value * scale;
        }
      }
    }
    for (std::int64_t n = 0; n < N; ++n) {
      std::int64_t y = 0;
      for (int s = 0; s < S; ++s) {
        std::int64_t scale = 1;
        for (int j = 0; j < s * cb; ++j) scale *= 2;
        if (offset) {
          y += scale * total[std::size_t(n * S + s)];
        } else {
          y += scale * (total[std::size_t(2 * n * S + s)] - total[std::size_t(2 * n * S + S + s)]);
        }
      }
      if (offset) y -= (1ll << (wb - 1)) * total[std::size_t(P - 1)];
      if (signed_inputs) {
        for (std::int64_t r = 0; r < R; ++r)
          y -= (1ll << (ab - 1)) * b.weights[std::size_t(r * N + n)];
      }
      res.outputs[std::size_t(v * N + n)] = y;
    }
  }
  return res;
}

inline DatapathParams make_params(std::int64_t rows, std::int64_t cols, int wb, int cb, int ab,
                                  int d, int ou_rows, int ou_cols, int adc_bits,
                                  arch::SignScheme scheme,
                                  arch::AdcOverflow overflow = arch::AdcOverflow::clip) {
  DatapathParams p;
  p.rows = rows;
  p.cols = cols;
  p.weight_bits = wb;
  p.cell_bits = cb;
  p.activation_bits = ab;
  p.dac_bits = d;
  p.ou_rows = ou_rows;
  p.ou_cols = ou_cols;
  p.adc_bits = adc_bits;
  p.sign_scheme = scheme;
  p.adc_overflow = overflow;
  return p;
}

// Runs every OU step of every vector in hardware order (k, g, c).
inline std::vector<std::int64_t> step_all(const CrossbarDatapath& dp, const Block& b,
                                          std::int64_t vectors, bool signed_inputs,
                                          DatapathCounts& counts) {
  const DatapathParams& p = dp.params();
  std::vector<std::int64_t> out(std::size_t(vectors * p.cols));
  CrossbarDatapath::StepState state;
  for (std::int64_t v = 0; v < vectors; ++v) {
    dp.begin_vector(state, b.inputs.data() + v * p.rows, signed_inputs);
    for (int k = 0; k < dp.input_cycles(); ++k)
      for (std::int64_t g = 0; g < dp.row_groups(); ++g)
        for (std::int64_t c = 0; c < dp.column_groups(); ++c) dp.step(state, k, g, c, counts);
    dp.finish_vector(state, out.data() + v * p.cols);
  }
  return out;
}

inline int bit_length(std::int64_t value) {
  int bits = 0;
  while ((value >> bits) != 0) ++bits;
  return bits;
}

}  // namespace reramsim::hw::test
