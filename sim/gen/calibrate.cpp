#include "sim/gen/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "sim/ref/reference.hpp"
#include "sim/util/error.hpp"

namespace trine::gen {

namespace {

using ref::Tensor;
__extension__ typedef __int128 Wide;  // products of a 48-bit sum and a 31-bit multiplier

// Runs f(image) for every image on `threads` threads, image i on thread i % threads: each
// result lands in its own slot, so the thread count changes nothing.
template <class F>
void each_image(int64_t images, int threads, F f) {
  if (threads <= 1 || images <= 1) {
    for (int64_t i = 0; i < images; ++i) f(i);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t used = std::min<int64_t>(threads, images);
  for (int64_t t = 0; t < used; ++t)
    pool.emplace_back([&, t] {
      for (int64_t i = t; i < images; i += used) f(i);
    });
  for (auto& th : pool) th.join();
}

bool requantizes(const net::Layer& l) {
  return l.is_compute() || l.kind == net::LayerKind::Add;
}

// The output range of a requantizing layer: [0, 2^bits - 1] with its relu (below 0 is the
// relu's, not a clip), else signed.
int64_t top(const net::Layer& l) {
  return l.relu ? (int64_t{1} << l.out_bits) - 1 : (int64_t{1} << (l.out_bits - 1)) - 1;
}
bool clips(Wide r, const net::Layer& l) {
  return r > top(l) || (!l.relu && r < -top(l) - 1);
}

// (x * multiplier + round) >> shift without the final clamp (docs/arithmetic.md).
Wide rescaled(int64_t x, int64_t multiplier, int64_t shift) {
  const Wide half = shift > 0 ? Wide{1} << (shift - 1) : 0;
  return (static_cast<Wide>(x) * multiplier + half) >> shift;
}

// Walks the network layer by layer over a set of images, keeping each output only while a
// later layer still reads it.
class Walk {
 public:
  Walk(const net::Network& n, const data::Dataset& images, int threads)
      : n_(n),
        d_(images),
        ref_(n),
        graph_(net::input_indices(n, n.name)),
        threads_(threads > 0 ? threads
                             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        last_use_(n.layers.size(), 0),
        outs_(static_cast<size_t>(images.count), std::vector<Tensor>(n.layers.size())),
        inputs_(static_cast<size_t>(images.count)) {
    const net::InputSpec& in = n.input;
    if (in.channels != images.channels || in.height != images.height || in.width != images.width)
      throw InputError("network '" + n.name + "' takes " + std::to_string(in.channels) + "x" +
                       std::to_string(in.height) + "x" + std::to_string(in.width) +
                       " images; the calibration images are " + images.shape());
    for (size_t i = 0; i < graph_.size(); ++i)
      for (int k : graph_[i])
        if (k >= 0) last_use_[static_cast<size_t>(k)] = i;
    each_image(d_.count, threads_,
               [&](int64_t img) { ref_.input(d_.image(img), inputs_[static_cast<size_t>(img)]); });
  }
  const ref::Reference& ref() const { return ref_; }
  int threads() const { return threads_; }
  int64_t images() const { return d_.count; }
  std::vector<const Tensor*> ins(int64_t img, size_t layer) const {
    std::vector<const Tensor*> v;
    for (int k : graph_[layer])
      v.push_back(k < 0 ? &inputs_[static_cast<size_t>(img)]
                        : &outs_[static_cast<size_t>(img)][static_cast<size_t>(k)]);
    return v;
  }
  Tensor& out(int64_t img, size_t layer) { return outs_[static_cast<size_t>(img)][layer]; }
  // Counts layer i's outputs (`clipped` of them clipped by its requantization), then frees
  // what no later layer reads.
  LayerActivity finish(size_t i, int64_t clipped) {
    LayerActivity a;
    a.requantized = requantizes(n_.layers[i]);
    a.saturated = clipped;
    for (int64_t img = 0; img < d_.count; ++img) {
      const Tensor& t = out(img, i);
      for (int32_t v : t.data) a.zeros += v == 0;
      a.values += static_cast<int64_t>(t.data.size());
    }
    for (size_t k = 0; k <= i; ++k)
      if (last_use_[k] <= i && k + 1 != n_.layers.size())
        for (auto& per_image : outs_) per_image[k] = Tensor{};
    return a;
  }

 private:
  const net::Network& n_;
  const data::Dataset& d_;
  ref::Reference ref_;
  std::vector<std::vector<int>> graph_;
  int threads_;
  std::vector<size_t> last_use_;           // the last layer that reads each output
  std::vector<std::vector<Tensor>> outs_;  // images x layers
  std::vector<Tensor> inputs_;             // per image
};

// The kCalibrationQuantile quantile of `values` (positive ones only when `positive`, else
// magnitudes), each value v read as v + offset, over the elements [begin, end) of every image's
// values; 1 when none is positive.
int64_t quantile(const std::vector<std::vector<int64_t>>& values, bool positive, size_t begin,
                 size_t end, int64_t offset) {
  std::vector<int64_t> pool;
  for (const auto& v : values)
    for (size_t e = begin; e < end; ++e) {
      const int64_t x = v[e] + offset;
      if (positive ? x > 0 : x != 0) pool.push_back(x < 0 ? -x : x);
    }
  if (pool.empty()) return 1;
  const size_t at =
      static_cast<size_t>(kCalibrationQuantile * static_cast<double>(pool.size() - 1));
  std::nth_element(pool.begin(), pool.begin() + static_cast<long>(at), pool.end());
  return std::max<int64_t>(1, pool[at]);
}

// multiplier / 2^shift = scale, the multiplier of 15 bits (relative error below 2^-14), the
// shift within [0, max_shift].
net::Requant requant_for(double scale, int64_t max_shift) {
  int exponent = 0;
  std::frexp(scale, &exponent);  // scale = f x 2^exponent, f in [0.5, 1)
  net::Requant q;
  q.shift = std::clamp<int64_t>(15 - exponent, 0, max_shift);
  q.multiplier = std::clamp<int64_t>(std::llround(std::ldexp(scale, static_cast<int>(q.shift))), 1,
                                     0x7fffffff);
  return q;
}

// What batch normalization does to a trained layer: each output channel's bias centres its
// accumulators on zero (their mean over the images), so that a relu keeps about half of them.
void centre(net::Layer& l, const std::vector<std::vector<int64_t>>& acc) {
  const size_t plane = acc.front().size() / static_cast<size_t>(l.out_channels);
  l.bias.assign(static_cast<size_t>(l.out_channels), 0);
  for (size_t o = 0; o < l.bias.size(); ++o) {
    double sum = 0;
    for (const auto& a : acc)
      for (size_t e = o * plane; e < (o + 1) * plane; ++e) sum += static_cast<double>(a[e]);
    const double mean = sum / static_cast<double>(plane * acc.size());
    l.bias[o] = static_cast<int32_t>(std::clamp(-std::llround(mean), -0x7fffffffLL, 0x7fffffffLL));
  }
}

// Scales: per output channel when each channel has kChannelValues values or more over the
// images (a quantile of fewer is its maximum), else one for the layer; every channel shares the
// shift of the smallest scale.
constexpr size_t kChannelValues = 1000;

void scale(net::Layer& l, const std::vector<std::vector<int64_t>>& acc) {
  const size_t channels = static_cast<size_t>(l.out_channels),
               plane = acc.front().size() / channels;
  std::vector<double> scales;
  if (plane * acc.size() >= kChannelValues) {
    for (size_t o = 0; o < channels; ++o)
      scales.push_back(static_cast<double>(top(l)) /
                       quantile(acc, l.relu, o * plane, (o + 1) * plane, l.bias[o]));
  } else {
    std::vector<std::vector<int64_t>> centred = acc;
    for (auto& a : centred)
      for (size_t e = 0; e < a.size(); ++e) a[e] += l.bias[e / plane];
    scales.push_back(static_cast<double>(top(l)) /
                     quantile(centred, l.relu, 0, plane * channels, 0));
  }
  l.requant = requant_for(*std::min_element(scales.begin(), scales.end()), 62);
  if (scales.size() > 1)
    for (double s : scales)
      l.requant.multipliers.push_back(static_cast<int32_t>(std::clamp<int64_t>(
          std::llround(std::ldexp(s, static_cast<int>(l.requant.shift))), 1, 0x7fffffff)));
}

// The accumulator width for the sums with the new biases (as random_network set it without).
void widen_accumulator(net::Layer& l, const net::WeightMatrix& w) {
  int64_t largest = 0, bias = 0;
  for (int64_t r = 0; r < w.rows; ++r) {
    int64_t sum = 0;
    for (int64_t c = 0; c < w.cols; ++c) sum += std::abs(w.at(r, c));
    largest = std::max(largest, sum);
  }
  for (int32_t b : l.bias) bias = std::max<int64_t>(bias, std::abs(static_cast<int64_t>(b)));
  const double bound = static_cast<double>(largest) * 255.0 + static_cast<double>(bias);
  l.acc_bits = std::clamp(static_cast<int>(std::ceil(std::log2(bound + 1))) + 1, 32, 48);
}

std::vector<std::vector<int64_t>> accumulators(size_t i, Walk& w) {
  std::vector<std::vector<int64_t>> acc(static_cast<size_t>(w.images()));
  each_image(w.images(), w.threads(), [&](int64_t img) {
    acc[static_cast<size_t>(img)] = w.ref().accumulators(i, *w.ins(img, i).front());
  });
  return acc;
}

// A compute layer's outputs from its accumulators (bias not yet added); returns how many its
// requantization clipped.
int64_t requantize(const net::Layer& l, size_t i, const std::vector<std::vector<int64_t>>& acc,
                   Walk& w) {
  const size_t plane = acc.front().size() / static_cast<size_t>(l.out_channels);
  const int64_t lo = -(int64_t{1} << (l.acc_bits - 1)), hi = -lo - 1;
  std::vector<ref::Requantizer> requantize;
  for (int64_t o = 0; o < l.out_channels; ++o) requantize.emplace_back(l, o);
  std::vector<int64_t> clipped(acc.size(), 0);
  each_image(w.images(), w.threads(), [&](int64_t img) {
    const auto& a = acc[static_cast<size_t>(img)];
    Tensor& out = w.out(img, i);
    out.type = w.ref().type(i);
    out.data.resize(a.size());
    for (size_t e = 0; e < a.size(); ++e) {
      const size_t o = e / plane;
      const int64_t total = a[e] + (l.bias.empty() ? 0 : l.bias[o]);
      out.data[e] = requantize[o](total);
      const Wide r = rescaled(std::clamp(total, lo, hi),
                              l.requant.multiplier_for(static_cast<int64_t>(o)), l.requant.shift);
      clipped[static_cast<size_t>(img)] += clips(r, l);
    }
  });
  int64_t total = 0;
  for (int64_t c : clipped) total += c;
  return total;
}

int64_t run_compute(net::Network& n, size_t i, Walk& w, bool calibrating) {
  net::Layer& l = n.layers[i];
  // The reference reads the bias at each call: calibration's accumulators come without one.
  const std::vector<int32_t> bias = l.bias;
  l.bias.clear();
  const auto acc = accumulators(i, w);
  l.bias = bias;
  if (calibrating) {
    centre(l, acc);
    scale(l, acc);
    widen_accumulator(l, w.ref().decoded(i));
  }
  return requantize(l, i, acc, w);
}

// An add's inputs are taken to be at one scale (a random network has no other): calibration
// reads the sum of their values, and gives every input that sum's scale. Returns how many
// outputs the add clipped.
int64_t run_add(net::Network& n, size_t i, Walk& w, bool calibrating) {
  net::Layer& l = n.layers[i];
  if (calibrating) {
    std::vector<std::vector<int64_t>> sums(static_cast<size_t>(w.images()));
    each_image(w.images(), w.threads(), [&](int64_t img) {
      const auto ins = w.ins(img, i);
      auto& s = sums[static_cast<size_t>(img)];
      s.assign(ins.front()->data.size(), 0);
      for (const Tensor* t : ins)
        for (size_t e = 0; e < s.size(); ++e) s[e] += t->data[e];
    });
    const int64_t q = quantile(sums, l.relu, 0, sums.front().size(), 0);
    l.scales.assign(l.scales.size(), requant_for(static_cast<double>(top(l)) / q, 31));
  }
  std::vector<int64_t> clipped(static_cast<size_t>(w.images()), 0);
  each_image(w.images(), w.threads(), [&](int64_t img) {
    const auto ins = w.ins(img, i);
    w.out(img, i) = w.ref().layer(i, ins);
    for (size_t e = 0; e < ins.front()->data.size(); ++e) {
      Wide sum = 0;
      for (size_t k = 0; k < ins.size(); ++k)
        sum += rescaled(ins[k]->data[e], l.scales[k].multiplier, l.scales[k].shift);
      clipped[static_cast<size_t>(img)] += clips(sum, l);
    }
  });
  int64_t total = 0;
  for (int64_t c : clipped) total += c;
  return total;
}

// Every layer in order; with `calibrating`, each requantizing layer with outputs of fewer than
// 32 bits (the classifier's are its accumulators) gets its constants first.
std::vector<LayerActivity> walk(net::Network& n, const data::Dataset& images, int threads,
                                bool calibrating) {
  Walk w(n, images, threads);
  std::vector<LayerActivity> out;
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const net::Layer& l = n.layers[i];
    const bool calibrate = calibrating && l.out_bits < 32;
    int64_t clipped = 0;
    if (l.is_compute())
      clipped = run_compute(n, i, w, calibrate);
    else if (l.kind == net::LayerKind::Add)
      clipped = run_add(n, i, w, calibrate);
    else
      each_image(w.images(), w.threads(),
                 [&](int64_t img) { w.out(img, i) = w.ref().layer(i, w.ins(img, i)); });
    out.push_back(w.finish(i, clipped));
    out.back().calibrated = calibrate;
  }
  return out;
}

}  // namespace

std::vector<LayerActivity> calibrate(net::Network& n, const data::Dataset& images, int threads) {
  return walk(n, images, threads, true);
}

std::vector<LayerActivity> activity(const net::Network& n, const data::Dataset& images,
                                    int threads) {
  // Nothing is changed: the walk writes the network only when calibrating.
  return walk(const_cast<net::Network&>(n), images, threads, false);
}

}  // namespace trine::gen
