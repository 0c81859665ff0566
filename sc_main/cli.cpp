#include "cli.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "reramsim/mapping/mapper.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::cli {

namespace {

const char* kUsage =
    "usage: reramsim <command> [options]\n"
    "commands:\n"
    "  run --arch CONFIG --net NETWORK [--stats OUT.json] [--vcd OUT.vcd] [--seed N]\n"
    "      [--quantum-ns T] [--set KEY.PATH=VALUE ...] [--fine-grained all|PES]\n"
    "      [--trace-pes PES]  (with --vcd: only those PEs and the links serving them)\n"
    "      [--mapper simple|spatem|isaac|hitm|local|folding]  (default simple)\n"
    "                         simulate one inference and check it against the reference;\n"
    "                         --set overrides a config key, e.g. crossbar.adc.bits=6;\n"
    "                         --fine-grained steps those PEs' crossbars one OU at a time\n"
    "  map --arch CONFIG --net NETWORK [--mapper M] [--report OUT.json] [--set KEY.PATH=VALUE "
    "...]\n"
    "                         map without simulating: per-layer partition degrees and\n"
    "                         replicas, crossbars, cells, shared crossbars, estimates\n"
    "  sweep --arch F[,F...] --net F[,F...] [--mapper M[,M...]] [--set KEY=V[,V...] ...]\n"
    "      [--seed N] [--jobs N] --out RESULTS.csv\n"
    "                         simulate the cross product, one process per point, N at a\n"
    "                         time; a row per point; restarted, skips points done\n"
    "  validate FILE...       check configs and networks without simulating\n"
    "  info --arch CONFIG [--net NETWORK]\n"
    "                         derived capacity, per-layer shapes, weights, MACs, matrices\n"
    "  asm IN.s -o OUT.bin    assemble PE instructions (docs/isa.md)\n"
    "  disasm IN.bin          print the assembly of a binary program\n"
    "  noc --arch CONFIG --network mesh|fattree|collection --pattern P --rate R --cycles N\n"
    "      [--seed S] [--stats OUT.json] [--warmup W] [--packet-flits K]\n"
    "      [--set KEY.PATH=VALUE ...]\n"
    "                         synthetic-traffic study of one NoC part (docs/noc.md)\n";

}  // namespace

bool Options::has(const std::string& key) const {
  for (const auto& [k, v] : values) {
    if (k == key) return true;
  }
  return false;
}

std::string Options::get(const std::string& key) const {
  for (const auto& [k, v] : values) {
    if (k == key) return v;
  }
  return "";
}

std::vector<std::string> Options::all(const std::string& key) const {
  std::vector<std::string> found;
  for (const auto& [k, v] : values) {
    if (k == key) found.push_back(v);
  }
  return found;
}

workloads::Overrides Options::overrides(const std::string& command) const {
  workloads::Overrides result;
  for (const std::string& item : all("set")) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("reramsim " + command + ": --set expects KEY.PATH=VALUE, got '" + item +
                       "'");
    }
    result.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return result;
}

Options parse_options(const std::string& command, const std::vector<std::string>& args,
                      const std::vector<std::string>& allowed) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      options.positional.push_back(a);
      continue;
    }
    const std::string key = a.substr(2);
    bool known = false;
    for (const auto& k : allowed) known = known || k == key;
    if (!known) throw UsageError("reramsim " + command + ": unknown option '" + a + "'");
    if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
      throw UsageError("reramsim " + command + ": option '" + a + "' expects a value");
    }
    // --set is repeatable (one config key each); other options once.
    if (key != "set" && options.has(key)) {
      throw UsageError("reramsim " + command + ": option '" + a + "' given twice");
    }
    options.values.emplace_back(key, args[++i]);
  }
  return options;
}

std::uint64_t parse_unsigned(const std::string& command, const std::string& option,
                             const std::string& text) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-') {
    throw UsageError("reramsim " + command + ": --" + option +
                     " expects a non-negative integer, got '" + text + "'");
  }
  return value;
}

void check_writable(const std::string& command, const std::string& option,
                    const std::string& path) {
  const std::filesystem::path p(path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : ".";
  if (!std::filesystem::is_directory(dir)) {
    throw UsageError("reramsim " + command + ": --" + option + " " + path +
                     ": directory does not exist");
  }
}

void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write) {
  const std::string tmp = path + ".tmp";
  try {
    write(tmp);
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
}

void check_mapper(const std::string& command, const std::string& mapper) {
  const auto& names = mapping::mapper_names();
  if (std::find(names.begin(), names.end(), mapper) != names.end()) return;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw UsageError("reramsim " + command + ": --mapper expects one of " + list + ", got '" +
                   mapper + "'");
}

void write_text_atomically(const std::string& path, const std::string& text) {
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp);
    out << text;
    out.close();
    if (!out) throw workloads::InputError(path + ": cannot write the file");
  });
}

int main(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "run") return run_command(rest);
    if (command == "validate") return validate_command(rest);
    if (command == "info") return info_command(rest);
    if (command == "asm") return asm_command(rest);
    if (command == "disasm") return disasm_command(rest);
    if (command == "noc") return noc_command(rest);
    if (command == "map") return map_command(rest);
    if (command == "sweep") return sweep_command(rest);
    throw UsageError("reramsim: unknown command '" + command +
                     "' (expected run, map, sweep, validate, info, asm, disasm or noc)");
  } catch (const UsageError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const workloads::InputError& e) {
    std::cerr << "reramsim: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace reramsim::cli
