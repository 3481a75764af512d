// What the vector unit's executors share: the buffer traffic and the timing.
#include "models/accel/executor.hpp"

namespace trine::models::accel {

void BandLoader::submit(size_t b, sc_core::sc_time& at) {
  const size_t slots = static_cast<size_t>(plan_.band_slots);
  if (b >= slots) at = std::max(at, host_.clock().time(end_[b - slots]));  // its slot is free
  ticket_[b] = host_.submit_band(plan_, b, at, lr_);
}

int64_t BandLoader::start(size_t b, sc_core::sc_time& at) {
  if (ticket_[b] == kNone) submit(b, at);
  if (plan_.band_slots == 2 && b + 1 < ticket_.size() && ticket_[b + 1] == kNone)
    submit(b + 1, at);  // the next band loads while this one runs
  sc_core::sc_time arrived;
  const int64_t ready = host_.band_arrival(ticket_[b], &arrived);
  at = std::max(at, arrived);
  return ready;
}

// A banded layer on the vector unit: band by band, each taking its share of the layer's cycles
// (by rows) once its rows are in and the previous band is done.
static int64_t run_banded(Host& host, LayerWork& w) {
  const compile::LayerPlan& p = w.plan;
  BandLoader loader(host, p, w.result);
  int64_t rows = 0, done = 0, end = w.ready;
  for (const compile::Band& b : p.bands) rows += b.out_end - b.out_begin;
  sc_core::sc_time at = sc_core::sc_time_stamp();
  for (size_t k = 0; k < p.bands.size(); ++k) {
    const compile::Band& b = p.bands[k];
    const int64_t ready = loader.start(k, at);
    host.access(Host::Port::Input, tlm::TLM_READ_COMMAND, 0, static_cast<uint64_t>(b.bytes));
    const int64_t cycles =
        p.vector_cycles * (done + b.out_end - b.out_begin) / rows - p.vector_cycles * done / rows;
    done += b.out_end - b.out_begin;
    end = std::max(end, ready) + cycles;
    loader.ended(k, end);
  }
  return end;
}

int64_t VectorExecutor::run(LayerWork& w) {
  if (!w.plan.bands.empty()) {
    host_.access(Host::Port::Input, tlm::TLM_WRITE_COMMAND, 0,
                 static_cast<uint64_t>(w.plan.output_bytes));
    compute(w);
    w.result.ideal = w.plan.vector_cycles;
    return run_banded(host_, w);
  }
  for (const compile::Operand& op : w.plan.operands)
    host_.access(Host::Port::Input, tlm::TLM_READ_COMMAND, 0, static_cast<uint64_t>(op.bytes));
  host_.access(Host::Port::Input, tlm::TLM_WRITE_COMMAND, 0,
               static_cast<uint64_t>(w.plan.output_bytes));
  compute(w);
  w.result.ideal = w.plan.vector_cycles;
  return w.ready + w.plan.vector_cycles;
}

}  // namespace trine::models::accel
