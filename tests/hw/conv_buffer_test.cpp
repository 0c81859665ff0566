// The convolution buffer's read timing (k/s reuse, stride-parallel reads),
// the ping-pong overlap with the crossbar, and the img2col values.
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "hw_test_util.hpp"
#include "reramsim/hw/conv_buffer.hpp"

using namespace reramsim;

namespace {

workloads::Layer conv3x3(int stride, int channels) {
  workloads::Layer l;
  l.type = workloads::LayerType::conv;
  l.kernel_h = l.kernel_w = 3;
  l.stride_h = l.stride_w = stride;
  l.in = {8, 8, channels};
  l.out_channels = 4;
  l.out = {(8 - 3) / stride + 1, (8 - 3) / stride + 1, 4};
  return l;
}

arch::ArchConfig reads_of_128() {
  arch::ArchConfig arch = test::tiny_arch();
  arch.pe.conv_buffer_read_values = 128;
  arch.pe.input_reuse = true;
  arch.pe.stride_parallel_read = true;
  return arch;
}

}  // namespace

TEST_CASE("conv buffer: a window reuses the columns it shares with its left neighbour",
          "[hw][conv_buffer]") {
  // 3x3 kernel over 128 channels, tile of all 1152 rows: 384 values per kernel
  // column = 3 accesses of 128. Hand calculation: a full window reads 3
  // columns = 9 accesses; the next window (stride 1) reads 1 new column = 3.
  const auto arch = reads_of_128();
  const auto layer = conv3x3(1, 128);
  CHECK(hw::window_read_accesses(arch, layer, 1152, false) == 9);
  CHECK(hw::window_read_accesses(arch, layer, 1152, true) == 3);
}

TEST_CASE("conv buffer: without input reuse every window reads all its columns",
          "[hw][conv_buffer]") {
  auto arch = reads_of_128();
  arch.pe.input_reuse = false;
  CHECK(hw::window_read_accesses(arch, conv3x3(1, 128), 1152, true) == 9);
}

TEST_CASE("conv buffer: stride-parallel reads fetch a stride's new columns at once",
          "[hw][conv_buffer]") {
  // Stride 2: two new columns per window. Parallel: one access group of 3
  // accesses; sequential: 2 x 3 = 6 (hand calculation).
  auto arch = reads_of_128();
  const auto layer = conv3x3(2, 128);
  CHECK(hw::window_read_accesses(arch, layer, 1152, true) == 3);
  arch.pe.stride_parallel_read = false;
  CHECK(hw::window_read_accesses(arch, layer, 1152, true) == 6);
}

TEST_CASE("conv buffer: ping-pong hides reads that fit within the crossbar's work",
          "[hw][conv_buffer]") {
  // Reads 9, 3, 3 cycles; 6 cycles of MVM per vector. Two buffers: 9 +
  // max(6,3) + max(6,3) + 6 = 27, i.e. only the first read shows. One buffer:
  // (9+6) + (3+6) + (3+6) = 33. (Hand calculation.)
  CHECK(hw::pipelined_cycles({9, 3, 3}, 6, 2) == 27);
  CHECK(hw::pipelined_cycles({9, 3, 3}, 6, 1) == 33);
}

TEST_CASE("conv buffer: reads longer than the crossbar's work break the overlap",
          "[hw][conv_buffer]") {
  // Without reuse every read is 9 > 6: 9 + 9 + 9 + 6 = 33 (hand calculation),
  // 6 more cycles than with reuse.
  CHECK(hw::pipelined_cycles({9, 9, 9}, 6, 2) == 33);
}

TEST_CASE("conv buffer: img2col gathers padded windows of the group's channels",
          "[hw][conv_buffer]") {
  auto arch = test::tiny_arch();
  test::EmptyRun run(arch);
  hw::ConvBuffer buffer("conv_buffer", *run.context);
  struct Reader : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Reader> socket{"socket"};
    explicit Reader(sc_core::sc_module_name n) : sc_module(n) {}
  } reader("reader");
  reader.socket.bind(buffer.read_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  // 3x3x2 input holding y*10 + x + 100*c; a 2x2 conv, pad 1, 2 groups.
  workloads::Tensor input;
  input.shape = {3, 3, 2};
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 2; ++c) input.data.push_back(y * 10 + x + 100 * c);
  workloads::Layer layer;
  layer.type = workloads::LayerType::conv;
  layer.kernel_h = layer.kernel_w = 2;
  layer.pad_h = layer.pad_w = 1;
  layer.groups = 2;
  layer.in = input.shape;
  layer.out_channels = 2;
  layer.out = {4, 4, 2};
  std::vector<std::int32_t> vectors;
  std::vector<std::int64_t> reads;
  hw::Img2colExtension req;
  req.layer = &layer;
  req.input = &input;
  req.matrix = 1;  // group 1: channel 1
  req.row_begin = 0;
  req.rows = 4;  // (r*2 + s) * 1 + 0
  req.vectors = &vectors;
  req.read_cycles = &reads;
  tlm::tlm_generic_payload payload;
  payload.set_extension(&req);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  reader.socket->b_transport(payload, delay);
  payload.clear_extension(&req);
  REQUIRE(vectors.size() == 16 * 4);
  // Window (0,0) covers input rows -1..0, cols -1..0: only (0,0) is inside.
  // Hand-derived: {pad, pad, pad, 100 + 0}.
  CHECK(vectors[0] == 0);
  CHECK(vectors[1] == 0);
  CHECK(vectors[2] == 0);
  CHECK(vectors[3] == 100);
  // Window (1,1) covers rows 0..1, cols 0..1: {100, 101, 110, 111}.
  const std::size_t w11 = (1 * 4 + 1) * 4;
  CHECK(vectors[w11 + 0] == 100);
  CHECK(vectors[w11 + 1] == 101);
  CHECK(vectors[w11 + 2] == 110);
  CHECK(vectors[w11 + 3] == 111);
  // The first window's read time is charged to the transaction.
  CHECK(delay == sc_core::sc_time(double(reads[0]) * arch.cycle_ns(), sc_core::SC_NS));
}
