#include "sim/ref/reference.hpp"

#include <algorithm>
#include <climits>
#include <thread>

#include "sim/util/error.hpp"
#include "sim/util/kernels.hpp"

namespace trine::ref {

using net::Layer;
using net::LayerKind;

int64_t saturate(int64_t v, int bits, bool is_signed) {
  const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
  const int64_t hi = is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
  return std::clamp(v, lo, hi);
}

Requantizer::Requantizer(const Layer& l, int64_t channel)
    : q_{-(int64_t{1} << (l.acc_bits - 1)),
         (int64_t{1} << (l.acc_bits - 1)) - 1,
         l.requant.multiplier_for(channel),
         l.requant.shift > 0 ? int64_t{1} << (l.requant.shift - 1) : 0,
         l.relu ? 0 : -(int64_t{1} << (l.out_bits - 1)),
         l.relu ? (int64_t{1} << l.out_bits) - 1 : (int64_t{1} << (l.out_bits - 1)) - 1,
         static_cast<int>(l.requant.shift)},
      narrow_(l.acc_bits <= 32 && q_.multiplier >= INT32_MIN && q_.multiplier <= INT32_MAX) {}

int32_t Requantizer::wide(int64_t a) const {
  // acc (48 bits) times a multiplier (31 bits) can need more than 64 bits.
  __extension__ typedef __int128 wide_t;
  const wide_t shifted = (static_cast<wide_t>(a) * q_.multiplier + q_.half) >> q_.shift;
  return static_cast<int32_t>(std::clamp<wide_t>(shifted, q_.out_lo, q_.out_hi));
}

int32_t requantize(int64_t acc, const Layer& l, int64_t channel) {
  return Requantizer(l, channel)(acc);
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

Reference::Reference(const net::Network& n)
    : net_(n),
      types_(net::infer_types(n, n.name)),
      graph_(net::input_indices(n, n.name)),
      chain_(net::is_chain(n)),
      kernels_(n.layers.size()) {
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const Layer& l = n.layers[i];
    if (!l.is_compute()) continue;
    detail::Kernel& k = kernels_[i];
    k.weights = l.weights.decode();
    const int from = graph_[i].front();
    const net::TensorType in =
        from < 0 ? net::input_type(n.input) : types_[static_cast<size_t>(from)];
    int64_t max_w = 0;
    for (int8_t v : k.weights.values) max_w = std::max<int64_t>(max_w, v < 0 ? -v : v);
    const int64_t max_x = (int64_t{1} << in.bits) - 1;
    k.narrow = static_cast<double>(max_w) * max_x * k.weights.cols < 2147483647.0;
    if (l.kind != LayerKind::Conv2d) continue;
    // A grouped convolution's channel o reads its group's input channels: the weight column's
    // channel c is input channel first + c.
    const int64_t group_in = l.in_channels / l.groups, group_out = l.out_channels / l.groups;
    for (int64_t o = 0; o < l.out_channels; ++o) {
      k.tap_begin.push_back(k.taps.size());
      const int64_t first = o / group_out * group_in;
      for (int64_t c = 0; c < group_in; ++c)
        for (int64_t ky = 0; ky < l.kernel_h; ++ky)
          for (int64_t kx = 0; kx < l.kernel_w; ++kx)
            if (const int8_t w = k.weights.at(o, (c * l.kernel_h + ky) * l.kernel_w + kx))
              k.taps.push_back({w, static_cast<int32_t>(first + c), static_cast<int32_t>(ky),
                                static_cast<int32_t>(kx)});
    }
    k.tap_begin.push_back(k.taps.size());
  }
}

void Reference::input(const uint8_t* pixels, Tensor& t) const {
  t.type = net::input_type(net_.input);
  t.data.resize(static_cast<size_t>(t.type.size()));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = pixels[i] >> net_.input.shift;
}

namespace {

// Accumulator type chosen per layer: int32 when no sum can overflow it (twice the lanes),
// else int64.
// `raw`, when given, receives the accumulators (bias added) instead of `out` the requantized
// values (calibration reads them).
template <class Acc>
void dense(const Layer& l, const net::WeightMatrix& w, const Tensor& in, Tensor& out,
           int64_t* raw) {
  const int32_t* x = in.data.data();
  for (int64_t o = 0; o < w.rows; ++o) {
    const int8_t* row = w.values.data() + o * w.cols;
    const Acc acc = kernels::dot<Acc>(row, x, w.cols);
    const int64_t total = static_cast<int64_t>(acc) + (l.bias.empty() ? 0 : l.bias[o]);
    if (raw)
      raw[o] = total;
    else
      out.data[o] = Requantizer(l, o)(total);
  }
}

}  // namespace

std::pair<int64_t, int64_t> valid_outputs(int64_t n, int64_t stride, int64_t pad, int64_t k,
                                          int64_t size) {
  const int64_t first = pad - k;  // i * stride >= first
  const int64_t lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  const int64_t last = size - 1 + pad - k;  // i * stride <= last
  const int64_t hi = last < 0 ? 0 : std::min(n, last / stride + 1);
  return {std::min(lo, hi), hi};
}

namespace {

// Each nonzero weight adds its shifted input plane into the output channel's accumulators, so
// the inner loops are long and contiguous and vectorize.
// Stride 1: the input is padded once, and the accumulator plane is as wide as the padded input
// (the columns past the output width are never read), so one tap is a single run over
// (OH - 1) x padded width + OW values.
template <class Acc>
void conv_stride1(const Layer& l, const detail::Kernel& k, const Tensor& in, Tensor& out,
                  int64_t* raw) {
  const int64_t H = in.type.height, W = in.type.width;
  const int64_t OH = out.type.height, OW = out.type.width;
  const int64_t PH = H + 2 * l.pad_h, PW = W + 2 * l.pad_w;
  std::vector<int32_t> padded(static_cast<size_t>(in.type.channels * PH * PW), 0);
  for (int64_t c = 0; c < in.type.channels; ++c)
    for (int64_t y = 0; y < H; ++y)
      std::copy_n(in.data.data() + (c * H + y) * W, W,
                  padded.data() + (c * PH + y + l.pad_h) * PW + l.pad_w);
  const int64_t run = (OH - 1) * PW + OW;
  std::vector<Acc> acc(static_cast<size_t>(OH * PW));
  for (int64_t o = 0; o < l.out_channels; ++o) {
    std::fill(acc.begin(), acc.end(), Acc{0});
    for (size_t t = k.tap_begin[o]; t < k.tap_begin[o + 1]; ++t) {
      const detail::Kernel::Tap& tap = k.taps[t];
      const int32_t* src = padded.data() + (tap.channel * PH + tap.ky) * PW + tap.kx;
      kernels::add_scaled<Acc, int32_t>(acc.data(), src, tap.weight, run);
    }
    const int64_t bias = l.bias.empty() ? 0 : l.bias[o];
    if (raw) {
      for (int64_t r = 0; r < OH; ++r)
        for (int64_t c = 0; c < OW; ++c) raw[(o * OH + r) * OW + c] = acc[r * PW + c] + bias;
      continue;
    }
    const Requantizer requantize(l, o);
    int32_t* y = out.data.data() + o * OH * OW;
    for (int64_t r = 0; r < OH; ++r) requantize.run(acc.data() + r * PW, bias, y + r * OW, OW);
  }
}

// Any stride: rows of outputs, padding as clipped ranges.
template <class Acc>
void conv(const Layer& l, const detail::Kernel& k, const Tensor& in, Tensor& out, int64_t* raw) {
  if (l.stride_h == 1 && l.stride_w == 1) return conv_stride1<Acc>(l, k, in, out, raw);
  const int64_t H = in.type.height, W = in.type.width;
  const int64_t OH = out.type.height, OW = out.type.width;
  const int64_t sh = l.stride_h, sw = l.stride_w;
  const int32_t* x = in.data.data();
  std::vector<Acc> acc(static_cast<size_t>(OH * OW));
  for (int64_t o = 0; o < l.out_channels; ++o) {
    std::fill(acc.begin(), acc.end(), Acc{0});
    for (size_t t = k.tap_begin[o]; t < k.tap_begin[o + 1]; ++t) {
      const detail::Kernel::Tap& tap = k.taps[t];
      const auto [y0, y1] = valid_outputs(OH, sh, l.pad_h, tap.ky, H);
      const auto [x0, x1] = valid_outputs(OW, sw, l.pad_w, tap.kx, W);
      const Acc w = tap.weight;
      for (int64_t y = y0; y < y1; ++y) {
        const int32_t* src =
            x + (tap.channel * H + y * sh - l.pad_h + tap.ky) * W - l.pad_w + tap.kx;
        kernels::add_scaled_strided<Acc>(acc.data() + y * OW + x0, src + x0 * sw, sw, w, x1 - x0);
      }
    }
    const int64_t bias = l.bias.empty() ? 0 : l.bias[o];
    if (raw)
      for (int64_t e = 0; e < OH * OW; ++e) raw[o * OH * OW + e] = acc[e] + bias;
    else
      Requantizer(l, o).run(acc.data(), bias, out.data.data() + o * OH * OW, OH * OW);
  }
}

// A window clipped to the input: max takes the values inside, average divides their sum by the
// whole window (padding counts as zeros, PyTorch's count_include_pad).
void pool(const Layer& l, const Tensor& in, Tensor& out) {
  const int64_t H = in.type.height, W = in.type.width;
  const int64_t OH = out.type.height, OW = out.type.width, KH = l.kernel_h, KW = l.kernel_w;
  const bool max = l.kind == LayerKind::MaxPool;
  int32_t* y = out.data.data();
  for (int64_t c = 0; c < in.type.channels; ++c)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const int64_t top = oy * l.stride_h - l.pad_h, left = ox * l.stride_w - l.pad_w;
        const int64_t y0 = std::max<int64_t>(top, 0), y1 = std::min(top + KH, H);
        const int64_t x0 = std::max<int64_t>(left, 0), x1 = std::min(left + KW, W);
        int64_t best = INT64_MIN, sum = 0;
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) {
            const int64_t v = in.data[static_cast<size_t>((c * H + iy) * W + ix)];
            best = std::max(best, v);
            sum += v;
          }
        *y++ = max ? static_cast<int32_t>(best) : average(sum, KH * KW);
      }
}

// docs/arithmetic.md: each input rescaled with a rounding shift, summed exactly (128 bits:
// the terms are below 2^62), saturated to the output's range.
void add(const Layer& l, const std::vector<const Tensor*>& ins, Tensor& out) {
  __extension__ typedef __int128 Sum;
  const int64_t lo = l.relu ? 0 : -(int64_t{1} << (l.out_bits - 1));
  const int64_t hi = l.relu ? (int64_t{1} << l.out_bits) - 1 : (int64_t{1} << (l.out_bits - 1)) - 1;
  for (size_t e = 0; e < out.data.size(); ++e) {
    Sum sum = 0;
    for (size_t k = 0; k < ins.size(); ++k) {
      const net::Requant& q = l.scales[k];
      const int64_t half = q.shift > 0 ? int64_t{1} << (q.shift - 1) : 0;
      sum += (static_cast<int64_t>(ins[k]->data[e]) * q.multiplier + half) >> q.shift;
    }
    out.data[e] = static_cast<int32_t>(sum < lo ? lo : sum > hi ? hi : sum);
  }
}

// out(c, y, x) = in(c, y + dy_c, x + dx_c), zero outside: data movement only.
void shift(const Layer& l, const Tensor& in, Tensor& out) {
  const int64_t H = in.type.height, W = in.type.width;
  for (int64_t c = 0; c < in.type.channels; ++c) {
    const auto [dy, dx] = l.offsets[static_cast<size_t>(c)];
    const auto [y0, y1] = valid_outputs(H, 1, -dy, 0, H);
    const auto [x0, x1] = valid_outputs(W, 1, -dx, 0, W);
    int32_t* plane = out.data.data() + c * H * W;
    std::fill(plane, plane + H * W, 0);
    for (int64_t y = y0; y < y1; ++y)
      std::copy_n(in.data.data() + (c * H + y + dy) * W + x0 + dx, x1 - x0, plane + y * W + x0);
  }
}

void concat(const std::vector<const Tensor*>& ins, Tensor& out) {
  size_t at = 0;
  for (const Tensor* t : ins) {
    std::copy(t->data.begin(), t->data.end(), out.data.begin() + static_cast<long>(at));
    at += t->data.size();
  }
}

void global_average(const Tensor& in, Tensor& out) {
  const int64_t plane = in.type.height * in.type.width;
  for (int64_t c = 0; c < in.type.channels; ++c) {
    int64_t sum = 0;
    for (int64_t p = 0; p < plane; ++p) sum += in.data[static_cast<size_t>(c * plane + p)];
    out.data[static_cast<size_t>(c)] = average(sum, plane);
  }
}

}  // namespace

Tensor Reference::layer(size_t i, const Tensor& in) const {
  return layer(i, std::vector<const Tensor*>{&in});
}

Tensor Reference::layer(size_t i, const std::vector<const Tensor*>& ins) const {
  const Layer& l = net_.layers[i];
  const Tensor& in = *ins.front();
  Tensor out{types_[i], {}};
  out.data.resize(static_cast<size_t>(out.type.size()));
  switch (l.kind) {
    case LayerKind::Dense:
    case LayerKind::Conv2d:
      compute(i, in, out, nullptr);
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
    case LayerKind::Add:
      add(l, ins, out);
      break;
    case LayerKind::Concat:
      concat(ins, out);
      break;
    case LayerKind::GlobalAvgPool:
      global_average(in, out);
      break;
    case LayerKind::Shift:
      shift(l, in, out);
      break;
    case LayerKind::Input:
      net::repeat_image(in.data, out.data);
      break;
  }
  return out;
}

void Reference::compute(size_t i, const Tensor& in, Tensor& out, int64_t* raw) const {
  const Layer& l = net_.layers[i];
  const detail::Kernel& k = kernels_[i];
  if (l.kind == LayerKind::Dense) {
    if (k.narrow)
      dense<int32_t>(l, k.weights, in, out, raw);
    else
      dense<int64_t>(l, k.weights, in, out, raw);
  } else if (k.narrow) {
    conv<int32_t>(l, k, in, out, raw);
  } else {
    conv<int64_t>(l, k, in, out, raw);
  }
}

std::vector<int64_t> Reference::accumulators(size_t i, const Tensor& in) const {
  TRINE_ASSERT(net_.layers[i].is_compute(), "accumulators of a compute layer");
  std::vector<int64_t> raw(static_cast<size_t>(types_[i].size()));
  Tensor unused{types_[i], {}};
  compute(i, in, unused, raw.data());
  return raw;
}

std::vector<Tensor> Reference::run_all(const uint8_t* pixels) const {
  std::vector<Tensor> outs;
  outs.reserve(net_.layers.size());
  const Tensor image = input(pixels);
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    std::vector<const Tensor*> ins;
    for (int k : graph_[i]) ins.push_back(k < 0 ? &image : &outs[static_cast<size_t>(k)]);
    outs.push_back(layer(i, ins));
  }
  return outs;
}

Tensor Reference::run(const uint8_t* pixels) const {
  if (!chain_) return std::move(run_all(pixels).back());
  Tensor t = input(pixels);
  for (size_t i = 0; i < net_.layers.size(); ++i) t = layer(i, t);
  return t;
}

Evaluation evaluate(const net::Network& n, const data::Dataset& d, int threads) {
  const net::InputSpec& in = n.input;
  if (in.channels != d.channels || in.height != d.height || in.width != d.width)
    throw InputError("network '" + n.name + "' takes " + std::to_string(in.channels) + "x" +
                     std::to_string(in.height) + "x" + std::to_string(in.width) +
                     " images; the data set's are " + d.shape());
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
