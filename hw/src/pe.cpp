// sc_spawn runs fine-grained crossbars as parallel processes.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "reramsim/hw/pe.hpp"

#include <algorithm>

namespace reramsim::hw {

using workloads::Layer;
using workloads::LayerType;
using workloads::Tensor;

namespace {
constexpr const char* kMsgId = "reramsim/pe";

std::int64_t bytes_for(std::int64_t values, int bits) {
  return (values * bits + 7) / 8;
}

// Width of a partial sum on the wire: the operands' bits plus the growth of a
// sum over `rows` terms.
int partial_sum_bits(const arch::ArchConfig& arch, std::int64_t rows) {
  int growth = 0;
  while ((std::int64_t(1) << growth) < rows) ++growth;
  return arch.data.weight_bits + arch.data.activation_bits + growth;
}
}  // namespace

Pe::Pe(sc_core::sc_module_name name, int id, RunContext& context, mapping::PeProgram program)
    : sc_module(name),
      noc_socket("noc_socket"),
      noc_in_socket("noc_in_socket"),
      conv_buffer_socket("conv_buffer_socket"),
      alu_socket("alu_socket"),
      m_id(id),
      m_context(context),
      m_program(std::move(program)) {
  noc_in_socket.register_b_transport(this, &Pe::noc_in);
  m_conv_buffer = std::make_unique<ConvBuffer>("conv_buffer", context);
  conv_buffer_socket.bind(m_conv_buffer->read_socket);
  m_alu = std::make_unique<AluSfu>("alu_sfu", context);
  alu_socket.bind(m_alu->op_socket);
  for (int i = 0; i < context.arch.pe.crossbars(); ++i) {
    const std::string suffix = std::to_string(i);
    m_crossbars.push_back(std::make_unique<Crossbar>(("crossbar_" + suffix).c_str(), context));
    crossbar_socket.push_back(std::make_unique<tlm_utils::simple_initiator_socket_tagged<Pe>>(
        ("crossbar_socket_" + suffix).c_str()));
    crossbar_socket.back()->bind(m_crossbars.back()->mvm_socket);
  }
  if (context.trace != nullptr) m_trace_signal = context.trace->add_signal(this->name(), "busy");
  if (!m_program.tasks.empty()) SC_THREAD(run);
}

void Pe::noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  noc::PacketExtension* ext = nullptr;
  payload.get_extension(ext);
  m_inbox.deliver(ext->packet, sc_core::sc_time_stamp() + delay);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Pe::send(noc::Network network, int dst, int kind, int layer, int tag, std::int64_t bytes,
              std::shared_ptr<const void> data) {
  noc::Packet packet;
  packet.network = network;
  packet.dsts = {dst};
  packet.kind = kind;
  packet.layer = layer;
  packet.tag = tag;
  packet.bytes = bytes;
  packet.data = std::move(data);
  noc::send_packet(noc_socket, std::move(packet), m_keeper.get_local_time());
}

void Pe::busy_for(std::int64_t cycles) {
  if (cycles <= 0) return;
  mark_busy(m_context.cycles(m_keeper.get_current_time()), cycles);
  m_keeper.inc(m_context.period * double(cycles));
}

void Pe::mark_busy(std::int64_t start, std::int64_t cycles) {
  m_busy_cycles += cycles;
  if (m_trace_signal >= 0) m_context.trace->busy(m_trace_signal, start, start + cycles);
}

void Pe::set_fine_grained(bool fine) {
  m_fine = fine;
  for (auto& xbar : m_crossbars) xbar->set_fine_grained(fine);
}

void Pe::run() {
  m_keeper.reset();
  for (const mapping::PeTask& task : m_program.tasks) {
    if (task.kind == mapping::PeTask::Kind::mvm) {
      run_mvm(task);
    } else {
      run_vector_op(task);
    }
  }
  m_keeper.sync();
}

sc_core::sc_time Pe::run_tile(const Layer& layer, bool signed_inputs, const Tensor& input,
                              const mapping::CrossbarTile& tile, sc_core::sc_time delay,
                              TileWork& work) {
  // The convolution buffer builds the tile's input vectors; its first read
  // precedes the crossbar's first MVM.
  Img2colExtension img2col;
  img2col.layer = &layer;
  img2col.input = &input;
  img2col.matrix = tile.matrix;
  img2col.row_begin = tile.row_begin;
  img2col.rows = tile.rows;
  img2col.vectors = &work.inputs;
  img2col.read_cycles = &work.reads;
  tlm::tlm_generic_payload read;
  read.set_command(tlm::TLM_READ_COMMAND);
  read.set_extension(&img2col);
  conv_buffer_socket->b_transport(read, delay);
  read.clear_extension(&img2col);

  work.vectors = std::int64_t(work.inputs.size()) / tile.rows;
  work.products.assign(std::size_t(work.vectors * tile.cols), 0);
  MvmExtension mvm;
  mvm.inputs = work.inputs.data();
  mvm.vectors = work.vectors;
  mvm.signed_inputs = signed_inputs;
  mvm.outputs = work.products.data();
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_READ_COMMAND);
  payload.set_extension(&mvm);
  (*crossbar_socket[std::size_t(tile.crossbar)])->b_transport(payload, delay);
  payload.clear_extension(&mvm);
  if (payload.get_response_status() != tlm::TLM_OK_RESPONSE) {
    SC_REPORT_ERROR(kMsgId, "crossbar MVM failed");
  }
  // Reads of later vectors that outlast the crossbar's work stall it.
  const std::int64_t per_vector = m_crossbars[std::size_t(tile.crossbar)]->mvm_cycles(1);
  const std::int64_t stall =
      pipelined_cycles(work.reads, per_vector, m_context.arch.pe.conv_buffers) -
      work.reads.front() - work.vectors * per_vector;
  return delay + m_context.period * double(stall);
}

void Pe::run_mvm(const mapping::PeTask& task) {
  const Layer& layer = m_context.network.layers[std::size_t(task.layer)];
  const mapping::LayerPlan& lp = m_context.plan.layers[std::size_t(task.layer)];
  const auto& arch = m_context.arch;
  ActionCounts& counts = m_context.counts;

  const noc::Packet input_packet = m_inbox.take(m_keeper, [&](const noc::Packet& p) {
    return p.kind == kLayerInput && p.layer == task.layer;
  });
  const auto* input_data = static_cast<const LayerInputData*>(input_packet.data.get());
  const Tensor& input = *input_data->tensors.front();
  counts.buffer_writes += input.shape.elements();

  // Multiply on every crossbar holding a tile; they run in parallel from the
  // PE's current time, and the PE continues when the last one is done.
  const bool signed_inputs = !m_context.network.non_negative(layer.inputs.front());
  std::vector<TileWork> works(task.tiles.size());
  std::int64_t compute_cycles = 0;
  if (!m_fine) {
    const sc_core::sc_time begin = m_keeper.get_local_time();
    sc_core::sc_time end = begin;
    for (std::size_t i = 0; i < task.tiles.size(); ++i) {
      const auto& tile = m_context.plan.tiles[std::size_t(task.tiles[i])];
      end = std::max(end, run_tile(layer, signed_inputs, input, tile, begin, works[i]));
    }
    compute_cycles = m_context.cycles(end - begin);
  } else {
    // Fine-grained crossbars consume simulated time inside their
    // transactions: one process per tile keeps them running in parallel.
    m_keeper.sync();
    const sc_core::sc_time begin = sc_core::sc_time_stamp();
    sc_core::sc_event_and_list all_done;
    for (std::size_t i = 0; i < task.tiles.size(); ++i) {
      const auto& tile = m_context.plan.tiles[std::size_t(task.tiles[i])];
      TileWork& work = works[i];
      sc_core::sc_process_handle handle = sc_core::sc_spawn([&, &tile = tile, &work = work] {
        sc_core::wait(run_tile(layer, signed_inputs, input, tile, sc_core::SC_ZERO_TIME, work));
      });
      all_done &= handle.terminated_event();
    }
    sc_core::wait(all_done);
    compute_cycles = m_context.cycles(sc_core::sc_time_stamp() - begin);
    mark_busy(m_context.cycles(begin), compute_cycles);
  }
  std::vector<std::shared_ptr<GroupValues>> sums(lp.groups.size());
  std::vector<std::pair<std::size_t, const std::vector<std::int64_t>*>> pending_adds;
  for (std::size_t i = 0; i < task.tiles.size(); ++i) {
    const auto& tile = m_context.plan.tiles[std::size_t(task.tiles[i])];
    const std::size_t g = std::size_t(tile.group);
    if (!sums[g]) {
      auto values = std::make_shared<GroupValues>();
      values->vectors = works[i].vectors;
      values->cols = tile.cols;
      values->values = works[i].products;
      sums[g] = values;
    } else {
      // Row tiles of one group on this PE add up on the ALU after the MVMs.
      pending_adds.emplace_back(g, &works[i].products);
    }
  }
  if (!m_fine) busy_for(compute_cycles);
  for (const auto& [g, products] : pending_adds) {
    alu_elementwise(VectorOp::add, sums[g]->values, *products, sums[g]->values, 0);
  }

  // Partial sums of groups reduced elsewhere go over the mesh.
  for (int g : task.sends) {
    const mapping::OutputGroup& group = lp.groups[std::size_t(g)];
    const auto& values = sums[std::size_t(g)];
    send(noc::Network::mesh, group.reducer_pe, kPartialSums, task.layer, g,
         bytes_for(std::int64_t(values->values.size()), partial_sum_bits(arch, lp.shape.rows)),
         values);
  }
  // Groups reduced here: add the other PEs' partial sums, requantize, and send
  // the outputs to the global buffer.
  const int shift = m_context.qnet.layers[std::size_t(task.layer)].shift;
  const bool relu = layer.activation == workloads::Activation::relu;
  for (int g : task.groups) {
    const mapping::OutputGroup& group = lp.groups[std::size_t(g)];
    GroupValues& acc = *sums[std::size_t(g)];
    for (std::size_t k = 0; k < group.contributors.size(); ++k) {
      const noc::Packet partial = m_inbox.take(m_keeper, [&](const noc::Packet& p) {
        return p.kind == kPartialSums && p.layer == task.layer && p.tag == g;
      });
      const auto* values = static_cast<const GroupValues*>(partial.data.get());
      alu_elementwise(VectorOp::add, acc.values, values->values, acc.values, 0);
    }
    auto result = std::make_shared<GroupValues>();
    result->vectors = acc.vectors;
    result->cols = acc.cols;
    result->values.resize(acc.values.size());
    alu_elementwise(relu ? VectorOp::shift_relu : VectorOp::shift, acc.values, {}, result->values,
                    shift);
    send(noc::Network::collection, m_context.arch.chip.pes(), kLayerResult, task.layer, g,
         bytes_for(std::int64_t(result->values.size()), arch.data.activation_bits), result);
  }
}

void Pe::alu_elementwise(VectorOp op, const std::vector<std::int64_t>& a,
                         const std::vector<std::int64_t>& b, std::vector<std::int64_t>& out,
                         int imm) {
  VectorOpExtension ext;
  ext.op = op;
  ext.a = a.data();
  ext.b = b.empty() ? nullptr : b.data();
  ext.out = out.data();
  ext.count = std::int64_t(a.size());
  ext.imm = imm;
  run_alu(ext);
}

void Pe::run_alu(VectorOpExtension& ext) {
  tlm::tlm_generic_payload payload;
  payload.set_extension(&ext);
  const sc_core::sc_time begin = m_keeper.get_local_time();
  sc_core::sc_time delay = begin;
  alu_socket->b_transport(payload, delay);
  payload.clear_extension(&ext);
  if (payload.get_response_status() != tlm::TLM_OK_RESPONSE) {
    SC_REPORT_ERROR(kMsgId, "ALU/SFU operation failed");
  }
  busy_for(m_context.cycles(delay - begin));
}

void Pe::run_vector_op(const mapping::PeTask& task) {
  const Layer& layer = m_context.network.layers[std::size_t(task.layer)];
  const auto& arch = m_context.arch;
  ActionCounts& counts = m_context.counts;
  const noc::Packet input_packet = m_inbox.take(m_keeper, [&](const noc::Packet& p) {
    return p.kind == kLayerInput && p.layer == task.layer;
  });
  const auto* input_data = static_cast<const LayerInputData*>(input_packet.data.get());
  const auto& inputs = input_data->tensors;
  for (const Tensor* t : inputs) counts.buffer_writes += t->shape.elements();

  Tensor out;
  VectorOpExtension ext;
  ext.op = VectorOp::layer;
  ext.layer = &layer;
  ext.inputs = inputs;
  ext.result = &out;
  ext.shift = m_context.qnet.layers[std::size_t(task.layer)].shift;
  run_alu(ext);
  for (const Tensor* t : inputs) counts.buffer_reads += t->shape.elements();
  const int bits = arch.data.activation_bits;

  auto result = std::make_shared<GroupValues>();
  result->vectors = 1;
  result->cols = std::int64_t(out.data.size());
  result->values.assign(out.data.begin(), out.data.end());
  send(noc::Network::collection, arch.chip.pes(), kLayerResult, task.layer, 0,
       bytes_for(std::int64_t(out.data.size()), bits), result);
}

}  // namespace reramsim::hw
