#include "reramsim/hw/chip.hpp"

#include <algorithm>

namespace reramsim::hw {

Chip::Chip(sc_core::sc_module_name name, RunContext& context,
           std::vector<std::vector<mapping::PeProgram>> programs)
    : sc_module(name), m_context(context) {
  m_noc = std::make_unique<noc::Noc>("noc", context.arch, context.trace,
                                     context.traced_pes.empty() ? nullptr : &context.traced_pes);
  m_dispatch = std::make_unique<DispatchUnit>("dispatch_unit", context);
  const int pes = context.arch.chip.pes();
  for (int i = 0; i < pes; ++i) {
    m_pes.push_back(std::make_unique<Pe>(("pe_" + std::to_string(i)).c_str(), i, context));
    // The dispatch unit loads the program of each round the PE takes part in
    // at run time (C.wload, C.ifetch, C.dload).
    std::vector<int> rounds;
    for (std::size_t r = 0; r < programs.size(); ++r) {
      if (!programs[r][std::size_t(i)].code.empty()) rounds.push_back(int(r));
    }
    m_pes.back()->expect_configuration(rounds);
    m_pes.back()->noc_socket.bind(*m_noc->inject_socket[std::size_t(i)]);
    m_noc->deliver_socket[std::size_t(i)]->bind(m_pes.back()->noc_in_socket);
  }
  m_dispatch->set_programs(std::move(programs), weight_blocks());
  // NoC statistics describe inference: the configuration traffic before it
  // is routed (and traced) but not counted.
  m_dispatch->on_configured([this](std::int64_t cycle) { m_noc->restart_measurement(cycle); });
  m_dispatch->noc_socket.bind(*m_noc->inject_socket[std::size_t(pes)]);
  m_noc->deliver_socket[std::size_t(pes)]->bind(m_dispatch->noc_in_socket);
}

Chip::~Chip() {
  // SystemC unregisters a port or export by searching its registry from the
  // most recent one; destroying the PEs (tens of thousands of sockets on a
  // large chip) in the reverse of their construction order keeps each
  // search at the registry's end instead of quadratic.
  while (!m_pes.empty()) m_pes.pop_back();
}

std::vector<std::vector<std::vector<TileWeights>>> Chip::weight_blocks() const {
  const auto& plan = m_context.plan;
  const auto& qnet = m_context.qnet;
  std::vector<std::vector<std::vector<TileWeights>>> blocks(
      std::size_t(plan.rounds),
      std::vector<std::vector<TileWeights>>(std::size_t(m_context.arch.chip.pes())));
  for (const mapping::CrossbarTile& tile : plan.tiles) {
    // The tile's columns are kept (unpruned) columns of its matrix.
    const mapping::LayerPlan& lp = plan.layers[std::size_t(tile.layer)];
    TileWeights w;
    w.crossbar = tile.crossbar;
    w.rows = tile.rows;
    w.cols = tile.cols;
    w.row_offset = tile.xbar_row;
    w.input_bits = mapping::bit_group_input_bits(m_context.arch, tile.bit_group, lp.bit_groups);
    // The tile's matrix columns, then its rows copied from the layer's
    // row-major matrix (thousands of tiles: no per-weight lookup of the
    // matrix shape).
    const workloads::MatrixShape ms =
        workloads::lower(m_context.network.layers[std::size_t(tile.layer)]);
    const std::int16_t* matrix =
        qnet.layers[std::size_t(tile.layer)].weights.data() + tile.matrix * ms.rows * ms.cols;
    std::vector<std::int64_t> columns(std::size_t(tile.cols));
    bool consecutive = true;  // nothing pruned in the tile's range: copy whole rows
    for (std::int64_t c = 0; c < tile.cols; ++c) {
      columns[std::size_t(c)] = lp.column(tile.matrix, tile.col_begin + c);
      consecutive = consecutive && columns[std::size_t(c)] == columns[0] + c;
    }
    w.weights.resize(std::size_t(tile.rows * tile.cols));
    for (std::int64_t r = 0; r < tile.rows; ++r) {
      const std::int16_t* row = matrix + (tile.row_begin + r) * ms.cols;
      std::int16_t* out = w.weights.data() + r * tile.cols;
      if (consecutive) {
        std::copy(row + columns[0], row + columns[0] + tile.cols, out);
        continue;
      }
      for (std::int64_t c = 0; c < tile.cols; ++c) out[c] = row[columns[std::size_t(c)]];
    }
    blocks[std::size_t(mapping::tile_round(plan, tile))][std::size_t(tile.pe)].push_back(
        std::move(w));
  }
  return blocks;
}

}  // namespace reramsim::hw
