// `validate` and `info`.
#include <catch2/catch.hpp>

#include "cli_test_util.hpp"

using reramsim::test::CliResult;
using reramsim::test::run_cli;
using reramsim::test::Scratch;

TEST_CASE("cli: validate accepts every shipped config and network", "[cli]") {
  Scratch scratch;
  const CliResult r =
      run_cli(scratch,
              "validate configs/tiny.yaml configs/spatem.yaml configs/re-reram.yaml "
              "configs/isaac.yaml workloads/networks/*.yaml");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("configs/spatem.yaml: ok (architecture spatem, 168 PEs, 16128 crossbars)") !=
        std::string::npos);
  CHECK(r.out.find("workloads/networks/resnet34.yaml: ok (network resnet34") != std::string::npos);
}

TEST_CASE("cli: info prints capacity and per-layer lowering", "[cli]") {
  Scratch scratch;
  const CliResult r =
      run_cli(scratch, "info --arch configs/spatem.yaml --net workloads/networks/caffenet.yaml");
  REQUIRE(r.exit_code == 0);
  // 168 PEs x 12 CUs x 8 crossbars of 128 x 128 (000_95e50d1ef642925c.txt).
  CHECK(r.out.find("crossbars        16128 = 168 PEs x 12 CUs x 8") != std::string::npos);
  CHECK(r.out.find("cells            264241152") != std::string::npos);
  // CaffeNet conv2: 2 groups of (5*5*48) x 128, 27*27 = 729 vectors (hand calculation).
  CHECK(r.out.find("2 x 1200 x 128 (729)") != std::string::npos);
  CHECK(r.out.find("total: 60954656 weights, 724406816 MACs") != std::string::npos);
}
