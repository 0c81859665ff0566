// Shipped configs and networks by name, for the mapping tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>
#include <string>

#include "reramsim/arch/arch_config.hpp"
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

inline workloads::Network net(const std::string& name) {
  return workloads::load_network(std::string(RERAMSIM_SOURCE_DIR) + "/workloads/networks/" + name +
                                 ".yaml");
}

}  // namespace reramsim::test
