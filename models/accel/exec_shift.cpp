// Kung et al.'s per-channel spatial shift on the vector unit: a copy with offset addresses,
// no multiplications.
#include "models/accel/executor.hpp"
#include "models/accel/vector_unit.hpp"

namespace trine::models::accel {

namespace {

class ShiftExecutor : public VectorExecutor {
 public:
  ShiftExecutor(Host& host, const VectorCounters& counters)
      : VectorExecutor(host), moves_(counters.moves) {}

 protected:
  void compute(LayerWork& w) override {
    const Batch& in = *w.inputs.front();
    w.out.resize(in.size());
    for (size_t b = 0; b < in.size(); ++b) shift(w.layer, in[b], w.out_type, w.out[b]);
    moves_ += static_cast<uint64_t>(in.size()) * static_cast<uint64_t>(w.out_type.size());
  }

 private:
  stats::Counter& moves_;
};

}  // namespace

std::unique_ptr<Executor> make_shift_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<ShiftExecutor>(host, counters);
}

}  // namespace trine::models::accel
