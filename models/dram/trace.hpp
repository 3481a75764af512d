#pragma once
// Memory traces for the standalone DRAM mode: the formats of DRAMSys and Ramulator, and
// generated patterns. Cycles are device clock cycles.
#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/spec.hpp"

namespace trine::dram {

struct TraceEntry {
  int64_t cycle = 0;  // earliest issue cycle (back-to-back when the trace gives none)
  uint64_t address = 0;
  bool write = false;
};

// Reads, line by line and in any mix:
//   DRAMSys   "<cycle>: read 0x<address>" / "<cycle>: write 0x<address> [0x<data>]"
//   Ramulator "LD 0x<address>" / "ST 0x<address>" (no cycle: as soon as possible)
// '#' starts a comment. Cycles must not decrease. An address names a byte: the request is
// for the burst that holds it. Any malformed line, unknown command, decreasing cycle, cycle
// past limits::kTraceCycle, line longer than limits::kTraceLineBytes, address beyond
// `capacity` or a trace without requests is an InputError naming the file and line.
std::vector<TraceEntry> read_trace(const std::string& path, uint64_t capacity,
                                   uint64_t burst_bytes);
std::vector<TraceEntry> parse_trace(const std::string& text, const std::string& file,
                                    uint64_t capacity, uint64_t burst_bytes);

// "sequential", "random", "strided:BYTES": `bytes` of burst-sized requests, all at cycle 0
// (the controller's queue paces them); a fraction of them writes, chosen from `seed`.
std::vector<TraceEntry> generate_trace(const std::string& pattern, uint64_t bytes,
                                       const DramSpec& spec, double write_fraction, uint64_t seed);

}  // namespace trine::dram
