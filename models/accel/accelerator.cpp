#include "models/accel/accelerator.hpp"

#include <cstdio>

namespace trine::models {

namespace {

sc_core::sc_time period(const config::DesignPoint& dp) {
  return ClockDomain(dp.clock.frequency_hz).time(1);
}

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const config::DesignPoint& dp,
                         const net::Network& net, const compile::Schedule& schedule,
                         std::vector<const uint8_t*> images, bool trace)
    : sc_core::sc_module(name),
      dram(dp.offchip == config::Offchip::Dram ? std::make_unique<Dram>("dram", dp.dram, trace)
                                               : nullptr),
      io(dp.offchip == config::Offchip::Io
             ? std::make_unique<ChipIo>("io", dp.io, ClockDomain(dp.clock.frequency_hz))
             : nullptr),
      // One DRAM transaction per 256 bytes: a few bursts, so the controller's queue holds
      // several and the scheduler can reorder across them.
      dma("dma", ClockDomain(dp.clock.frequency_hz), 256, trace),
      wbuf("wbuf", dp.buffers.weight, period(dp)),
      ibuf("ibuf", dp.buffers.input, period(dp)),
      obuf("obuf", dp.buffers.output, period(dp)),
      decoder("decoder", dp.decoder, period(dp)),
      array("array", dp),
      controller("controller", dp, net, schedule, std::move(images), dma, decoder, array,
                 Buffers{wbuf, ibuf, obuf}) {
  if (dram)
    dma.dram.bind(dram->socket);
  else
    dma.dram.bind(io->socket);
  decoder.wbuf.bind(wbuf.socket);
  array.ibuf.bind(ibuf.socket);
  array.obuf.bind(obuf.socket);
  controller.wbuf.bind(wbuf.socket);
  controller.ibuf.bind(ibuf.socket);
  controller.obuf.bind(obuf.socket);
  if (trace) {
    trace_ = std::make_unique<report::Trace>();
    controller.set_trace(trace_.get());
  }
  controller.set_probe([this]() -> const stats::CounterSet& {
    if (dram) dram->sync();
    if (!counters_) counters_ = std::make_unique<stats::CounterSet>(collect_counters(*this));
    return *counters_;
  });
}

report::Trace Accelerator::event_trace() const {
  if (!trace_) return {};
  report::Trace t = *trace_;
  const ClockDomain& acc = controller.clock();
  const std::vector<Dma::JobRecord>& jobs = dma.job_log();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Dma::JobRecord& j = jobs[i];
    char addr[32];
    std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(j.addr));
    t.add({static_cast<int64_t>(acc.ps(j.submitted)),
           static_cast<int64_t>(acc.ps(j.done ? j.finished : j.submitted)), "dma",
           j.write ? "write" : "read",
           "job=" + std::to_string(i) + " addr=" + addr + " bytes=" + std::to_string(j.bytes) +
               " submitted=" + std::to_string(j.submitted) +
               " finished=" + (j.done ? std::to_string(j.finished) : std::string("-")),
           "dma"});
  }
  // The command log: "<cycle> <CMD> <channel> <rank> <group> <bank> <row> <column>".
  if (!dram) return t;
  const dram::MemorySystem& mem = dram->memory();
  for (const dram::CommandRecord& c : mem.command_log()) {
    const dram::DramAddress& a = c.at;
    t.add({static_cast<int64_t>(dram->clock().ps(c.cycle)), -1, "dram",
           dram::command_name(c.command),
           "cycle=" + std::to_string(c.cycle) + " ch=" + std::to_string(a.channel) +
               " rank=" + std::to_string(a.rank) + " bg=" + std::to_string(a.group) +
               " bank=" + std::to_string(a.bank) + " row=" + std::to_string(a.row) +
               " col=" + std::to_string(a.column),
           "dram.ch" + std::to_string(a.channel)});
  }
  return t;
}

}  // namespace trine::models
