// `reramsim noc`: the synthetic-traffic command as users run it: the stats
// file's documented keys (docs/noc.md, "Statistics"), determinism, and one-line
// usage errors with exit code 2 and no partial file.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "cli_test_util.hpp"

using reramsim::test::CliResult;
using reramsim::test::read_file;
using reramsim::test::run_cli;
using reramsim::test::Scratch;

namespace {

const char* kMesh = "noc --arch configs/noc-mesh8x8.yaml --network mesh --pattern uniform ";

}  // namespace

TEST_CASE("cli: reramsim noc writes the documented statistics", "[cli][noc]") {
  Scratch scratch;
  const std::string stats = scratch.path("noc.json");
  const CliResult r =
      run_cli(scratch, std::string(kMesh) + "--rate 0.02 --cycles 5000 --stats '" + stats + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("reramsim noc: mesh, uniform traffic") == 0);
  CHECK(r.out.find("us per simulated cycle") != std::string::npos);
  const auto j = nlohmann::json::parse(read_file(stats));
  for (const char* key : {"tool",
                          "command",
                          "arch",
                          "network",
                          "pattern",
                          "rate",
                          "packet_flits",
                          "packet_bytes",
                          "seed",
                          "clock_mhz",
                          "cycles",
                          "warmup_cycles",
                          "measured_cycles",
                          "sources",
                          "offered",
                          "accepted",
                          "latency_cycles",
                          "saturation_bound",
                          "network_stats",
                          "links",
                          "all_cycles"}) {
    CHECK(j.contains(key));
  }
  CHECK(j["network"] == "mesh");
  CHECK(j["pattern"] == "uniform");
  CHECK(j["cycles"] == 5000);
  CHECK(j["warmup_cycles"] == 500);  // 10% by default
  CHECK(j["measured_cycles"] == 4500);
  CHECK(j["packet_flits"] == 8);
  CHECK(j["packet_bytes"] == 16);  // 8 flits of 16 bits
  CHECK(j["sources"] == 64);
  for (const char* key : {"average", "p99", "max", "zero_load"}) {
    CHECK(j["latency_cycles"].contains(key));
  }
  CHECK(j["latency_cycles"]["p99"] <= j["latency_cycles"]["max"]);
  // docs/noc.md: 4 * 63 / (8 * 64) / 8 packets per node per cycle.
  CHECK(j["saturation_bound"]["packets_per_node_cycle"].get<double>() ==
        Approx(0.0615234375).epsilon(1e-12));
  CHECK(j["links"]["count"] == 224);  // 2 directions x 2 axes x 8 lines x 7 links
  CHECK(j["links"]["per_link"].size() == 224u);
  const auto& link = j["links"]["per_link"][0];
  for (const char* key :
       {"name", "packets", "flits", "busy_cycles", "wait_cycles", "utilization"}) {
    CHECK(link.contains(key));
  }
  // Wall time is printed, never stored.
  CHECK(read_file(stats).find("wall") == std::string::npos);
}

TEST_CASE("cli: reramsim noc is deterministic for a seed", "[cli][noc]") {
  Scratch scratch;
  const std::string args = std::string(kMesh) + "--rate 0.05 --cycles 3000 --stats ";
  REQUIRE(run_cli(scratch, args + "'" + scratch.path("a.json") + "' --seed 7").exit_code == 0);
  REQUIRE(run_cli(scratch, args + "'" + scratch.path("b.json") + "' --seed 7").exit_code == 0);
  REQUIRE(run_cli(scratch, args + "'" + scratch.path("c.json") + "' --seed 8").exit_code == 0);
  const std::string a = read_file(scratch.path("a.json"));
  CHECK(a == read_file(scratch.path("b.json")));
  CHECK(a != read_file(scratch.path("c.json")));
}

TEST_CASE("cli: reramsim noc runs every network and pattern it accepts", "[cli][noc]") {
  Scratch scratch;
  for (const char* args : {"--network mesh --pattern transpose --rate 0.02",
                           "--network mesh --pattern hotspot --rate 0.005",
                           "--network fattree --pattern uniform --rate 0.05",
                           "--network fattree --pattern hotspot --rate 0.05",
                           "--network fattree --pattern broadcast --rate 0.05",
                           "--network collection --pattern gather --rate 0.001"}) {
    const CliResult r = run_cli(scratch, std::string("noc --arch configs/noc-mesh8x8.yaml ") +
                                             args + " --cycles 2000 --packet-flits 4");
    INFO(args);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("cli: reramsim noc rejects bad options with one line and no file", "[cli][noc]") {
  Scratch scratch;
  const std::string stats = scratch.path("bad.json");
  const std::string tail = " --cycles 1000 --stats '" + stats + "'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"noc --arch configs/noc-mesh8x8.yaml --network torus --pattern uniform --rate 0.1" + tail,
       "reramsim noc: --network expects mesh, fattree or collection, got 'torus'\n"},
      {"noc --arch configs/spatem.yaml --network mesh --pattern transpose --rate 0.1" + tail,
       "reramsim noc: --pattern transpose needs a square PE grid; configs/spatem.yaml has 12 x 14 "
       "PEs\n"},
      {std::string(kMesh) + "--rate 1.5" + tail,
       "reramsim noc: --rate expects a number in [0, 1] (packets per node per cycle), got '1.5'\n"},
      {std::string(kMesh) + "--rate -0.1" + tail,
       "reramsim noc: --rate expects a number in [0, 1] (packets per node per cycle), got "
       "'-0.1'\n"},
      {std::string(kMesh) + "--rate abc" + tail,
       "reramsim noc: --rate expects a number in [0, 1] (packets per node per cycle), got "
       "'abc'\n"},
      {"noc --arch configs/noc-mesh8x8.yaml --network mesh --pattern broadcast --rate 0.1" + tail,
       "reramsim noc: --pattern broadcast does not apply to --network mesh (it takes uniform, "
       "transpose or hotspot)\n"},
      {"noc --arch configs/noc-mesh8x8.yaml --network collection --pattern uniform --rate 0.1" +
           tail,
       "reramsim noc: --pattern uniform does not apply to --network collection (it takes "
       "gather)\n"},
      {"noc --arch configs/noc-mesh8x8.yaml --network fattree --pattern gather --rate 0.1" + tail,
       "reramsim noc: --pattern gather does not apply to --network fattree (it takes uniform, "
       "hotspot or broadcast)\n"},
      {std::string(kMesh) + "--rate 0.1 --cycles 1000 --warmup 1000",
       "reramsim noc: --warmup (1000) must be less than --cycles (1000)\n"},
      {std::string(kMesh) + "--rate 0.1 --cycles 0",
       "reramsim noc: --cycles expects an integer in [1, 1000000000], got '0'\n"},
      {std::string(kMesh) + "--cycles 1000", "reramsim noc: missing --rate R\n"},
      {std::string(kMesh) + "--rate 0.1 --cycles 1000 --packet-flits 0",
       "reramsim noc: --packet-flits expects an integer in [1, 1000000], got '0'\n"},
      {"noc --arch configs/noc-mesh8x8.yaml --network mesh --pattern zigzag --rate 0.1" + tail,
       "reramsim noc: --pattern expects uniform, transpose, hotspot, broadcast or gather, got "
       "'zigzag'\n"},
      {std::string(kMesh) + "--rate 0.1 --cycles 1000 --stats /nonexistent/dir/x.json",
       "reramsim noc: --stats /nonexistent/dir/x.json: directory does not exist\n"},
      {std::string(kMesh) + "--rate 0.1 --cycles 1000 --set noc.mesh.enabled=false",
       "reramsim noc: --network mesh: the mesh is disabled in configs/noc-mesh8x8.yaml\n"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args);
    const CliResult r = run_cli(scratch, args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == message);
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(stats));
    CHECK_FALSE(std::filesystem::exists(stats + ".tmp"));
  }
}
