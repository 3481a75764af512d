#include "sim/import/onnx_constants.hpp"

#include <cmath>
#include <cstring>

#include "sim/util/limits.hpp"

namespace trine::import {

namespace {

using onnx::TensorProto;

// Bytes of one element, 0 for a type trine does not read.
size_t element_bytes(int type) {
  switch (type) {
    case TensorProto::UINT8:
    case TensorProto::INT8:
    case TensorProto::BOOL:
      return 1;
    case TensorProto::INT16:
    case TensorProto::UINT16:
      return 2;
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::DOUBLE:
    case TensorProto::INT64:
      return 8;
    default:
      return 0;
  }
}

double raw_element(const char* p, int type) {
  switch (type) {
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      return static_cast<uint8_t>(*p);
    case TensorProto::INT8:
      return static_cast<int8_t>(*p);
    default:
      break;
  }
  auto take = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  };
  switch (type) {
    case TensorProto::INT16:
      return take(int16_t{});
    case TensorProto::UINT16:
      return take(uint16_t{});
    case TensorProto::FLOAT:
      return take(float{});
    case TensorProto::INT32:
      return take(int32_t{});
    case TensorProto::UINT32:
      return take(uint32_t{});
    case TensorProto::DOUBLE:
      return take(double{});
    default:
      return take(int64_t{});
  }
}

// The range of an integer type (Cast and QuantizeLinear saturate to it).
std::pair<double, double> type_range(int type) {
  switch (type) {
    case TensorProto::UINT8:
      return {0, 255};
    case TensorProto::INT8:
      return {-128, 127};
    case TensorProto::INT16:
      return {-32768, 32767};
    case TensorProto::UINT16:
      return {0, 65535};
    case TensorProto::INT32:
      return {-2147483648.0, 2147483647.0};
    case TensorProto::UINT32:
      return {0, 4294967295.0};
    case TensorProto::BOOL:
      return {0, 1};
    default:
      return {-9.2e18, 9.2e18};
  }
}

bool is_float(int type) {
  return type == TensorProto::FLOAT || type == TensorProto::DOUBLE;
}

}  // namespace

ConstTensor read_constant(const TensorProto& t,
                          const std::function<void(const std::string&)>& fail) {
  ConstTensor c;
  c.type = t.data_type();
  if (t.data_location() == TensorProto::EXTERNAL)
    fail("is stored in an external file; save the model with its weights inside");
  const size_t bytes = element_bytes(c.type);
  if (!bytes) fail("has element type " + std::to_string(c.type) + ", which trine does not read");
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) fail("has a negative dimension");
    if (d && count > limits::kTensorElements / d) fail("is larger than trine's largest tensor");
    count *= d;
    c.dims.push_back(d);
  }
  c.values.resize(static_cast<size_t>(count));
  if (t.has_raw_data()) {
    if (t.raw_data().size() != static_cast<size_t>(count) * bytes)
      fail("holds " + std::to_string(t.raw_data().size()) + " bytes for " + std::to_string(count) +
           " values");
    for (int64_t i = 0; i < count; ++i)
      c.values[static_cast<size_t>(i)] = raw_element(t.raw_data().data() + i * bytes, c.type);
    return c;
  }
  auto copy = [&](const auto& field) {
    if (field.size() != count)
      fail("holds " + std::to_string(field.size()) + " values for " + std::to_string(count));
    for (int64_t i = 0; i < count; ++i)
      c.values[static_cast<size_t>(i)] = static_cast<double>(field[static_cast<int>(i)]);
  };
  if (c.type == TensorProto::FLOAT)
    copy(t.float_data());
  else if (c.type == TensorProto::DOUBLE)
    copy(t.double_data());
  else if (c.type == TensorProto::INT64)
    copy(t.int64_data());
  else if (c.type == TensorProto::UINT32)
    copy(t.uint64_data());
  else
    copy(t.int32_data());
  return c;
}

TensorProto write_constant(const ConstTensor& c, const std::string& name) {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(c.type);
  for (int64_t d : c.dims) t.add_dims(d);
  for (double v : c.values) {
    if (c.type == TensorProto::FLOAT)
      t.add_float_data(static_cast<float>(v));
    else if (c.type == TensorProto::DOUBLE)
      t.add_double_data(v);
    else if (c.type == TensorProto::INT64)
      t.add_int64_data(static_cast<int64_t>(v));
    else if (c.type == TensorProto::UINT32)
      t.add_uint64_data(static_cast<uint64_t>(v));
    else
      t.add_int32_data(static_cast<int32_t>(v));
  }
  return t;
}

bool folds(const std::string& op) {
  return op == "DequantizeLinear" || op == "QuantizeLinear" || op == "Cast" ||
         op == "ConstantOfShape";
}

int64_t axis_index(const std::vector<int64_t>& dims, int64_t axis, int64_t index) {
  int64_t stride = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d) stride *= dims[d];
  return index / stride % dims[static_cast<size_t>(axis)];
}

double dequantize(const ConstTensor& q, const ConstTensor& scale, const ConstTensor* zero,
                  int64_t axis, int64_t index) {
  const int64_t k = scale.size() == 1 ? 0 : axis_index(q.dims, axis, index);
  const double zp =
      zero && zero->size() ? zero->values[static_cast<size_t>(zero->size() == 1 ? 0 : k)] : 0;
  return (q.values[static_cast<size_t>(index)] - zp) * scale.values[static_cast<size_t>(k)];
}

namespace {

// The axis of a per-axis scale, checked against the tensor.
int64_t scale_axis(const onnx::NodeProto& node, const ConstTensor& x, const ConstTensor& scale,
                   const ConstTensor* zero, const std::function<void(const std::string&)>& fail) {
  int64_t axis = 1;
  for (const auto& a : node.attribute())
    if (a.name() == "axis") axis = a.i();
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  if (axis < 0) axis += rank;
  if (scale.size() != 1 &&
      (axis < 0 || axis >= rank || scale.size() != x.dims[static_cast<size_t>(axis)]))
    fail("a scale of " + std::to_string(scale.size()) + " values does not fit axis " +
         std::to_string(axis) + " of the tensor");
  if (scale.size() == 0) fail("has no scale");
  if (zero && zero->size() && zero->size() != scale.size())
    fail("its zero point and scale differ in size");
  return axis;
}

}  // namespace

namespace {

ConstTensor evaluate(const std::string& op, const std::vector<const ConstTensor*>& in,
                     const onnx::NodeProto& node,
                     const std::function<void(const std::string&)>& fail);

}  // namespace

// Evaluates, then checks that every value fits its type: a float one a float, an integer one
// no NaN (a weight of infinity is an input error, not a number to compute with).
ConstTensor fold(const std::string& op, const std::vector<const ConstTensor*>& in,
                 const onnx::NodeProto& node, const std::function<void(const std::string&)>& fail) {
  ConstTensor out = evaluate(op, in, node, fail);
  for (double v : out.values)
    if (is_float(out.type) ? !std::isfinite(v) || std::fabs(v) > 3.4e38 : std::isnan(v))
      fail("gives a value that is not a finite " +
           std::string(is_float(out.type) ? "float" : "integer"));
  return out;
}

namespace {

ConstTensor evaluate(const std::string& op, const std::vector<const ConstTensor*>& in,
                     const onnx::NodeProto& node,
                     const std::function<void(const std::string&)>& fail) {
  auto attribute = [&](const char* name) -> const onnx::AttributeProto* {
    for (const auto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  };
  ConstTensor out;
  if (op == "Cast") {
    const onnx::AttributeProto* to = attribute("to");
    if (!to || !element_bytes(static_cast<int>(to->i())))
      fail("casts to a type trine does not read");
    out = *in[0];
    out.type = static_cast<int>(to->i());
    if (!is_float(out.type)) {
      const auto [lo, hi] = type_range(out.type);
      for (double& v : out.values) v = std::clamp(std::trunc(v), lo, hi);
    }
    return out;
  }
  if (op == "ConstantOfShape") {
    int64_t count = 1;
    for (double d : in[0]->values) {
      if (!(d >= 0) || d > static_cast<double>(limits::kTensorElements) ||
          (d && count > limits::kTensorElements / static_cast<int64_t>(d)))
        fail("makes a tensor past trine's largest");
      count *= static_cast<int64_t>(d);
      out.dims.push_back(static_cast<int64_t>(d));
    }
    double fill = 0;
    out.type = TensorProto::FLOAT;
    if (const onnx::AttributeProto* v = attribute("value")) {
      const ConstTensor one = read_constant(v->t(), fail);
      if (one.size() != 1) fail("its value must be one element");
      fill = one.values[0], out.type = one.type;
    }
    out.values.assign(static_cast<size_t>(count), fill);
    return out;
  }
  const ConstTensor& x = *in[0];
  const ConstTensor& scale = *in[1];
  const ConstTensor* zero = in.size() > 2 ? in[2] : nullptr;
  const int64_t axis = scale_axis(node, x, scale, zero, fail);
  out.dims = x.dims;
  out.values.resize(x.values.size());
  if (op == "DequantizeLinear") {
    out.type = TensorProto::FLOAT;
    for (int64_t i = 0; i < x.size(); ++i)
      out.values[static_cast<size_t>(i)] = dequantize(x, scale, zero, axis, i);
    return out;
  }
  // QuantizeLinear: saturate(round_half_even(x / scale) + zero_point), uint8 by default.
  out.type = zero && zero->size() ? zero->type : TensorProto::UINT8;
  const auto [lo, hi] = type_range(out.type);
  for (int64_t i = 0; i < x.size(); ++i) {
    const int64_t k = scale.size() == 1 ? 0 : axis_index(x.dims, axis, i);
    const double zp =
        zero && zero->size() ? zero->values[static_cast<size_t>(zero->size() == 1 ? 0 : k)] : 0;
    out.values[static_cast<size_t>(i)] = std::clamp(
        std::nearbyint(x.values[static_cast<size_t>(i)] / scale.values[static_cast<size_t>(k)]) +
            zp,
        lo, hi);
  }
  return out;
}

}  // namespace

}  // namespace trine::import
