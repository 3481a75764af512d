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
    const Batch& in = *w.inputs.front();
    w.out.resize(in.size());
    for (size_t b = 0; b < in.size(); ++b) global_average(in[b], w.out_type, w.out[b]);
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
