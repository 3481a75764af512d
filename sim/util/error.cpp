#include "sim/util/error.hpp"

namespace trine {

std::string Location::str() const {
  std::string s = file.empty() ? "<input>" : file;
  // A command-line override is one line: "--set array.rows=abc: array.rows: ...", no 1:1.
  if (line > 0 && s.rfind("--set ", 0) != 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

static std::string located(const Location& where, const std::string& key,
                           const std::string& message) {
  std::string s = where.str() + ": ";
  if (!key.empty()) s += key + ": ";
  return s + message;
}

InputError::InputError(const Location& where, const std::string& key, const std::string& message)
    : std::runtime_error(located(where, key, message)) {}

InputError::InputError(const std::string& file, const std::string& message)
    : std::runtime_error(file + ": " + message) {}

InputError::InputError(const std::string& message) : std::runtime_error(message) {}

}  // namespace trine
