// Plan -> per-PE ISA programs (docs/isa.md, "Programs the mapper emits").
#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

#include "reramsim/mapping/program.hpp"

namespace reramsim::mapping {

using isa::AOp;
using isa::Buffer;
using isa::COp;
using isa::Instruction;
using isa::NOp;
using isa::ROp;
using workloads::Layer;
using workloads::LayerType;

namespace {

std::uint32_t buffer(Buffer b) {
  return static_cast<std::uint32_t>(b);
}

// Builds one PE's program; keeps the descriptor entries it has made.
class ProgramBuilder {
 public:
  explicit ProgramBuilder(PeProgram& program) : m_program(program) {}

  std::uint32_t layer_entry(int layer, int shift) {
    Descriptor d;
    d.kind = Descriptor::Kind::layer;
    d.layer = layer;
    d.shift = shift;
    return add(d);
  }
  std::uint32_t group_entry(int layer, int group, int shift) {
    Descriptor d;
    d.kind = Descriptor::Kind::group;
    d.layer = layer;
    d.group = group;
    d.shift = shift;
    return add(d);
  }
  std::uint32_t tile_entry(const MappingPlan& plan, int tile_index) {
    const CrossbarTile& t = plan.tiles[std::size_t(tile_index)];
    Descriptor d;
    d.kind = Descriptor::Kind::tile;
    d.layer = t.layer;
    d.tile = tile_index;
    d.matrix = t.matrix;
    d.row_begin = t.row_begin;
    d.rows = t.rows;
    d.col_begin = t.col_begin;
    d.cols = t.cols;
    d.group = t.group;
    d.crossbar = t.crossbar;
    return add(d);
  }
  void emit(const Instruction& i) { m_program.code.push_back(i); }
  Descriptor& entry(std::uint32_t index) { return m_program.table[index]; }

 private:
  std::uint32_t add(const Descriptor& d) {
    m_program.table.push_back(d);
    return std::uint32_t(m_program.table.size() - 1);
  }
  PeProgram& m_program;
};

// The A-type opcode naming a layer operation's dominant lane operation.
AOp layer_opcode(const Layer& layer) {
  switch (layer.type) {
    case LayerType::pool:
      return layer.pool_mode == workloads::PoolMode::max ? AOp::max : AOp::add;
    case LayerType::lrn:
      return AOp::div;
    default:
      return AOp::add;  // residual add, concat
  }
}

Instruction a_op(AOp op, Buffer src, Buffer src2, Buffer des, std::uint32_t desc,
                 std::uint32_t imm = 0) {
  Instruction i = isa::make(op);
  i.src = buffer(src);
  i.src2 = buffer(src2);
  i.des = buffer(des);
  i.desc = desc;
  i.imm = imm;
  return i;
}

// An executed BatchNorm on a group's requantized outputs in `ob` (docs/isa.md):
// the per-column factor gamma * 2^12/sqrt(var) is built in `acc` from the
// parameters in the descriptor table (`dt`), then applied element-wise.
template <typename Builder>
void emit_batchnorm(Builder& b, std::uint32_t desc, int bn_shift) {
  b.emit(a_op(AOp::rsqrt, Buffer::dt, Buffer::dt, Buffer::acc, desc,
              std::uint32_t(workloads::kBatchNormRsqrtBits)));
  b.emit(a_op(AOp::mul, Buffer::dt, Buffer::acc, Buffer::acc, desc));  // gamma * r
  b.emit(a_op(AOp::sub, Buffer::ob, Buffer::dt, Buffer::ob, desc));    // y - mean
  b.emit(a_op(AOp::mul, Buffer::ob, Buffer::acc, Buffer::ob, desc));   // * factor
  b.emit(a_op(AOp::shift, Buffer::ob, Buffer::ob, Buffer::ob, desc, std::uint32_t(bn_shift)));
  b.emit(a_op(AOp::add, Buffer::ob, Buffer::dt, Buffer::ob, desc));       // + beta
  b.emit(a_op(AOp::shift, Buffer::ob, Buffer::ob, Buffer::ob, desc, 0));  // clamp
}

// Sends a PE's output buffer (the entry's layer or group) to the global buffer.
Instruction collect(int pe, std::uint32_t entry) {
  Instruction send = isa::make(NOp::coll);
  send.src = std::uint32_t(pe);
  send.des = isa::kDispatchEndpoint;
  send.exit = static_cast<std::uint32_t>(isa::Exit::up);
  send.io_ch = entry;
  return send;
}

std::uint32_t clamp_field(std::int64_t value, std::uint32_t max) {
  return std::uint32_t(std::min<std::int64_t>(value, max));
}

}  // namespace

std::vector<PeProgram> make_programs(const workloads::Network& network,
                                     const arch::ArchConfig& arch, const MappingPlan& plan,
                                     const workloads::QuantizedNetwork& qnet) {
  std::vector<PeProgram> programs(std::size_t(arch.chip.pes()));
  std::vector<ProgramBuilder> builders;
  for (auto& p : programs) builders.emplace_back(p);
  std::vector<int> layers_seen(programs.size(), 0);  // picks each PE's convolution buffer
  const std::uint32_t dispatch = isa::kDispatchEndpoint;

  for (std::size_t li = 0; li < network.layers.size(); ++li) {
    const Layer& layer = network.layers[li];
    const LayerPlan& lp = plan.layers[li];
    // PEs in ascending order, so programs do not depend on container order.
    for (int pe : lp.pes) {
      ProgramBuilder& b = builders[std::size_t(pe)];
      const Buffer cb = layers_seen[std::size_t(pe)]++ % 2 == 0 ? Buffer::cb0 : Buffer::cb1;
      const std::uint32_t layer_desc = b.layer_entry(int(li), qnet.layers[li].shift);

      Instruction receive = isa::make(NOp::dist);
      receive.recv = 1;
      receive.src = dispatch;
      receive.des = std::uint32_t(pe);
      receive.io_ch = layer_desc;
      b.emit(receive);

      if (!layer.has_weights()) {
        Instruction op = isa::make(layer_opcode(layer));
        op.src = buffer(cb);
        op.src2 = buffer(cb);
        op.des = buffer(Buffer::ob);
        op.size = clamp_field(layer.out.elements(), (1u << 24) - 1);
        op.desc = layer_desc;
        b.emit(op);
        b.emit(collect(pe, layer_desc));
        continue;
      }

      // One MVM per crossbar tile, all issued before the additions that
      // combine row tiles of one group, so the crossbars run in parallel.
      std::map<int, bool> group_started;
      std::vector<std::uint32_t> later_tiles;  // not the first of their group here
      const ROp rop = layer.type == LayerType::fc ? ROp::fc : ROp::conv;
      for (int t : lp.tiles) {
        const CrossbarTile& tile = plan.tiles[std::size_t(t)];
        if (tile.pe != pe) continue;
        const std::uint32_t tile_desc = b.tile_entry(plan, t);
        Instruction mvm = isa::make(rop);
        mvm.sparse = lp.sparse ? 1 : 0;
        mvm.kernel = clamp_field(layer.type == LayerType::fc ? 1 : layer.kernel_h, 31);
        mvm.in_ch = clamp_field(layer.in.c, 65535);
        mvm.src = buffer(cb);
        mvm.des = buffer(Buffer::acc);
        mvm.index = std::uint32_t(tile.crossbar);
        mvm.desc = tile_desc;
        b.emit(mvm);
        if (group_started[tile.group]) later_tiles.push_back(tile_desc);
        group_started[tile.group] = true;
      }
      for (std::uint32_t tile_desc : later_tiles) {
        Instruction add = isa::make(AOp::add);
        add.src = buffer(Buffer::acc);
        add.src2 = buffer(Buffer::acc);
        add.des = buffer(Buffer::acc);
        add.desc = tile_desc;  // adds this tile's products into its group
        b.emit(add);
      }
      for (std::size_t g = 0; g < lp.groups.size(); ++g) {
        const OutputGroup& group = lp.groups[g];
        const bool reduces = group.reducer_pe == pe;
        const bool contributes = std::find(group.contributors.begin(), group.contributors.end(),
                                           pe) != group.contributors.end();
        if (!reduces && !contributes) continue;
        const std::uint32_t group_desc = b.group_entry(int(li), int(g), qnet.layers[li].shift);
        const workloads::QuantizedLayer& ql = qnet.layers[li];
        if (ql.has_batchnorm() && reduces) {
          // The parameters of the channels this group's columns produce.
          Descriptor& d = b.entry(group_desc);
          const std::int64_t first_channel =
              layer.type == LayerType::conv ? group.matrix * (layer.out.c / layer.groups) : 0;
          for (std::int64_t k = 0; k < group.cols; ++k) {
            const std::size_t c =
                std::size_t(first_channel + lp.column(group.matrix, group.col_begin + k));
            d.bn_mean.push_back(ql.bn_mean[c]);
            d.bn_var.push_back(ql.bn_var[c]);
            d.bn_gamma.push_back(ql.bn_gamma[c]);
            d.bn_beta.push_back(ql.bn_beta[c]);
          }
          d.bn_shift = ql.bn_shift;
        }
        if (contributes) {
          Instruction send = isa::make(NOp::local);
          send.src = std::uint32_t(pe);
          send.des = std::uint32_t(group.reducer_pe);
          send.io_ch = group_desc;
          b.emit(send);
          continue;
        }
        for (int from : group.contributors) {
          Instruction receive_partial = isa::make(NOp::local);
          receive_partial.recv = 1;
          receive_partial.src = std::uint32_t(from);
          receive_partial.des = std::uint32_t(pe);
          receive_partial.io_ch = group_desc;
          b.emit(receive_partial);
          Instruction add = isa::make(AOp::add);
          add.src = buffer(Buffer::acc);
          add.src2 = buffer(Buffer::nic);
          add.des = buffer(Buffer::acc);
          add.desc = group_desc;
          b.emit(add);
        }
        Instruction requant = isa::make(AOp::shift);
        requant.src = buffer(Buffer::acc);
        requant.des = buffer(Buffer::ob);
        requant.desc = group_desc;
        b.emit(requant);
        if (ql.has_batchnorm()) emit_batchnorm(b, group_desc, ql.bn_shift);
        if (layer.activation == workloads::Activation::relu) {
          Instruction relu = isa::make(AOp::relu);
          relu.src = buffer(Buffer::ob);
          relu.des = buffer(Buffer::ob);
          relu.desc = group_desc;
          b.emit(relu);
        }
        b.emit(collect(pe, group_desc));
      }
    }
  }
  for (std::size_t pe = 0; pe < programs.size(); ++pe) {
    if (programs[pe].code.empty()) continue;
    builders[pe].emit(isa::make(COp::halt));
    // Field widths of the encoding bound what one PE can hold.
    if (programs[pe].table.size() > 1024) {
      throw std::length_error("PE " + std::to_string(pe) + " needs " +
                              std::to_string(programs[pe].table.size()) +
                              " descriptor entries; the ISA addresses 1024");
    }
  }
  return programs;
}

}  // namespace reramsim::mapping
