// The fine-grained mode (an event per OU step) and the fast mode (one
// transaction, closed-form time) agree on time and values.
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include <random>

#include "hw_test_util.hpp"
#include "reramsim/hw/crossbar.hpp"

using namespace reramsim;

namespace {

struct Driver : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Driver> socket{"socket"};
  const std::vector<std::int32_t>* inputs = nullptr;
  std::int64_t vectors = 0;
  std::vector<std::int64_t> outputs;
  sc_core::sc_time done;
  SC_HAS_PROCESS(Driver);
  explicit Driver(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() {
    hw::MvmExtension mvm;
    mvm.inputs = inputs->data();
    mvm.vectors = vectors;
    mvm.signed_inputs = true;
    mvm.outputs = outputs.data();
    tlm::tlm_generic_payload payload;
    payload.set_extension(&mvm);
    // Both start 3 cycles into the simulation, through the local time offset.
    sc_core::sc_time delay(3.0, sc_core::SC_NS);
    socket->b_transport(payload, delay);
    payload.clear_extension(&mvm);
    done = sc_core::sc_time_stamp() + delay;
  }
};

}  // namespace

TEST_CASE("hw: fine-grained and fast crossbars agree on time and values", "[hw][fine]") {
  arch::ArchConfig arch = test::tiny_arch();
  arch.crossbar.adc_bits = 3;  // lossy, so the stepped ADC path is exercised too
  test::EmptyRun run(arch);
  const std::int64_t rows = 30, cols = 7, vectors = 3;
  std::mt19937_64 rng(11);
  std::vector<std::int16_t> w(std::size_t(rows * cols));
  for (auto& x : w) x = std::int16_t(std::int64_t(rng() % 256) - 128);
  std::vector<std::int32_t> in(std::size_t(vectors * rows));
  for (auto& x : in) x = std::int32_t(std::int64_t(rng() % 256) - 128);

  hw::Crossbar fast("fast", *run.context);
  hw::Crossbar fine("fine", *run.context);
  fast.program(rows, cols, w);
  fine.program(rows, cols, w);
  fine.set_fine_grained(true);
  Driver a("a"), b("b");
  for (Driver* d : {&a, &b}) {
    d->inputs = &in;
    d->vectors = vectors;
    d->outputs.assign(std::size_t(vectors * cols), 0);
  }
  a.socket.bind(fast.mvm_socket);
  b.socket.bind(fine.mvm_socket);
  sc_core::sc_start();

  // Closed form: 3 + vectors * 8 input cycles * ceil(30/8) * ceil((7*4+1)/8) steps.
  const sc_core::sc_time period(arch.cycle_ns(), sc_core::SC_NS);
  CHECK(a.done == period * double(3 + vectors * 8 * 4 * 4));
  CHECK(b.done == a.done);
  CHECK(a.outputs == b.outputs);
  CHECK(run.context->counts.adc_lossy_conversions > 0);
}
