// The batch link (001_ea7aef8f81a45a7e.txt Section VI.A, Fig. 8): an
// all-reduce of a vector across n PEs, e.g. batch-normalization statistics.
//
// Two schemes (noc.batch_link.scheme):
// - chain, the naive method: the partial sum travels hop by hop from the first
//   participant to the last, each adding its contribution, and the result
//   travels back: 2 (n - 1) hops and n - 1 additions, O(n);
// - distributive: recursive doubling; in round r every participant exchanges
//   its partial sum with the one 2^r away (over the batch link's own
//   connections) and adds: ceil(log2 n) rounds of one hop and one addition,
//   O(log n).
// A hop of F = ceil(8 B / link_width_bits) flits costs router + link +
// (F - 1) cycles; an addition of E values ceil(E / alu_lanes) x alu_op.
//
// Each participant calls b_transport on its reduce_socket with its values; the
// call returns when the reduction is complete, with every participant's
// values replaced by the sum (the call waits in simulated time, so initiators
// must be threads).
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "reramsim/arch/arch_config.hpp"

namespace reramsim::noc {

class ReduceExtension : public tlm::tlm_extension<ReduceExtension> {
 public:
  int group = 0;                                // reductions in flight are told apart by group
  int participants = 0;                         // n
  std::vector<std::int64_t>* values = nullptr;  // in: contribution; out: the sum
  tlm::tlm_extension_base* clone() const override { return new ReduceExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const ReduceExtension&>(other);
  }
};

// Cycles of one reduction of `elements` values of `bytes_per_value` bytes
// over n participants (closed forms above).
std::int64_t batch_reduce_cycles(const arch::ArchConfig& arch, int participants,
                                 std::int64_t elements, int bytes_per_value);

class BatchLink : public sc_core::sc_module {
 public:
  std::vector<std::unique_ptr<tlm_utils::simple_target_socket_tagged<BatchLink>>> reduce_socket;

  // One reduce_socket per PE (or `ports` of them), each of which must be bound.
  BatchLink(sc_core::sc_module_name name, const arch::ArchConfig& arch, int ports = -1);

  std::int64_t reductions() const { return m_reductions; }
  std::int64_t link_flits() const { return m_link_flits; }

 private:
  struct Pending {
    int arrived = 0;
    sc_core::sc_time latest;  // the last contribution's time
    std::vector<std::int64_t> sum;
    sc_core::sc_time done;
    sc_core::sc_event complete;
    int left = 0;  // participants still to pick up the result
  };
  void b_transport(int pe, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);

  const arch::ArchConfig& m_arch;
  sc_core::sc_time m_period;
  std::map<int, std::unique_ptr<Pending>> m_pending;
  std::int64_t m_reductions = 0;
  std::int64_t m_link_flits = 0;
};

}  // namespace reramsim::noc
