#pragma once
// The integer reference model: runs a network with exactly the integer arithmetic of the
// hardware (docs/arithmetic.md), without SystemC. The simulated datapath must equal it bit for
// bit, layer by layer.
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/net/network.hpp"
#include "sim/util/kernels.hpp"

namespace trine::ref {

struct Tensor {
  net::TensorType type;
  std::vector<int32_t> data;  // channel-major (c, y, x)
  int32_t at(int64_t c, int64_t y, int64_t x) const {
    return data[static_cast<size_t>((c * type.height + y) * type.width + x)];
  }
};

// Clamp to the range of a `bits`-bit integer.
int64_t saturate(int64_t v, int bits, bool is_signed);
// The requantization of docs/arithmetic.md: accumulator saturation, multiply, rounding shift,
// output saturation (and the fused relu).
int32_t requantize(int64_t acc, const net::Layer& layer, int64_t channel);

// The same for one output channel, its constants worked out once: what the kernels call per
// output value. 64-bit arithmetic unless the product or the rounding would overflow it.
class Requantizer {
 public:
  Requantizer(const net::Layer& layer, int64_t channel);
  int32_t operator()(int64_t acc) const {
    const int64_t a = acc < q_.acc_lo ? q_.acc_lo : acc > q_.acc_hi ? q_.acc_hi : acc;
    int64_t product = 0, rounded = 0;
    if (__builtin_mul_overflow(a, q_.multiplier, &product) ||
        __builtin_add_overflow(product, q_.half, &rounded))
      return wide(a);
    const int64_t r = rounded >> q_.shift;
    return static_cast<int32_t>(r < q_.out_lo ? q_.out_lo : r > q_.out_hi ? q_.out_hi : r);
  }
  // out[i] = (*this)(acc[i] + bias) for i in [0, n): a vector loop when 64 bits always hold
  // the arithmetic (accumulators and multiplier of up to 32 bits), else one value at a time.
  template <class Acc>
  void run(const Acc* acc, int64_t bias, int32_t* out, int64_t n) const {
    if (narrow_) return kernels::requantize(acc, bias, q_, out, n);
    for (int64_t i = 0; i < n; ++i) out[i] = (*this)(static_cast<int64_t>(acc[i]) + bias);
  }

 private:
  int32_t wide(int64_t saturated) const;
  kernels::Requant q_;
  bool narrow_;
};
// Convolution geometry along one axis: the outputs i in [0, n) whose input
// i * stride - pad + k lies in [0, size), as [lo, hi) (kernel offset k; zero padding outside).
std::pair<int64_t, int64_t> valid_outputs(int64_t n, int64_t stride, int64_t pad, int64_t k,
                                          int64_t size);
// floor((sum + count/2) / count), the average-pool rounding.
int32_t average(int64_t sum, int64_t count);
// Index of the largest value; the lowest index wins a tie.
int64_t argmax(const std::vector<int32_t>& v);

namespace detail {
// A compute layer's weights as the reference's kernels walk them, prepared once.
struct Kernel {
  net::WeightMatrix weights;  // decoded
  bool narrow = false;        // no sum can overflow int32: accumulate in int32
  // Convolutions: each output channel's nonzero weights as (weight, input channel, ky, kx),
  // channel o's from tap_begin[o] to tap_begin[o + 1]: zero weights cost nothing.
  struct Tap {
    int32_t weight, channel, ky, kx;
  };
  std::vector<Tap> taps;
  std::vector<size_t> tap_begin;
};
}  // namespace detail

class Reference {
 public:
  explicit Reference(const net::Network& n);  // validates and decodes the weights once
  Tensor input(const uint8_t* pixels) const {
    Tensor t;
    input(pixels, t);
    return t;
  }
  // The same into `t`, reusing its storage.
  void input(const uint8_t* pixels, Tensor& t) const;
  Tensor layer(size_t index, const Tensor& in) const;  // a layer of one input
  // A layer given its inputs' outputs, in the order of its inputs (net::input_indices).
  Tensor layer(size_t index, const std::vector<const Tensor*>& ins) const;
  // A compute layer's accumulators, bias added, before requantization (channel-major, as its
  // output): what calibration reads. Requantization constants (multipliers, shifts, an add's
  // scales) are read from the network at each call, so a caller may change them in between.
  std::vector<int64_t> accumulators(size_t index, const Tensor& in) const;
  std::vector<Tensor> run_all(const uint8_t* pixels) const;  // every layer's output
  Tensor run(const uint8_t* pixels) const;                   // the last layer's output
  int64_t predict(const uint8_t* pixels) const { return argmax(run(pixels).data); }
  const net::Network& network() const { return net_; }
  const net::TensorType& type(size_t index) const { return types_[index]; }  // a layer's output
  // A compute layer's weights, decoded.
  const net::WeightMatrix& decoded(size_t index) const { return kernels_[index].weights; }

 private:
  void compute(size_t index, const Tensor& in, Tensor& out, int64_t* raw) const;
  const net::Network& net_;
  std::vector<net::TensorType> types_;
  std::vector<std::vector<int>> graph_;  // each layer's inputs (-1: the image)
  bool chain_;
  std::vector<detail::Kernel> kernels_;  // per layer (empty if not compute)
};

struct Evaluation {
  std::vector<int64_t> predictions;
  int64_t correct = 0;
  double accuracy() const {
    return predictions.empty() ? 0.0 : static_cast<double>(correct) / predictions.size();
  }
};

// Predicts every image of `d` on `threads` threads (0: hardware concurrency); the result does
// not depend on the thread count.
Evaluation evaluate(const net::Network& n, const data::Dataset& d, int threads = 0);

}  // namespace trine::ref
