// Graph networks (issue 23, items 1 and 2): the .tnet 1.1 format, the reference model of add,
// concat and global average pooling, and the located errors of a bad graph.
#include <catch2/catch.hpp>

#include "sim/compile/schedule.hpp"
#include "sim/net/tnet.hpp"
#include "sim/ref/reference.hpp"
#include "tests/support/builders.hpp"

using namespace trine;
using net::LayerKind;

namespace {

std::string graph_error(const net::Network& n) {
  try {
    net::infer_types(n, "g.tnet");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

ref::Tensor tensor(int64_t c, int64_t h, int64_t w, std::vector<int32_t> data, bool is_signed,
                   int bits) {
  return {{c, h, w, is_signed, bits}, std::move(data)};
}

size_t index_of(const net::Network& n, const std::string& name) {
  for (size_t i = 0; i < n.layers.size(); ++i)
    if (n.layers[i].name == name) return i;
  FAIL("no layer " << name);
  return 0;
}

}  // namespace

TEST_CASE("graph: .tnet 1.1 round trip, chains stay 1.0", "[graph][tnet]") {
  for (net::WeightForm form : {net::WeightForm::Dense8, net::WeightForm::NK,
                               net::WeightForm::ColComb, net::WeightForm::LowBit}) {
    const net::Network g = testing::example_graph(form, 3);
    const std::vector<uint8_t> bytes = net::serialize(g);
    CHECK(bytes[10] == 1);  // minor version 1: it uses what 1.1 added
    const net::Network back = net::parse(bytes, "g.tnet");
    CHECK(back == g);
    CHECK(net::serialize(back) == bytes);
    CHECK(testing::tnet_manifest(bytes).find("    inputs: [\"conv1\", \"conv2\"]\n") !=
          std::string::npos);
  }
  CHECK(net::serialize(testing::example_cnn(net::WeightForm::NK, 3))[10] == 0);
  // A padded pool is what 1.3 added: written only then, read back equal.
  net::Network padded = testing::example_cnn(net::WeightForm::NK, 3);
  for (net::Layer& l : padded.layers)
    if (l.kind == LayerKind::MaxPool) l.kernel_h = l.kernel_w = 3, l.pad_h = l.pad_w = 1;
  const std::vector<uint8_t> padded_bytes = net::serialize(padded);
  CHECK(padded_bytes[10] == 3);
  CHECK(net::parse(padded_bytes, "p.tnet") == padded);
  CHECK(testing::tnet_manifest(padded_bytes)
            .find("kind: maxpool\n    kernel: [3, 3]\n    stride: "
                  "[2, 2]\n    padding: [1, 1]\n") != std::string::npos);
  CHECK(net::is_chain(testing::example_cnn(net::WeightForm::NK, 3)));
  CHECK_FALSE(net::is_chain(testing::example_graph(net::WeightForm::NK, 3)));
  // A reader that does not know a kind names it, and the kinds it reads.
  const auto bytes = net::serialize(testing::example_graph(net::WeightForm::Dense8, 1));
  std::string m = testing::tnet_manifest(bytes);
  m.replace(m.find("kind: concat"), 12, "kind: concat3");
  try {
    net::parse(testing::with_manifest(bytes, m), "g.tnet");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("unknown layer kind 'concat3' (this trine reads dense, "
                                     "conv2d, maxpool, avgpool, relu, flatten, add, concat, "
                                     "globalavgpool, shift, input)") != std::string::npos);
  }
}

TEST_CASE("graph: shapes and types through add, concat and global pooling", "[graph]") {
  const net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  const std::vector<net::TensorType> t = net::infer_types(g, "g");
  CHECK(t[index_of(g, "add")] == net::TensorType{4, 8, 8, false, 8});
  CHECK(t[index_of(g, "side")] == net::TensorType{2, 8, 8, false, 8});
  CHECK(t[index_of(g, "cat")] == net::TensorType{6, 8, 8, false, 8});
  CHECK(t[index_of(g, "gap")] == net::TensorType{6, 1, 1, false, 8});
  const auto graph = net::input_indices(g, "g");
  CHECK(graph[index_of(g, "add")] == std::vector<int>{0, 1});
  CHECK(graph[index_of(g, "side")] == std::vector<int>{-1});
  CHECK(graph[index_of(g, "gap")] == std::vector<int>{static_cast<int>(index_of(g, "shift"))});
  CHECK(t[index_of(g, "dw")] == net::TensorType{6, 8, 8, false, 8});
  CHECK(g.layers[index_of(g, "dw")].weights.cols == 9);  // one input channel per group
}

// The arithmetic of docs/arithmetic.md, by hand.
TEST_CASE("graph: add rescales each input with a rounding shift and saturates", "[graph][ref]") {
  net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  net::Layer& add = g.layers[index_of(g, "add")];
  add.scales[0].multiplier = 3, add.scales[0].shift = 1;  // (3x + 1) >> 1
  add.scales[1].multiplier = 5, add.scales[1].shift = 2;  // (5y + 2) >> 2
  const ref::Reference r(g);
  std::vector<int32_t> x(256, 0), y(256, 0);
  x[0] = 7, y[0] = 9;     // (21 + 1) >> 1 = 11; (45 + 2) >> 2 = 11: 22
  x[1] = 200, y[1] = 80;  // 300 + 100 = 400: saturates to 255
  x[2] = 0, y[2] = 1;     // 0 + (5 + 2) >> 2 = 1
  x[3] = 1, y[3] = 0;     // (3 + 1) >> 1 = 2
  const ref::Tensor a = tensor(4, 8, 8, x, false, 8), b = tensor(4, 8, 8, y, false, 8);
  const ref::Tensor out = r.layer(index_of(g, "add"), {&a, &b});
  CHECK(out.data[0] == 22);
  CHECK(out.data[1] == 255);
  CHECK(out.data[2] == 1);
  CHECK(out.data[3] == 2);
  // Signed output without relu: negative terms round toward minus infinity, then saturate.
  // (The add as the network's output: conv1, conv2, add, with 256 "classes".)
  g.layers.resize(index_of(g, "add") + 1);
  g.classes = 4 * 8 * 8;
  g.layers.back().relu = false;
  g.layers.back().out_bits = 4;  // [-8, 7]
  const ref::Reference s(g);
  x[0] = -3, y[0] = 0;   // (-9 + 1) >> 1 = -4
  x[1] = -9, y[1] = -9;  // (-27 + 1) >> 1 = -13, (-45 + 2) >> 2 = -11: -24 -> -8
  const ref::Tensor c = tensor(4, 8, 8, x, true, 8), d = tensor(4, 8, 8, y, true, 8);
  const ref::Tensor signed_out = s.layer(index_of(g, "add"), {&c, &d});
  CHECK(signed_out.data[0] == -4);
  CHECK(signed_out.data[1] == -8);
}

TEST_CASE("graph: concat stacks channels, global pooling rounds half up", "[graph][ref]") {
  const net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  const ref::Reference r(g);
  std::vector<int32_t> x(256), y(128);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int32_t>(i % 251);
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<int32_t>(255 - i);
  const ref::Tensor a = tensor(4, 8, 8, x, false, 8), b = tensor(2, 8, 8, y, false, 8);
  const ref::Tensor cat = r.layer(index_of(g, "cat"), {&a, &b});
  REQUIRE(cat.data.size() == 384);
  CHECK(std::equal(x.begin(), x.end(), cat.data.begin()));
  CHECK(std::equal(y.begin(), y.end(), cat.data.begin() + 256));
  std::vector<int32_t> planes(384, 0);
  planes[0] = 32;                                    // channel 0: 32 / 64 = 0.5 -> 1
  planes[64] = 31;                                   // channel 1: 31 / 64 -> 0
  for (int p = 0; p < 64; ++p) planes[128 + p] = 3;  // channel 2: 3
  planes[192] = 95;                                  // channel 3: 95 / 64 = 1.48 -> 1
  const ref::Tensor in = tensor(6, 8, 8, planes, false, 8);
  const ref::Tensor gap = r.layer(index_of(g, "gap"), in);
  CHECK(gap.data == std::vector<int32_t>{1, 0, 3, 1, 0, 0});
}

TEST_CASE("graph: a grouped convolution reads its group's channels, shift moves planes",
          "[graph][ref]") {
  net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  net::Layer& dw = g.layers[index_of(g, "dw")];
  // Groups of 3: channel o reads input channels 3 * (o / 3) .. + 2 through a 1x1 kernel.
  dw.groups = 2;
  dw.kernel_h = dw.kernel_w = 1, dw.pad_h = dw.pad_w = 0;
  net::WeightMatrix w(6, 3);
  for (int64_t o = 0; o < 6; ++o)
    for (int64_t c = 0; c < 3; ++c) w.at(o, c) = static_cast<int8_t>(o == 4 && c == 1 ? 2 : 0);
  w.at(0, 0) = 1;
  dw.weights = net::encode_dense8(w);
  dw.bias.assign(6, 0);
  dw.requant.multipliers.assign(6, 1);
  dw.requant.shift = 0;
  const ref::Reference r(g);
  std::vector<int32_t> x(384, 0);
  x[0] = 9;            // channel 0: into output 0 (weight 1)
  x[4 * 64 + 5] = 7;   // channel 4 = group 1's second channel: into output 4 (weight 2)
  x[1 * 64 + 5] = 50;  // channel 1 of group 0: output 4 must not see it
  const ref::Tensor in = tensor(6, 8, 8, x, false, 8);
  const ref::Tensor out = r.layer(index_of(g, "dw"), in);
  CHECK(out.data[0] == 9);
  CHECK(out.data[4 * 64 + 5] == 14);
  CHECK(std::count_if(out.data.begin(), out.data.end(), [](int32_t v) { return v != 0; }) == 2);
  // Shift: channel 0 by (-1, -1): out(y, x) = in(y - 1, x - 1); channel 5 by (2, -1).
  std::vector<int32_t> planes(384, 0);
  planes[2 * 8 + 3] = 11;           // channel 0 at (2, 3) -> out (3, 4)
  planes[5 * 64 + 2 * 8 + 0] = 13;  // channel 5 at (2, 0) -> out (0, 1)
  planes[5 * 64 + 1 * 8 + 4] = 17;  // channel 5 at (1, 4): out (-1, 5) is outside
  const ref::Tensor s = r.layer(index_of(g, "shift"), tensor(6, 8, 8, planes, false, 8));
  CHECK(s.data[3 * 8 + 4] == 11);
  CHECK(s.data[5 * 64 + 0 * 8 + 1] == 13);
  CHECK(std::count_if(s.data.begin(), s.data.end(), [](int32_t v) { return v != 0; }) == 2);
}

TEST_CASE("graph: the reference runs the graph, each layer from its own inputs", "[graph][ref]") {
  const net::Network g = testing::example_graph(net::WeightForm::NK, 4);
  const ref::Reference r(g);
  const data::Dataset d = testing::random_dataset(3, 8, 8, 10, 2);
  for (int64_t i = 0; i < d.count; ++i) {
    const std::vector<ref::Tensor> all = r.run_all(d.image(i));
    const ref::Tensor image = r.input(d.image(i));
    // Each layer again from the outputs it names: the graph walk passes the right tensors.
    CHECK(r.layer(index_of(g, "conv2"), all[index_of(g, "conv1")]).data ==
          all[index_of(g, "conv2")].data);
    CHECK(r.layer(index_of(g, "add"), {&all[0], &all[1]}).data == all[index_of(g, "add")].data);
    CHECK(r.layer(index_of(g, "side"), image).data == all[index_of(g, "side")].data);
    CHECK(r.run(d.image(i)).data == all.back().data);
  }
}

TEST_CASE("graph: a bad graph is one located error", "[graph]") {
  const net::Network good = testing::example_graph(net::WeightForm::Dense8, 1);
  net::Network g = good;
  g.layers[index_of(g, "conv1")].inputs = {"conv2"};
  CHECK(graph_error(g) ==
        "g.tnet: the layers form a cycle: conv1 -> conv2 -> conv1 (each takes the next as its "
        "input)");
  g = good;
  g.layers[index_of(g, "add")].inputs = {"conv1", "conv9"};
  CHECK(graph_error(g) == "g.tnet: layer 'add': input 'conv9' names no layer (nor 'input')");
  g = good;
  g.layers[index_of(g, "add")].inputs = {"conv1", "side"};
  CHECK(graph_error(g) ==
        "g.tnet: layer 'add': its input 'side' is listed after it (list a "
        "layer after its inputs)");
  g = good;
  g.layers[index_of(g, "add")].inputs = {"conv1", "input"};
  CHECK(graph_error(g) ==
        "g.tnet: layer 'add': its inputs differ in shape: 'conv1' is 4x8x8, "
        "'input' is 1x8x8");
  g = good;
  g.layers[index_of(g, "add")].scales.pop_back();
  CHECK(graph_error(g) == "g.tnet: layer 'add': has 1 scales for 2 inputs");
  g = good;
  g.layers[index_of(g, "cat")].inputs = {"add", "fc"};
  CHECK(graph_error(g) ==
        "g.tnet: the layers form a cycle: fc -> gap -> shift -> dw -> cat -> fc (each "
        "takes the next as its input)");
  g = good;
  g.layers[index_of(g, "side")].relu = false;  // s8 beside the add's u8
  CHECK(graph_error(g) ==
        "g.tnet: layer 'cat': its inputs differ in type: 'add' is u8, 'side' "
        "is s8");
  g = good;
  g.layers[index_of(g, "cat")].inputs = {"add"};
  CHECK(graph_error(g) == "g.tnet: layer 'cat': a concat takes two or more inputs");
  g = good;
  g.layers[index_of(g, "gap")].inputs = {"cat", "add"};
  CHECK(graph_error(g) == "g.tnet: layer 'gap': a globalavgpool layer takes one input, not 2");
  g = good;
  g.layers[index_of(g, "side")].name = "conv1";
  CHECK(graph_error(g) ==
        "g.tnet: layer 'conv1': two layers have this name (inputs refer to "
        "layers by name)");
  g = good;
  g.layers[index_of(g, "dw")].groups = 4;
  CHECK(graph_error(g) ==
        "g.tnet: layer 'dw': groups (4) must divide in_channels (6) and "
        "out_channels (6)");
  g = good;
  g.layers[index_of(g, "shift")].offsets.pop_back();
  CHECK(graph_error(g) == "g.tnet: layer 'shift': has 5 offsets for 6 channels");
  g = good;
  g.layers[0].name = "input";
  CHECK(graph_error(g) == "g.tnet: layer 'input': 'input' names the network's input, not a layer");
}

namespace {

const compile::LayerPlan& plan_of(const compile::Schedule& s, const net::Network& n,
                                  const std::string& name) {
  return s.layers[index_of(n, name)];
}

}  // namespace

TEST_CASE("graph: tensors stay on chip while they have readers and fit, else go to DRAM",
          "[graph]") {
  const net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  config::DesignPoint dp = config::default_design_point().point;
  dp.buffers.input.size_bytes = 1024;  // everything fits
  compile::Schedule s = compile::compile(g, dp);
  for (const compile::LayerPlan& p : s.layers) {
    INFO(p.name);
    CHECK(p.output_to_dram == (p.name == "fc"));  // only the result leaves
    for (const compile::Operand& op : p.operands) CHECK(op.from_dram == (op.producer < 0));
  }
  CHECK(plan_of(s, g, "side").operands.front().producer == -1);  // reads the image again
  CHECK(plan_of(s, g, "add").input_bytes == 2 * 256);
  // 512 bytes: conv1 (256) stays across conv2, whose 256-byte output then fills the buffer,
  // so add's output cannot stay beside its two inputs: it is written and concat reads it back.
  dp.buffers.input.size_bytes = 512;
  s = compile::compile(g, dp);
  CHECK_FALSE(plan_of(s, g, "conv1").output_to_dram);
  CHECK_FALSE(plan_of(s, g, "conv2").output_to_dram);
  CHECK(plan_of(s, g, "add").output_to_dram);
  CHECK_FALSE(plan_of(s, g, "side").output_to_dram);
  const compile::LayerPlan& cat = plan_of(s, g, "cat");
  CHECK(cat.operands[0].from_dram);
  CHECK_FALSE(cat.operands[1].from_dram);
  CHECK(cat.input_from_dram);
  CHECK(cat.output_to_dram);  // 384 in + 384 out > 512
  CHECK_FALSE(plan_of(s, g, "gap").output_to_dram);
  // Below the largest layer's operands: that layer runs in bands of output rows (the add's
  // two 4x8x8 operands: 64 bytes a row, three rows in each of two 250-byte slots).
  dp.buffers.input.size_bytes = 500;
  s = compile::compile(g, dp);
  const compile::LayerPlan& add = plan_of(s, g, "add");
  REQUIRE(add.bands.size() == 3);
  CHECK(add.band_slots == 2);
  CHECK((add.bands[0].out_begin == 0 && add.bands[0].out_end == 3 && add.bands[2].out_end == 8));
  CHECK(add.bands[0].bytes == 192);
  CHECK(add.halo_bytes == 0);  // an add reads each row once
  CHECK(add.operands[0].from_dram);
  CHECK(plan_of(s, g, "conv2").output_to_dram);  // a banded layer reads its operands from DRAM
  // Below one band of one row: a located limit naming the layer and the bytes.
  dp.buffers.input.size_bytes = 90;
  CHECK_THROWS_WITH(compile::compile(g, dp),
                    "layer 'conv2': one band of its input (one row of output) needs 96 bytes; "
                    "buffers.input.size is 90 bytes (set buffers.input.size to 96 or more bytes)");
}

// Issue 25, item 3: bands of output rows re-read their halo rows; their vectors partition the
// layer's, and no tile spans two bands.
TEST_CASE("graph: a convolution whose input does not fit runs in bands", "[graph][bands]") {
  const net::Network n = testing::example_cnn(net::WeightForm::Dense8, 3, 20, 20, 3);
  config::DesignPoint dp = config::default_design_point().point;
  dp.buffers.input.size_bytes = 512;  // conv1's input is 3 x 20 x 20 = 1200 bytes
  const compile::Schedule s = compile::compile(n, dp, 2);
  const compile::LayerPlan& conv = plan_of(s, n, "conv1");
  REQUIRE_FALSE(conv.bands.empty());
  CHECK(conv.band_slots == 2);
  int64_t loaded = 0, vectors = 0;
  for (size_t b = 0; b < conv.bands.size(); ++b) {
    const compile::Band& band = conv.bands[b];
    CHECK(band.bytes <= 256);
    // 3x3, pad 1: output rows [r0, r1) read input rows [r0 - 1, r1 + 1), clipped.
    CHECK(band.rows[0].first == std::max<int64_t>(0, band.out_begin - 1));
    CHECK(band.rows[0].second == std::min<int64_t>(20, band.out_end + 1));
    CHECK(band.bytes == 3 * (band.rows[0].second - band.rows[0].first) * 20);
    loaded += band.bytes;
    vectors += band.vec_end - band.vec_begin;
    if (b > 0 && conv.bands[b - 1].image == band.image)
      CHECK(band.vec_begin == conv.bands[b - 1].vec_end);
  }
  CHECK(vectors == conv.vectors);  // two images' positions, each once
  CHECK(conv.halo_bytes == loaded - conv.input_bytes);
  CHECK(conv.halo_bytes > 0);
  for (const compile::TilePlan& t : conv.tiles) {
    const compile::Band& band = conv.bands[static_cast<size_t>(t.band)];
    CHECK(t.vec_begin >= band.vec_begin);
    CHECK(t.vec_end <= band.vec_end);
  }
  // Global pooling bands its input rows; a dense layer's input must fit whole.
  const net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  dp.buffers.input.size_bytes = 1 << 20;
  CHECK(plan_of(compile::compile(g, dp), g, "gap").bands.empty());
}

TEST_CASE("graph: a grouped convolution maps group by group, the vector unit's cycles", "[graph]") {
  const net::Network g = testing::example_graph(net::WeightForm::Dense8, 1);
  config::DesignPoint dp = config::default_design_point().point;
  dp.array.rows = dp.array.cols = 4;
  const compile::Schedule s = compile::compile(g, dp, 2);
  const compile::LayerPlan& dw = plan_of(s, g, "dw");  // depthwise: 6 groups of one output
  CHECK(dw.groups == 6);
  CHECK(dw.out_tiles == 6);
  CHECK(dw.red_tiles == 3);  // 9 taps on 4 rows
  for (const compile::TilePlan& t : dw.tiles) CHECK(t.out_end - t.out_begin == 1);
  CHECK(dw.macs == 6 * 9 * 2 * 64);
  // One element per lane and cycle (4 lanes), per operand for an add, per plane element for
  // global pooling.
  CHECK(plan_of(s, g, "add").vector_cycles == 2 * 256 / 4 * 2);
  CHECK(plan_of(s, g, "cat").vector_cycles == 2 * 384 / 4);
  CHECK(plan_of(s, g, "shift").vector_cycles == 2 * 384 / 4);
  CHECK(plan_of(s, g, "gap").vector_cycles == 3 * 64);  // ceil(2 x 6 / 4) x 8 x 8
}
