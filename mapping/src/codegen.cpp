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
  std::uint32_t input_entry(int layer, int source, int packets_per_row) {
    Descriptor d;
    d.kind = Descriptor::Kind::input;
    d.layer = layer;
    d.source = source;
    d.packets_per_row = packets_per_row;
    return add(d);
  }
  std::uint32_t tile_entry(const MappingPlan& plan, int tile_index, int block) {
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
    d.block = block;
    d.bit_group = t.bit_group;
    d.bit_groups = plan.layers[std::size_t(t.layer)].bit_groups;
    d.replicas = plan.layers[std::size_t(t.layer)].replicas;
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
// the per-column factor gamma * 2^12/sqrt(var) is built in `acc` once, before
// the layer's loop, from the parameters in the descriptor table (`dt`); each
// part then applies it element-wise.
void emit_batchnorm(std::vector<Instruction>& prologue, std::vector<Instruction>& body,
                    std::uint32_t desc, int bn_shift) {
  prologue.push_back(a_op(AOp::rsqrt, Buffer::dt, Buffer::dt, Buffer::acc, desc,
                          std::uint32_t(workloads::kBatchNormRsqrtBits)));
  prologue.push_back(a_op(AOp::mul, Buffer::dt, Buffer::acc, Buffer::acc, desc));  // gamma * r
  body.push_back(a_op(AOp::sub, Buffer::ob, Buffer::dt, Buffer::ob, desc));        // y - mean
  body.push_back(a_op(AOp::mul, Buffer::ob, Buffer::acc, Buffer::ob, desc));       // * factor
  body.push_back(
      a_op(AOp::shift, Buffer::ob, Buffer::ob, Buffer::ob, desc, std::uint32_t(bn_shift)));
  body.push_back(a_op(AOp::add, Buffer::ob, Buffer::dt, Buffer::ob, desc));       // + beta
  body.push_back(a_op(AOp::shift, Buffer::ob, Buffer::ob, Buffer::ob, desc, 0));  // clamp
}

std::uint32_t clamp_field(std::int64_t value, std::uint32_t max) {
  return std::uint32_t(std::min<std::int64_t>(value, max));
}

// The mesh port a transfer from `from` to `to` leaves by (XY routing: x first).
isa::Exit mesh_exit(const arch::ArchConfig& arch, int from, int to) {
  const int width = arch.chip.pe_x;
  const int dx = to % width - from % width;
  const int dy = to / width - from / width;
  if (dx > 0) return isa::Exit::east;
  if (dx < 0) return isa::Exit::west;
  if (dy > 0) return isa::Exit::north;
  if (dy < 0) return isa::Exit::south;
  return isa::Exit::local;
}

Instruction transfer(NOp op, const arch::ArchConfig& arch, int from, int to, std::uint32_t entry,
                     bool receive) {
  Instruction i = isa::make(op);
  i.src = std::uint32_t(from);
  i.des = std::uint32_t(to);
  i.io_ch = entry;
  i.recv = receive ? 1 : 0;
  if (op == NOp::coll) {
    i.exit = static_cast<std::uint32_t>(isa::Exit::up);
  } else if (op == NOp::local && !receive) {
    i.exit = static_cast<std::uint32_t>(mesh_exit(arch, from, to));
  }
  return i;
}

Instruction control(COp op, std::uint32_t src, std::uint32_t des) {
  Instruction i = isa::make(op);
  i.src = src;
  i.des = des;
  return i;
}

}  // namespace

namespace {

std::vector<PeProgram> programs_of_round(const workloads::Network& network,
                                         const arch::ArchConfig& arch, const MappingPlan& plan,
                                         const workloads::QuantizedNetwork& qnet, int round,
                                         const std::vector<int>& blocks,
                                         const std::vector<LayerEstimate>& estimates) {
  std::vector<PeProgram> programs(std::size_t(arch.chip.pes()));
  std::vector<ProgramBuilder> builders;
  for (auto& p : programs) builders.emplace_back(p);
  const std::size_t layers = network.layers.size();
  const std::uint32_t dispatch = isa::kDispatchEndpoint;

  // Where each layer's output goes: every PE running a layer that reads it
  // (ascending), none for a network output (it goes up the collection tree).
  std::vector<std::vector<int>> consumer_pes(layers);
  for (std::size_t c = 0; c < layers; ++c) {
    for (int source : network.layers[c].inputs) {
      if (source == workloads::kNetworkInput) continue;
      auto& pes = consumer_pes[std::size_t(source)];
      pes.insert(pes.end(), plan.layers[c].pes.begin(), plan.layers[c].pes.end());
    }
  }
  for (auto& pes : consumer_pes) {
    std::sort(pes.begin(), pes.end());
    pes.erase(std::unique(pes.begin(), pes.end()), pes.end());
  }
  // A layer's outputs go to the global buffer (up the collection tree) when
  // it is a network output or a layer of another round reads them; sources
  // of another round come from there (down the fat tree), like the input.
  const auto in_round = [&](int layer) {
    return layer != workloads::kNetworkInput && plan.layers[std::size_t(layer)].runs_in(round);
  };
  // (also a folded layer's outputs: Table III's global inter-layer links)
  const auto via_global = [&](int layer) {
    return !in_round(layer) || plan.layers[std::size_t(layer)].global_out;
  };
  std::vector<bool> to_global(layers, false);
  for (std::size_t l = 0; l < layers; ++l) {
    to_global[l] = consumer_pes[l].empty() || plan.layers[l].global_out;
  }
  for (std::size_t c = 0; c < layers; ++c) {
    for (int source : network.layers[c].inputs) {
      if (source != workloads::kNetworkInput &&
          plan.layers[c].round != plan.layers[std::size_t(source)].round) {
        to_global[std::size_t(source)] = true;
      }
    }
  }
  // Packets that complete one output row of a layer: one per output group
  // covering the row (a locally connected layer's groups each cover one
  // position), one for layers without weights and the network input.
  const auto packets_per_row = [&](int source) {
    if (via_global(source)) return 1;  // a whole row from the dispatch unit
    return output_packets_per_row(network, plan, source);
  };
  // Who reads each row of each layer's output: a part's outputs go only to
  // the PEs whose parts need their row.
  std::vector<std::vector<std::vector<int>>> readers(layers);
  for (std::size_t li = 0; li < layers; ++li) {
    // A folded layer reaches its readers through the dispatch unit.
    readers[li] = row_readers(network, plan, int(li), round);
    if (plan.layers[li].global_out) {
      for (auto& row : readers[li]) row.clear();
    }
  }
  // A group's or layer's sends are a placeholder until the part is known
  // (exit 7 is undefined, so one left unexpanded could not be encoded).
  constexpr std::uint32_t kSendsPlaceholder = 7;
  const auto emit_sends = [&](std::size_t, int pe, std::uint32_t entry,
                              std::vector<Instruction>& body) {
    Instruction i = isa::make(NOp::local);
    i.src = std::uint32_t(pe);
    i.io_ch = entry;
    i.exit = kSendsPlaceholder;
    body.push_back(i);
  };
  // The output row part `part` of the entry's layer produces.
  const auto output_row = [&](const Descriptor& d, int part) {
    const Layer& l = network.layers[std::size_t(d.layer)];
    if (d.position >= 0) return int(d.position / l.out.w);  // a locally connected group
    if (l.type == LayerType::conv) return part_windows(l, d.replicas, part).row;
    if (l.type == LayerType::fc) return 0;
    return part;  // layers without weights: part p is row p
  };
  // The sends of one part: to every PE reading its row, or up the collection
  // tree for a network output.
  const auto expand_sends = [&](const Instruction& placeholder, const PeProgram& program, int part,
                                std::vector<Instruction>& out) {
    const Descriptor& d = program.table[placeholder.io_ch];
    const int pe = int(placeholder.src);
    for (int to : readers[std::size_t(d.layer)][std::size_t(output_row(d, part))]) {
      out.push_back(transfer(NOp::local, arch, pe, to, placeholder.io_ch, false));
    }
    if (to_global[std::size_t(d.layer)]) {
      out.push_back(transfer(NOp::coll, arch, pe, int(dispatch), placeholder.io_ch, false));
    }
  };
  const auto is_placeholder = [&](const Instruction& i) {
    return i.category == isa::Category::n && i.exit == kSendsPlaceholder;
  };

  // Each (PE, layer)'s instructions: once at the start, and per part its
  // front (receives, MVMs) and its back (the lagging arithmetic and sends).
  struct LayerCode {
    std::vector<Instruction> prologue, front, back;
  };
  // Per PE, by (layer, replica): a PE holding tiles of several weight copies
  // of a layer runs each copy's parts with that copy's tiles.
  std::vector<std::map<std::pair<int, int>, LayerCode>> code(programs.size());
  for (std::size_t li = 0; li < layers; ++li) {
    if (!in_round(int(li))) continue;
    const Layer& layer = network.layers[li];
    const LayerPlan& lp = plan.layers[li];
    const workloads::QuantizedLayer& ql = qnet.layers[li];
    const int parts = layer_parts(layer, layer.has_weights() ? lp.replicas : 1);
    // PEs in ascending order, so programs do not depend on container order.
    // The weight copies each PE holds tiles of (copy 0 for layers without weights).
    std::map<int, std::vector<int>> replicas_on;
    for (int pe : lp.pes) {
      if (!layer.has_weights()) replicas_on[pe] = {0};
    }
    // The round's tiles (a layer spread over rounds has most in others) and
    // groups, by PE (a group under its reducer and its contributors).
    std::map<int, std::vector<int>> tiles_on;
    for (int t : lp.tiles) {
      const CrossbarTile& tile = plan.tiles[std::size_t(t)];
      if (tile_round(plan, tile) != round) continue;
      tiles_on[tile.pe].push_back(t);
      auto& list = replicas_on[tile.pe];
      if (std::find(list.begin(), list.end(), tile.replica) == list.end()) {
        list.push_back(tile.replica);
      }
    }
    for (auto& [pe, list] : replicas_on) std::sort(list.begin(), list.end());
    std::map<int, std::vector<int>> groups_on;
    for (std::size_t g = 0; g < lp.groups.size(); ++g) {
      const OutputGroup& group = lp.groups[g];
      if (group.round != round) continue;
      groups_on[group.reducer_pe].push_back(int(g));
      for (int pe : group.contributors) groups_on[pe].push_back(int(g));
    }
    for (const auto& [pe, replica_list] : replicas_on)
      for (int replica : replica_list) {
        ProgramBuilder& b = builders[std::size_t(pe)];
        LayerCode& lc = code[std::size_t(pe)][{int(li), replica}];
        std::vector<Instruction>& prologue = lc.prologue;
        std::vector<Instruction>* body = &lc.front;

        // The input rows the part needs, from each distinct source.
        std::vector<int> sources;
        for (int source : layer.inputs) {
          if (std::find(sources.begin(), sources.end(), source) == sources.end()) {
            sources.push_back(source);
          }
        }
        for (int source : sources) {
          const std::uint32_t entry = b.input_entry(int(li), source, packets_per_row(source));
          b.entry(entry).replicas = lp.replicas;
          if (via_global(source)) {  // the network input, another round's or a folded output
            body->push_back(transfer(NOp::dist, arch, int(dispatch), pe, entry, true));
          } else {
            const LayerPlan& sp = plan.layers[std::size_t(source)];
            const int from = network.layers[std::size_t(source)].has_weights()
                                 ? sp.groups.front().reducer_pe
                                 : sp.pes.front();
            body->push_back(transfer(NOp::local, arch, from, pe, entry, true));
          }
        }

        if (!layer.has_weights()) {
          const std::uint32_t layer_desc = b.layer_entry(int(li), ql.shift);
          Instruction op = isa::make(layer_opcode(layer));
          op.src = buffer(Buffer::cb0);
          op.src2 = buffer(Buffer::cb0);
          op.des = buffer(Buffer::ob);
          op.size = clamp_field(layer.out.elements() / parts, (1u << 24) - 1);
          op.desc = layer_desc;
          body->push_back(op);
          emit_sends(li, pe, layer_desc, *body);
        } else {
          // One MVM per crossbar tile, all issued before the additions that
          // combine row tiles of one group, so the crossbars run in parallel.
          std::map<int, bool> group_started;
          std::vector<std::uint32_t> later_tiles;  // not the first of their group here
          const ROp rop = layer.type == LayerType::fc ? ROp::fc : ROp::conv;
          for (int t : tiles_on[pe]) {
            const CrossbarTile& tile = plan.tiles[std::size_t(t)];
            if (tile.replica != replica) continue;
            const std::uint32_t tile_desc = b.tile_entry(plan, t, blocks[std::size_t(t)]);
            Instruction mvm = isa::make(rop);
            mvm.sparse = lp.sparse ? 1 : 0;
            mvm.kernel = clamp_field(layer.type == LayerType::fc ? 1 : layer.kernel_h, 31);
            mvm.in_ch = clamp_field(layer.in.c, 65535);
            mvm.src = buffer(Buffer::cb0);
            mvm.des = buffer(Buffer::acc);
            mvm.index = std::uint32_t(tile.crossbar);
            mvm.desc = tile_desc;
            body->push_back(mvm);
            if (group_started[tile.group]) later_tiles.push_back(tile_desc);
            group_started[tile.group] = true;
          }
          // The arithmetic works one part behind the crossbars (Fig. 6).
          body = &lc.back;
          for (std::uint32_t tile_desc : later_tiles) {
            body->push_back(a_op(AOp::add, Buffer::acc, Buffer::acc, Buffer::acc, tile_desc));
          }
          for (const int g : groups_on[pe]) {
            const OutputGroup& group = lp.groups[std::size_t(g)];
            if (group.replica != replica) continue;
            const bool contributes = group.reducer_pe != pe;
            const std::uint32_t group_desc = b.group_entry(int(li), int(g), ql.shift);
            b.entry(group_desc).replicas = lp.replicas;
            if (contributes) {
              b.entry(group_desc).partial = true;
              body->push_back(transfer(NOp::local, arch, pe, group.reducer_pe, group_desc, false));
              continue;
            }
            // The channels this group's columns produce (and, with an executed
            // BatchNorm, their parameters).
            Descriptor& d = b.entry(group_desc);
            const std::int64_t first_channel =
                layer.type == LayerType::conv ? group.matrix * (layer.out.c / layer.groups) : 0;
            for (std::int64_t k = 0; k < group.cols; ++k) {
              const std::size_t c =
                  std::size_t(first_channel + lp.column(group.matrix, group.col_begin + k));
              d.channels.push_back(std::int32_t(c));
              if (ql.has_batchnorm()) {
                d.bn_mean.push_back(ql.bn_mean[c]);
                d.bn_var.push_back(ql.bn_var[c]);
                d.bn_gamma.push_back(ql.bn_gamma[c]);
                d.bn_beta.push_back(ql.bn_beta[c]);
              }
            }
            if (layer.type == LayerType::local) d.position = group.matrix;
            d.bn_shift = ql.bn_shift;
            for (int from : group.contributors) {
              body->push_back(transfer(NOp::local, arch, from, pe, group_desc, true));
              body->push_back(a_op(AOp::add, Buffer::acc, Buffer::nic, Buffer::acc, group_desc));
            }
            // A group cut across rounds: the earlier rows' sums come down
            // from the global buffer; all but the last group of the chain
            // send theirs up instead of outputs.
            if (group.carry_from >= 0) {
              body->push_back(transfer(NOp::dist, arch, int(dispatch), pe, group_desc, true));
              body->push_back(a_op(AOp::add, Buffer::acc, Buffer::nic, Buffer::acc, group_desc));
            }
            if (group.carry_out) {
              d.partial = true;
              body->push_back(transfer(NOp::coll, arch, pe, int(dispatch), group_desc, false));
              continue;
            }
            body->push_back(a_op(AOp::shift, Buffer::acc, Buffer::ob, Buffer::ob, group_desc));
            if (ql.has_batchnorm()) emit_batchnorm(prologue, *body, group_desc, ql.bn_shift);
            if (layer.activation == workloads::Activation::relu) {
              body->push_back(a_op(AOp::relu, Buffer::ob, Buffer::ob, Buffer::ob, group_desc));
            }
            emit_sends(li, pe, group_desc, *body);
          }
        }
      }
  }

  // Each PE's program: a loop when it holds one layer whose every part sends
  // to the same PEs; otherwise the ordering step's interleaving of parts.
  const std::vector<std::vector<Block>> order = order_blocks(network, arch, plan, round, estimates);
  for (std::size_t pe = 0; pe < programs.size(); ++pe) {
    ProgramBuilder& b = builders[pe];
    const auto emit_part = [&](const std::vector<Instruction>& list, int part) {
      std::vector<Instruction> out;
      for (const Instruction& i : list) {
        if (is_placeholder(i)) {
          expand_sends(i, programs[pe], part, out);
        } else {
          out.push_back(i);
        }
      }
      return out;
    };
    const auto emit_all = [&](const std::vector<Instruction>& list) {
      for (const Instruction& i : list) b.emit(i);
    };
    for (const auto& [key, lc] : code[pe]) emit_all(lc.prologue);
    bool loop = code[pe].size() == 1 &&
                plan.layers[std::size_t(code[pe].begin()->first.first)].replicas == 1;
    if (loop) {
      const auto& rows = readers[std::size_t(code[pe].begin()->first.first)];
      loop =
          std::all_of(rows.begin(), rows.end(), [&](const auto& r) { return r == rows.front(); });
    }
    if (loop) {
      const auto& [key, lc] = *code[pe].begin();
      const int parts = layer_parts(network.layers[std::size_t(key.first)]);
      const std::vector<Instruction> front = emit_part(lc.front, 0);
      const std::vector<Instruction> back = emit_part(lc.back, 0);
      if (parts > 1) {
        const std::size_t lag = back.empty() ? 0 : 1;
        b.emit(control(COp::loop, std::uint32_t(parts),
                       std::uint32_t(front.size() + lag + back.size())));
      }
      emit_all(front);
      if (parts > 1 && !back.empty()) b.emit(control(COp::lag, 1, 0));
      emit_all(back);
      continue;
    }
    for (const Block& block : order[pe]) {
      const int replicas = plan.layers[std::size_t(block.layer)].replicas;
      const LayerCode& lc = code[pe].at({block.layer, block.part % replicas});
      b.emit(control(COp::part, std::uint32_t(block.part), 0));
      emit_all(emit_part(block.back ? lc.back : lc.front, block.part));
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

}  // namespace

std::vector<PeProgram> make_programs(const workloads::Network& network,
                                     const arch::ArchConfig& arch, const MappingPlan& plan,
                                     const workloads::QuantizedNetwork& qnet, int round) {
  return programs_of_round(network, arch, plan, qnet, round, block_indices(plan),
                           estimate_parts(network, arch, plan));
}

std::vector<std::vector<PeProgram>> make_round_programs(const workloads::Network& network,
                                                        const arch::ArchConfig& arch,
                                                        const MappingPlan& plan,
                                                        const workloads::QuantizedNetwork& qnet) {
  const std::vector<int> blocks = block_indices(plan);
  const std::vector<LayerEstimate> estimates = estimate_parts(network, arch, plan);
  std::vector<std::vector<PeProgram>> programs;
  programs.reserve(std::size_t(plan.rounds));
  for (int round = 0; round < plan.rounds; ++round) {
    programs.push_back(programs_of_round(network, arch, plan, qnet, round, blocks, estimates));
  }
  return programs;
}

}  // namespace reramsim::mapping
