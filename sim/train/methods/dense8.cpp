// dense8: every weight an 8-bit code with a per-neuron scale; the uncompressed baseline.
#include "sim/train/methods/method.hpp"

namespace trine::train {

namespace {

class Dense8 : public Method {
 public:
  using Method::Method;
  std::string begin_epoch(int, int, QNet&) override { return ""; }
  QuantWeights quantize(size_t, const torch::Tensor& w) override {
    return uniform_codes(w, {}, 127, {});
  }
  net::Weights encode(size_t, const net::WeightMatrix& codes) const override {
    return net::encode_dense8(codes);
  }
};

}  // namespace

std::unique_ptr<Method> make_dense8(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<Dense8>(spec);
}

}  // namespace trine::train
