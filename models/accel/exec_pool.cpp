// Max and average pooling on the vector unit.
#include "models/accel/executor.hpp"
#include "models/accel/vector_unit.hpp"

namespace trine::models::accel {

namespace {

class PoolExecutor : public VectorExecutor {
 public:
  PoolExecutor(Host& host, const VectorCounters& counters)
      : VectorExecutor(host), ops_(counters.window_ops) {}

 protected:
  void compute(LayerWork& w) override {
    each_image(w, [&](const std::vector<const ref::Tensor*>& ins, ref::Tensor& out) {
      pool(w.layer, *ins[0], w.out_type, out);
    });
    ops_ += static_cast<uint64_t>(w.out.size()) * static_cast<uint64_t>(w.out_type.size()) *
            static_cast<uint64_t>(w.layer.kernel_h * w.layer.kernel_w);
  }

 private:
  stats::Counter& ops_;
};

}  // namespace

std::unique_ptr<Executor> make_pool_executor(Host& host, const VectorCounters& counters) {
  return std::make_unique<PoolExecutor>(host, counters);
}

}  // namespace trine::models::accel
