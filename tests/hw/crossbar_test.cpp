// Crossbar timing against the closed form of docs/architecture.md and values
// against a naive matrix product written here.
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <catch2/catch.hpp>

#include <random>

#include "hw_test_util.hpp"
#include "reramsim/hw/crossbar.hpp"

using namespace reramsim;

namespace {

// Issues MVM transactions from a thread and records what came back.
struct MvmDriver : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<MvmDriver> mvm_socket{"mvm_socket"};
  std::vector<std::int32_t> inputs;
  std::int64_t vectors = 0;
  std::int64_t cols = 0;
  int repeats = 1;
  std::vector<std::int64_t> outputs;
  std::vector<sc_core::sc_time> done;  // absolute completion times
  SC_HAS_PROCESS(MvmDriver);
  explicit MvmDriver(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }
  void run() {
    for (int i = 0; i < repeats; ++i) {
      outputs.assign(std::size_t(vectors * cols), -1);
      hw::MvmExtension mvm;
      mvm.inputs = inputs.data();
      mvm.vectors = vectors;
      mvm.outputs = outputs.data();
      tlm::tlm_generic_payload payload;
      payload.set_extension(&mvm);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // both issued at time 0
      mvm_socket->b_transport(payload, delay);
      payload.clear_extension(&mvm);
      REQUIRE(payload.get_response_status() == tlm::TLM_OK_RESPONSE);
      done.push_back(sc_core::sc_time_stamp() + delay);
    }
  }
};

}  // namespace

TEST_CASE("hw: a fully mapped SPATEM crossbar runs 240 OU steps per input cycle",
          "[hw][crossbar]") {
  // SPATEM chip: 128x128 crossbar, OU 9x8, 2-bit weights in 2-bit cells; fully
  // mapped = 127 weight columns + the offset scheme's reference column.
  // Hand calculation: ceil(128/9) * ceil(128/8) = 15 * 16 = 240.
  arch::ArchConfig arch = test::tiny_arch();
  arch.crossbar.rows = 128;
  arch.crossbar.cols = 128;
  arch.crossbar.ou = {9, 8};
  arch.crossbar.cell_bits = 2;
  arch.data.weight_bits = 2;
  arch.data.activation_bits = 16;
  arch.latency.ou_step = 1;
  test::EmptyRun run(arch);
  hw::Crossbar xbar("xbar", *run.context);
  xbar.program(128, 127, std::vector<std::int16_t>(128 * 127, 1));
  CHECK(xbar.ou_steps() == 240);
  // 16-bit inputs through a 1-bit DAC: 16 input cycles per vector.
  CHECK(xbar.mvm_cycles(1) == 16 * 240);
  CHECK(xbar.mvm_cycles(5) == 5 * 16 * 240);
}

TEST_CASE("hw: a partly filled crossbar runs only the OUs it needs", "[hw][crossbar]") {
  // 20 rows x 10 weights of 8 bits in 2-bit cells = 40 physical columns plus
  // the reference column; OU 8x8: ceil(20/8) * ceil(41/8) = 3 * 6 = 18 steps
  // (hand calculation).
  arch::ArchConfig arch = test::tiny_arch();
  arch.crossbar.ou = {8, 8};
  arch.data.weight_bits = 8;
  arch.crossbar.cell_bits = 2;
  test::EmptyRun run(arch);
  hw::Crossbar xbar("xbar", *run.context);
  xbar.program(20, 10, std::vector<std::int16_t>(200, 1));
  CHECK(xbar.ou_steps() == 18);
  CHECK(xbar.mvm_cycles(1) == arch.input_cycles() * 18 * arch.latency.ou_step);
}

TEST_CASE("hw: the Re-ReRAM array does 1152 x 16 MACs every 6 cycles", "[hw][crossbar]") {
  // Table V / VIII of 001: 1152x256 array, 16 columns multiplexed, 5.77 ns per
  // column group at 1 GHz -> 6 cycles; 1152*16/6 = 3072 MACs per cycle.
  const arch::ArchConfig arch =
      arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/re-reram.yaml");
  test::EmptyRun run(arch);
  hw::Crossbar xbar("xbar", *run.context);
  // Fully mapped: 255 weight columns and the reference column.
  xbar.program(1152, 255, std::vector<std::int16_t>(1152 * 255, 1));
  CHECK(xbar.ou_steps() == 16);  // 256 columns / 16 per OU step
  const std::int64_t per_input_cycle = xbar.mvm_cycles(1) / arch.input_cycles();
  CHECK(per_input_cycle == 16 * 6);
  CHECK(1152 * 256 / per_input_cycle == 3072);  // counting every column's cells
}

TEST_CASE("hw: crossbar MVM values equal the integer matrix product", "[hw][crossbar]") {
  arch::ArchConfig arch = test::tiny_arch();
  test::EmptyRun run(arch);
  const std::int64_t rows = 50;
  const std::int64_t cols = 13;
  std::mt19937_64 rng(7);
  std::vector<std::int16_t> w(std::size_t(rows * cols));
  for (auto& x : w) x = std::int16_t(std::int64_t(rng() % 256) - 128);
  hw::Crossbar xbar("xbar", *run.context);
  xbar.program(rows, cols, w);
  MvmDriver driver("driver");
  driver.mvm_socket.bind(xbar.mvm_socket);
  driver.vectors = 4;
  driver.cols = cols;
  driver.inputs.resize(std::size_t(driver.vectors * rows));
  for (auto& x : driver.inputs) x = std::int32_t(std::int64_t(rng() % 256) - 128);
  sc_core::sc_start();

  // Naive reference product.
  for (std::int64_t v = 0; v < driver.vectors; ++v) {
    for (std::int64_t c = 0; c < cols; ++c) {
      std::int64_t expected = 0;
      for (std::int64_t r = 0; r < rows; ++r) {
        expected +=
            std::int64_t(driver.inputs[std::size_t(v * rows + r)]) * w[std::size_t(r * cols + c)];
      }
      CHECK(driver.outputs[std::size_t(v * cols + c)] == expected);
    }
  }
  CHECK(run.context->counts.macs == driver.vectors * rows * cols);
  CHECK(run.context->counts.crossbar_mvms == driver.vectors);
}

TEST_CASE("hw: a busy crossbar serializes back-to-back transactions", "[hw][crossbar]") {
  arch::ArchConfig arch = test::tiny_arch();
  test::EmptyRun run(arch);
  hw::Crossbar xbar("xbar", *run.context);
  xbar.program(64, 8, std::vector<std::int16_t>(64 * 8, 1));
  MvmDriver driver("driver");
  driver.mvm_socket.bind(xbar.mvm_socket);
  driver.vectors = 2;
  driver.cols = 8;
  driver.repeats = 2;
  driver.inputs.assign(std::size_t(2 * 64), 1);
  sc_core::sc_start();
  const sc_core::sc_time period(arch.cycle_ns(), sc_core::SC_NS);
  // Both requests arrive at time 0: the second ends one MVM batch later.
  REQUIRE(driver.done.size() == 2);
  CHECK(driver.done[0] == period * double(xbar.mvm_cycles(2)));
  CHECK(driver.done[1] == period * double(2 * xbar.mvm_cycles(2)));
  CHECK(driver.outputs[0] == 64);
}

TEST_CASE("hw: debug transport reads back the programmed weights", "[hw][crossbar]") {
  arch::ArchConfig arch = test::tiny_arch();
  test::EmptyRun run(arch);
  hw::Crossbar xbar("xbar", *run.context);
  xbar.program(2, 3, {1, -2, 3, -4, 5, -6});
  struct Reader : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Reader> socket{"socket"};
    explicit Reader(sc_core::sc_module_name n) : sc_module(n) {}
  } reader("reader");
  reader.socket.bind(xbar.mvm_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // completes elaboration (port binding)
  std::int16_t buffer[6] = {};
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_READ_COMMAND);
  payload.set_address(0);
  payload.set_data_ptr(reinterpret_cast<unsigned char*>(buffer));
  payload.set_data_length(sizeof(buffer));
  CHECK(reader.socket->transport_dbg(payload) == sizeof(buffer));
  CHECK(buffer[1] == -2);
  CHECK(buffer[5] == -6);
}
