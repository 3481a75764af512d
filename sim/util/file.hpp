#pragma once
// Files written whole or not at all: a temporary name, then a rename, so that a failed or
// interrupted run never leaves a half-written output behind.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trine {

void write_file_atomic(const std::string& path, const void* data, size_t size);
// The whole file as text; "" if it cannot be read (callers that must have it check first).
std::string read_file_text(const std::string& path);
inline void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}
inline void write_file_atomic(const std::string& path, std::string_view text) {
  write_file_atomic(path, text.data(), text.size());
}

}  // namespace trine
