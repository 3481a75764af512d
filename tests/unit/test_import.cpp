// ONNX import (issue 26): models built here with the ONNX protobuf classes; the folding of batch
// normalization and of the input normalization computed by hand, the calibration ranges, the
// scales an add and a concat get, and the located errors of what trine cannot import.
#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>

#include <cmath>

#include "sim/import/float_forward.hpp"
#include "sim/import/onnx_reader.hpp"
#include "sim/import/quantize.hpp"
#include "sim/ref/reference.hpp"
#include "sim/util/error.hpp"

using namespace trine;

namespace {

// A model of one 1 x C x H x W image input "x" and one output "y", built node by node.
struct Builder {
  onnx::ModelProto m;
  explicit Builder(int64_t c = 1, int64_t h = 4, int64_t w = 4, int opset = 13) {
    m.set_ir_version(7);
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    m.mutable_graph()->set_name("g");
    tensor_info(m.mutable_graph()->add_input(), "x", {1, c, h, w});
  }
  static void tensor_info(onnx::ValueInfoProto* v, const std::string& name,
                          const std::vector<int64_t>& dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void floats(const std::string& name, const std::vector<int64_t>& dims,
              const std::vector<float>& v) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float f : v) t->add_float_data(f);
  }
  void ints(const std::string& name, const std::vector<int64_t>& v) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t i : v) t->add_int64_data(i);
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins,
                        const std::string& out, const std::string& name) {
    auto* n = m.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t i : v) a->add_ints(i);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  import::FloatNet read(const std::string& output, const std::vector<int64_t>& dims){
      tensor_info(m.mutable_graph()->add_output(), output, dims);
  return import::parse_onnx(m.SerializeAsString(), "m.onnx");
} std::string error(const std::string& output, const std::vector<int64_t>& dims) {
  try {
    read(output, dims);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}
};  // namespace

data::Dataset one_image(const import::FloatNet& n, std::vector<uint8_t> pixels) {
  data::Dataset d;
  d.count = 1, d.channels = n.input.channels, d.height = n.input.height, d.width = n.input.width;
  d.pixels = std::move(pixels);
  d.labels = {0};
  return d;
}

// relu(relu(1 x image) + relu(w x image)) as `out`: convolutions c1 and c2 (outputs "ar" and
// "cr"), their add (layer 2) and its relu.
void two_branch_add(Builder& b, float w, const std::string& out) {
  b.floats("w1", {1, 1, 1, 1}, {1.0f});
  b.floats("w2", {1, 1, 1, 1}, {w});
  b.node("Conv", {"x", "w1"}, "a", "c1");
  b.node("Relu", {"a"}, "ar", "r1");
  b.node("Conv", {"x", "w2"}, "c", "c2");
  b.node("Relu", {"c"}, "cr", "r2");
  b.node("Add", {"ar", "cr"}, "sum", "add");
  b.node("Relu", {"sum"}, out, "r3");
}

std::vector<import::Projection> dense8(const import::FloatNet& n) {
  return import::project_all(n, gen::parse_form("dense8", -1));
}

}  // namespace

TEST_CASE("import: batch norm folds into the convolution before it, by hand", "[import]") {
  Builder b(1, 2, 2);
  b.floats("w", {2, 1, 1, 1}, {2.0f, -1.0f});
  b.floats("bias", {2}, {0.5f, 0.0f});
  b.floats("g", {2}, {3.0f, 1.0f});
  b.floats("beta", {2}, {1.0f, 2.0f});
  b.floats("mean", {2}, {0.5f, -1.0f});
  b.floats("var", {2}, {3.0f, 0.0f});
  b.node("Conv", {"x", "w", "bias"}, "c", "conv");
  auto* bn = b.node("BatchNormalization", {"c", "g", "beta", "mean", "var"}, "n", "bn");
  auto* eps = bn->add_attribute();
  eps->set_name("epsilon");
  eps->set_type(onnx::AttributeProto::FLOAT);
  eps->set_f(1.0f);
  b.node("Relu", {"n"}, "y", "relu");
  const import::FloatNet n = b.read("y", {1, 2, 2, 2});
  REQUIRE(n.layers.size() == 1);
  const import::FloatLayer& l = n.layers[0];
  CHECK(l.ops == "Conv+BatchNormalization+Relu");
  CHECK(l.relu);
  // f = g / sqrt(var + eps): 3 / 2 = 1.5 and 1 / 1 = 1; w' = w f; b' = (b - mean) f + beta.
  CHECK(l.weights == std::vector<float>{3.0f, -1.0f});
  CHECK(l.bias == std::vector<float>{1.0f, 3.0f});
  // In float: pixel 255 is 1.0; channel 0: relu(3 + 1) = 4, channel 1: relu(-1 + 3) = 2.
  const auto out = import::forward_all(n, std::vector<uint8_t>(4, 255).data());
  CHECK(out[0] == std::vector<float>{4, 4, 4, 4, 2, 2, 2, 2});
}

TEST_CASE("import: the input normalization folds into the first layer", "[import]") {
  Builder b(2, 3, 3);
  b.floats("w", {1, 2, 1, 1}, {1.0f, 2.0f});
  b.node("Conv", {"x", "w"}, "c", "conv");
  b.node("Relu", {"c"}, "y", "relu");
  import::FloatNet n = b.read("y", {1, 1, 3, 3});
  n.norm = {{0.5f, 0.25f}, {0.5f, 2.0f}};
  const import::FloatNet folded = import::fold_normalization(n, "m.onnx");
  // (p/255 - 0.5) / 0.5 + 2 (p/255 - 0.25) / 2: weights 1/0.5 = 2 and 2/2 = 1, bias -1 - 0.25.
  CHECK(folded.layers[0].weights == std::vector<float>{2.0f, 1.0f});
  CHECK(folded.layers[0].bias[0] == Approx(-1.25f));
  CHECK(folded.norm.identity());
  // Both compute the same (no padding here), pixel for pixel.
  std::vector<uint8_t> px(18);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i * 14);
  const auto a = import::forward_all(n, px.data()), f = import::forward_all(folded, px.data());
  for (size_t e = 0; e < a[0].size(); ++e) CHECK(a[0][e] == Approx(f[0][e]).margin(1e-5));
}

TEST_CASE("import: quantiles of a range are bin edges at most 3.2 % above", "[import]") {
  import::Range r;
  for (int i = 1; i <= 1000; ++i) r.add(i / 100.0);
  r.add(0);  // zeros are not counted
  CHECK(r.values == 1000);
  CHECK(r.max == 10.0);
  CHECK(r.quantile(1.0) == 10.0);
  const double q = r.quantile(0.5);  // the 500th value is 5.0
  CHECK(q >= 5.0);
  CHECK(q <= 5.0 * 1.032);
  CHECK(import::Range{}.quantile(0.5) == 0);
}

TEST_CASE("import: an add rescales each input to its scale, a concat shares one", "[import]") {
  Builder b(1, 2, 2);
  two_branch_add(b, 3.0f, "s");
  b.node("Concat", {"s", "ar"}, "y", "cat")->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(1);
    return a;
  }());
  const import::FloatNet n = b.read("y", {1, 2, 2, 2});
  const data::Dataset d = one_image(n, {255, 255, 255, 255});
  const import::FloatRun run = import::run_float(n, d, 1, true);
  import::QuantOptions o;
  o.calibration.rule = import::Calibration::Rule::MinMax;
  const import::Quantized q = import::quantize(n, dense8(n), run, o, "m.onnx");
  // The add and the first convolution share the concat's scale, the larger range (4 / 255).
  CHECK(q.scales[0].scale == Approx(4.0 / 255));
  CHECK(q.scales[2].scale == Approx(4.0 / 255));
  CHECK(q.scales[1].scale == Approx(3.0 / 255));
  // The add's inputs: 1 to 1 and 3/4 of a unit, as multiplier / 2^shift.
  const net::Layer& add = q.net.layers[2];
  CHECK(std::ldexp(static_cast<double>(add.scales[0].multiplier),
                   -static_cast<int>(add.scales[0].shift)) == Approx(1.0));
  CHECK(std::ldexp(static_cast<double>(add.scales[1].multiplier),
                   -static_cast<int>(add.scales[1].shift)) == Approx(0.75));
  // The integer network: the add's 64 + 255 x 3/4 = 255 (1 + 3 at 4/255 a unit), then the
  // first convolution's 1.0 at that scale, 63.75, rounded to 64.
  const ref::Tensor t = ref::Reference(q.net).run(d.image(0));
  CHECK(t.data == std::vector<int32_t>{255, 255, 255, 255, 64, 64, 64, 64});
}

TEST_CASE("import: what trine cannot honour is one error naming the node", "[import]") {
  auto conv = [](Builder& b, const std::vector<int64_t>& pads) {
    b.floats("w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
    Builder::attr(b.node("Conv", {"x", "w"}, "y", "conv"), "pads", pads);
  };
  Builder asym;
  conv(asym, {1, 1, 0, 0});
  CHECK_THAT(asym.error("y", {1, 1, 3, 3}),
             Catch::Contains("node 'conv' (Conv): pads [1, 1, 0, 0] differ between the sides"));
  Builder dilated;
  dilated.floats("w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  Builder::attr(dilated.node("Conv", {"x", "w"}, "y", "conv"), "dilations", {2, 2});
  CHECK_THAT(dilated.error("y", {1, 1, 2, 2}),
             Catch::Contains("node 'conv' (Conv): dilated windows are not supported"));
  Builder avg;
  auto* pool = avg.node("AveragePool", {"x"}, "y", "avg");
  Builder::attr(pool, "kernel_shape", {3, 3});
  Builder::attr(pool, "pads", {1, 1, 1, 1});
  CHECK_THAT(avg.error("y", {1, 1, 4, 4}), Catch::Contains("count_include_pad 0 with padding"));
  Builder ceil;
  auto* p = ceil.node("MaxPool", {"x"}, "y", "pool");
  Builder::attr(p, "kernel_shape", {3, 3});
  Builder::attr(p, "strides", {2, 2});
  Builder::attr(p, "ceil_mode", 1);
  CHECK_THAT(ceil.error("y", {1, 1, 2, 2}), Catch::Contains("ceil_mode 1 adds a partial window"));
  Builder bn;
  for (const char* name : {"g", "b", "m", "v"}) bn.floats(name, {1}, {1.0f});
  bn.node("BatchNormalization", {"x", "g", "b", "m", "v"}, "y", "bn");
  CHECK_THAT(bn.error("y", {1, 1, 4, 4}),
             Catch::Contains("node 'bn' (BatchNormalization): it follows no Conv or Gemm"));
  Builder reshape;
  reshape.ints("shape", {1, 2, 8});
  reshape.node("Reshape", {"x", "shape"}, "y", "rs");
  CHECK_THAT(reshape.error("y", {1, 2, 8}),
             Catch::Contains("node 'rs' (Reshape): trine imports the Reshape that flattens"));
  Builder padded;
  padded.ints("p", {0, 0, 1, 1, 0, 0, 1, 1});
  padded.node("Pad", {"x", "p"}, "xp", "pad");
  auto* mp = padded.node("MaxPool", {"xp"}, "y", "pool");
  Builder::attr(mp, "kernel_shape", {2, 2});
  CHECK_THAT(padded.error("y", {1, 1, 5, 5}),
             Catch::Contains("node 'pool' (MaxPool): reads the output of a Pad"));
  Builder two;
  two.node("Relu", {"x"}, "y", "relu");
  Builder::tensor_info(two.m.mutable_graph()->add_input(), "x2", {1, 1, 4, 4});
  CHECK_THAT(two.error("y", {1, 1, 4, 4}), Catch::Contains("the graph has 2 inputs"));
  CHECK_THROWS_WITH(import::parse_onnx("not a model at all", "m.onnx"),
                    Catch::Contains("m.onnx: not an ONNX model"));
}

TEST_CASE("import: a compute layer reading negative values is refused", "[import]") {
  Builder b(1, 2, 2);
  b.floats("w", {1, 1, 1, 1}, {1.0f});
  b.floats("w2", {1, 1, 1, 1}, {1.0f});
  b.node("Conv", {"x", "w"}, "a", "c1");
  b.node("Conv", {"a", "w2"}, "y", "c2");
  const import::FloatNet n = b.read("y", {1, 1, 2, 2});
  const import::FloatRun run = import::run_float(n, one_image(n, {1, 2, 3, 4}), 1, true);
  CHECK_THROWS_WITH(import::quantize(n, dense8(n), run, {}, "m.onnx"),
                    Catch::Contains("layer 'c2' (Conv) reads values that can be negative"));
}

TEST_CASE("import: a QDQ model keeps its int8 codes and its activation scales", "[import]") {
  Builder b(1, 2, 2);
  auto typed = [&](const std::string& name, int type, const std::vector<int64_t>& dims,
                   const std::vector<int32_t>& v) {
    auto* t = b.m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    for (int32_t x : v) t->add_int32_data(x);
  };
  typed("wq", onnx::TensorProto::INT8, {2, 1, 1, 1}, {100, -50});
  b.floats("ws", {2}, {0.01f, 0.04f});
  typed("wz", onnx::TensorProto::INT8, {2}, {0, 0});
  typed("az", onnx::TensorProto::UINT8, {}, {0});
  b.floats("as", {}, {0.02f});
  b.ints("shape", {2});
  Builder::attr(b.node("DequantizeLinear", {"wq", "ws", "wz"}, "w", "dqw"), "axis", int64_t{0});
  b.node("ConstantOfShape", {"shape"}, "zeros", "cos");  // float zeros: a bias of 0
  b.node("Conv", {"x", "w", "zeros"}, "c", "conv");
  b.node("Relu", {"c"}, "r", "relu");
  b.node("QuantizeLinear", {"r", "as", "az"}, "rq", "q");
  Builder::attr(b.node("Cast", {"rq"}, "rc", "cast"), "to", int64_t{onnx::TensorProto::UINT8});
  b.node("DequantizeLinear", {"rc", "as", "az"}, "y", "dq");
  const import::FloatNet n = b.read("y", {1, 2, 2, 2});
  REQUIRE(n.layers.size() == 1);
  const import::FloatLayer& l = n.layers[0];
  CHECK(l.codes == std::vector<int32_t>{100, -50});
  CHECK(l.code_scales == std::vector<double>{0.01f, 0.04f});
  CHECK(l.weights == std::vector<float>{1.0f, -2.0f});
  CHECK(l.fixed.scale == Approx(0.02));
  CHECK(n.quantized());
  // The float model applies the pair: 255 -> 1.0 x 1.0 = 1.0 = 50 units of 0.02; channel 1's
  // -2.0 is cut by the relu.
  const auto out = import::forward_all(n, std::vector<uint8_t>(4, 255).data());
  CHECK(out[0] == std::vector<float>{1, 1, 1, 1, 0, 0, 0, 0});
  // Quantized with the model's codes and the pair's scale.
  const data::Dataset d = one_image(n, {255, 255, 255, 255});
  const import::Quantized q =
      import::quantize(n, dense8(n), import::run_float(n, d, 1, true), {}, "m.onnx");
  CHECK(q.scales[0].scale == Approx(0.02));
  CHECK(q.net.layers[0].weights.decode().values == std::vector<int8_t>{100, -50});
  CHECK(ref::Reference(q.net).run(d.image(0)).data ==
        std::vector<int32_t>{50, 50, 50, 50, 0, 0, 0, 0});
  REQUIRE(q.notes.size() == 1);
  CHECK(q.notes[0].how == "kept");
  // A DequantizeLinear of a float tensor is not the QDQ form.
  Builder bad(1, 2, 2);
  bad.floats("s", {}, {0.1f});
  bad.node("DequantizeLinear", {"x", "s"}, "y", "dq");
  CHECK_THAT(bad.error("y", {1, 1, 2, 2}),
             Catch::Contains("node 'dq' (DequantizeLinear): dequantizes a tensor that no "
                             "QuantizeLinear made"));
}

TEST_CASE("import: an add of very different scales rescales within its 31-bit shift", "[import]") {
  // Ranges 1 and 20: the first input's ratio to the sum's scale is 1/21, which a shift of
  // more than 31 would represent best; the arithmetic takes at most 31 (docs/arithmetic.md).
  Builder b(1, 2, 2);
  two_branch_add(b, 20.0f, "y");
  const import::FloatNet n = b.read("y", {1, 1, 2, 2});
  const data::Dataset d = one_image(n, {255, 255, 255, 255});
  import::QuantOptions o;
  o.calibration.rule = import::Calibration::Rule::MinMax;
  const import::Quantized q =
      import::quantize(n, dense8(n), import::run_float(n, d, 1, true), o, "m.onnx");
  const net::Requant& small = q.net.layers[2].scales[0];
  CHECK(small.shift <= 31);
  CHECK(std::ldexp(static_cast<double>(small.multiplier), -static_cast<int>(small.shift)) ==
        Approx(1.0 / 21).epsilon(1e-6));
  // 255 x 1/21 + 255 x 20/21 = 255.
  CHECK(ref::Reference(q.net).run(d.image(0)).data == std::vector<int32_t>(4, 255));
}

TEST_CASE("import: a model past the work trine evaluates is refused before any", "[import]") {
  // 4 x 1024 x 1024 image, 16 filters of 4 x 64 x 64: 0.26 M weights and 19 M activations,
  // but 2.4e11 multiply-accumulates per image, over the 2^36 limit.
  Builder b(4, 1024, 1024);
  b.floats("w", {16, 4, 64, 64}, std::vector<float>(16 * 4 * 64 * 64, 0.01f));
  b.node("Conv", {"x", "w"}, "y", "huge");
  CHECK_THAT(b.error("y", {1, 16, 961, 961}),
             Catch::Contains("m.onnx: the model has 2.421e+11 multiply-accumulates per image; "
                             "trine imports at most 68719476736"));
}
