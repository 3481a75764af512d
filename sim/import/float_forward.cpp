#include "sim/import/float_forward.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "sim/ref/reference.hpp"

namespace trine::import {

// The bin of a float's exponent and its mantissa's top five bits: 32 bins an octave, each of
// width 2^e / 32 (within 3.2 % of its lower edge), found without a logarithm.
void Range::add(double magnitude) {
  if (!std::isfinite(magnitude)) {
    ++non_finite;
    return;
  }
  if (!(magnitude > 0)) return;
  max = std::max(max, magnitude);
  ++values;
  int exponent = 0;
  const double mantissa = std::frexp(magnitude, &exponent);  // in [0.5, 1)
  const int64_t fine = static_cast<int64_t>((mantissa * 2 - 1) * kBinsPerOctave);
  const int64_t bin = (exponent - 1 + kOctaves / 2) * kBinsPerOctave + fine;
  ++bins[static_cast<size_t>(std::clamp<int64_t>(bin, 0, static_cast<int64_t>(bins.size()) - 1))];
}

void Range::merge(const Range& o) {
  max = std::max(max, o.max);
  values += o.values;
  non_finite += o.non_finite;
  for (size_t b = 0; b < bins.size(); ++b) bins[b] += o.bins[b];
}

double Range::quantile(double q) const {
  if (values == 0) return 0;
  const double wanted = q * static_cast<double>(values);
  int64_t seen = 0;
  for (size_t b = 0; b < bins.size(); ++b) {
    seen += bins[b];
    if (static_cast<double>(seen) >= wanted) {
      const int64_t octave = static_cast<int64_t>(b) / kBinsPerOctave - kOctaves / 2;
      const double fine = static_cast<double>(b % kBinsPerOctave + 1) / kBinsPerOctave;
      const double edge = std::ldexp(1 + fine, static_cast<int>(octave));
      return std::min(edge, max);
    }
  }
  return max;
}

namespace {

using Values = std::vector<float>;

float dot(const float* a, const float* b, int64_t n) {
  float sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Each output position's window as one row of `patches` (positions x cols, the weight columns'
// order), zeros in the padding; then one dot product per output value.
void conv(const FloatLayer& l, const Shape& in_shape, const float* in, float* out) {
  const int64_t H = in_shape.height, W = in_shape.width, OH = l.out.height, OW = l.out.width;
  const int64_t per_group = l.in_channels / l.groups, outs_per_group = l.out_channels / l.groups;
  const int64_t cols = l.cols(), positions = OH * OW;
  std::vector<float> patches(static_cast<size_t>(positions * cols));
  for (int64_t g = 0; g < l.groups; ++g) {
    for (int64_t y = 0; y < OH; ++y)
      for (int64_t x = 0; x < OW; ++x) {
        float* row = patches.data() + (y * OW + x) * cols;
        for (int64_t c = 0; c < per_group; ++c)
          for (int64_t ky = 0; ky < l.kernel_h; ++ky) {
            const int64_t iy = y * l.stride_h - l.pad_h + ky;
            for (int64_t kx = 0; kx < l.kernel_w; ++kx) {
              const int64_t ix = x * l.stride_w - l.pad_w + kx;
              *row++ = iy < 0 || iy >= H || ix < 0 || ix >= W
                           ? 0.0f
                           : in[((g * per_group + c) * H + iy) * W + ix];
            }
          }
      }
    for (int64_t o = g * outs_per_group; o < (g + 1) * outs_per_group; ++o) {
      const float* w = l.weights.data() + o * cols;
      const float b = l.bias.empty() ? 0.0f : l.bias[static_cast<size_t>(o)];
      for (int64_t p = 0; p < positions; ++p)
        out[o * positions + p] = b + dot(w, patches.data() + p * cols, cols);
    }
  }
}

void dense(const FloatLayer& l, const float* in, float* out) {
  for (int64_t o = 0; o < l.out_channels; ++o)
    out[o] = dot(l.weights.data() + o * l.in_channels, in, l.in_channels) +
             (l.bias.empty() ? 0.0f : l.bias[static_cast<size_t>(o)]);
}

// Max over the window's values inside the input; average over the whole window.
void pool(const FloatLayer& l, const Shape& in_shape, const float* in, float* out) {
  const int64_t H = in_shape.height, W = in_shape.width;
  const bool max = l.kind == net::LayerKind::MaxPool;
  for (int64_t c = 0; c < l.out.channels; ++c)
    for (int64_t oy = 0; oy < l.out.height; ++oy)
      for (int64_t ox = 0; ox < l.out.width; ++ox) {
        const int64_t top = oy * l.stride_h - l.pad_h, left = ox * l.stride_w - l.pad_w;
        float best = -INFINITY, sum = 0;
        for (int64_t y = std::max<int64_t>(top, 0); y < std::min(top + l.kernel_h, H); ++y)
          for (int64_t x = std::max<int64_t>(left, 0); x < std::min(left + l.kernel_w, W); ++x) {
            const float v = in[(c * H + y) * W + x];
            best = std::max(best, v);
            sum += v;
          }
        *out++ = max ? best : sum / static_cast<float>(l.kernel_h * l.kernel_w);
      }
}

void global_average(const Shape& in_shape, const float* in, float* out) {
  const int64_t plane = in_shape.height * in_shape.width;
  for (int64_t c = 0; c < in_shape.channels; ++c) {
    double sum = 0;
    for (int64_t e = 0; e < plane; ++e) sum += in[c * plane + e];
    out[c] = static_cast<float>(sum / static_cast<double>(plane));
  }
}

// A QDQ pair's arithmetic: (saturate(round_half_even(x / s) + z) - z) x s, uint8 or int8.
void fake_quantize(const FloatLayer::Fixed& f, std::vector<float>& v) {
  const bool int8 = f.type == 3;  // onnx::TensorProto::INT8
  const double lo = int8 ? -128 : 0, hi = int8 ? 127 : 255;
  for (float& x : v)
    x = static_cast<float>(
        (std::clamp(std::nearbyint(x / f.scale) + f.zero_point, lo, hi) - f.zero_point) * f.scale);
}

// One layer's output from its inputs' (`shapes` theirs).
void layer(const FloatLayer& l, const std::vector<const Values*>& ins,
           const std::vector<Shape>& shapes, Values& out) {
  out.assign(static_cast<size_t>(l.out.size()), 0.0f);
  const float* x = ins.front()->data();
  switch (l.kind) {
    case net::LayerKind::Conv2d:
      conv(l, shapes.front(), x, out.data());
      break;
    case net::LayerKind::Dense:
      dense(l, x, out.data());
      break;
    case net::LayerKind::MaxPool:
    case net::LayerKind::AvgPool:
      pool(l, shapes.front(), x, out.data());
      break;
    case net::LayerKind::GlobalAvgPool:
      global_average(shapes.front(), x, out.data());
      break;
    case net::LayerKind::Add:
      for (const Values* v : ins)
        for (size_t e = 0; e < out.size(); ++e) out[e] += (*v)[e];
      break;
    case net::LayerKind::Concat: {
      size_t at = 0;
      for (const Values* v : ins) {
        std::copy(v->begin(), v->end(), out.begin() + static_cast<long>(at));
        at += v->size();
      }
      break;
    }
    case net::LayerKind::Relu:
      for (size_t e = 0; e < out.size(); ++e) out[e] = std::max(x[e], 0.0f);
      break;
    default:  // Flatten: the same values
      std::copy(x, x + out.size(), out.begin());
      break;
  }
  if (l.relu)
    for (float& v : out) v = std::min(std::max(v, 0.0f), l.cap);
  if (l.fixed.scale > 0) fake_quantize(l.fixed, out);
}

Values image(const FloatNet& n, const uint8_t* pixels) {
  Values x(static_cast<size_t>(n.input.size()));
  const int64_t plane = n.input.height * n.input.width;
  for (int64_t c = 0; c < n.input.channels; ++c) {
    const float mean = n.norm.identity() ? 0.0f : n.norm.mean[static_cast<size_t>(c)];
    const float sd = n.norm.identity() ? 1.0f : n.norm.std[static_cast<size_t>(c)];
    for (int64_t e = 0; e < plane; ++e)
      x[static_cast<size_t>(c * plane + e)] = (pixels[c * plane + e] / 255.0f - mean) / sd;
  }
  if (n.input_fixed.scale > 0) fake_quantize(n.input_fixed, x);
  return x;
}

// Runs one image, calling visit(i, outputs) after layer i; keeps each output only while a later
// layer reads it unless `keep`. Returns the last layer's output.
template <class Visit>
Values forward(const FloatNet& n, const uint8_t* pixels, Visit visit, bool keep) {
  std::vector<size_t> last_use(n.layers.size(), 0);
  for (size_t i = 0; i < n.layers.size(); ++i)
    for (int k : n.layers[i].inputs)
      if (k >= 0) last_use[static_cast<size_t>(k)] = i;
  const Values x = image(n, pixels);
  std::vector<Values> outs(n.layers.size());
  for (size_t i = 0; i < n.layers.size(); ++i) {
    std::vector<const Values*> ins;
    std::vector<Shape> shapes;
    for (int k : n.layers[i].inputs) {
      ins.push_back(k < 0 ? &x : &outs[static_cast<size_t>(k)]);
      shapes.push_back(k < 0 ? n.input : n.layers[static_cast<size_t>(k)].out);
    }
    layer(n.layers[i], ins, shapes, outs[i]);
    visit(i, outs[i]);
    if (!keep)
      for (int k : n.layers[i].inputs)
        if (k >= 0 && last_use[static_cast<size_t>(k)] == i)
          Values().swap(outs[static_cast<size_t>(k)]);
  }
  return outs.back();
}

int64_t argmax(const Values& v) {
  return std::max_element(v.begin(), v.end()) - v.begin();  // the first of equals
}

}  // namespace

FloatRun run_float(const FloatNet& n, const data::Dataset& d, int threads, bool ranges) {
  const int used = static_cast<int>(
      std::min<int64_t>(std::max<int64_t>(1, d.count),
                        threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency())));
  FloatRun run;
  run.predictions.assign(static_cast<size_t>(d.count), 0);
  // Per thread: ranges merge by sums and maxima, which do not depend on the order.
  std::vector<std::vector<Range>> partial(static_cast<size_t>(used));
  auto work = [&](int t) {
    auto& mine = partial[static_cast<size_t>(t)];
    if (ranges) mine.assign(n.layers.size(), Range{});
    for (int64_t img = t; img < d.count; img += used) {
      const Values out = forward(
          n, d.image(img),
          [&](size_t i, const Values& v) {
            if (ranges)
              for (float x : v) mine[i].add(std::fabs(x));
          },
          false);
      run.predictions[static_cast<size_t>(img)] = argmax(out);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < used; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  if (ranges) {
    run.ranges.assign(n.layers.size(), Range{});
    for (const auto& p : partial)
      for (size_t i = 0; i < p.size(); ++i) run.ranges[i].merge(p[i]);
  }
  return run;
}

std::vector<std::vector<float>> forward_all(const FloatNet& n, const uint8_t* pixels) {
  std::vector<std::vector<float>> all;
  forward(
      n, pixels, [&](size_t, const Values& v) { all.push_back(v); }, true);
  return all;
}

}  // namespace trine::import
