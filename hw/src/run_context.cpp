#include "reramsim/hw/run_context.hpp"

namespace reramsim::hw {

void place_activations(workloads::Tensor& tensor, const ActivationData& data) {
  const GroupValues& v = *data.values;
  const std::int64_t C = tensor.shape.c;
  const std::int64_t base = (std::int64_t(data.row) * tensor.shape.w + data.x_begin) * C;
  for (std::int64_t x = 0; x < v.vectors; ++x) {
    std::int32_t* position = tensor.data.data() + base + x * C;
    const std::int64_t* column = v.values.data() + x * v.cols;
    if (data.channels == nullptr) {
      for (std::int64_t c = 0; c < v.cols; ++c) position[c] = std::int32_t(column[c]);
    } else {
      for (std::int64_t c = 0; c < v.cols; ++c) {
        position[(*data.channels)[std::size_t(c)]] = std::int32_t(column[c]);
      }
    }
  }
}

}  // namespace reramsim::hw
