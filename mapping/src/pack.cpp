// The packing step: blocks of a partition strategy, worst-fit onto virtual
// crossbars (docs/mapping.md, "Packing step").
#include "reramsim/mapping/pack.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace reramsim::mapping {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Which OUs of one virtual crossbar are taken: a bit per OU, each OU row a
// run of 64-bit words. The last OU row and column may be partial (crossbar
// sides need not be multiples of the OU's); callers bound the positions so
// that a block's cells stay inside the crossbar.
class OuGrid {
 public:
  OuGrid(int rows, int cols)
      : m_words((cols + 63) / 64), m_bits(std::size_t(rows) * std::size_t(m_words), 0) {}

  // The top-most, then left-most position (r, c) with r <= max_r and
  // c <= max_c whose h x w OUs are all free. `scratch` holds the union of h
  // OU rows.
  bool find(int h, int w, int max_r, int max_c, std::vector<std::uint64_t>& scratch, int& out_r,
            int& out_c) const {
    scratch.resize(std::size_t(m_words));
    const int last = max_c + w;  // bits [0, last) may be used
    for (int r = 0; r <= max_r; ++r) {
      std::fill(scratch.begin(), scratch.end(), 0);
      for (int k = r; k < r + h; ++k) {
        const std::uint64_t* row = &m_bits[std::size_t(k) * std::size_t(m_words)];
        for (int i = 0; i < m_words; ++i) scratch[std::size_t(i)] |= row[i];
      }
      int run = 0;
      for (int j = 0; j < last;) {
        const std::uint64_t word = scratch[std::size_t(j / 64)];
        if (j % 64 == 0 && word == ~std::uint64_t(0)) {  // a word of taken OUs: skip it whole
          run = 0;
          j += 64;
          continue;
        }
        if ((word >> (j % 64)) & 1) {
          run = 0;
        } else if (++run == w) {
          out_r = r;
          out_c = j - w + 1;
          return true;
        }
        ++j;
      }
    }
    return false;
  }

  void mark(int r, int c, int h, int w) {
    for (int k = r; k < r + h; ++k) {
      std::uint64_t* row = &m_bits[std::size_t(k) * std::size_t(m_words)];
      for (int j = c; j < c + w; ++j) row[j / 64] |= std::uint64_t(1) << (j % 64);
    }
  }

 private:
  int m_words;
  std::vector<std::uint64_t> m_bits;
};

// A crossbar being filled. The grid is dropped once every OU is taken.
struct OpenCrossbar {
  std::int64_t free_cells = 0;  // usable cells not covered by any placed block's OUs
  std::int64_t free_ous = 0;
  OuGrid grid;
};

// Kept columns of every matrix of a layer: all equal except for a conv
// pruned unevenly across its groups (the latency model's N is their maximum).
std::vector<std::int64_t> kept_per_matrix(const workloads::Layer& layer, const MvmProblem& p) {
  std::vector<std::int64_t> kept(std::size_t(p.matrices), p.cols);
  if (!layer.pruned_outputs.empty() && layer.type == workloads::LayerType::conv) {
    for (std::int64_t m = 0; m < p.matrices; ++m) {
      kept[std::size_t(m)] = std::int64_t(workloads::kept_columns(layer, m).size());
    }
  }
  return kept;
}

// Reference cells of one crossbar: its reference columns over the union of
// the rows its blocks occupy.
std::int64_t reference_rows(const VirtualCrossbar& x, const std::vector<MvmBlock>& blocks) {
  std::vector<std::pair<std::int64_t, std::int64_t>> spans;
  spans.reserve(x.blocks.size());
  for (const BlockPlacement& p : x.blocks) {
    spans.emplace_back(p.row, p.row + blocks[std::size_t(p.block)].rows);
  }
  std::sort(spans.begin(), spans.end());
  std::int64_t rows = 0;
  std::int64_t covered_to = 0;
  for (const auto& [begin, end] : spans) {
    const std::int64_t from = std::max(begin, covered_to);
    if (end > from) rows += end - from;
    covered_to = std::max(covered_to, end);
  }
  return rows;
}

}  // namespace

std::vector<MvmBlock> make_blocks(const workloads::Network& network, const arch::ArchConfig& arch,
                                  const PartitionCandidate& candidate) {
  if (candidate.degrees.size() != network.layers.size()) {
    throw std::invalid_argument(
        "make_blocks: the candidate has " + std::to_string(candidate.degrees.size()) +
        " degree sets for a network of " + std::to_string(network.layers.size()) + " layers");
  }
  const std::int64_t xbar_rows = arch.crossbar.rows;
  const std::int64_t per_row = arch.weights_per_row();
  const std::int64_t wc = arch.weight_columns();
  std::vector<MvmBlock> blocks;
  for (const MvmProblem& p : lower_network(network, arch)) {
    const PartitionDegrees& d = candidate.degrees[std::size_t(p.layer)];
    // crossbar_demand throws std::invalid_argument naming the layer and degrees.
    if (!is_valid(p, d)) crossbar_demand(p, d, arch);
    const std::int64_t part_rows = ceil_div(p.rows, d.hwm);
    const std::int64_t part_cols = ceil_div(p.cols, d.wwm);
    const std::vector<std::int64_t> kept = kept_per_matrix(network.layers[std::size_t(p.layer)], p);
    for (std::int64_t m = 0; m < p.matrices; ++m) {
      const std::int64_t matrix_cols = kept[std::size_t(m)];
      for (int iw = 0; iw < d.iw; ++iw) {
        for (int ib = 0; ib < d.ib; ++ib) {
          for (std::int64_t hp = 0; hp < d.hwm; ++hp) {
            const std::int64_t r0 = hp * part_rows;
            const std::int64_t r1 = std::min(p.rows, r0 + part_rows);
            for (std::int64_t wp = 0; wp < d.wwm; ++wp) {
              const std::int64_t c0 = wp * part_cols;
              const std::int64_t c1 = std::min(matrix_cols, c0 + part_cols);
              // Empty parts (a degree not dividing evenly, or columns a
              // pruned group lacks) give no block.
              for (std::int64_t r = r0; r < r1; r += xbar_rows) {
                for (std::int64_t c = c0; c < c1; c += per_row) {
                  MvmBlock b;
                  b.layer = p.layer;
                  b.matrix = m;
                  b.iw = iw;
                  b.ib = ib;
                  b.row_begin = r;
                  b.rows = std::min(xbar_rows, r1 - r);
                  b.col_begin = c;
                  b.cols = std::min(per_row, c1 - c);
                  b.physical_cols = b.cols * wc;
                  blocks.push_back(b);
                }
              }
            }
          }
        }
      }
    }
  }
  return blocks;
}

Packing pack_blocks(std::vector<MvmBlock> blocks, const arch::ArchConfig& arch,
                    std::int64_t budget) {
  const std::int64_t xbar_rows = arch.crossbar.rows;
  // The sign scheme's reference columns are the crossbar's last physical
  // columns; blocks use the columns before them.
  const std::int64_t usable_cols = arch.crossbar.cols - arch.reference_columns();
  const std::int64_t ou_rows = arch.crossbar.ou.rows;
  const std::int64_t ou_cols = arch.crossbar.ou.cols;
  const int grid_rows = int(ceil_div(xbar_rows, ou_rows));
  const int grid_cols = int(ceil_div(usable_cols, ou_cols));

  Packing out;
  out.budget = budget;
  std::int64_t total_cells = 0;
  for (const MvmBlock& b : blocks) {
    if (b.rows < 1 || b.physical_cols < 1 || b.rows > xbar_rows || b.physical_cols > usable_cols) {
      throw std::invalid_argument(
          "pack_blocks: a block of " + std::to_string(b.rows) + " x " +
          std::to_string(b.physical_cols) + " cells does not fit an empty crossbar (" +
          std::to_string(xbar_rows) + " x " + std::to_string(usable_cols) + " usable)");
    }
    total_cells += b.cells();
  }
  out.blocks = std::move(blocks);
  const std::vector<MvmBlock>& bl = out.blocks;
  // No placement can beat the cells themselves: refuse early.
  if (total_cells > std::max<std::int64_t>(budget, 0) * xbar_rows * usable_cols) return out;

  // Decreasing OU footprint, then by shape so that equal shapes form one run,
  // then by position in the network for determinism.
  auto ou_h = [&](const MvmBlock& b) { return ceil_div(b.rows, ou_rows); };
  auto ou_w = [&](const MvmBlock& b) { return ceil_div(b.physical_cols, ou_cols); };
  std::vector<int> order(bl.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int i, int j) {
    const MvmBlock& a = bl[std::size_t(i)];
    const MvmBlock& b = bl[std::size_t(j)];
    const std::int64_t area_a = ou_h(a) * ou_w(a);
    const std::int64_t area_b = ou_h(b) * ou_w(b);
    if (area_a != area_b) return area_a > area_b;
    return std::make_tuple(-a.rows, -a.physical_cols, a.layer, a.matrix, a.iw, a.ib, a.row_begin,
                           a.col_begin, i) < std::make_tuple(-b.rows, -b.physical_cols, b.layer,
                                                             b.matrix, b.iw, b.ib, b.row_begin,
                                                             b.col_begin, j);
  });

  std::vector<OpenCrossbar> state;  // parallel to out.crossbars
  std::vector<int> open;            // crossbars with a free OU left
  std::vector<std::pair<std::int64_t, int>> heap;
  std::vector<std::uint64_t> scratch;
  const std::int64_t capacity_cells = xbar_rows * usable_cols;

  // Takes the OUs of a block at OU position (r, c) of crossbar x.
  auto place = [&](int x, int block, int r, int c, int h, int w) {
    OpenCrossbar& s = state[std::size_t(x)];
    s.grid.mark(r, c, h, w);
    const std::int64_t cells = (std::min((r + h) * ou_rows, xbar_rows) - r * ou_rows) *
                               (std::min((c + w) * ou_cols, usable_cols) - c * ou_cols);
    s.free_cells -= cells;
    s.free_ous -= std::int64_t(h) * w;
    if (s.free_ous == 0) s.grid = OuGrid(0, 0);  // full: the bits are no longer needed
    out.crossbars[std::size_t(x)].blocks.push_back({block, r * ou_rows, c * ou_cols});
  };

  for (std::size_t begin = 0; begin < order.size();) {
    // A run of blocks of one shape: a crossbar that cannot place one of them
    // never can (space only shrinks), so it leaves the run's heap for good.
    const MvmBlock& first = bl[std::size_t(order[begin])];
    std::size_t end = begin + 1;
    while (end < order.size() && bl[std::size_t(order[end])].rows == first.rows &&
           bl[std::size_t(order[end])].physical_cols == first.physical_cols) {
      ++end;
    }
    const std::int64_t need = first.cells();
    const int h = int(ou_h(first));
    const int w = int(ou_w(first));
    // The last positions keeping the block's cells inside the crossbar.
    const int max_r = int((xbar_rows - first.rows) / ou_rows);
    const int max_c = int((usable_cols - first.physical_cols) / ou_cols);

    // Max-heap on (free cells, -index): the emptiest crossbar, the oldest on ties.
    open.erase(std::remove_if(open.begin(), open.end(),
                              [&](int x) { return state[std::size_t(x)].free_ous == 0; }),
               open.end());
    heap.clear();
    for (int x : open) {
      if (state[std::size_t(x)].free_cells >= need) {
        heap.emplace_back(state[std::size_t(x)].free_cells, -x);
      }
    }
    std::make_heap(heap.begin(), heap.end());

    for (std::size_t k = begin; k < end; ++k) {
      const int block = order[k];
      int x = -1;
      int r = 0;
      int c = 0;
      // Every crossbar of the budget is a bin from the start, so an empty
      // one is the emptiest: blocks spread over the crossbars (and run in
      // parallel) until there are more blocks than crossbars; only then do
      // they share, worst-fit.
      while (out.crossbars_used() >= budget && !heap.empty()) {
        std::pop_heap(heap.begin(), heap.end());
        const int candidate = -heap.back().second;
        heap.pop_back();
        if (state[std::size_t(candidate)].grid.find(h, w, max_r, max_c, scratch, r, c)) {
          x = candidate;
          break;
        }
      }
      if (x < 0) {
        if (out.crossbars_used() >= budget) return out;  // infeasible
        x = int(out.crossbars.size());
        out.crossbars.emplace_back();
        state.push_back(
            {capacity_cells, std::int64_t(grid_rows) * grid_cols, OuGrid(grid_rows, grid_cols)});
        open.push_back(x);
        r = 0;
        c = 0;
      }
      place(x, block, r, c, h, w);
      const OpenCrossbar& s = state[std::size_t(x)];
      if (s.free_ous > 0 && s.free_cells >= need) {
        heap.emplace_back(s.free_cells, -x);
        std::push_heap(heap.begin(), heap.end());
      }
    }
    begin = end;
  }

  out.feasible = true;
  const std::int64_t ref = arch.reference_columns();
  for (const VirtualCrossbar& x : out.crossbars) {
    out.reference_cells += ref * reference_rows(x, bl);
    const int layer = bl[std::size_t(x.blocks.front().block)].layer;
    if (std::any_of(x.blocks.begin(), x.blocks.end(), [&](const BlockPlacement& p) {
          return bl[std::size_t(p.block)].layer != layer;
        })) {
      ++out.multi_layer_crossbars;
    }
  }
  out.cells_used = out.reference_cells;
  for (const MvmBlock& b : bl) out.cells_used += b.cells();
  return out;
}

Packing pack(const workloads::Network& network, const arch::ArchConfig& arch,
             const PartitionCandidate& candidate, std::int64_t budget) {
  return pack_blocks(make_blocks(network, arch, candidate), arch, budget);
}

Packing pack(const workloads::Network& network, const arch::ArchConfig& arch,
             const PartitionCandidate& candidate) {
  return pack(network, arch, candidate, arch.total_crossbars());
}

PackChoice pack_first_fitting(const workloads::Network& network, const arch::ArchConfig& arch,
                              const std::vector<PartitionCandidate>& candidates,
                              std::int64_t budget) {
  PackChoice choice;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    choice.packing = pack(network, arch, candidates[i], budget);
    if (choice.packing.feasible) {
      choice.candidate = int(i);
      return choice;
    }
  }
  return choice;
}

PackChoice pack_first_fitting(const workloads::Network& network, const arch::ArchConfig& arch,
                              const std::vector<PartitionCandidate>& candidates) {
  return pack_first_fitting(network, arch, candidates, arch.total_crossbars());
}

}  // namespace reramsim::mapping
