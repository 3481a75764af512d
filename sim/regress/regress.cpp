#include "sim/regress/regress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sim/config/yaml_util.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"
#include "sim/util/process.hpp"
#include "sim/util/spill.hpp"

namespace trine::regress {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> tokens(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string beside(const std::string& dir, const std::string& path) {
  return path.empty() || path[0] == '/' ? path : dir + "/" + path;
}

// Runs a case in its own `trine run` process, its trace into `out`; "" or the error.
std::string run_case(const Case& c, const Options& o, const std::string& out) {
  std::vector<std::string> args = {o.trine, "run"};
  if (!c.design.empty()) args.insert(args.end(), {"--arch", c.design});
  for (const std::string& s : c.set) args.insert(args.end(), {"--set", s});
  if (!c.model.empty()) args.insert(args.end(), {"--model", c.model});
  args.insert(args.end(), {"--dataset", c.dataset, "--images", std::to_string(c.images), "--batch",
                           std::to_string(c.batch), "--trace", out});
  const std::string log = out + ".log";
  if (process::wait(process::spawn(args, log)).ok()) return "";
  const std::string last = process::last_line(read_file_text(log));
  return last.empty() ? "the run failed" : last;
}

}  // namespace

Case load_case(const std::string& dir) {
  const std::string file = dir + "/case.yaml";
  const YAML::Node root = yaml::parse_file(file, "regression case");
  yaml::MapReader m(root, file, "");
  Case c;
  c.dir = dir;
  c.name = fs::path(dir).filename().string();
  if (yaml::to_int(m.need("version"), file, "version") != 1)
    throw InputError(yaml::where(m.get("version"), file), "version", "must be 1");
  if (const YAML::Node n = m.get("description"))
    c.description = yaml::to_string(n, file, "description");
  // A file the case names must be there: found now, the error points at the case's line.
  auto named_file = [&](const YAML::Node& n, const char* key, int64_t limit, const char* what) {
    const std::string p = yaml::to_string(n, file, key);
    if (p == "default") return std::string();
    try {
      check_input_file(beside(dir, p), limit, what);
    } catch (const InputError& e) {
      throw InputError(yaml::where(n, file), key, e.what());
    }
    return beside(dir, p);
  };
  if (const YAML::Node n = m.get("design"))
    c.design = named_file(n, "design", limits::kTextFileBytes, "design point");
  if (const YAML::Node n = m.get("set")) {
    if (!n.IsSequence())
      throw InputError(yaml::where(n, file), "set", "expected a list of KEY=VALUE");
    for (const YAML::Node& s : n) {
      c.set.push_back(yaml::to_string(s, file, "set"));
      if (c.set.back().find('=') == std::string::npos || c.set.back()[0] == '=')
        throw InputError(yaml::where(s, file), "set",
                         "expected KEY=VALUE, e.g. array.rows=32; got '" + c.set.back() + "'");
    }
  }
  if (const YAML::Node n = m.get("model"))
    c.model = named_file(n, "model", limits::kModelFileBytes, "network");
  if (const YAML::Node n = m.get("dataset")) c.dataset = yaml::to_string(n, file, "dataset");
  auto count = [&](const char* key, int64_t& out, int64_t hi) {
    const YAML::Node n = m.get(key);
    if (!n) return;
    out = yaml::to_int(n, file, key);
    if (out < 1 || out > hi)
      throw InputError(yaml::where(n, file), key,
                       std::to_string(out) + " is out of range [1, " + std::to_string(hi) + "]");
  };
  count("images", c.images, 1000000);
  count("batch", c.batch, 4096);
  if (c.images % c.batch != 0)
    throw InputError(yaml::where(m.get("images"), file), "images",
                     "must be a multiple of batch (" + std::to_string(c.batch) + ")");
  if (const YAML::Node n = m.get("energy_tolerance")) {
    c.energy_tolerance = yaml::to_double(n, file, "energy_tolerance");
    if (!(c.energy_tolerance >= 0 && c.energy_tolerance < 1))
      throw InputError(yaml::where(n, file), "energy_tolerance", "must be in [0, 1)");
  }
  m.finish();
  return c;
}

std::vector<std::string> find_cases(const std::string& root) {
  if (fs::exists(root + "/case.yaml")) return {root};
  if (!fs::is_directory(root)) throw InputError(root, "not a folder of regression cases");
  std::vector<std::string> out;
  for (const fs::directory_entry& e : fs::directory_iterator(root))
    if (e.is_directory() && fs::exists(e.path() / "case.yaml")) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  if (out.empty()) throw InputError(root, "holds no regression case (a folder with case.yaml)");
  return out;
}

std::string compare_events(const std::string& expected, const std::string& actual) {
  const std::vector<std::string> a = lines_of(expected), b = lines_of(actual);
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  if (i == a.size() && i == b.size()) return "";
  std::ostringstream out;
  out << "events.txt line " << i + 1 << " is the first difference (expected " << a.size()
      << " lines, got " << b.size() << "):\n";
  const size_t from = i >= 2 ? i - 2 : 0;
  for (size_t k = from; k < i; ++k) out << "    " << k + 1 << "  " << a[k] << "\n";
  if (i < a.size()) out << "  - " << i + 1 << "  " << a[i] << "   (expected)\n";
  if (i < b.size()) out << "  + " << i + 1 << "  " << b[i] << "   (got)\n";
  for (size_t k = i + 1; k < i + 3 && k < a.size(); ++k)
    out << "    " << k + 1 << "  " << a[k] << "   (expected)\n";
  return out.str();
}

std::string compare_summary(const std::string& expected, const std::string& actual,
                            double tolerance) {
  const std::vector<std::string> a = lines_of(expected), b = lines_of(actual);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string ea = i < a.size() ? a[i] : "(nothing)",
                      eb = i < b.size() ? b[i] : "(nothing)";
    if (ea == eb) continue;
    const std::vector<std::string> ta = tokens(ea), tb = tokens(eb);
    const std::string where = "summary.txt line " + std::to_string(i + 1) + " (" +
                              (ta.size() > 1 ? ta[0] + " " + ta[1] : ea) + ")";
    if (ta.size() != tb.size()) return where + ": expected '" + ea + "', got '" + eb + "'";
    for (size_t k = 0; k < ta.size(); ++k) {
      if (ta[k] == tb[k]) continue;
      const size_t eq = ta[k].find('=');
      const std::string key = eq == std::string::npos ? ta[k] : ta[k].substr(0, eq);
      if (eq != std::string::npos && ends_with(key, "_pj") && tb[k].rfind(key + "=", 0) == 0) {
        const double x = std::strtod(ta[k].c_str() + eq + 1, nullptr);
        const double y = std::strtod(tb[k].c_str() + eq + 1, nullptr);
        if (std::fabs(x - y) <= tolerance * std::max(std::fabs(x), std::fabs(y))) continue;
        return where + ": " + key + " is " + tb[k].substr(eq + 1) + ", expected " +
               ta[k].substr(eq + 1) + " (beyond the relative tolerance " +
               std::to_string(tolerance) + ")";
      }
      return where + ": expected " + ta[k] + ", got " + tb[k];
    }
  }
  return "";
}

int run_cases(const std::vector<std::string>& dirs, const Options& o) {
  int failed = 0;
  TempDir scratch("regress");  // removed however the loop ends (a bad case throws out of it)
  const fs::path tmp = scratch.path();
  for (const std::string& dir : dirs) {
    const Case c = load_case(dir);
    const std::string out = (tmp / c.name).string();
    const std::string error = run_case(c, o, out);
    std::string diff;
    if (!error.empty()) {
      diff = "the run failed: " + error;
    } else if (o.update) {
      fs::create_directories(dir + "/expected");
      write_file_atomic(dir + "/expected/events.txt", read_file_text(out + "/events.txt"));
      write_file_atomic(dir + "/expected/summary.txt", read_file_text(out + "/summary.txt"));
    } else if (!fs::exists(dir + "/expected/events.txt")) {
      diff = "no expected trace (bless one with --update)";
    } else {
      diff = compare_summary(read_file_text(dir + "/expected/summary.txt"),
                             read_file_text(out + "/summary.txt"), c.energy_tolerance);
      const std::string events = compare_events(read_file_text(dir + "/expected/events.txt"),
                                                read_file_text(out + "/events.txt"));
      if (!events.empty()) diff = events + (diff.empty() ? "" : "  and " + diff + "\n");
    }
    if (!diff.empty()) {
      ++failed;
      std::cout << "FAIL    " << c.name << ": " << diff << (diff.back() == '\n' ? "" : "\n");
    } else if (!o.quiet) {
      const size_t events = lines_of(read_file_text(out + "/events.txt")).size();
      std::cout << (o.update ? "blessed " : "ok      ") << c.name << " (" << events - 1
                << " events)\n";
    }
  }
  return failed;
}

}  // namespace trine::regress
