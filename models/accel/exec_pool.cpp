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
    const Batch& in = *w.inputs.front();
    w.out.resize(in.size());
    for (size_t b = 0; b < in.size(); ++b) pool(w.layer, in[b], w.out_type, w.out[b]);
    ops_ += static_cast<uint64_t>(in.size()) * static_cast<uint64_t>(w.out_type.size()) *
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
