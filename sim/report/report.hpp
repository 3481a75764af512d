#pragma once
// The report of one `trine run`: latency, energy by component (per layer and in total), area,
// throughput and the per-layer bounds, computed once from the results and the cost model;
// the formatters (terminal summary, report.json, layers.csv) only print it.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/config/design_point.hpp"
#include "sim/cost/cost_model.hpp"
#include "sim/report/results.hpp"

namespace trine::report {

// Lower bounds on a layer's cycles: every cell busy (compute; pooling: the vector unit's own
// cycles) and the DRAM bus busy at its peak with the layer's traffic (memory).
struct Bounds {
  int64_t compute = 0, memory = 0;
  int64_t best() const { return compute > memory ? compute : memory; }
};

// What moved off chip, beside what was asked for (LayerResult::dram_read, dram_written): the
// DRAM moves whole bursts, so a request that starts or ends inside one moves all of it, and
// the DRAM's energy is priced on the bursts. From the DRAM's read and write commands issued
// during the layer; with `offchip: io` the link moves exactly the bytes asked for.
struct Transferred {
  uint64_t read = 0, written = 0;
};
Transferred transferred(const LayerResult& l, const config::DesignPoint& dp);

struct LayerReport {
  LayerResult result;  // without the events
  Transferred transferred;
  Bounds bounds;
  double over_bounds = 0;  // cycles / best bound (0 when both bounds are 0)
  // Word accesses (reads + writes) of each on-chip SRAM, by module path, in tree order.
  std::vector<std::pair<std::string, double>> buffer_accesses;
  cost::Energy energy;
};

struct RunInputs {
  const config::LoadedDesignPoint* design = nullptr;
  const cost::CostModel* cost = nullptr;
  std::string network;
  int64_t batch = 1;
  int64_t images = 1;                      // run in total
  double accuracy = -1;                    // over all images; < 0 when not measured
  const InferenceResult* first = nullptr;  // the batch the report describes
  const LayerResult* preload = nullptr;    // resident weights' load, before it (or null)
  std::vector<stats::Record> statistics;   // every statistic at the end of the run
};

struct RunReport {
  RunInputs in;
  std::vector<LayerReport> layers;
  cost::Energy total;    // the batch: the layers' events summed, static power over its time
  cost::Energy preload;  // resident weights' load (events, static power over its time)
  int64_t cycles = 0;
  double seconds = 0;
  double inferences_per_second = 0, inferences_per_joule = 0;
  std::vector<std::string> warnings;  // layers more than 2x over both bounds
};

// A layer is flagged when it runs more than this many times its larger bound.
constexpr double kOverBounds = 2.0;

RunReport build_report(RunInputs in);

// The human summary under the layer table: latency, energy breakdown, area, throughput,
// warnings.
void print_summary(const RunReport& r, std::ostream& out);
// Everything, machine-readable, units in the key names (_pj, _s, _um2, ...) and in the records.
void write_json(const RunReport& r, std::ostream& out);
// One row per layer.
void write_layers_csv(const RunReport& r, std::ostream& out);

// The run's headline figures as one flat record, in a fixed order: what a sweep puts in each
// row of results.csv. Values are numbers, or text when `text` is set.
struct Figure {
  std::string key;
  double number = 0;
  std::string text;
  bool is_text = false;
};
std::vector<Figure> headline(const RunReport& r);
// One figure per line, "KEY<TAB>n<TAB>NUMBER" or "KEY<TAB>s<TAB>TEXT" (tabs and newlines in
// text become spaces), and the reader of that form.
std::string format_figures(const std::vector<Figure>& figures);
std::vector<Figure> parse_figures(const std::string& text, const std::string& file);

}  // namespace trine::report
