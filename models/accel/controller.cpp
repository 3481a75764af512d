#include "models/accel/controller.hpp"

#include <algorithm>

#include "models/buffer/access.hpp"
#include "sim/util/error.hpp"

namespace trine::models {

namespace {

uint64_t align64(uint64_t v) {
  return (v + 63) / 64 * 64;
}

}  // namespace

Controller::Controller(sc_core::sc_module_name name, const config::DesignPoint& dp,
                       const net::Network& net, const compile::Schedule& schedule,
                       std::vector<const uint8_t*> images, Dma& dma, WeightDecoder& decoder,
                       SystolicArray& array, Buffers buffers)
    : sc_core::sc_module(name),
      wbuf("wbuf"),
      ibuf("ibuf"),
      obuf("obuf"),
      dp_(dp),
      net_(net),
      schedule_(schedule),
      images_(std::move(images)),
      dma_(dma),
      decoder_(decoder),
      buffers_(buffers),
      clock_(dp.clock.frequency_hz),
      reference_(net),
      types_(net::infer_types(net, net.name)),
      image_type_(net::input_type(net.input)),
      stats_(this->name()),
      requantized_(stats_, "requantized", "values",
                   "accumulator values scaled, rounded and clamped to activations",
                   {"array.requantize",
                    {{"acc_bits", static_cast<double>(dp.array.acc_bits)},
                     {"mult_bits", static_cast<double>(net::multiplier_widths(net).requant)}}}),
      pool_ops_(stats_, "pool_ops", "operations",
                "window elements the vector unit compared (max) or added (average, global "
                "average)",
                {"array.pool_op", {{"act_bits", static_cast<double>(dp.array.act_bits)}}}),
      vector_terms_(stats_, "vector_terms", "terms",
                    "input elements the vector unit rescaled and summed (add layers)",
                    {"vector.rescale",
                     {{"act_bits", static_cast<double>(dp.array.act_bits)},
                      {"mult_bits", static_cast<double>(net::multiplier_widths(net).rescale)}}}),
      vector_moves_(stats_, "vector_moves", "values",
                    "values the vector unit copied (concat and shift layers)",
                    {"vector.move", {{"act_bits", static_cast<double>(dp.array.act_bits)}}}) {
  compute_ = std::make_unique<accel::ComputeExecutor>(dp, net, types_, schedule, *this, dma,
                                                      decoder, array, requantized_);
  const accel::VectorCounters counters{pool_ops_, vector_terms_, vector_moves_};
  executor_.assign(net::all_kinds().size(), nullptr);
  auto set = [&](net::LayerKind kind, accel::Executor* e) {
    executor_[static_cast<size_t>(kind)] = e;
  };
  auto own = [&](std::unique_ptr<accel::Executor> e) {
    vector_executors_.push_back(std::move(e));
    return vector_executors_.back().get();
  };
  using K = net::LayerKind;
  set(K::Dense, compute_.get());
  set(K::Conv2d, compute_.get());
  accel::Executor* alias = own(accel::make_alias_executor());
  set(K::Relu, alias);
  set(K::Flatten, alias);
  accel::Executor* pool = own(accel::make_pool_executor(*this, counters));
  set(K::MaxPool, pool);
  set(K::AvgPool, pool);
  set(K::Add, own(accel::make_add_executor(*this, counters)));
  set(K::Concat, own(accel::make_concat_executor(*this, counters)));
  set(K::Shift, own(accel::make_shift_executor(*this, counters)));
  set(K::GlobalAvgPool, own(accel::make_global_pool_executor(*this, counters)));
  set(K::Input, own(accel::make_input_executor()));
  for (K kind : net::all_kinds())
    TRINE_ASSERT(executor_[static_cast<size_t>(kind)] != nullptr, "every kind has an executor");
  uint64_t at = compute_->weights_end();
  input_base_ = at;
  at = align64(at + static_cast<uint64_t>(schedule.image_bytes));
  for (const compile::LayerPlan& p : schedule.layers) {
    act_base_.push_back(at);
    at = align64(at + static_cast<uint64_t>(p.output_bytes));
  }
  outs_.resize(net.layers.size());
  SC_THREAD(run);
}

int64_t Controller::now() const {
  return clock_.cycle_at_or_after(sc_core::sc_time_stamp());
}

void Controller::wait_until(const sc_core::sc_time& t) {
  if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
}

void Controller::access(Port port, tlm::tlm_command cmd, uint64_t base, uint64_t bytes) {
  switch (port) {
    case Port::Weight:
      stream_access(wbuf, cmd, base, bytes, static_cast<uint64_t>(dp_.buffers.weight.size_bytes),
                    scratch_, name());
      break;
    case Port::Input:
      stream_access(ibuf, cmd, base, bytes, static_cast<uint64_t>(dp_.buffers.input.size_bytes),
                    scratch_, name());
      break;
    case Port::Output:
      stream_access(obuf, cmd, base, bytes, static_cast<uint64_t>(dp_.buffers.output.size_bytes),
                    scratch_, name());
      break;
  }
}

void Controller::run() {
  const size_t batch =
      static_cast<size_t>(schedule_.layers.empty() ? 1 : schedule_.layers[0].batch);
  // The reference runs on another thread, up to two batches (at least 32 images) ahead of the
  // hardware it checks: the wider the window, the rarer the system call that wakes it.
  expected_ = std::make_unique<ref::ReferenceAhead>(
      other_reference_ ? *other_reference_ : reference_, images_, std::max<size_t>(2 * batch, 32));
  const auto total = static_cast<int64_t>(images_.size() / batch * batch);
  if (schedule_.weights_resident) {
    preload_ = run_preload();
    preloaded_ = true;
  }
  for (size_t i = 0; i + batch <= images_.size(); i += batch) {
    results_.push_back(infer({images_.begin() + i, images_.begin() + i + batch}));
    if (results_.back().mismatch) break;
    if (batch_hook_ && !batch_hook_(static_cast<int64_t>(i + batch), total) &&
        static_cast<int64_t>(i + batch) < total) {
      interrupted_ = true;
      break;
    }
  }
  finished_ = true;
}

InferenceResult Controller::infer(const std::vector<const uint8_t*>& batch) {
  InferenceResult r;
  const bool first_batch = results_.empty();
  if (first_batch) r.layers.reserve(schedule_.layers.size());
  const bool probe = probe_ && first_batch;  // per-layer events: first batch only
  for (const auto& e : vector_executors_) e->start_batch();
  compute_->start_batch();
  r.start = now();
  std::vector<std::vector<ref::Tensor>> expected;  // per image, per layer
  expected.reserve(batch.size());
  image_.resize(batch.size());
  for (size_t b = 0; b < batch.size(); ++b) {
    expected.push_back(expected_->take());
    reference_.input(batch[b], image_[b]);
  }
  const auto images = static_cast<int64_t>(images_.size() / batch.size() * batch.size());
  for (const compile::LayerPlan& p : schedule_.layers) {
    report::LayerResult lr = run_layer(p, probe);
    trace_layer(lr, batch.size());
    if (layer_hook_)
      layer_hook_(static_cast<int64_t>(results_.size() * batch.size()),
                  static_cast<int64_t>(batch.size()), images, static_cast<int64_t>(p.layer + 1),
                  static_cast<int64_t>(schedule_.layers.size()));
    if (first_batch) r.layers.push_back(std::move(lr));
    if (differs(p, expected, r)) {
      r.end = now();
      return r;
    }
  }
  r.end = now();
  for (const ref::Tensor& t : outs_.back()) {
    r.outputs.push_back(t.data);
    r.predictions.push_back(ref::argmax(t.data));
  }
  return r;
}

report::LayerResult Controller::run_preload() {
  report::LayerResult lr;
  lr.name = "weights";
  lr.kind = "preload";
  lr.start = now();
  std::vector<uint64_t> before;
  if (probe_) before = probe_().snapshot();
  const uint64_t wb0 = buffers_.weight.bytes_accessed();
  lr.dram_read = compute_->preload();
  lr.end = now();
  lr.ideal = 0;
  lr.wbuf_bytes = buffers_.weight.bytes_accessed() - wb0;
  if (probe_) {
    const stats::CounterSet& counters = probe_();
    lr.events = counters.delta(before, counters.snapshot());
  }
  return lr;
}

report::LayerResult Controller::run_layer(const compile::LayerPlan& p, bool probe) {
  const net::Layer& l = net_.layers[p.layer];
  report::LayerResult lr;
  lr.name = l.name;
  lr.kind = net::kind_name(l.kind);
  lr.form = l.is_compute() ? net::form_name(l.weights.form) : "";
  lr.unit = l.is_compute() ? "array" : p.alias || l.kind == net::LayerKind::Input ? "" : "vector";
  lr.start = now();
  lr.tiles = static_cast<int64_t>(p.tiles.size());
  lr.skipped_tiles = p.skipped_tiles;
  lr.macs = p.macs;
  lr.bands = static_cast<int64_t>(p.bands.size());
  lr.halo_bytes = static_cast<uint64_t>(p.halo_bytes);
  std::vector<uint64_t> before;
  if (probe) before = probe_().snapshot();
  const uint64_t wb0 = buffers_.weight.bytes_accessed(), ib0 = buffers_.input.bytes_accessed(),
                 ob0 = buffers_.output.bytes_accessed(), th0 = decoder_.throttle_cycles();
  const int64_t ready = load_operands(p, lr);
  accel::LayerWork work{l, p, types_[p.layer], {}, outs_[p.layer], ready, lr};
  for (const compile::Operand& op : p.operands)
    work.inputs.push_back(op.producer < 0 ? &image_ : &outs_[static_cast<size_t>(op.producer)]);
  if (l.kind == net::LayerKind::Input) work.inputs.push_back(&image_);  // made from the image
  int64_t end = executor_[static_cast<size_t>(l.kind)]->run(work);
  wait_until(clock_.time(end));
  if (p.output_to_dram) end = store_output(p, lr);
  lr.end = end;
  lr.wbuf_bytes = buffers_.weight.bytes_accessed() - wb0;
  lr.ibuf_bytes = buffers_.input.bytes_accessed() - ib0;
  lr.obuf_bytes = buffers_.output.bytes_accessed() - ob0;
  lr.decoder_throttle = decoder_.throttle_cycles() - th0;
  if (probe) {
    const stats::CounterSet& counters = probe_();
    lr.events = counters.delta(before, counters.snapshot());
  }
  return lr;
}

size_t Controller::submit_band(const compile::LayerPlan& p, size_t band,
                               const sc_core::sc_time& start, report::LayerResult& lr) {
  const compile::Band& b = p.bands[band];
  std::vector<Dma::Job> jobs;
  for (size_t k = 0; k < p.operands.size(); ++k) {
    const compile::Operand& op = p.operands[k];
    const net::TensorType& t =
        op.producer < 0 ? image_type_ : types_[static_cast<size_t>(op.producer)];
    const uint64_t row = static_cast<uint64_t>(t.width * compile::activation_bytes(t.bits));
    const uint64_t plane = row * static_cast<uint64_t>(t.height);
    const auto [first, end] = b.rows[k];
    // Each channel's rows are one run of the channel-major tensor.
    const uint64_t base = storage_address(op.storage) +
                          static_cast<uint64_t>(b.image * t.channels) * plane +
                          static_cast<uint64_t>(first) * row;
    for (int64_t c = 0; c < t.channels; ++c)
      jobs.push_back(dma_.submit(base + static_cast<uint64_t>(c) * plane,
                                 static_cast<uint64_t>(end - first) * row, false, start));
  }
  lr.dram_read += static_cast<uint64_t>(b.bytes);
  const uint64_t slot_bytes = static_cast<uint64_t>(dp_.buffers.input.size_bytes / p.band_slots);
  access(Port::Input, tlm::TLM_WRITE_COMMAND, band % static_cast<size_t>(p.band_slots) * slot_bytes,
         static_cast<uint64_t>(b.bytes));
  if (band == 0) band_jobs_.clear();
  band_jobs_.push_back(std::move(jobs));
  return band_jobs_.size() - 1;
}

int64_t Controller::band_arrival(size_t ticket, sc_core::sc_time* at) {
  int64_t ready = 0;
  *at = sc_core::sc_time_stamp();
  for (const Dma::Job job : band_jobs_[ticket]) {
    sc_core::sc_time end;
    ready = std::max(ready, dma_.finish_of(job, &end));
    *at = std::max(*at, end);
  }
  return ready;
}

int64_t Controller::load_operands(const compile::LayerPlan& p, report::LayerResult& lr) {
  int64_t ready = lr.start;
  // An alias's readers load its storage; a banded layer's executor loads its bands.
  if (p.alias || !p.bands.empty()) return ready;
  std::vector<Dma::Job> jobs;
  for (const compile::Operand& op : p.operands)
    if (op.from_dram)
      jobs.push_back(
          dma_.submit(storage_address(op.storage), static_cast<uint64_t>(op.bytes), false));
  for (const Dma::Job job : jobs) ready = std::max(ready, dma_.wait_for(job));
  for (const compile::Operand& op : p.operands)
    if (op.from_dram) {
      lr.dram_read += static_cast<uint64_t>(op.bytes);
      access(Port::Input, tlm::TLM_WRITE_COMMAND, 0, static_cast<uint64_t>(op.bytes));
    }
  return ready;
}

int64_t Controller::store_output(const compile::LayerPlan& p, report::LayerResult& lr) {
  const auto bytes = static_cast<uint64_t>(p.output_bytes);
  // Requantized results leave from the output buffer, the vector unit's from the input buffer.
  access(net_.layers[p.layer].is_compute() ? Port::Output : Port::Input, tlm::TLM_READ_COMMAND, 0,
         bytes);
  lr.dram_written += bytes;
  return dma_.wait_for(dma_.submit(act_base_[p.layer], bytes, true));
}

bool Controller::differs(const compile::LayerPlan& p,
                         const std::vector<std::vector<ref::Tensor>>& expected,
                         InferenceResult& r) {
  const accel::Batch& got = outs_[p.layer];
  for (size_t b = 0; b < got.size(); ++b) {
    const ref::Tensor& want = expected[b][p.layer];
    if (got[b].data == want.data) continue;  // (a memcmp; the index only when they differ)
    sc_assert(got[b].data.size() == want.data.size());
    const size_t i = static_cast<size_t>(
        std::mismatch(want.data.begin(), want.data.end(), got[b].data.begin()).first -
        want.data.begin());
    r.mismatch = true;
    r.first_mismatch = {static_cast<int64_t>(b), net_.layers[p.layer].name, static_cast<int64_t>(i),
                        got[b].data[i], want.data[i]};
    return true;
  }
  return false;
}

void Controller::trace_layer(const report::LayerResult& lr, size_t images) {
  if (!trace_) return;
  trace_->add({static_cast<int64_t>(clock_.ps(lr.start)), static_cast<int64_t>(clock_.ps(lr.end)),
               "controller", "layer",
               "image=" + std::to_string(results_.size() * images) + " layer=" + lr.name +
                   " start=" + std::to_string(lr.start) + " end=" + std::to_string(lr.end) +
                   " stall=" + std::to_string(lr.stall()),
               "layers"});
}

}  // namespace trine::models
