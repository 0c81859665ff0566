#include "reramsim/noc/topology.hpp"

#include <cstdlib>

namespace reramsim::noc {

namespace {

std::vector<int> level_offsets(int arity, int levels, int* total) {
  std::vector<int> offsets;
  int count = 1;
  int sum = 0;
  for (int level = 0; level <= levels; ++level) {
    offsets.push_back(sum);
    sum += count;
    count *= arity;
  }
  *total = sum;
  return offsets;
}

int power(int base, int exponent) {
  int r = 1;
  for (int i = 0; i < exponent; ++i) r *= base;
  return r;
}

}  // namespace

Topology::Topology(const arch::ArchConfig& arch)
    : m_pes(arch.chip.pes()),
      m_pe_x(arch.chip.pe_x),
      m_ft_arity(arch.noc.fat_tree.arity),
      m_ft_levels(arch.noc.fat_tree.levels),
      m_ct_arity(arch.noc.collection.arity),
      m_ct_levels(arch.noc.collection.levels) {
  m_ft_level_offset = level_offsets(m_ft_arity, m_ft_levels, &m_ft_links);
  m_ct_level_offset = level_offsets(m_ct_arity, m_ct_levels, &m_ct_links);
}

int Topology::fat_tree_ancestor(int pe, int level) const {
  return pe / power(m_ft_arity, m_ft_levels - level);
}

int Topology::collection_ancestor(int pe, int level) const {
  return pe / power(m_ct_arity, m_ct_levels - level);
}

int Topology::fat_tree_link(int level, int index) const {
  return m_ft_level_offset[std::size_t(level)] + index;
}

int Topology::collection_link(int level, int index) const {
  return m_ct_level_offset[std::size_t(level)] + index;
}

int Topology::mesh_hops(int from_pe, int to_pe) const {
  return std::abs(from_pe % m_pe_x - to_pe % m_pe_x) + std::abs(from_pe / m_pe_x - to_pe / m_pe_x);
}

std::vector<int> Topology::mesh_route(int from_pe, int to_pe) const {
  // Directions: 0 east (+x), 1 west, 2 north (+y), 3 south; link id = pe*4 + dir.
  std::vector<int> links;
  int x = from_pe % m_pe_x;
  int y = from_pe / m_pe_x;
  const int tx = to_pe % m_pe_x;
  const int ty = to_pe / m_pe_x;
  while (x != tx) {
    const int dir = tx > x ? 0 : 1;
    links.push_back((y * m_pe_x + x) * 4 + dir);
    x += tx > x ? 1 : -1;
  }
  while (y != ty) {
    const int dir = ty > y ? 2 : 3;
    links.push_back((y * m_pe_x + x) * 4 + dir);
    y += ty > y ? 1 : -1;
  }
  return links;
}

}  // namespace reramsim::noc
