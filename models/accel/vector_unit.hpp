#pragma once
// The vector (post-processing) unit's arithmetic: the values of the layers that run beside
// the array, computed as its lanes do (one output element per lane), independently of the
// reference model's code so that the controller's comparison checks something. Each writes
// `out` (its storage reused) with type `type`.
#include <vector>

#include "sim/net/network.hpp"
#include "sim/ref/reference.hpp"

namespace trine::models::accel {

// Max or average pooling: each cycle every lane takes the same window element.
void pool(const net::Layer& layer, const ref::Tensor& in, const net::TensorType& type,
          ref::Tensor& out);
inline ref::Tensor pool(const net::Layer& layer, const ref::Tensor& in,
                        const net::TensorType& type) {
  ref::Tensor out;
  pool(layer, in, type, out);
  return out;
}
// Add: each input's element rescaled, (x * multiplier + round) >> shift, summed in an adder
// wide enough for every term (terms stay below 2^62; 128 bits), then saturated.
void add(const net::Layer& layer, const std::vector<const ref::Tensor*>& ins,
         const net::TensorType& type, ref::Tensor& out);
// Concat: the inputs' values one after another (channel-major tensors: along channels).
void concat(const std::vector<const ref::Tensor*>& ins, const net::TensorType& type,
            ref::Tensor& out);
// Shift: each output element reads its channel's offset position, zero outside the image.
void shift(const net::Layer& layer, const ref::Tensor& in, const net::TensorType& type,
           ref::Tensor& out);
// Global average pooling: a lane per channel sums its plane, then rounds as average pooling.
void global_average(const ref::Tensor& in, const net::TensorType& type, ref::Tensor& out);

}  // namespace trine::models::accel
