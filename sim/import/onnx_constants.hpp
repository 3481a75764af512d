#pragma once
// Constant tensors of an ONNX graph as plain values, and the constant subgraphs that quantized
// (QDQ) models compute their weights and biases with: DequantizeLinear, QuantizeLinear, Cast and
// ConstantOfShape of constants, evaluated once when the model is read (docs/import.md).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace trine::import {

struct ConstTensor {
  int type = onnx::TensorProto::FLOAT;  // onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  std::vector<double> values;  // every element type as double (exact for 8 to 32-bit integers)
  int64_t size() const { return static_cast<int64_t>(values.size()); }
};

// Reads a constant; `fail` is called (and must throw) for a tensor trine cannot read: external
// data, dimensions past the tensor limit, data of another size than the dimensions say, an
// element type other than float, double and 8 to 64-bit integers.
ConstTensor read_constant(const onnx::TensorProto& t,
                          const std::function<void(const std::string&)>& fail);
onnx::TensorProto write_constant(const ConstTensor& c, const std::string& name);

// The operators evaluated on constants.
bool folds(const std::string& op);

// One node of `op` on constant inputs (an empty name: an absent optional input, given as a
// tensor of no dimensions and no values). `attrs` are the node's. `fail` as above.
ConstTensor fold(const std::string& op, const std::vector<const ConstTensor*>& inputs,
                 const onnx::NodeProto& node, const std::function<void(const std::string&)>& fail);

// DequantizeLinear's arithmetic on one value: (q - zero_point) x scale, with the scale and zero
// point of the value's index along `axis` (one of each when they are scalars).
double dequantize(const ConstTensor& q, const ConstTensor& scale, const ConstTensor* zero,
                  int64_t axis, int64_t index);
// The index along `axis` of element `index` of a tensor of `dims`.
int64_t axis_index(const std::vector<int64_t>& dims, int64_t axis, int64_t index);

}  // namespace trine::import
