// Shipped configs and networks by name, for the mapping tests.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "reramsim/arch/arch_config.hpp"
#include "reramsim/mapping/plan.hpp"
#include "reramsim/workloads/network.hpp"

namespace reramsim::test {

inline arch::ArchConfig config(const std::string& name) {
  return arch::load_arch_config(std::string(RERAMSIM_SOURCE_DIR) + "/configs/" + name + ".yaml");
}

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// [r0, r1) x [c0, c1)
struct Rect {
  std::int64_t r0 = 0;
  std::int64_t r1 = 0;
  std::int64_t c0 = 0;
  std::int64_t c1 = 0;
};

// Whether the rectangles cover [0, rows) x [0, cols) exactly once: the area is
// cut at every rectangle edge and every elementary cell counts its covers.
inline bool covers_exactly_once(const std::vector<Rect>& rects, std::int64_t rows,
                                std::int64_t cols) {
  std::vector<std::int64_t> rs{0, rows};
  std::vector<std::int64_t> cs{0, cols};
  for (const Rect& r : rects) {
    if (r.r0 < 0 || r.r1 > rows || r.r0 >= r.r1 || r.c0 < 0 || r.c1 > cols || r.c0 >= r.c1) {
      return false;
    }
    rs.insert(rs.end(), {r.r0, r.r1});
    cs.insert(cs.end(), {r.c0, r.c1});
  }
  for (auto* v : {&rs, &cs}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  auto at = [](const std::vector<std::int64_t>& v, std::int64_t x) {
    return std::size_t(std::lower_bound(v.begin(), v.end(), x) - v.begin());
  };
  const std::size_t width = cs.size() - 1;
  std::vector<int> count((rs.size() - 1) * width, 0);
  for (const Rect& r : rects) {
    for (std::size_t i = at(rs, r.r0); i < at(rs, r.r1); ++i) {
      for (std::size_t j = at(cs, r.c0); j < at(cs, r.c1); ++j) ++count[i * width + j];
    }
  }
  return std::all_of(count.begin(), count.end(), [](int k) { return k == 1; });
}

inline bool overlap(const Rect& a, const Rect& b) {
  return a.r0 < b.r1 && b.r0 < a.r1 && a.c0 < b.c1 && b.c0 < a.c1;
}

// A plan's tiles, each checked to lie OU-aligned inside its crossbar's
// usable columns, gathered two ways: per weight copy (layer, matrix,
// replica, bit group) as rectangles of the weight matrix, and per crossbar
// of each round (round, PE, crossbar: each round programs them anew).
struct TileLayout {
  std::map<std::tuple<int, std::int64_t, int, int>, std::vector<Rect>> copies;
  std::map<std::tuple<int, int, int>, std::vector<int>> crossbars;
};
inline TileLayout tile_layout(const mapping::MappingPlan& plan, const arch::ArchConfig& arch) {
  const std::int64_t wc = arch.weight_columns();
  const std::int64_t usable = arch.crossbar.cols - arch.reference_columns();
  TileLayout layout;
  for (std::size_t i = 0; i < plan.tiles.size(); ++i) {
    const mapping::CrossbarTile& t = plan.tiles[i];
    REQUIRE(t.pe >= 0);
    REQUIRE(t.pe < arch.chip.pes());
    REQUIRE(t.crossbar >= 0);
    REQUIRE(t.crossbar < arch.pe.crossbars());
    REQUIRE(t.xbar_row % arch.crossbar.ou.rows == 0);
    REQUIRE(t.xbar_col % arch.crossbar.ou.cols == 0);
    REQUIRE(t.xbar_row + t.rows <= arch.crossbar.rows);
    REQUIRE(t.xbar_col + t.cols * wc <= usable);
    layout.copies[{t.layer, t.matrix, t.replica, t.bit_group}].push_back(
        {t.row_begin, t.row_begin + t.rows, t.col_begin, t.col_begin + t.cols});
    layout.crossbars[{mapping::tile_round(plan, t), t.pe, t.crossbar}].push_back(int(i));
  }
  return layout;
}

// Per crossbar of each round, no two of its blocks overlap; counted over
// them all, independently of the mapper: the weight cells, the reference
// cells (each crossbar's reference columns over the union of the rows its
// blocks occupy) and the crossbars holding blocks of more than one layer.
// Checks the plan's own counts against them, and its PEs used.
inline void check_crossbar_use(const mapping::MappingPlan& plan, const arch::ArchConfig& arch,
                               const TileLayout& layout) {
  const std::int64_t wc = arch.weight_columns();
  std::int64_t cells = 0;
  std::int64_t reference = 0;
  std::int64_t shared = 0;
  for (const auto& [slot, tiles] : layout.crossbars) {
    std::vector<Rect> regions;
    std::vector<bool> row_used(std::size_t(arch.crossbar.rows), false);
    std::set<int> layers;
    for (int i : tiles) {
      const mapping::CrossbarTile& t = plan.tiles[std::size_t(i)];
      regions.push_back({t.xbar_row, t.xbar_row + t.rows, t.xbar_col, t.xbar_col + t.cols * wc});
      for (std::int64_t r = t.xbar_row; r < t.xbar_row + t.rows; ++r) {
        row_used[std::size_t(r)] = true;
      }
      layers.insert(t.layer);
      cells += t.rows * t.cols * wc;
    }
    for (std::size_t a = 0; a < regions.size(); ++a) {
      for (std::size_t b = a + 1; b < regions.size(); ++b) {
        INFO("round " << std::get<0>(slot) << " PE " << std::get<1>(slot) << " crossbar "
                      << std::get<2>(slot));
        REQUIRE_FALSE(overlap(regions[a], regions[b]));
      }
    }
    reference += arch.reference_columns() * std::count(row_used.begin(), row_used.end(), true);
    if (layers.size() > 1) ++shared;
  }
  CHECK(mapping::programmed_crossbars(plan) == std::int64_t(layout.crossbars.size()));
  CHECK(plan.shared_crossbars == shared);
  CHECK(plan.reference_cells == reference);
  CHECK(plan.cells_used == cells + reference);
  std::set<int> pes;
  for (const mapping::LayerPlan& lp : plan.layers) pes.insert(lp.pes.begin(), lp.pes.end());
  CHECK(plan.pes_used == int(pes.size()));
}

inline workloads::Network net(const std::string& name) {
  return workloads::load_network(std::string(RERAMSIM_SOURCE_DIR) + "/workloads/networks/" + name +
                                 ".yaml");
}

}  // namespace reramsim::test
