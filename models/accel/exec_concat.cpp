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
    const size_t images = w.inputs.front()->size();
    w.out.resize(images);
    std::vector<const ref::Tensor*> ins(w.inputs.size());
    for (size_t b = 0; b < images; ++b) {
      for (size_t k = 0; k < ins.size(); ++k) ins[k] = &(*w.inputs[k])[b];
      concat(ins, w.out_type, w.out[b]);
    }
    moves_ += static_cast<uint64_t>(images) * static_cast<uint64_t>(w.out_type.size());
  }

 private:
  stats::Counter& moves_;
};

}  // namespace

std::unique_ptr<Executor> make_concat_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<ConcatExecutor>(host, counters);
}

}  // namespace trine::models::accel
