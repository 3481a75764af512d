#include "sim/train/spec.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sim/config/yaml_util.hpp"
#include "sim/util/error.hpp"

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

// Fills in names and shapes, inserting a flatten before the first dense layer after a
// convolution, and checks that every layer fits its input.
void resolve(NetSpec& n, const std::string& where) {
  int64_t c = n.input.channels, h = n.input.height, w = n.input.width;
  int conv = 0, fc = 0, pool = 0;
  // The image and the outputs of convolutions and pools are C x H x W tensors: a dense layer
  // after one takes it flattened, even when it is 1 x 1 in space (a global pool).
  bool spatial = true;
  std::vector<LayerSpec> out;
  for (LayerSpec l : n.layers) {
    auto bad = [&](const std::string& msg) {
      throw InputError(where, "layer " + std::to_string(out.size() + 1) + " (" +
                                  (l.name.empty() ? std::string("unnamed") : l.name) + "): " + msg);
    };
    if (l.op == LayerOp::Dense && spatial) {
      LayerSpec f;
      f.op = LayerOp::Flatten;
      f.name = "flatten";
      f.in_c = c, f.in_h = h, f.in_w = w;
      c = c * h * w, h = w = 1;
      f.out_c = c, f.out_h = 1, f.out_w = 1;
      out.push_back(f);
    }
    l.in_c = c, l.in_h = h, l.in_w = w;
    switch (l.op) {
      case LayerOp::Dense:
        if (l.name.empty()) l.name = "fc" + std::to_string(++fc);
        if (l.out < 1) bad("needs out >= 1");
        c = l.out;
        break;
      case LayerOp::Conv:
        if (l.name.empty()) l.name = "conv" + std::to_string(++conv);
        if (l.out < 1 || l.kernel < 1 || l.stride < 1 || l.pad < 0)
          bad("needs out, kernel and stride >= 1 and pad >= 0");
        if (h + 2 * l.pad < l.kernel || w + 2 * l.pad < l.kernel)
          bad("kernel " + std::to_string(l.kernel) + " does not fit its " + std::to_string(h) +
              "x" + std::to_string(w) + " input (pad " + std::to_string(l.pad) +
              "); the images are too small for this network");
        h = (h + 2 * l.pad - l.kernel) / l.stride + 1;
        w = (w + 2 * l.pad - l.kernel) / l.stride + 1;
        c = l.out;
        break;
      case LayerOp::MaxPool:
      case LayerOp::AvgPool:
        if (l.name.empty()) l.name = "pool" + std::to_string(++pool);
        if (l.kernel < 1 || l.stride < 1) bad("needs kernel and stride >= 1");
        if (l.kernel > h || l.kernel > w)
          bad("window " + std::to_string(l.kernel) + " is larger than its " + std::to_string(h) +
              "x" + std::to_string(w) + " input; the images are too small for this network");
        h = (h - l.kernel) / l.stride + 1;
        w = (w - l.kernel) / l.stride + 1;
        break;
      case LayerOp::Flatten:
        if (l.name.empty()) l.name = "flatten";
        c = c * h * w, h = w = 1;
        break;
    }
    l.out_c = c, l.out_h = h, l.out_w = w;
    spatial = l.op == LayerOp::Conv || l.op == LayerOp::MaxPool || l.op == LayerOp::AvgPool;
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
  if (c * h * w != n.input.classes)
    throw InputError(where, "the network ends with " + std::to_string(c * h * w) +
                                " outputs, but the dataset has " + std::to_string(n.input.classes) +
                                " classes");
}

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
  resolve(n, "--net " + spec);
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
  resolve(n, "--net lenet5");
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
    if (t == "dense")
      l.op = LayerOp::Dense;
    else if (t == "conv")
      l.op = LayerOp::Conv;
    else if (t == "maxpool")
      l.op = LayerOp::MaxPool;
    else if (t == "avgpool")
      l.op = LayerOp::AvgPool;
    else if (t == "flatten")
      l.op = LayerOp::Flatten;
    else
      throw InputError(yaml::where(type, path), m.path("type"),
                       "unknown layer type '" + t + "' (dense, conv, maxpool, avgpool, flatten)");
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
    const YAML::Node layer_name = m.get("name");
    if (layer_name.IsDefined()) l.name = yaml::to_string(layer_name, path, m.path("name"));
    if (l.is_compute()) l.out = integer("out", -1, 1);
    if (l.op != LayerOp::Dense && l.op != LayerOp::Flatten) {
      l.kernel = integer("kernel", l.op == LayerOp::Conv ? 3 : 2, 1);
      l.stride = integer("stride", l.op == LayerOp::Conv ? 1 : l.kernel, 1);
    }
    if (l.op == LayerOp::Conv) l.pad = integer("pad", 0, 0);
    m.finish();
    n.layers.push_back(l);
  }
  resolve(n, path);
  return n;
}

}  // namespace

NetSpec parse_net(const std::string& spec, const ImageShape& input) {
  if (spec.rfind("mlp:", 0) == 0) return parse_mlp(spec, input);
  if (spec == "lenet5") return lenet5(spec, input);
  const bool yaml_file = spec.size() > 5 && (spec.compare(spec.size() - 5, 5, ".yaml") == 0 ||
                                             spec.compare(spec.size() - 4, 4, ".yml") == 0);
  if (yaml_file) return parse_yaml(spec, input);
  throw InputError("--net '" + spec +
                   "': expected mlp:SIZES (e.g. mlp:784-512-512-10), lenet5, "
                   "or a .yaml file describing the layers");
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
       {{"n", 8, 2, 16, true, "group size: consecutive weights of a neuron's inputs"},
        {"k", 2, 1, 16, true, "most nonzeros per group"},
        {"r", 0.3, 0, 3, false, "kept entries below r * std of the layer become zero"},
        {"ramp", 0.5, 0, 1, false, "fraction of the epochs over which k tightens from n"}},
       2},
      {"colcomb",
       "column combining for systolic arrays: prune, combine, retrain rounds (Kung et al. 2019)",
       {{"alpha", 8, 1, 64, true, "most columns in one group"},
        {"gamma", 0.1, 0, 1, false, "most conflicting rows when a column joins a group (fraction)"},
        {"sparsity", 0.8, 0, 0.99, false, "magnitude-pruning sparsity of the last round"},
        {"rounds", 3, 1, 10, true, "prune-combine-retrain rounds, with rising sparsity"}},
       0},
      {"lowbit",
       "k-bit weights with coarse-grain block sparsity (Yin et al. 2017)",
       {{"bits", 3, 1, 8, true, "bits per kept weight (1: binary +-a)"},
        {"block", 8, 1, 256, true, "blocks are block x block tiles of the weight matrix"},
        {"keep", 0.125, 0.001, 1, false, "fraction of blocks kept, by L2 norm"},
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

std::string MethodSpec::text() const {
  std::string s = name;
  for (size_t i = 0; i < params.size(); ++i)
    s += (i == 0 ? ":" : ",") + params[i].first + "=" + fmt(params[i].second);
  return s;
}

std::string methods_help() {
  std::ostringstream o;
  o << "methods (--method NAME or NAME:KEY=VALUE,...):\n";
  for (const MethodDecl& d : method_decls()) {
    o << "  " << d.name << ": " << d.summary << "\n";
    for (const ParamDecl& p : d.params)
      o << "      " << p.name << "=" << fmt(p.value) << "  " << p.description << " [" << fmt(p.lo)
        << ", " << fmt(p.hi) << "]\n";
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
