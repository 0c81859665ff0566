#include "reramsim/arch/arch_config.hpp"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::arch {

using workloads::InputError;
using workloads::StrictMap;

namespace {

// Upper bounds exist to catch unit slips (Hz for MHz, bits for bytes) and to
// keep every derived product inside int64; docs/configuration.md lists them.
constexpr std::int64_t max_grid_side = 1024;
constexpr std::int64_t max_count = 1024;  // CUs per PE, crossbars per CU
constexpr std::int64_t max_lanes = 4096;
constexpr std::int64_t max_conv_buffers = 16;
constexpr std::int64_t max_bytes = std::int64_t(1) << 40;
constexpr std::int64_t max_crossbar_side = 65536;
constexpr std::int64_t max_bits = 16;
constexpr std::int64_t max_latency = 1000000000;
constexpr std::int64_t max_link_width_bits = 4096;
constexpr std::int64_t max_fanout = 64;
constexpr std::int64_t max_arity = 64;
constexpr std::int64_t max_levels = 16;
constexpr double max_clock_mhz = 100000.0;
// Tree node and link ids are ints in the NoC model; 2^24 leaves is enough for
// the largest grid (2^20 PEs) at any arity and keeps every id far inside int.
constexpr std::int64_t max_tree_leaves = std::int64_t(1) << 24;

int to_int(std::int64_t v) {
  return static_cast<int>(v);
}

// arity^levels, but stops once above max_tree_leaves so it cannot overflow.
std::int64_t tree_leaves(std::int64_t arity, std::int64_t levels) {
  std::int64_t leaves = 1;
  for (std::int64_t i = 0; i < levels && leaves <= max_tree_leaves; ++i) leaves *= arity;
  return leaves;
}

// yaml-cpp keeps the first of two equal keys and the StrictMap would accept
// the second silently, so duplicates are rejected before anything is read.
// So is a key without a value ("cus:"): no key of the schema may be null, and
// the scalar readers would describe a null as a list.
void reject_duplicate_and_empty_keys(const std::string& file, const YAML::Node& node,
                                     const std::string& context) {
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_and_empty_keys(file, item, context);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    const std::string path = context.empty() ? key : context + "." + key;
    const int line = kv.first.Mark().line + 1;
    const auto [it, inserted] = first_line.emplace(key, line);
    if (!inserted) {
      workloads::fail(file, kv.first, path,
                      "duplicate key (first given on line " + std::to_string(it->second) + ")");
    }
    if (kv.second.IsNull()) workloads::fail(file, kv.first, path, "missing value");
    reject_duplicate_and_empty_keys(file, kv.second, path);
  }
}

// Unknown keys are reported before missing ones, so that a misspelt key is
// named at its own line instead of as its correctly spelt twin being missing.
// (StrictMap::finish() still runs after reading, as the final guard.)
void only_keys(const StrictMap& m, std::initializer_list<const char*> keys) {
  for (const auto& kv : m.node()) {
    const std::string key = kv.first.Scalar();
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) workloads::fail(m.file(), kv.first, m.path(key), "unknown key");
  }
}

std::string pe_count_text(const ChipConfig& chip) {
  return std::to_string(chip.pes()) + " PEs (" + std::to_string(chip.pe_x) + " x " +
         std::to_string(chip.pe_y) + ")";
}

void read_chip(StrictMap& chip_map, ChipConfig& chip) {
  only_keys(chip_map, {"pe_grid", "pes_per_group", "clock_mhz", "global_buffer_bytes"});
  StrictMap grid = chip_map.map("pe_grid");
  only_keys(grid, {"x", "y"});
  chip.pe_x = to_int(grid.integer("x", 1, max_grid_side));
  chip.pe_y = to_int(grid.integer("y", 1, max_grid_side));
  grid.finish();

  // Read before the divisibility check so that a wrong type is reported as such.
  chip.pes_per_group =
      to_int(chip_map.integer_or("pes_per_group", 1, 1, max_grid_side * max_grid_side));
  if (chip.pes() % chip.pes_per_group != 0) {
    chip_map.fail_key("pes_per_group", std::to_string(chip.pes_per_group) +
                                           " does not divide the " + pe_count_text(chip));
  }

  // StrictMap::number checks a closed range; a clock must be strictly positive,
  // so the range is checked here, with one message for both ends.
  chip.clock_mhz = chip_map.number("clock_mhz", std::numeric_limits<double>::lowest(),
                                   std::numeric_limits<double>::max());
  if (chip.clock_mhz <= 0.0 || chip.clock_mhz > max_clock_mhz) {
    std::ostringstream msg;
    msg << "expected a clock frequency in (0, " << max_clock_mhz << "] MHz, got " << chip.clock_mhz;
    chip_map.fail_key("clock_mhz", msg.str());
  }
  chip.global_buffer_bytes = chip_map.integer("global_buffer_bytes", 1, max_bytes);
  chip_map.finish();
}

void read_pe(StrictMap& pe_map, PeConfig& pe) {
  only_keys(pe_map, {"cus", "crossbars_per_cu", "alu_lanes", "sfu_lanes", "conv_buffer_bytes",
                     "conv_buffers", "output_buffer_bytes", "conv_buffer_read_values",
                     "input_reuse", "stride_parallel_read", "batchnorm"});
  pe.cus = to_int(pe_map.integer("cus", 1, max_count));
  pe.crossbars_per_cu = to_int(pe_map.integer("crossbars_per_cu", 1, max_count));
  pe.alu_lanes = to_int(pe_map.integer_or("alu_lanes", 32, 1, max_lanes));
  pe.sfu_lanes = to_int(pe_map.integer_or("sfu_lanes", 32, 1, max_lanes));
  pe.conv_buffer_bytes = pe_map.integer("conv_buffer_bytes", 1, max_bytes);
  pe.conv_buffers = to_int(pe_map.integer_or("conv_buffers", 2, 1, max_conv_buffers));
  pe.output_buffer_bytes = pe_map.integer("output_buffer_bytes", 1, max_bytes);
  pe.conv_buffer_read_values =
      to_int(pe_map.integer_or("conv_buffer_read_values", 128, 1, max_crossbar_side));
  pe.input_reuse = pe_map.boolean_or("input_reuse", true);
  pe.stride_parallel_read = pe_map.boolean_or("stride_parallel_read", true);
  pe.execute_batchnorm = pe_map.choice_or("batchnorm", "fold", {"fold", "execute"}) == "execute";
  pe_map.finish();
}

void read_latency(StrictMap& lat, LatencyConfig& latency) {
  only_keys(lat, {"ou_step", "adc_conversion", "buffer_read", "buffer_write", "alu_op",
                  "alu_mul_div", "sfu_op", "router", "link", "weight_write_row"});
  // Every operation that the model charges takes at least one cycle; only
  // weight programming may be 0, meaning "weights are preloaded for free".
  latency.ou_step = to_int(lat.integer("ou_step", 1, max_latency));
  latency.adc_conversion = to_int(lat.integer("adc_conversion", 1, max_latency));
  latency.buffer_read = to_int(lat.integer("buffer_read", 1, max_latency));
  latency.buffer_write = to_int(lat.integer("buffer_write", 1, max_latency));
  latency.alu_op = to_int(lat.integer("alu_op", 1, max_latency));
  latency.alu_mul_div = to_int(lat.integer("alu_mul_div", 1, max_latency));
  latency.sfu_op = to_int(lat.integer("sfu_op", 1, max_latency));
  latency.router = to_int(lat.integer("router", 1, max_latency));
  latency.link = to_int(lat.integer("link", 1, max_latency));
  latency.weight_write_row = to_int(lat.integer("weight_write_row", 0, max_latency));
  lat.finish();
}

// A tree is a map with `enabled`; arity and levels are required only when it
// is enabled, and must then give at least one leaf per PE.
template <typename Tree>
void read_tree(StrictMap& noc_map, const std::string& key, const std::string& title,
               const ChipConfig& chip, Tree& tree) {
  StrictMap m = noc_map.map(key);
  only_keys(m, {"enabled", "arity", "levels"});
  tree.enabled = m.boolean("enabled");
  if (tree.enabled) {
    tree.arity = to_int(m.integer("arity", 2, max_arity));
    tree.levels = to_int(m.integer("levels", 1, max_levels));
    const std::int64_t leaves = tree_leaves(tree.arity, tree.levels);
    if (leaves > max_tree_leaves) {
      m.fail_key("levels", title + " of arity " + std::to_string(tree.arity) + " and " +
                               std::to_string(tree.levels) + " levels has more than " +
                               std::to_string(max_tree_leaves) + " leaves");
    }
    if (leaves < chip.pes()) {
      m.fail_key("levels", title + " of arity " + std::to_string(tree.arity) + " and " +
                               std::to_string(tree.levels) + " levels has " +
                               std::to_string(leaves) + " leaves, fewer than the " +
                               pe_count_text(chip));
    }
  } else {
    tree.arity = to_int(m.integer_or("arity", tree.arity, 2, max_arity));
    tree.levels = to_int(m.integer_or("levels", tree.levels, 1, max_levels));
  }
  m.finish();
}

void read_noc(StrictMap& noc_map, const ChipConfig& chip, NocConfig& noc) {
  only_keys(noc_map, {"link_width_bits", "multicast_fanout", "fat_tree", "mesh", "collection_tree",
                      "batch_link"});
  noc.link_width_bits = to_int(noc_map.integer("link_width_bits", 1, max_link_width_bits));
  if (noc.link_width_bits % 8 != 0) {
    noc_map.fail_key("link_width_bits", "expected a positive multiple of 8, got " +
                                            std::to_string(noc.link_width_bits));
  }
  noc.multicast_fanout = to_int(noc_map.integer("multicast_fanout", 1, max_fanout));
  read_tree(noc_map, "fat_tree", "fat tree", chip, noc.fat_tree);
  {
    StrictMap mesh = noc_map.map("mesh");
    only_keys(mesh, {"enabled"});
    noc.mesh.enabled = mesh.boolean("enabled");
    mesh.finish();
  }
  read_tree(noc_map, "collection_tree", "collection tree", chip, noc.collection);
  if (noc_map.has("batch_link")) {
    StrictMap batch = noc_map.map("batch_link");
    only_keys(batch, {"scheme"});
    noc.batch_link_distributive =
        batch.choice("scheme", {"distributive", "chain"}) == "distributive";
    batch.finish();
  }
  noc_map.finish();

  // A fat-tree router multicasts to its own children only.
  if (noc.fat_tree.enabled && noc.multicast_fanout > noc.fat_tree.arity) {
    noc_map.fail_key("multicast_fanout", "fanout " + std::to_string(noc.multicast_fanout) +
                                             " exceeds fat_tree.arity (" +
                                             std::to_string(noc.fat_tree.arity) + ")");
  }
  if (!noc.fat_tree.enabled && !noc.mesh.enabled && !noc.collection.enabled) {
    workloads::fail(noc_map.file(), noc_map.node(), "noc",
                    "no network enabled; enable fat_tree, mesh or collection_tree");
  }
}

ArchConfig from_root(const YAML::Node& root, const std::string& file) {
  reject_duplicate_and_empty_keys(file, root, "");
  StrictMap top(file, root, "");
  only_keys(top, {"name", "chip", "pe", "crossbar", "data", "latency_cycles", "noc"});
  ArchConfig cfg;
  cfg.file = file;
  cfg.name = top.string("name");
  if (cfg.name.empty()) top.fail_key("name", "expected a non-empty string");

  StrictMap chip_map = top.map("chip");
  read_chip(chip_map, cfg.chip);

  StrictMap pe_map = top.map("pe");
  read_pe(pe_map, cfg.pe);

  // The crossbar's limits against the data widths are checked after `data` is
  // read, so its maps stay alive to point at the offending line.
  StrictMap xbar = top.map("crossbar");
  only_keys(xbar, {"rows", "cols", "cell_bits", "ou", "dac_bits", "signed_weights", "adc"});
  CrossbarConfig& cb = cfg.crossbar;
  cb.rows = to_int(xbar.integer("rows", 1, max_crossbar_side));
  cb.cols = to_int(xbar.integer("cols", 1, max_crossbar_side));
  cb.cell_bits = to_int(xbar.integer("cell_bits", 1, max_bits));
  StrictMap ou = xbar.map("ou");
  only_keys(ou, {"rows", "cols"});
  cb.ou.rows = to_int(ou.integer("rows", 1, max_crossbar_side));
  cb.ou.cols = to_int(ou.integer("cols", 1, max_crossbar_side));
  ou.finish();
  if (cb.ou.rows > cb.rows) {
    ou.fail_key("rows", "OU rows (" + std::to_string(cb.ou.rows) + ") exceed crossbar rows (" +
                            std::to_string(cb.rows) + ")");
  }
  if (cb.ou.cols > cb.cols) {
    ou.fail_key("cols", "OU cols (" + std::to_string(cb.ou.cols) + ") exceed crossbar cols (" +
                            std::to_string(cb.cols) + ")");
  }
  cb.dac_bits = to_int(xbar.integer_or("dac_bits", 1, 1, max_bits));
  cb.sign_scheme =
      xbar.choice_or("signed_weights", "offset", {"offset", "differential"}) == "offset"
          ? SignScheme::offset
          : SignScheme::differential;
  StrictMap adc = xbar.map("adc");
  only_keys(adc, {"bits", "per_crossbar", "cols_muxed", "overflow"});
  // Up to 32 bits, so that a lossless ADC can be configured for large OUs.
  cb.adc_bits = to_int(adc.integer("bits", 1, 32));
  cb.adc_overflow = adc.choice_or("overflow", "clip", {"clip", "drop_lsb"}) == "clip"
                        ? AdcOverflow::clip
                        : AdcOverflow::drop_lsb;
  cb.adcs_per_crossbar = to_int(adc.integer("per_crossbar", 1, max_crossbar_side));
  cb.cols_per_adc = to_int(adc.integer("cols_muxed", 1, max_crossbar_side));
  adc.finish();
  if (cb.cols % cb.cols_per_adc != 0) {
    adc.fail_key("cols_muxed", std::to_string(cb.cols_per_adc) +
                                   " muxed columns do not divide the crossbar cols (" +
                                   std::to_string(cb.cols) + ")");
  }
  const std::int64_t covered = std::int64_t(cb.adcs_per_crossbar) * cb.cols_per_adc;
  if (covered < cb.cols) {
    adc.fail_key("per_crossbar", std::to_string(cb.adcs_per_crossbar) + " ADC(s) x " +
                                     std::to_string(cb.cols_per_adc) + " muxed columns cover " +
                                     std::to_string(covered) + " of " + std::to_string(cb.cols) +
                                     " crossbar cols; every column needs an ADC");
  }
  if (covered > cb.cols) {
    adc.fail_key("per_crossbar", std::to_string(cb.adcs_per_crossbar) + " ADC(s) x " +
                                     std::to_string(cb.cols_per_adc) + " muxed columns cover " +
                                     std::to_string(covered) + " columns but the crossbar has " +
                                     std::to_string(cb.cols) + "; an ADC would have no column");
  }
  xbar.finish();

  StrictMap data = top.map("data");
  only_keys(data, {"weight_bits", "activation_bits"});
  cfg.data.weight_bits = to_int(data.integer("weight_bits", 1, max_bits));
  cfg.data.activation_bits = to_int(data.integer("activation_bits", 1, max_bits));
  data.finish();
  if (cb.cell_bits > cfg.data.weight_bits) {
    xbar.fail_key("cell_bits", "cell bits (" + std::to_string(cb.cell_bits) +
                                   ") exceed weight bits (" + std::to_string(cfg.data.weight_bits) +
                                   ")");
  }
  if (cb.cols < cfg.weight_columns() + cfg.reference_columns()) {
    xbar.fail_key("cols", std::to_string(cb.cols) + " columns cannot hold one " +
                              std::to_string(cfg.data.weight_bits) + "-bit weight (" +
                              std::to_string(cfg.weight_columns() + cfg.reference_columns()) +
                              " columns with the sign scheme)");
  }
  if (cb.dac_bits > cfg.data.activation_bits) {
    xbar.fail_key("dac_bits", "DAC bits (" + std::to_string(cb.dac_bits) +
                                  ") exceed activation bits (" +
                                  std::to_string(cfg.data.activation_bits) + ")");
  }

  StrictMap lat = top.map("latency_cycles");
  read_latency(lat, cfg.latency);

  StrictMap noc_map = top.map("noc");
  read_noc(noc_map, cfg.chip, cfg.noc);

  top.finish();
  return cfg;
}

}  // namespace

ArchConfig load_arch_config(const std::string& path) {
  return from_root(workloads::load_yaml_file(path), path);
}

ArchConfig load_arch_config(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& overrides) {
  YAML::Node root = workloads::load_yaml_file(path);
  workloads::apply_overrides(root, overrides, path);
  return from_root(root, path);
}

ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& file) {
  return from_root(workloads::parse_yaml_text(yaml_text, file), file);
}

}  // namespace reramsim::arch
