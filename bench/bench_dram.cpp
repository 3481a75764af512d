// Simulation speed of the DRAM model: simulated requests per wall second for sequential and
// random traces on every preset, driving the controller directly, and then through the
// TLM-2.0 target with the trace player (the path `trine dram` and the accelerator use).
// Usage: bench_dram [bytes]   (default 16 MiB for the direct runs; the TLM run moves 1 MiB)
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "models/dram/dram.hpp"
#include "models/dram/trace.hpp"
#include "models/dram/trace_player.hpp"

using namespace trine;
using Clock = std::chrono::steady_clock;

namespace {

config::DramConfig dram_config(const std::string& preset) {
  return config::default_design_point({{"dram.preset", preset}}).point.dram;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int sc_main(int argc, char** argv) {
  const uint64_t bytes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 16u << 20;
  std::printf("%-12s %-10s %10s %12s %14s %10s\n", "preset", "pattern", "requests", "wall ms",
              "requests/s", "GB/s sim");
  for (const char* preset : {"DDR3-1600", "DDR4-2400", "LPDDR4-3200"})
    for (const char* pattern : {"sequential", "random"}) {
      stats::Group g("dram");
      dram::MemorySystem m(dram_config(preset), g, false);
      const auto trace = dram::generate_trace(pattern, bytes, m.spec(), 0.0, 1);
      const auto t0 = Clock::now();
      uint64_t tag = 0;
      int64_t end = 0;
      size_t next = 0;
      // Feed as the queue drains, as a DMA would, so pending requests stay few.
      while (next < trace.size() || !m.idle()) {
        for (int k = 0; k < 64 && next < trace.size(); ++k, ++next)
          m.push(tag++, trace[next].address, false, end);
        m.run_until(end += 256);
        m.take_completions();
      }
      m.finish(end);
      const double s = seconds_since(t0);
      std::vector<stats::Record> all;
      g.collect(all);
      double bw = 0;
      for (const auto& r : all)
        if (r.name == "bandwidth") bw = r.value;
      std::printf("%-12s %-10s %10zu %12.1f %14.3g %10.2f\n", preset, pattern, trace.size(),
                  s * 1e3, static_cast<double>(trace.size()) / s, bw);
    }
  // Through TLM: 1 MiB sequential read of DDR4-2400.
  const config::DramConfig cfg = dram_config("DDR4-2400");
  const dram::DramSpec spec(cfg.device);
  const auto trace = dram::generate_trace("sequential", 1 << 20, spec, 0.0, 1);
  const auto t0 = Clock::now();
  models::Dram d("dram", cfg);
  models::TracePlayer player("player", trace, 64, d.clock());
  player.socket.bind(d.socket);
  sc_core::sc_start();
  const double s = seconds_since(t0);
  std::printf("%-12s %-10s %10zu %12.1f %14.3g %10.2f   (TLM target + trace player)\n", "DDR4-2400",
              "sequential", trace.size(), s * 1e3, static_cast<double>(trace.size()) / s,
              (1 << 20) / player.last_response().to_seconds() / 1e9);
  return 0;
}
