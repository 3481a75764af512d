#pragma once
// Traces of a run, for people and for golden regression (docs/traces.md):
// - events.txt: one event per line, "DONE_PS SOURCE EVENT key=value ...", ordered by the time
//   each event completes (an event with a duration, such as a DMA job or a tile, is listed when
//   it ends, after everything that decided its end): DRAM commands, DMA jobs, decoder work,
//   compute tiles with their start and end cycles, layers. Integers only, so that two runs
//   compare line by line and the first differing line is the first event that changed.
// - summary.txt: the run and each layer as "KIND NAME key=value ..." lines; energies (keys
//   ending in _pj) are the only non-integers and compare within a tolerance.
// - trace.json: the same timeline as Chrome trace events (opens in Perfetto / chrome://tracing).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/report.hpp"

namespace trine::report {

struct TraceEvent {
  int64_t time_ps = 0;  // start
  int64_t end_ps = -1;  // end, for events with a duration (tiles, DMA jobs, layers)
  std::string source;   // "dram", "dma", "decoder", "array", "controller"
  std::string name;     // "ACT", "read", "tile", "layer"
  std::string fields;   // "cycle=12 ch=0 ..." (integers and names)
  std::string lane;     // timeline row in trace.json ("dram.ch0", "array", ...)
  int64_t done_ps() const { return end_ps >= 0 ? end_ps : time_ps; }
};

class Trace {
 public:
  void add(TraceEvent e) { events_.push_back(std::move(e)); }
  // Events sorted by the time they complete; ties keep the order they were added in.
  std::vector<TraceEvent> sorted() const;
  std::string events_text() const;
  std::string chrome_json() const;

 private:
  std::vector<TraceEvent> events_;
};

// The summary of a run (its report): run, energy, one line per layer, the outputs.
std::string summary_text(const RunReport& r);

}  // namespace trine::report
