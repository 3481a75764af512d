// The fast array model: each tile's timing in closed form and its sums as direct dot products,
// without stepping cycles.
#include <algorithm>
#include <climits>
#include <cstdint>

#include "models/array/array.hpp"

namespace trine::models::array {

namespace {

class Fast : public Model {
 public:
  explicit Fast(const Shape& s) : Model(s) {}
  const char* name() const override { return "fast"; }

  TileResult run(const Tile& t) override {
    check(t);
    TileResult r;
    r.timing = pipeline_.place(t, load_cycles(t), compute_cycles(shape_, t));
    const int64_t R = t.rows_used, C = t.cols_used, L = t.lanes;
    r.sums.assign(static_cast<size_t>(t.vectors * C), 0);
    // A tile's sum is at most rows x 127 x (2^16 - 1) in magnitude: int32 never overflows for
    // up to 258 rows, and int32 lanes vectorize twice as wide.
    const bool narrow = R * 127 * ((int64_t{1} << shape_.act_bits) - 1) < INT32_MAX;
    std::vector<int32_t> acc32(narrow ? static_cast<size_t>(C) : 0);
    for (int64_t n = 0; n < t.vectors; ++n) {
      int64_t* out = r.sums.data() + n * C;
      const uint32_t* x = t.acts.data() + n * R * L;
      if (narrow && t.select.empty()) {
        std::fill(acc32.begin(), acc32.end(), 0);
        for (int64_t i = 0; i < R; ++i) {
          const int32_t a = static_cast<int32_t>(x[i]);
          if (a == 0) continue;
          const int8_t* w = t.weights.data() + i * C;
          for (int64_t j = 0; j < C; ++j) acc32[j] += w[j] * a;
        }
        for (int64_t j = 0; j < C; ++j) out[j] = acc32[j];
        continue;
      }
      for (int64_t i = 0; i < R; ++i) {
        const int8_t* w = t.weights.data() + i * C;
        if (t.select.empty()) {
          const int64_t a = x[i * L];
          if (a == 0) continue;
          for (int64_t j = 0; j < C; ++j) out[j] += w[j] * a;
        } else {
          const uint8_t* sel = t.select.data() + i * C;
          for (int64_t j = 0; j < C; ++j) out[j] += w[j] * static_cast<int64_t>(x[i * L + sel[j]]);
        }
      }
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Model> make_fast_model(const Shape& shape) {
  return std::make_unique<Fast>(shape);
}

}  // namespace trine::models::array
