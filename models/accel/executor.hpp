#pragma once
// How one kind of layer runs on the accelerator: an Executor per kind, the seam a new layer
// kind adds one file to (beside the network, the reference and the compiler). The controller
// walks the schedule: it loads the layer's operands that live in DRAM into the input buffer,
// runs the layer's executor, writes the output to DRAM when the plan says so, and compares it
// with the integer reference.
//
// Contract of run(): computes the layer's output for every image of the batch into `out`
// (equal to the reference's, bit for bit: the controller checks it), issues the buffer
// accesses and counts the energy events of the work it does, fills in the result's work
// figures (ideal cycles, tiles, MACs), and returns the cycle its work ends, no earlier than
// `ready` (when its operands are in the input buffer). It may advance simulated time; it never
// moves activations to or from DRAM, except a banded layer's input bands (LayerPlan::bands),
// which it asks the host to load as its work reaches them (the controller loads nothing for
// such a layer beforehand).
#include <systemc>
#include <tlm>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/dram/clock.hpp"
#include "sim/compile/schedule.hpp"
#include "sim/ref/reference.hpp"
#include "sim/report/results.hpp"
#include "sim/report/trace.hpp"
#include "sim/stats/stats.hpp"

namespace trine::models::accel {

using Batch = std::vector<ref::Tensor>;  // one tensor per image of the batch

// What executors use of the controller: its buffer ports, its clock and its trace.
class Host {
 public:
  enum class Port { Weight, Input, Output };
  virtual ~Host() = default;
  // Streams `bytes` through a buffer's port from address `base` (wrapping at its size).
  virtual void access(Port port, tlm::tlm_command cmd, uint64_t base, uint64_t bytes) = 0;
  virtual int64_t now() const = 0;
  virtual void wait_until(const sc_core::sc_time& t) = 0;
  virtual const ClockDomain& clock() const = 0;
  virtual report::Trace* trace_sink() const = 0;  // null when not tracing
  // Banded layers: submits the DRAM reads of band `band`'s input rows (each operand's, channel
  // by channel) to start at `start`, into the band's slot of the input buffer; counts them in
  // `lr`. Returns a ticket for band_arrival().
  virtual size_t submit_band(const compile::LayerPlan& p, size_t band,
                             const sc_core::sc_time& start, report::LayerResult& lr) = 0;
  // The cycle (and in *at the time) a submitted band's rows are all in. Nothing may be
  // submitted to start before *at afterwards (the DRAM may have answered ahead).
  virtual int64_t band_arrival(size_t ticket, sc_core::sc_time* at) = 0;
};

struct LayerWork;

// A banded layer's bands (compile::LayerPlan::bands), loaded ahead as their slots of the input
// buffer free: with two slots, band b + 1 is submitted when band b starts (its slot freed when
// band b - 1 ended); with one, when band b has ended. The executor tells it when each band
// starts and ends.
class BandLoader {
 public:
  BandLoader(Host& host, const compile::LayerPlan& p, report::LayerResult& lr)
      : host_(host), plan_(p), lr_(lr), ticket_(p.bands.size(), kNone), end_(p.bands.size(), 0) {}
  // Band b starts: submits what may load now, returns the cycle b's rows are all in; `at`, the
  // caller's time, moves on to their arrival (and to any wait for a free slot).
  int64_t start(size_t b, sc_core::sc_time& at);
  void ended(size_t b, int64_t cycle) { end_[b] = std::max(end_[b], cycle); }

 private:
  static constexpr size_t kNone = ~size_t{0};
  void submit(size_t b, sc_core::sc_time& at);
  Host& host_;
  const compile::LayerPlan& plan_;
  report::LayerResult& lr_;
  std::vector<size_t> ticket_;  // per band: its Host ticket once submitted
  std::vector<int64_t> end_;    // per band: the cycle its work ended
};

struct LayerWork {
  const net::Layer& layer;
  const compile::LayerPlan& plan;
  const net::TensorType& out_type;
  std::vector<const Batch*> inputs;  // per operand, in the layer's input order
  Batch& out;
  int64_t ready;                // cycle the operands are in the input buffer
  report::LayerResult& result;  // start, name and plan figures filled in by the controller
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void start_batch() {}  // before the first layer of each batch
  virtual int64_t run(LayerWork& work) = 0;
};

// The counters the vector unit's executors share (declared by the controller, in its group).
struct VectorCounters {
  stats::Counter& window_ops;  // pooling: window elements compared or added
  stats::Counter& terms;       // add: input elements rescaled and summed
  stats::Counter& moves;       // concat, shift: values copied
};

// Layers on the vector unit (`array.cols` lanes beside the array): each operand is read from
// the input buffer and the output written back there, taking the plan's vector cycles once
// the operands are in. Subclasses compute the values and count their events.
class VectorExecutor : public Executor {
 public:
  explicit VectorExecutor(Host& host) : host_(host) {}
  int64_t run(LayerWork& work) final;

 protected:
  virtual void compute(LayerWork& work) = 0;
  // Sizes the output batch and calls f(image, its operands, its output) for every image.
  template <class F>
  static void each_image(LayerWork& w, F&& f) {
    const size_t images = w.inputs.front()->size();
    w.out.resize(images);
    std::vector<const ref::Tensor*> operands(w.inputs.size());
    for (size_t b = 0; b < images; ++b) {
      for (size_t k = 0; k < operands.size(); ++k) operands[k] = &(*w.inputs[k])[b];
      f(operands, w.out[b]);
    }
  }
  Host& host_;
};

// Relu and flatten: how the next layers address their input (relu clamps on the way); no
// cycles, no traffic.
std::unique_ptr<Executor> make_alias_executor();
// Input layers: made by the host from the image (LayerWork::inputs: the images); no cycles.
std::unique_ptr<Executor> make_input_executor();
std::unique_ptr<Executor> make_pool_executor(Host& host, const VectorCounters& counters);
std::unique_ptr<Executor> make_add_executor(Host& host, const VectorCounters& counters);
std::unique_ptr<Executor> make_concat_executor(Host& host, const VectorCounters& counters);
std::unique_ptr<Executor> make_shift_executor(Host& host, const VectorCounters& counters);
std::unique_ptr<Executor> make_global_pool_executor(Host& host, const VectorCounters& counters);

}  // namespace trine::models::accel
