#include "sim/import/compress.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trine::import {

namespace {

using Mask = std::vector<uint8_t>;

// The layer's (1 - sparsity) largest nonzero magnitudes, and each row's largest (a row left
// without any would output a constant).
Mask keep_largest(const std::vector<float>& w, int64_t rows, int64_t cols, double sparsity) {
  std::vector<float> mag(w.size());
  for (size_t i = 0; i < w.size(); ++i) mag[i] = std::fabs(w[i]);
  const int64_t keep =
      std::max<int64_t>(1, std::llround((1 - sparsity) * static_cast<double>(rows * cols)));
  std::vector<float> sorted = mag;
  std::nth_element(sorted.begin(), sorted.begin() + (keep - 1), sorted.end(), std::greater<>());
  const float cut = sorted[static_cast<size_t>(keep - 1)];
  Mask m(w.size());
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = mag.data() + r * cols;
    const float peak = *std::max_element(row, row + cols);
    for (int64_t c = 0; c < cols; ++c)
      m[static_cast<size_t>(r * cols + c)] = row[c] > 0 && (row[c] >= cut || row[c] == peak);
  }
  return m;
}

// Signs of the kept weights (binary: +1 for zero too), the row's mean kept |w| as its scale.
void sign_codes(const std::vector<float>& w, const Mask& m, bool binary, Projection& p) {
  const int64_t rows = p.codes.rows, cols = p.codes.cols;
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    int64_t kept = 0;
    for (int64_t c = 0; c < cols; ++c) {
      const size_t i = static_cast<size_t>(r * cols + c);
      if (!m[i]) continue;
      const float v = w[i];
      p.codes.at(r, c) = static_cast<int8_t>(binary ? (v >= 0 ? 1 : -1) : (v > 0) - (v < 0));
      sum += std::fabs(v), ++kept;
    }
    p.scale[static_cast<size_t>(r)] = kept && sum > 0 ? sum / static_cast<double>(kept) : 1.0;
  }
}

// round_half_even(clamp(w / s, -top, top)) on the kept weights with s = clip x peak / top, the
// clip of least squared error among `clips` per row.
void uniform_codes(const std::vector<float>& w, const Mask& m, int top,
                   const std::vector<double>& clips, Projection& p) {
  const int64_t rows = p.codes.rows, cols = p.codes.cols;
  for (int64_t r = 0; r < rows; ++r) {
    double peak = 0;
    for (int64_t c = 0; c < cols; ++c)
      if (m[static_cast<size_t>(r * cols + c)])
        peak = std::max(peak, std::fabs(double{w[static_cast<size_t>(r * cols + c)]}));
    double best_err = INFINITY, best_s = 1;
    for (double clip : clips) {
      const double s = peak > 0 ? clip * peak / top : 1.0;
      double err = 0;
      for (int64_t c = 0; c < cols; ++c) {
        const size_t i = static_cast<size_t>(r * cols + c);
        if (!m[i]) continue;
        const double q = std::nearbyint(std::clamp(w[i] / s, -double(top), double(top)));
        err += (q * s - w[i]) * (q * s - w[i]);
      }
      if (err < best_err) best_err = err, best_s = s;
    }
    p.scale[static_cast<size_t>(r)] = best_s;
    for (int64_t c = 0; c < cols; ++c) {
      const size_t i = static_cast<size_t>(r * cols + c);
      if (m[i])
        p.codes.at(r, c) = static_cast<int8_t>(
            std::nearbyint(std::clamp(w[i] / best_s, -double(top), double(top))));
    }
  }
}

// Each group of n consecutive weights of a row keeps its k largest magnitudes.
Mask top_k_groups(const std::vector<float>& w, int64_t rows, int64_t cols, int64_t n, int64_t k) {
  Mask m(w.size(), 0);
  std::vector<int64_t> order;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < cols; g += n) {
      const int64_t width = std::min(n, cols - g);
      order.resize(static_cast<size_t>(width));
      std::iota(order.begin(), order.end(), g);
      auto mag = [&](int64_t c) { return std::fabs(w[static_cast<size_t>(r * cols + c)]); };
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return mag(a) > mag(b); });
      for (int64_t i = 0; i < std::min(k, width); ++i)
        if (mag(order[static_cast<size_t>(i)]) > 0)
          m[static_cast<size_t>(r * cols + order[static_cast<size_t>(i)])] = 1;
    }
  return m;
}

// The keep fraction of the block x block tiles, by L2 norm (ties: the lower tile index).
Mask top_blocks(const std::vector<float>& w, int64_t rows, int64_t cols, int64_t block,
                double keep) {
  const int64_t block_rows = (rows + block - 1) / block, block_cols = (cols + block - 1) / block;
  std::vector<double> norm(static_cast<size_t>(block_rows * block_cols), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      norm[static_cast<size_t>(r / block * block_cols + c / block)] +=
          double{w[static_cast<size_t>(r * cols + c)]} * w[static_cast<size_t>(r * cols + c)];
  std::vector<int64_t> order(norm.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return norm[static_cast<size_t>(a)] > norm[static_cast<size_t>(b)];
  });
  const int64_t kept = std::clamp<int64_t>(std::llround(keep * static_cast<double>(order.size())),
                                           1, static_cast<int64_t>(order.size()));
  std::vector<uint8_t> tile(norm.size(), 0);
  for (int64_t i = 0; i < kept; ++i) tile[static_cast<size_t>(order[static_cast<size_t>(i)])] = 1;
  Mask m(w.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      m[static_cast<size_t>(r * cols + c)] =
          tile[static_cast<size_t>(r / block * block_cols + c / block)];
  return m;
}

}  // namespace

Projection project(const gen::FormSpec& form, const std::vector<float>& w, int64_t rows,
                   int64_t cols) {
  Projection p;
  p.codes = net::WeightMatrix(rows, cols);
  p.scale.assign(static_cast<size_t>(rows), 1.0);
  const train::MethodSpec& m = form.method;
  switch (form.form) {
    case net::WeightForm::Dense8:
    case net::WeightForm::ColComb:
      uniform_codes(w, keep_largest(w, rows, cols, form.sparsity), 127, {1.0}, p);
      break;
    case net::WeightForm::Ternary:
      sign_codes(w, keep_largest(w, rows, cols, form.sparsity), false, p);
      break;
    case net::WeightForm::NK:
      sign_codes(w, top_k_groups(w, rows, cols, m.get_int("n"), m.get_int("k")), false, p);
      break;
    case net::WeightForm::LowBit: {
      const int bits = static_cast<int>(m.get_int("bits"));
      const Mask kept = top_blocks(w, rows, cols, m.get_int("block"), m.get("keep"));
      if (bits == 1)
        sign_codes(w, kept, true, p);
      else
        uniform_codes(w, kept, (1 << (bits - 1)) - 1, {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}, p);
      break;
    }
  }
  p.weights = gen::encode(form, p.codes);
  p.codes = p.weights.decode();  // column combining drops the conflicts it allowed
  return p;
}

std::vector<Projection> project_all(const FloatNet& n, const gen::FormSpec& form) {
  std::vector<Projection> out(n.layers.size());
  // A quantized model's own int8 codes and scales are its 8-bit weights.
  const bool plain = form.form == net::WeightForm::Dense8 && form.sparsity == 0;
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const FloatLayer& l = n.layers[i];
    if (!l.is_compute()) continue;
    if (plain && !l.codes.empty()) {
      Projection& p = out[i];
      p.codes = net::WeightMatrix(l.out_channels, l.cols());
      for (size_t e = 0; e < l.codes.size(); ++e)
        p.codes.values[e] = static_cast<int8_t>(l.codes[e]);
      p.scale = l.code_scales;
      p.weights = net::encode_dense8(p.codes);
      continue;
    }
    out[i] = project(form, l.weights, l.out_channels, l.cols());
  }
  return out;
}

FloatNet with_projected(const FloatNet& n, const std::vector<Projection>& p) {
  FloatNet out = n;
  for (size_t i = 0; i < out.layers.size(); ++i) {
    FloatLayer& l = out.layers[i];
    if (!l.is_compute()) continue;
    const int64_t cols = l.cols();
    for (int64_t r = 0; r < l.out_channels; ++r)
      for (int64_t c = 0; c < cols; ++c)
        l.weights[static_cast<size_t>(r * cols + c)] =
            static_cast<float>(p[i].codes.at(r, c) * p[i].scale[static_cast<size_t>(r)]);
  }
  return out;
}

}  // namespace trine::import
