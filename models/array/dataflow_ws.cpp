// Weight-stationary (ws): a tile's weights sit in the cells (reduction row k on array row k,
// output m on column m); activation vectors stream in time along the rows, skewed one cycle per
// row, and partial sums flow down each column into its accumulator. The tile's extents: rows
// bound the reduction and columns the outputs; the vectors are the streamed dimension.
//
// Its cycle model, the reference: registers of every cell stepped once per cycle. Weights
// shift down a chain of shadow registers as the decoder delivers them; activation digits move
// right and partial sums down; each column's accumulator adds digit-plane s shifted left by
// s x digit_bits.
#include <algorithm>
#include <stdexcept>

#include "models/array/array.hpp"
#include "models/array/stepping.hpp"
#include "models/array/vcd.hpp"

namespace trine::models::array {

namespace {

class WsCycle : public Model {
 public:
  explicit WsCycle(const Shape& s) : Model(s) {}
  const char* name() const override { return "cycle"; }

  void run(const Tile& t, TileResult& r) override {
    check(t);
    const int64_t load = step_load(t);
    const int64_t compute = step_compute(t, r.sums);
    r.timing =
        pipeline_.place(t, {load, compute, issued_}, false, shape_.overlap == Overlap::Pipelined);
    trace_.place(r.timing);
  }

  bool trace_signals(Vcd* vcd) override {
    trace_.open(vcd);
    sig_act_ = trace_.signals("array.rows", "act_digits_in_", shape_.rows);
    sig_psum_ = trace_.signals("array.columns", "psum_out_", shape_.cols);
    sig_acc_ = trace_.signals("array.columns", "accumulator_", shape_.cols);
    return true;
  }

 private:
  // Shifts rows of weights into the shadow chain, the row for array row reduction - 1 first.
  // The decoder has delivered floor(c * reduction / decode_cycles) rows after c cycles.
  int64_t step_load(const Tile& t) {
    const int64_t R = t.reduction, C = t.outputs;
    shadow_.assign(static_cast<size_t>(R * C), 0);
    shadow_sel_.assign(static_cast<size_t>(R * C), 0);
    int64_t shifted = 0, cycle = 0;
    for (; shifted < R; ++cycle) {
      if (shifted >= delivered(cycle, R, t.decode_cycles)) continue;
      std::copy_backward(shadow_.begin(), shadow_.end() - C, shadow_.end());
      std::copy_backward(shadow_sel_.begin(), shadow_sel_.end() - C, shadow_sel_.end());
      const int64_t row = R - 1 - shifted;
      trace_.load_row(cycle, row);
      for (int64_t j = 0; j < C; ++j) {
        shadow_[j] = t.weights[row * C + j];
        shadow_sel_[j] = t.select.empty() ? 0 : t.select[row * C + j];
      }
      ++shifted;
    }
    return cycle;
  }

  int64_t step_compute(const Tile& t, std::vector<int64_t>& sums) {
    const int64_t C = t.outputs, S = shape_.steps(), D = shape_.digit_bits();
    const int64_t L = t.lanes, V = t.vectors;
    ColumnAccumulators columns(C, V, S, D, V, 1);  // column j: output j, vector after vector
    sums.assign(static_cast<size_t>(V * C), 0);
    // A cell multiplies its weight by the digit of the activation its lane select picks.
    const uint32_t* acts = t.acts.data();  // (not Cells::operator[] per cell and cycle)
    const int8_t* weights = shadow_.data();
    const uint8_t* select = shadow_sel_.data();
    auto product = [=](size_t cell, int64_t row, const Digit& a) {
      const uint32_t x = acts[(row * L + select[cell]) * V + a.index];
      return weights[cell] * digit(x, a.step, static_cast<int>(D));
    };
    auto record_cycle = [&](int64_t cycle, const std::vector<Digit>& act,
                            const std::vector<PartialSum>& sum) {
      if (trace_.on()) record(t, cycle, act, sum, columns);
    };
    return step_row_streams(shape_.rows, C, t.reduction, V, S, columns, sums, issued_, product,
                            record_cycle);
  }

  void record(const Tile& t, int64_t cycle, const std::vector<Digit>& act,
              const std::vector<PartialSum>& sum, const ColumnAccumulators& columns) {
    const int64_t R = shape_.rows, C = t.outputs;
    for (int64_t i = 0; i < R; ++i) {
      const bool used = i < t.reduction;
      const uint32_t* row = used ? t.acts.data() + i * t.lanes * t.vectors : nullptr;
      trace_.compute(cycle, sig_act_ + static_cast<int>(i),
                     used ? packed_digits(row, t.lanes, t.vectors, act[i * C], shape_) : 0);
    }
    for (int64_t j = 0; j < C; ++j) {
      const PartialSum& s = sum[(R - 1) * C + j];
      trace_.compute(cycle, sig_psum_ + static_cast<int>(j), s.valid ? s.value : 0);
      trace_.compute(cycle, sig_acc_ + static_cast<int>(j), columns.acc(j));
    }
  }

  int64_t issued_ = 0;          // the current tile's streamed values were in after it
  std::vector<int8_t> shadow_;  // weights by array row and column, after the load
  std::vector<uint8_t> shadow_sel_;
  StepTrace trace_;
  int sig_act_ = 0, sig_psum_ = 0, sig_acc_ = 0;
};

class Ws : public Mapping {
 public:
  Dataflow kind() const override { return Dataflow::WeightStationary; }
  TileBounds bounds(const Shape& s) const override { return {s.cols, s.rows, 0}; }
  const char* lanes_error() const override { return nullptr; }
  int64_t load_cycles(const Shape&, const Tile& t) const override {
    return std::max(chain_cycles(t), t.decode_cycles);
  }
  int64_t chain_cycles(const Tile& t) const override { return t.reduction; }
  int64_t compute_cycles(const Shape& s, const Tile& t) const override {
    return t.vectors * s.steps() + (s.rows - 1) + (t.outputs - 1) + 1;
  }
  int64_t issue_cycles(const Shape& s, const Tile& t) const override {
    return t.vectors * s.steps();
  }
  bool inputs_at_load() const override { return false; }
  TileEvents events(const Shape& s, const Tile& t) const override {
    TileEvents e;
    // Row k of the tile travels k + 1 rows down the chain.
    e.weight_shift_hops = t.outputs * t.reduction * (t.reduction + 1) / 2;
    e.accumulator_updates = t.outputs * t.vectors * s.steps();
    return e;
  }
  std::unique_ptr<Model> cycle_model(const Shape& s) const override {
    return std::make_unique<WsCycle>(s);
  }
};

}  // namespace

const Mapping& ws_mapping() {
  static const Ws ws;
  return ws;
}

}  // namespace trine::models::array
