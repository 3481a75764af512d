#include "sim/sweep/spec.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/config/schema_io.hpp"
#include "sim/config/yaml_util.hpp"
#include "sim/util/embedded.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::sweep {

namespace {

constexpr const char* kDefaultModel = "configs/nets/default.tnet";

// A path in a spec is relative to the spec's folder.
std::string beside(const std::string& spec_file, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const size_t slash = spec_file.rfind('/');
  return slash == std::string::npos ? path : spec_file.substr(0, slash + 1) + path;
}

std::vector<std::string> design_keys() {
  std::vector<std::string> keys;
  std::istringstream in(config::key_reference());
  for (std::string line; std::getline(in, line);) keys.push_back(line.substr(0, line.find('\t')));
  return keys;
}

// Every key of a resolved design point as a filter value: sizes in bytes, frequencies in hertz.
class Flatten : public config::FieldVisitor {
 public:
  explicit Flatten(std::map<std::string, Value>& out, std::string path = "")
      : out_(out), path_(std::move(path)) {}
  void integer(const char* k, int64_t& v, int64_t, int64_t, const char*, const char*) override {
    put(k, Value::of(static_cast<double>(v)));
  }
  void bytes(const char* k, int64_t& v, int64_t, int64_t, const char*) override {
    put(k, Value::of(static_cast<double>(v)));
  }
  void hertz(const char* k, int64_t& v, int64_t, int64_t, const char*) override {
    put(k, Value::of(static_cast<double>(v)));
  }
  void real(const char* k, double& v, double, double, const char*, const char*) override {
    put(k, Value::of(v));
  }
  void choice(const char* k, std::string& v, const std::vector<std::string>&,
              const char*) override {
    put(k, Value::of(v));
  }
  void text(const char* k, std::string& v, const char*) override { put(k, Value::of(v)); }
  void section(const char* k, const char*,
               const std::function<void(config::FieldVisitor&)>& body) override {
    Flatten inner(out_, yaml::join(path_, k));
    body(inner);
  }

 private:
  void put(const char* k, Value v) { out_[yaml::join(path_, k)] = std::move(v); }
  std::map<std::string, Value>& out_;
  std::string path_;
};

// An axis value as the filter sees it when its design point does not resolve.
Value literal(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') return Value::of(v);
  return Value::of(text);
}

config::LoadedDesignPoint resolve(const Spec& spec, const std::vector<config::Override>& o) {
  return spec.base.empty() ? config::default_design_point(o)
                           : config::load_design_point(spec.base, o);
}

std::vector<uint8_t> model_bytes(const std::string& model) {
  if (model.empty()) {
    const embedded::Blob* b = embedded::find_blob(kDefaultModel);
    return b ? std::vector<uint8_t>(b->data, b->data + b->size) : std::vector<uint8_t>();
  }
  return read_input_bytes(model, limits::kModelFileBytes, "network");
}

// A model named by the spec must be a readable .tnet-sized regular file (its bytes are part of
// every point's id).
void readable_model(const std::string& path, const Location& where, const std::string& key) {
  try {
    check_input_file(path, limits::kModelFileBytes, "network");
  } catch (const InputError& e) {
    throw InputError(where, key, e.what());
  }
}

}  // namespace

Spec parse_spec(const std::string& text, const std::string& file) {
  Spec s;
  s.file = file;
  const YAML::Node root = yaml::parse(text, file);
  yaml::MapReader top(root, file, "");
  if (const YAML::Node v = top.need("version"); yaml::to_int(v, file, "version") != 1)
    throw InputError(yaml::where(v, file), "version", "must be 1");
  s.name = yaml::to_string(top.need("name"), file, "name");
  if (const YAML::Node b = top.get("base")) {
    const std::string base = yaml::to_string(b, file, "base");
    if (base != "default") s.base = beside(file, base);
    // Every point would fail on a base that cannot be read: that is the spec's error.
    if (!s.base.empty()) try {
        yaml::parse_file(s.base, "design point");
      } catch (const InputError& e) {
        throw InputError(yaml::where(b, file), "base", e.what());
      }
  }
  if (const YAML::Node m = top.get("model")) {
    const std::string model = yaml::to_string(m, file, "model");
    if (model != "default") s.model = beside(file, model);
    if (!s.model.empty()) readable_model(s.model, yaml::where(m, file), "model");
  }
  {
    yaml::MapReader run(top.get("run"), file, "run");
    if (const YAML::Node n = run.get("batch")) s.batch = yaml::to_int(n, file, "run.batch");
    if (const YAML::Node n = run.get("images")) s.images = yaml::to_int(n, file, "run.images");
    if (const YAML::Node n = run.get("dataset"))
      s.dataset = yaml::to_string(n, file, "run.dataset");
    run.finish();
    if (s.batch < 1 || s.batch > 4096)
      throw InputError(yaml::where(run.get("batch"), file), "run.batch", "must be in [1, 4096]");
    if (s.images < 1 || s.images % s.batch != 0)
      throw InputError(yaml::where(run.get("images"), file), "run.images",
                       "must be a positive multiple of run.batch");
  }
  const std::vector<std::string> keys = design_keys();
  std::vector<std::string> seen;
  // An axis: a key and a sequence of scalar values, each checked against the base design point.
  auto read_axis = [&](const std::string& key, const YAML::Node& values, const std::string& path,
                       const YAML::Node& key_node) {
    Axis a;
    a.key = key;
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      throw InputError(yaml::where(key_node, file), path, "this key is already an axis");
    seen.push_back(key);
    if (key != "model" && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string msg = "not a design-point key (trine check --keys lists them) nor 'model'";
      const std::string hint = yaml::closest(key, keys);
      if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
      throw InputError(yaml::where(key_node, file), path, msg);
    }
    if (!values.IsSequence() || values.size() == 0)
      throw InputError(yaml::where(values, file), path, "expected a nonempty list of values");
    for (const YAML::Node& v : values) {
      const std::string text = yaml::to_string(v, file, path);
      a.values.push_back(text);  // as written: results show it whatever the working folder
      a.where.push_back(yaml::where(v, file));
      if (key == "model" && text != "default")
        readable_model(beside(file, text), a.where.back(), path);
    }
    return a;
  };
  if (const YAML::Node axes = top.get("axes")) {
    if (!axes.IsMap()) throw InputError(yaml::where(axes, file), "axes", "expected a mapping");
    for (const auto& kv : axes) {
      const std::string key = yaml::to_string(kv.first, file, "axes");
      s.groups.push_back({read_axis(key, kv.second, "axes." + key, kv.first)});
    }
  }
  if (const YAML::Node zip = top.get("zip")) {
    if (!zip.IsSequence()) throw InputError(yaml::where(zip, file), "zip", "expected a list");
    for (size_t g = 0; g < zip.size(); ++g) {
      const std::string path = "zip[" + std::to_string(g) + "]";
      if (!zip[g].IsMap() || zip[g].size() == 0)
        throw InputError(yaml::where(zip[g], file), path, "expected a mapping of axes");
      std::vector<Axis> group;
      for (const auto& kv : zip[g]) {
        const std::string key = yaml::to_string(kv.first, file, path);
        group.push_back(read_axis(key, kv.second, path + "." + key, kv.first));
        if (group.back().values.size() != group.front().values.size())
          throw InputError(yaml::where(kv.second, file), path + "." + key,
                           "has " + std::to_string(group.back().values.size()) +
                               " values; the zipped axes must all have " +
                               std::to_string(group.front().values.size()));
      }
      s.groups.push_back(std::move(group));
    }
  }
  if (s.groups.empty())
    throw InputError(Location{file, 0, 0}, "axes", "a sweep needs at least one axis");
  // Bounded before anything is expanded (a product of a few long axes overflows 64 bits).
  int64_t total = 1;
  for (const auto& group : s.groups) {
    const auto size = static_cast<int64_t>(group.front().values.size());
    if (total > limits::kSweepPoints / size)
      throw InputError(group.front().where.front(), "axes",
                       "the axes make more than " + std::to_string(limits::kSweepPoints) +
                           " points, the largest sweep (docs/inputs.md); split it");
    total *= size;
  }
  if (const YAML::Node f = top.get("filter")) {
    s.filter = yaml::to_string(f, file, "filter");
    s.filter_where = yaml::where(f, file);
    try {
      const Expr e = Expr::parse(s.filter);
      for (const std::string& n : e.names())
        if (n != "model" && std::find(keys.begin(), keys.end(), n) == keys.end())
          throw std::invalid_argument("unknown name '" + n + "'");
    } catch (const std::invalid_argument& e) {
      throw InputError(s.filter_where, "filter", e.what());
    }
  }
  top.finish();
  // Each design-point value on its own over the base: a typo or an out-of-range value is the
  // spec's error, found before anything runs. (Contradictions between keys are the points'.)
  for (const auto& group : s.groups)
    for (const Axis& a : group) {
      if (a.key == "model") continue;
      for (size_t i = 0; i < a.values.size(); ++i) {
        try {
          resolve(s, {config::Override{a.key, a.values[i]}});
        } catch (const InputError& e) {
          const std::string what = e.what();
          if (what.rfind("--set ", 0) != 0) continue;
          const std::string tag = ": " + a.key + ": ";
          const size_t at = what.find(tag);
          throw InputError(a.where[i], a.key,
                           at == std::string::npos ? what : what.substr(at + tag.size()));
        }
      }
    }
  return s;
}

Spec load_spec(const std::string& path) {
  return parse_spec(read_input_file(path, limits::kTextFileBytes, "sweep spec"), path);
}

config::LoadedDesignPoint resolve_point(const Spec& spec, const Point& point) {
  return resolve(spec, point.overrides);
}

std::vector<std::string> axis_keys(const Spec& spec) {
  std::vector<std::string> keys;
  for (const auto& group : spec.groups)
    for (const Axis& a : group) keys.push_back(a.key);
  return keys;
}

std::vector<Point> expand(const Spec& spec) {
  std::vector<size_t> sizes;
  int64_t total = 1;
  for (const auto& group : spec.groups) {
    sizes.push_back(group.front().values.size());
    total *= static_cast<int64_t>(sizes.back());
  }
  const Expr filter = spec.filter.empty() ? Expr() : Expr::parse(spec.filter);
  std::vector<Point> points;
  std::vector<size_t> at(sizes.size(), 0);
  for (int64_t index = 0; index < total; ++index) {
    Point p;
    p.index = index;
    p.model = spec.model;
    for (size_t g = 0; g < spec.groups.size(); ++g)
      for (const Axis& a : spec.groups[g]) {
        const std::string& v = a.values[at[g]];
        p.values.emplace_back(a.key, v);
        if (a.key == "model")
          p.model = v == "default" ? "" : beside(spec.file, v);
        else
          p.overrides.push_back({a.key, v});
      }
    bool keep = true;
    if (!spec.filter.empty()) {
      std::map<std::string, Value> resolved;
      try {
        config::LoadedDesignPoint dp = resolve(spec, p.overrides);
        Flatten f(resolved);
        dp.point.describe(f);
      } catch (const InputError&) {
        for (const auto& [k, v] : p.values) resolved[k] = literal(v);  // raw values only
      }
      resolved["model"] = Value::of(p.model.empty() ? std::string("default") : p.model);
      try {
        keep = filter.test([&](const std::string& name) -> std::optional<Value> {
          const auto it = resolved.find(name);
          if (it == resolved.end()) return std::nullopt;
          return it->second;
        });
      } catch (const std::invalid_argument& e) {
        std::string combo;
        for (const auto& [k, v] : p.values) combo += (combo.empty() ? "" : ", ") + k + "=" + v;
        throw InputError(spec.filter_where, "filter",
                         std::string(e.what()) + " (at " + combo + ")");
      }
    }
    if (keep) points.push_back(std::move(p));
    for (size_t g = sizes.size(); g-- > 0;) {  // the last axis varies fastest
      if (++at[g] < sizes[g]) break;
      at[g] = 0;
    }
  }
  return points;
}

std::string point_id(const Spec& spec, const Point& point) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits
  auto mix = [&](const void* data, size_t n) {
    const auto* b = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  auto mix_text = [&](const std::string& t) { mix(t.data(), t.size() + 1); };
  try {
    mix_text(config::resolved_yaml(resolve(spec, point.overrides).point));
  } catch (const InputError&) {
    mix_text("unresolved:" + spec.base);
    for (const config::Override& o : point.overrides) mix_text(o.path + "=" + o.value);
  }
  const std::vector<uint8_t> bytes = model_bytes(point.model);
  mix(bytes.data(), bytes.size());
  mix_text("batch=" + std::to_string(spec.batch) + ";images=" + std::to_string(spec.images) +
           ";dataset=" + spec.dataset);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, h);
  return hex;
}

}  // namespace trine::sweep
