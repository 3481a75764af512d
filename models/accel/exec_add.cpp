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
    each_image(w, [&](const std::vector<const ref::Tensor*>& ins, ref::Tensor& out) {
      add(w.layer, ins, w.out_type, out);
    });
    terms_ += static_cast<uint64_t>(w.out.size() * w.inputs.size()) *
              static_cast<uint64_t>(w.out_type.size());
  }

 private:
  stats::Counter& terms_;
};

}  // namespace

std::unique_ptr<Executor> make_add_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<AddExecutor>(host, counters);
}

}  // namespace trine::models::accel
