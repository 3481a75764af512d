#include <catch2/catch.hpp>

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
                    "network 'example-cnn-dense8' takes 1x12x12 images; the dataset has 1x28x28");
}
