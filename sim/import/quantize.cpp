#include "sim/import/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "sim/ref/reference.hpp"
#include "sim/util/error.hpp"

namespace trine::import {

std::string Calibration::text() const {
  if (rule == Rule::MinMax) return "minmax";
  char buf[64];
  std::snprintf(buf, sizeof buf, "percentile:%g", percentile);
  return buf;
}

Calibration parse_calibration(const std::string& text, const std::string& option) {
  Calibration c;
  if (text == "minmax") {
    c.rule = Calibration::Rule::MinMax;
    return c;
  }
  const std::string head = text.substr(0, text.find(':'));
  if (head == "percentile") {
    if (text.size() == head.size()) return c;
    const std::string value = text.substr(head.size() + 1);
    char* end = nullptr;
    c.percentile = std::strtod(value.c_str(), &end);
    if (!value.empty() && *end == '\0' && c.percentile >= 50 && c.percentile <= 100) return c;
  }
  throw InputError(option + " must be minmax or percentile[:P] with P in [50, 100], not '" + text +
                   "'");
}

namespace {

constexpr int onnx_int8 = 3;  // onnx::TensorProto::INT8

int64_t top_of(bool is_signed, int bits) {
  return is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
}

// Layers whose outputs must share one scale: a pool, flatten, relu or global pool passes its
// input's values on unchanged, and a concat stacks its inputs' values. Node 0 is the image,
// node i + 1 layer i.
struct Groups {
  std::vector<int> parent;
  explicit Groups(size_t nodes) : parent(nodes) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[static_cast<size_t>(x)] != x)
      x = parent[static_cast<size_t>(x)] =
          parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    return x;
  }
  void join(int a, int b) { parent[static_cast<size_t>(find(a))] = find(b); }
};

bool passes_scale(net::LayerKind k) {
  return !(k == net::LayerKind::Dense || k == net::LayerKind::Conv2d || k == net::LayerKind::Add);
}

// Each layer's output type: signed or not, and its bits. Throws for what trine cannot run.
void output_types(const FloatNet& n, const QuantOptions& o, const std::string& where,
                  std::vector<LayerScale>& s) {
  auto of = [&](int k) { return k < 0 ? LayerScale{0, 0, false, 8} : s[static_cast<size_t>(k)]; };
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const FloatLayer& l = n.layers[i];
    const LayerScale in = of(l.inputs.front());
    LayerScale& t = s[i];
    if (l.is_compute() && in.is_signed)
      throw InputError(where, "layer '" + l.name + "' (" + l.ops +
                                  ") reads values that can be negative; trine's array takes "
                                  "unsigned activations (a relu before it)");
    if (l.is_compute() || l.kind == net::LayerKind::Add) {
      t.is_signed = !l.relu;
      const bool last = i + 1 == n.layers.size();
      t.bits = last && l.is_compute() && !l.relu ? o.logit_bits : o.act_bits;
    } else if (l.kind == net::LayerKind::Relu) {
      t = {0, 0, false, in.is_signed ? in.bits - 1 : in.bits};
    } else {
      t = in;
      for (int k : l.inputs)
        if (of(k).is_signed != in.is_signed || of(k).bits != in.bits)
          throw InputError(where, "layer '" + l.name +
                                      "' concatenates tensors of different types (signed and "
                                      "unsigned, or of other bits)");
    }
  }
}

// What became of each scale a QDQ model gives.
void note_scales(const FloatNet& n, const std::vector<LayerScale>& s,
                 std::vector<ScaleNote>& notes) {
  auto note = [&](const std::string& tensor, const FloatLayer::Fixed& f, double scale,
                  const std::string& otherwise) {
    ScaleNote x{tensor, f.scale, f.zero_point, f.type == onnx_int8, scale, "kept"};
    if (std::fabs(scale - f.scale) > 1e-6 * f.scale) x.how = otherwise;  // float32's precision
    notes.push_back(x);
  };
  if (n.input_fixed.scale > 0)
    note("input", n.input_fixed, 1 / 255.0, "trine feeds the pixels at 1/255");
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const FloatLayer::Fixed& f = n.layers[i].fixed;
    if (f.scale <= 0) continue;
    std::string why = "re-expressed: zero point " + std::to_string(static_cast<int>(f.zero_point)) +
                      " in trine's " + (s[i].is_signed ? "signed" : "unsigned") + " " +
                      std::to_string(s[i].bits) + "-bit outputs";
    if (s[i].bits > 8) why = "the classifier's outputs stay " + std::to_string(s[i].bits) + "-bit";
    note(n.layers[i].name, f, s[i].scale, why);
  }
}

// The magnitude a QDQ tensor's integers reach in trine's type: all of a uint8 or int8 range
// of zero point 0 maps onto trine's (scale kept); another zero point is re-expressed by its
// larger side (the positive side only when trine's tensor is unsigned).
double fixed_range(const FloatLayer::Fixed& f, bool is_signed) {
  const bool int8 = f.type == onnx_int8;
  const double lo = ((int8 ? -128.0 : 0.0) - f.zero_point) * f.scale,
               hi = ((int8 ? 127.0 : 255.0) - f.zero_point) * f.scale;
  return is_signed ? std::max(std::fabs(lo), std::fabs(hi)) : std::max(hi, 0.0);
}

// The scale of every layer's output: one per group, from its members' calibrated ranges (a
// capped relu's range is at most its cap), or the range a QDQ model gives one of them; the
// image's group is at 1/255 a unit.
void choose_scales(const FloatNet& n, const FloatRun& calib, const Calibration& c,
                   std::vector<LayerScale>& s, std::vector<ScaleNote>& notes) {
  Groups g(n.layers.size() + 1);
  for (size_t i = 0; i < n.layers.size(); ++i)
    if (passes_scale(n.layers[i].kind))
      for (int k : n.layers[i].inputs) g.join(static_cast<int>(i) + 1, k + 1);
  const size_t nodes = n.layers.size() + 1;
  std::vector<double> range(nodes, 0.0), fixed(nodes, 0.0);
  std::vector<int64_t> top(nodes, INT64_MAX);
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const FloatLayer& l = n.layers[i];
    const Range& r = calib.ranges[i];
    double v = c.rule == Calibration::Rule::MinMax ? r.max : r.quantile(c.percentile / 100);
    if (l.relu) v = std::min(v, static_cast<double>(l.cap));
    const size_t root = static_cast<size_t>(g.find(static_cast<int>(i) + 1));
    range[root] = std::max(range[root], v);
    top[root] = std::min(top[root], top_of(s[i].is_signed, s[i].bits));
    // The classifier keeps trine's wider outputs; the model's 8-bit scale would coarsen them.
    if (l.fixed.scale > 0 && s[i].bits <= 8)
      fixed[root] = std::max(fixed[root], fixed_range(l.fixed, s[i].is_signed));
  }
  const int image = g.find(0);
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const size_t root = static_cast<size_t>(g.find(static_cast<int>(i) + 1));
    const double r = fixed[root] > 0 ? fixed[root] : range[root];
    s[i].range = static_cast<int>(root) == image ? top[root] / 255.0 : (r > 0 ? r : 1.0);
    s[i].scale =
        static_cast<int>(root) == image ? 1 / 255.0 : s[i].range / static_cast<double>(top[root]);
  }
  note_scales(n, s, notes);
}

// The largest shifts the arithmetic takes: a layer's requantization, an add's rescaling
// (docs/arithmetic.md).
constexpr int kRequantShift = 62, kRescaleShift = 31;

// multiplier / 2^shift = ratio for each ratio, one shift of at most `max_shift`, multipliers of
// up to 31 bits (at least 1).
net::Requant fixed_point(const std::vector<double>& ratios, const std::string& where,
                         const std::string& layer, int max_shift) {
  const double peak = *std::max_element(ratios.begin(), ratios.end());
  auto fits = [&](int sh) { return std::round(std::ldexp(peak, sh)) <= 2147483647.0; };
  int shift = max_shift;
  while (shift > 0 && !fits(shift)) --shift;
  if (!fits(shift) || !std::isfinite(peak))
    throw InputError(where, "layer '" + layer + "': its scale ratio " + std::to_string(peak) +
                                " needs a multiplier beyond 31 bits");
  net::Requant q;
  q.shift = shift;
  std::vector<int32_t> m;
  for (double r : ratios)
    m.push_back(static_cast<int32_t>(std::max<long long>(1, std::llround(std::ldexp(r, shift)))));
  if (std::all_of(m.begin(), m.end(), [&](int32_t v) { return v == m.front(); }))
    q.multiplier = m.front();
  else
    q.multipliers = std::move(m);
  return q;
}

void quantize_compute(const FloatLayer& f, const Projection& p, double in_scale,
                      const LayerScale& out, int in_bits, const std::string& where, net::Layer& l) {
  const int64_t rows = f.out_channels, cols = f.cols();
  std::vector<double> ratios;
  double largest_row = 0, largest_bias = 0;
  for (int64_t o = 0; o < rows; ++o) {
    const double ws = p.scale[static_cast<size_t>(o)];
    double row = 0;
    for (int64_t c = 0; c < cols; ++c) row += std::abs(p.codes.at(o, c));
    largest_row = std::max(largest_row, row);
    const double b = f.bias.empty() ? 0.0 : f.bias[static_cast<size_t>(o)] / (in_scale * ws);
    const double rounded = std::clamp(std::nearbyint(b), -2147483647.0, 2147483647.0);
    l.bias.push_back(static_cast<int32_t>(rounded));
    largest_bias = std::max(largest_bias, std::fabs(rounded));
    ratios.push_back(in_scale * ws / out.scale);
  }
  l.weights = p.weights;
  l.requant = fixed_point(ratios, where, f.name, kRequantShift);
  l.relu = f.relu;
  l.out_bits = out.bits;
  // The accumulator holds every possible sum without saturating.
  const double bound = largest_row * (std::ldexp(1.0, in_bits) - 1) + largest_bias;
  l.acc_bits = std::clamp(static_cast<int>(std::ceil(std::log2(bound + 1))) + 1, 32, 48);
}

}  // namespace

FloatNet fold_normalization(const FloatNet& n, const std::string& where) {
  FloatNet f = n;
  if (n.norm.identity()) return f;
  for (FloatLayer& l : f.layers) {
    if (std::find(l.inputs.begin(), l.inputs.end(), -1) == l.inputs.end()) continue;
    if (!l.is_compute())
      throw InputError(where, "layer '" + l.name + "' (" + l.ops +
                                  ") reads the normalized image; with --mean and --std, trine "
                                  "folds the normalization into the layers that read the image, "
                                  "which must be Conv or Gemm");
    // x = p / 255 / std_c - mean_c / std_c: the weight of channel c divides by std_c, and the
    // bias takes each weight times -mean_c / std_c.
    const int64_t per_channel =
        l.kind == net::LayerKind::Dense ? n.input.height * n.input.width : l.kernel_h * l.kernel_w;
    const int64_t cols = l.cols();
    l.bias.resize(static_cast<size_t>(l.out_channels), 0.0f);
    for (int64_t o = 0; o < l.out_channels; ++o) {
      double shift = 0;
      for (int64_t col = 0; col < cols; ++col) {
        const size_t c = static_cast<size_t>(col / per_channel);
        float& w = l.weights[static_cast<size_t>(o * cols + col)];
        shift -= static_cast<double>(w) * n.norm.mean[c] / n.norm.std[c];
        w /= n.norm.std[c];
      }
      l.bias[static_cast<size_t>(o)] += static_cast<float>(shift);
    }
    l.codes.clear(), l.code_scales.clear();  // divided by std: no longer the model's codes
  }
  f.norm = {};
  return f;
}

Quantized quantize(const FloatNet& n, const std::vector<Projection>& weights, const FloatRun& calib,
                   const QuantOptions& options, const std::string& where) {
  TRINE_ASSERT(n.norm.identity() && weights.size() == n.layers.size() &&
                   calib.ranges.size() == n.layers.size(),
               "quantize takes a folded network, its projections and its ranges");
  for (size_t i = 0; i < n.layers.size(); ++i)
    if (calib.ranges[i].non_finite)
      throw InputError(where, "layer '" + n.layers[i].name + "' (" + n.layers[i].ops + ") gives " +
                                  std::to_string(calib.ranges[i].non_finite) +
                                  " outputs that overflow float on the calibration images");
  Quantized q;
  q.scales.assign(n.layers.size(), LayerScale{});
  output_types(n, options, where, q.scales);
  choose_scales(n, calib, options.calibration, q.scales, q.notes);
  net::Network& out = q.net;
  out.name = n.name;
  out.input = {n.input.channels, n.input.height, n.input.width, 8, 0};
  out.classes = n.classes();
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const FloatLayer& f = n.layers[i];
    net::Layer l;
    l.name = f.name;
    l.kind = f.kind;
    // Named inputs only where the layer does not read the one before it (a chain stays 1.0).
    const bool previous = f.inputs.size() == 1 && f.inputs.front() == static_cast<int>(i) - 1;
    if (!previous)
      for (int k : f.inputs)
        l.inputs.push_back(k < 0 ? "input" : n.layers[static_cast<size_t>(k)].name);
    l.in_channels = f.in_channels, l.out_channels = f.out_channels, l.groups = f.groups;
    l.kernel_h = f.kernel_h, l.kernel_w = f.kernel_w, l.stride_h = f.stride_h;
    l.stride_w = f.stride_w, l.pad_h = f.pad_h, l.pad_w = f.pad_w;
    auto scale_of = [&](int k) {
      return k < 0 ? 1 / 255.0 : q.scales[static_cast<size_t>(k)].scale;
    };
    if (f.is_compute()) {
      const int k = f.inputs.front();
      const int in_bits = k < 0 ? 8 : q.scales[static_cast<size_t>(k)].bits;
      quantize_compute(f, weights[i], scale_of(k), q.scales[i], in_bits, where, l);
      l.method = options.layer_meta;
    } else if (f.kind == net::LayerKind::Add) {
      for (int k : f.inputs)
        l.scales.push_back(
            fixed_point({scale_of(k) / q.scales[i].scale}, where, f.name, kRescaleShift));
      l.relu = f.relu;
      l.out_bits = q.scales[i].bits;
    }
    out.layers.push_back(std::move(l));
  }
  net::infer_types(out, where);
  return q;
}

std::vector<double> sqnr(const FloatNet& n, const Quantized& q, const data::Dataset& d,
                         int64_t count) {
  const ref::Reference reference(q.net);
  std::vector<double> signal(n.layers.size(), 0.0), noise(n.layers.size(), 0.0);
  for (int64_t img = 0; img < std::min(count, d.count); ++img) {
    const std::vector<std::vector<float>> f = forward_all(n, d.image(img));
    const std::vector<ref::Tensor> t = reference.run_all(d.image(img));
    for (size_t i = 0; i < n.layers.size(); ++i)
      for (size_t e = 0; e < f[i].size(); ++e) {
        const double x = f[i][e], y = t[i].data[e] * q.scales[i].scale;
        signal[i] += x * x;
        noise[i] += (x - y) * (x - y);
      }
  }
  std::vector<double> db;
  for (size_t i = 0; i < n.layers.size(); ++i)
    db.push_back(noise[i] > 0 ? 10 * std::log10(signal[i] / noise[i])
                              : std::numeric_limits<double>::infinity());
  return db;
}

}  // namespace trine::import
