// Global average pooling on the vector unit: a lane per channel sums its plane.
#include "models/accel/executor.hpp"
#include "models/accel/vector_unit.hpp"

namespace trine::models::accel {

namespace {

class GlobalPoolExecutor : public VectorExecutor {
 public:
  GlobalPoolExecutor(Host& host, const VectorCounters& counters)
      : VectorExecutor(host), ops_(counters.window_ops) {}

 protected:
  void compute(LayerWork& w) override {
    each_image(w, [&](const std::vector<const ref::Tensor*>& ins, ref::Tensor& out) {
      global_average(*ins[0], w.out_type, out);
    });
    const Batch& in = *w.inputs.front();
    if (!in.empty()) ops_ += static_cast<uint64_t>(in.size() * in.front().data.size());
  }

 private:
  stats::Counter& ops_;
};

}  // namespace

std::unique_ptr<Executor> make_global_pool_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<GlobalPoolExecutor>(host, counters);
}

}  // namespace trine::models::accel
