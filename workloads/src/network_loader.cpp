// Network files: reading, key checking and shape derivation.
//
// The format is documented in docs/networks.md. Every map goes through a
// StrictMap; layer maps are additionally checked against the keys their type
// takes, so a key that means nothing for a layer (e.g. `groups` on a pool) is
// an error rather than silently ignored. Messages about a layer read
// "file:line: layer 'NAME': what was expected".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::workloads {
namespace {

// Bound on every extent, channel count and kernel size: far above any real
// network, and small enough that the int fields and int64 products cannot
// overflow.
constexpr std::int64_t kMaxExtent = 1 << 20;
constexpr const char* kInputName = "input";
// Parse any integer; the caller checks the range with its own message.
constexpr std::pair<std::int64_t, std::int64_t> kAnyInteger = {
    std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};

const std::vector<std::string> kTypeNames = {"conv", "fc", "local", "pool", "lrn", "add", "concat"};

LayerType parse_type(const std::string& name) {
  if (name == "conv") return LayerType::conv;
  if (name == "fc") return LayerType::fc;
  if (name == "local") return LayerType::local;
  if (name == "pool") return LayerType::pool;
  if (name == "lrn") return LayerType::lrn;
  if (name == "add") return LayerType::add;
  return LayerType::concat;  // the caller only passes names from kTypeNames
}

// The keys each layer type takes; anything else is rejected.
const std::vector<std::string>& keys_of(LayerType type) {
  static const std::vector<std::string> conv = {
      "name", "type",   "from", "activation", "kernel",        "stride",
      "pad",  "groups", "out",  "batchnorm",  "pruned_outputs"};
  static const std::vector<std::string> local = {
      "name", "type", "from", "activation", "kernel", "stride", "pad", "out", "pruned_outputs"};
  static const std::vector<std::string> fc = {"name", "type",      "from",          "activation",
                                              "out",  "batchnorm", "pruned_outputs"};
  static const std::vector<std::string> pool = {"name",   "type",   "from", "activation", "mode",
                                                "kernel", "stride", "pad",  "ceil_mode"};
  static const std::vector<std::string> lrn = {"name", "type",  "from", "activation",
                                               "size", "alpha", "beta", "k"};
  static const std::vector<std::string> merge = {"name", "type", "from", "activation"};
  switch (type) {
    case LayerType::conv:
      return conv;
    case LayerType::local:
      return local;
    case LayerType::fc:
      return fc;
    case LayerType::pool:
      return pool;
    case LayerType::lrn:
      return lrn;
    case LayerType::add:
    case LayerType::concat:
      return merge;
  }
  return merge;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string to_text(const Shape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c);
}

int line_of(const YAML::Node& node) {
  return node.Mark().line + 1;
}

// "6x6x4 from 'conv1'", to say which input of a merge disagrees.
std::string describe_input(const Network& net, int input) {
  const std::string name =
      input == kNetworkInput ? kInputName : net.layers[std::size_t(input)].name;
  return to_text(net.shape_of(input)) + " from '" + name + "'";
}

// Output extent of a sliding window, or 0 when the window does not fit the
// padded input. With ceil_mode the last window must still start inside the
// input or its left padding (PyTorch and Caffe agree on this rule).
int window_extent(int in, int kernel, int stride, int pad, bool ceil_mode) {
  const int span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  int extent = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (extent - 1) * stride >= in + pad) --extent;
  return extent;
}

// Typed access to one layer's map, with messages naming the layer.
class LayerReader {
 public:
  LayerReader(const std::string& file, const YAML::Node& node, std::size_t index)
      : m_map(file, node, "layers[" + std::to_string(index) + "]"), m_file(file) {
    // Until the name is known, messages use the list position (StrictMap's
    // "layers[i].name: ..." form).
    m_name = m_map.string("name");
    if (m_name.empty()) m_map.fail_key("name", "expected a non-empty layer name");
    m_label = "layer '" + m_name + "'";
    if (!m_map.has("type"))
      fail_key("type", "missing required key (one of " + join(kTypeNames) + ")");
    m_type = parse_type(choice("type", kTypeNames));
    check_keys();
  }

  const std::string& name() const { return m_name; }
  LayerType type() const { return m_type; }
  YAML::Node node() const { return m_map.node(); }
  bool has(const std::string& key) const { return m_map.has(key); }
  YAML::Node raw(const std::string& key) { return m_map.raw(key); }

  [[noreturn]] void fail_layer(const std::string& message) const {
    throw InputError(where(m_file, m_map.node()) + ": " + m_label + ": " + message);
  }
  [[noreturn]] void fail_node(const YAML::Node& node, const std::string& message) const {
    throw InputError(where(m_file, node) + ": " + m_label + ": " + message);
  }
  [[noreturn]] void fail_key(const std::string& key, const std::string& message) const {
    // A const lookup, so a missing key is not added as an undefined node.
    const YAML::Node map = m_map.node();
    const YAML::Node n = map[key];
    fail(m_file, n ? n : map, m_label + ": " + key, message);
  }

  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max) {
    if (!has(key)) fail_key(key, "missing required key");
    return scalar_integer(m_file, raw(key), m_label + ": " + key, min, max);
  }
  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) {
    return has(key) ? integer(key, min, max) : fallback;
  }

  // An integer for both dimensions, or an [h, w] pair.
  std::pair<int, int> pair(const std::string& key, std::int64_t min, std::int64_t max) {
    if (!has(key)) fail_key(key, "missing required key (an integer or [h, w])");
    const YAML::Node n = raw(key);
    const std::string label = m_label + ": " + key;
    if (n.IsSequence()) {
      if (n.size() != 2) fail(m_file, n, label, "expected an integer or [h, w]");
      return {int(scalar_integer(m_file, n[0], label, min, max)),
              int(scalar_integer(m_file, n[1], label, min, max))};
    }
    const int v = int(scalar_integer(m_file, n, label, min, max));
    return {v, v};
  }
  std::pair<int, int> pair_or(const std::string& key, int fallback, std::int64_t min,
                              std::int64_t max) {
    return has(key) ? pair(key, min, max) : std::pair<int, int>{fallback, fallback};
  }

  bool boolean_or(const std::string& key, bool fallback) {
    if (!has(key)) return fallback;
    const YAML::Node n = raw(key);
    bool value = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value)) {
      fail(m_file, n, m_label + ": " + key, "expected true or false");
    }
    return value;
  }

  double number_or(const std::string& key, double fallback, double min) {
    if (!has(key)) return fallback;
    const YAML::Node n = raw(key);
    double value = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, value) || !std::isfinite(value) ||
        value < min) {
      std::ostringstream msg;
      msg << "expected a finite number >= " << min;
      fail(m_file, n, m_label + ": " + key, msg.str());
    }
    return value;
  }

  std::string choice(const std::string& key, const std::vector<std::string>& choices) {
    const YAML::Node n = raw(key);
    const std::string label = m_label + ": " + key;
    if (!n.IsScalar()) fail(m_file, n, label, "expected one of " + join(choices));
    if (std::find(choices.begin(), choices.end(), n.Scalar()) == choices.end()) {
      fail(m_file, n, label, "expected one of " + join(choices) + ", got '" + n.Scalar() + "'");
    }
    return n.Scalar();
  }
  std::string choice_or(const std::string& key, const std::string& fallback,
                        const std::vector<std::string>& choices) {
    return has(key) ? choice(key, choices) : fallback;
  }

  // `pruned_outputs`: distinct output channels in [0, out_channels), not all
  // of them, returned sorted; none when the key is absent.
  std::vector<int> pruned_outputs(int out_channels) {
    const std::string key = "pruned_outputs";
    if (!has(key)) return {};
    const YAML::Node list = raw(key);
    const std::string label = m_label + ": " + key;
    if (!list.IsSequence()) fail(m_file, list, label, "expected a list of output channel indices");
    std::vector<int> pruned;
    std::vector<bool> seen(std::size_t(out_channels), false);
    for (const auto& item : list) {
      const std::int64_t channel =
          scalar_integer(m_file, item, label, kAnyInteger.first, kAnyInteger.second);
      if (channel < 0 || channel >= out_channels) {
        fail(m_file, item, label,
             "expected output channels in [0, " + std::to_string(out_channels - 1) + "] (out is " +
                 std::to_string(out_channels) + "), got " + std::to_string(channel));
      }
      if (seen[std::size_t(channel)]) {
        fail(m_file, item, label, "output channel " + std::to_string(channel) + " listed twice");
      }
      seen[std::size_t(channel)] = true;
      pruned.push_back(int(channel));
    }
    if (int(pruned.size()) == out_channels) {
      fail(m_file, list, label,
           "all " + std::to_string(out_channels) +
               " output channels are pruned (at least one must be kept)");
    }
    std::sort(pruned.begin(), pruned.end());
    return pruned;
  }

  // Every key read; StrictMap's check guards against a key listed in
  // keys_of() that the loader forgot to read.
  void finish() const { m_map.finish(); }

 private:
  void check_keys() const {
    const auto& allowed = keys_of(m_type);
    std::vector<std::string> seen;
    for (const auto& kv : m_map.node()) {
      const std::string key = kv.first.Scalar();
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        fail(m_file, kv.first, m_label + ": " + key, "key given twice");
      }
      seen.push_back(key);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(m_file, kv.first, m_label + ": " + key,
             std::string("unknown key for type ") + to_string(m_type) + " (expected one of " +
                 join(allowed) + ")");
      }
    }
  }

  StrictMap m_map;
  std::string m_file;
  std::string m_name;
  std::string m_label;
  LayerType m_type = LayerType::conv;
};

struct NameInfo {
  int index;
  int line;
};

// Resolves `from` to input indices. `earlier` holds the layers before this
// one; `all` every layer of the file, so a forward reference gets its own
// message.
std::vector<int> resolve_inputs(LayerReader& r, const std::map<std::string, NameInfo>& earlier,
                                const std::map<std::string, NameInfo>& all, int previous) {
  if (!r.has("from")) return {previous};
  const YAML::Node from = r.raw("from");
  std::vector<YAML::Node> items;
  if (from.IsSequence()) {
    for (const auto& item : from) items.push_back(item);
  } else {
    items.push_back(from);
  }
  if (items.empty()) r.fail_node(from, "from: expected a layer name or a list of layer names");
  std::vector<int> inputs;
  for (const auto& item : items) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      r.fail_node(item, "from: expected a layer name or a list of layer names");
    }
    const std::string name = item.Scalar();
    if (name == kInputName) {
      inputs.push_back(kNetworkInput);
      continue;
    }
    const auto found = earlier.find(name);
    if (found != earlier.end()) {
      inputs.push_back(found->second.index);
      continue;
    }
    if (name == r.name()) {
      r.fail_node(item, "from: '" + name + "' is this layer; from may only name earlier layers");
    }
    const auto later = all.find(name);
    if (later != all.end()) {
      r.fail_node(item, "from: '" + name + "' is defined later (line " +
                            std::to_string(later->second.line) +
                            "); from may only name earlier layers or 'input'");
    }
    r.fail_node(item, "from: no layer named '" + name + "' (expected an earlier layer or 'input')");
  }
  return inputs;
}

// Reads the sliding-window keys (conv, local, pool) and derives the output
// extent; `channels` is the output channel count.
void read_window(LayerReader& r, Layer& layer, bool ceil_mode, int channels) {
  std::tie(layer.kernel_h, layer.kernel_w) = r.pair("kernel", 1, kMaxExtent);
  std::tie(layer.stride_h, layer.stride_w) = r.pair_or("stride", 1, 1, kMaxExtent);
  std::tie(layer.pad_h, layer.pad_w) = r.pair_or("pad", 0, 0, kMaxExtent);
  const Shape& in = layer.in;
  const int out_h = window_extent(in.h, layer.kernel_h, layer.stride_h, layer.pad_h, ceil_mode);
  const int out_w = window_extent(in.w, layer.kernel_w, layer.stride_w, layer.pad_w, ceil_mode);
  if (out_h <= 0 || out_w <= 0) {
    r.fail_layer("kernel " + std::to_string(layer.kernel_h) + "x" + std::to_string(layer.kernel_w) +
                 " is larger than the padded input " + std::to_string(in.h + 2 * layer.pad_h) +
                 "x" + std::to_string(in.w + 2 * layer.pad_w) + " (input " + to_text(in) +
                 ", pad " + std::to_string(layer.pad_h) + "x" + std::to_string(layer.pad_w) + ")");
  }
  layer.out = Shape{out_h, out_w, channels};
}

Layer parse_layer(LayerReader& r, const Network& net, const std::vector<int>& inputs) {
  Layer layer;
  layer.name = r.name();
  layer.type = r.type();
  layer.line = line_of(r.node());
  layer.inputs = inputs;
  layer.activation = r.choice_or("activation", "none", {"none", "relu"}) == "relu"
                         ? Activation::relu
                         : Activation::none;
  const char* type_name = to_string(layer.type);
  const bool merges = layer.type == LayerType::add || layer.type == LayerType::concat;
  if (!merges && inputs.size() != 1) {
    r.fail_layer(std::string("type ") + type_name + " takes exactly one input, got " +
                 std::to_string(inputs.size()) + " in from");
  }
  if (merges && inputs.size() < 2) {
    r.fail_layer(std::string("type ") + type_name +
                 " needs at least 2 inputs listed in from, got " + std::to_string(inputs.size()));
  }
  // Multi-input layers record their first input's shape as `in`.
  layer.in = net.shape_of(inputs.front());

  switch (layer.type) {
    case LayerType::conv: {
      layer.out_channels = int(r.integer("out", 1, kMaxExtent));
      layer.groups = int(r.integer_or("groups", 1, 1, kMaxExtent));
      layer.batchnorm = r.boolean_or("batchnorm", false);
      if (layer.in.c % layer.groups != 0 || layer.out_channels % layer.groups != 0) {
        r.fail_key("groups", "expected a divisor of both the input channels (" +
                                 std::to_string(layer.in.c) + ") and out (" +
                                 std::to_string(layer.out_channels) + "), got " +
                                 std::to_string(layer.groups));
      }
      layer.pruned_outputs = r.pruned_outputs(layer.out_channels);
      read_window(r, layer, false, layer.out_channels);
      break;
    }
    case LayerType::local:
      layer.out_channels = int(r.integer("out", 1, kMaxExtent));
      layer.pruned_outputs = r.pruned_outputs(layer.out_channels);
      read_window(r, layer, false, layer.out_channels);
      break;
    case LayerType::fc:
      layer.out_channels = int(r.integer("out", 1, kMaxExtent));
      layer.batchnorm = r.boolean_or("batchnorm", false);
      layer.pruned_outputs = r.pruned_outputs(layer.out_channels);
      layer.out = Shape{1, 1, layer.out_channels};
      break;
    case LayerType::pool: {
      if (!r.has("mode")) r.fail_key("mode", "missing required key (max or avg)");
      layer.pool_mode = r.choice("mode", {"max", "avg"}) == "avg" ? PoolMode::avg : PoolMode::max;
      layer.ceil_mode = r.boolean_or("ceil_mode", false);
      read_window(r, layer, layer.ceil_mode, layer.in.c);
      // A window lying wholly in the padding has no input to pool (Caffe
      // rejects it for the same reason).
      if (layer.pad_h >= layer.kernel_h || layer.pad_w >= layer.kernel_w) {
        r.fail_key("pad", "pad must be smaller than the kernel");
      }
      break;
    }
    case LayerType::lrn: {
      layer.lrn_size = int(r.integer_or("size", 5, 1, kMaxExtent));
      if (layer.lrn_size % 2 == 0) r.fail_key("size", "expected an odd window size");
      layer.lrn_alpha = r.number_or("alpha", 1e-4, 0.0);
      layer.lrn_beta = r.number_or("beta", 0.75, 0.0);
      layer.lrn_k = r.number_or("k", 1.0, 0.0);
      if (layer.lrn_k <= 0.0) r.fail_key("k", "expected a number > 0");
      layer.out = layer.in;
      break;
    }
    case LayerType::add:
      for (std::size_t i = 1; i < inputs.size(); ++i) {
        const Shape& other = net.shape_of(inputs[i]);
        if (!(other == layer.in)) {
          r.fail_layer("add inputs must have identical shapes, got " +
                       describe_input(net, inputs.front()) + " and " +
                       describe_input(net, inputs[i]));
        }
      }
      layer.out = layer.in;
      break;
    case LayerType::concat:
      layer.out = layer.in;
      for (std::size_t i = 1; i < inputs.size(); ++i) {
        const Shape& other = net.shape_of(inputs[i]);
        if (other.h != layer.in.h || other.w != layer.in.w) {
          r.fail_layer("concat inputs must have equal height and width, got " +
                       describe_input(net, inputs.front()) + " and " +
                       describe_input(net, inputs[i]));
        }
        layer.out.c += other.c;
      }
      break;
  }
  r.finish();
  return layer;
}

Network build_network(const YAML::Node& root, const std::string& file) {
  StrictMap top(file, root, "");
  Network net;
  net.file = file;
  net.name = top.string("name");
  if (net.name.empty()) top.fail_key("name", "expected a non-empty network name");
  net.source = top.string_or("source", "");
  StrictMap input = top.map("input");
  net.input.h = int(input.integer("h", 1, kMaxExtent));
  net.input.w = int(input.integer("w", 1, kMaxExtent));
  net.input.c = int(input.integer("c", 1, kMaxExtent));
  input.finish();
  const YAML::Node layers = top.raw("layers");
  top.finish();
  if (!layers.IsSequence() || layers.size() == 0) {
    fail(file, layers, "layers", "expected a non-empty list of layers");
  }

  // First pass: where each name is first defined, so that a `from` naming a
  // later layer is told apart from a typo.
  std::map<std::string, NameInfo> all;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const YAML::Node node = layers[i];
    if (node.IsMap() && node["name"] && node["name"].IsScalar()) {
      all.emplace(node["name"].Scalar(), NameInfo{int(i), line_of(node)});
    }
  }

  std::map<std::string, NameInfo> earlier;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerReader reader(file, layers[i], i);
    if (reader.name() == kInputName) {
      reader.fail_key("name", "'input' is reserved for the network input");
    }
    const auto duplicate = earlier.find(reader.name());
    if (duplicate != earlier.end()) {
      reader.fail_key("name", "duplicate layer name (first defined on line " +
                                  std::to_string(duplicate->second.line) + ")");
    }
    const int previous = i == 0 ? kNetworkInput : int(i) - 1;
    const std::vector<int> inputs = resolve_inputs(reader, earlier, all, previous);
    net.layers.push_back(parse_layer(reader, net, inputs));
    earlier.emplace(reader.name(), NameInfo{int(i), net.layers.back().line});
  }
  return net;
}

}  // namespace

Network load_network(const std::string& path) {
  return build_network(load_yaml_file(path), path);
}

Network parse_network(const std::string& yaml_text, const std::string& file) {
  return build_network(parse_yaml_text(yaml_text, file), file);
}

}  // namespace reramsim::workloads
