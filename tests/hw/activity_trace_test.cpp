// The VCD writer: merged intervals and the exact text GTKWave reads.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "reramsim/noc/activity_trace.hpp"

TEST_CASE("trace: busy intervals become merged VCD value changes", "[trace]") {
  reramsim::noc::ActivityTrace trace;
  const int a = trace.add_signal("chip.pe_0", "busy");
  trace.busy(a, 10, 20);
  trace.busy(a, 20, 25);  // touching: merges into [10, 25)
  trace.busy(a, 40, 41);
  const std::string path = "activity_trace_test.vcd";
  trace.write_vcd(path, 1000);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  // Expected text written by hand from the VCD format (IEEE 1364 §18).
  const std::string expected =
      "$date reramsim $end\n$version reramsim activity trace $end\n$timescale 1000 ps $end\n"
      "$scope module chip $end\n$scope module pe_0 $end\n$var wire 1 ! busy $end\n"
      "$upscope $end\n$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n0!\n$end\n"
      "#10\n1!\n#25\n0!\n#40\n1!\n#41\n0!\n";
  CHECK(text.str() == expected);
  std::remove(path.c_str());
}
