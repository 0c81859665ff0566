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
  const std::int64_t start = m_context.cycles(m_keeper.get_current_time());
  m_keeper.inc(m_context.period * double(cycles));
  m_busy_cycles += cycles;
  if (m_trace_signal >= 0) m_context.trace->busy(m_trace_signal, start, start + cycles);
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
  std::vector<std::shared_ptr<GroupValues>> sums(lp.groups.size());
  std::vector<std::int32_t> vectors_in;
  std::vector<std::int64_t> products;
  const sc_core::sc_time begin = m_keeper.get_local_time();
  sc_core::sc_time end = begin;
  std::vector<std::int64_t> reads;
  std::vector<std::pair<std::size_t, std::vector<std::int64_t>>> pending_adds;
  for (int t : task.tiles) {
    const mapping::CrossbarTile& tile = m_context.plan.tiles[std::size_t(t)];
    Crossbar& xbar = *m_crossbars[std::size_t(tile.crossbar)];

    // The convolution buffer builds the tile's input vectors; its first read
    // precedes the crossbar's first MVM.
    Img2colExtension img2col;
    img2col.layer = &layer;
    img2col.input = &input;
    img2col.matrix = tile.matrix;
    img2col.row_begin = tile.row_begin;
    img2col.rows = tile.rows;
    img2col.vectors = &vectors_in;
    img2col.read_cycles = &reads;
    tlm::tlm_generic_payload read;
    read.set_command(tlm::TLM_READ_COMMAND);
    read.set_extension(&img2col);
    sc_core::sc_time delay = begin;
    conv_buffer_socket->b_transport(read, delay);
    read.clear_extension(&img2col);

    const std::int64_t vectors = std::int64_t(vectors_in.size()) / tile.rows;
    products.assign(std::size_t(vectors * tile.cols), 0);
    MvmExtension mvm;
    mvm.inputs = vectors_in.data();
    mvm.vectors = vectors;
    mvm.outputs = products.data();
    tlm::tlm_generic_payload payload;
    payload.set_command(tlm::TLM_READ_COMMAND);
    payload.set_extension(&mvm);
    (*crossbar_socket[std::size_t(tile.crossbar)])->b_transport(payload, delay);
    payload.clear_extension(&mvm);
    if (payload.get_response_status() != tlm::TLM_OK_RESPONSE) {
      SC_REPORT_ERROR(kMsgId, "crossbar MVM failed");
    }
    // Reads of later vectors that outlast the crossbar's work stall it.
    const std::int64_t per_vector = xbar.mvm_cycles(1);
    const std::int64_t stall = pipelined_cycles(reads, per_vector, arch.pe.conv_buffers) -
                               reads.front() - vectors * per_vector;
    end = std::max(end, delay + m_context.period * double(stall));

    // Accumulate into the tile's output group (shift-and-add of row tiles).
    const std::size_t g = std::size_t(tile.group);
    if (!sums[g]) {
      auto values = std::make_shared<GroupValues>();
      values->vectors = vectors;
      values->cols = tile.cols;
      values->values = products;
      sums[g] = values;
    } else {
      // Row tiles of one group on this PE add up on the ALU after the MVMs.
      pending_adds.emplace_back(g, products);
    }
  }
  busy_for(m_context.cycles(end - begin));
  for (auto& [g, products_of_tile] : pending_adds) {
    alu_elementwise(VectorOp::add, sums[g]->values, products_of_tile, sums[g]->values, 0);
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
