#include "reramsim/workloads/yaml_input.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace reramsim::workloads {

YAML::Node load_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_yaml_text(text.str(), path);
}

YAML::Node parse_yaml_text(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(file + ":" + std::to_string(e.mark.line + 1) +
                     ": YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) throw InputError(file + ":1: expected a YAML map at the top level");
  return root;
}

void apply_overrides(YAML::Node root, const Overrides& overrides, const std::string& file) {
  for (const auto& [path, value] : overrides) {
    std::vector<std::string> keys;
    std::size_t start = 0;
    for (;;) {
      const std::size_t dot = path.find('.', start);
      keys.push_back(path.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    YAML::Node node;
    node.reset(root);
    std::string walked;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
      walked += (walked.empty() ? "" : ".") + keys[i];
      YAML::Node child = node[keys[i]];
      if (!child || !child.IsMap()) {
        throw InputError("--set " + path + ": " + file + " has no map '" + walked + "'");
      }
      node.reset(child);  // rebinds; plain assignment would overwrite the parent's value
    }
    if (keys.back().empty()) throw InputError("--set " + path + ": expected KEY.PATH=VALUE");
    try {
      // A scalar is assigned as text, so the node carries no line of its own
      // and messages about it name the file without a misleading line.
      const YAML::Node parsed = YAML::Load(value);
      if (parsed.IsScalar()) {
        node[keys.back()] = parsed.Scalar();
      } else {
        node[keys.back()] = parsed;
      }
    } catch (const YAML::Exception& e) {
      throw InputError("--set " + path + ": cannot parse value '" + value + "': " + e.msg);
    }
  }
}

std::string where(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1);
}

void fail(const std::string& file, const YAML::Node& node, const std::string& key,
          const std::string& message) {
  throw InputError(where(file, node) + ": " + key + ": " + message);
}

StrictMap::StrictMap(std::string file, YAML::Node node, std::string context)
    : m_file(std::move(file)), m_node(std::move(node)), m_context(std::move(context)) {
  if (!m_node.IsMap()) {
    throw InputError(where(m_file, m_node) + ": " + (m_context.empty() ? "(top)" : m_context) +
                     ": expected a map of keys");
  }
}

bool StrictMap::has(const std::string& key) const {
  return static_cast<bool>(m_node[key]);
}

std::string StrictMap::path(const std::string& key) const {
  return m_context.empty() ? key : m_context + "." + key;
}

void StrictMap::fail_key(const std::string& key, const std::string& message) const {
  const YAML::Node n = m_node[key];
  fail(m_file, n ? n : m_node, path(key), message);
}

YAML::Node StrictMap::get(const std::string& key) {
  const YAML::Node n = m_node[key];
  if (!n) fail(m_file, m_node, path(key), "missing required key");
  m_consumed.insert(key);
  return n;
}

YAML::Node StrictMap::raw(const std::string& key) {
  return get(key);
}

std::int64_t scalar_integer(const std::string& file, const YAML::Node& node, const std::string& key,
                            std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<std::int64_t>::decode(node, value)) {
    fail(file, node, key,
         "expected an integer, got '" +
             (node.IsScalar() ? node.Scalar() : "a " + std::string(node.IsMap() ? "map" : "list")) +
             "'");
  }
  if (value < min || value > max) {
    fail(file, node, key,
         "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
             std::to_string(value));
  }
  return value;
}

std::int64_t StrictMap::integer(const std::string& key, std::int64_t min, std::int64_t max) {
  return scalar_integer(m_file, get(key), path(key), min, max);
}

std::int64_t StrictMap::integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) {
  return has(key) ? integer(key, min, max) : fallback;
}

double StrictMap::number(const std::string& key, double min, double max) {
  const YAML::Node n = get(key);
  double value = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, value) || !std::isfinite(value)) {
    fail(m_file, n, path(key), "expected a number");
  }
  if (value < min || value > max) {
    std::ostringstream msg;
    msg << "expected a number in [" << min << ", " << max << "], got " << value;
    fail(m_file, n, path(key), msg.str());
  }
  return value;
}

double StrictMap::number_or(const std::string& key, double fallback, double min, double max) {
  return has(key) ? number(key, min, max) : fallback;
}

bool StrictMap::boolean(const std::string& key) {
  const YAML::Node n = get(key);
  bool value = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value)) {
    fail(m_file, n, path(key), "expected true or false");
  }
  return value;
}

bool StrictMap::boolean_or(const std::string& key, bool fallback) {
  return has(key) ? boolean(key) : fallback;
}

std::string StrictMap::string(const std::string& key) {
  const YAML::Node n = get(key);
  if (!n.IsScalar()) fail(m_file, n, path(key), "expected a string");
  return n.Scalar();
}

std::string StrictMap::string_or(const std::string& key, const std::string& fallback) {
  return has(key) ? string(key) : fallback;
}

std::string StrictMap::choice(const std::string& key, const std::vector<std::string>& choices) {
  const YAML::Node n = m_node[key];
  const std::string value = string(key);
  for (const auto& c : choices) {
    if (c == value) return value;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail(m_file, n, path(key), "expected one of " + list + ", got '" + value + "'");
}

std::string StrictMap::choice_or(const std::string& key, const std::string& fallback,
                                 const std::vector<std::string>& choices) {
  return has(key) ? choice(key, choices) : fallback;
}

StrictMap StrictMap::map(const std::string& key) {
  return StrictMap(m_file, get(key), path(key));
}

void StrictMap::finish() const {
  for (const auto& kv : m_node) {
    const std::string key = kv.first.Scalar();
    if (!m_consumed.count(key)) fail(m_file, kv.first, path(key), "unknown key");
  }
}

}  // namespace reramsim::workloads
