#include "sim/sweep/runner.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/report/report.hpp"
#include "sim/util/file.hpp"
#include "sim/util/interrupt.hpp"
#include "sim/util/json.hpp"
#include "sim/util/process.hpp"

namespace trine::sweep {

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

bool numeric(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}

std::string describe(const Point& p) {
  std::string s;
  for (const auto& [k, v] : p.values) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

// Starts `trine run` for a point, its output into the log; returns the child's pid.
}  // namespace

std::vector<std::string> point_args(const Spec& spec, const Point& p) {
  std::vector<std::string> args;
  if (!spec.base.empty()) args.insert(args.end(), {"--arch", spec.base});
  for (const config::Override& ov : p.overrides)
    args.insert(args.end(), {"--set", ov.path + "=" + ov.value});
  if (!p.model.empty()) args.insert(args.end(), {"--model", p.model});
  args.insert(args.end(), {"--batch", std::to_string(spec.batch), "--images",
                           std::to_string(spec.images), "--dataset", spec.dataset});
  return args;
}

pid_t launch_point(const std::string& trine, const std::vector<std::string>& args,
                   const std::string& stem) {
  std::vector<std::string> argv = {trine, "run"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--report", stem, "--row", stem + ".row"});
  return process::spawn(argv, stem + ".log");
}

void record_failure(const std::string& stem, const process::Exit& exit) {
  std::string error = process::last_line(read_file_text(stem + ".log"));
  if (!exit.exited)
    error = "killed by signal " + std::to_string(exit.signal) +
            (error.empty() ? "" : " (" + error + ")");
  if (error.empty()) error = "exited with status " + std::to_string(exit.status);
  write_file_atomic(stem + ".fail", error + " [node " + node_name() + "]\n");
}

Results::Results(const Spec& spec, const std::vector<Point>& points, std::vector<std::string> ids,
                 std::string dir)
    : points_(points),
      ids_(std::move(ids)),
      dir_(std::move(dir)),
      axes_(axis_keys(spec)),
      rows_(points.size()) {}

void Results::load(size_t i) {
  const std::string stem = dir_ + "/points/" + ids_[i];
  Row r;
  if (exists(stem + ".row")) {
    r.status = "ok";
    r.figures = report::parse_figures(read_file_text(stem + ".row"), stem + ".row");
  } else if (exists(stem + ".fail")) {
    r.status = "failed";
    r.error = process::last_line(read_file_text(stem + ".fail"));
  }
  rows_[i] = std::move(r);
}

void Results::load_all() {
  for (size_t i = 0; i < rows_.size(); ++i) load(i);
}

void Results::write() const {
  std::vector<std::string> figure_keys;  // those of the first finished point
  for (const Row& r : rows_)
    if (r.status == "ok") {
      for (const report::Figure& f : r.figures) figure_keys.push_back(f.key);
      break;
    }
  std::ostringstream csv, jsonl;
  csv << "point,id,status";
  for (const std::string& a : axes_) csv << ',' << csv_field(a);
  for (const std::string& k : figure_keys) csv << ',' << k;
  csv << ",error\n";
  for (size_t i = 0; i < rows_.size(); ++i) {
    const Row& r = rows_[i];
    if (r.status.empty()) continue;  // not run yet
    const Point& p = points_[i];
    std::map<std::string, const report::Figure*> fig;
    for (const report::Figure& f : r.figures) fig[f.key] = &f;
    csv << p.index << ',' << ids_[i] << ',' << r.status;
    json::Writer w(jsonl, false);
    w.begin_object().field("point", p.index).field("id", ids_[i]).field("status", r.status);
    for (const auto& [k, v] : p.values) {
      csv << ',' << csv_field(v);
      if (numeric(v) && k != "model")
        w.field(k, std::strtod(v.c_str(), nullptr));
      else
        w.field(k, v);
    }
    for (const std::string& k : figure_keys) {
      const auto it = fig.find(k);
      csv << ',';
      if (it == fig.end()) continue;
      const report::Figure& f = *it->second;
      csv << (f.is_text ? csv_field(f.text) : json::number(f.number));
      if (f.is_text)
        w.field(k, f.text);
      else
        w.field(k, f.number);
    }
    csv << ',' << csv_field(r.error) << '\n';
    if (!r.error.empty()) w.field("error", r.error);
    w.end_object();
    w.finish();
  }
  write_file_atomic(dir_ + "/results.csv", csv.str());
  write_file_atomic(dir_ + "/results.jsonl", jsonl.str());
}

void write_results(const Spec& spec, const std::vector<Point>& points,
                   const std::vector<std::string>& ids, const std::string& dir) {
  Results r(spec, points, ids, dir);
  r.load_all();
  r.write();
}

std::vector<std::string> point_ids(const Spec& spec, const std::vector<Point>& points) {
  std::vector<std::string> ids;
  for (const Point& p : points) ids.push_back(point_id(spec, p));
  return ids;
}

void remember_spec(const Spec& spec, const std::string& dir) {
  std::filesystem::create_directories(dir);
  write_file_atomic(dir + "/spec.path",
                    std::filesystem::absolute(spec.file).lexically_normal().string() + "\n");
}

std::string remembered_spec(const std::string& dir) {
  const std::string path = dir + "/spec.path";
  if (!exists(path))
    throw InputError(path, "no such file: not the output folder of a sweep (trine sweep -o DIR)");
  const std::string text = read_file_text(path);
  return text.substr(0, text.find('\n'));
}

std::string node_name() {
  if (const char* n = std::getenv("SLURMD_NODENAME"); n && *n) return n;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return host;
}

Status status(const std::vector<std::string>& ids, const std::string& dir) {
  Status s;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string stem = dir + "/points/" + ids[i];
    if (exists(stem + ".row"))
      s.done.push_back(i);
    else if (exists(stem + ".fail"))
      s.failed.push_back(i);
    else
      s.missing.push_back(i);
  }
  return s;
}

Outcome run_sweep(const Spec& spec, const std::vector<Point>& points, const RunOptions& o) {
  std::filesystem::create_directories(o.dir + "/points");
  if (o.write_results) remember_spec(spec, o.dir);
  const std::vector<std::string> ids = point_ids(spec, points);
  Outcome out;
  out.points = static_cast<int64_t>(points.size());
  Results results(spec, points, ids, o.dir);
  results.load_all();
  std::vector<size_t> todo;
  for (size_t i = 0; i < points.size(); ++i) {
    if (results.ok(i))
      ++out.skipped;
    else
      todo.push_back(i);
  }
  // The results files are rewritten after a point ends unless the last rewrite was recent
  // compared with its own cost: at most ~10 % of the time goes to rewriting, whatever the size.
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_write = Clock::now();
  Clock::duration write_cost{0};
  auto rewrite = [&] {
    const Clock::time_point t0 = Clock::now();
    results.write();
    last_write = Clock::now();
    write_cost = last_write - t0;
  };
  if (!o.quiet)
    std::cerr << "sweep " << spec.name << ": " << points.size() << " points, " << out.skipped
              << " already done, " << todo.size() << " to run with -j " << o.jobs << "\n";
  const StopOnSignal stop;
  auto stopping = [] { return StopOnSignal::requested(); };
  std::map<pid_t, size_t> running;
  size_t next = 0;
  int64_t done = 0;
  while ((next < todo.size() && !stopping()) || !running.empty()) {
    while (!stopping() && next < todo.size() && static_cast<int>(running.size()) < o.jobs) {
      const size_t i = todo[next++];
      const std::string stem = o.dir + "/points/" + ids[i];
      ::unlink((stem + ".fail").c_str());
      running[launch_point(o.trine, point_args(spec, points[i]), stem)] = i;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) {
        for (const auto& [child, i] : running) ::kill(child, SIGTERM);
        continue;
      }
      break;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    const std::string stem = o.dir + "/points/" + ids[i];
    const process::Exit exit = process::decode(status);
    const bool ok = exit.ok() && exists(stem + ".row");
    ++done;
    if (ok) {
      ++out.succeeded;
    } else if (stopping() && (!exit.exited || exit.status == 130)) {
      continue;  // interrupted: not a failure of the point, run it again next time
    } else {
      record_failure(stem, exit);
      ++out.failed;
    }
    results.load(i);
    if (o.write_results && Clock::now() - last_write >= 10 * write_cost) rewrite();
    if (!o.quiet)
      std::cerr << "[" << done << "/" << todo.size() << "] " << (ok ? "ok     " : "FAILED ")
                << describe(points[i])
                << (ok ? "" : ": " + process::last_line(read_file_text(stem + ".fail"))) << "\n";
  }
  out.interrupted = stopping();
  if (o.write_results) rewrite();
  return out;
}

}  // namespace trine::sweep
