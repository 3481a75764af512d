#include "models/dram/trace.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "sim/util/error.hpp"
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

}  // namespace

std::vector<TraceEntry> parse_trace(const std::string& text, const std::string& file,
                                    uint64_t capacity) {
  std::vector<TraceEntry> out;
  std::istringstream in(text);
  std::string line;
  int64_t last_cycle = 0;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    auto fail = [&](const std::string& msg) {
      throw InputError(Location{file, lineno, 1}, "trace", msg);
    };
    TraceEntry e;
    e.cycle = last_cycle;
    std::string command, address;
    if (w[0].back() == ':') {  // DRAMSys
      uint64_t cycle = 0;
      if (!parse_u64(w[0].substr(0, w[0].size() - 1), cycle, 10) || cycle > (1ull << 62))
        fail("bad cycle '" + w[0] + "' (expected '<cycle>: read|write 0x<address>')");
      if (w.size() < 3 || w.size() > 4)
        fail("expected '<cycle>: read|write 0x<address> [0x<data>]', got '" + line + "'");
      e.cycle = static_cast<int64_t>(cycle);
      command = w[1], address = w[2];
      if (command == "read")
        e.write = false;
      else if (command == "write")
        e.write = true;
      else
        fail("unknown command '" + command + "' (expected read or write)");
      if (w.size() == 4 && (w[1] != "write" || w[3].rfind("0x", 0) != 0))
        fail("unexpected '" + w[3] + "' after the address");
    } else {  // Ramulator
      if (w.size() != 2) fail("expected 'LD 0x<address>' or 'ST 0x<address>', got '" + line + "'");
      command = w[0], address = w[1];
      if (command == "LD")
        e.write = false;
      else if (command == "ST")
        e.write = true;
      else
        fail("unknown command '" + command + "' (expected LD or ST, or '<cycle>: read|write')");
    }
    if (!parse_u64(address, e.address, 16))
      fail("bad address '" + address + "' (expected 0x<hex>)");
    if (e.address >= capacity)
      fail("address " + address + " is beyond the DRAM capacity (" + std::to_string(capacity) +
           " bytes)");
    if (e.cycle < last_cycle)
      fail("cycle " + std::to_string(e.cycle) + " is before the previous line's " +
           std::to_string(last_cycle));
    last_cycle = e.cycle;
    out.push_back(e);
  }
  return out;
}

std::vector<TraceEntry> read_trace(const std::string& path, uint64_t capacity) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path, "cannot open the trace");
  std::ostringstream s;
  s << f.rdbuf();
  return parse_trace(s.str(), path, capacity);
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
