#pragma once
// Builds small networks by hand for tests and examples: random weights that satisfy each weight
// form's constraints, deterministic for a seed.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/net/network.hpp"
#include "sim/train/spec.hpp"

namespace trine::testing {

// A random weight matrix that `form` can represent (N=8,k=2; alpha=4; 3-bit 4x4 blocks).
net::WeightMatrix random_matrix(net::WeightForm form, int64_t rows, int64_t cols,
                                std::mt19937& rng);
net::Weights encode_as(net::WeightForm form, const net::WeightMatrix& w);

net::Layer dense_layer(const std::string& name, net::Weights w, bool relu, int out_bits,
                       int64_t shift, std::mt19937& rng);
net::Layer conv_layer(const std::string& name, int64_t in_ch, int64_t out_ch, int k, int stride,
                      int pad, net::Weights w, int64_t shift, std::mt19937& rng);
net::Layer pool_layer(const std::string& name, net::LayerKind kind, int k, int stride);

// conv(pad 1, `channels` in) -> maxpool -> conv(stride 2) -> avgpool? -> flatten -> dense -> dense,
// every compute layer in `form`, for images of height x width.
net::Network example_cnn(net::WeightForm form, uint32_t seed, int64_t height = 12,
                         int64_t width = 12, int64_t channels = 1);
// LeNet-5 for 28x28 images: conv 6@5x5 (pad 2) -> maxpool -> conv 16@5x5 -> maxpool ->
// flatten -> dense 120 -> dense 84 -> dense 10, every compute layer in `form`.
net::Network lenet5(net::WeightForm form, uint32_t seed);
// A graph (format 1.1) on 1x8x8 images: conv1 -> conv2; add(conv1, conv2); side = 1x1 conv
// of the input; concat(add, side) -> depthwise 3x3 conv "dw" -> shift -> globalavgpool ->
// dense 10.
net::Network example_graph(net::WeightForm form, uint32_t seed);
// A random graph for property tests: an input of 1-3 channels and 5-10 pixels a side, then 3-6
// random blocks (convolution, grouped or depthwise convolution, a residual pair of
// convolutions joined by an add, two branches joined by a concat, shift, max or average
// pooling), then global pooling or flatten and a dense classifier; every compute layer in
// `form`. Adds without a fused relu are followed by a relu layer (compute layers take unsigned
// activations).
net::Network random_graph(net::WeightForm form, uint32_t seed);
// A trainer network spec (a family, a YAML graph) with random weights in `form` instead of
// trained ones, requantization shifts set from each layer's reduction size: what a benchmark
// of a family's shape needs (its values are checked bit-exact, not meaningful).
net::Network random_weights(const train::NetSpec& spec, net::WeightForm form, uint32_t seed);
// dense -> dense -> dense in `form`.
net::Network example_mlp(net::WeightForm form, uint32_t seed, int64_t inputs = 64);

// `count` random images (of `channels` x height x width) with random labels in [0, classes).
data::Dataset random_dataset(int64_t count, int64_t height, int64_t width, int classes,
                             uint32_t seed, int64_t channels = 1);

// .tnet surgery for tests of the reader: a little-endian u64 of the file; its manifest; the
// file with the manifest replaced and the header's sizes and checksums fixed, so that the
// reader's own checks of the manifest decide.
uint64_t tnet_u64(const std::vector<uint8_t>& file, size_t at);
std::string tnet_manifest(const std::vector<uint8_t>& file);
std::vector<uint8_t> with_manifest(const std::vector<uint8_t>& file, const std::string& manifest);

}  // namespace trine::testing
