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
      dram(dp.offchip == config::Offchip::Dram ? std::make_unique<Dram>("dram", dp.dram) : nullptr),
      io(dp.offchip == config::Offchip::Io
             ? std::make_unique<ChipIo>("io", dp.io, ClockDomain(dp.clock.frequency_hz))
             : nullptr),
      // One DRAM transaction per 256 bytes: a few bursts, so the controller's queue holds
      // several and the scheduler can reorder across them.
      dma("dma", ClockDomain(dp.clock.frequency_hz), 256, false),
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
  if (trace) start_trace();
  controller.set_probe([this]() -> const stats::CounterSet& {
    if (dram) dram->sync();
    if (!counters_) counters_ = std::make_unique<stats::CounterSet>(collect_counters(*this));
    return *counters_;
  });
}

// The DMA's jobs as they finish and the DRAM's commands as they issue go straight into the
// trace (which spills to disk): nothing of a long run's traffic is kept in the models.
void Accelerator::start_trace() {
  trace_ = std::make_unique<report::Trace>();
  controller.set_trace(trace_.get());
  const ClockDomain acc = controller.clock();
  dma.set_job_listener([this, acc](Dma::Job id, const Dma::JobRecord& j) {
    char addr[32];
    std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(j.addr));
    trace_->add({static_cast<int64_t>(acc.ps(j.submitted)),
                 static_cast<int64_t>(acc.ps(j.done ? j.finished : j.submitted)), "dma",
                 j.write ? "write" : "read",
                 "job=" + std::to_string(id) + " addr=" + addr + " bytes=" +
                     std::to_string(j.bytes) + " submitted=" + std::to_string(j.submitted) +
                     " finished=" + (j.done ? std::to_string(j.finished) : std::string("-")),
                 "dma"},
                report::Trace::Origin::Dma, id, 0);
  });
  if (!dram) return;
  // "<cycle> <CMD> <channel> <rank> <group> <bank> <row> <column>"; ties at one cycle in
  // channel order, then in issue order within the channel.
  command_seq_.assign(static_cast<size_t>(dram->memory().spec().org.channels), 0);
  const ClockDomain dram_clock = dram->clock();
  dram->memory().set_command_listener([this, dram_clock](const dram::CommandRecord& c) {
    const dram::DramAddress& a = c.at;
    const uint64_t seq = command_seq_[static_cast<size_t>(a.channel)]++;
    trace_->add(
        {static_cast<int64_t>(dram_clock.ps(c.cycle)), -1, "dram", dram::command_name(c.command),
         "cycle=" + std::to_string(c.cycle) + " ch=" + std::to_string(a.channel) +
             " rank=" + std::to_string(a.rank) + " bg=" + std::to_string(a.group) +
             " bank=" + std::to_string(a.bank) + " row=" + std::to_string(a.row) +
             " col=" + std::to_string(a.column),
         "dram.ch" + std::to_string(a.channel)},
        report::Trace::Origin::Dram, static_cast<uint64_t>(c.cycle),
        (static_cast<uint64_t>(a.channel) << 40) | seq);
  });
}

report::Trace* Accelerator::event_trace() {
  if (!trace_) return nullptr;
  if (!trace_finished_) dma.report_unfinished();
  trace_finished_ = true;
  return trace_.get();
}

}  // namespace trine::models
