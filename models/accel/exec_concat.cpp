// Concatenation along channels on the vector unit: each value copied once. (A compiler that
// placed the inputs side by side in the buffer would make it free; trine's does not.)
#include "models/accel/executor.hpp"
#include "models/accel/vector_unit.hpp"

namespace trine::models::accel {

namespace {

class ConcatExecutor : public VectorExecutor {
 public:
  ConcatExecutor(Host& host, const VectorCounters& counters)
      : VectorExecutor(host), moves_(counters.moves) {}

 protected:
  void compute(LayerWork& w) override {
    each_image(w, [&](const std::vector<const ref::Tensor*>& ins, ref::Tensor& out) {
      concat(ins, w.out_type, out);
    });
    moves_ += static_cast<uint64_t>(w.out.size()) * static_cast<uint64_t>(w.out_type.size());
  }

 private:
  stats::Counter& moves_;
};

}  // namespace

std::unique_ptr<Executor> make_concat_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<ConcatExecutor>(host, counters);
}

}  // namespace trine::models::accel
