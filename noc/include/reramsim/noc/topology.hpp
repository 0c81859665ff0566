// Routes on the three networks, as lists of directed links. SystemC-free
// arithmetic: which links a packet crosses and how many routers it passes.
//
// Endpoints: PEs 0..P-1 (PE p sits at x = p % pe_x, y = p / pe_x), and the
// dispatch unit / global buffer.
// - Fat tree (distribution): router levels 0..L-1 with arity^k routers at
//   level k; the dispatch unit feeds the root; PE p hangs off leaf router
//   p / arity. A route crosses L routers and L + 1 links.
// - Collection tree: the mirror image, PE -> leaf router -> ... -> root ->
//   global buffer, on links of its own.
// - Mesh: one router per PE, XY routing (X first); a route of h hops crosses
//   h + 1 routers and h links.
#pragma once

#include <cstdint>
#include <vector>

#include "reramsim/arch/arch_config.hpp"

namespace reramsim::noc {

class Topology {
 public:
  explicit Topology(const arch::ArchConfig& arch);

  int pes() const { return m_pes; }
  int fat_tree_levels() const { return m_ft_levels; }
  int fat_tree_arity() const { return m_ft_arity; }

  // Link ids are dense per network, 0..links(network)-1.
  int fat_tree_links() const { return m_ft_links; }
  int collection_links() const { return m_ct_links; }
  int mesh_links() const { return m_pes * 4; }

  // Fat tree: id of the link into node (level, index); level L is the PE
  // level, and (0, 0)'s link comes from the dispatch unit.
  int fat_tree_link(int level, int index) const;
  // Collection tree: id of the link out of node (level, index) towards the root.
  int collection_link(int level, int index) const;
  // Ancestor of PE `pe` at `level` (0 = root) in the trees.
  int fat_tree_ancestor(int pe, int level) const;
  int collection_ancestor(int pe, int level) const;

  // Mesh route from PE a to PE b: the links crossed, in order.
  std::vector<int> mesh_route(int from_pe, int to_pe) const;
  int mesh_hops(int from_pe, int to_pe) const;

 private:
  int m_pes;
  int m_pe_x;
  int m_ft_arity;
  int m_ft_levels;
  int m_ct_arity;
  int m_ct_levels;
  int m_ft_links;
  int m_ct_links;
  std::vector<int> m_ft_level_offset;  // first link id of each level
  std::vector<int> m_ct_level_offset;
};

}  // namespace reramsim::noc
