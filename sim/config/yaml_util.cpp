#include "sim/config/yaml_util.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::yaml {

Location where(const YAML::Node& node, const std::string& file) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

std::string join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

namespace {

// The first byte that does not begin a well-formed UTF-8 sequence, or npos.
size_t bad_utf8(const std::string& text) {
  const auto* b = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const unsigned c = b[i];
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || c == 0xc0 || c == 0xc1 || c > 0xf4 || i + len > text.size()) return i;
    for (size_t k = 1; k < len; ++k)
      if ((b[i + k] & 0xc0) != 0x80) return i;
    // Overlong three-byte forms and UTF-16 surrogates.
    if (c == 0xe0 && b[i + 1] < 0xa0) return i;
    if (c == 0xed && b[i + 1] >= 0xa0) return i;
    if (c == 0xf0 && b[i + 1] < 0x90) return i;
    if (c == 0xf4 && b[i + 1] >= 0x90) return i;
    i += len;
  }
  return std::string::npos;
}

Location location_of(const std::string& text, size_t at, const std::string& file) {
  int line = 1, column = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line, column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
      ++column;
    }
  }
  return {file, line, column};
}

// The offset of a node's mark in `text` (yaml-cpp keeps the position besides line and column).
bool closes(const std::string& text, size_t at) {
  const char quote = text[at];
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside a single-quoted string
        continue;
      }
      return true;
    }
  }
  return false;
}

// Walks a parsed document: its depth is bounded, and every quoted scalar is closed (yaml-cpp
// accepts a quoted string that runs to the end of the input).
void check_tree(const YAML::Node& n, const std::string& text, const std::string& file, int depth) {
  if (depth > limits::kYamlDepth)
    throw InputError(where(n, file), "",
                     "nested deeper than " + std::to_string(limits::kYamlDepth) +
                         " levels (the limit; docs/inputs.md)");
  if (n.IsScalar()) {
    const YAML::Mark m = n.Mark();
    const size_t at = static_cast<size_t>(m.pos);
    if (!m.is_null() && at < text.size() && (text[at] == '"' || text[at] == '\'') &&
        n.Tag() == "!" && !closes(text, at))
      throw InputError(where(n, file), "", "unterminated quoted string");
    return;
  }
  if (n.IsSequence()) {
    for (const YAML::Node& item : n) check_tree(item, text, file, depth + 1);
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      check_tree(kv.first, text, file, depth + 1);
      check_tree(kv.second, text, file, depth + 1);
    }
  }
}

// Where a second document starts, if the text has one. (Not YAML::LoadAll: on some malformed
// text, "," for one, its parser yields empty documents without end.)
class SecondDocument : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> start;
  void OnDocumentStart(const YAML::Mark& m) override { start = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  SecondDocument first, second;
  if (!parser.HandleNextDocument(first)) return std::nullopt;
  parser.HandleNextDocument(second);
  return second.start;
}

}  // namespace

YAML::Node parse(const std::string& text, const std::string& file) {
  if (const size_t at = bad_utf8(text); at != std::string::npos)
    throw InputError(location_of(text, at, file), "",
                     "not UTF-8 text (byte " + std::to_string(at) + ")");
  YAML::Node doc;
  std::optional<YAML::Mark> second;
  try {
    doc = YAML::Load(text);
    second = second_document(text);
  } catch (const YAML::DeepRecursion& e) {
    throw InputError(Location{file, e.mark.line + 1, e.mark.column + 1}, "",
                     "nested deeper than " + std::to_string(limits::kYamlDepth) +
                         " levels (the limit; docs/inputs.md)");
  } catch (const YAML::ParserException& e) {
    throw InputError(Location{file, e.mark.line + 1, e.mark.column + 1}, "",
                     "YAML syntax error: " + e.msg);
  }
  if (second)
    throw InputError(Location{file, second->line + 1, second->column + 1}, "",
                     "content after the first YAML document ('---' starts a second one); the "
                     "file must hold one");
  check_tree(doc, text, file, 0);
  return doc;
}

YAML::Node parse_file(const std::string& path, const char* what) {
  return parse(read_input_file(path, limits::kTextFileBytes, what), path);
}

static std::string scalar(const YAML::Node& n, const std::string& file, const std::string& path,
                          const char* expected) {
  if (!n.IsScalar())
    throw InputError(where(n, file), path,
                     std::string("expected ") + expected + ", got a " +
                         (n.IsMap()        ? "mapping"
                          : n.IsSequence() ? "sequence"
                                           : "null value"));
  return n.Scalar();
}

// YAML 1.2's core schema: decimal (leading zeros are still decimal), 0x hex, 0o octal; an
// optional sign. (strtoll's base 0 read 010 as eight and refused 08.)
int64_t to_int(const YAML::Node& n, const std::string& file, const std::string& path) {
  const std::string s = scalar(n, file, path, "an integer");
  size_t at = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) at = 1;
  int base = 10;
  if (s.compare(at, 2, "0x") == 0)
    base = 16, at += 2;
  else if (s.compare(at, 2, "0o") == 0)
    base = 8, at += 2;
  const std::string digits = s.substr(std::min(at, s.size()));
  const bool ok =
      !digits.empty() && digits.find_first_not_of(base == 16  ? "0123456789abcdefABCDEF"
                                                  : base == 8 ? "01234567"
                                                              : "0123456789") == std::string::npos;
  errno = 0;
  char* end = nullptr;
  const unsigned long long magnitude = ok ? std::strtoull(digits.c_str(), &end, base) : 0;
  const unsigned long long most = negative ? 9223372036854775808ull : 9223372036854775807ull;
  if (!ok || errno == ERANGE || magnitude > most)
    throw InputError(where(n, file), path, "expected an integer, got '" + s + "'");
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

double to_double(const YAML::Node& n, const std::string& file, const std::string& path) {
  const std::string s = scalar(n, file, path, "a number");
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v))
    throw InputError(where(n, file), path, "expected a number, got '" + s + "'");
  return v;
}

bool to_bool(const YAML::Node& n, const std::string& file, const std::string& path) {
  const std::string s = scalar(n, file, path, "true or false");
  if (s == "true") return true;
  if (s == "false") return false;
  throw InputError(where(n, file), path, "expected true or false, got '" + s + "'");
}

std::string to_string(const YAML::Node& n, const std::string& file, const std::string& path) {
  return scalar(n, file, path, "a string");
}

namespace {
struct Unit {
  const char* name;
  double factor;
};

// Splits "64 KiB" / "64KiB" into number and unit; returns false if the number part is bad.
bool split_quantity(const std::string& s, double& number, std::string& unit) {
  char* end = nullptr;
  number = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(number)) return false;
  std::string rest(end);
  rest.erase(0, rest.find_first_not_of(' '));
  unit = rest;
  return true;
}

int64_t quantity(const YAML::Node& n, const std::string& file, const std::string& path,
                 const std::vector<Unit>& units, const char* what, bool unit_required) {
  const std::string s = scalar(n, file, path, what);
  double number = 0;
  std::string unit;
  if (split_quantity(s, number, unit)) {
    if (unit.empty() && !unit_required) unit = units.front().name;
    for (const Unit& u : units) {
      if (unit != u.name) continue;
      const double v = number * u.factor;
      if (v < 0 || v > 9.0e18 || std::floor(v) != v)
        throw InputError(where(n, file), path,
                         std::string("'") + s + "' is not a whole, non-negative number of " +
                             units.front().name);
      return static_cast<int64_t>(v);
    }
  }
  std::string names;
  for (const Unit& u : units) names += std::string(names.empty() ? "" : ", ") + u.name;
  throw InputError(
      where(n, file), path,
      std::string("expected ") + what + " with a unit (" + names + "), got '" + s + "'");
}

const std::vector<Unit> kByteUnits = {{"B", 1},
                                      {"KiB", 1024.0},
                                      {"MiB", 1024.0 * 1024},
                                      {"GiB", 1024.0 * 1024 * 1024},
                                      // Architects write kB for 1024 B (SCALE-Sim does too).
                                      {"kB", 1024.0},
                                      {"KB", 1024.0},
                                      {"MB", 1024.0 * 1024}};
const std::vector<Unit> kHertzUnits = {{"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
}  // namespace

int64_t to_bytes(const YAML::Node& n, const std::string& file, const std::string& path) {
  return quantity(n, file, path, kByteUnits, "a size", false);
}

int64_t to_hertz(const YAML::Node& n, const std::string& file, const std::string& path) {
  return quantity(n, file, path, kHertzUnits, "a frequency", true);
}

double to_real(const YAML::Node& n, const std::string& file, const std::string& path,
               const std::string& unit) {
  const std::string s = scalar(n, file, path, "a number");
  double number = 0;
  std::string u;
  if (!split_quantity(s, number, u) || !(u.empty() || u == unit))
    throw InputError(
        where(n, file), path,
        "expected a number of " + unit + " (e.g. '1.5 " + unit + "'), got '" + s + "'");
  return number;
}

std::string real_text(double v, const std::string& unit) {
  char buf[64];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return unit.empty() ? std::string(buf) : std::string(buf) + " " + unit;
}

std::string bytes_text(int64_t b) {
  const char* names[] = {"B", "KiB", "MiB", "GiB"};
  int i = 0;
  while (i < 3 && b != 0 && b % 1024 == 0) b /= 1024, ++i;
  return std::to_string(b) + " " + names[i];
}

std::string hertz_text(int64_t hz) {
  const char* names[] = {"Hz", "kHz", "MHz", "GHz"};
  int i = 0;
  while (i < 3 && hz != 0 && hz % 1000 == 0) hz /= 1000, ++i;
  return std::to_string(hz) + " " + names[i];
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& options) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& o : options) {
    const size_t d = edit_distance(word, o);
    if (d < best_d) best_d = d, best = o;
  }
  return best;
}

MapReader::MapReader(const YAML::Node& node, std::string file, std::string path)
    : node_(node), file_(std::move(file)), path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap())
    throw InputError(where(node_, file_), path_.empty() ? "(document)" : path_,
                     "expected a mapping of keys to values");
  if (!node_.IsMap()) return;
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (!kv.first.IsScalar())
      throw InputError(where(kv.first, file_), path_, "keys must be plain strings");
    if (!seen.insert(key).second)
      throw InputError(where(kv.first, file_), join(path_, key), "duplicate key");
  }
}

YAML::Node MapReader::get(const std::string& key) {
  known_.push_back(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& kv : node_)
    if (kv.first.Scalar() == key) return kv.second;
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::need(const std::string& key) {
  YAML::Node n = get(key);
  if (!n.IsDefined())
    throw InputError(where(node_, file_), join(path_, key), "required key is missing");
  return n;
}

bool MapReader::has(const std::string& key) const {
  if (!node_.IsMap()) return false;
  for (const auto& kv : node_)
    if (kv.first.Scalar() == key) return true;
  return false;
}

void MapReader::finish() const {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string msg = "unknown key";
    const std::string hint = closest(key, known_);
    if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
    throw InputError(where(kv.first, file_), join(path_, key), msg);
  }
}

}  // namespace trine::yaml
