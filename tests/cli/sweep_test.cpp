// `reramsim sweep`: the cross product of points, a process each, one CSV row
// per point, restartable.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

using reramsim::test::CliResult;
using reramsim::test::read_file;
using reramsim::test::run_cli;
using reramsim::test::Scratch;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
const std::string kLeNet =
    "--arch configs/tiny.yaml --net workloads/networks/lenet5.yaml --jobs 2 ";
}  // namespace

TEST_CASE("sweep: a row per point of the cross product, with the command that reproduces it",
          "[cli][sweep]") {
  Scratch scratch;
  const std::string csv = scratch.path("r.csv");
  const CliResult r = run_cli(scratch, "sweep " + kLeNet +
                                           "--mapper simple,spatem --set crossbar.ou.rows=4,8 "
                                           "--out '" +
                                           csv + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = lines_of(read_file(csv));
  REQUIRE(lines.size() == 1 + 2 * 2);  // header, 2 mappers x 2 OU heights
  CHECK(lines[0].rfind("arch,net,mapper,set,seed,status,latency_cycles", 0) == 0);
  // In point order: mapper outer, then the --set values as given.
  CHECK(lines[1].find(",simple,crossbar.ou.rows=4,1,ok,") != std::string::npos);
  CHECK(lines[2].find(",simple,crossbar.ou.rows=8,1,ok,") != std::string::npos);
  CHECK(lines[3].find(",spatem,crossbar.ou.rows=4,1,ok,") != std::string::npos);
  CHECK(lines[4].find(",spatem,crossbar.ou.rows=8,1,ok,") != std::string::npos);
  // The last field reruns the point: the same latency as the row's.
  const std::string row = lines[2];
  const std::string command = row.substr(row.rfind(",reramsim run ") + 10);
  const std::string stats = scratch.path("again.json");
  REQUIRE(run_cli(scratch, command + " --stats '" + stats + "'").exit_code == 0);
  const auto again = nlohmann::json::parse(read_file(stats));
  CHECK(row.find(",ok," + std::to_string(again["latency_cycles"].get<std::int64_t>()) + ",") !=
        std::string::npos);
}

TEST_CASE("sweep: restarted, it keeps whole rows, drops a torn one and runs what is missing",
          "[cli][sweep]") {
  Scratch scratch;
  const std::string csv = scratch.path("r.csv");
  REQUIRE(run_cli(scratch, "sweep " + kLeNet + "--mapper simple --out '" + csv + "'").exit_code ==
          0);
  const auto first = lines_of(read_file(csv));
  REQUIRE(first.size() == 2);
  // An interruption mid-row would leave a torn line: it is not a row.
  std::ofstream(csv, std::ios::app) << "configs/tiny.yaml,workloads/networks/lenet5.yaml,spa";
  const CliResult r =
      run_cli(scratch, "sweep " + kLeNet + "--mapper simple,spatem --out '" + csv + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "reramsim sweep: 2 points, 1 simulated, 1 already in " + csv + "\n");
  const auto lines = lines_of(read_file(csv));
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == first[1]);  // the earlier row, untouched
  CHECK(lines[2].find(",spatem,,1,ok,") != std::string::npos);
}

TEST_CASE("sweep: a bad point stops it before anything runs, with no file", "[cli][sweep]") {
  Scratch scratch;
  const std::string csv = scratch.path("r.csv");
  const CliResult r =
      run_cli(scratch, "sweep " + kLeNet + "--set crossbar.ou.depth=1,2 --out '" + csv + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("crossbar.ou.depth") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(csv));
  const CliResult m = run_cli(scratch, "sweep " + kLeNet + "--mapper nope --out '" + csv + "'");
  CHECK(m.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(csv));
}
