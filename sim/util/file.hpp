#pragma once
// Files written whole or not at all: a temporary name, then a rename, so that a failed or
// interrupted run never leaves a half-written output behind.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace trine {

// A path that names a device or a pipe is written to directly (never replaced); a symbolic
// link's target is replaced, not the link; a folder is an InputError.
void write_file_atomic(const std::string& path, const void* data, size_t size);
// The same for output too large to hold: `fill` writes it to the stream (a temporary file, then
// renamed; a device or a pipe directly).
void write_file_streamed(const std::string& path, const std::function<void(std::ostream&)>& fill);
// The whole file as text; "" if it cannot be read (callers that must have it check first).
// For files trine wrote itself; inputs go through read_input_file.
std::string read_file_text(const std::string& path);

// An input file must be a regular file (not a directory, a device, a pipe or a socket) of at
// most `max_bytes` bytes (sim/util/limits.hpp); otherwise an InputError naming the path and,
// for a size, the limit. `what` names the input in messages ("design point"). Returns its size.
int64_t check_input_file(const std::string& path, int64_t max_bytes, const char* what);
// check_input_file, then the whole file; never reads more than `max_bytes`.
std::string read_input_file(const std::string& path, int64_t max_bytes, const char* what);
std::vector<uint8_t> read_input_bytes(const std::string& path, int64_t max_bytes, const char* what);
inline void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}
inline void write_file_atomic(const std::string& path, std::string_view text) {
  write_file_atomic(path, text.data(), text.size());
}

}  // namespace trine
