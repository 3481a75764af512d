#include "sim/ref/reference.hpp"

#include <algorithm>
#include <thread>

#include "sim/util/error.hpp"

namespace trine::ref {

using net::Layer;
using net::LayerKind;

int64_t saturate(int64_t v, int bits, bool is_signed) {
  const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
  const int64_t hi = is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
  return std::clamp(v, lo, hi);
}

// acc (48 bits) times a multiplier (31 bits) needs more than 64 bits.
__extension__ typedef __int128 wide_t;

int32_t requantize(int64_t acc, const Layer& l, int64_t channel) {
  const wide_t a = saturate(acc, l.acc_bits, true);
  const wide_t product = a * l.requant.multiplier_for(channel);
  const int64_t s = l.requant.shift;
  const wide_t rounded = s > 0 ? (product + (wide_t{1} << (s - 1))) >> s : product;
  // Clamp before narrowing to 64 bits; the output saturation below is what counts.
  const wide_t lim = wide_t{1} << 62;
  const int64_t r = static_cast<int64_t>(std::clamp(rounded, -lim, lim));
  return static_cast<int32_t>(saturate(r, l.out_bits, !l.relu));
}

int32_t average(int64_t sum, int64_t count) {
  const int64_t num = sum + count / 2;
  int64_t q = num / count;
  if ((num % count != 0) && (num < 0)) --q;  // floor division
  return static_cast<int32_t>(q);
}

int64_t argmax(const std::vector<int32_t>& v) {
  return std::max_element(v.begin(), v.end()) - v.begin();
}

Reference::Reference(const net::Network& n) : net_(n), types_(net::infer_types(n, n.name)) {
  for (const Layer& l : n.layers)
    weights_.push_back(l.is_compute() ? l.weights.decode() : net::WeightMatrix());
}

Tensor Reference::input(const uint8_t* pixels) const {
  Tensor t{net::input_type(net_.input), {}};
  t.data.resize(static_cast<size_t>(t.type.size()));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = pixels[i] >> net_.input.shift;
  return t;
}

namespace {

// Accumulator type chosen per layer: int32 when no sum can overflow it (faster), else int64.
template <class Acc>
void dense(const Layer& l, const net::WeightMatrix& w, const Tensor& in, Tensor& out) {
  const int32_t* x = in.data.data();
  for (int64_t o = 0; o < w.rows; ++o) {
    const int8_t* row = w.values.data() + o * w.cols;
    Acc acc = 0;
    for (int64_t k = 0; k < w.cols; ++k) acc += static_cast<Acc>(row[k]) * x[k];
    const int64_t total = static_cast<int64_t>(acc) + (l.bias.empty() ? 0 : l.bias[o]);
    out.data[o] = requantize(total, l, o);
  }
}

template <class Acc>
void conv(const Layer& l, const net::WeightMatrix& w, const Tensor& in, Tensor& out) {
  const int64_t H = in.type.height, W = in.type.width;
  const int64_t OH = out.type.height, OW = out.type.width;
  const int64_t KH = l.kernel_h, KW = l.kernel_w;
  const int32_t* x = in.data.data();
  for (int64_t o = 0; o < l.out_channels; ++o) {
    const int8_t* row = w.values.data() + o * w.cols;
    for (int64_t y = 0; y < OH; ++y) {
      // The kernel rows that land inside the image (zero padding contributes nothing).
      const int64_t y0 = y * l.stride_h - l.pad_h;
      const int64_t ky0 = std::max<int64_t>(0, -y0), ky1 = std::min(KH, H - y0);
      for (int64_t xo = 0; xo < OW; ++xo) {
        const int64_t x0 = xo * l.stride_w - l.pad_w;
        const int64_t kx0 = std::max<int64_t>(0, -x0), kx1 = std::min(KW, W - x0);
        Acc acc = 0;
        for (int64_t c = 0; c < l.in_channels; ++c)
          for (int64_t ky = ky0; ky < ky1; ++ky) {
            const int8_t* wr = row + (c * KH + ky) * KW;
            const int32_t* xr = x + (c * H + y0 + ky) * W + x0;
            for (int64_t kx = kx0; kx < kx1; ++kx) acc += static_cast<Acc>(wr[kx]) * xr[kx];
          }
        const int64_t total = static_cast<int64_t>(acc) + (l.bias.empty() ? 0 : l.bias[o]);
        out.data[static_cast<size_t>((o * OH + y) * OW + xo)] = requantize(total, l, o);
      }
    }
  }
}

bool fits_int32(const net::WeightMatrix& w, const net::TensorType& in) {
  int64_t max_w = 0;
  for (int8_t v : w.values) max_w = std::max<int64_t>(max_w, v < 0 ? -v : v);
  const int64_t max_x = (int64_t{1} << in.bits) - 1;
  return static_cast<double>(max_w) * max_x * w.cols < 2147483647.0;
}

void pool(const Layer& l, const Tensor& in, Tensor& out) {
  const int64_t OH = out.type.height, OW = out.type.width;
  for (int64_t c = 0; c < in.type.channels; ++c)
    for (int64_t y = 0; y < OH; ++y)
      for (int64_t x = 0; x < OW; ++x) {
        int64_t best = INT64_MIN, sum = 0;
        for (int64_t ky = 0; ky < l.kernel_h; ++ky)
          for (int64_t kx = 0; kx < l.kernel_w; ++kx) {
            const int32_t v = in.at(c, y * l.stride_h + ky, x * l.stride_w + kx);
            best = std::max<int64_t>(best, v);
            sum += v;
          }
        out.data[static_cast<size_t>((c * OH + y) * OW + x)] =
            l.kind == LayerKind::MaxPool ? static_cast<int32_t>(best)
                                         : average(sum, l.kernel_h * l.kernel_w);
      }
}

}  // namespace

Tensor Reference::layer(size_t i, const Tensor& in) const {
  const Layer& l = net_.layers[i];
  Tensor out{types_[i], {}};
  out.data.resize(static_cast<size_t>(out.type.size()));
  const net::WeightMatrix& w = weights_[i];
  switch (l.kind) {
    case LayerKind::Dense:
      if (fits_int32(w, in.type))
        dense<int32_t>(l, w, in, out);
      else
        dense<int64_t>(l, w, in, out);
      break;
    case LayerKind::Conv2d:
      if (fits_int32(w, in.type))
        conv<int32_t>(l, w, in, out);
      else
        conv<int64_t>(l, w, in, out);
      break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
      pool(l, in, out);
      break;
    case LayerKind::Relu:
      for (size_t k = 0; k < in.data.size(); ++k) out.data[k] = std::max(in.data[k], 0);
      break;
    case LayerKind::Flatten:
      out.data = in.data;
      break;
  }
  return out;
}

std::vector<Tensor> Reference::run_all(const uint8_t* pixels) const {
  std::vector<Tensor> outs;
  Tensor t = input(pixels);
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    t = layer(i, t);
    outs.push_back(t);
  }
  return outs;
}

Tensor Reference::run(const uint8_t* pixels) const {
  Tensor t = input(pixels);
  for (size_t i = 0; i < net_.layers.size(); ++i) t = layer(i, t);
  return t;
}

Evaluation evaluate(const net::Network& n, const data::Dataset& d, int threads) {
  const net::InputSpec& in = n.input;
  if (in.channels != 1 || in.height != d.height || in.width != d.width)
    throw InputError("network '" + n.name + "' takes " + std::to_string(in.channels) + "x" +
                     std::to_string(in.height) + "x" + std::to_string(in.width) +
                     " images; the dataset has 1x" + std::to_string(d.height) + "x" +
                     std::to_string(d.width));
  Reference ref(n);
  Evaluation e;
  e.predictions.assign(static_cast<size_t>(d.count), 0);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(1, d.count)));
  // Static slices by index: each prediction lands in its own slot, so -j does not matter.
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int64_t i = t; i < d.count; i += threads) e.predictions[i] = ref.predict(d.image(i));
    });
  for (auto& th : pool) th.join();
  for (int64_t i = 0; i < d.count; ++i) e.correct += e.predictions[i] == d.labels[i];
  return e;
}

}  // namespace trine::ref
