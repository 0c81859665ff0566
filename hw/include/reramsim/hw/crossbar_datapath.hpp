// The bit-level datapath of one crossbar holding a programmed weight block:
// bit-sliced weights in cells, a signed-weight scheme (offset + reference
// column, or differential pairs), bit-serial DAC input in offset binary, OUs
// run one after another, each OU partial sum quantized by the ADC (clip or
// drop LSBs), and shift-and-add. Every value formula is in docs/hardware.md,
// "Crossbar datapath".
//
// Plain C++ (no SystemC) so the model can be tested and reused on its own;
// hw::Crossbar wraps it for timing.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"

namespace reramsim::hw {

struct DatapathParams {
  std::int64_t rows = 1;    // R: programmed rows, in [1, 65536]
  std::int64_t cols = 1;    // N: programmed weight columns, >= 1
  int weight_bits = 8;      // wb in [1, 16]
  int cell_bits = 2;        // cb in [1, wb]
  int activation_bits = 8;  // ab in [1, 30]
  int dac_bits = 1;         // d in [1, min(ab, 16)]
  int ou_rows = 1;          // h >= 1 (nominal; fixes the ADC scaling)
  int ou_cols = 1;          // w >= 1 physical columns per OU
  int adc_bits = 8;         // B in [1, 62]
  arch::AdcOverflow adc_overflow = arch::AdcOverflow::clip;
  arch::SignScheme sign_scheme = arch::SignScheme::offset;

  int weight_slices() const { return (weight_bits + cell_bits - 1) / cell_bits; }   // S
  int input_cycles() const { return (activation_bits + dac_bits - 1) / dac_bits; }  // K
};

// Parameters of a rows x cols block on one crossbar of `arch`; throws
// std::invalid_argument when the block does not fit the crossbar.
DatapathParams from_arch(const arch::ArchConfig& arch, std::int64_t rows, std::int64_t cols);

// Action counts, added to (never reset) by the datapath.
struct DatapathCounts {
  std::int64_t ou_activations = 0;
  std::int64_t adc_conversions = 0;
  std::int64_t dac_inputs = 0;
  // Conversions that lost information: Q above the largest code (clip), or
  // nonzero dropped bits (drop_lsb).
  std::int64_t clipped = 0;
};

class CrossbarDatapath {
 public:
  // State of one input vector in the fine-grained (event-per-OU) mode; reuse
  // one object across vectors to avoid reallocation.
  class StepState {
   private:
    friend class CrossbarDatapath;
    std::vector<std::uint32_t> m_inputs;  // x_u per row (offset binary if signed)
    std::vector<std::int64_t> m_columns;  // per physical column: sum_k 2^(k*d) sum_g value
    bool m_signed_inputs = false;
  };

  // "Programs" the cells: slices the R x N row-major weights once. Throws
  // std::invalid_argument on bad parameters, a wrong size or a weight
  // outside [-2^(wb-1), 2^(wb-1) - 1].
  CrossbarDatapath(const DatapathParams& params, std::vector<std::int16_t> weights);

  const DatapathParams& params() const { return m_params; }
  std::int64_t physical_columns() const { return m_physical_columns; }  // P
  int input_cycles() const { return m_params.input_cycles(); }          // K
  std::int64_t row_groups() const { return m_row_groups; }              // ceil(R / h)
  std::int64_t column_groups() const { return m_column_groups; }        // ceil(P / w)
  std::int64_t ou_steps_per_input_cycle() const { return m_row_groups * m_column_groups; }
  // Largest OU partial sum, h * (2^d - 1) * (2^cb - 1), against 2^B - 1.
  std::int64_t ou_full_range() const { return m_qmax; }
  bool lossless() const { return m_lossless; }
  // The programmed weights, R x N row-major.
  const std::vector<std::int16_t>& weights() const { return m_weights; }
  // sum_r w[r][n] per weight column n.
  const std::vector<std::int64_t>& column_sums() const { return m_column_sum; }

  // outputs[v][n] = the datapath's result for input vector v (vectors x R,
  // row-major) and weight column n; vectors x N values, overwritten. Inputs
  // must lie in [-2^(ab-1), 2^(ab-1) - 1] when signed_inputs, else in
  // [0, 2^ab - 1] (std::invalid_argument otherwise). Adds the counts.
  void mvm(const std::int32_t* inputs, std::int64_t vectors, bool signed_inputs,
           std::int64_t* outputs, DatapathCounts& counts) const;

  // Fine-grained mode, one vector: begin_vector, then step() for every OU
  // step, then finish_vector. Hardware order is input cycle k outer, then
  // row group g, then column group c; since each step only adds its
  // quantized, shifted sums, any order gives mvm()'s exact result. step()
  // adds one OU activation, |c| ADC conversions, the clipped ones, and |g|
  // DAC inputs on the first column group (c == 0), so a full sweep adds what
  // mvm() adds for one vector.
  void begin_vector(StepState& state, const std::int32_t* input, bool signed_inputs) const;
  void step(StepState& state, int k, std::int64_t g, std::int64_t c, DatapathCounts& counts) const;
  void finish_vector(const StepState& state, std::int64_t* outputs) const;

 private:
  // The value programmed into the cell at row r, physical column c.
  std::uint16_t cell(std::int64_t r, std::int64_t c) const;
  // Checks the range of `count` inputs, writes x_u (offset binary) to out
  // unless null, and returns max |x|.
  std::int64_t to_offset_binary(const std::int32_t* inputs, std::int64_t count, bool signed_inputs,
                                std::uint32_t* out) const;
  // Combines per-physical-column sums into N results (shift-and-add, sign
  // scheme, signed-input correction).
  void combine(const std::int64_t* columns, bool signed_inputs, std::int64_t* outputs) const;
  // The exact product (lossless fast path) by the fastest exact kernel for
  // this batch's largest |x|.
  void exact_product(const std::int32_t* inputs, std::int64_t vectors, std::int64_t max_abs_x,
                     std::int64_t* outputs) const;
  template <typename Acc>
  void exact_mvm(const std::int32_t* inputs, std::int64_t vectors, std::int64_t* outputs) const;
  void exact_mvm_pairs(const std::int32_t* inputs, std::int64_t vectors, std::int64_t flush_pairs,
                       std::int64_t* outputs) const;
  template <typename Q, typename T>
  void quantized_mvm(const std::uint32_t* inputs_u, std::int64_t vectors, bool signed_inputs,
                     std::int64_t* outputs, std::int64_t& clipped) const;
  template <typename Q>
  void quantized_mvm_for(const std::uint32_t* inputs_u, std::int64_t vectors, bool signed_inputs,
                         std::int64_t* outputs, std::int64_t& clipped) const;

  DatapathParams m_params;
  std::vector<std::int16_t> m_weights;  // R x N, row-major
  // The same weights for the lossless pair kernel: rows in pairs, each
  // column's two weights adjacent, columns padded to m_pair_stride (a
  // multiple of 16).
  std::vector<std::int16_t> m_pair_weights;
  std::int64_t m_pair_stride = 0;
  std::int64_t m_max_abs_weight = 0;
  std::vector<std::uint16_t> m_cells;      // R x P cell values, row-major; lossy only
  std::vector<std::int64_t> m_column_sum;  // sum_r w[r][n], for signed inputs
  std::int64_t m_physical_columns = 0;
  std::int64_t m_row_groups = 0;
  std::int64_t m_column_groups = 0;
  std::int64_t m_qmax = 0;
  std::int64_t m_max_code = 0;  // 2^B - 1
  int m_drop_bits = 0;          // t, drop_lsb only
  bool m_lossless = false;
  bool m_narrow_exact = false;  // wb + ab + ceil(log2 R) <= 31: int32 accumulation is exact
};

}  // namespace reramsim::hw
