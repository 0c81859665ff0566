// The fast convolution buffer (001_ea7aef8f81a45a7e.txt Section V, Fig. 7):
// it holds a layer's input and turns it into crossbar input vectors by img2col,
// reusing the columns consecutive windows share (k/s reuse) and reading the
// columns a stride brings in in parallel.
//
// One transaction gathers the input vectors of a crossbar tile (every window,
// or one part's) and reports
// how many cycles each vector's reads take; the PE overlaps reading vector
// v + 1 with the crossbar's work on vector v when it has two buffers
// (ping-pong). Timing formulas: docs/hardware.md, "Convolution buffer".
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/passthrough_target_socket.h>

#include <cstdint>
#include <vector>

#include "reramsim/hw/run_context.hpp"

namespace reramsim::hw {

class Img2colExtension : public tlm::tlm_extension<Img2colExtension> {
 public:
  const workloads::Layer* layer = nullptr;
  const workloads::Tensor* input = nullptr;
  std::int64_t matrix = 0;     // group (conv) or position (local)
  std::int64_t row_begin = 0;  // first weight-matrix row of the tile
  std::int64_t rows = 0;
  // conv: the windows vector_begin .. vector_begin + vector_count - 1 (output
  // positions in row-major order); vector_count < 0: every window.
  std::int64_t vector_begin = 0;
  std::int64_t vector_count = -1;
  std::vector<std::int32_t>* vectors = nullptr;      // out: vectors x rows
  std::vector<std::int64_t>* read_cycles = nullptr;  // out: per vector
  tlm::tlm_extension_base* clone() const override { return new Img2colExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const Img2colExtension&>(other);
  }
};

// Read accesses for one input vector of a tile with `rows` weight-matrix rows;
// `follows` is true when the previous vector was the window to its left in
// the same output row (so its shared columns can be reused).
std::int64_t window_read_accesses(const arch::ArchConfig& arch, const workloads::Layer& layer,
                                  std::int64_t rows, bool follows);

// Cycles to process `vectors` with per-vector read cycles `reads` on a
// crossbar taking `mvm_cycles` per vector: with two buffers reads overlap
// the previous vector's compute (r_0 + sum max(t, r_{v+1})), with one they
// do not (sum (r_v + t)).
std::int64_t pipelined_cycles(const std::vector<std::int64_t>& reads, std::int64_t mvm_cycles,
                              int conv_buffers);

class ConvBuffer : public sc_core::sc_module {
 public:
  tlm_utils::passthrough_target_socket<ConvBuffer> read_socket;

  ConvBuffer(sc_core::sc_module_name name, RunContext& context);

 private:
  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload);

  RunContext& m_context;
  const workloads::Tensor* m_last_input = nullptr;  // for debug reads
};

}  // namespace reramsim::hw
