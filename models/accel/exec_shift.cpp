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
    each_image(w, [&](const std::vector<const ref::Tensor*>& ins, ref::Tensor& out) {
      shift(w.layer, *ins[0], w.out_type, out);
    });
    moves_ += static_cast<uint64_t>(w.out.size()) * static_cast<uint64_t>(w.out_type.size());
  }

 private:
  stats::Counter& moves_;
};

}  // namespace

std::unique_ptr<Executor> make_shift_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<ShiftExecutor>(host, counters);
}

}  // namespace trine::models::accel
