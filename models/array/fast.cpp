// The fast array model: each tile's timing in closed form and its sums as direct dot products,
// without stepping cycles. The timing is the dataflow's (Mapping); the sums do not depend on it:
// every nonzero weight adds its row's activation stream, scaled, into its output's stream (zero
// weights cost nothing; the inner loop runs over vectors and vectorizes).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <tuple>

#include "models/array/array.hpp"
#include "sim/util/kernels.hpp"

namespace trine::models::array {

namespace {

class Fast : public Model {
 public:
  explicit Fast(const Shape& s) : Model(s) {}
  const char* name() const override { return "fast"; }

  void run(const Tile& t, TileResult& r) override {
    check(t);
    r.timing = mapping_.place(pipeline_, shape_, t);
    // A column's sum is at most rows x 128 x (2^16 - 1) in magnitude: int32 holds it for up to
    // 256 rows, and int32 lanes are twice as many.
    const bool narrow = t.reduction * 128 * ((int64_t{1} << shape_.act_bits) - 1) <= INT32_MAX;
    if (narrow)
      accumulate<int32_t>(t, r.sums);
    else
      accumulate<int64_t>(t, r.sums);
  }

 private:
  template <class Acc>
  void accumulate(const Tile& t, std::vector<int64_t>& sums) {
    const int64_t R = t.reduction, C = t.outputs, L = t.lanes, V = t.vectors;
    std::vector<Acc>& acc = std::get<std::vector<Acc>>(scratch_);
    acc.assign(static_cast<size_t>(C * V), Acc{0});
    if (V == 1) {  // one vector (dense layers, one image): the loop over columns vectorizes
      if (t.select.empty()) {
        kernels::add_rows<Acc>(acc.data(), t.weights.data(), t.acts.data(), L, R, C);
      } else if (!t.lane_rows.empty()) {  // the lane rows that hold a weight, each on its own
        kernels::add_listed_rows<Acc>(acc.data(), t.lane_weights.data(), t.acts.data(),
                                      t.lane_rows.data(), static_cast<int64_t>(t.lane_rows.size()),
                                      C);
      } else if (!t.lane_weights.empty()) {  // every (row, lane) as a row of its own
        kernels::add_rows<Acc>(acc.data(), t.lane_weights.data(), t.acts.data(), 1, R * L, C);
      } else {
        kernels::add_rows_selected<Acc>(acc.data(), t.weights.data(), t.select.data(),
                                        t.acts.data(), L, R, C);
      }
      to_sums(acc, sums);
      return;
    }
    for (int64_t i = 0; i < R; ++i)
      for (int64_t j = 0; j < C; ++j) {
        const Acc w = t.weights[static_cast<size_t>(i * C + j)];
        if (w == 0) continue;
        const int64_t lane = t.select.empty() ? 0 : t.select[static_cast<size_t>(i * C + j)];
        kernels::add_scaled<Acc, uint32_t>(acc.data() + j * V, t.acts.data() + (i * L + lane) * V,
                                           w, V);
      }
    to_sums(acc, sums);
  }

  static void to_sums(const std::vector<int32_t>& acc, std::vector<int64_t>& sums) {
    // (Not resize() and a copy: growing zeroes what is then overwritten, and the first tile
    // of a layer is often larger than the short last tile before it.)
    sums.assign(acc.begin(), acc.end());
  }
  static void to_sums(const std::vector<int64_t>& acc, std::vector<int64_t>& sums) { sums = acc; }

  // The column sums being accumulated, of either width (storage reused across tiles).
  std::tuple<std::vector<int32_t>, std::vector<int64_t>> scratch_;
};

}  // namespace

std::unique_ptr<Model> make_fast_model(const Shape& shape) {
  return std::make_unique<Fast>(shape);
}

}  // namespace trine::models::array
