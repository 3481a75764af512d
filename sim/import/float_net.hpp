#pragma once
// A network as an imported model defines it, before quantization: trine's layer kinds with
// float weights, batch normalization already folded, activations fused into their producers
// (docs/import.md). The importer's float evaluation, calibration and quantization work on it.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/net/network.hpp"

namespace trine::import {

struct Shape {
  int64_t channels = 0, height = 0, width = 0;
  int64_t size() const { return channels * height * width; }
  bool operator==(const Shape& o) const {
    return channels == o.channels && height == o.height && width == o.width;
  }
};
std::string shape_text(const Shape& s);  // "CxHxW"

struct FloatLayer {
  std::string name;  // the ONNX node's name (its first output's when it has none), unique
  std::string ops;   // the ONNX operators it came from, e.g. "Conv+BatchNormalization+Relu"
  net::LayerKind kind = net::LayerKind::Dense;
  std::vector<int> inputs;  // layer indices, -1 for the image
  Shape out;                // its output's shape
  // Dense: in_channels = input features; weights are out_channels x in_channels. Conv2d:
  // out_channels x (in_channels / groups x kernel_h x kernel_w), as net::Layer.
  int64_t in_channels = 0, out_channels = 0, groups = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  std::vector<float> weights;
  std::vector<float> bias;  // out_channels values or empty
  // A fused relu (compute layers and adds): y = min(max(x, 0), cap). Clip(0, 6) is a relu
  // capped at 6; a plain Relu's cap is infinite.
  bool relu = false;
  float cap = std::numeric_limits<float>::infinity();
  // Quantized (QDQ) models: the scale, zero point and integer type (onnx::TensorProto's) that
  // a QuantizeLinear / DequantizeLinear pair gives this layer's output (scale 0: none).
  struct Fixed {
    double scale = 0, zero_point = 0;
    int type = 0;
  } fixed;
  // Weights a DequantizeLinear gave as integer codes (as `weights`, q - zero point) with one
  // scale per output channel: quantization keeps them as they are. Empty otherwise.
  std::vector<int32_t> codes;
  std::vector<double> code_scales;
  bool is_compute() const {
    return kind == net::LayerKind::Dense || kind == net::LayerKind::Conv2d;
  }
  int64_t cols() const {
    return kind == net::LayerKind::Dense ? in_channels : in_channels / groups * kernel_h * kernel_w;
  }
};

// torchvision's Normalize after ToTensor: the model's input is (pixel / 255 - mean_c) / std_c.
// Empty mean and std: pixel / 255.
struct Normalization {
  std::vector<float> mean, std;
  bool identity() const { return mean.empty(); }
};

using LayerFixedInput = FloatLayer::Fixed;

struct FloatNet {
  std::string name;
  Shape input;
  Normalization norm;
  std::vector<FloatLayer> layers;  // in an order where every input comes first
  LayerFixedInput input_fixed;     // the image's QuantizeLinear, if any (see FloatLayer::fixed)
  int opset = 0;
  int nodes = 0;  // in the ONNX graph
  // Operators dropped on import (Identity, Dropout, a final Softmax), counted for the summary.
  std::vector<std::string> dropped;
  int64_t classes() const { return layers.back().out.size(); }
  // A quantized (QDQ) model: some tensor has a scale of its own.
  bool quantized() const {
    if (input_fixed.scale > 0) return true;
    for (const FloatLayer& l : layers)
      if (l.fixed.scale > 0 || !l.codes.empty()) return true;
    return false;
  }
};

}  // namespace trine::import
