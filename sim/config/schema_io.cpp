// The generic readers and writers of schema structs (see schema.hpp): any struct that lists its
// keys in `describe` can be read strictly from YAML, printed back and documented.
#include "sim/config/schema_io.hpp"

#include <algorithm>
#include <sstream>

#include "sim/config/yaml_util.hpp"

namespace trine::config {

namespace {

// Applies a YAML mapping onto a struct: keys present overwrite, keys absent stay, unknown keys
// and bad values are errors.
class Applier : public FieldVisitor {
 public:
  Applier(const YAML::Node& node, const std::string& file, const std::string& path,
          KeyLocations& locs)
      : map_(node, file, path), locs_(locs) {}

  void integer(const char* key, int64_t& v, int64_t lo, int64_t hi, const char*,
               const char*) override {
    YAML::Node n = take(key);
    if (!n) return;
    set_checked(key, n, v, yaml::to_int(n, map_.file(), map_.path(key)), lo, hi,
                [](int64_t x) { return std::to_string(x); });
  }
  void bytes(const char* key, int64_t& v, int64_t lo, int64_t hi, const char*) override {
    YAML::Node n = take(key);
    if (!n) return;
    set_checked(key, n, v, yaml::to_bytes(n, map_.file(), map_.path(key)), lo, hi,
                yaml::bytes_text);
  }
  void hertz(const char* key, int64_t& v, int64_t lo, int64_t hi, const char*) override {
    YAML::Node n = take(key);
    if (!n) return;
    set_checked(key, n, v, yaml::to_hertz(n, map_.file(), map_.path(key)), lo, hi,
                yaml::hertz_text);
  }
  void real(const char* key, double& v, double lo, double hi, const char* unit,
            const char*) override {
    YAML::Node n = take(key);
    if (!n) return;
    const double x = yaml::to_real(n, map_.file(), map_.path(key), unit);
    if (x < lo || x > hi)
      throw InputError(yaml::where(n, map_.file()), map_.path(key),
                       yaml::real_text(x, unit) + " is out of range [" + yaml::real_text(lo, unit) +
                           ", " + yaml::real_text(hi, unit) + "]");
    v = x;
  }
  void choice(const char* key, std::string& v, const std::vector<std::string>& options,
              const char*) override {
    YAML::Node n = take(key);
    if (!n) return;
    std::string s = yaml::to_string(n, map_.file(), map_.path(key));
    if (std::find(options.begin(), options.end(), s) == options.end()) {
      std::string list;
      for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
      std::string msg = "'" + s + "' is not one of: " + list;
      const std::string hint = yaml::closest(s, options);
      if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
      throw InputError(yaml::where(n, map_.file()), map_.path(key), msg);
    }
    v = s;
  }
  void text(const char* key, std::string& v, const char*) override {
    YAML::Node n = take(key);
    if (!n) return;
    v = yaml::to_string(n, map_.file(), map_.path(key));
  }
  void section(const char* key, const char*,
               const std::function<void(FieldVisitor&)>& body) override {
    YAML::Node n = map_.get(key);
    if (!n.IsDefined() || n.IsNull()) return;
    Applier inner(n, map_.file(), map_.path(key), locs_);
    body(inner);
    inner.finish();
  }
  void finish() { map_.finish(); }

 private:
  YAML::Node take(const char* key) {
    YAML::Node n = map_.get(key);
    if (!n.IsDefined()) return n;
    locs_[map_.path(key)] = yaml::where(n, map_.file());
    return n;
  }
  template <class Fmt>
  void set_checked(const char* key, const YAML::Node& n, int64_t& v, int64_t x, int64_t lo,
                   int64_t hi, Fmt fmt) {
    if (x < lo || x > hi)
      throw InputError(yaml::where(n, map_.file()), map_.path(key),
                       fmt(x) + " is out of range [" + fmt(lo) + ", " + fmt(hi) + "]");
    v = x;
  }
  yaml::MapReader map_;
  KeyLocations& locs_;
};

std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q += c;
  }
  return q + "\"";
}

class Emitter : public FieldVisitor {
 public:
  explicit Emitter(std::ostringstream& out, int indent = 0) : out_(out), indent_(indent) {}
  void integer(const char* key, int64_t& v, int64_t, int64_t, const char*, const char*) override {
    line(key, std::to_string(v));
  }
  void bytes(const char* key, int64_t& v, int64_t, int64_t, const char*) override {
    line(key, yaml::bytes_text(v));
  }
  void hertz(const char* key, int64_t& v, int64_t, int64_t, const char*) override {
    line(key, yaml::hertz_text(v));
  }
  void real(const char* key, double& v, double, double, const char* unit, const char*) override {
    line(key, yaml::real_text(v, unit));
  }
  void choice(const char* key, std::string& v, const std::vector<std::string>&,
              const char*) override {
    line(key, v);
  }
  void text(const char* key, std::string& v, const char*) override { line(key, quoted(v)); }
  void section(const char* key, const char*,
               const std::function<void(FieldVisitor&)>& body) override {
    out_ << std::string(indent_, ' ') << key << ":\n";
    Emitter inner(out_, indent_ + 2);
    body(inner);
  }

 private:
  void line(const char* key, const std::string& value) {
    out_ << std::string(indent_, ' ') << key << ": " << value << "\n";
  }
  std::ostringstream& out_;
  int indent_;
};

class Lister : public FieldVisitor {
 public:
  Lister(std::ostringstream& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}
  void integer(const char* key, int64_t&, int64_t lo, int64_t hi, const char* unit,
               const char* doc) override {
    std::string type = "integer [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (*unit) type += " " + std::string(unit);
    row(key, type, doc);
  }
  void bytes(const char* key, int64_t&, int64_t lo, int64_t hi, const char* doc) override {
    row(key, "size [" + yaml::bytes_text(lo) + ", " + yaml::bytes_text(hi) + "]", doc);
  }
  void hertz(const char* key, int64_t&, int64_t lo, int64_t hi, const char* doc) override {
    row(key, "frequency [" + yaml::hertz_text(lo) + ", " + yaml::hertz_text(hi) + "]", doc);
  }
  void real(const char* key, double&, double lo, double hi, const char* unit,
            const char* doc) override {
    row(key, "number [" + yaml::real_text(lo, "") + ", " + yaml::real_text(hi, "") + "] " + unit,
        doc);
  }
  void choice(const char* key, std::string&, const std::vector<std::string>& options,
              const char* doc) override {
    std::string type;
    for (const auto& o : options) type += (type.empty() ? "" : "|") + o;
    row(key, type, doc);
  }
  void text(const char* key, std::string&, const char* doc) override { row(key, "string", doc); }
  void section(const char* key, const char*,
               const std::function<void(FieldVisitor&)>& body) override {
    Lister inner(out_, yaml::join(prefix_, key));
    body(inner);
  }

 private:
  void row(const char* key, const std::string& type, const char* doc) {
    out_ << yaml::join(prefix_, key) << "\t" << type << "\t" << doc << "\n";
  }
  std::ostringstream& out_;
  std::string prefix_;
};

}  // namespace

void apply_yaml(const YAML::Node& node, const std::string& file, const std::string& path,
                KeyLocations& locations, const Describe& describe) {
  Applier a(node, file, path, locations);
  describe(a);
  a.finish();
}

std::string emit_yaml(const Describe& describe) {
  std::ostringstream out;
  Emitter e(out);
  describe(e);
  return out.str();
}

namespace {

// Finds the first key of a struct that no YAML pass set.
class Presence : public FieldVisitor {
 public:
  Presence(const KeyLocations& locs, std::string path) : locs_(locs), path_(std::move(path)) {}
  void integer(const char* key, int64_t&, int64_t, int64_t, const char*, const char*) override {
    need(key);
  }
  void bytes(const char* key, int64_t&, int64_t, int64_t, const char*) override { need(key); }
  void hertz(const char* key, int64_t&, int64_t, int64_t, const char*) override { need(key); }
  void real(const char* key, double&, double, double, const char*, const char*) override {
    need(key);
  }
  void choice(const char* key, std::string&, const std::vector<std::string>&,
              const char*) override {
    need(key);
  }
  void text(const char* key, std::string&, const char*) override { need(key); }
  void section(const char* key, const char*,
               const std::function<void(FieldVisitor&)>& body) override {
    Presence inner(locs_, yaml::join(path_, key));
    body(inner);
    if (missing.empty()) missing = inner.missing;
  }
  std::string missing;

 private:
  void need(const char* key) {
    const std::string path = yaml::join(path_, key);
    if (missing.empty() && !locs_.count(path)) missing = path;
  }
  const KeyLocations& locs_;
  std::string path_;
};

}  // namespace

void require_all_keys(const KeyLocations& locations, const std::string& file,
                      const std::string& path, const Describe& describe,
                      const std::string& message) {
  Presence p(locations, path);
  describe(p);
  if (!p.missing.empty()) throw InputError(Location{file, 0, 0}, p.missing, message);
}

std::string list_keys(const Describe& describe) {
  std::ostringstream out;
  Lister l(out, "");
  describe(l);
  return out.str();
}

}  // namespace trine::config
