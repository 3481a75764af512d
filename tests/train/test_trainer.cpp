// Trainer tests on synthetic data (seconds each): every method's invariants on the exported
// file, agreement of the trainer's quantized evaluation with the integer reference model, frozen
// ternary masks, determinism with one thread, and the errors of bad specs.
// LibTorch pulls in glog, whose CHECK macro would replace Catch's: torch first, then Catch.
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>

#include "sim/data/synthetic.hpp"
#include "sim/net/footprint.hpp"
#include "sim/net/tnet.hpp"
#include "sim/ref/reference.hpp"
#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"
#include "sim/train/spec.hpp"
#include "sim/train/trainer.hpp"
#include "sim/util/bytes.hpp"
#include "sim/util/error.hpp"

using namespace trine;

namespace {

const char* kData = "synthetic:seed=3,size=12,train=2000,test=1000";

struct Run {
  train::TrainResult result;
  net::Network exported;                            // what a reader of the written file gets
  std::map<size_t, net::WeightMatrix> final_codes;  // per layer: codes after the last epoch
  std::vector<std::map<size_t, std::vector<uint8_t>>> zero_masks;  // per compressed epoch
};

net::WeightMatrix to_matrix(const torch::Tensor& codes) {
  const torch::Tensor c = codes.to(torch::kInt64).contiguous();
  net::WeightMatrix m(c.size(0), c.size(1));
  for (size_t k = 0; k < m.values.size(); ++k)
    m.values[k] = static_cast<int8_t>(c.data_ptr<int64_t>()[k]);
  return m;
}

Run train_run(const std::string& method, const std::string& net = "mlp:144-48-48-10",
              int epochs = 4, const std::string& dataset = kData) {
  train::TrainOptions o;
  o.net = net;
  o.method = method;
  o.dataset = dataset;
  o.epochs = epochs;
  o.threads = 1;
  o.batch = 32;  // enough steps per epoch on 2000 images
  o.quiet = true;
  train::Trainer t(o, data::load(dataset, data::Split::Train),
                   data::load(dataset, data::Split::Test));
  Run run;
  t.on_epoch = [&](const train::EpochInfo& e, train::QNet& q, train::Method* m) {
    if (!m) return;
    torch::NoGradGuard no_grad;
    std::map<size_t, std::vector<uint8_t>> zeros;
    for (size_t i : q.compute_layers()) {
      if (!m->quantized_weights()) continue;
      const net::WeightMatrix codes = to_matrix(m->quantize(i, q.layers()[i].weight).codes);
      if (e.epoch == e.epochs - 1) run.final_codes[i] = codes;
      std::vector<uint8_t> z(codes.values.size());
      for (size_t k = 0; k < z.size(); ++k) z[k] = codes.values[k] == 0;
      zeros[i] = z;
    }
    run.zero_masks.push_back(zeros);
  };
  run.result = t.run();
  run.exported = net::parse(net::serialize(run.result.network), "trained.tnet");
  return run;
}

// Checks shared by every method: the file decodes to the trained codes, and the integer
// reference predicts what the trainer's own quantized evaluation predicts.
void check_common(const Run& run) {
  CHECK(run.exported == run.result.network);
  for (const auto& [i, codes] : run.final_codes) {
    INFO("layer " << run.exported.layers[i].name);
    CHECK(run.exported.layers[i].weights.decode() == codes);
  }
  CHECK(run.final_codes.size() == 3);
  CHECK(run.result.agreement >= 0.995);
  CHECK(run.result.integer_accuracy > 0.5);  // chance is 0.1
  const data::Dataset test = data::load(kData, data::Split::Test);
  CHECK(ref::evaluate(run.exported, test, 1).accuracy() == run.result.integer_accuracy);
}

}  // namespace

TEST_CASE("dense8: int8 codes and the integer reference agrees with the trainer", "[train]") {
  const Run run = train_run("dense8");
  check_common(run);
  for (const net::Layer& l : run.exported.layers) {
    if (!l.is_compute()) continue;
    CHECK(l.weights.form == net::WeightForm::Dense8);
    for (int8_t v : l.weights.decode().values) CHECK((v >= -127 && v <= 127));
  }
}

TEST_CASE("ternary: values in {-1 0 1} and masks frozen through stage 3", "[train]") {
  const Run run = train_run("ternary:stage1=0.5,lambda=1e-4", "mlp:144-48-48-10", 6);
  check_common(run);
  // Stage 1 (float weights) records no codes; stages 2-3 record the same zeros every epoch.
  REQUIRE(run.zero_masks.size() == 6);
  CHECK(run.zero_masks[0].empty());
  CHECK(run.zero_masks[2].empty());
  REQUIRE(!run.zero_masks[3].empty());
  for (size_t e = 4; e < run.zero_masks.size(); ++e) CHECK(run.zero_masks[e] == run.zero_masks[3]);
  for (const auto& [i, zeros] : run.zero_masks.back()) {
    const net::WeightMatrix w = run.exported.layers[i].weights.decode();
    for (size_t k = 0; k < zeros.size(); ++k) REQUIRE((w.values[k] == 0) == (zeros[k] != 0));
    for (int8_t v : w.values) REQUIRE((v >= -1 && v <= 1));
  }
  CHECK(net::footprint(run.exported).sparsity() > 0.3);
}

TEST_CASE("nk: at most k nonzeros per group and every code decodes through the table", "[train]") {
  const Run run = train_run("nk:8,2");
  check_common(run);
  const std::vector<int8_t> canonical = net::nk_table(8, 2);
  for (const auto& [i, codes] : run.final_codes) {
    const net::Weights& w = run.exported.layers[i].weights;
    REQUIRE(w.form == net::WeightForm::NK);
    CHECK(w.nk.table == canonical);
    CHECK(w.nk.code_bits == 8);
    CHECK(w.storage_bits() == w.rows * ((w.cols + 7) / 8) * 8);  // 1 bit per weight
    // Decode by hand: read each group's code, look its row up in the file's table.
    BitReader bits(w.nk.codes);
    for (int64_t r = 0; r < w.rows; ++r)
      for (int64_t g = 0; g < (w.cols + 7) / 8; ++g) {
        const uint64_t code = bits.get(w.nk.code_bits);
        REQUIRE(code < static_cast<uint64_t>(w.nk.table_rows));
        int nonzeros = 0;
        for (int64_t j = 0; j < 8; ++j) {
          const int8_t t = w.nk.table[code * 8 + j];
          nonzeros += t != 0;
          if (g * 8 + j < w.cols) REQUIRE(t == codes.at(r, g * 8 + j));
        }
        REQUIRE(nonzeros <= 2);
      }
  }
}

TEST_CASE("colcomb: at most alpha columns a group and one weight per row a group", "[train]") {
  const Run run = train_run("colcomb:alpha=4,gamma=0.1,sparsity=0.8,rounds=2");
  check_common(run);
  bool packed = false;
  for (const auto& [i, codes] : run.final_codes) {
    const net::Weights& w = run.exported.layers[i].weights;
    REQUIRE(w.form == net::WeightForm::ColComb);
    std::vector<int> seen(static_cast<size_t>(w.cols), 0);
    for (const auto& group : w.colcomb.groups) {
      REQUIRE((!group.empty() && group.size() <= 4));
      for (int32_t c : group) ++seen[static_cast<size_t>(c)];
      for (int64_t r = 0; r < w.rows; ++r) {
        int in_group = 0;
        for (int32_t c : group) in_group += codes.at(r, c) != 0;
        REQUIRE(in_group <= 1);
      }
    }
    for (int s : seen) REQUIRE(s == 1);  // the groups partition the columns
    packed = packed || static_cast<int64_t>(w.colcomb.groups.size()) * 2 <= w.cols;
  }
  CHECK(packed);
}

TEST_CASE("lowbit: codes in range and blocks all zero or kept", "[train]") {
  // global=1 keeps half of the network's weights, ranked across layers; global=0 half of
  // every layer's blocks.
  for (const char* method : {"lowbit:bits=1,block=4,keep=0.5", "lowbit:bits=3,block=4,keep=0.5",
                             "lowbit:bits=3,block=4,keep=0.5,global=0"}) {
    INFO(method);
    const bool global = std::string(method).find("global=0") == std::string::npos;
    const int bits = method[12] - '0';
    const Run run = train_run(method);
    check_common(run);
    const int hi = bits == 1 ? 1 : (1 << (bits - 1)) - 1;
    int64_t kept_weights = 0, all_weights = 0;
    for (const auto& [i, codes] : run.final_codes) {
      const net::Weights& w = run.exported.layers[i].weights;
      REQUIRE(w.form == net::WeightForm::LowBit);
      const int64_t br = (w.rows + 3) / 4, bc = (w.cols + 3) / 4;
      int64_t kept = 0;
      for (int64_t tr = 0; tr < br; ++tr)
        for (int64_t tc = 0; tc < bc; ++tc) {
          const int64_t t = tr * bc + tc;
          const bool is_kept = (w.lowbit.kept[static_cast<size_t>(t / 8)] >> (t % 8)) & 1;
          kept += is_kept;
          for (int64_t r = tr * 4; r < std::min(w.rows, tr * 4 + 4); ++r)
            for (int64_t c = tc * 4; c < std::min(w.cols, tc * 4 + 4); ++c) {
              const int v = codes.at(r, c);
              REQUIRE((v >= -hi && v <= hi));
              if (!is_kept) REQUIRE(v == 0);
              if (is_kept && bits == 1) REQUIRE(v != 0);  // binary: every kept weight is +-a
              kept_weights += is_kept;
            }
        }
      all_weights += w.rows * w.cols;
      CHECK(kept >= 1);  // no layer loses every block
      if (!global) CHECK(kept <= (br * bc + 1) / 2);
    }
    if (global) CHECK(kept_weights <= all_weights / 2 + 16);  // at most one tile over
  }
}

TEST_CASE("lenet5 and a YAML net with average pooling export exactly", "[train]") {
  const std::string data = "synthetic:seed=3,size=16,train=1500,test=1000";
  const Run lenet = train_run("nk:4,1", "lenet5", 3, data);
  CHECK(lenet.result.agreement >= 0.995);
  CHECK(lenet.exported.layers.front().kind == net::LayerKind::Conv2d);

  const std::string yaml = "trainer_net.yaml";
  std::ofstream(yaml) << "name: tiny\nlayers:\n  - {type: conv, out: 4, kernel: 3, pad: 1}\n"
                         "  - {type: avgpool, kernel: 2}\n  - {type: dense, out: 10}\n";
  const Run tiny = train_run("dense8", yaml, 3, data);
  CHECK(tiny.result.agreement >= 0.995);
  bool has_avg = false;
  for (const net::Layer& l : tiny.exported.layers) has_avg |= l.kind == net::LayerKind::AvgPool;
  CHECK(has_avg);
}

TEST_CASE("one thread: the same command writes the same bytes", "[train]") {
  const Run a = train_run("colcomb:alpha=4,gamma=0.05,sparsity=0.5", "mlp:144-32-10", 2);
  const Run b = train_run("colcomb:alpha=4,gamma=0.05,sparsity=0.5", "mlp:144-32-10", 2);
  CHECK(net::serialize(a.result.network) == net::serialize(b.result.network));
}

TEST_CASE("network specs: sizes, shapes and YAML errors", "[spec]") {
  const train::ImageShape img{1, 28, 28, 10};
  CHECK(train::parse_net("mlp:784-512-512-10", img).layers.size() == 4);  // flatten + 3 dense
  CHECK_THROWS_WITH(train::parse_net("mlp:700-10", img),
                    "--net mlp:700-10: the first size must be the image size 784 (28x28)");
  CHECK_THROWS_WITH(train::parse_net("mlp:784-64-9", img),
                    "--net mlp:784-64-9: the network ends with 9 outputs, but the dataset has 10 "
                    "classes");
  CHECK_THROWS_WITH(train::parse_net("mlp:784-x-10", img),
                    "--net mlp:784-x-10: 'x' is not a layer size (positive integer)");
  const train::NetSpec lenet = train::parse_net("lenet5", img);
  CHECK(lenet.layers[4].op == train::LayerOp::Flatten);
  CHECK(lenet.layers[4].out_c == 400);  // 16 x 5 x 5 on 28x28 images
  // 16 x 1 x 1 before the first dense layer: flattened all the same (it crashed LibTorch).
  const train::NetSpec small = train::parse_net("lenet5", {1, 12, 12, 10});
  CHECK(small.layers[4].op == train::LayerOp::Flatten);
  CHECK(small.layers[5].cols() == 16);
  CHECK(train::parse_net("lenet5", {3, 28, 28, 10}).layers[0].cols() == 3 * 5 * 5);
  CHECK_THROWS_WITH(train::parse_net("lenet5", {1, 8, 8, 10}),
                    Catch::Contains("the images are too small for this network"));
  CHECK_THROWS_WITH(train::parse_net("resnet", img), Catch::Contains("expected mlp:SIZES"));

  std::ofstream("bad_net.yaml") << "layers:\n  - type: dense\n    out: 10\n    colour: red\n";
  CHECK_THROWS_WITH(train::parse_net("bad_net.yaml", {1, 4, 4, 10}),
                    "bad_net.yaml:4:5: layers[0].colour: unknown key");
  std::ofstream("bad_type.yaml") << "layers:\n  - type: lstm\n";
  CHECK_THROWS_WITH(
      train::parse_net("bad_type.yaml", img),
      Catch::Contains("bad_type.yaml:2:11: layers[0].type: unknown layer type 'lstm'"));
}

TEST_CASE("method specs: names, positional and named parameters, ranges", "[spec]") {
  CHECK(train::parse_method("nk:8,2").text() == "nk:n=8,k=2,r=0.3,ramp=0.5");
  CHECK(train::parse_method("nk:n=4,k=1").get("n") == 4);
  CHECK(train::parse_method("dense8").text() == "dense8");
  CHECK(train::parse_method("lowbit:keep=0.25").get("keep") == 0.25);
  CHECK_THROWS_WITH(train::parse_method("sparse"),
                    "--method 'sparse': unknown method 'sparse' (dense8, ternary, nk, colcomb, "
                    "lowbit)");
  CHECK_THROWS_WITH(train::parse_method("colcomb:beta=2"),
                    "--method 'colcomb:beta=2': colcomb has no parameter 'beta' (alpha, gamma, "
                    "grouping, sparsity, rounds)");
  // A named choice: parsed into its index, written back as its name.
  CHECK(train::parse_method("colcomb:grouping=first-fit").get_int("grouping") ==
        static_cast<int64_t>(net::ColumnGrouping::FirstFit));
  CHECK(train::parse_method("colcomb").text() ==
        "colcomb:alpha=8,gamma=0.5,grouping=merge,sparsity=0.8,rounds=3");
  CHECK_THROWS_WITH(train::parse_method("colcomb:grouping=best"),
                    "--method 'colcomb:grouping=best': grouping must be one of merge, first-fit, "
                    "not 'best'");
  CHECK_THROWS_WITH(train::parse_method("lowbit:bits=9"),
                    "--method 'lowbit:bits=9': bits must be an integer in [1, 8], not '9'");
  CHECK_THROWS_WITH(train::parse_method("nk:4,8"), "--method 'nk:4,8': k must not exceed n");
  CHECK_THROWS_WITH(train::parse_method("ternary:0.7"),
                    "--method 'ternary:0.7': '0.7' needs a name (KEY=VALUE)");
  CHECK_THROWS_WITH(train::parse_method("dense8:x=1"),
                    "--method 'dense8:x=1': dense8 has no parameter 'x' (it takes none)");
}

TEST_CASE("network families: shapes, blocks and parameters", "[spec]") {
  const train::ImageShape img{1, 28, 28, 10};
  auto count = [](const train::NetSpec& n, train::LayerOp op) {
    int64_t k = 0;
    for (const train::LayerSpec& l : n.layers) k += l.op == op;
    return k;
  };
  for (const train::FamilyDecl& f : train::families()) {
    INFO(f.name);
    // 64 pixels: AlexNet's 11x11/4 stem and three pools need more than 32.
    const train::NetSpec n = train::parse_net(std::string(f.name) + ":input=3x64x64", img);
    CHECK(n.input.channels == 3);
    CHECK(n.layers.back().op == train::LayerOp::Dense);
    CHECK(n.layers.back().out_c == 10);
    CHECK(n.layers.front().cols() == 3 * n.layers.front().kernel * n.layers.front().kernel);
  }
  // ResNet-20: a stem, 9 blocks of two convolutions, two strided shortcuts, 9 adds, 8x8 at
  // the last stage on 32x32.
  const train::NetSpec r = train::parse_net("resnet20:input=3x32x32", img);
  CHECK(count(r, train::LayerOp::Conv) == 1 + 18 + 2);
  CHECK(count(r, train::LayerOp::Add) == 9);
  const train::LayerSpec& gap = r.layers[r.layers.size() - 3];
  CHECK(gap.op == train::LayerOp::GlobalAvgPool);
  CHECK((gap.in_c == 64 && gap.in_h == 8 && gap.in_w == 8));
  // Every add's second input is a convolution without relu (signed), its first unsigned.
  for (const train::LayerSpec& l : r.layers)
    if (l.op == train::LayerOp::Add) {
      CHECK(r.layers[static_cast<size_t>(l.from[1])].signed_out);
      CHECK_FALSE(l.signed_out);
    }
  // MobileNet: depthwise layers have one group per channel; the width scales every layer.
  const train::NetSpec m = train::parse_net("mobilenet:width=8,input=3x32x32", img);
  int64_t depthwise = 0;
  for (const train::LayerSpec& l : m.layers)
    depthwise += l.op == train::LayerOp::Conv && l.groups > 1 && l.groups == l.in_c;
  CHECK(depthwise == 13);
  CHECK(m.layers.front().out_c == 8);
  CHECK(count(train::parse_net("shiftnet:width=4", img), train::LayerOp::Shift) == 9);
  CHECK(count(train::parse_net("mobilenetv2:width=8,input=3x32x32", img), train::LayerOp::Add) ==
        10);
  CHECK_THROWS_WITH(train::parse_net("resnet20:depth=3", img),
                    "--net 'resnet20:depth=3': unknown parameter 'depth' (width, input)");
  CHECK_THROWS_WITH(train::parse_net("resnet20:width=0", img),
                    "--net 'resnet20:width=0': width must be an integer in [1, 4096], not '0'");
  CHECK_THROWS_WITH(train::parse_net("vgg11:input=3x32", img),
                    Catch::Contains("input must be CxHxW"));
  CHECK_THROWS_WITH(train::parse_net("vgg11:width=4096,input=3x1024x1024", img),
                    Catch::Contains("elements; the largest tensor has 1073741824"));
  CHECK_THROWS_WITH(train::parse_net("vgg11:input=3x8x8", img),
                    Catch::Contains("the images are too small for this network"));
}

TEST_CASE("graph specs in YAML: inputs, add, concat, groups, shift, located errors", "[spec]") {
  const train::ImageShape img{1, 8, 8, 10};
  std::ofstream("graph_net.yaml")
      << "layers:\n"
         "  - {name: a, type: conv, out: 4, pad: 1, bn: true}\n"
         "  - {name: b, type: conv, out: 4, pad: 1, relu: false}\n"
         "  - {name: s, type: add, inputs: [a, b]}\n"
         "  - {name: side, type: conv, out: 2, kernel: 1, inputs: [input]}\n"
         "  - {name: cat, type: concat, inputs: [s, side]}\n"
         "  - {name: dw, type: conv, out: 6, pad: 1, groups: 6}\n"
         "  - {type: shift}\n"
         "  - {type: globalavgpool}\n"
         "  - {type: dense, out: 10}\n";
  const train::NetSpec n = train::parse_net("graph_net.yaml", img);
  CHECK(n.layers[4].out_c == 6);   // concat
  CHECK(n.layers[5].cols() == 9);  // depthwise
  CHECK(n.layers[3].from == std::vector<int>{-1});
  std::ofstream("graph_bad.yaml") << "layers:\n  - {name: a, type: conv, out: 4, relu: false}\n"
                                     "  - {type: conv, out: 4}\n  - {type: dense, out: 10}\n";
  CHECK_THROWS_WITH(train::parse_net("graph_bad.yaml", img),
                    "graph_bad.yaml: layer 2 (conv1): takes signed values; compute layers take "
                    "unsigned activations (give its input a relu)");
  std::ofstream("graph_bad.yaml") << "layers:\n  - {type: conv, out: 4, inputs: [nowhere]}\n"
                                     "  - {type: dense, out: 10}\n";
  CHECK_THROWS_WITH(train::parse_net("graph_bad.yaml", img),
                    "graph_bad.yaml: layer 1 (conv1): input 'nowhere' names no earlier layer (nor "
                    "'input')");
  std::ofstream("graph_bad.yaml") << "layers:\n  - {type: conv, out: 4, groups: 3}\n"
                                     "  - {type: dense, out: 10}\n";
  CHECK_THROWS_WITH(train::parse_net("graph_bad.yaml", img),
                    Catch::Contains("groups (3) must divide its input channels (1) and out (4)"));
}

TEST_CASE("batch norm folds into the convolution: the same function without it", "[train]") {
  torch::manual_seed(3);
  const train::NetSpec spec = train::parse_net("resnet20:width=4,input=3x12x12", {1, 12, 12, 10});
  train::QNet with_bn(spec, 8, true), folded(spec, 8);
  {
    torch::NoGradGuard no_grad;
    for (train::QLayer& l : with_bn.layers())
      if (l.bn_gamma.defined()) {  // statistics and affine terms as training leaves them
        l.bn_gamma.uniform_(0.5, 1.5), l.bn_beta.uniform_(-0.2, 0.2);
        l.bn_mean.uniform_(-0.3, 0.3), l.bn_var.uniform_(0.5, 2);
      }
  }
  folded.fold_from(with_bn);
  const torch::Tensor x = torch::rand({5, 3, 12, 12});
  train::ForwardOptions eval;
  torch::NoGradGuard no_grad;
  const torch::Tensor a = with_bn.forward(x, eval), b = folded.forward(x, eval);
  CHECK(torch::allclose(a, b, 1e-4, 1e-4));
  int64_t norms = 0;
  for (const train::QLayer& l : folded.layers()) norms += l.bn_gamma.defined();
  CHECK(norms == 0);
}

TEST_CASE(
    "graph networks train and export exactly: every method, residual, shift, depthwise "
    "and concat",
    "[train]") {
  const std::string data = "synthetic:seed=3,size=12,train=1200,test=400";
  struct Case {
    const char* net;
    const char* method;
  };
  std::ofstream("graph_cat.yaml")
      << "layers:\n"
         "  - {name: a, type: conv, out: 3, pad: 1, bn: true}\n"
         "  - {name: b, type: conv, out: 2, kernel: 1, inputs: [input]}\n"
         "  - {name: cat, type: concat, inputs: [a, b]}\n"
         "  - {type: maxpool, kernel: 2}\n"
         "  - {type: dense, out: 10}\n";
  const Case cases[] = {{"resnet20:width=4,input=3x12x12", "dense8"},
                        {"resnet20:width=4", "nk:8,2"},
                        {"resnet20:width=4", "colcomb:alpha=4,gamma=0.2,sparsity=0.5,rounds=1"},
                        {"shiftnet:width=4", "ternary"},
                        {"mobilenet:width=4", "lowbit:bits=3,block=4,keep=0.5"},
                        {"mobilenetv2:width=4", "dense8"},
                        {"graph_cat.yaml", "dense8"}};
  for (const Case& c : cases) {
    INFO(c.net << " " << c.method);
    const Run run = train_run(c.method, c.net, 2, data);
    CHECK(run.exported == run.result.network);
    CHECK_FALSE(net::is_chain(run.exported));
    CHECK(run.result.agreement >= 0.995);
    const data::Dataset test =
        data::fit_images(data::load(data, data::Split::Test), run.exported.input.channels,
                         run.exported.input.height, run.exported.input.width, "net");
    CHECK(ref::evaluate(run.exported, test, 1).accuracy() == run.result.integer_accuracy);
  }
}
