#include "models/accel/vector_unit.hpp"

#include <algorithm>
#include <climits>

namespace trine::models::accel {

namespace {

void shape(ref::Tensor& out, const net::TensorType& type) {
  out.type = type;
  out.data.resize(static_cast<size_t>(type.size()));  // every value is written by the caller
}

}  // namespace

void pool(const net::Layer& l, const ref::Tensor& in, const net::TensorType& type,
          ref::Tensor& out) {
  // The vector unit: one lane per output column of a row; each cycle every lane takes the
  // same window element (a compare for max, an add for average). A lane whose element lies in
  // the padding is masked: it keeps its maximum, or adds zero.
  shape(out, type);
  const int64_t H = in.type.height, W = in.type.width, OW = type.width, sw = l.stride_w;
  const bool max = l.kind == net::LayerKind::MaxPool;
  std::vector<int32_t> best(static_cast<size_t>(OW));
  std::vector<int64_t> sum(static_cast<size_t>(OW));
  for (int64_t c = 0; c < type.channels; ++c)
    for (int64_t y = 0; y < type.height; ++y) {
      std::fill(best.begin(), best.end(), INT32_MIN);
      std::fill(sum.begin(), sum.end(), 0);
      for (int64_t ky = 0; ky < l.kernel_h; ++ky) {
        const int64_t iy = y * l.stride_h - l.pad_h + ky;
        if (iy < 0 || iy >= H) continue;
        const int32_t* row = in.data.data() + (c * H + iy) * W;
        for (int64_t kx = 0; kx < l.kernel_w; ++kx) {
          // Lanes [x0, x1) read inside the row (ref::valid_outputs: the padding's geometry).
          const auto [x0, x1] = ref::valid_outputs(OW, sw, l.pad_w, kx, W);
          for (int64_t x = x0; x < x1; ++x) {
            const int32_t v = row[x * sw - l.pad_w + kx];
            best[static_cast<size_t>(x)] = std::max(best[static_cast<size_t>(x)], v);
            sum[static_cast<size_t>(x)] += v;
          }
        }
      }
      int32_t* to = out.data.data() + (c * type.height + y) * OW;
      for (int64_t x = 0; x < OW; ++x)
        to[x] = max ? best[static_cast<size_t>(x)]
                    : ref::average(sum[static_cast<size_t>(x)], l.kernel_h * l.kernel_w);
    }
}

void add(const net::Layer& l, const std::vector<const ref::Tensor*>& ins,
         const net::TensorType& type, ref::Tensor& out) {
  __extension__ typedef __int128 Wide;
  shape(out, type);
  const size_t n = out.data.size();
  std::vector<Wide> sum(n, 0);
  // Input by input, as the lanes take one term per cycle.
  for (size_t k = 0; k < ins.size(); ++k) {
    const net::Requant& q = l.scales[k];
    const int64_t half = q.shift > 0 ? int64_t{1} << (q.shift - 1) : 0;
    const int32_t* x = ins[k]->data.data();
    for (size_t e = 0; e < n; ++e)
      sum[e] += (static_cast<int64_t>(x[e]) * q.multiplier + half) >> q.shift;
  }
  const Wide lo = l.relu ? 0 : -(Wide{1} << (l.out_bits - 1));
  const Wide hi = l.relu ? (Wide{1} << l.out_bits) - 1 : (Wide{1} << (l.out_bits - 1)) - 1;
  for (size_t e = 0; e < n; ++e) out.data[e] = static_cast<int32_t>(std::clamp(sum[e], lo, hi));
}

void concat(const std::vector<const ref::Tensor*>& ins, const net::TensorType& type,
            ref::Tensor& out) {
  shape(out, type);
  auto to = out.data.begin();
  for (const ref::Tensor* t : ins) to = std::copy(t->data.begin(), t->data.end(), to);
}

void shift(const net::Layer& l, const ref::Tensor& in, const net::TensorType& type,
           ref::Tensor& out) {
  shape(out, type);
  const int64_t H = type.height, W = type.width;
  int32_t* to = out.data.data();
  for (int64_t c = 0; c < type.channels; ++c) {
    const auto [dy, dx] = l.offsets[static_cast<size_t>(c)];
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x) {
        const int64_t sy = y + dy, sx = x + dx;
        const bool inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
        *to++ = inside ? in.data[static_cast<size_t>((c * H + sy) * W + sx)] : 0;
      }
  }
}

void global_average(const ref::Tensor& in, const net::TensorType& type, ref::Tensor& out) {
  shape(out, type);
  const int64_t plane = in.type.height * in.type.width;
  const int32_t* x = in.data.data();
  for (int64_t c = 0; c < type.channels; ++c) {
    int64_t sum = 0;
    for (int64_t p = 0; p < plane; ++p) sum += x[c * plane + p];
    out.data[static_cast<size_t>(c)] = ref::average(sum, plane);
  }
}

}  // namespace trine::models::accel
