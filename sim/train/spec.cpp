#include "sim/train/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/config/yaml_util.hpp"
#include "sim/util/error.hpp"
#include "sim/util/limits.hpp"

namespace trine::train {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string shape_text(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

const char* op_name(LayerOp op) {
  static const char* names[] = {"dense", "conv",   "maxpool",       "avgpool", "flatten",
                                "add",   "concat", "globalavgpool", "shift"};
  return names[static_cast<int>(op)];
}

// A layer's output shape from its inputs' (checking that it fits them); `bad` throws.
template <class Bad>
void layer_shape(LayerSpec& l, const std::vector<const LayerSpec*>& ins, int64_t& c, int64_t& h,
                 int64_t& w, const Bad& bad) {
  switch (l.op) {
    case LayerOp::Dense:
      if (l.out < 1) bad("needs out >= 1");
      c = l.out, h = w = 1;
      break;
    case LayerOp::Conv:
      if (l.out < 1 || l.kernel < 1 || l.stride < 1 || l.pad < 0 || l.groups < 1)
        bad("needs out, kernel, stride and groups >= 1 and pad >= 0");
      if (c % l.groups != 0 || l.out % l.groups != 0)
        bad("groups (" + std::to_string(l.groups) + ") must divide its input channels (" +
            std::to_string(c) + ") and out (" + std::to_string(l.out) + ")");
      if (h + 2 * l.pad < l.kernel || w + 2 * l.pad < l.kernel)
        bad("kernel " + std::to_string(l.kernel) + " does not fit its " + std::to_string(h) + "x" +
            std::to_string(w) + " input (pad " + std::to_string(l.pad) +
            "); the images are too small for this network");
      h = (h + 2 * l.pad - l.kernel) / l.stride + 1;
      w = (w + 2 * l.pad - l.kernel) / l.stride + 1;
      c = l.out;
      break;
    case LayerOp::MaxPool:
    case LayerOp::AvgPool:
      if (l.kernel < 1 || l.stride < 1) bad("needs kernel and stride >= 1");
      if (l.kernel > h || l.kernel > w)
        bad("window " + std::to_string(l.kernel) + " is larger than its " + std::to_string(h) +
            "x" + std::to_string(w) + " input; the images are too small for this network");
      h = (h - l.kernel) / l.stride + 1;
      w = (w - l.kernel) / l.stride + 1;
      break;
    case LayerOp::Flatten:
      c = c * h * w, h = w = 1;
      break;
    case LayerOp::GlobalAvgPool:
      h = w = 1;
      break;
    case LayerOp::Shift:
      break;
    case LayerOp::Add:
    case LayerOp::Concat: {
      if (ins.size() < 2) bad(std::string("an ") + op_name(l.op) + " takes two or more inputs");
      int64_t channels = 0;
      for (const LayerSpec* in : ins) {
        const bool same = l.op == LayerOp::Add ? in->out_c == c : true;
        if (!same || in->out_h != h || in->out_w != w)
          bad("its inputs differ in shape (" + shape_text(c, h, w) + " and " +
              shape_text(in->out_c, in->out_h, in->out_w) + ")");
        channels += in->out_c;
      }
      if (l.op == LayerOp::Concat) c = channels;
      break;
    }
  }
  if (l.op != LayerOp::Add && l.op != LayerOp::Concat && ins.size() > 1)
    bad(std::string("a ") + op_name(l.op) + " layer takes one input");
}

}  // namespace

// Fills in names, inputs and shapes, inserting a flatten before a dense layer that takes the
// previous layer's C x H x W output, and checks that every layer fits its inputs.
void detail::resolve(NetSpec& n, const std::string& where) {
  std::map<std::string, int> counts;  // for unnamed layers: conv1, fc2, pool1, ...
  std::map<std::string, int> index;   // name -> position in `out`
  std::vector<LayerSpec> out;
  LayerSpec image;  // the input, as a layer whose output is the image
  image.out_c = n.input.channels, image.out_h = n.input.height, image.out_w = n.input.width;
  for (LayerSpec l : n.layers) {
    auto bad = [&](const std::string& msg) {
      throw InputError(where, "layer " + std::to_string(out.size() + 1) + " (" +
                                  (l.name.empty() ? std::string("unnamed") : l.name) + "): " + msg);
    };
    const LayerSpec* prev = out.empty() ? &image : &out.back();
    const bool spatial_prev =
        !out.empty() && prev->op != LayerOp::Flatten && prev->op != LayerOp::Dense;
    if (l.op == LayerOp::Dense && l.inputs.empty() && (out.empty() || spatial_prev)) {
      LayerSpec f;  // the image, and convolutions' and pools' outputs, are C x H x W
      f.op = LayerOp::Flatten;
      f.name = index.count("flatten") ? "flatten" + std::to_string(out.size()) : "flatten";
      f.from = {static_cast<int>(out.size()) - 1};
      f.in_c = prev->out_c, f.in_h = prev->out_h, f.in_w = prev->out_w;
      f.out_c = f.in_c * f.in_h * f.in_w, f.out_h = f.out_w = 1;
      index[f.name] = static_cast<int>(out.size());
      out.push_back(f);
    }
    if (l.name.empty()) {
      const char* base = l.op == LayerOp::Dense                                 ? "fc"
                         : l.op == LayerOp::Conv                                ? "conv"
                         : l.op == LayerOp::MaxPool || l.op == LayerOp::AvgPool ? "pool"
                                                                                : op_name(l.op);
      l.name = base + std::to_string(++counts[base]);
      if (l.op == LayerOp::Flatten && !index.count("flatten")) l.name = "flatten";
    }
    if (l.name == "input" || index.count(l.name)) bad("its name is taken (names are unique)");
    l.from.clear();
    std::vector<const LayerSpec*> ins;
    for (const std::string& name : l.inputs) {
      const auto it = index.find(name);
      if (name != "input" && it == index.end())
        bad("input '" + name + "' names no earlier layer (nor 'input')");
      l.from.push_back(name == "input" ? -1 : it->second);
    }
    if (l.inputs.empty()) l.from.push_back(static_cast<int>(out.size()) - 1);
    for (int k : l.from) ins.push_back(k < 0 ? &image : &out[static_cast<size_t>(k)]);
    int64_t c = ins.front()->out_c, h = ins.front()->out_h, w = ins.front()->out_w;
    l.in_c = c, l.in_h = h, l.in_w = w;
    layer_shape(l, ins, c, h, w, bad);
    l.out_c = c, l.out_h = h, l.out_w = w;
    // Bounded before anything is allocated: as the .tnet reader bounds a tensor.
    const double elements =
        static_cast<double>(c) * static_cast<double>(h) * static_cast<double>(w);
    const double weights =
        l.is_compute() ? static_cast<double>(l.rows()) * static_cast<double>(l.cols()) : 0;
    if (elements > static_cast<double>(limits::kTensorElements) ||
        weights > static_cast<double>(limits::kTensorElements))
      bad("its " + std::string(weights > elements ? "weights have " : "output has ") +
          fmt(std::max(weights, elements)) + " elements; the largest tensor has " +
          std::to_string(limits::kTensorElements) + " (docs/inputs.md)");
    l.signed_out = ins.front()->signed_out;  // pools, shift, concat, flatten: as their input
    for (const LayerSpec* in : ins)
      if (l.op == LayerOp::Concat && in->signed_out != l.signed_out)
        bad("its inputs differ in sign (one has a relu, one not)");
    if (l.is_compute() && l.signed_out)
      bad("takes signed values; compute layers take unsigned activations (give its input a "
          "relu)");
    if (l.is_compute() || l.op == LayerOp::Add) l.signed_out = !l.relu;
    index[l.name] = static_cast<int>(out.size());
    out.push_back(l);
  }
  n.layers = out;
  LayerSpec* last = nullptr;
  for (LayerSpec& l : n.layers)
    if (l.is_compute()) last = &l;
  if (!last) throw InputError(where, "the network has no dense or conv layer");
  if (&n.layers.back() != last)
    throw InputError(where, "the network must end with its classifier (a dense or conv layer)");
  last->relu = false;
  const int64_t outputs = last->out_c * last->out_h * last->out_w;
  if (outputs != n.input.classes)
    throw InputError(where, "the network ends with " + std::to_string(outputs) +
                                " outputs, but the dataset has " + std::to_string(n.input.classes) +
                                " classes");
}

namespace {

NetSpec parse_mlp(const std::string& spec, const ImageShape& in) {
  NetSpec n{spec, "mlp", in, {}};
  const std::vector<std::string> sizes = split(spec.substr(4), '-');
  std::vector<int64_t> v;
  for (const std::string& s : sizes) {
    char* end = nullptr;
    const long long x = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || x < 1 || x > (1 << 24))
      throw InputError("--net " + spec + ": '" + s + "' is not a layer size (positive integer)");
    v.push_back(x);
    n.name += "-" + s;
  }
  if (v.size() < 2) throw InputError("--net " + spec + ": give at least input and output sizes");
  const int64_t image = in.channels * in.height * in.width;
  if (v[0] != image)
    throw InputError("--net " + spec + ": the first size must be the image size " +
                     std::to_string(image) + " (" + std::to_string(in.height) + "x" +
                     std::to_string(in.width) + ")");
  for (size_t i = 1; i < v.size(); ++i) {
    LayerSpec l;
    l.op = LayerOp::Dense;
    l.out = v[i];
    n.layers.push_back(l);
  }
  detail::resolve(n, "--net " + spec);
  return n;
}

NetSpec lenet5(const std::string& spec, const ImageShape& in) {
  NetSpec n{spec, "lenet5", in, {}};
  auto add = [&](LayerOp op, int64_t out, int64_t k, int64_t s, int64_t p) {
    LayerSpec l;
    l.op = op, l.out = out, l.kernel = k, l.stride = s, l.pad = p;
    n.layers.push_back(l);
  };
  add(LayerOp::Conv, 6, 5, 1, 2);
  add(LayerOp::MaxPool, 0, 2, 2, 0);
  add(LayerOp::Conv, 16, 5, 1, 0);
  add(LayerOp::MaxPool, 0, 2, 2, 0);
  add(LayerOp::Dense, 120, 1, 1, 0);
  add(LayerOp::Dense, 84, 1, 1, 0);
  add(LayerOp::Dense, in.classes, 1, 1, 0);
  detail::resolve(n, "--net lenet5");
  return n;
}

NetSpec parse_yaml(const std::string& path, const ImageShape& in) {
  const YAML::Node doc = yaml::parse_file(path, "network description");
  yaml::MapReader top(doc, path, "");
  NetSpec n{path, "", in, {}};
  const YAML::Node name = top.get("name");
  n.name = name.IsDefined() ? yaml::to_string(name, path, "name") : "net";
  const YAML::Node layers = top.need("layers");
  top.finish();
  if (!layers.IsSequence() || layers.size() == 0)
    throw InputError(yaml::where(layers, path), "layers", "expected a list of layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string key = "layers[" + std::to_string(i) + "]";
    yaml::MapReader m(layers[i], path, key);
    LayerSpec l;
    const YAML::Node type = m.need("type");
    const std::string t = yaml::to_string(type, path, m.path("type"));
    std::string kinds;
    bool known = false;
    for (int op = 0; op <= static_cast<int>(LayerOp::Shift); ++op) {
      kinds += std::string(kinds.empty() ? "" : ", ") + op_name(static_cast<LayerOp>(op));
      if (t == op_name(static_cast<LayerOp>(op))) l.op = static_cast<LayerOp>(op), known = true;
    }
    if (!known)
      throw InputError(yaml::where(type, path), m.path("type"),
                       "unknown layer type '" + t + "' (" + kinds + ")");
    auto integer = [&](const char* k, int64_t def, int64_t lo) {
      const YAML::Node v = def < 0 ? m.need(k) : m.get(k);  // def < 0: required
      if (!v.IsDefined()) return def;
      const int64_t x = yaml::to_int(v, path, m.path(k));
      if (x < lo || x > 65535)
        throw InputError(
            yaml::where(v, path), m.path(k),
            "must be in [" + std::to_string(lo) + ", 65535], got " + std::to_string(x));
      return x;
    };
    auto flag = [&](const char* k, bool def) {
      const YAML::Node v = m.get(k);
      return v.IsDefined() ? yaml::to_bool(v, path, m.path(k)) : def;
    };
    const YAML::Node layer_name = m.get("name");
    if (layer_name.IsDefined()) l.name = yaml::to_string(layer_name, path, m.path("name"));
    const YAML::Node inputs = m.get("inputs");
    if (inputs.IsDefined()) {
      if (!inputs.IsSequence() || inputs.size() == 0)
        throw InputError(yaml::where(inputs, path), m.path("inputs"),
                         "expected a list of layer names ('input': the image)");
      for (size_t k = 0; k < inputs.size(); ++k)
        l.inputs.push_back(
            yaml::to_string(inputs[k], path, m.path("inputs") + "[" + std::to_string(k) + "]"));
    }
    if (l.is_compute()) l.out = integer("out", -1, 1);
    if (l.op == LayerOp::Conv || l.op == LayerOp::MaxPool || l.op == LayerOp::AvgPool) {
      l.kernel = integer("kernel", l.op == LayerOp::Conv ? 3 : 2, 1);
      l.stride = integer("stride", l.op == LayerOp::Conv ? 1 : l.kernel, 1);
    }
    if (l.op == LayerOp::Conv) {
      l.pad = integer("pad", 0, 0);
      l.groups = integer("groups", 1, 1);
      l.bn = flag("bn", false);
    }
    if (l.op == LayerOp::Add || l.op == LayerOp::Conv || l.op == LayerOp::Dense)
      l.relu = flag("relu", true);
    m.finish();
    n.layers.push_back(l);
  }
  detail::resolve(n, path);
  return n;
}

}  // namespace

NetSpec parse_net(const std::string& spec, const ImageShape& input) {
  if (spec.rfind("mlp:", 0) == 0) return parse_mlp(spec, input);
  if (spec == "lenet5") return lenet5(spec, input);
  if (detail::is_family(spec)) return detail::family(spec, input);
  const bool yaml_file = spec.size() > 5 && (spec.compare(spec.size() - 5, 5, ".yaml") == 0 ||
                                             spec.compare(spec.size() - 4, 4, ".yml") == 0);
  if (yaml_file) return parse_yaml(spec, input);
  throw InputError("--net '" + spec +
                   "': expected mlp:SIZES (e.g. mlp:784-512-512-10), lenet5, a family (" +
                   [] {
                     std::string names;
                     for (const FamilyDecl& f : families())
                       names += std::string(names.empty() ? "" : ", ") + f.name;
                     return names;
                   }() +
                   "; NAME:width=W,input=CxHxW) or a .yaml file describing the layers");
}

net::Layer layer_shell(const NetSpec& spec, size_t i) {
  const LayerSpec& s = spec.layers[i];
  net::Layer l;
  l.name = s.name;
  if (!(s.from.size() == 1 && s.from[0] == static_cast<int>(i) - 1))
    for (int k : s.from)
      l.inputs.push_back(k < 0 ? "input" : spec.layers[static_cast<size_t>(k)].name);
  const bool conv = s.op == LayerOp::Conv;
  switch (s.op) {
    case LayerOp::Dense:
    case LayerOp::Conv:
      l.kind = conv ? net::LayerKind::Conv2d : net::LayerKind::Dense;
      l.in_channels = conv ? s.in_c : s.cols();
      l.out_channels = s.out_c;
      l.groups = s.groups;
      l.kernel_h = l.kernel_w = conv ? s.kernel : 1;
      l.stride_h = l.stride_w = conv ? s.stride : 1;
      l.pad_h = l.pad_w = conv ? s.pad : 0;
      break;
    case LayerOp::MaxPool:
    case LayerOp::AvgPool:
      l.kind = s.op == LayerOp::MaxPool ? net::LayerKind::MaxPool : net::LayerKind::AvgPool;
      l.kernel_h = l.kernel_w = s.kernel;
      l.stride_h = l.stride_w = s.stride;
      break;
    case LayerOp::Flatten:
      l.kind = net::LayerKind::Flatten;
      break;
    case LayerOp::GlobalAvgPool:
      l.kind = net::LayerKind::GlobalAvgPool;
      break;
    case LayerOp::Concat:
      l.kind = net::LayerKind::Concat;
      break;
    case LayerOp::Shift:
      l.kind = net::LayerKind::Shift;
      for (int64_t c = 0; c < s.in_c; ++c) l.offsets.push_back(shift_offset(c));
      break;
    case LayerOp::Add:
      l.kind = net::LayerKind::Add;
      l.scales.assign(s.from.size(), net::Requant{});
      break;
  }
  if (s.is_compute() || s.op == LayerOp::Add) l.relu = s.relu;
  return l;
}

std::pair<int, int> shift_offset(int64_t channel) {
  const int d = static_cast<int>(channel % 9);
  return {d / 3 - 1, d % 3 - 1};
}

const std::vector<MethodDecl>& method_decls() {
  static const std::vector<MethodDecl> decls = {
      {"dense8", "8-bit weights, per-neuron scales: the uncompressed baseline", {}, 0},
      {"ternary",
       "sparse ternary weights in three stages: regularized training, pruning, retraining "
       "(Faraone et al. 2017)",
       {{"r", 0.7, 0.05, 5, false, "threshold t = r * mean|w| of the layer"},
        {"lambda", 1e-5, 0, 1, false, "weight of the threshold regularizer sum_{|w|<t} |w|"},
        {"l2", 1e-5, 0, 1, false, "weight of the L2 regularizer sum w^2 in stage 1"},
        {"stage1", 0.5, 0.05, 0.95, false, "fraction of the epochs spent in stage 1"}},
       0},
      {"nk",
       "(N,k) structured sparse ternary codes with a decoder table, weight normalization and "
       "gradual pruning (Boo & Sung 2017)",
       {{"n", 8, 2, 16, true, "group size: consecutive weights of a neuron's inputs", true},
        {"k", 2, 1, 16, true, "most nonzeros per group", true},
        {"r", 0.3, 0, 3, false, "kept entries below r * std of the layer become zero"},
        {"ramp", 0.5, 0, 1, false, "fraction of the epochs over which k tightens from n"}},
       2},
      {"colcomb",
       "column combining for systolic arrays: prune, combine, retrain rounds (Kung et al. 2019)",
       {{"alpha", 8, 1, 64, true, "most columns in one group", true},
        {"gamma", 0.5, 0, 64, false,
         "conflict budget: merge: weights a group may lose, first-fit: rows a joining column may "
         "conflict in; int(gamma x rows) either way (the authors' gamma)",
         true},
        {"grouping", 0, 0, 1, true,
         "merge: the authors' (pairs of groups, fewest jointly empty rows first); first-fit: "
         "densest column into the first group it fits",
         true, net::column_grouping_names()},
        {"sparsity", 0.8, 0, 0.99, false, "magnitude-pruning sparsity of the last round", true},
        {"rounds", 3, 1, 10, true, "prune-combine-retrain rounds, with rising sparsity"}},
       0},
      {"lowbit",
       "k-bit weights with coarse-grain block sparsity (Yin et al. 2017)",
       {{"bits", 3, 1, 8, true, "bits per kept weight (1: binary +-a)", true},
        {"block", 8, 1, 256, true, "blocks are block x block tiles of the weight matrix", true},
        {"keep", 0.125, 0.001, 1, false, "fraction of blocks kept, by L2 norm", true},
        {"ramp", 0.3, 0, 1, false, "fraction of the epochs over which the kept fraction falls"},
        {"global", 1, 0, 1, true,
         "1: keep is a fraction of the whole network's weights, blocks ranked across layers"}},
       0},
  };
  return decls;
}

double MethodSpec::get(const std::string& key) const {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  TRINE_ASSERT(false, "method " + name + " has no parameter " + key);
  return 0;
}

namespace {

const ParamDecl* param_decl(const std::string& method, const std::string& param) {
  for (const MethodDecl& d : method_decls())
    if (d.name == method)
      for (const ParamDecl& p : d.params)
        if (param == p.name) return &p;
  return nullptr;
}

// A value as the grammar writes it: a choice's name, else the number.
std::string value_text(const ParamDecl* p, double v) {
  if (p && !p->choices.empty()) return p->choices[static_cast<size_t>(v)];
  return fmt(v);
}

}  // namespace

std::string MethodSpec::value(const std::string& key) const {
  return value_text(param_decl(name, key), get(key));
}

std::string MethodSpec::text() const {
  std::string s = name;
  for (size_t i = 0; i < params.size(); ++i)
    s += (i == 0 ? ":" : ",") + params[i].first + "=" +
         value_text(param_decl(name, params[i].first), params[i].second);
  return s;
}

std::string methods_help() {
  std::ostringstream o;
  o << "methods (--method NAME or NAME:KEY=VALUE,...):\n";
  for (const MethodDecl& d : method_decls()) {
    o << "  " << d.name << ": " << d.summary << "\n";
    for (const ParamDecl& p : d.params) {
      o << "      " << p.name << "=" << value_text(&p, p.value) << "  " << p.description;
      if (p.choices.empty()) {
        o << " [" << fmt(p.lo) << ", " << fmt(p.hi) << "]\n";
        continue;
      }
      std::string names;
      for (const std::string& c : p.choices) names += (names.empty() ? "" : " | ") + c;
      o << " [" << names << "]\n";
    }
  }
  return o.str();
}

MethodSpec parse_method(const std::string& text) {
  const size_t colon = text.find(':');
  const std::string name = text.substr(0, colon);
  const MethodDecl* decl = nullptr;
  std::string names;
  for (const MethodDecl& d : method_decls()) {
    if (d.name == name) decl = &d;
    names += std::string(names.empty() ? "" : ", ") + d.name;
  }
  if (!decl)
    throw InputError("--method '" + text + "': unknown method '" + name + "' (" + names + ")");
  MethodSpec m;
  m.name = name;
  for (const ParamDecl& p : decl->params) m.params.emplace_back(p.name, p.value);
  if (colon == std::string::npos) return m;
  const std::vector<std::string> items = split(text.substr(colon + 1), ',');
  std::vector<bool> given(decl->params.size(), false);
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    const size_t eq = item.find('=');
    size_t index = decl->params.size();
    std::string value;
    if (eq == std::string::npos) {
      if (static_cast<int>(i) >= decl->positional)
        throw InputError("--method '" + text + "': '" + item + "' needs a name (KEY=VALUE)");
      index = i;
      value = item;
    } else {
      const std::string key = item.substr(0, eq);
      value = item.substr(eq + 1);
      for (size_t p = 0; p < decl->params.size(); ++p)
        if (key == decl->params[p].name) index = p;
      if (index == decl->params.size()) {
        std::string keys;
        for (const ParamDecl& p : decl->params)
          keys += std::string(keys.empty() ? "" : ", ") + p.name;
        throw InputError("--method '" + text + "': " + name + " has no parameter '" + key + "'" +
                         (keys.empty() ? " (it takes none)" : " (" + keys + ")"));
      }
    }
    const ParamDecl& p = decl->params[index];
    if (given[index]) throw InputError("--method '" + text + "': " + p.name + " is given twice");
    given[index] = true;
    m.given.push_back(p.name);
    if (!p.choices.empty()) {
      const auto at = std::find(p.choices.begin(), p.choices.end(), value);
      std::string names;
      for (const std::string& c : p.choices) names += (names.empty() ? "" : ", ") + c;
      if (at == p.choices.end())
        throw InputError("--method '" + text + "': " + p.name + " must be one of " + names +
                         ", not '" + value + "'");
      m.params[index].second = static_cast<double>(at - p.choices.begin());
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end || !std::isfinite(v) || v < p.lo || v > p.hi ||
        (p.integer && v != std::floor(v)))
      throw InputError("--method '" + text + "': " + p.name + " must be " +
                       (p.integer ? "an integer" : "a number") + " in [" + fmt(p.lo) + ", " +
                       fmt(p.hi) + "], not '" + value + "'");
    m.params[index].second = v;
  }
  if (name == "nk" && m.get("k") > m.get("n"))
    throw InputError("--method '" + text + "': k must not exceed n");
  return m;
}

}  // namespace trine::train
