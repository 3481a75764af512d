#include <catch2/catch.hpp>

#include "sim/ref/ahead.hpp"
#include "sim/ref/reference.hpp"
#include "sim/util/error.hpp"
#include "tests/support/builders.hpp"

using namespace trine;
using net::LayerKind;

// A 1x3x3 image 1..9 followed by `layers`; the network output is the last layer's output.
static net::Network tiny(std::vector<net::Layer> layers, int64_t classes) {
  net::Network n;
  n.name = "tiny";
  n.input = {1, 3, 3, 8, 0};
  n.classes = classes;
  n.layers = std::move(layers);
  return n;
}

static const uint8_t kImage[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static net::Layer sobel(int64_t shift, int64_t multiplier, bool relu, int out_bits) {
  net::WeightMatrix w(1, 9);
  const int8_t k[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1};
  for (int i = 0; i < 9; ++i) w.at(0, i) = k[i];
  net::Layer l;
  l.name = "conv";
  l.kind = LayerKind::Conv2d;
  l.in_channels = l.out_channels = 1;
  l.kernel_h = l.kernel_w = 3;
  l.stride_h = l.stride_w = 2;
  l.pad_h = l.pad_w = 1;
  l.weights = net::encode_dense8(w);
  l.bias = {1};
  l.requant.shift = shift;
  l.requant.multiplier = multiplier;
  l.relu = relu;
  l.out_bits = out_bits;
  return l;
}

TEST_CASE("conv with zero padding and stride 2, computed by hand", "[reference]") {
  // Padded 5x5 windows at (0,0), (0,2), (2,0), (2,2) give -9, 9, -21, 21; bias adds 1.
  auto n = tiny({sobel(0, 1, false, 8)}, 4);
  ref::Reference r(n);
  CHECK(r.run(kImage).data == std::vector<int32_t>{-8, 10, -20, 22});
  // Fused relu.
  auto nr = tiny({sobel(0, 1, true, 8)}, 4);
  CHECK(ref::Reference(nr).run(kImage).data == std::vector<int32_t>{0, 10, 0, 22});
  // (acc * 3 + 1) >> 1, an arithmetic (floor) shift: -23 >> 1 = -12, -59 >> 1 = -30.
  auto nq = tiny({sobel(1, 3, false, 8)}, 4);
  CHECK(ref::Reference(nq).run(kImage).data == std::vector<int32_t>{-12, 15, -30, 33});
  // Output saturation at signed 4 bits: [-8, 7].
  auto ns = tiny({sobel(0, 1, false, 4)}, 4);
  CHECK(ref::Reference(ns).run(kImage).data == std::vector<int32_t>{-8, 7, -8, 7});
}

TEST_CASE("the same conv in every weight form that can hold it gives the same output",
          "[reference]") {
  auto base = tiny({sobel(1, 3, false, 8)}, 4);
  const auto w = base.layers[0].weights.decode();
  for (const net::Weights& enc : {net::encode_colcomb(w, 2), net::encode_lowbit(w, 3, 2)}) {
    auto n = base;
    n.layers[0].weights = enc;
    CHECK(ref::Reference(n).run(kImage).data == std::vector<int32_t>{-12, 15, -30, 33});
  }
}

static net::Layer pool(LayerKind kind) {
  return testing::pool_layer("pool", kind, 2, 1);
}

TEST_CASE("max and average pooling, computed by hand", "[reference]") {
  CHECK(ref::Reference(tiny({pool(LayerKind::MaxPool)}, 4)).run(kImage).data ==
        std::vector<int32_t>{5, 6, 8, 9});
  // Sums 12, 16, 24, 28 over 4: round half up -> 3, 4, 6, 7.
  CHECK(ref::Reference(tiny({pool(LayerKind::AvgPool)}, 4)).run(kImage).data ==
        std::vector<int32_t>{3, 4, 6, 7});
  CHECK(ref::average(-6, 4) == -1);  // -1.5 rounds half up to -1
  CHECK(ref::average(-7, 4) == -2);  // -1.75 -> -2
  CHECK(ref::average(14, 4) == 4);   // 3.5 -> 4
}

TEST_CASE("padded pooling: max over the window's inputs, average over the whole window",
          "[reference]") {
  // 3x3 windows, stride 2, padding 1 over 1..9: the corners' windows hold 2x2 inputs.
  net::Layer max = testing::pool_layer("pool", LayerKind::MaxPool, 3, 2);
  max.pad_h = max.pad_w = 1;
  CHECK(ref::Reference(tiny({max}, 4)).run(kImage).data == std::vector<int32_t>{5, 6, 8, 9});
  net::Layer avg = max;
  avg.kind = LayerKind::AvgPool;
  // Sums 12, 16, 24, 28 over 9 (padding counts as zeros): 1.33, 1.78, 2.67, 3.11 -> 1, 2, 3, 3.
  CHECK(ref::Reference(tiny({avg}, 4)).run(kImage).data == std::vector<int32_t>{1, 2, 3, 3});
  // More than half a window of padding would leave windows with no input.
  avg.kernel_h = avg.kernel_w = 1;
  CHECK_THROWS_WITH(net::infer_types(tiny({avg}, 4), "t"),
                    Catch::Contains("padding must be in [0, kernel / 2]"));
}

TEST_CASE("accumulator saturation happens before requantization", "[reference]") {
  net::WeightMatrix w(1, 9);
  for (auto& v : w.values) v = 127;
  net::Layer l;
  l.name = "fc";
  l.kind = LayerKind::Dense;
  l.in_channels = 9;
  l.out_channels = 1;
  l.weights = net::encode_dense8(w);
  l.requant.shift = 4;
  l.relu = false;
  l.out_bits = 32;
  l.acc_bits = 12;  // sum 45 * 127 = 5715 saturates to 2047
  auto n = tiny({l}, 1);
  CHECK(ref::Reference(n).run(kImage).data == std::vector<int32_t>{(2047 + 8) >> 4});
  n.layers[0].acc_bits = 32;
  CHECK(ref::Reference(n).run(kImage).data == std::vector<int32_t>{(5715 + 8) >> 4});
}

TEST_CASE("relu layer, input shift and argmax ties", "[reference]") {
  auto n = tiny({sobel(0, 1, false, 8), testing::pool_layer("r", LayerKind::Relu, 1, 1)}, 4);
  CHECK(ref::Reference(n).run(kImage).data == std::vector<int32_t>{0, 10, 0, 22});
  n.input.shift = 1;
  n.input.bits = 7;
  ref::Reference r(n);
  CHECK(r.input(kImage).data == std::vector<int32_t>{0, 1, 1, 2, 2, 3, 3, 4, 4});
  CHECK(ref::argmax({3, 7, 7, 1}) == 1);
  n.input.bits = 6;  // cannot hold pixel >> 1
  CHECK_THROWS_AS(ref::Reference(n), InputError);
}

TEST_CASE("evaluation does not depend on the thread count", "[reference]") {
  for (auto form : {net::WeightForm::Ternary, net::WeightForm::ColComb}) {
    const auto n = testing::example_cnn(form, 11, 12, 12);
    const auto d = testing::random_dataset(37, 12, 12, 10, 5);
    const auto one = ref::evaluate(n, d, 1), many = ref::evaluate(n, d, 3);
    CHECK(one.predictions == many.predictions);
    ref::Reference r(n);
    for (int64_t i = 0; i < d.count; ++i) CHECK(one.predictions[i] == r.predict(d.image(i)));
  }
}

TEST_CASE("evaluation rejects a dataset of another image size", "[reference]") {
  const auto n = testing::example_cnn(net::WeightForm::Dense8, 1, 12, 12);
  CHECK_THROWS_WITH(ref::evaluate(n, testing::random_dataset(2, 28, 28, 10, 1)),
                    "network 'example-cnn-dense8' takes 1x12x12 images; the data set's are "
                    "1x28x28");
  // Colour: the channel count is part of the shape (the old message said "takes 3x12x12
  // images; the dataset has 12x12" and meant the channels).
  const auto rgb = testing::example_cnn(net::WeightForm::Dense8, 1, 12, 12, 3);
  CHECK_THROWS_WITH(ref::evaluate(rgb, testing::random_dataset(2, 12, 12, 10, 1)),
                    "network 'example-cnn-dense8' takes 3x12x12 images; the data set's are "
                    "1x12x12");
  CHECK(ref::evaluate(rgb, testing::random_dataset(2, 12, 12, 10, 1, 3)).predictions.size() == 2);
}

// The arithmetic of docs/arithmetic.md written as plainly as possible: one output at a time,
// 64-bit sums, 128-bit requantization. The reference's kernels (zero skipping, int32 lanes,
// shifted planes) must agree with it everywhere.
namespace {

__extension__ typedef __int128 oracle_wide;

int32_t oracle_requantize(int64_t acc, const net::Layer& l, int64_t o) {
  const oracle_wide a = std::clamp<int64_t>(acc, -(int64_t{1} << (l.acc_bits - 1)),
                                            (int64_t{1} << (l.acc_bits - 1)) - 1);
  const oracle_wide p = a * l.requant.multiplier_for(o);
  const int64_t s = l.requant.shift;
  oracle_wide r = s > 0 ? (p + (oracle_wide{1} << (s - 1))) >> s : p;
  const oracle_wide lo = l.relu ? 0 : -(oracle_wide{1} << (l.out_bits - 1));
  const oracle_wide hi =
      l.relu ? (oracle_wide{1} << l.out_bits) - 1 : (oracle_wide{1} << (l.out_bits - 1)) - 1;
  r = std::clamp(r, lo, hi);
  return static_cast<int32_t>(r);
}

std::vector<int32_t> oracle_layer(const net::Layer& l, const ref::Tensor& in,
                                  const net::TensorType& out) {
  const net::WeightMatrix w = l.weights.decode();
  std::vector<int32_t> y(static_cast<size_t>(out.size()));
  for (int64_t o = 0; o < out.channels; ++o)
    for (int64_t oy = 0; oy < out.height; ++oy)
      for (int64_t ox = 0; ox < out.width; ++ox) {
        int64_t acc = l.bias.empty() ? 0 : l.bias[static_cast<size_t>(o)];
        for (int64_t c = 0; c < w.cols; ++c) {
          int64_t x = 0;
          if (l.kind == LayerKind::Dense) {
            x = in.data[static_cast<size_t>(c)];
          } else {
            const int64_t ch = c / (l.kernel_h * l.kernel_w);
            const int64_t iy = oy * l.stride_h - l.pad_h + c / l.kernel_w % l.kernel_h;
            const int64_t ix = ox * l.stride_w - l.pad_w + c % l.kernel_w;
            if (iy >= 0 && iy < in.type.height && ix >= 0 && ix < in.type.width)
              x = in.at(ch, iy, ix);
          }
          acc += w.at(o, c) * x;
        }
        y[static_cast<size_t>((o * out.height + oy) * out.width + ox)] =
            oracle_requantize(acc, l, o);
      }
  return y;
}

}  // namespace

TEST_CASE("conv and dense kernels equal the plain arithmetic on random layers", "[reference]") {
  std::mt19937 rng(2026);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int wide = 0;
  for (int trial = 0; trial < 300; ++trial) {
    net::Network n;
    n.name = "random";
    n.classes = 1;
    // 16-bit inputs with many reduction columns reach past int32: the int64 kernels run too.
    const int bits = pick(0, 1) ? 16 : 8;
    n.input = {pick(1, 30), pick(1, 9), pick(1, 9), bits, 0};
    const bool conv = pick(0, 2) > 0;
    net::Layer l;
    l.name = "layer";
    l.in_channels = n.input.channels;
    l.out_channels = pick(1, 6);
    if (conv) {
      l.kind = LayerKind::Conv2d;
      l.kernel_h = pick(1, 5), l.kernel_w = pick(1, 5);
      l.stride_h = pick(0, 1) ? 1 : pick(2, 3), l.stride_w = pick(0, 1) ? 1 : pick(2, 3);
      l.pad_h = pick(0, 2), l.pad_w = pick(0, 2);
      n.input.height = std::max(n.input.height, l.kernel_h - 2 * l.pad_h);
      n.input.width = std::max(n.input.width, l.kernel_w - 2 * l.pad_w);
    } else {
      l.kind = LayerKind::Dense;
      l.in_channels = n.input.channels * n.input.height * n.input.width;
      n.input.channels = l.in_channels, n.input.height = n.input.width = 1;
    }
    const int64_t cols = conv ? l.in_channels * l.kernel_h * l.kernel_w : l.in_channels;
    net::WeightMatrix w(l.out_channels, cols);
    for (auto& v : w.values) v = static_cast<int8_t>(pick(0, 2) ? 0 : pick(-128, 127));
    l.weights = net::encode_dense8(w);
    for (int64_t o = 0; o < l.out_channels; ++o) l.bias.push_back(pick(-100000, 100000));
    l.relu = pick(0, 1);
    l.out_bits = static_cast<int>(l.relu ? pick(1, 16) : pick(2, 32));
    l.acc_bits = static_cast<int>(pick(0, 1) ? pick(8, 32) : pick(33, 48));  // both requantizers
    l.requant.shift = pick(0, 3) ? pick(0, 24) : pick(25, 62);
    if (pick(0, 1))
      for (int64_t o = 0; o < l.out_channels; ++o)
        l.requant.multipliers.push_back(static_cast<int32_t>(pick(1, (int64_t{1} << 31) - 1)));
    else
      l.requant.multiplier = pick(1, 1 << 20);
    n.layers = {l};
    n.classes = conv ? l.out_channels *
                           ((n.input.height + 2 * l.pad_h - l.kernel_h) / l.stride_h + 1) *
                           ((n.input.width + 2 * l.pad_w - l.kernel_w) / l.stride_w + 1)
                     : l.out_channels;
    const ref::Reference r(n);
    ref::Tensor in{net::input_type(n.input), {}};
    for (int64_t i = 0; i < in.type.size(); ++i)
      in.data.push_back(static_cast<int32_t>(pick(0, (int64_t{1} << bits) - 1)));
    const net::TensorType out = net::infer_types(n, n.name)[0];
    INFO("trial " << trial << (conv ? " conv" : " dense") << " cols " << cols);
    REQUIRE(r.layer(0, in).data == oracle_layer(l, in, out));
    wide += 127.0 * ((1 << bits) - 1) * cols >= 2147483647.0;
  }
  CHECK(wide > 20);  // the int64 kernels were exercised
}

TEST_CASE("the reference ahead gives every image's outputs in order and stops early",
          "[reference]") {
  const auto n = testing::example_cnn(net::WeightForm::NK, 3, 12, 12);
  const auto d = testing::random_dataset(9, 12, 12, 10, 4);
  std::vector<const uint8_t*> images;
  for (int64_t i = 0; i < d.count; ++i) images.push_back(d.image(i));
  const ref::Reference r(n);
  for (size_t window : {size_t{0}, size_t{1}, size_t{3}}) {
    ref::ReferenceAhead ahead(r, images, window);
    for (int64_t i = 0; i < d.count; ++i) {
      const std::vector<ref::Tensor> got = ahead.take(), want = r.run_all(d.image(i));
      REQUIRE(got.size() == want.size());
      for (size_t l = 0; l < got.size(); ++l) CHECK(got[l].data == want[l].data);
    }
    CHECK_THROWS_AS(ahead.take(), std::logic_error);
  }
  // Destroyed with images left: the worker stops rather than computing them all.
  ref::ReferenceAhead partial(r, images, 2);
  CHECK(partial.take()[0].data == r.run_all(d.image(0))[0].data);
}
