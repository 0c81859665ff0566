// The whole accelerator: the dispatch unit with the global buffer, the PEs
// with their crossbars, and the NoC joining them. The dispatch unit's
// configuration phase (once per round) loads every PE's weights,
// instruction LUT and descriptor table.
#pragma once

#include <systemc>

#include <memory>
#include <vector>

#include "reramsim/hw/dispatch_unit.hpp"
#include "reramsim/hw/pe.hpp"
#include "reramsim/hw/run_context.hpp"
#include "reramsim/mapping/program.hpp"
#include "reramsim/noc/noc.hpp"

namespace reramsim::hw {

class Chip : public sc_core::sc_module {
 public:
  // `programs`: per round (one for a plan of one round), per PE.
  Chip(sc_core::sc_module_name name, RunContext& context,
       std::vector<std::vector<mapping::PeProgram>> programs);
  ~Chip() override;

  DispatchUnit& dispatch_unit() { return *m_dispatch; }
  noc::Noc& noc() { return *m_noc; }
  Pe& pe(int index) { return *m_pes[std::size_t(index)]; }
  int pes() const { return int(m_pes.size()); }

 private:
  // Per round, per PE: the weight blocks its C.wload writes.
  std::vector<std::vector<std::vector<TileWeights>>> weight_blocks() const;

  RunContext& m_context;
  std::unique_ptr<noc::Noc> m_noc;
  std::unique_ptr<DispatchUnit> m_dispatch;
  std::vector<std::unique_ptr<Pe>> m_pes;
};

}  // namespace reramsim::hw
