#include "reramsim/noc/activity_trace.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <stdexcept>

namespace reramsim::noc {

int ActivityTrace::add_signal(const std::string& scope, const std::string& name) {
  m_signals.push_back({scope, name, 1, {}, {}});
  return int(m_signals.size()) - 1;
}

int ActivityTrace::add_value_signal(const std::string& scope, const std::string& name, int width) {
  m_signals.push_back({scope, name, width, {}, {}});
  return int(m_signals.size()) - 1;
}

void ActivityTrace::value(int signal, std::int64_t time, std::uint64_t value) {
  m_signals[std::size_t(signal)].values.emplace_back(time, value);
}

void ActivityTrace::busy(int signal, std::int64_t begin, std::int64_t end) {
  if (end <= begin) return;
  m_signals[std::size_t(signal)].intervals.emplace_back(begin, end);
}

namespace {

// VCD identifiers: printable ASCII 33..126, base 94.
std::string vcd_id(std::size_t index) {
  std::string id;
  do {
    id += char(33 + index % 94);
    index /= 94;
  } while (index > 0);
  return id;
}

}  // namespace

void ActivityTrace::write_vcd(const std::string& path, std::int64_t timescale_ps) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write the VCD file");
  out << "$date reramsim $end\n$version reramsim activity trace $end\n";
  out << "$timescale " << timescale_ps << " ps $end\n";
  // Group signals by scope, emitting nested $scope blocks.
  std::map<std::string, std::vector<std::size_t>> by_scope;
  for (std::size_t i = 0; i < m_signals.size(); ++i) by_scope[m_signals[i].scope].push_back(i);
  for (const auto& [scope, indices] : by_scope) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = scope.find('.', start);
      parts.push_back(scope.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& p : parts) out << "$scope module " << p << " $end\n";
    for (std::size_t i : indices) {
      out << "$var wire " << m_signals[i].width << " " << vcd_id(i) << " " << m_signals[i].name
          << " $end\n";
    }
    for (std::size_t k = 0; k < parts.size(); ++k) out << "$upscope $end\n";
  }
  out << "$enddefinitions $end\n";

  // Merge each signal's intervals, then emit value changes in time order.
  std::map<std::int64_t, std::vector<std::pair<std::size_t, std::uint64_t>>> changes;
  for (std::size_t i = 0; i < m_signals.size(); ++i) {
    if (m_signals[i].width > 1) {
      // Later records at the same time win; unchanged values are not repeated.
      auto values = m_signals[i].values;
      std::stable_sort(values.begin(), values.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::uint64_t current = 0;
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (k + 1 < values.size() && values[k + 1].first == values[k].first) continue;
        if (values[k].second == current) continue;
        current = values[k].second;
        changes[values[k].first].emplace_back(i, current);
      }
      continue;
    }
    auto intervals = m_signals[i].intervals;
    std::sort(intervals.begin(), intervals.end());
    std::int64_t cur_begin = -1;
    std::int64_t cur_end = -1;
    for (const auto& [b, e] : intervals) {
      if (b > cur_end) {
        if (cur_end >= 0) {
          changes[cur_begin].emplace_back(i, 1);
          changes[cur_end].emplace_back(i, 0);
        }
        cur_begin = b;
        cur_end = e;
      } else {
        cur_end = std::max(cur_end, e);
      }
    }
    if (cur_end >= 0) {
      changes[cur_begin].emplace_back(i, 1);
      changes[cur_end].emplace_back(i, 0);
    }
  }
  out << "#0\n$dumpvars\n";
  for (std::size_t i = 0; i < m_signals.size(); ++i) {
    out << (m_signals[i].width > 1 ? "b0 " : "0") << vcd_id(i) << "\n";
  }
  out << "$end\n";
  for (const auto& [time, list] : changes) {
    out << "#" << time << "\n";
    for (const auto& [i, v] : list) {
      if (m_signals[i].width > 1) {
        std::string bits;
        for (std::uint64_t x = v; x != 0; x >>= 1) bits.insert(bits.begin(), char('0' + (x & 1)));
        out << "b" << (bits.empty() ? "0" : bits) << " " << vcd_id(i) << "\n";
      } else {
        out << v << vcd_id(i) << "\n";
      }
    }
  }
  if (!out) throw std::runtime_error(path + ": error while writing the VCD file");
}

}  // namespace reramsim::noc
