// Input layers: tensors the host writes to DRAM before the inference, like the image (no
// cycles, no traffic counted: the image's writes are not either); their readers load them.
#include "models/accel/executor.hpp"

namespace trine::models::accel {

namespace {

class InputExecutor : public Executor {
 public:
  // inputs: the batch's images (the controller passes them: the host makes the tensor from
  // the image, docs/net.md).
  int64_t run(LayerWork& w) override {
    const Batch& images = *w.inputs.front();
    w.out.resize(images.size());
    for (size_t b = 0; b < images.size(); ++b) {
      w.out[b].type = w.out_type;
      w.out[b].data.resize(static_cast<size_t>(w.out_type.size()));
      net::repeat_image(images[b].data, w.out[b].data);
    }
    return w.ready;
  }
};

}  // namespace

std::unique_ptr<Executor> make_input_executor() {
  return std::make_unique<InputExecutor>();
}

}  // namespace trine::models::accel
