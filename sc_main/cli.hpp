// The reramsim command line: run, validate, info. Kept apart from main() so
// tests drive it in-process.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

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

// Options of the form --key value; flags listed in `allowed`.
struct Options {
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::string> positional;
  bool has(const std::string& key) const;
  std::string get(const std::string& key) const;  // "" if absent
};
Options parse_options(const std::string& command, const std::vector<std::string>& args,
                      const std::vector<std::string>& allowed);

}  // namespace reramsim::cli
