// Busy intervals of named one-bit signals (PE busy, link occupied) and value
// changes of multi-bit ones (the OU step of a fine-grained crossbar), written as
// a VCD file that GTKWave opens. Intervals are recorded in cycles as the
// models compute them, so the waveform is exact under temporal decoupling
// (no sc_signal is written ahead of simulated time).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reramsim::noc {

class ActivityTrace {
 public:
  // Registers a signal; `scope` is a dot-separated hierarchy ("chip.pe3").
  int add_signal(const std::string& scope, const std::string& name);
  // Registers a multi-bit signal (e.g. the OU step a crossbar is in).
  int add_value_signal(const std::string& scope, const std::string& name, int width);
  // Marks [begin, end) cycles busy. Overlapping intervals merge.
  void busy(int signal, std::int64_t begin, std::int64_t end);
  // A multi-bit signal takes `value` from cycle `time` on.
  void value(int signal, std::int64_t time, std::uint64_t value);
  // Writes the VCD; `timescale_ps` is one cycle in picoseconds.
  void write_vcd(const std::string& path, std::int64_t timescale_ps) const;
  bool empty() const { return m_signals.empty(); }

 private:
  struct Signal {
    std::string scope;
    std::string name;
    int width = 1;  // 1: busy intervals; more: value changes
    std::vector<std::pair<std::int64_t, std::int64_t>> intervals;
    std::vector<std::pair<std::int64_t, std::uint64_t>> values;
  };
  std::vector<Signal> m_signals;
};

}  // namespace reramsim::noc
