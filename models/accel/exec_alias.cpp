// Relu and flatten: addressing only (relu clamps as its readers read).
#include <algorithm>

#include "models/accel/executor.hpp"

namespace trine::models::accel {

namespace {

class AliasExecutor : public Executor {
 public:
  int64_t run(LayerWork& w) override {
    const Batch& in = *w.inputs.front();
    w.out.resize(in.size());
    for (size_t b = 0; b < in.size(); ++b) {
      w.out[b].type = w.out_type;
      w.out[b].data = in[b].data;
      if (w.layer.kind == net::LayerKind::Relu)
        for (int32_t& v : w.out[b].data) v = std::max(v, 0);
    }
    return w.ready;
  }
};

}  // namespace

std::unique_ptr<Executor> make_alias_executor() {
  return std::make_unique<AliasExecutor>();
}

}  // namespace trine::models::accel
