#include "models/accel/exec_compute.hpp"

#include <algorithm>
#include <string>

namespace trine::models::accel {

ComputeExecutor::ComputeExecutor(const config::DesignPoint& dp, const net::Network& net,
                                 const std::vector<net::TensorType>& types,
                                 const compile::Schedule& schedule, Host& host, Dma& dma,
                                 WeightDecoder& decoder, SystolicArray& array,
                                 stats::Counter& requantized)
    : dp_(dp),
      schedule_(schedule),
      host_(host),
      dma_(dma),
      decoder_(decoder),
      array_(array),
      requantized_(requantized) {
  paths_.resize(net.layers.size());
  tiles_.resize(net.layers.size());
  cells_.resize(net.layers.size());
  for (const compile::LayerPlan& p : schedule.layers) {
    const net::Layer& l = net.layers[p.layer];
    if (!l.is_compute()) continue;
    const int from = p.operands.front().producer;
    const net::TensorType in =
        from < 0 ? net::input_type(net.input) : types[static_cast<size_t>(from)];
    paths_[p.layer] = std::make_unique<Datapath>(l, p, in, types[p.layer]);
    cells_[p.layer] = CellWeights::of(l.weights);
  }
  for (const compile::LayerPlan& p : schedule.layers)
    for (size_t k = 0; k < p.tiles.size(); ++k) tile_order_.emplace_back(p.layer, k);
  weight_jobs_.resize(tile_order_.size());
}

uint64_t ComputeExecutor::preload() {
  if (!schedule_.weights_resident || schedule_.weight_bytes == 0) return 0;
  const auto bytes = static_cast<uint64_t>(schedule_.weight_bytes);
  dma_.wait_for(dma_.submit(0, bytes, false));
  host_.access(Host::Port::Weight, tlm::TLM_WRITE_COMMAND, 0, bytes);
  return bytes;
}

void ComputeExecutor::start_batch() {
  next_tile_ = 0;
  next_fetch_ = 0;
}

void ComputeExecutor::fetch_below(size_t end, const sc_core::sc_time& start) {
  for (end = std::min(end, tile_order_.size()); next_fetch_ < end; ++next_fetch_)
    fetch(next_fetch_, start);
}

void ComputeExecutor::fetch(size_t g, const sc_core::sc_time& start) {
  const auto [layer, k] = tile_order_[g];
  const compile::TilePlan& t = schedule_.layers[layer].tiles[k];
  weight_jobs_[g] = dma_.submit(static_cast<uint64_t>(t.weight_address),
                                static_cast<uint64_t>((t.weight_bits + 7) / 8), false, start);
}

void ComputeExecutor::trace_tile(const LayerWork& w, size_t k, const array::Tile& t,
                                 const array::TileTiming& tt) const {
  report::Trace* trace = host_.trace_sink();
  if (!trace) return;
  const ClockDomain& clock = host_.clock();
  const compile::TilePlan& tp = w.plan.tiles[k];
  const std::string id = "layer=" + w.layer.name + " tile=" + std::to_string(k);
  trace->add({static_cast<int64_t>(clock.ps(tt.load_start)),
              static_cast<int64_t>(clock.ps(tt.load_start + t.decode_cycles)), "decoder", "decode",
              id + " units=" + std::to_string(tp.decode_units) +
                  " cycles=" + std::to_string(t.decode_cycles),
              "decoder"});
  trace->add({static_cast<int64_t>(clock.ps(tt.load_start)),
              static_cast<int64_t>(clock.ps(tt.compute_end)), "array", "tile",
              id + " rows=" + std::to_string(t.reduction) + " cols=" + std::to_string(t.outputs) +
                  " vectors=" + std::to_string(t.vectors) +
                  " load=" + std::to_string(tt.load_start) + ".." + std::to_string(tt.load_end) +
                  " compute=" + std::to_string(tt.compute_start) + ".." +
                  std::to_string(tt.compute_end),
              "array"});
}

ComputeExecutor::TileWeights ComputeExecutor::tile_weights(size_t g, const compile::TilePlan& tp,
                                                           report::LayerResult& lr,
                                                           sc_core::sc_time& at) {
  if (schedule_.weights_resident) return {0, static_cast<uint64_t>(tp.weight_address)};
  sc_core::sc_time arrived;
  const int64_t ready = dma_.finish_of(weight_jobs_[g], &arrived);
  at = std::max(at, arrived);
  const uint64_t wsize = static_cast<uint64_t>(dp_.buffers.weight.size_bytes);
  const uint64_t slots = static_cast<uint64_t>(schedule_.prefetch_tiles);
  const uint64_t slot = (tiles_loaded_++ % slots) * (wsize / slots);  // tiles take turns
  const uint64_t bytes = static_cast<uint64_t>((tp.weight_bits + 7) / 8);
  lr.dram_read += bytes;  // whenever it was fetched
  host_.access(Host::Port::Weight, tlm::TLM_WRITE_COMMAND, slot, bytes);
  return {ready, slot};
}

int64_t ComputeExecutor::run(LayerWork& w) {
  const compile::LayerPlan& p = w.plan;
  report::LayerResult& lr = w.result;
  const Batch& x = *w.inputs.front();
  const Datapath& path = *paths_[p.layer];
  const CellWeights& cells = cells_[p.layer];
  path.start(acc_);
  // Two weight tiles in flight, across layer boundaries: usually already fetched. (Resident
  // weights are in the buffer already: no fetch, no slot.)
  const bool resident = schedule_.weights_resident;
  const size_t first = next_tile_;
  const size_t depth = static_cast<size_t>(schedule_.prefetch_tiles);
  if (!resident) fetch_below(first + depth, sc_core::SC_ZERO_TIME);
  // The time this loop stands for. The controller does not wait for a weight slot to free: it
  // submits the next fetch to start then, and keeps working on what it already has, so
  // simulated time catches up only when it must wait for data.
  sc_core::sc_time at = sc_core::sc_time_stamp();
  array::Pipeline ideal = array_.pipeline();  // the same tiles, DRAM out of the picture
  int64_t ideal_end = lr.start, end = w.ready;
  std::pair<int64_t, int64_t> last_output_tile{-1, -1};
  const bool acts_checked = Datapath::fits(x, static_cast<int>(dp_.array.act_bits));
  path.gather(x, streams_);  // (x stands until the layer's end)
  // A banded layer: each band's tiles wait for its rows (BandLoader loads them ahead).
  std::unique_ptr<BandLoader> bands;
  if (!p.bands.empty()) bands = std::make_unique<BandLoader>(host_, p, lr);
  int64_t band = -1, inputs_ready = w.ready;
  for (size_t k = 0; k < p.tiles.size(); ++k) {
    const compile::TilePlan& tp = p.tiles[k];
    const size_t g = first + k;
    if (bands && tp.band != band)
      inputs_ready = bands->start(static_cast<size_t>(band = tp.band), at);
    const TileWeights weights = tile_weights(g, tp, lr, at);
    array::Tile& t = tiles_[p.layer];  // per layer: its tiles' storage keeps its size
    path.tile(k, x, &streams_, t);
    t.acts_checked = acts_checked;
    t.decode_cycles =
        decoder_.decode(tp, w.layer.weights.form, weights.slot, array_.mapping().chain_cycles(t));
    t.weights_ready = 0;
    t.inputs_ready = lr.start;
    ideal_end = std::max(ideal_end, array_.ideal(t, ideal).compute_end);
    t.weights_ready = weights.ready;
    t.inputs_ready = inputs_ready;
    const std::pair<int64_t, int64_t> output_tile{tp.vec_begin, tp.out_begin};
    const array::TileResult& res =
        array_.run(t, output_tile == last_output_tile, tp.nonzeros, cells);
    last_output_tile = output_tile;
    path.add(k, res.sums, acc_);
    trace_tile(w, k, t, res.timing);
    lr.nonzero_macs += tp.nonzeros * t.vectors;
    lr.mapped_cell_cycles += array::mapped_cell_cycles(array_.shape(), t);
    end = std::max(end, res.timing.compute_end);  // (overlapped tiles may end out of order)
    if (bands) bands->ended(static_cast<size_t>(band), res.timing.compute_end);
    // Tile g's weight slot is free once its load has ended: the tile `depth` on takes it.
    if (!resident && g + depth < tile_order_.size()) {
      at = std::max(at, host_.clock().time(res.timing.load_end));
      fetch_below(g + 1 + depth, at);
    }
  }
  host_.wait_until(at);
  next_tile_ += p.tiles.size();
  path.finish(acc_, w.out);
  requantized_ += static_cast<uint64_t>(w.out.size()) * static_cast<uint64_t>(w.out_type.size());
  lr.ideal = ideal_end - lr.start;
  return end;
}

}  // namespace trine::models::accel
