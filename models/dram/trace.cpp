#include "models/dram/trace.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"
#include "sim/util/rng.hpp"

namespace trine::dram {

namespace {

bool parse_u64(const std::string& s, uint64_t& v, int base) {
  if (s.empty()) return false;
  size_t i = 0;
  if (base == 16) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
      i = 2;
    else
      return false;
  }
  if (i == s.size()) return false;
  v = 0;
  for (; i < s.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return true;
}

// A line or a word of input as a message may quote it: at most 60 characters, anything but
// printable ASCII as \xNN.
std::string quoted(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < 60; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (text.size() > 60) out += "...";
  return out;
}

}  // namespace

std::vector<TraceEntry> parse_trace(const std::string& text, const std::string& file,
                                    uint64_t capacity, uint64_t burst_bytes) {
  std::vector<TraceEntry> out;
  std::istringstream in(text);
  std::string line;
  int64_t last_cycle = 0;
  int lineno = 1;
  for (; std::getline(in, line); ++lineno) {
    auto fail = [&](const std::string& msg) {
      throw InputError(Location{file, lineno, 1}, "trace", msg);
    };
    if (line.size() > static_cast<size_t>(limits::kTraceLineBytes))
      fail("a line of " + std::to_string(line.size()) + " bytes; the longest accepted is " +
           std::to_string(limits::kTraceLineBytes) + " (docs/inputs.md)");
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    TraceEntry e;
    e.cycle = last_cycle;
    std::string command, address;
    if (w[0].back() == ':') {  // DRAMSys
      uint64_t cycle = 0;
      if (!parse_u64(w[0].substr(0, w[0].size() - 1), cycle, 10))
        fail("bad cycle '" + quoted(w[0]) + "' (expected '<cycle>: read|write 0x<address>')");
      if (cycle > limits::kTraceCycle)
        fail("cycle " + std::to_string(cycle) + " is past the last simulated cycle, " +
             std::to_string(limits::kTraceCycle) + " (docs/inputs.md)");
      if (w.size() < 3 || w.size() > 4)
        fail("expected '<cycle>: read|write 0x<address> [0x<data>]', got '" + quoted(line) + "'");
      e.cycle = static_cast<int64_t>(cycle);
      command = w[1], address = w[2];
      if (command == "read")
        e.write = false;
      else if (command == "write")
        e.write = true;
      else
        fail("unknown command '" + quoted(command) + "' (expected read or write)");
      if (w.size() == 4 && (w[1] != "write" || w[3].rfind("0x", 0) != 0))
        fail("unexpected '" + quoted(w[3]) + "' after the address");
    } else {  // Ramulator
      if (w.size() != 2)
        fail("expected 'LD 0x<address>' or 'ST 0x<address>', got '" + quoted(line) + "'");
      command = w[0], address = w[1];
      if (command == "LD")
        e.write = false;
      else if (command == "ST")
        e.write = true;
      else
        fail("unknown command '" + quoted(command) +
             "' (expected LD or ST, or '<cycle>: read|write')");
    }
    if (!parse_u64(address, e.address, 16))
      fail("bad address '" + quoted(address) + "' (expected 0x<hex>)");
    if (e.address >= capacity)
      fail("address " + quoted(address) + " is beyond the DRAM capacity (" +
           std::to_string(capacity) + " bytes)");
    e.address -= e.address % burst_bytes;  // the burst that holds the byte
    if (e.cycle < last_cycle)
      fail("cycle " + std::to_string(e.cycle) + " is before the previous line's " +
           std::to_string(last_cycle));
    last_cycle = e.cycle;
    out.push_back(e);
  }
  if (out.empty())
    throw InputError(
        Location{file, 0, 0}, "trace",
        "holds no requests (" + std::to_string(lineno - 1) + " lines of comments or blanks)");
  return out;
}

std::vector<TraceEntry> read_trace(const std::string& path, uint64_t capacity,
                                   uint64_t burst_bytes) {
  return parse_trace(read_input_file(path, limits::kTraceFileBytes, "trace"), path, capacity,
                     burst_bytes);
}

std::vector<TraceEntry> generate_trace(const std::string& pattern, uint64_t bytes,
                                       const DramSpec& spec, double write_fraction, uint64_t seed) {
  const uint64_t burst = static_cast<uint64_t>(spec.burst_bytes);
  const uint64_t count = (bytes + burst - 1) / burst, bursts_total = spec.capacity / burst;
  uint64_t stride = burst;
  bool random = false;
  if (pattern == "random") {
    random = true;
  } else if (pattern.rfind("strided:", 0) == 0) {
    if (!parse_u64(pattern.substr(8), stride, 10) || stride == 0)
      throw InputError("--pattern " + pattern + ": expected strided:BYTES with BYTES > 0");
  } else if (pattern != "sequential") {
    throw InputError("--pattern: '" + pattern +
                     "' is not one of: sequential, random, strided:BYTES");
  }
  if (bytes == 0) throw InputError("--bytes must be positive");
  if (bytes > static_cast<uint64_t>(limits::kPatternBytes))
    throw InputError("--bytes " + std::to_string(bytes) + ": the largest pattern is " +
                     std::to_string(limits::kPatternBytes) + " bytes (docs/inputs.md)");
  if (!(write_fraction >= 0 && write_fraction <= 1))
    throw InputError("--write-fraction must be in [0, 1]");
  SplitMix64 addresses(seed), kinds(seed ^ 0x77726974ull);
  std::vector<TraceEntry> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    TraceEntry e;
    e.address =
        random ? static_cast<uint64_t>(addresses.below(static_cast<int64_t>(bursts_total))) * burst
               : (i * stride) % spec.capacity;
    e.address -= e.address % burst;
    e.write = write_fraction > 0 && kinds.uniform() < write_fraction;
    out.push_back(e);
  }
  return out;
}

}  // namespace trine::dram
