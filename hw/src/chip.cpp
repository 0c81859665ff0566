#include "reramsim/hw/chip.hpp"

namespace reramsim::hw {

Chip::Chip(sc_core::sc_module_name name, RunContext& context,
           std::vector<mapping::PeProgram> programs)
    : sc_module(name), m_context(context) {
  m_noc = std::make_unique<noc::Noc>("noc", context.arch, context.trace,
                                     context.traced_pes.empty() ? nullptr : &context.traced_pes);
  m_dispatch = std::make_unique<DispatchUnit>("dispatch_unit", context);
  const int pes = context.arch.chip.pes();
  for (int i = 0; i < pes; ++i) {
    m_pes.push_back(std::make_unique<Pe>(("pe_" + std::to_string(i)).c_str(), i, context));
    // The dispatch unit loads the program at run time (C.ifetch, C.dload).
    if (!programs[std::size_t(i)].code.empty()) m_pes.back()->expect_configuration();
    m_pes.back()->noc_socket.bind(*m_noc->inject_socket[std::size_t(i)]);
    m_noc->deliver_socket[std::size_t(i)]->bind(m_pes.back()->noc_in_socket);
  }
  m_dispatch->set_programs(std::move(programs));
  // NoC statistics describe inference: the configuration traffic before it
  // is routed (and traced) but not counted.
  m_dispatch->on_configured([this](std::int64_t cycle) { m_noc->restart_measurement(cycle); });
  m_dispatch->noc_socket.bind(*m_noc->inject_socket[std::size_t(pes)]);
  m_noc->deliver_socket[std::size_t(pes)]->bind(m_dispatch->noc_in_socket);
  program_crossbars();
}

void Chip::program_crossbars() {
  const auto& plan = m_context.plan;
  const auto& qnet = m_context.qnet;
  const std::vector<int> blocks = mapping::block_indices(plan);
  for (std::size_t t = 0; t < plan.tiles.size(); ++t) {
    const mapping::CrossbarTile& tile = plan.tiles[t];
    // The tile's columns are kept (unpruned) columns of its matrix.
    const mapping::LayerPlan& lp = plan.layers[std::size_t(tile.layer)];
    std::vector<std::int16_t> block(std::size_t(tile.rows * tile.cols));
    for (std::int64_t r = 0; r < tile.rows; ++r) {
      for (std::int64_t c = 0; c < tile.cols; ++c) {
        block[std::size_t(r * tile.cols + c)] =
            qnet.weight(tile.layer, tile.matrix, tile.row_begin + r,
                        lp.column(tile.matrix, tile.col_begin + c));
      }
    }
    const int index =
        m_pes[std::size_t(tile.pe)]
            ->crossbar(tile.crossbar)
            .program(tile.rows, tile.cols, std::move(block), tile.xbar_row,
                     mapping::bit_group_input_bits(m_context.arch, tile.bit_group, lp.bit_groups));
    if (index != blocks[t]) SC_REPORT_ERROR("reramsim/chip", "crossbar blocks out of plan order");
  }
}

}  // namespace reramsim::hw
