// The built-in network families of `--net NAME[:width=W,input=CxHxW]`: the networks of the
// seed papers and the ones architects compare against, sized by a base width and an input.
// Every convolution trains with batch norm (folded into its weights afterwards) and a relu,
// except where a residual add follows (the add takes the relu).
#include <cstdlib>
#include <functional>
#include <map>

#include "sim/train/spec.hpp"
#include "sim/util/error.hpp"

namespace trine::train {

namespace {

// Appends layers by name and keeps track of each one's output channels.
class Builder {
 public:
  explicit Builder(NetSpec& n) : n_(n) { channels_["input"] = n.input.channels; }
  int64_t channels(const std::string& t) const { return channels_.at(t); }
  // pad < 0: k / 2, the padding that keeps the size at stride 1.
  std::string conv(const std::string& from, int64_t out, int64_t k, int64_t stride,
                   int64_t groups = 1, bool relu = true, int64_t pad = -1) {
    LayerSpec l = make(LayerOp::Conv, "conv", from);
    l.out = out, l.kernel = k, l.stride = stride, l.pad = pad < 0 ? k / 2 : pad, l.groups = groups;
    l.bn = true, l.relu = relu;
    return push(l, out);
  }
  std::string pointwise(const std::string& from, int64_t out, int64_t stride = 1,
                        bool relu = true) {
    return conv(from, out, 1, stride, 1, relu);
  }
  std::string depthwise(const std::string& from, int64_t stride) {
    const int64_t c = channels(from);
    return conv(from, c, 3, stride, c);
  }
  std::string add(const std::string& a, const std::string& b) {
    LayerSpec l = make(LayerOp::Add, "add", a);
    l.inputs = {a, b};
    return push(l, channels(a));
  }
  std::string pool(LayerOp op, const std::string& from, int64_t k, int64_t stride) {
    LayerSpec l = make(op, "pool", from);
    l.kernel = k, l.stride = stride;
    return push(l, channels(from));
  }
  std::string shift(const std::string& from) {
    return push(make(LayerOp::Shift, "shift", from), channels(from));
  }
  void classifier(const std::string& from) {
    const std::string g = push(make(LayerOp::GlobalAvgPool, "gap", from), channels(from));
    LayerSpec f = make(LayerOp::Flatten, "flatten", g);
    push(f, channels(g));
    dense("flatten", n_.input.classes, false);
  }
  // VGG's and AlexNet's head: the feature map flattened, two hidden dense layers, the classes.
  void dense_head(const std::string& from, int64_t hidden) {
    LayerSpec f = make(LayerOp::Flatten, "flatten", from);
    push(f, 0);
    dense(dense(dense("flatten", hidden, true), hidden, true), n_.input.classes, false);
  }
  std::string dense(const std::string& from, int64_t out, bool relu) {
    LayerSpec fc = make(LayerOp::Dense, "fc", from);
    fc.out = out, fc.relu = relu;
    return push(fc, out);
  }

 private:
  LayerSpec make(LayerOp op, const char* base, const std::string& from) {
    LayerSpec l;
    l.op = op;
    l.name = op == LayerOp::Flatten ? "flatten" : base + std::to_string(++counts_[base]);
    l.inputs = {from};
    return l;
  }
  std::string push(const LayerSpec& l, int64_t out) {
    channels_[l.name] = out;
    n_.layers.push_back(l);
    return l.name;
  }
  NetSpec& n_;
  std::map<std::string, int64_t> channels_;
  std::map<std::string, int> counts_;
};

// ResNet's basic block: two 3x3 convolutions and a shortcut (a strided 1x1 convolution when
// the shape changes), added, then the relu.
std::string basic_block(Builder& b, const std::string& x, int64_t out, int64_t stride) {
  const std::string a = b.conv(x, out, 3, stride);
  const std::string c = b.conv(a, out, 3, 1, 1, false);
  const bool same = stride == 1 && b.channels(x) == out;
  return b.add(same ? x : b.pointwise(x, out, stride, false), c);
}

// Kung et al.'s shift block: pointwise, shift, pointwise (the 3x3 convolution's spatial reach
// from the shift), with ResNet's shortcut.
std::string shift_block(Builder& b, const std::string& x, int64_t out, int64_t stride) {
  const std::string a = b.pointwise(x, out);
  const std::string c = b.pointwise(b.shift(a), out, stride, false);
  const bool same = stride == 1 && b.channels(x) == out;
  return b.add(same ? x : b.pointwise(x, out, stride, false), c);
}

// CIFAR-style residual network: a 3x3 stem, three stages of `blocks` blocks at width, 2x and
// 4x, the later stages starting with stride 2.
void cifar_resnet(Builder& b, int64_t w, int blocks, bool shift) {
  std::string x = b.conv("input", w, 3, 1);
  for (int stage = 0; stage < 3; ++stage)
    for (int k = 0; k < blocks; ++k) {
      const int64_t out = w << stage, stride = stage > 0 && k == 0 ? 2 : 1;
      x = shift ? shift_block(b, x, out, stride) : basic_block(b, x, out, stride);
    }
  b.classifier(x);
}

// The ImageNet stem of ResNets: 7x7 stride-2 convolution and a 2x2 max pool (torchvision pads
// a 3x3 pool instead: the same 56x56 output at 224, trine's pools do not pad), for inputs of 64
// pixels or more; a 3x3 convolution otherwise.
std::string resnet_stem(Builder& b, int64_t w, const ImageShape& in) {
  return in.height >= 64 ? b.pool(LayerOp::MaxPool, b.conv("input", w, 7, 2), 2, 2)
                         : b.conv("input", w, 3, 1);
}

// ResNet-18: the stem, four stages of two basic blocks.
void resnet18(Builder& b, int64_t w, const ImageShape& in) {
  std::string x = resnet_stem(b, w, in);
  for (int stage = 0; stage < 4; ++stage)
    for (int k = 0; k < 2; ++k) x = basic_block(b, x, w << stage, stage > 0 && k == 0 ? 2 : 1);
  b.classifier(x);
}

// ResNet-50's bottleneck block: 1x1 down to `mid`, 3x3 (strided, as in torchvision's v1.5),
// 1x1 up to 4 x mid, and the shortcut (a strided 1x1 convolution when the shape changes).
std::string bottleneck(Builder& b, const std::string& x, int64_t mid, int64_t stride) {
  const std::string c = b.pointwise(b.conv(b.pointwise(x, mid), mid, 3, stride), 4 * mid, 1, false);
  const bool same = stride == 1 && b.channels(x) == 4 * mid;
  return b.add(same ? x : b.pointwise(x, 4 * mid, stride, false), c);
}

// ResNet-50: the stem, four stages of 3, 4, 6 and 3 bottleneck blocks (mid width w, 2w, 4w,
// 8w; outputs four times that), global pooling, the classifier.
void resnet50(Builder& b, int64_t w, const ImageShape& in) {
  std::string x = resnet_stem(b, w, in);
  const int blocks[] = {3, 4, 6, 3};
  for (int stage = 0; stage < 4; ++stage)
    for (int k = 0; k < blocks[stage]; ++k)
      x = bottleneck(b, x, w << stage, stage > 0 && k == 0 ? 2 : 1);
  b.classifier(x);
}

// VGG: 3x3 convolutions in stages separated by 2x2 max pools (-1 in `plan`), widths relative to
// `w` (the first stage's); then global pooling and the classifier, or (hidden > 0) the original
// head: the last feature map flattened into two dense layers of `hidden` neurons.
void vgg(Builder& b, int64_t w, const std::vector<int>& plan, int64_t hidden = 0) {
  std::string x = "input";
  for (int m : plan) x = m < 0 ? b.pool(LayerOp::MaxPool, x, 2, 2) : b.conv(x, w * m, 3, 1);
  if (hidden > 0)
    b.dense_head(x, hidden);
  else
    b.classifier(x);
}

// AlexNet as torchvision defines it (one tower): 11x11/4 (pad 2), 3x3/2 max pool, 5x5 (pad 2),
// pool, three 3x3 convolutions, pool, then the dense head; widths 64, 192, 384, 256, 256 at
// w = 64, hidden layers of 64 w (4096).
void alexnet(Builder& b, int64_t w) {
  std::string x = b.pool(LayerOp::MaxPool, b.conv("input", w, 11, 4, 1, true, 2), 3, 2);
  x = b.pool(LayerOp::MaxPool, b.conv(x, w * 3, 5, 1), 3, 2);
  x = b.conv(b.conv(b.conv(x, w * 6, 3, 1), w * 4, 3, 1), w * 4, 3, 1);
  b.dense_head(b.pool(LayerOp::MaxPool, x, 3, 2), w * 64);
}

// The MobileNets' 3x3 stem: stride 2 on inputs of 64 pixels or more (ImageNet), else 1 (CIFAR).
std::string mobile_stem(Builder& b, int64_t w, const ImageShape& in) {
  return b.conv("input", w, 3, in.height >= 64 ? 2 : 1);
}

// MobileNet v1: the stem, then depthwise 3x3 + pointwise blocks; (channels x w/32, stride).
void mobilenet(Builder& b, int64_t w, const ImageShape& in) {
  std::string x = mobile_stem(b, w, in);
  const std::pair<int, int> plan[] = {{2, 1},  {4, 2},  {4, 1},  {8, 2},  {8, 1},  {16, 2}, {16, 1},
                                      {16, 1}, {16, 1}, {16, 1}, {16, 1}, {32, 2}, {32, 1}};
  for (const auto& [m, stride] : plan) x = b.pointwise(b.depthwise(x, stride), w * m / 2);
  b.classifier(x);
}

// MobileNet v2: inverted residual blocks (1x1 expansion by 6, depthwise 3x3, 1x1 projection),
// with a residual add where the shape allows. The projection keeps a relu (trine's array
// takes unsigned activations), unlike the paper's linear bottleneck. On ImageNet inputs the
// stem and the second stage stride 2, as in the paper; on CIFAR inputs neither does.
void mobilenetv2(Builder& b, int64_t w, const ImageShape& in) {
  const bool imagenet = in.height >= 64;
  std::string x = mobile_stem(b, w, in);
  struct Stage {
    int expand, channels, repeat, stride;  // channels x w / 32
  };
  const Stage plan[] = {{1, 16, 1, 1}, {6, 24, 2, 1},  {6, 32, 3, 2}, {6, 64, 4, 2},
                        {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  for (const Stage& s : plan)
    for (int k = 0; k < s.repeat; ++k) {
      const int64_t out = std::max<int64_t>(1, w * s.channels / 32);
      const int64_t stride = k > 0 ? 1 : imagenet && s.channels == 24 ? 2 : s.stride;
      const std::string e = s.expand == 1 ? x : b.pointwise(x, b.channels(x) * s.expand);
      const std::string y = b.pointwise(b.depthwise(e, stride), out);
      x = stride == 1 && b.channels(x) == out ? b.add(x, y) : y;
    }
  b.classifier(b.pointwise(x, w * 40));  // 1280 at width 32
}

}  // namespace

const std::vector<FamilyDecl>& families() {
  static const std::vector<FamilyDecl> f = {
      {"resnet20",
       16,
       {3, 32, 32, 10},
       "CIFAR ResNet-20: 3x3 stem, 3 stages of 3 basic blocks (width, 2x, 4x)"},
      {"resnet18",
       64,
       {3, 224, 224, 1000},
       "ResNet-18: 4 stages of 2 basic blocks; 7x7 stem for inputs >= 64"},
      {"resnet50",
       64,
       {3, 224, 224, 1000},
       "ResNet-50: 4 stages of 3, 4, 6, 3 bottleneck blocks; 7x7 stem for inputs >= 64"},
      {"vgg11",
       64,
       {3, 32, 32, 10},
       "VGG-11: 8 3x3 convolutions in 5 stages, global pool, classifier"},
      {"vgg16",
       64,
       {3, 224, 224, 1000},
       "VGG-16: 13 3x3 convolutions in 5 stages, dense 64w, 64w, classes (4096 at w = 64)"},
      {"vgg-small",
       128,
       {3, 32, 32, 10},
       "VGG-small (LQ-Nets, BNN papers): 2x(w), 2x(2w), 2x(4w), pools"},
      {"alexnet",
       64,
       {3, 224, 224, 1000},
       "AlexNet (torchvision's): 5 convolutions (11x11/4 first), 3 pools, dense 64w, 64w"},
      {"mobilenet",
       32,
       {3, 32, 32, 10},
       "MobileNet v1: depthwise-separable blocks, 13 of them; stride-2 stem for inputs >= 64"},
      {"mobilenetv2",
       32,
       {3, 224, 224, 1000},
       "MobileNet v2: inverted residual blocks (relu after projections); ImageNet strides for "
       "inputs >= 64"},
      {"shiftnet",
       16,
       {3, 32, 32, 10},
       "Kung et al.'s shift ResNet-20: pointwise, shift, pointwise blocks"},
  };
  return f;
}

bool detail::is_family(const std::string& spec) {
  const std::string name = spec.substr(0, spec.find(':'));
  for (const FamilyDecl& f : families())
    if (name == f.name) return true;
  return false;
}

NetSpec detail::family(const std::string& spec, const ImageShape& dataset) {
  const size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const FamilyDecl* decl = nullptr;
  for (const FamilyDecl& f : families())
    if (name == f.name) decl = &f;
  TRINE_ASSERT(decl != nullptr, "is_family() first");
  auto bad = [&](const std::string& msg) { throw InputError("--net '" + spec + "': " + msg); };
  int64_t width = decl->width;
  ImageShape in = dataset;
  std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string item = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    const std::string key = item.substr(0, eq),
                      value = eq == std::string::npos ? "" : item.substr(eq + 1);
    char* end = nullptr;
    if (key == "width") {
      width = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end || width < 1 || width > 4096)
        bad("width must be an integer in [1, 4096], not '" + value + "'");
    } else if (key == "input") {
      long long c = 0, h = 0, w = 0;
      int used = 0;
      if (std::sscanf(value.c_str(), "%lldx%lldx%lld%n", &c, &h, &w, &used) != 3 ||
          used != static_cast<int>(value.size()) || c < 1 || c > 4 || h < 1 || h > 1024 || w < 1 ||
          w > 1024)
        bad("input must be CxHxW (1-4 channels, 1-1024 pixels a side), not '" + value + "'");
      in.channels = c, in.height = h, in.width = w;
    } else {
      bad("unknown parameter '" + key + "' (width, input)");
    }
  }
  NetSpec n{spec, name, in, {}};
  Builder b(n);
  if (name == "resnet20") cifar_resnet(b, width, 3, false);
  if (name == "shiftnet") cifar_resnet(b, width, 3, true);
  if (name == "resnet18") resnet18(b, width, in);
  if (name == "resnet50") resnet50(b, width, in);
  if (name == "vgg11") vgg(b, width, {1, -1, 2, -1, 4, 4, -1, 8, 8, -1, 8, 8, -1});
  if (name == "vgg16")
    vgg(b, width, {1, 1, -1, 2, 2, -1, 4, 4, 4, -1, 8, 8, 8, -1, 8, 8, 8, -1}, width * 64);
  if (name == "vgg-small") vgg(b, width, {1, 1, -1, 2, 2, -1, 4, 4, -1});
  if (name == "alexnet") alexnet(b, width);
  if (name == "mobilenet") mobilenet(b, width, in);
  if (name == "mobilenetv2") mobilenetv2(b, width, in);
  detail::resolve(n, "--net " + spec);
  return n;
}

}  // namespace trine::train
