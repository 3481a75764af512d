// trine net's pieces: the ImageNet families' published shapes, random weights per form, and
// calibrated requantization (issue 25, item 1).
#include <catch2/catch.hpp>

#include "sim/data/synthetic.hpp"
#include "sim/gen/calibrate.hpp"
#include "sim/gen/random_net.hpp"
#include "sim/net/footprint.hpp"
#include "sim/ref/reference.hpp"
#include "sim/util/error.hpp"

using namespace trine;
using net::WeightForm;

namespace {

// Dense multiply-accumulates and weights of a spec, without drawing any weight.
std::pair<int64_t, int64_t> macs_and_weights(const train::NetSpec& n) {
  int64_t macs = 0, weights = 0;
  for (const train::LayerSpec& l : n.layers)
    if (l.is_compute()) {
      weights += l.rows() * l.cols();
      macs += l.rows() * l.cols() * l.out_h * l.out_w;
    }
  return {macs, weights};
}

train::NetSpec native(const std::string& name, const std::string& params = "") {
  for (const train::FamilyDecl& f : train::families())
    if (name == f.name) return train::parse_net(name + params, f.native);
  FAIL("no family " << name);
  return {};
}

data::Dataset images_for(const net::Network& n, int64_t count) {
  data::SyntheticSpec s;
  s.channels = n.input.channels, s.height = n.input.height, s.width = n.input.width;
  s.test = count;
  return data::synthetic(s, data::Split::Test);
}

}  // namespace

// The published figures (torchvision's models, multiply-accumulates of convolutions and dense
// layers, weights without biases or batch norm) at 3x224x224 and 1000 classes.
TEST_CASE("ImageNet families have their published MACs and weights", "[gen][spec]") {
  struct Published {
    const char* name;
    double gmacs, mweights;
  };
  for (const Published& p :
       {Published{"resnet50", 4.089, 25.50}, Published{"resnet18", 1.814, 11.68},
        Published{"vgg16", 15.47, 138.34}, Published{"alexnet", 0.714, 61.09},
        Published{"mobilenetv2", 0.3008, 3.47}}) {
    INFO(p.name);
    const auto [macs, weights] = macs_and_weights(native(p.name));
    CHECK(macs / 1e9 == Approx(p.gmacs).epsilon(0.002));
    CHECK(weights / 1e6 == Approx(p.mweights).epsilon(0.002));
  }
  const train::NetSpec r = native("resnet50");
  CHECK(r.input.channels == 3);
  CHECK(r.input.height == 224);
  CHECK(r.layers.back().out_c == 1000);
  // The stem leaves 56x56 and the last stage 7x7 x 2048, as in the paper.
  const train::LayerSpec& gap = r.layers[r.layers.size() - 3];
  CHECK((gap.in_c == 2048 && gap.in_h == 7 && gap.in_w == 7));
}

TEST_CASE("a form takes what shapes the weights and refuses training parameters", "[gen]") {
  const gen::FormSpec nk = gen::parse_form("nk:8,2", -1);
  CHECK(nk.form == WeightForm::NK);
  CHECK(gen::parse_form("ternary", -1).sparsity == 0.7);
  CHECK(gen::parse_form("dense8", 0.5).sparsity == 0.5);
  CHECK(gen::parse_form("colcomb", 0.6).method.get("sparsity") == 0.6);
  CHECK(gen::parse_form("colcomb:sparsity=0.6", 0.6).sparsity == 0.6);
  CHECK_THROWS_WITH(gen::parse_form("nk:8,2,r=0.5", -1),
                    "--form 'nk:8,2,r=0.5': r is a training parameter; trine net draws the weights "
                    "themselves and takes n, k");
  CHECK_THROWS_WITH(gen::parse_form("lowbit", 0.5),
                    "--sparsity: lowbit fixes its own sparsity (the blocks it keeps); leave "
                    "--sparsity out");
  CHECK_THROWS_WITH(gen::parse_form("colcomb:sparsity=0.5", 0.6),
                    "--sparsity 0.6 and --form 'colcomb:sparsity=0.5' disagree: give the sparsity "
                    "once");
  CHECK_THROWS_AS(gen::parse_form("binary", -1), InputError);
}

TEST_CASE("random weights have each form's structure", "[gen]") {
  SplitMix64 rng(3);
  const auto nk = gen::random_matrix(gen::parse_form("nk:8,3", -1), 20, 45, rng);
  for (int64_t r = 0; r < nk.rows; ++r)
    for (int64_t g = 0; g < nk.cols; g += 8) {
      int nonzero = 0;
      for (int64_t c = g; c < std::min<int64_t>(g + 8, nk.cols); ++c) {
        CHECK(std::abs(nk.at(r, c)) <= 1);
        nonzero += nk.at(r, c) != 0;
      }
      CHECK(nonzero == std::min<int64_t>(3, nk.cols - g));  // exactly k (fewer in a short tail)
    }
  const auto low =
      gen::random_matrix(gen::parse_form("lowbit:bits=2,block=4,keep=0.25", -1), 32, 32, rng);
  int kept = 0;
  for (int64_t br = 0; br < 8; ++br)
    for (int64_t bc = 0; bc < 8; ++bc) {
      bool any = false;
      for (int64_t r = br * 4; r < br * 4 + 4; ++r)
        for (int64_t c = bc * 4; c < bc * 4 + 4; ++c) {
          CHECK(std::abs(low.at(r, c)) <= 1);
          any = any || low.at(r, c) != 0;
        }
      kept += any;
    }
  CHECK(kept <= 16);  // a quarter of the 64 blocks (a kept block may draw only zeros)
  CHECK(kept >= 12);
  const auto wide = gen::random_matrix(gen::parse_form("dense8", 0.9), 100, 90, rng);
  CHECK(1.0 - wide.nonzeros() / 9000.0 == Approx(0.9).margin(0.01));
  // Rows of 9 (a depthwise 3x3) are all zero 39 % of the time at 0.9: each gets one weight.
  const auto sparse = gen::random_matrix(gen::parse_form("dense8", 0.9), 400, 9, rng);
  for (int64_t r = 0; r < sparse.rows; ++r) {
    bool any = false;
    for (int64_t c = 0; c < sparse.cols; ++c) any = any || sparse.at(r, c) != 0;
    CHECK(any);  // no dead output channel
  }
  // The seed decides everything: the same seed the same weights, another seed others.
  const train::NetSpec spec = native("resnet20", ":width=4");
  const gen::FormSpec cc = gen::parse_form("colcomb", -1);
  CHECK(gen::random_network(spec, cc, 5) == gen::random_network(spec, cc, 5));
  CHECK_FALSE(gen::random_network(spec, cc, 5) == gen::random_network(spec, cc, 6));
}

// Acceptance (issue 25): every calibrated layer of a generated network has fewer than 5 %
// saturated and fewer than 90 % zero outputs on the calibration inputs, for every family.
TEST_CASE("calibrated networks use their range in every family and form", "[gen][calibrate]") {
  const char* forms[] = {"dense8", "ternary", "nk:8,2", "colcomb",
                         "lowbit:bits=3,block=4,keep=0.5"};
  int form = 0;
  for (const train::FamilyDecl& f : train::families()) {
    const std::string name = f.name;
    // Small enough for a unit test, large enough for every family's pools and strides.
    const bool imagenet = f.native.height > 32;
    const train::NetSpec spec = train::parse_net(name + ":width=" + (name == "alexnet" ? "4" : "8"),
                                                 {3, imagenet ? 64 : 32, imagenet ? 64 : 32, 10});
    const gen::FormSpec fs = gen::parse_form(forms[form++ % 5], -1);
    INFO(name << " " << fs.text());
    net::Network n = gen::random_network(spec, fs, 11);
    const auto act = gen::calibrate(n, images_for(n, 4), 2);
    REQUIRE(act.size() == n.layers.size());
    int calibrated = 0;
    for (size_t i = 0; i < act.size(); ++i) {
      if (!act[i].calibrated) continue;
      INFO(n.layers[i].name);
      ++calibrated;
      CHECK(act[i].saturated_fraction() < 0.05);
      CHECK(act[i].zero_fraction() < 0.9);
    }
    CHECK(calibrated > 0);
    CHECK_FALSE(act.back().calibrated);  // the classifier's outputs are its accumulators
    CHECK_NOTHROW(net::infer_types(n, "calibrated"));
  }
}

TEST_CASE("calibration does not depend on the thread count, and inspect measures the same",
          "[gen][calibrate]") {
  const train::NetSpec spec = native("mobilenetv2", ":width=8,input=3x64x64");
  const gen::FormSpec fs = gen::parse_form("dense8", -1);
  net::Network one = gen::random_network(spec, fs, 2), three = one;
  const data::Dataset images = images_for(one, 5);
  const auto a = gen::calibrate(one, images, 1);
  gen::calibrate(three, images, 3);
  CHECK(one == three);
  const auto b = gen::activity(one, images, 2);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(one.layers[i].name);
    CHECK(a[i].zeros == b[i].zeros);
    CHECK(a[i].saturated == b[i].saturated);
    CHECK(a[i].values == b[i].values);
  }
  // The activity agrees with the reference's own outputs.
  const ref::Reference ref(one);
  const auto outs = ref.run_all(images.image(0));
  int64_t zeros = 0;
  for (int32_t v : outs[3].data) zeros += v == 0;
  CHECK(gen::activity(one, images, 1)[3].zeros >= zeros);
}

TEST_CASE("calibration refuses images of another shape", "[gen][calibrate]") {
  net::Network n =
      gen::random_network(native("resnet20", ":width=4"), gen::parse_form("dense8", -1), 1);
  data::SyntheticSpec s;
  s.height = s.width = 28;
  CHECK_THROWS_WITH(gen::calibrate(n, data::synthetic(s, data::Split::Test), 1),
                    "network 'resnet20-dense8' takes 3x32x32 images; the calibration images are "
                    "1x28x28");
}
