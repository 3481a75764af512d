#include "sim/net/footprint.hpp"

#include <algorithm>

namespace trine::net {

Footprint footprint(const Network& n) {
  Footprint f;
  std::vector<const std::vector<int8_t>*> tables;
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const Layer& l = n.layers[i];
    if (!l.is_compute()) continue;
    const Weights& w = l.weights;
    LayerFootprint lf;
    lf.layer = i;
    lf.name = l.name;
    lf.form = w.form;
    lf.rows = w.rows;
    lf.cols = w.cols;
    lf.weights = w.rows * w.cols;
    lf.nonzeros = w.nonzeros();
    lf.weight_bits = w.storage_bits();
    if (w.form == WeightForm::ColComb) {
      lf.columns_before = w.cols;
      lf.columns_after = static_cast<int64_t>(w.colcomb.groups.size());
      const int64_t cells = w.rows * lf.columns_after;
      lf.packed_density = cells ? static_cast<double>(lf.nonzeros) / cells : 0;
    }
    f.weights += lf.weights;
    f.nonzeros += lf.nonzeros;
    f.weight_bits += lf.weight_bits;
    f.bias_bits += 32 * static_cast<int64_t>(l.bias.size() + l.requant.multipliers.size());
    if (w.table_bits() > 0 && std::none_of(tables.begin(), tables.end(),
                                           [&](const auto* t) { return *t == w.nk.table; })) {
      tables.push_back(&w.nk.table);
      f.table_bits += w.table_bits();
    }
    f.layers.push_back(lf);
  }
  f.tables = static_cast<int64_t>(tables.size());
  return f;
}

}  // namespace trine::net

namespace trine::net {
int64_t macs(const Network& n) {
  const std::vector<TensorType> types = layer_types(n, n.name);
  int64_t total = 0;
  for (size_t i = 0; i < n.layers.size(); ++i)
    if (n.layers[i].is_compute())
      total +=
          n.layers[i].weights.rows * n.layers[i].weights.cols * types[i].height * types[i].width;
  return total;
}
}  // namespace trine::net
