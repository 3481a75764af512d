#pragma once
// How much memory a network's weights take, per layer and in total, and how that compares with
// fp32, 1-bit binary and 2-bit dense ternary storage of the same weights. Shared by
// `trine inspect`, the trainer's summary and the reports, so the figures agree everywhere.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/net/network.hpp"

namespace trine::net {

struct LayerFootprint {
  size_t layer = 0;  // index in Network::layers
  std::string name;
  WeightForm form = WeightForm::Dense8;
  int64_t rows = 0, cols = 0, weights = 0, nonzeros = 0;
  int64_t weight_bits = 0;  // Weights::storage_bits()
  // Column combining: reduction columns before and after packing, and the packed matrix's
  // nonzero density (0 for other forms).
  int64_t columns_before = 0, columns_after = 0;
  double packed_density = 0;
  double sparsity() const { return weights ? 1.0 - static_cast<double>(nonzeros) / weights : 0; }
  double bits_per_weight() const {
    return weights ? static_cast<double>(weight_bits) / weights : 0;
  }
};

struct Footprint {
  std::vector<LayerFootprint> layers;  // compute layers only
  int64_t weights = 0, nonzeros = 0;
  int64_t weight_bits = 0;  // weight memory: codes, indices, pointers
  int64_t table_bits = 0;   // decoder tables, each distinct table once
  int64_t tables = 0;
  int64_t bias_bits = 0;  // 32-bit biases and requantization multipliers, reported apart
  double sparsity() const { return weights ? 1.0 - static_cast<double>(nonzeros) / weights : 0; }
  double bits_per_weight() const {
    return weights ? static_cast<double>(weight_bits) / weights : 0;
  }
  // Weight memory plus decoder tables, in bytes.
  int64_t model_bytes() const { return (weight_bits + table_bits + 7) / 8; }
  double ratio(double bits_per_weight_of_other) const {
    const double bits = static_cast<double>(weight_bits + table_bits);
    return bits > 0 ? bits_per_weight_of_other * weights / bits : 0;
  }
};

Footprint footprint(const Network& n);

}  // namespace trine::net

namespace trine::net {
// Multiply-accumulates of one inference with dense arithmetic: every compute layer's weights
// (zeros included) times its output positions.
int64_t macs(const Network& n);
}  // namespace trine::net
