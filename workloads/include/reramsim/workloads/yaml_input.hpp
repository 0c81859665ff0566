// Strict reading of YAML input files (networks and architecture configs).
//
// Every map is read through a StrictMap, which remembers the keys that were
// consumed; finish() rejects any key left over, so a typo never silently
// becomes a default. Every error is one line: "file:line: key: what was
// expected".
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace reramsim::workloads {

// A user-facing input error; what() is the complete one-line message.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads a YAML file; throws InputError naming the file (and line, for a parse
// error) when it cannot be read or parsed.
YAML::Node load_yaml_file(const std::string& path);
// The same for text already in memory; `file` names it in messages.
YAML::Node parse_yaml_text(const std::string& text, const std::string& file);

// "file:line" for a node (line is 1-based, as editors show it).
// Command-line overrides: each "a.b.c" = "value" replaces (or adds) key c of
// map a.b with the YAML scalar or flow value parsed from "value". The file is
// validated afterwards as usual. Throws InputError when a.b is not a map.
using Overrides = std::vector<std::pair<std::string, std::string>>;
void apply_overrides(YAML::Node root, const Overrides& overrides, const std::string& file);

std::string where(const std::string& file, const YAML::Node& node);

[[noreturn]] void fail(const std::string& file, const YAML::Node& node, const std::string& key,
                       const std::string& message);

class StrictMap {
 public:
  // `context` is a dotted key path used in messages, e.g. "crossbar.ou".
  StrictMap(std::string file, YAML::Node node, std::string context);

  bool has(const std::string& key) const;
  YAML::Node node() const { return m_node; }
  const std::string& file() const { return m_file; }
  // Dotted path of a child key, e.g. "crossbar.ou.rows".
  std::string path(const std::string& key) const;

  // Required and optional scalars. Integers must be whole numbers within
  // [min, max]; doubles finite within [min, max].
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max);
  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max);
  double number(const std::string& key, double min, double max);
  double number_or(const std::string& key, double fallback, double min, double max);
  bool boolean(const std::string& key);
  bool boolean_or(const std::string& key, bool fallback);
  std::string string(const std::string& key);
  std::string string_or(const std::string& key, const std::string& fallback);
  // A string that must be one of `choices`.
  std::string choice(const std::string& key, const std::vector<std::string>& choices);
  std::string choice_or(const std::string& key, const std::string& fallback,
                        const std::vector<std::string>& choices);
  // A nested map (required).
  StrictMap map(const std::string& key);
  // The raw node of a key (marks it consumed); throws if missing.
  YAML::Node raw(const std::string& key);

  // Throws InputError for the first key that was never consumed.
  void finish() const;

  [[noreturn]] void fail_key(const std::string& key, const std::string& message) const;

 private:
  YAML::Node get(const std::string& key);  // marks consumed; throws if missing

  std::string m_file;
  YAML::Node m_node;
  std::string m_context;
  std::set<std::string> m_consumed;
};

// Reads an integer scalar node (with range check), for list elements.
std::int64_t scalar_integer(const std::string& file, const YAML::Node& node, const std::string& key,
                            std::int64_t min, std::int64_t max);

}  // namespace reramsim::workloads
