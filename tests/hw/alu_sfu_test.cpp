// The ALU/SFU module: values and lane timing (Table V of 001: 32 ALU lanes,
// 1 or 4 cycles; 32 SFU lanes, inverse square root in 8 cycles).
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "hw_test_util.hpp"
#include "reramsim/hw/alu_sfu.hpp"

using namespace reramsim;

namespace {

struct Driver : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Driver> socket{"socket"};
  explicit Driver(sc_core::sc_module_name n) : sc_module(n) {}
  // Runs one operation issued at time 0 and returns its cycles.
  std::int64_t run(hw::VectorOpExtension& ext, const arch::ArchConfig& arch) {
    tlm::tlm_generic_payload payload;
    payload.set_extension(&ext);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(payload, delay);
    payload.clear_extension(&ext);
    REQUIRE(payload.get_response_status() == tlm::TLM_OK_RESPONSE);
    return std::int64_t(delay / sc_core::sc_time(arch.cycle_ns(), sc_core::SC_NS) + 0.5);
  }
};

struct Bench {
  arch::ArchConfig arch =
      arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/re-reram.yaml");
  test::EmptyRun run{arch};
  hw::AluSfu alu{"alu_sfu", *run.context};
  Driver driver{"driver"};
  Bench() {
    driver.socket.bind(alu.op_socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
};

hw::VectorOpExtension op(hw::VectorOp kind, const std::vector<std::int64_t>& a,
                         const std::vector<std::int64_t>& b, std::vector<std::int64_t>& out,
                         int imm = 0) {
  hw::VectorOpExtension ext;
  ext.op = kind;
  ext.a = a.data();
  ext.b = b.empty() ? nullptr : b.data();
  out.assign(a.size(), 0);
  ext.out = out.data();
  ext.count = std::int64_t(a.size());
  ext.imm = imm;
  return ext;
}

}  // namespace

TEST_CASE("alu: 100 additions on 32 lanes take 4 one-cycle passes", "[hw][alu]") {
  Bench bench;
  std::vector<std::int64_t> a(100, 3), b(100, -5), out;
  auto ext = op(hw::VectorOp::add, a, b, out);
  // ceil(100 / 32) = 4 passes x 1 cycle (hand calculation).
  CHECK(bench.driver.run(ext, bench.arch) == 4);
  CHECK(out[99] == -2);
}

TEST_CASE("alu: multiply and divide take 4 cycles a pass; division rounds half away from zero",
          "[hw][alu]") {
  Bench bench;
  std::vector<std::int64_t> a = {-7, 7, 9}, b = {2, 2, -4}, out;
  auto ext = op(hw::VectorOp::div, a, b, out);
  CHECK(bench.driver.run(ext, bench.arch) == 4);       // one pass x 4 cycles
  CHECK(out == std::vector<std::int64_t>{-4, 4, -2});  // -3.5 -> -4, 3.5 -> 4, -2.25 -> -2
}

TEST_CASE("sfu: inverse square root takes 8 cycles a pass", "[hw][alu]") {
  Bench bench;
  std::vector<std::int64_t> a(40, 16), out;
  auto ext = op(hw::VectorOp::rsqrt, a, {}, out, 8);
  // ceil(40 / 32) = 2 passes x 8 cycles; 2^8 / sqrt(16) = 64 (hand calculation).
  CHECK(bench.driver.run(ext, bench.arch) == 16);
  CHECK(out[0] == 64);
  CHECK(bench.run.context->counts.sfu_ops == 40);
}

TEST_CASE("alu: shift-and-clamp requantizes with and without ReLU", "[hw][alu]") {
  Bench bench;  // 4-bit activations: [-8, 7]
  std::vector<std::int64_t> a = {13, -13, 200}, out;
  auto ext = op(hw::VectorOp::shift, a, {}, out, 1);
  bench.driver.run(ext, bench.arch);
  // (13 + 1) >> 1 = 7; (-13 + 1) >> 1 = -6; 200 -> 100 clamps to 7 (hand calculation).
  CHECK(out == std::vector<std::int64_t>{7, -6, 7});
}

TEST_CASE("alu: back-to-back operations queue on the lanes", "[hw][alu]") {
  Bench bench;
  std::vector<std::int64_t> a(64, 1), out1, out2;
  auto first = op(hw::VectorOp::relu, a, {}, out1);
  auto second = op(hw::VectorOp::relu, a, {}, out2);
  CHECK(bench.driver.run(first, bench.arch) == 2);
  CHECK(bench.driver.run(second, bench.arch) == 4);  // waits for the first's 2 cycles
}
