// Element-wise add (residual connections) on the vector unit: each input rescaled to the
// sum's scale, summed, saturated.
#include "models/accel/executor.hpp"
#include "models/accel/vector_unit.hpp"

namespace trine::models::accel {

namespace {

class AddExecutor : public VectorExecutor {
 public:
  AddExecutor(Host& host, const VectorCounters& counters)
      : VectorExecutor(host), terms_(counters.terms) {}

 protected:
  void compute(LayerWork& w) override {
    const size_t images = w.inputs.front()->size();
    w.out.resize(images);
    std::vector<const ref::Tensor*> ins(w.inputs.size());
    for (size_t b = 0; b < images; ++b) {
      for (size_t k = 0; k < ins.size(); ++k) ins[k] = &(*w.inputs[k])[b];
      add(w.layer, ins, w.out_type, w.out[b]);
    }
    terms_ += static_cast<uint64_t>(images * ins.size()) * static_cast<uint64_t>(w.out_type.size());
  }

 private:
  stats::Counter& terms_;
};

}  // namespace

std::unique_ptr<Executor> make_add_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<AddExecutor>(host, counters);
}

}  // namespace trine::models::accel
