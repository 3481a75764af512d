#pragma once
// Runs a sweep's points, each in its own `trine run` process (one SystemC kernel per process),
// at most `jobs` at a time, and collects their rows into results.csv and results.jsonl.
//
// DIR/points/ID.row holds a finished point's figures (written by the point's process,
// atomically, after its report in DIR/points/ID/), DIR/points/ID.fail a failed one's error,
// DIR/points/ID.log its output. A point
// is done when its .row exists: rerunning skips it and retries failed ones. The results files
// are rebuilt from the point files, in expansion order, after every point and at the end, and
// always replaced whole: an interrupted sweep keeps every finished row and no torn line, and
// the results do not depend on -j or on the order in which points finish.
#include <string>
#include <vector>

#include "sim/report/report.hpp"
#include "sim/sweep/spec.hpp"
#include "sim/util/process.hpp"

namespace trine::sweep {

struct RunOptions {
  int jobs = 1;
  std::string dir;
  std::string trine;  // the executable that runs a point ("trine run ...")
  bool quiet = false;
  bool write_results = true;  // false in a Slurm array task: --collect merges instead
};

struct Outcome {
  int64_t points = 0, skipped = 0, succeeded = 0, failed = 0;
  bool interrupted = false;
};

Outcome run_sweep(const Spec& spec, const std::vector<Point>& points, const RunOptions& options);

// A sweep's results table in memory: each point's file is read once, when it is loaded;
// write() replaces DIR/results.csv and DIR/results.jsonl whole, rows in expansion order.
class Results {
 public:
  Results(const Spec& spec, const std::vector<Point>& points, std::vector<std::string> ids,
          std::string dir);
  void load(size_t i);  // (re)reads point i's .row or .fail
  void load_all();
  bool ok(size_t i) const { return rows_[i].status == "ok"; }
  void write() const;

 private:
  struct Row {
    std::string status, error;  // status "" : not run yet
    std::vector<report::Figure> figures;
  };
  const std::vector<Point>& points_;
  std::vector<std::string> ids_;
  std::string dir_;
  std::vector<std::string> axes_;
  std::vector<Row> rows_;
};

// Writes DIR/results.csv and DIR/results.jsonl from the point files (also `trine sweep
// --collect`).
void write_results(const Spec& spec, const std::vector<Point>& points,
                   const std::vector<std::string>& ids, const std::string& dir);

// The `trine run` arguments of a point (design point, overrides, model, run options).
std::vector<std::string> point_args(const Spec& spec, const Point& point);
// Starts `trine run ARGS --report STEM --row STEM.row`, its output into STEM.log.
pid_t launch_point(const std::string& trine, const std::vector<std::string>& args,
                   const std::string& stem);
// Writes STEM.fail: the located error of the point's log (or how it died) and the node.
void record_failure(const std::string& stem, const process::Exit& exit);

// Every point's id, in expansion order.
std::vector<std::string> point_ids(const Spec& spec, const std::vector<Point>& points);

// Where a sweep's spec is: DIR/spec.path holds its absolute path, so that --collect, --status
// and Slurm tasks find it from the results folder alone.
void remember_spec(const Spec& spec, const std::string& dir);
std::string remembered_spec(const std::string& dir);

// The machine a point runs on (Slurm's node name, else the host name), for failure records.
std::string node_name();

struct Status {
  std::vector<size_t> done, failed, missing;  // indices into the points
};
Status status(const std::vector<std::string>& ids, const std::string& dir);

}  // namespace trine::sweep
