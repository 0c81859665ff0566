// The accelerator's architecture configuration (configs/*.yaml), typed and
// validated. SystemC-free: the mapper and the CLI read it as well as the
// hardware model. Every key is documented in docs/configuration.md.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace reramsim::arch {

struct OuConfig {
  int rows = 0;  // wordlines active at once
  int cols = 0;  // bitlines active at once
};

// How signed weights are stored in cells that hold non-negative values.
// offset: w + 2^(wb-1) over the weight's slices, plus one reference column
// per crossbar (cells of value 1) whose output, scaled by 2^(wb-1), is
// subtracted (ISAAC's biased encoding). differential: the positive and
// negative parts in two column sets, subtracted after the ADCs.
enum class SignScheme { offset, differential };
// What an ADC does with an OU partial sum beyond its range: clip to the
// largest code, or drop least significant bits so the OU's full range fits.
enum class AdcOverflow { clip, drop_lsb };

struct CrossbarConfig {
  int rows = 0;
  int cols = 0;
  int cell_bits = 0;
  OuConfig ou;
  int dac_bits = 1;
  int adc_bits = 8;
  int adcs_per_crossbar = 1;
  int cols_per_adc = 1;  // columns multiplexed onto one ADC
  SignScheme sign_scheme = SignScheme::offset;
  AdcOverflow adc_overflow = AdcOverflow::clip;
};

struct PeConfig {
  int cus = 1;  // compute units per PE
  int crossbars_per_cu = 1;
  int alu_lanes = 32;
  int sfu_lanes = 32;
  std::int64_t conv_buffer_bytes = 0;  // each of the two convolution buffers
  int conv_buffers = 2;
  std::int64_t output_buffer_bytes = 0;
  // Convolution buffer reads (docs/hardware.md): values per read access;
  // whether consecutive windows reuse shared columns (k/s reuse); whether the
  // columns a stride brings in are read in parallel.
  int conv_buffer_read_values = 128;
  bool input_reuse = true;
  bool stride_parallel_read = true;
  // BatchNorms that networks state: folded into the weights, or executed on
  // the ALU/SFU after their layer (key `batchnorm: fold|execute`).
  bool execute_batchnorm = false;
  int crossbars() const { return cus * crossbars_per_cu; }
};

struct DataConfig {
  int weight_bits = 8;
  int activation_bits = 8;
};

// All latencies in cycles of the chip clock.
struct LatencyConfig {
  int ou_step = 1;  // one OU activation incl. its ADC conversions
  int adc_conversion = 1;
  int buffer_read = 1;
  int buffer_write = 1;
  int alu_op = 1;            // simple ops (add, sub, max, min, relu, shift)
  int alu_mul_div = 4;       // multiply and divide
  int sfu_op = 8;            // inverse square root and other transcendental functions
  int router = 1;            // switch traversal (ST)
  int link = 1;              // link traversal (LT)
  int weight_write_row = 0;  // programming one crossbar row
};

struct FatTreeConfig {
  bool enabled = true;
  int arity = 4;
  int levels = 4;  // router levels below the dispatch unit: 1-4-16-64 is 4
};

struct MeshConfig {
  bool enabled = true;
};

struct CollectionTreeConfig {
  bool enabled = true;
  int arity = 4;
  int levels = 4;
};

struct NocConfig {
  int link_width_bits = 16;
  int multicast_fanout = 4;
  FatTreeConfig fat_tree;
  MeshConfig mesh;
  CollectionTreeConfig collection;
  // Batch link reductions (001 Section VI.A, Fig. 8): recursive doubling,
  // O(log n) rounds, or the naive hop-by-hop chain, O(n).
  bool batch_link_distributive = true;
};

struct ChipConfig {
  int pe_x = 1;
  int pe_y = 1;
  int pes_per_group = 1;
  double clock_mhz = 1000.0;
  std::int64_t global_buffer_bytes = 0;  // on-chip cache / result buffer
  int pes() const { return pe_x * pe_y; }
};

struct ArchConfig {
  std::string name;
  std::string file;
  ChipConfig chip;
  PeConfig pe;
  CrossbarConfig crossbar;
  DataConfig data;
  LatencyConfig latency;
  NocConfig noc;

  std::int64_t total_crossbars() const { return std::int64_t(chip.pes()) * pe.crossbars(); }
  std::int64_t total_cells() const { return total_crossbars() * crossbar.rows * crossbar.cols; }
  // Columns one weight occupies: ceil(weight_bits / cell_bits).
  int weight_slices() const {
    return (data.weight_bits + crossbar.cell_bits - 1) / crossbar.cell_bits;
  }
  // Physical columns per weight column: the slices, twice for differential pairs.
  int weight_columns() const {
    return crossbar.sign_scheme == SignScheme::differential ? 2 * weight_slices() : weight_slices();
  }
  // Columns per crossbar spent on the sign scheme's reference.
  int reference_columns() const { return crossbar.sign_scheme == SignScheme::offset ? 1 : 0; }
  // Weight columns one crossbar holds.
  int weights_per_row() const { return (crossbar.cols - reference_columns()) / weight_columns(); }
  // Input cycles per activation: ceil(activation_bits / dac_bits).
  int input_cycles() const {
    return (data.activation_bits + crossbar.dac_bits - 1) / crossbar.dac_bits;
  }
  double cycle_ns() const { return 1000.0 / chip.clock_mhz; }
};

// Loads and validates; throws workloads::InputError with a one-line message
// "file:line: key: what was expected" on any unknown key, wrong type or
// impossible value.
ArchConfig load_arch_config(const std::string& path);
// The same after applying `--set key=value` overrides (workloads::apply_overrides).
ArchConfig load_arch_config(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& overrides);
ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& file);

}  // namespace reramsim::arch
