#pragma once
// Strict YAML reading, printing and key listing for any struct that declares its keys with a
// `describe(FieldVisitor&)` (schema.hpp): design points, DRAM presets, technology files.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <string>

#include "sim/config/schema.hpp"
#include "sim/util/error.hpp"

namespace trine::config {

// Where each key was last set (dotted path -> file:line:col), for messages about combinations.
using KeyLocations = std::map<std::string, Location>;
using Describe = std::function<void(FieldVisitor&)>;

// Applies the mapping `node` (from `file`, at dotted `path`) onto the struct: keys present
// overwrite, keys absent stay, and an unknown key, a wrong type or an out-of-range value throws
// InputError naming file:line:col and the key.
void apply_yaml(const YAML::Node& node, const std::string& file, const std::string& path,
                KeyLocations& locations, const Describe& describe);
// Throws InputError "FILE: KEY: message" for the first key under `path` that `locations` does
// not hold: for files that must give every key (a technology file: no energy may default to 0).
void require_all_keys(const KeyLocations& locations, const std::string& file,
                      const std::string& path, const Describe& describe,
                      const std::string& message);
// Every key as YAML, units explicit; applying the text again gives the same values.
std::string emit_yaml(const Describe& describe);
// One line per key: dotted path, type and range, unit, description (tab-separated).
std::string list_keys(const Describe& describe);

}  // namespace trine::config
