#include "reramsim/hw/vector_unit.hpp"

#include <algorithm>
#include <cmath>

namespace reramsim::hw {

using workloads::Layer;
using workloads::Tensor;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

std::int32_t clamp_activation(std::int64_t v, int bits, bool relu) {
  const std::int64_t hi = (std::int64_t(1) << (bits - 1)) - 1;
  const std::int64_t lo = relu ? 0 : -(std::int64_t(1) << (bits - 1));
  return std::int32_t(std::clamp(v, lo, hi));
}

bool relu_of(const Layer& layer) {
  return layer.activation == workloads::Activation::relu;
}

Tensor make_tensor(const workloads::Shape& shape) {
  Tensor t;
  t.shape = shape;
  t.data.assign(std::size_t(shape.elements()), 0);
  return t;
}

// Output rows [row_begin, row_begin + rows) of a layer; rows < 0: all.
struct RowRange {
  int begin;
  int count;
  RowRange(const Layer& layer, int row_begin, int rows)
      : begin(rows < 0 ? 0 : row_begin), count(rows < 0 ? layer.out.h : rows) {}
  workloads::Shape shape(const Layer& layer) const {
    workloads::Shape s = layer.out;
    s.h = count;
    return s;
  }
};

}  // namespace

std::int64_t lanes_cycles(const VectorWork& work, const arch::ArchConfig& arch) {
  const auto& lat = arch.latency;
  return ceil_div(work.alu_simple, arch.pe.alu_lanes) * lat.alu_op +
         ceil_div(work.alu_mul_div, arch.pe.alu_lanes) * lat.alu_mul_div +
         ceil_div(work.sfu, arch.pe.sfu_lanes) * lat.sfu_op;
}

Tensor pool_layer(const Tensor& in, const Layer& layer, int activation_bits, VectorWork& work,
                  int row_begin, int rows) {
  const RowRange range(layer, row_begin, rows);
  Tensor out = make_tensor(range.shape(layer));
  const bool is_max = layer.pool_mode == workloads::PoolMode::max;
  const int C = in.shape.c;
  for (int oy = range.begin; oy < range.begin + range.count; ++oy) {
    const int y0 = oy * layer.stride_h - layer.pad_h;
    const int y_begin = std::max(y0, 0);
    const int y_end = std::min(y0 + layer.kernel_h, in.shape.h);
    for (int ox = 0; ox < layer.out.w; ++ox) {
      const int x0 = ox * layer.stride_w - layer.pad_w;
      const int x_begin = std::max(x0, 0);
      const int x_end = std::min(x0 + layer.kernel_w, in.shape.w);
      const std::int64_t count = std::int64_t(y_end - y_begin) * (x_end - x_begin);
      for (int c = 0; c < C; ++c) {
        std::int64_t acc = is_max ? INT64_MIN : 0;
        for (int y = y_begin; y < y_end; ++y) {
          for (int x = x_begin; x < x_end; ++x) {
            const std::int64_t v = in.at(y, x, c);
            acc = is_max ? std::max(acc, v) : acc + v;
          }
        }
        std::int64_t value = acc;
        if (!is_max) {
          // Divide rounding half away from zero.
          const std::int64_t magnitude = (2 * std::llabs(acc) + count) / (2 * count);
          value = acc < 0 ? -magnitude : magnitude;
          work.alu_mul_div += 1;
        }
        work.alu_simple += count - 1;
        out.data[(std::size_t(oy - range.begin) * layer.out.w + ox) * C + c] =
            clamp_activation(value, activation_bits, relu_of(layer));
      }
    }
  }
  return out;
}

Tensor lrn_layer(const Tensor& in, const Layer& layer, int activation_bits, VectorWork& work,
                 int row_begin, int rows) {
  const RowRange range(layer, row_begin, rows);
  Tensor out = make_tensor(range.shape(layer));
  const int C = in.shape.c;
  const int half = layer.lrn_size / 2;
  const double scale = layer.lrn_alpha / layer.lrn_size;
  const std::int64_t first = std::int64_t(range.begin) * in.shape.w;
  for (std::int64_t p = 0; p < std::int64_t(range.count) * in.shape.w; ++p) {
    const std::int32_t* x = in.data.data() + (first + p) * C;
    for (int c = 0; c < C; ++c) {
      double sum_sq = 0.0;
      const int c_begin = std::max(0, c - half);
      const int c_end = std::min(C - 1, c + half);
      for (int k = c_begin; k <= c_end; ++k) sum_sq += double(x[k]) * double(x[k]);
      const double denominator = std::pow(layer.lrn_k + scale * sum_sq, layer.lrn_beta);
      const std::int64_t value = std::lround(double(x[c]) / denominator);
      // Squares and sums on the ALU, the power on the SFU, then one divide.
      work.alu_mul_div += (c_end - c_begin + 1) + 2;
      work.alu_simple += (c_end - c_begin + 1);
      work.sfu += 1;
      out.data[std::size_t(p * C + c)] = clamp_activation(value, activation_bits, relu_of(layer));
    }
  }
  return out;
}

Tensor add_layer(const std::vector<const Tensor*>& in, const Layer& layer, int shift,
                 int activation_bits, VectorWork& work, int row_begin, int rows) {
  const RowRange range(layer, row_begin, rows);
  Tensor out = make_tensor(range.shape(layer));
  const std::size_t first = std::size_t(range.begin) * layer.out.w * layer.out.c;
  for (std::size_t i = 0; i < out.data.size(); ++i) {
    std::int64_t acc = 0;
    for (const Tensor* t : in) acc += t->data[first + i];
    out.data[i] = requantize_value(acc, shift, activation_bits, relu_of(layer));
  }
  // The additions, then one shift-and-clamp per element.
  work.alu_simple += std::int64_t(out.data.size()) * std::int64_t(in.size());
  return out;
}

Tensor concat_layer(const std::vector<const Tensor*>& in, const Layer& layer, int activation_bits,
                    int row_begin, int rows) {
  const RowRange range(layer, row_begin, rows);
  Tensor out = make_tensor(range.shape(layer));
  const std::int64_t positions = std::int64_t(range.count) * layer.out.w;
  const std::int64_t first = std::int64_t(range.begin) * layer.out.w;
  int channel = 0;
  for (const Tensor* t : in) {
    for (std::int64_t p = 0; p < positions; ++p) {
      for (int c = 0; c < t->shape.c; ++c) {
        out.data[std::size_t(p * layer.out.c + channel + c)] = clamp_activation(
            t->data[std::size_t((first + p) * t->shape.c + c)], activation_bits, relu_of(layer));
      }
    }
    channel += t->shape.c;
  }
  return out;
}

}  // namespace reramsim::hw
