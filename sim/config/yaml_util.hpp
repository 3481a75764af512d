#pragma once
// Strict, located access to YAML documents. Every failure is an InputError of the form
// "FILE:LINE:COL: dotted.key: message", so one line tells the user what to fix.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sim/util/error.hpp"

namespace trine::yaml {

// Parses YAML text: one document of UTF-8 text, nested at most limits::kYamlDepth deep, every
// quoted string closed; syntax errors become InputError at the parser's position.
YAML::Node parse(const std::string& text, const std::string& file);
// Reads (check_input_file: a regular file of at most limits::kTextFileBytes) and parses a
// file; `what` names it in messages ("design point").
YAML::Node parse_file(const std::string& path, const char* what);

Location where(const YAML::Node& node, const std::string& file);

std::string join(const std::string& prefix, const std::string& key);

// Scalars. `path` is the dotted key used in messages.
int64_t to_int(const YAML::Node& n, const std::string& file, const std::string& path);
double to_double(const YAML::Node& n, const std::string& file, const std::string& path);
bool to_bool(const YAML::Node& n, const std::string& file, const std::string& path);
std::string to_string(const YAML::Node& n, const std::string& file, const std::string& path);

// "64 KiB", "1 MiB", "4096 B", "4096" (bytes).
int64_t to_bytes(const YAML::Node& n, const std::string& file, const std::string& path);
// "500 MHz", "1.2 GHz", "800000 kHz", "1e9 Hz". A unit is required.
int64_t to_hertz(const YAML::Node& n, const std::string& file, const std::string& path);

// "48 mA" or "48" when `unit` is "mA": a number, optionally followed by exactly that unit.
double to_real(const YAML::Node& n, const std::string& file, const std::string& path,
               const std::string& unit);
// Shortest text that reads back to the same double, with the unit: "1.2 V".
std::string real_text(double v, const std::string& unit);

// Canonical text for the resolved form: the largest unit that represents the value exactly.
std::string bytes_text(int64_t bytes);
std::string hertz_text(int64_t hz);

// The closest of `options` to `word` within a small edit distance, or "".
std::string closest(const std::string& word, const std::vector<std::string>& options);

// Reads a mapping strictly: duplicate keys and keys nobody asked for are errors.
class MapReader {
 public:
  // `node` may be undefined/null (treated as empty) but otherwise must be a mapping.
  MapReader(const YAML::Node& node, std::string file, std::string path);
  // The value at `key`, or an undefined node; marks the key as known.
  YAML::Node get(const std::string& key);
  // Like get(), but a missing key is an error.
  YAML::Node need(const std::string& key);
  bool has(const std::string& key) const;
  // Throws for the first key (in document order) that no get()/need() asked for.
  void finish() const;
  const std::string& file() const { return file_; }
  std::string path(const std::string& key) const { return join(path_, key); }
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::vector<std::string> known_;
};

}  // namespace trine::yaml
