// The reramsim command line: run, validate, info. Kept apart from main() so
// tests drive it in-process.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::cli {

// Runs one command; returns the process exit code (0 ok, 1 simulation
// finished with a functional mismatch, 2 bad input or usage).
int main(const std::vector<std::string>& args);

// Thrown for bad command-line usage; what() is the one-line message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int info_command(const std::vector<std::string>& args);
int asm_command(const std::vector<std::string>& args);     // isa_commands.cpp
int disasm_command(const std::vector<std::string>& args);  // isa_commands.cpp
int noc_command(const std::vector<std::string>& args);     // noc_command.cpp
int map_command(const std::vector<std::string>& args);     // map_command.cpp
int sweep_command(const std::vector<std::string>& args);   // sweep_command.cpp

// Options of the form --key value; flags listed in `allowed`.
struct Options {
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::string> positional;
  bool has(const std::string& key) const;
  std::string get(const std::string& key) const;               // "" if absent
  std::vector<std::string> all(const std::string& key) const;  // every value of a repeatable key
  // The `--set KEY.PATH=VALUE` options (repeatable).
  workloads::Overrides overrides(const std::string& command) const;
};
Options parse_options(const std::string& command, const std::vector<std::string>& args,
                      const std::vector<std::string>& allowed);

// Output files are written under a temporary name and renamed into place, so
// a failed command leaves no partial file behind; the directory must exist
// before any work starts (UsageError naming the command and option).
void check_writable(const std::string& command, const std::string& option, const std::string& path);
void write_atomically(const std::string& path,
                      const std::function<void(const std::string& tmp)>& write);
// A non-negative integer option value (UsageError naming command and option).
std::uint64_t parse_unsigned(const std::string& command, const std::string& option,
                             const std::string& text);
// UsageError unless `mapper` is one of mapping::mapper_names().
void check_mapper(const std::string& command, const std::string& mapper);
// The same for a text (InputError naming the file when it cannot be written).
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace reramsim::cli
