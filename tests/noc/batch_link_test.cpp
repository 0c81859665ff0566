// The batch link's all-reduce: values, the closed-form time of both schemes,
// and Fig. 8's claim (001): O(log n) against O(n).
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "reramsim/noc/batch_link.hpp"

using namespace reramsim;

namespace {

arch::ArchConfig tiny(bool distributive) {
  arch::ArchConfig arch =
      arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/tiny.yaml");
  arch.noc.batch_link_distributive = distributive;
  return arch;
}

struct Participant : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Participant> socket{"socket"};
  std::vector<std::int64_t> values;
  int participants = 0;
  sc_core::sc_time start;
  sc_core::sc_time done;
  SC_HAS_PROCESS(Participant);
  explicit Participant(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() {
    noc::ReduceExtension ext;
    ext.values = &values;
    ext.participants = participants;
    tlm::tlm_generic_payload payload;
    payload.set_extension(&ext);
    sc_core::sc_time delay = start;  // contributes at `start` (local time)
    socket->b_transport(payload, delay);
    payload.clear_extension(&ext);
    done = sc_core::sc_time_stamp() + delay;
  }
};

struct Bench {
  arch::ArchConfig arch;
  noc::BatchLink link;
  std::vector<std::unique_ptr<Participant>> pes;
  Bench(bool distributive, int n) : arch(tiny(distributive)), link("batch_link", arch, n) {
    for (int i = 0; i < n; ++i) {
      pes.push_back(std::make_unique<Participant>(("pe" + std::to_string(i)).c_str()));
      pes.back()->socket.bind(*link.reduce_socket[std::size_t(i)]);
      pes.back()->participants = n;
      pes.back()->values = {i + 1, 10 * (i + 1)};
    }
  }
};

}  // namespace

TEST_CASE("batch link: every participant gets the sum, after the distributive rounds",
          "[noc][batch]") {
  Bench bench(true, 4);
  bench.pes[2]->start = sc_core::sc_time(5, sc_core::SC_NS);  // the last contribution
  sc_core::sc_start();
  // Hand calculation (tiny.yaml: router 1, link 1, 16-bit links, 32 ALU lanes
  // of 1 cycle): 2 int64 values = 16 bytes = 8 flits; a hop 1 + 1 + 7 = 9
  // cycles, an addition 1; 2 rounds for 4 PEs -> 20 cycles after cycle 5.
  for (const auto& pe : bench.pes) {
    CHECK(pe->values == std::vector<std::int64_t>{1 + 2 + 3 + 4, 10 + 20 + 30 + 40});
    CHECK(pe->done == sc_core::sc_time(25, sc_core::SC_NS));
  }
  CHECK(bench.link.reductions() == 1);
}

TEST_CASE("batch link: the chain takes 2(n-1) hops and n-1 additions", "[noc][batch]") {
  Bench bench(false, 4);
  sc_core::sc_start();
  // Hand calculation: 3 x (2 x 9 + 1) = 57 cycles from 0.
  for (const auto& pe : bench.pes) {
    CHECK(pe->values[0] == 10);
    CHECK(pe->done == sc_core::sc_time(57, sc_core::SC_NS));
  }
}

TEST_CASE("batch link: distributive grows as log n, the chain as n (Fig. 8)", "[noc][batch]") {
  const arch::ArchConfig distributive = tiny(true);
  const arch::ArchConfig chain = tiny(false);
  // One 8-byte value: hop 1 + 1 + 3 = 5 cycles, addition 1.
  // distributive: ceil(log2 n) x 6; chain: (n - 1) x 11 (closed forms).
  for (int n : {2, 4, 16, 64, 256}) {
    int rounds = 0;
    while ((1 << rounds) < n) ++rounds;
    CHECK(noc::batch_reduce_cycles(distributive, n, 1, 8) == rounds * 6);
    CHECK(noc::batch_reduce_cycles(chain, n, 1, 8) == (n - 1) * 11);
  }
  // From 16 to 256 PEs: the distributive time doubles (4 -> 8 rounds), the
  // chain's grows 17-fold (15 -> 255 steps).
  CHECK(noc::batch_reduce_cycles(distributive, 256, 1, 8) ==
        2 * noc::batch_reduce_cycles(distributive, 16, 1, 8));
  CHECK(noc::batch_reduce_cycles(chain, 256, 1, 8) ==
        17 * noc::batch_reduce_cycles(chain, 16, 1, 8));
}
