// The PE's arithmetic side: the ALU (add, subtract, multiply, divide, max,
// min, ReLU, shift) and the SFU (transcendental functions), as SIMD lanes.
// These functions compute real values and report the lane operations they
// took; the PE turns operations into cycles with lanes_cycles().
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/reference.hpp"

namespace reramsim::hw {

struct VectorWork {
  std::int64_t alu_simple = 0;  // 1-cycle ALU operations
  std::int64_t alu_mul_div = 0;
  std::int64_t sfu = 0;
  VectorWork& operator+=(const VectorWork& o) {
    alu_simple += o.alu_simple;
    alu_mul_div += o.alu_mul_div;
    sfu += o.sfu;
    return *this;
  }
};

// Cycles for `work` on the PE's lanes: ALU and SFU run their operations
// ceil(ops / lanes) at a time, one after the other.
std::int64_t lanes_cycles(const VectorWork& work, const arch::ArchConfig& arch);

// Shift-round-clamp of an accumulator to an activation (the ALU's
// requantization step). Inline: the ALU applies it to every output value.
inline std::int32_t requantize_value(std::int64_t acc, int shift, int activation_bits, bool relu) {
  // Round half up at the shifted-out bits, as an adder before the shifter does.
  const std::int64_t rounded = shift == 0 ? acc : (acc + (std::int64_t(1) << (shift - 1))) >> shift;
  const std::int64_t hi = (std::int64_t(1) << (activation_bits - 1)) - 1;
  const std::int64_t lo = relu ? 0 : -(std::int64_t(1) << (activation_bits - 1));
  return std::int32_t(std::clamp(rounded, lo, hi));
}

// Layer-level vector operations on H x W x C tensors. Each computes output
// rows [row_begin, row_begin + rows) (every row when rows < 0) into a
// rows x W x C tensor and adds the lane operations it performs to `work`.
workloads::Tensor pool_layer(const workloads::Tensor& in, const workloads::Layer& layer,
                             int activation_bits, VectorWork& work, int row_begin = 0,
                             int rows = -1);
workloads::Tensor lrn_layer(const workloads::Tensor& in, const workloads::Layer& layer,
                            int activation_bits, VectorWork& work, int row_begin = 0,
                            int rows = -1);
workloads::Tensor add_layer(const std::vector<const workloads::Tensor*>& in,
                            const workloads::Layer& layer, int shift, int activation_bits,
                            VectorWork& work, int row_begin = 0, int rows = -1);
workloads::Tensor concat_layer(const std::vector<const workloads::Tensor*>& in,
                               const workloads::Layer& layer, int activation_bits,
                               int row_begin = 0, int rows = -1);

}  // namespace reramsim::hw
