#include "models/accel/controller.hpp"

#include <algorithm>

#include "models/buffer/access.hpp"

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
      array_(array),
      buffers_(buffers),
      clock_(dp.clock.frequency_hz),
      reference_(net),
      types_(net::infer_types(net, net.name)),
      stats_(this->name()),
      requantized_(stats_, "requantized", "values",
                   "accumulator values scaled, rounded and clamped to activations",
                   {"array.requantize", {{"acc_bits", static_cast<double>(dp.array.acc_bits)}}}),
      pool_ops_(stats_, "pool_ops", "operations",
                "window elements the vector unit compared (max) or added (average)",
                {"array.pool_op", {{"act_bits", static_cast<double>(dp.array.act_bits)}}}) {
  uint64_t at = 0;
  tile_address_.resize(net.layers.size());
  paths_.resize(net.layers.size());
  tiles_.resize(net.layers.size());
  cells_.resize(net.layers.size());
  for (const compile::LayerPlan& p : schedule.layers)
    if (net.layers[p.layer].is_compute()) {
      paths_[p.layer] = std::make_unique<accel::Datapath>(
          net.layers[p.layer], p, p.layer == 0 ? net::input_type(net.input) : types_[p.layer - 1],
          types_[p.layer]);
      cells_[p.layer] = CellWeights::of(net.layers[p.layer].weights);
    }
  for (const compile::LayerPlan& p : schedule.layers) {
    weight_base_.push_back(at);
    // Each weight block once, in block order (the first vector chunk's tiles), each at a
    // 64-byte boundary: a tile's fetch then reads only its own DRAM bursts.
    std::vector<uint64_t> block_address;
    uint64_t off = 0;
    for (size_t k = 0; k < static_cast<size_t>(p.blocks); ++k) {
      block_address.push_back(at + off);
      off = align64(off + static_cast<uint64_t>((p.tiles[k].weight_bits + 7) / 8));
    }
    for (const compile::TilePlan& t : p.tiles)
      tile_address_[p.layer].push_back(block_address[static_cast<size_t>(t.block)]);
    at = align64(at + off);
  }
  input_base_ = at;
  at = align64(at +
               static_cast<uint64_t>(schedule.layers.empty() ? 0 : schedule.layers[0].input_bytes));
  for (const compile::LayerPlan& p : schedule.layers) {
    act_base_.push_back(at);
    at = align64(at + static_cast<uint64_t>(p.output_bytes));
    for (size_t k = 0; k < p.tiles.size(); ++k) tile_order_.emplace_back(p.layer, k);
  }
  weight_jobs_.resize(tile_order_.size());
  fetched_.resize(tile_order_.size());
  SC_THREAD(run);
}

int64_t Controller::now() const {
  return clock_.cycle_at_or_after(sc_core::sc_time_stamp());
}

void Controller::wait_until(int64_t cycle) {
  wait_until(clock_.time(cycle));
}

void Controller::wait_until(const sc_core::sc_time& t) {
  if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
}

void Controller::fetch(size_t g, const sc_core::sc_time& start) {
  if (g >= tile_order_.size() || fetched_[g]) return;
  fetched_[g] = 1;
  const auto [layer, k] = tile_order_[g];
  const compile::TilePlan& t = schedule_.layers[layer].tiles[k];
  weight_jobs_[g] = dma_.submit(tile_address_[layer][k],
                                static_cast<uint64_t>((t.weight_bits + 7) / 8), false, start);
}

void Controller::run() {
  const size_t batch =
      static_cast<size_t>(schedule_.layers.empty() ? 1 : schedule_.layers[0].batch);
  // The reference runs on another thread, up to two batches (at least 32 images) ahead of the
  // hardware it checks: the wider the window, the rarer the system call that wakes it.
  expected_ = std::make_unique<ref::ReferenceAhead>(
      other_reference_ ? *other_reference_ : reference_, images_, std::max<size_t>(2 * batch, 32));
  const auto total = static_cast<int64_t>(images_.size() / batch * batch);
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
  std::vector<uint64_t> before;
  next_tile_ = 0;
  std::fill(fetched_.begin(), fetched_.end(), 0);
  r.start = now();
  std::vector<std::vector<ref::Tensor>> expected;  // per image, per layer
  expected.reserve(batch.size());
  std::vector<ref::Tensor>& x = x_;
  x.resize(batch.size());
  for (size_t b = 0; b < batch.size(); ++b) {
    expected.push_back(expected_->take());
    reference_.input(batch[b], x[b]);
  }
  const uint64_t wsize = static_cast<uint64_t>(dp_.buffers.weight.size_bytes);
  const uint64_t isize = static_cast<uint64_t>(dp_.buffers.input.size_bytes);
  const uint64_t osize = static_cast<uint64_t>(dp_.buffers.output.size_bytes);
  uint64_t in_addr = input_base_;
  for (const compile::LayerPlan& p : schedule_.layers) {
    const net::Layer& l = net_.layers[p.layer];
    LayerResult lr;
    lr.name = l.name;
    lr.kind = net::kind_name(l.kind);
    lr.form = l.is_compute() ? net::form_name(l.weights.form) : "";
    lr.start = now();
    lr.tiles = static_cast<int64_t>(p.tiles.size());
    lr.skipped_tiles = p.skipped_tiles;
    lr.macs = p.macs;
    if (probe) before = probe_().snapshot();
    const uint64_t wb0 = buffers_.weight.bytes_accessed(), ib0 = buffers_.input.bytes_accessed(),
                   ob0 = buffers_.output.bytes_accessed(), th0 = decoder_.throttle_cycles();
    int64_t ready = lr.start, end = lr.start;
    // Flatten and relu only change how the next layer addresses the data, wherever it is.
    const bool addressing = l.kind == net::LayerKind::Flatten || l.kind == net::LayerKind::Relu;
    if (p.input_from_dram && !addressing) {
      ready = dma_.wait_for(dma_.submit(in_addr, static_cast<uint64_t>(p.input_bytes), false));
      lr.dram_read += static_cast<uint64_t>(p.input_bytes);
      stream_access(ibuf, tlm::TLM_WRITE_COMMAND, 0, static_cast<uint64_t>(p.input_bytes), isize,
                    scratch_, name());
    }
    const net::TensorType& out_type = types_[p.layer];
    if (l.is_compute()) {
      const accel::Datapath& path = *paths_[p.layer];
      const CellWeights& cells = cells_[p.layer];
      std::vector<int64_t>& acc = acc_;
      path.start(acc);
      // Two weight tiles in flight, across layer boundaries: usually already fetched.
      const size_t first = next_tile_;
      fetch(first, sc_core::SC_ZERO_TIME);
      fetch(first + 1, sc_core::SC_ZERO_TIME);
      // The time this loop stands for. The controller does not wait for a weight slot to
      // free: it submits the next fetch to start then, and keeps working on what it already
      // has, so simulated time catches up only when it must wait for data.
      sc_core::sc_time at = sc_core::sc_time_stamp();
      array::Pipeline ideal = array_.pipeline();  // the same tiles, DRAM out of the picture
      int64_t ideal_end = lr.start;
      std::pair<int64_t, int64_t> last_output_tile{-1, -1};
      const bool acts_checked = accel::Datapath::fits(x, static_cast<int>(dp_.array.act_bits));
      path.gather(x, streams_);  // (x stands until the layer's end)
      for (size_t k = 0; k < p.tiles.size(); ++k) {
        const compile::TilePlan& tp = p.tiles[k];
        const size_t g = first + k;
        sc_core::sc_time arrived;
        const int64_t weights_ready = dma_.finish_of(weight_jobs_[g], &arrived);
        at = std::max(at, arrived);
        const uint64_t slot = (tiles_loaded_++ % 2) * (wsize / 2);  // tiles alternate slots
        const uint64_t bytes = static_cast<uint64_t>((tp.weight_bits + 7) / 8);
        lr.dram_read += bytes;  // whenever it was fetched
        stream_access(wbuf, tlm::TLM_WRITE_COMMAND, slot, bytes, wsize, scratch_, name());
        array::Tile& t = tiles_[p.layer];  // per layer: its tiles' storage keeps its size
        path.tile(k, x, &streams_, t);
        t.acts_checked = acts_checked;
        t.decode_cycles = decoder_.decode(tp, l.weights.form, slot, t.rows_used);
        t.weights_ready = 0;
        t.inputs_ready = lr.start;
        ideal_end = array_.ideal(t, ideal).compute_end;
        t.weights_ready = weights_ready;
        t.inputs_ready = ready;
        const std::pair<int64_t, int64_t> output_tile{tp.vec_begin, tp.out_begin};
        const array::TileResult& res =
            array_.run(t, output_tile == last_output_tile, tp.nonzeros, cells);
        last_output_tile = output_tile;
        path.add(k, res.sums, acc);
        if (trace_) {
          const array::TileTiming& tt = res.timing;
          const std::string id = "layer=" + l.name + " tile=" + std::to_string(k);
          trace_->add({static_cast<int64_t>(clock_.ps(tt.load_start)),
                       static_cast<int64_t>(clock_.ps(tt.load_start + t.decode_cycles)), "decoder",
                       "decode",
                       id + " units=" + std::to_string(tp.decode_units) +
                           " cycles=" + std::to_string(t.decode_cycles),
                       "decoder"});
          trace_->add({static_cast<int64_t>(clock_.ps(tt.load_start)),
                       static_cast<int64_t>(clock_.ps(tt.compute_end)), "array", "tile",
                       id + " rows=" + std::to_string(t.rows_used) + " cols=" +
                           std::to_string(t.cols_used) + " vectors=" + std::to_string(t.vectors) +
                           " load=" + std::to_string(tt.load_start) + ".." +
                           std::to_string(tt.load_end) + " compute=" +
                           std::to_string(tt.compute_start) + ".." + std::to_string(tt.compute_end),
                       "array"});
        }
        lr.nonzero_macs += tp.nonzeros * t.vectors;
        lr.mapped_cell_cycles += t.rows_used * t.cols_used * t.vectors * dp_.array.act_bits;
        end = res.timing.compute_end;
        // Tile g's weight slot is free once its load has ended.
        if (g + 2 < tile_order_.size()) {
          at = std::max(at, clock_.time(res.timing.load_end));
          fetch(g + 1, at);
          fetch(g + 2, at);
        }
      }
      wait_until(at);
      next_tile_ += p.tiles.size();
      if (p.tiles.empty()) end = ready;
      path.finish(acc, next_);
      std::swap(x, next_);
      requantized_ += static_cast<uint64_t>(x.size()) * static_cast<uint64_t>(out_type.size());
      lr.ideal = ideal_end - lr.start;
    } else if (l.kind == net::LayerKind::MaxPool || l.kind == net::LayerKind::AvgPool) {
      stream_access(ibuf, tlm::TLM_READ_COMMAND, 0, static_cast<uint64_t>(p.input_bytes), isize,
                    scratch_, name());
      stream_access(ibuf, tlm::TLM_WRITE_COMMAND, 0, static_cast<uint64_t>(p.output_bytes), isize,
                    scratch_, name());
      next_.resize(x.size());
      for (size_t b = 0; b < x.size(); ++b) accel::pool(l, x[b], out_type, next_[b]);
      std::swap(x, next_);
      pool_ops_ += static_cast<uint64_t>(x.size()) * static_cast<uint64_t>(out_type.size()) *
                   static_cast<uint64_t>(l.kernel_h * l.kernel_w);
      end = ready + p.pool_cycles;
      lr.ideal = p.pool_cycles;
    } else {
      for (ref::Tensor& t : x) {  // flatten: addressing only; relu clamps on the way
        t.type = out_type;
        if (l.kind == net::LayerKind::Relu)
          for (int32_t& v : t.data) v = std::max(v, 0);
      }
      end = ready;
    }
    wait_until(end);
    if (p.output_to_dram && !(addressing && p.input_from_dram)) {
      stream_access(l.is_compute() ? obuf : ibuf, tlm::TLM_READ_COMMAND, 0,
                    static_cast<uint64_t>(p.output_bytes), l.is_compute() ? osize : isize, scratch_,
                    name());
      end = dma_.wait_for(
          dma_.submit(act_base_[p.layer], static_cast<uint64_t>(p.output_bytes), true));
      lr.dram_written += static_cast<uint64_t>(p.output_bytes);
      in_addr = act_base_[p.layer];
    }
    lr.end = end;
    lr.wbuf_bytes = buffers_.weight.bytes_accessed() - wb0;
    lr.ibuf_bytes = buffers_.input.bytes_accessed() - ib0;
    lr.obuf_bytes = buffers_.output.bytes_accessed() - ob0;
    lr.decoder_throttle = decoder_.throttle_cycles() - th0;
    if (probe) {
      const stats::CounterSet& counters = probe_();
      lr.events = counters.delta(before, counters.snapshot());
    }
    if (trace_)
      trace_->add({static_cast<int64_t>(clock_.ps(lr.start)),
                   static_cast<int64_t>(clock_.ps(lr.end)), "controller", "layer",
                   "image=" + std::to_string(results_.size() * batch.size()) + " layer=" + l.name +
                       " start=" + std::to_string(lr.start) + " end=" + std::to_string(lr.end) +
                       " stall=" + std::to_string(lr.stall()),
                   "layers"});
    if (first_batch) r.layers.push_back(std::move(lr));
    for (size_t b = 0; b < x.size(); ++b) {
      const ref::Tensor& want = expected[b][p.layer];
      if (x[b].data == want.data) continue;  // (a memcmp; the index only when they differ)
      sc_assert(x[b].data.size() == want.data.size());
      const size_t i = static_cast<size_t>(
          std::mismatch(want.data.begin(), want.data.end(), x[b].data.begin()).first -
          want.data.begin());
      r.mismatch = true;
      r.first_mismatch = {static_cast<int64_t>(b), l.name, static_cast<int64_t>(i), x[b].data[i],
                          want.data[i]};
      r.end = now();
      return r;
    }
  }
  r.end = now();
  for (const ref::Tensor& t : x) {
    r.outputs.push_back(t.data);
    r.predictions.push_back(ref::argmax(t.data));
  }
  return r;
}

}  // namespace trine::models
