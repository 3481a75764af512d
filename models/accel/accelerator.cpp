#include "models/accel/accelerator.hpp"

namespace trine::models {

namespace {

sc_core::sc_time period(const config::DesignPoint& dp) {
  return ClockDomain(dp.clock.frequency_hz).time(1);
}

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const config::DesignPoint& dp,
                         const net::Network& net, const compile::Schedule& schedule,
                         std::vector<const uint8_t*> images)
    : sc_core::sc_module(name),
      dram("dram", dp.dram),
      // One DRAM transaction per 256 bytes: a few bursts, so the controller's queue holds
      // several and the scheduler can reorder across them.
      dma("dma", ClockDomain(dp.clock.frequency_hz), 256),
      wbuf("wbuf", dp.buffers.weight, period(dp)),
      ibuf("ibuf", dp.buffers.input, period(dp)),
      obuf("obuf", dp.buffers.output, period(dp)),
      decoder("decoder", dp.decoder, period(dp)),
      array("array", dp),
      controller("controller", dp, net, schedule, std::move(images), dma, decoder, array,
                 Buffers{wbuf, ibuf, obuf}) {
  dma.dram.bind(dram.socket);
  decoder.wbuf.bind(wbuf.socket);
  array.ibuf.bind(ibuf.socket);
  array.obuf.bind(obuf.socket);
  controller.wbuf.bind(wbuf.socket);
  controller.ibuf.bind(ibuf.socket);
  controller.obuf.bind(obuf.socket);
  controller.set_probe([this] {
    dram.sync();
    return collect_statistics(*this);
  });
}

}  // namespace trine::models
