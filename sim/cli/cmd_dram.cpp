// trine dram: the DRAM model alone, driven by a trace or a generated pattern through its
// TLM-2.0 socket, the way architects use DRAMSys and Ramulator.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "models/common/stats_walker.hpp"
#include "models/dram/checker.hpp"
#include "models/dram/dram.hpp"
#include "models/dram/trace.hpp"
#include "models/dram/trace_player.hpp"
#include "sim/cli/options.hpp"
#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/json.hpp"

namespace trine::cli {

namespace {

struct Summary {
  uint64_t requests = 0, reads = 0, writes = 0, bytes = 0, failed = 0;
  int64_t elapsed_cycles = 0;
  double elapsed_ns = 0, bandwidth = 0, peak = 0, lat_mean_ns = 0, lat_max_ns = 0;
  uint64_t hits = 0, misses = 0, conflicts = 0;
  uint64_t refreshes = 0;
};

// A statistic of the DRAM as a whole.
double value(const std::vector<stats::Record>& all, const std::string& name) {
  for (const auto& r : all)
    if (r.name == name) return r.value;
  return 0;
}

// The sum over channels of "chN.<name>".
double record(const std::vector<stats::Record>& all, const std::string& name) {
  double sum = 0;
  for (const auto& r : all) {
    const size_t dot = r.name.find('.');
    if (r.name.rfind("ch", 0) == 0 && dot != std::string::npos && r.name.substr(dot + 1) == name)
      sum += r.value;  // every channel
  }
  return sum;
}

}  // namespace

int cmd_dram(const Args& args) {
  po::options_description opts("dram options");
  add_arch_options(opts);
  opts.add_options()("preset", po::value<std::string>(),
                     "run a DRAM preset as it is (DDR3-1600, DDR4-2400, LPDDR4-3200), "
                     "instead of --arch")(
      "trace", po::value<std::string>(),
      "trace file: DRAMSys '<cycle>: read|write 0x<addr>' or Ramulator 'LD|ST 0x<addr>' lines")(
      "pattern", po::value<std::string>(), "generated trace: sequential, random or strided:BYTES")(
      "bytes", po::value<uint64_t>()->default_value(1 << 20), "bytes the pattern moves")(
      "write-fraction", po::value<double>()->default_value(0.0),
      "fraction of generated requests that write")("seed", po::value<uint64_t>()->default_value(1),
                                                   "seed of random patterns")(
      "json", "print the results as one JSON object")(
      "stats", "also print every declared statistic (per bank, histograms)")(
      "log", po::value<std::string>(), "write the DRAM command log to this file")(
      "check", "check the command log against the JEDEC rules; violations fail the run");
  po::positional_options_description pos;
  po::variables_map vm;
  if (!parse("dram",
             "(--arch A.yaml | --preset NAME) (--trace FILE | --pattern P [--bytes N]) [--json]",
             args, opts, pos, vm))
    return 0;
  if (vm.count("preset") && vm.count("arch"))
    throw InputError("trine dram: give --arch or --preset, not both");
  if (vm.count("trace") == vm.count("pattern"))
    throw InputError("trine dram: give exactly one of --trace FILE and --pattern P");
  std::vector<config::Override> sets = overrides(vm);
  if (vm.count("preset"))
    sets.insert(sets.begin(), {"dram.preset", vm["preset"].as<std::string>()});
  const config::LoadedDesignPoint arch =
      vm.count("arch") ? config::load_design_point(vm["arch"].as<std::string>(), sets)
                       : config::default_design_point(sets);
  const config::DramConfig& cfg = arch.point.dram;
  const dram::DramSpec spec(cfg.device);
  const std::vector<dram::TraceEntry> trace =
      vm.count("trace")
          ? dram::read_trace(vm["trace"].as<std::string>(), spec.capacity,
                             static_cast<uint64_t>(spec.burst_bytes))
          : dram::generate_trace(vm["pattern"].as<std::string>(), vm["bytes"].as<uint64_t>(), spec,
                                 vm["write-fraction"].as<double>(), vm["seed"].as<uint64_t>());
  if (trace.empty()) throw InputError("trine dram: the trace holds no requests");
  const bool want_log = vm.count("log") || vm.count("check");

  Summary s;
  for (const auto& e : trace) (e.write ? s.writes : s.reads) += 1;
  s.requests = trace.size();
  s.bytes = s.requests * static_cast<uint64_t>(spec.burst_bytes);

  models::Dram dram("dram", cfg, want_log);
  models::TracePlayer player("player", trace, static_cast<unsigned>(spec.burst_bytes),
                             dram.clock());
  player.socket.bind(dram.socket);
  sc_core::sc_start();
  dram.finish();
  s.failed = player.failed();
  s.elapsed_cycles = dram.clock().cycle_at_or_after(player.last_response());
  s.elapsed_ns = static_cast<double>(dram.clock().ps(s.elapsed_cycles)) / 1000.0;
  s.bandwidth = s.elapsed_ns > 0 ? static_cast<double>(s.bytes) / s.elapsed_ns : 0;
  s.peak = spec.peak_bytes_per_second() / 1e9;
  const std::vector<stats::Record> all = models::collect_statistics(dram);
  s.lat_mean_ns = value(all, "read_latency_mean");
  s.lat_max_ns = value(all, "read_latency_max");
  s.hits = static_cast<uint64_t>(record(all, "row_hits"));
  s.misses = static_cast<uint64_t>(record(all, "row_misses"));
  s.conflicts = static_cast<uint64_t>(record(all, "row_conflicts"));
  s.refreshes = static_cast<uint64_t>(record(all, "refreshes"));

  std::vector<dram::CommandRecord> log;
  if (want_log) log = dram.memory().command_log();
  std::vector<dram::Violation> violations;
  if (vm.count("check"))
    violations =
        dram::check_protocol(spec, log, dram.clock().cycle_at_or_after(sc_core::sc_time_stamp()));
  if (vm.count("log")) {
    std::ostringstream text;
    dram::write_command_log(text, log);
    const std::string t = text.str();
    write_file_atomic(vm["log"].as<std::string>(), t);
  }

  const double requests = static_cast<double>(s.hits + s.misses + s.conflicts);
  const double hit_rate = requests > 0 ? static_cast<double>(s.hits) / requests : 0;
  const uint64_t acts = static_cast<uint64_t>(record(all, "activates"));
  const uint64_t pres = static_cast<uint64_t>(record(all, "precharges"));
  if (vm.count("json")) {
    json::Writer w(std::cout);
    w.begin_object();
    w.field("preset", cfg.device.name)
        .field("mapping", models::name_of(dram::kMappings, cfg.mapping));
    w.field("page_policy", models::name_of(dram::kPagePolicies, cfg.page_policy))
        .field("scheduler", models::name_of(dram::kSchedulers, cfg.scheduler));
    w.field("queue_depth", cfg.queue_depth);
    w.field("requests", static_cast<int64_t>(s.requests));
    w.field("reads", static_cast<int64_t>(s.reads)).field("writes", static_cast<int64_t>(s.writes));
    w.field("failed", static_cast<int64_t>(s.failed));
    w.field("bytes", static_cast<int64_t>(s.bytes));
    w.field("elapsed_cycles", s.elapsed_cycles).field("elapsed_ns", s.elapsed_ns);
    w.field("bandwidth_gbps", s.bandwidth).field("peak_bandwidth_gbps", s.peak);
    w.field("bandwidth_fraction", s.peak > 0 ? s.bandwidth / s.peak : 0.0);
    w.field("read_latency_ns_mean", s.lat_mean_ns).field("read_latency_ns_max", s.lat_max_ns);
    w.field("row_hit_rate", hit_rate);
    w.field("row_hits", static_cast<int64_t>(s.hits));
    w.field("row_misses", static_cast<int64_t>(s.misses));
    w.field("row_conflicts", static_cast<int64_t>(s.conflicts));
    w.key("commands").begin_object();
    w.field("ACT", static_cast<int64_t>(acts)).field("PRE", static_cast<int64_t>(pres));
    w.field("RD", static_cast<int64_t>(record(all, "reads")));
    w.field("WR", static_cast<int64_t>(record(all, "writes")));
    w.field("REF", static_cast<int64_t>(s.refreshes));
    w.end_object();
    if (vm.count("check")) w.field("violations", static_cast<int64_t>(violations.size()));
    if (vm.count("stats")) {
      w.key("statistics").begin_array();
      for (const auto& r : all) {
        w.begin_object().field("name", r.path + "." + r.name).field("value", r.value);
        w.field("unit", r.unit).field("description", r.description).end_object();
      }
      w.end_array();
    }
    w.end_object();
    w.finish();
  } else {
    const auto& o = spec.org;
    std::printf(
        "DRAM        %s: %lld channel(s) x %lld rank(s) x %lld banks, %lld-bit bus, %.0f MHz\n",
        cfg.device.name.c_str(), static_cast<long long>(o.channels),
        static_cast<long long>(o.ranks), static_cast<long long>(spec.banks_per_rank),
        static_cast<long long>(o.bus_width), static_cast<double>(spec.t.clock_hz) / 1e6);
    std::printf("controller  mapping %s, page %s, scheduler %s, queue %lld\n",
                models::name_of(dram::kMappings, cfg.mapping),
                models::name_of(dram::kPagePolicies, cfg.page_policy),
                models::name_of(dram::kSchedulers, cfg.scheduler),
                static_cast<long long>(cfg.queue_depth));
    std::printf("requests    %llu (%llu reads, %llu writes), %llu bytes%s\n",
                static_cast<unsigned long long>(s.requests),
                static_cast<unsigned long long>(s.reads), static_cast<unsigned long long>(s.writes),
                static_cast<unsigned long long>(s.bytes), s.failed ? ", SOME FAILED" : "");
    std::printf("elapsed     %lld cycles, %.3f us\n", static_cast<long long>(s.elapsed_cycles),
                s.elapsed_ns / 1000.0);
    std::printf("bandwidth   %.2f GB/s of %.2f GB/s peak (%.1f%%)\n", s.bandwidth, s.peak,
                s.peak > 0 ? 100.0 * s.bandwidth / s.peak : 0.0);
    std::printf("read lat.   mean %.2f ns, max %.2f ns\n", s.lat_mean_ns, s.lat_max_ns);
    std::printf("rows        hit rate %.1f%% (%llu hits, %llu misses, %llu conflicts)\n",
                100.0 * hit_rate, static_cast<unsigned long long>(s.hits),
                static_cast<unsigned long long>(s.misses),
                static_cast<unsigned long long>(s.conflicts));
    std::printf("commands    ACT %llu  PRE %llu  RD %llu  WR %llu  REF %llu\n",
                static_cast<unsigned long long>(acts), static_cast<unsigned long long>(pres),
                static_cast<unsigned long long>(record(all, "reads")),
                static_cast<unsigned long long>(record(all, "writes")),
                static_cast<unsigned long long>(s.refreshes));
    if (vm.count("check"))
      std::printf("protocol    %zu violation(s) in %zu commands\n", violations.size(), log.size());
    if (vm.count("stats"))
      for (const auto& r : all)
        std::printf("%s.%s = %.6g %s\n", r.path.c_str(), r.name.c_str(), r.value, r.unit.c_str());
  }
  for (size_t i = 0; i < violations.size() && i < 20; ++i)
    std::fprintf(stderr, "violation %s: %s\n", violations[i].rule.c_str(),
                 violations[i].message.c_str());
  if (!violations.empty())
    throw RunError(std::to_string(violations.size()) + " JEDEC protocol violation(s)");
  if (s.failed) throw RunError(std::to_string(s.failed) + " request(s) failed");
  return 0;
}

}  // namespace trine::cli
