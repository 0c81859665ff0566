#include "reramsim/hw/conv_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace reramsim::hw {

using workloads::Layer;
using workloads::LayerType;
using workloads::Tensor;

namespace {
constexpr const char* kMsgId = "reramsim/conv_buffer";
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
}  // namespace

std::int64_t window_read_accesses(const arch::ArchConfig& arch, const Layer& layer,
                                  std::int64_t rows, bool follows) {
  const std::int64_t per_access = arch.pe.conv_buffer_read_values;
  if (layer.type != LayerType::conv) return ceil_div(rows, per_access);
  // The tile's rows spread over the kernel's S columns; a window reads
  // ceil(rows / S) values per column.
  const std::int64_t columns = layer.kernel_w;
  const std::int64_t per_column = ceil_div(rows, columns);
  const std::int64_t stride = layer.stride_w;
  const std::int64_t new_columns =
      arch.pe.input_reuse && follows ? std::min(stride, columns) : columns;
  const std::int64_t parallel = arch.pe.stride_parallel_read ? stride : 1;
  return ceil_div(new_columns, parallel) * ceil_div(per_column, per_access);
}

std::int64_t pipelined_cycles(const std::vector<std::int64_t>& reads, std::int64_t mvm_cycles,
                              int conv_buffers) {
  std::int64_t total = 0;
  if (conv_buffers >= 2) {
    if (reads.empty()) return 0;
    total = reads.front();
    for (std::size_t v = 0; v < reads.size(); ++v) {
      const std::int64_t next = v + 1 < reads.size() ? reads[v + 1] : 0;
      total += std::max(mvm_cycles, next);
    }
  } else {
    for (std::int64_t r : reads) total += r + mvm_cycles;
  }
  return total;
}

ConvBuffer::ConvBuffer(sc_core::sc_module_name name, RunContext& context)
    : sc_module(name), read_socket("read_socket"), m_context(context) {
  read_socket.register_b_transport(this, &ConvBuffer::b_transport);
  read_socket.register_transport_dbg(this, &ConvBuffer::transport_dbg);
}

void ConvBuffer::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  Img2colExtension* req = nullptr;
  payload.get_extension(req);
  if (req == nullptr || req->layer == nullptr || req->input == nullptr) {
    SC_REPORT_ERROR(kMsgId, "img2col request without its extension");
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const Layer& layer = *req->layer;
  const Tensor& input = *req->input;
  m_last_input = &input;
  const std::int64_t rows = req->rows;
  std::vector<std::int32_t>& out = *req->vectors;
  std::vector<std::int64_t>& reads = *req->read_cycles;
  const std::int64_t read_latency = m_context.arch.latency.buffer_read;

  if (layer.type == LayerType::fc) {
    out.assign(input.data.begin() + req->row_begin, input.data.begin() + req->row_begin + rows);
    reads.assign(1, window_read_accesses(m_context.arch, layer, rows, false) * read_latency);
  } else {
    // conv: one vector per output position over the group's channels;
    // local: the single window of position `matrix`.
    const int C = input.shape.c;
    const int cg = layer.type == LayerType::conv ? C / layer.groups : C;
    const int c0 = layer.type == LayerType::conv ? int(req->matrix) * cg : 0;
    const std::int64_t all =
        layer.type == LayerType::conv ? std::int64_t(layer.out.h) * layer.out.w : 1;
    const std::int64_t first = layer.type == LayerType::conv ? req->vector_begin : 0;
    const std::int64_t vectors =
        layer.type == LayerType::conv && req->vector_count >= 0 ? req->vector_count : all;
    // Every value is written below (a copy or a padding zero), so the
    // buffer, reused part after part, is not cleared first.
    out.resize(std::size_t(vectors * rows));
    reads.resize(std::size_t(vectors));
    const std::int64_t full =
        window_read_accesses(m_context.arch, layer, rows, false) * read_latency;
    const std::int64_t reused =
        window_read_accesses(m_context.arch, layer, rows, true) * read_latency;
    // The tile's rows, (r * S + s) * cg + c, as runs of consecutive channels
    // at one kernel offset (r, s): each run is one contiguous copy from the
    // input (channels are innermost), or zeros in the padding.
    struct Run {
      int r, s, c;
      std::int64_t k, n;
    };
    std::vector<Run> runs;
    for (std::int64_t k = 0; k < rows;) {
      const std::int64_t row = req->row_begin + k;
      const int c = int(row % cg);
      const std::int64_t rs = row / cg;
      const std::int64_t n = std::min<std::int64_t>(cg - c, rows - k);
      runs.push_back({int(rs / layer.kernel_w), int(rs % layer.kernel_w), c, k, n});
      k += n;
    }
    for (std::int64_t v = 0; v < vectors; ++v) {
      const std::int64_t position = layer.type == LayerType::conv ? first + v : req->matrix;
      const int oy = int(position / layer.out.w);
      const int ox = int(position % layer.out.w);
      reads[std::size_t(v)] = layer.type == LayerType::conv && ox > 0 ? reused : full;
      std::int32_t* column = out.data() + v * rows;
      for (const Run& run : runs) {
        const int y = oy * layer.stride_h - layer.pad_h + run.r;
        const int x = ox * layer.stride_w - layer.pad_w + run.s;
        if (y < 0 || y >= input.shape.h || x < 0 || x >= input.shape.w) {  // zero padding
          std::memset(column + run.k, 0, std::size_t(run.n) * sizeof(std::int32_t));
          continue;
        }
        std::memcpy(column + run.k,
                    input.data.data() + (std::size_t(y) * input.shape.w + x) * C + c0 + run.c,
                    std::size_t(run.n) * sizeof(std::int32_t));
      }
    }
  }
  m_context.counts.buffer_reads += std::int64_t(out.size());
  delay += m_context.period * double(reads.front());
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int ConvBuffer::transport_dbg(tlm::tlm_generic_payload& payload) {
  // Debug reads return the held input tensor's values as int32 bytes.
  if (payload.get_command() != tlm::TLM_READ_COMMAND || m_last_input == nullptr) return 0;
  const std::size_t total = m_last_input->data.size() * sizeof(std::int32_t);
  const std::size_t offset = std::size_t(payload.get_address());
  if (offset >= total) return 0;
  const std::size_t length = std::min<std::size_t>(payload.get_data_length(), total - offset);
  std::memcpy(payload.get_data_ptr(),
              reinterpret_cast<const unsigned char*>(m_last_input->data.data()) + offset, length);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
  return unsigned(length);
}

}  // namespace reramsim::hw
