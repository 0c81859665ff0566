// `reramsim sweep`: the cross product of architectures, networks, mappers and
// config overrides, each point simulated by `reramsim run` in its own process
// (SystemC elaborates once per process), N at a time, one CSV row per point.
// The CSV is rewritten under a temporary name and renamed after every
// finished point, so an interrupted sweep leaves only whole rows, and a
// restarted one skips the points it finds.
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "reramsim/arch/arch_config.hpp"
#include "reramsim/workloads/network.hpp"
#include "reramsim/workloads/yaml_input.hpp"

namespace reramsim::cli {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.emplace_back();
  return parts;
}

// CSV quoting (RFC 4180): fields with a comma, quote or newline are quoted.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> parse_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

// Single quotes for the reproducing command, as a POSIX shell reads them.
std::string shell_quote(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_./=:") == std::string::npos) {
    return text;
  }
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const std::vector<std::string> kColumns = {"arch",
                                           "net",
                                           "mapper",
                                           "set",
                                           "seed",
                                           "status",
                                           "latency_cycles",
                                           "latency_ns",
                                           "crossbars_used",
                                           "pes_used",
                                           "cells_used",
                                           "cell_utilization",
                                           "computation_parallelism",
                                           "noc_bytes",
                                           "noc_byte_hops",
                                           "macs",
                                           "matches_reference",
                                           "output_max_abs_error",
                                           "command"};

struct Point {
  std::string arch, net, mapper;
  std::vector<std::pair<std::string, std::string>> overrides;  // key, value
  std::string set_text() const {
    std::string text;
    for (const auto& [k, v] : overrides) text += (text.empty() ? "" : " ") + k + "=" + v;
    return text;
  }
  std::string key() const { return arch + "\n" + net + "\n" + mapper + "\n" + set_text(); }
};

std::vector<std::string> run_args(const Point& p, std::uint64_t seed, const std::string& stats) {
  std::vector<std::string> args = {"run",    "--arch", p.arch,
                                   "--net",  p.net,    "--mapper",
                                   p.mapper, "--seed", std::to_string(seed)};
  for (const auto& [k, v] : p.overrides) {
    args.push_back("--set");
    args.push_back(k + "=" + v);
  }
  if (!stats.empty()) {
    args.push_back("--stats");
    args.push_back(stats);
  }
  return args;
}

std::string command_text(const Point& p, std::uint64_t seed) {
  std::string text = "reramsim";
  for (const auto& a : run_args(p, seed, "")) text += " " + shell_quote(a);
  return text;
}

std::vector<std::string> row_for(const Point& p, std::uint64_t seed, int exit_code,
                                 const std::string& stats_path) {
  std::vector<std::string> row = {p.arch, p.net, p.mapper, p.set_text(), std::to_string(seed)};
  nlohmann::json s;
  bool have_stats = false;
  if (exit_code == 0 || exit_code == 1) {
    std::ifstream in(stats_path);
    if (in) {
      s = nlohmann::json::parse(in, nullptr, false);
      have_stats = !s.is_discarded();
    }
  }
  const std::string status = !have_stats ? "failed (exit " + std::to_string(exit_code) + ")"
                                         : (exit_code == 0 ? "ok" : "values differ");
  row.push_back(status);
  const auto num = [&](const nlohmann::json& v) {
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    std::ostringstream out;
    out << std::setprecision(9) << v.get<double>();
    return out.str();
  };
  if (have_stats) {
    const auto& r = s["resources"];
    row.push_back(num(s["latency_cycles"]));
    row.push_back(num(s["latency_ns"]));
    row.push_back(num(r["crossbars_used"]));
    row.push_back(num(r["pes_used"]));
    row.push_back(num(r["cells_used"]));
    row.push_back(num(r["cell_utilization_of_used_crossbars"]));
    row.push_back(num(s["computation_parallelism"]));
    row.push_back(num(s["noc"]["bytes"]));
    row.push_back(num(s["noc"]["byte_hops"]));
    row.push_back(num(s["actions"]["macs"]));
    row.push_back(s["functional"]["matches_reference"].get<bool>() ? "true" : "false");
    row.push_back(num(s["functional"]["output_max_abs_error"]));
  } else {
    for (int i = 0; i < 12; ++i) row.emplace_back();
  }
  row.push_back(command_text(p, seed));
  return row;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_field(fields[i]);
  return line + "\n";
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  const Options options =
      parse_options("sweep", args, {"arch", "net", "mapper", "set", "seed", "jobs", "out"});
  if (!options.positional.empty()) {
    throw UsageError("reramsim sweep: unexpected argument '" + options.positional.front() + "'");
  }
  for (const char* required : {"arch", "net", "out"}) {
    if (!options.has(required)) {
      throw UsageError(std::string("reramsim sweep: missing --") + required);
    }
  }
  const std::uint64_t seed =
      options.has("seed") ? parse_unsigned("sweep", "seed", options.get("seed")) : 1;
  const std::uint64_t jobs =
      options.has("jobs") ? parse_unsigned("sweep", "jobs", options.get("jobs")) : 1;
  if (jobs == 0) throw UsageError("reramsim sweep: --jobs must be at least 1");
  const std::string out_path = options.get("out");
  check_writable("sweep", "out", out_path);

  const std::vector<std::string> archs = split(options.get("arch"), ',');
  const std::vector<std::string> nets = split(options.get("net"), ',');
  const std::vector<std::string> mappers =
      split(options.has("mapper") ? options.get("mapper") : "simple", ',');
  for (const auto& m : mappers) check_mapper("sweep", m);
  // --set KEY=V1,V2 is a dimension of the sweep too.
  std::vector<std::pair<std::string, std::vector<std::string>>> dims;
  for (const auto& [key, value] : options.overrides("sweep")) {
    dims.push_back({key, split(value, ',')});
  }
  // Every input is checked before anything runs: a bad point fails the
  // sweep at once, with run's one-line message.
  for (const auto& a : archs) {
    arch::load_arch_config(a);
    for (const auto& [k, values] : dims) {
      for (const auto& v : values) arch::load_arch_config(a, {{k, v}});
    }
  }
  for (const auto& n : nets) workloads::load_network(n);

  std::vector<Point> points;
  for (const auto& a : archs) {
    for (const auto& n : nets) {
      for (const auto& m : mappers) {
        std::vector<std::vector<std::pair<std::string, std::string>>> combos = {{}};
        for (const auto& [k, values] : dims) {
          std::vector<std::vector<std::pair<std::string, std::string>>> next;
          for (const auto& c : combos) {
            for (const auto& v : values) {
              next.push_back(c);
              next.back().emplace_back(k, v);
            }
          }
          combos = std::move(next);
        }
        for (const auto& c : combos) points.push_back({a, n, m, c});
      }
    }
  }

  // Rows already written (a restarted sweep): kept, their points skipped.
  std::vector<std::string> lines;
  std::set<std::string> done;
  {
    std::ifstream in(out_path);
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (header) {
        header = false;
        continue;
      }
      if (line.empty()) continue;
      const auto f = parse_csv_line(line);
      if (f.size() != kColumns.size()) continue;  // not a row of ours
      done.insert(f[0] + "\n" + f[1] + "\n" + f[2] + "\n" + f[3]);
      lines.push_back(line + "\n");
    }
  }
  // New rows in point order, whatever order their processes finish in, so
  // the same sweep gives the same file.
  std::map<std::size_t, std::string> new_lines;
  const auto write_csv = [&] {
    std::string text = csv_line(kColumns);
    for (const auto& l : lines) text += l;
    for (const auto& [index, l] : new_lines) text += l;
    write_text_atomically(out_path, text);
  };
  write_csv();

  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string scratch = out_path + ".points";
  std::filesystem::create_directories(scratch);
  const bool progress = isatty(STDERR_FILENO) != 0;
  std::size_t finished = 0;
  std::size_t todo = 0;
  for (const auto& p : points) todo += done.count(p.key()) ? 0 : 1;

  std::map<pid_t, std::pair<std::size_t, std::string>> running;  // pid -> point, stats file
  std::size_t next = 0;
  const auto reap_one = [&] {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) return;
    const auto it = running.find(pid);
    if (it == running.end()) return;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const Point& p = points[it->second.first];
    new_lines[it->second.first] = csv_line(row_for(p, seed, code, it->second.second));
    std::error_code ignored;
    std::filesystem::remove(it->second.second, ignored);
    running.erase(it);
    write_csv();
    ++finished;
    if (progress) std::cerr << "\rreramsim sweep: " << finished << " of " << todo << " points";
  };
  while (next < points.size() || !running.empty()) {
    while (next < points.size() && running.size() < jobs) {
      const Point& p = points[next];
      if (done.count(p.key())) {
        ++next;
        continue;
      }
      const std::string stats = scratch + "/point-" + std::to_string(next) + ".json";
      const std::vector<std::string> child = run_args(p, seed, stats);
      const pid_t pid = fork();
      if (pid == 0) {
        // The child: a plain `reramsim run`, its output discarded.
        std::vector<char*> argv;
        std::string name = "reramsim";
        argv.push_back(name.data());
        std::vector<std::string> copy = child;
        for (auto& a : copy) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) {
          dup2(null, STDOUT_FILENO);
          dup2(null, STDERR_FILENO);
        }
        execv(self.c_str(), argv.data());
        _exit(127);
      }
      if (pid < 0) throw workloads::InputError(out_path + ": cannot start a process for a point");
      running[pid] = {next, stats};
      ++next;
    }
    if (!running.empty()) reap_one();
  }
  if (progress && todo > 0) std::cerr << "\n";
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  std::cout << "reramsim sweep: " << points.size() << " points, " << finished << " simulated, "
            << points.size() - todo << " already in " << out_path << "\n";
  return 0;
}

}  // namespace reramsim::cli
