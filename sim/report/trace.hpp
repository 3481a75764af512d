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
#include <functional>
#include <string>
#include <vector>

#include "sim/report/report.hpp"
#include "sim/util/spill.hpp"

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

// A run's events in bounded memory: held compactly until they pass a budget, then sorted and
// spilled to a run file in a temporary folder (removed with the trace); written by merging the
// runs, so a trace of any length costs its files on disk, not memory.
class Trace {
 public:
  // Who made an event. At equal completion times the controller's come first (in the order
  // they were added), then the DMA's (by job), then the DRAM's (by cycle, channel and order
  // within the channel): the order does not depend on when events arrive or spill.
  enum class Origin : uint8_t { Controller, Dma, Dram };
  explicit Trace(size_t budget_bytes = size_t{64} << 20) : events_(budget_bytes, "trace") {}
  void add(TraceEvent e) { add(std::move(e), Origin::Controller, next_seq_++, 0); }
  // `k1`, `k2`: the event's order among its origin's at the same time (unique).
  void add(TraceEvent e, Origin origin, uint64_t k1, uint64_t k2);
  // Every event in order: by completion time, ties as above.
  void for_each(const std::function<void(const TraceEvent&)>& f);
  // events.txt and trace.json, each written whole or not at all, in one pass over the events.
  void write(const std::string& events_path, const std::string& json_path);
  std::string events_text();  // the same in memory (small traces, tests)
  std::string chrome_json();
  size_t spilled_runs() const { return events_.runs(); }

  struct Keyed {
    int64_t done = 0;
    uint8_t origin = 0;
    uint64_t k1 = 0, k2 = 0;
    TraceEvent event;
  };
  struct Earlier {
    bool operator()(const Keyed& a, const Keyed& b) const;
  };
  struct Codec {
    static void put(std::ostream& out, const Keyed& k);
    static bool get(std::istream& in, Keyed& k);
  };

 private:
  uint64_t next_seq_ = 0;
  SpillSort<Keyed, Earlier, Codec> events_;
};

// The summary of a run (its report): run, energy, one line per layer, the outputs.
std::string summary_text(const RunReport& r);

}  // namespace trine::report
