// sc_spawn runs fine-grained crossbars as parallel processes.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "reramsim/hw/pe.hpp"

#include <algorithm>

namespace reramsim::hw {

using isa::Category;
using isa::Instruction;
using mapping::Descriptor;
using workloads::Layer;
using workloads::Tensor;

namespace {
constexpr const char* kMsgId = "reramsim/pe";

std::int64_t bytes_for(std::int64_t values, int bits) {
  return (values * bits + 7) / 8;
}

std::int64_t layer_key(int layer) {
  return (std::int64_t(layer) << 32) | 0xffffffffLL;
}
}  // namespace

Pe::Pe(sc_core::sc_module_name name, int id, RunContext& context)
    : sc_module(name),
      noc_socket("noc_socket"),
      noc_in_socket("noc_in_socket"),
      conv_buffer_socket("conv_buffer_socket"),
      alu_socket("alu_socket"),
      crossbar_socket("crossbar_socket"),
      m_id(id),
      m_context(context) {
  noc_in_socket.register_b_transport(this, &Pe::noc_in);
  m_conv_buffer = std::make_unique<ConvBuffer>("conv_buffer", context);
  conv_buffer_socket.bind(m_conv_buffer->read_socket);
  m_alu = std::make_unique<AluSfu>("alu_sfu", context);
  alu_socket.bind(m_alu->op_socket);
  for (int i = 0; i < context.arch.pe.crossbars(); ++i) {
    const std::string name = "crossbar_" + std::to_string(i);
    m_crossbars.push_back(std::make_unique<Crossbar>(name.c_str(), context));
    crossbar_socket.bind(m_crossbars.back()->mvm_socket);
  }
  m_crossbar_free.assign(m_crossbars.size(), sc_core::SC_ZERO_TIME);
  m_crossbar_process.resize(m_crossbars.size());
  m_tile_inputs.resize(m_crossbars.size());
  if (context.traced(id)) {
    m_trace_signal = context.trace->add_signal(this->name(), "busy");
  } else {
    for (auto& xbar : m_crossbars) xbar->set_traced(false);
  }
  SC_THREAD(run);
}

Pe::~Pe() {
  // Crossbars go in the reverse of their construction order, so that
  // SystemC's port and export registries, searched from their most recent
  // entry, find each of their sockets at once (see Chip::~Chip).
  while (!m_crossbars.empty()) m_crossbars.pop_back();
  m_alu.reset();
  m_conv_buffer.reset();
}

void Pe::load_program(mapping::PeProgram program) {
  m_program = std::move(program);
}

void Pe::set_fine_grained(bool fine) {
  m_fine = fine;
  for (auto& xbar : m_crossbars) xbar->set_fine_grained(fine);
}

const Descriptor& Pe::entry(std::uint32_t index) const {
  if (index >= m_program.table.size()) {
    SC_REPORT_FATAL(kMsgId, "instruction names a descriptor entry the table does not have");
  }
  return m_program.table[index];
}

void Pe::noc_in(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  noc::PacketExtension* ext = nullptr;
  payload.get_extension(ext);
  m_inbox.deliver(ext->packet, sc_core::sc_time_stamp() + delay);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Pe::send(noc::Network network, int dst, int kind, int layer, int tag, int part,
              std::int64_t bytes, std::shared_ptr<const void> data, sc_core::sc_time at) {
  noc::Packet packet;
  packet.network = network;
  packet.dsts = {dst};
  packet.kind = kind;
  packet.layer = layer;
  packet.tag = tag;
  packet.part = part;
  packet.image = m_image;
  packet.bytes = bytes;
  packet.data = std::move(data);
  // Annotated with its injection time; the NoC routes injections in time
  // order, so the PE need not synchronise to send.
  noc::send_packet(noc_socket, std::move(packet), at - sc_core::sc_time_stamp());
}

sc_core::sc_time Pe::issue_at(sc_core::sc_time ready) {
  // In-order issue: an instruction starts when its operands are ready, and
  // no later instruction starts before it.
  const sc_core::sc_time start = std::max(ready, m_keeper.get_current_time());
  m_keeper.set(start - sc_core::sc_time_stamp());
  return start;
}

void Pe::mark_layer_start(int layer, sc_core::sc_time start) {
  if (m_image != 0) return;  // per-layer times describe the first image
  const std::int64_t s = m_context.cycles(start);
  m_context.record_layer_time(layer, s, s);
}

void Pe::mark_busy(sc_core::sc_time start, sc_core::sc_time end, Unit unit) {
  m_last_end = std::max(m_last_end, end);
  const std::int64_t s = m_context.cycles(start);
  const std::int64_t e = m_context.cycles(end);
  if (e > s) m_busy_intervals[std::size_t(unit)].emplace_back(s, e);
  if (m_trace_signal >= 0) m_context.trace->busy(m_trace_signal, s, e);
}

namespace {
// Length of the union of intervals (sorts them).
std::int64_t union_length(std::vector<std::pair<std::int64_t, std::int64_t>>& intervals) {
  std::sort(intervals.begin(), intervals.end());
  std::int64_t length = 0;
  std::int64_t covered_until = 0;
  for (const auto& [s, e] : intervals) {
    if (e <= covered_until) continue;
    length += e - std::max(s, covered_until);
    covered_until = e;
  }
  return length;
}
}  // namespace

void Pe::sum_busy() {
  // Units overlap: the PE is busy for the union of their intervals.
  auto& crossbars = m_busy_intervals[std::size_t(Unit::crossbars)];
  auto& alu = m_busy_intervals[std::size_t(Unit::alu)];
  m_crossbar_busy_cycles = union_length(crossbars);
  m_alu_busy_cycles = union_length(alu);
  crossbars.insert(crossbars.end(), alu.begin(), alu.end());
  m_busy_cycles = union_length(crossbars);
  crossbars.clear();
  alu.clear();
}

void Pe::configure(int round) {
  // The round's three loads arrive down the fat tree; the crossbars then
  // write their rows, all crossbars in parallel, a row at a time.
  sc_core::sc_time ready;
  for (int load = 0; load < 3; ++load) {
    sc_core::sc_time arrival;
    const noc::Packet packet = m_inbox.take(
        m_keeper, [&](const noc::Packet& p) { return p.kind == kConfiguration && p.part == round; },
        &arrival);
    ready = std::max(ready, arrival);
    const auto* data = static_cast<const ConfigurationData*>(packet.data.get());
    if (packet.tag == int(isa::COp::ifetch)) m_program = *data->program;
    if (packet.tag == int(isa::COp::wload)) {
      for (auto& xbar : m_crossbars) xbar->clear();
      for (TileWeights& w : *data->weights) {
        m_crossbars[std::size_t(w.crossbar)]->program(w.rows, w.cols, std::move(w.weights),
                                                      w.row_offset, w.input_bits);
      }
    }
  }
  std::int64_t rows = 0;
  for (const auto& xbar : m_crossbars) rows = std::max(rows, xbar->written_rows());
  ready += m_context.period * double(rows * m_context.arch.latency.weight_write_row);
  m_keeper.set(ready - sc_core::sc_time_stamp());
  send(noc::Network::collection, m_context.arch.chip.pes(), kConfigured, 0, 0, 0, 1, nullptr,
       ready);
}

void Pe::run() {
  m_keeper.reset();
  for (int round : m_rounds) {
    configure(round);
    for (m_image = 0; m_image < m_context.batch(); ++m_image) {
      run_program();
      // The next image (or round's program) brings its own data.
      join_crossbars();
      clear_state();
    }
  }
  join_crossbars();
  sum_busy();
  // The PE is done when its last unit is.
  if (m_last_end > m_keeper.get_current_time()) {
    m_keeper.set(m_last_end - sc_core::sc_time_stamp());
  }
  m_keeper.sync();
}

void Pe::clear_state() {
  m_stores.clear();
  m_input_ready.clear();
  m_tiles.clear();
  m_accumulators.clear();
  m_received.clear();
  m_outputs.clear();
  m_factors.clear();
  m_recorded.clear();
  m_group_first.clear();
}

void Pe::run_program() {
  const auto& code = m_program.code;
  int part_register = 0;  // C.part, outside loops
  const auto is = [](const Instruction& i, isa::COp op) {
    return i.category == Category::c && i.opcode == static_cast<std::uint32_t>(op);
  };
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const Instruction& instruction = code[pc];
    if (is(instruction, isa::COp::halt)) break;
    if (is(instruction, isa::COp::part)) {
      part_register = int(instruction.src);
      continue;
    }
    if (!is(instruction, isa::COp::loop)) {
      m_part = part_register;
      execute(instruction);
      continue;
    }
    // C.loop: the body runs once per part, plus once more per part of the
    // largest lag so the lagging instructions reach the last part; an
    // instruction whose part falls outside [0, parts) does nothing.
    const int parts = int(instruction.src);
    const std::size_t body_begin = pc + 1;
    const std::size_t body_end = std::min(code.size(), body_begin + instruction.des);
    int max_lag = 0;
    for (std::size_t i = body_begin; i < body_end; ++i) {
      if (is(code[i], isa::COp::lag)) max_lag = std::max(max_lag, int(code[i].src));
    }
    for (int iteration = 0; iteration < parts + max_lag; ++iteration) {
      int lag = 0;
      for (std::size_t i = body_begin; i < body_end; ++i) {
        if (is(code[i], isa::COp::lag)) {
          lag = int(code[i].src);
          continue;
        }
        m_part = iteration - lag;
        if (m_part < 0 || m_part >= parts) continue;
        execute(code[i]);
      }
    }
    pc = body_end - 1;
  }
}

void Pe::execute(const Instruction& instruction) {
  switch (instruction.category) {
    case Category::r:
      execute_r(instruction);
      break;
    case Category::a:
      execute_a(instruction);
      break;
    case Category::n:
      execute_n(instruction);
      break;
    case Category::c:
      // Weight load, instruction fetch and data load happen at configuration
      // (Chip), DMA and dispatch on the dispatch unit, loops in run().
      break;
  }
}

sc_core::sc_time Pe::run_tile(const Layer& layer, bool signed_inputs, const Tensor& input,
                              const Descriptor& tile, std::int64_t vector_begin,
                              std::int64_t vector_count, sc_core::sc_time delay, TileInputs& inputs,
                              TileWork& work) {
  // The convolution buffer builds the tile's input vectors; its first read
  // precedes the crossbar's first MVM.
  Img2colExtension img2col;
  img2col.layer = &layer;
  img2col.input = &input;
  img2col.matrix = tile.matrix;
  img2col.row_begin = tile.row_begin;
  img2col.rows = tile.rows;
  img2col.vector_begin = vector_begin;
  img2col.vector_count = vector_count;
  img2col.vectors = &inputs.vectors;
  img2col.read_cycles = &inputs.reads;
  tlm::tlm_generic_payload read;
  read.set_command(tlm::TLM_READ_COMMAND);
  read.set_extension(&img2col);
  conv_buffer_socket->b_transport(read, delay);
  read.clear_extension(&img2col);

  work.vectors = std::int64_t(inputs.vectors.size()) / tile.rows;
  // The crossbar overwrites every product: the buffer, reused part after
  // part, is not cleared first.
  work.products.resize(std::size_t(work.vectors * tile.cols));
  // An input-cycle group (SPATEM's ib) sees only its DAC digits of each
  // input, as an unsigned number; its results are shifted into place and the
  // first group applies the offset-binary correction (docs/hardware.md).
  const auto& arch = m_context.arch;
  int digit_shift = 0;
  std::int64_t offset = 0;
  if (tile.bit_groups > 1) {
    const int digits = (arch.input_cycles() + tile.bit_groups - 1) / tile.bit_groups;
    const int first = tile.bit_group * digits;
    const int width =
        (std::min(arch.input_cycles(), first + digits) - first) * arch.crossbar.dac_bits;
    digit_shift = first * arch.crossbar.dac_bits;
    offset = signed_inputs ? std::int64_t(1) << (arch.data.activation_bits - 1) : 0;
    const std::int64_t mask = (std::int64_t(1) << width) - 1;
    for (auto& x : inputs.vectors) x = std::int32_t(((x + offset) >> digit_shift) & mask);
  }
  MvmExtension mvm;
  mvm.inputs = inputs.vectors.data();
  mvm.vectors = work.vectors;
  mvm.signed_inputs = tile.bit_groups > 1 ? false : signed_inputs;
  mvm.outputs = work.products.data();
  mvm.block = tile.block;
  mvm.count_macs = tile.bit_group == 0;
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_READ_COMMAND);
  payload.set_extension(&mvm);
  crossbar_socket[tile.crossbar]->b_transport(payload, delay);
  payload.clear_extension(&mvm);
  if (payload.get_response_status() != tlm::TLM_OK_RESPONSE) {
    SC_REPORT_ERROR(kMsgId, "crossbar MVM failed");
  }
  if (tile.bit_groups > 1) {
    const auto& sums = m_crossbars[std::size_t(tile.crossbar)]->column_sums(tile.block);
    for (std::int64_t v = 0; v < work.vectors; ++v) {
      for (std::int64_t n = 0; n < tile.cols; ++n) {
        std::int64_t& y = work.products[std::size_t(v * tile.cols + n)];
        y *= std::int64_t(1) << digit_shift;
        if (tile.bit_group == 0) y -= offset * sums[std::size_t(n)];
      }
    }
  }
  // Reads of later vectors that outlast the crossbar's work stall it.
  const std::int64_t per_vector =
      m_crossbars[std::size_t(tile.crossbar)]->mvm_cycles(1, tile.block);
  m_context.layer_array_cycles[std::size_t(tile.layer)] += work.vectors * per_vector;
  const std::int64_t stall =
      pipelined_cycles(inputs.reads, per_vector, m_context.arch.pe.conv_buffers) -
      inputs.reads.front() - work.vectors * per_vector;
  return delay + m_context.period * double(stall);
}

void Pe::execute_r(const Instruction& instruction) {
  const Descriptor& d = entry(instruction.desc);
  const Layer& layer = m_context.network.layers[std::size_t(d.layer)];
  const auto stored = m_stores.find(layer.inputs.front());
  const auto ready = m_input_ready.find(d.layer);
  if (stored == m_stores.end() || ready == m_input_ready.end() || ready->second.first != m_part) {
    SC_REPORT_FATAL(kMsgId, "R-type instruction before its part's input was received");
  }
  const Tensor& input = stored->second.tensor;
  // A conv part is an output row of windows (or a run of them); other
  // layers have one part of one vector.
  std::int64_t vector_begin = 0;
  std::int64_t vector_count = 1;
  if (layer.type == workloads::LayerType::conv) {
    const mapping::PartWindows w = mapping::part_windows(layer, d.replicas, m_part);
    vector_begin = std::int64_t(w.row) * layer.out.w + w.x_begin;
    vector_count = w.count;
  }
  // Inputs known non-negative (after a ReLU) need no sign handling.
  const bool signed_inputs = !m_context.network.non_negative(layer.inputs.front());
  TileWork& work = m_tiles[instruction.desc][slot(d, m_part)];
  m_group_first.emplace(group_key(d), instruction.desc);
  const std::size_t xbar = std::size_t(d.crossbar);
  if (m_fine) {
    // The crossbar still steps through the previous part: the controller
    // stalls on it, as on the annotated end in the fast mode.
    join(m_crossbar_process[xbar]);
  }
  const sc_core::sc_time start = issue_at(std::max(ready->second.second, m_crossbar_free[xbar]));
  mark_layer_start(d.layer, start);
  TileInputs& inputs = m_tile_inputs[m_fine ? xbar : 0];
  if (!m_fine) {
    const sc_core::sc_time end =
        run_tile(layer, signed_inputs, input, d, vector_begin, vector_count,
                 start - sc_core::sc_time_stamp(), inputs, work);
    work.ready = sc_core::sc_time_stamp() + end;
    m_crossbar_free[xbar] = work.ready;
    mark_busy(start, work.ready, Unit::crossbars);
    return;
  }
  // Fine-grained crossbars consume simulated time inside their transactions:
  // a process per tile keeps them running in parallel until the controller
  // issues something else.
  m_keeper.sync();
  work.process = sc_core::sc_spawn([this, &layer, &input, &d, &inputs, &work, signed_inputs, start,
                                    vector_begin, vector_count, xbar] {
    sc_core::wait(run_tile(layer, signed_inputs, input, d, vector_begin, vector_count,
                           sc_core::SC_ZERO_TIME, inputs, work));
    work.ready = sc_core::sc_time_stamp();
    m_crossbar_free[xbar] = work.ready;
    mark_busy(start, work.ready, Unit::crossbars);
  });
  m_crossbar_process[xbar] = work.process;
}

Pe::TileWork& Pe::await_tile(std::uint32_t desc, int part) {
  TileWork& work = m_tiles[desc][slot(entry(desc), part)];
  // A fine-grained crossbar still stepping: the controller stalls on it as it
  // would on the annotated end in the fast mode.
  join(work.process);
  return work;
}

void Pe::join(sc_core::sc_process_handle& process) {
  if (!process.valid() || process.terminated()) return;
  // Synchronising may let the process finish; its termination event would
  // then never come again.
  m_keeper.sync();
  if (!process.terminated()) sc_core::wait(process.terminated_event());
}

void Pe::join_crossbars() {
  for (auto& process : m_crossbar_process) join(process);
}

sc_core::sc_time Pe::run_alu(VectorOpExtension& ext, sc_core::sc_time start) {
  tlm::tlm_generic_payload payload;
  payload.set_extension(&ext);
  sc_core::sc_time delay = start - sc_core::sc_time_stamp();
  alu_socket->b_transport(payload, delay);
  payload.clear_extension(&ext);
  if (payload.get_response_status() != tlm::TLM_OK_RESPONSE) {
    SC_REPORT_ERROR(kMsgId, "ALU/SFU operation failed");
  }
  const sc_core::sc_time end = sc_core::sc_time_stamp() + delay;
  mark_busy(start, end, Unit::alu);
  return end;
}

Pe::Held& Pe::accumulator(const Descriptor& d) {
  const std::int64_t key = group_key(d);
  Held& held = m_accumulators[key];
  if (held.part == m_part && held.values) return held;
  // The group's first tile on this PE starts its accumulator for the part.
  const auto first = m_group_first.find(key);
  if (first == m_group_first.end()) {
    SC_REPORT_FATAL(kMsgId, "output group used before any of its tiles was computed");
  }
  const TileWork& work = await_tile(first->second, m_part);
  held.values = std::make_shared<GroupValues>();
  held.values->vectors = work.vectors;
  held.values->cols = entry(first->second).cols;
  held.values->values = work.products;
  held.ready = work.ready;
  held.part = m_part;
  return held;
}

void Pe::execute_a(const Instruction& instruction) {
  const Descriptor& d = entry(instruction.desc);
  const auto op = static_cast<isa::AOp>(instruction.opcode);
  VectorOpExtension ext;
  if (d.kind == Descriptor::Kind::layer) {
    // A pool / lrn / residual add / concat layer's part (output rows) on the lanes.
    const Layer& layer = m_context.network.layers[std::size_t(d.layer)];
    const auto ready = m_input_ready.find(d.layer);
    if (ready == m_input_ready.end() || ready->second.first != m_part) {
      SC_REPORT_FATAL(kMsgId, "A-type layer operation before its part's input was received");
    }
    auto result = std::make_shared<Tensor>();
    ext.op = VectorOp::layer;
    ext.layer = &layer;
    for (int source : layer.inputs) ext.inputs.push_back(&m_stores.at(source).tensor);
    ext.result = result.get();
    ext.shift = d.shift;
    const int parts = mapping::layer_parts(layer);
    ext.row_begin = parts > 1 ? m_part : 0;
    ext.rows = parts > 1 ? 1 : layer.out.h;
    const sc_core::sc_time start = issue_at(ready->second.second);
    mark_layer_start(d.layer, start);
    const sc_core::sc_time end = run_alu(ext, start);
    for (const Tensor* t : ext.inputs) {
      m_context.counts.buffer_reads += t->shape.elements() / (parts > 1 ? t->shape.h : 1);
    }
    Held& out = m_outputs[layer_key(d.layer)];
    out.values = std::make_shared<GroupValues>();
    out.values->vectors = std::int64_t(ext.rows) * layer.out.w;
    out.values->cols = layer.out.c;
    out.values->values.assign(result->data.begin(), result->data.end());
    out.ready = end;
    out.part = m_part;
    return;
  }
  if (d.kind == Descriptor::Kind::tile) {
    // Row tiles of one output group on this PE add up.
    Held& acc = accumulator(d);
    const TileWork& work = await_tile(instruction.desc, m_part);
    auto& v = acc.values->values;
    ext.op = VectorOp::add;
    ext.a = v.data();
    ext.b = work.products.data();
    ext.out = v.data();
    ext.count = std::int64_t(v.size());
    acc.ready = run_alu(ext, issue_at(std::max(acc.ready, work.ready)));
    return;
  }
  const std::int64_t key = group_key(d);
  const auto from = [&](isa::Buffer b) { return instruction.src == static_cast<std::uint32_t>(b); };
  const auto from2 = [&](isa::Buffer b) {
    return instruction.src2 == static_cast<std::uint32_t>(b);
  };
  // An element-wise operation on the output buffer with a per-column operand
  // (BatchNorm parameters from the descriptor table, broadcast over vectors).
  const auto on_outputs = [&](VectorOp vop, const std::vector<std::int64_t>& per_column, int imm) {
    Held& out = m_outputs[key];
    auto& v = out.values->values;
    std::vector<std::int64_t> operand;
    if (!per_column.empty()) {
      // The per-column values repeated for every vector (copied a row at a
      // time, not a modulo per value).
      const std::size_t cols = per_column.size();
      operand.resize(v.size());
      std::size_t i = 0;
      for (; i + cols <= v.size(); i += cols) {
        std::copy(per_column.begin(), per_column.end(), operand.begin() + std::ptrdiff_t(i));
      }
      for (std::size_t c = 0; i < v.size(); ++i, ++c) operand[i] = per_column[c];
    }
    ext.op = vop;
    ext.a = v.data();
    ext.b = operand.empty() ? nullptr : operand.data();
    ext.out = v.data();
    ext.count = std::int64_t(v.size());
    ext.imm = imm;
    out.ready = run_alu(ext, issue_at(out.ready));
  };
  const auto column_values = [](const std::vector<std::int32_t>& x) {
    return std::vector<std::int64_t>(x.begin(), x.end());
  };
  switch (op) {
    case isa::AOp::add:
      if (from2(isa::Buffer::dt)) {  // + beta
        on_outputs(VectorOp::add, column_values(d.bn_beta), 0);
      } else {  // partial sums received from another PE
        Held& acc = accumulator(d);
        const Held& partial = m_received[key];
        auto& v = acc.values->values;
        ext.op = VectorOp::add;
        ext.a = v.data();
        ext.b = partial.values->values.data();
        ext.out = v.data();
        ext.count = std::int64_t(v.size());
        acc.ready = run_alu(ext, issue_at(std::max(acc.ready, partial.ready)));
      }
      break;
    case isa::AOp::shift:
      if (from(isa::Buffer::acc)) {  // requantize into the output buffer
        Held& acc = accumulator(d);
        Held& out = m_outputs[key];
        out.part = m_part;
        out.values = std::make_shared<GroupValues>(*acc.values);
        ext.op = VectorOp::shift;
        ext.a = acc.values->values.data();
        ext.out = out.values->values.data();
        ext.count = std::int64_t(acc.values->values.size());
        ext.imm = d.shift;
        out.ready = run_alu(ext, issue_at(acc.ready));
      } else {  // shift-and-clamp the output buffer in place
        on_outputs(VectorOp::shift, {}, int(instruction.imm));
      }
      break;
    case isa::AOp::rsqrt: {  // BatchNorm: r = 2^imm / sqrt(var) per column, on the SFU
      Held& factor = m_factors[key];
      factor.values = std::make_shared<GroupValues>();
      factor.values->values.assign(d.bn_var.size(), 0);
      const std::vector<std::int64_t> var = column_values(d.bn_var);
      ext.op = VectorOp::rsqrt;
      ext.a = var.data();
      ext.out = factor.values->values.data();
      ext.count = std::int64_t(var.size());
      ext.imm = int(instruction.imm);
      factor.ready = run_alu(ext, issue_at(sc_core::SC_ZERO_TIME));
      break;
    }
    case isa::AOp::mul:
      if (from(isa::Buffer::dt)) {  // factor = gamma * r
        Held& factor = m_factors[key];
        const std::vector<std::int64_t> gamma = column_values(d.bn_gamma);
        ext.op = VectorOp::mul;
        ext.a = gamma.data();
        ext.b = factor.values->values.data();
        ext.out = factor.values->values.data();
        ext.count = std::int64_t(gamma.size());
        factor.ready = run_alu(ext, issue_at(factor.ready));
      } else {  // (y - mean) * factor
        const Held& factor = m_factors[key];
        issue_at(factor.ready);
        on_outputs(VectorOp::mul, factor.values->values, 0);
      }
      break;
    case isa::AOp::sub:  // y - mean
      on_outputs(VectorOp::sub, column_values(d.bn_mean), 0);
      break;
    case isa::AOp::relu:
      on_outputs(VectorOp::relu, {}, 0);
      break;
    default:
      SC_REPORT_ERROR(kMsgId, "A-type operation the generated programs do not use on groups");
  }
}

Pe::InputStore& Pe::store(int source, int packets_per_row) {
  auto it = m_stores.find(source);
  if (it != m_stores.end()) {
    // Outputs this PE sent itself may have come before the receive that
    // says how many packets make a row.
    if (packets_per_row > 0 && it->second.packets_per_row <= 0) {
      it->second.packets_per_row = packets_per_row;
    }
    return it->second;
  }
  InputStore& s = m_stores[source];
  const workloads::Shape& shape = m_context.network.shape_of(source);
  s.tensor.shape = shape;
  s.tensor.data.assign(std::size_t(shape.elements()), 0);
  s.packets_per_row = packets_per_row;
  s.packets.assign(std::size_t(shape.h), 0);
  s.arrived.assign(std::size_t(shape.h), sc_core::SC_ZERO_TIME);
  return s;
}

void Pe::add_to_store(InputStore& s, const ActivationData& data, sc_core::sc_time arrival) {
  place_activations(s.tensor, data);
  m_context.counts.buffer_writes += std::int64_t(data.values->values.size());
  const std::size_t row = std::size_t(data.row);
  s.packets[row] += 1;
  s.arrived[row] = std::max(s.arrived[row], arrival);
}

bool Pe::complete(const InputStore& s, int row) const {
  // packets_per_row 0: not known yet (outputs this PE sent itself came first).
  return s.packets_per_row > 0 && s.packets[std::size_t(row)] >= s.packets_per_row;
}

void Pe::receive_input(const Descriptor& d) {
  // Waits until every row of the source the part reads has arrived (only
  // the rows some part of this PE reads are sent to it).
  const Layer& layer = m_context.network.layers[std::size_t(d.layer)];
  InputStore& s = store(d.source, d.packets_per_row);
  const int first = mapping::first_input_row(layer, s.tensor.shape, m_part, d.replicas);
  const int last = mapping::last_input_row(layer, s.tensor.shape, m_part, d.replicas);
  const int source = d.source;
  sc_core::sc_time latest;
  for (int row = first; row <= last; ++row) {
    while (!complete(s, row)) {
      sc_core::sc_time arrival;
      const noc::Packet packet = m_inbox.take(
          m_keeper,
          [&](const noc::Packet& p) {
            return p.kind == kActivations && p.layer == source && p.part == row &&
                   p.image == m_image;
          },
          &arrival);
      add_to_store(s, *static_cast<const ActivationData*>(packet.data.get()), arrival);
    }
    latest = std::max(latest, s.arrived[std::size_t(row)]);
  }
  auto& ready = m_input_ready[d.layer];
  if (ready.first != m_part) ready = {m_part, sc_core::SC_ZERO_TIME};
  ready.second = std::max(ready.second, latest);
}

void Pe::send_outputs(const Instruction& instruction, const Descriptor& d) {
  const auto& arch = m_context.arch;
  const bool layer_op = d.kind == Descriptor::Kind::layer;
  const std::int64_t key = layer_op ? layer_key(d.layer) : group_key(d);
  const Held& out = m_outputs[key];
  if (!out.values || out.part != m_part) {
    SC_REPORT_FATAL(kMsgId, "outputs sent before they were computed");
  }
  const Layer& layer = m_context.network.layers[std::size_t(d.layer)];
  auto data = std::make_shared<ActivationData>();
  data->values = out.values;
  if (d.position >= 0) {  // a locally connected layer's group: one position
    data->row = int(d.position / layer.out.w);
    data->x_begin = int(d.position % layer.out.w);
  } else if (layer.type == workloads::LayerType::conv) {
    const mapping::PartWindows w = mapping::part_windows(layer, d.replicas, m_part);
    data->row = w.row;
    data->x_begin = w.x_begin;
  } else {  // fc (one part), or a layer without weights: part p is row p
    data->row = m_part;
    data->x_begin = 0;
  }
  data->channels = layer_op ? nullptr : &d.channels;
  const sc_core::sc_time at = issue_at(out.ready);
  // The values as computed, for the functional check (debug path, no time).
  const void*& recorded = m_recorded[key];
  // (the first image's: per-layer values and times describe one inference)
  if (m_image == 0 && recorded != out.values.get()) {
    recorded = out.values.get();
    place_activations(m_context.observed[std::size_t(d.layer)], *data);
    const std::int64_t cycle = m_context.cycles(at);
    m_context.record_layer_time(d.layer, cycle, cycle);
  }
  const auto op = static_cast<isa::NOp>(instruction.opcode);
  const std::int64_t bytes =
      bytes_for(std::int64_t(out.values->values.size()), arch.data.activation_bits);
  if (op == isa::NOp::coll) {
    send(noc::Network::collection, arch.chip.pes(), kLayerResult, d.layer, d.group, data->row,
         bytes, data, at);
    return;
  }
  const int to = int(instruction.des);
  if (to == m_id) {
    // A consumer on this PE: the outputs stay in the PE (no NoC).
    add_to_store(store(d.layer, 0), *data, at);
    return;
  }
  send(noc::Network::mesh, to, kActivations, d.layer, d.group, data->row, bytes, data, at);
}

void Pe::execute_n(const Instruction& instruction) {
  const Descriptor& d = entry(instruction.io_ch);
  const auto op = static_cast<isa::NOp>(instruction.opcode);
  const auto& arch = m_context.arch;
  if (d.kind == Descriptor::Kind::input) {
    receive_input(d);
    return;
  }
  const std::int64_t key = group_key(d);
  // Partial sums from a contributing PE over the mesh, or carried from an
  // earlier round down the fat tree from the global buffer.
  if ((op == isa::NOp::local || op == isa::NOp::dist) && instruction.recv == 1) {
    Held& partial = m_received[key];
    const int from = op == isa::NOp::dist ? arch.chip.pes() : int(instruction.src);
    const int part = m_part;
    const noc::Packet packet = m_inbox.take(
        m_keeper,
        [&](const noc::Packet& p) {
          return p.kind == kPartialSums && p.layer == d.layer && p.tag == d.group &&
                 p.src == from && p.part == part && p.image == m_image;
        },
        &partial.ready);
    partial.values = std::const_pointer_cast<GroupValues>(
        std::static_pointer_cast<const GroupValues>(packet.data));
    partial.part = m_part;
    return;
  }
  // Partial sums to the reducing PE, or up to the global buffer for a
  // later round (a group carried across rounds).
  if ((op == isa::NOp::local || op == isa::NOp::coll) && d.partial) {
    const Held& acc = accumulator(d);
    const int rows = int(m_context.plan.layers[std::size_t(d.layer)].shape.rows);
    const bool up = op == isa::NOp::coll;
    send(up ? noc::Network::collection : noc::Network::mesh,
         up ? arch.chip.pes() : int(instruction.des), kPartialSums, d.layer, d.group, m_part,
         bytes_for(std::int64_t(acc.values->values.size()), mapping::partial_sum_bits(arch, rows)),
         acc.values, issue_at(acc.ready));
    return;
  }
  send_outputs(instruction, d);
}

}  // namespace reramsim::hw
