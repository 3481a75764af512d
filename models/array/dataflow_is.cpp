// Input-stationary (is): a tile's activations sit in the cells (reduction row k on array row k,
// vector n on column n); the weights of each output stream in time along the rows, skewed one
// cycle per row, and partial sums flow down each column into its accumulator, which finishes one
// output of its vector after another. Rows bound the reduction and columns the vectors; the
// outputs are the streamed dimension (their partial sums bound it: the output buffer).
//
// Column combining is refused: its multiplexer picks one of the activations a row broadcasts,
// and here nothing but weights moves along a row; a combined row would need all of a group's
// activations held in every cell (lanes x act_bits registers), which is not the design.
//
// Its cycle model shifts activation rows into the shadow registers (one row per cycle, while
// the decoder fills the rows' weight queues), then steps every cell every cycle.
#include <algorithm>

#include "models/array/array.hpp"
#include "models/array/stepping.hpp"
#include "models/array/vcd.hpp"

namespace trine::models::array {

namespace {

class IsCycle : public Model {
 public:
  explicit IsCycle(const Shape& s) : Model(s) {}
  const char* name() const override { return "cycle"; }

  void run(const Tile& t, TileResult& r) override {
    check(t);
    const int64_t load = step_load(t);
    const int64_t compute = step_compute(t, r.sums);
    r.timing =
        pipeline_.place(t, {load, compute, issued_}, true, shape_.overlap == Overlap::Pipelined);
    trace_.place(r.timing);
  }

  bool trace_signals(Vcd* vcd) override {
    trace_.open(vcd);
    sig_weight_ = trace_.signals("array.rows", "weight_in_", shape_.rows);
    sig_psum_ = trace_.signals("array.columns", "psum_out_", shape_.cols);
    sig_acc_ = trace_.signals("array.columns", "accumulator_", shape_.cols);
    return true;
  }

 private:
  // Shifts rows of activations into the shadow chain (the row for array row reduction - 1
  // first), one per cycle; the load ends when they are in and the decoder is done.
  int64_t step_load(const Tile& t) {
    const int64_t R = t.reduction, C = t.vectors;
    shadow_.assign(static_cast<size_t>(R * C), 0);
    int64_t shifted = 0, cycle = 0;
    for (; shifted < R || cycle < t.decode_cycles; ++cycle) {
      if (shifted == R) continue;
      std::copy_backward(shadow_.begin(), shadow_.end() - C, shadow_.end());
      const int64_t row = R - 1 - shifted;
      trace_.load_row(cycle, row);
      std::copy(t.acts.begin() + row * C, t.acts.begin() + (row + 1) * C, shadow_.begin());
      ++shifted;
    }
    return cycle;
  }

  int64_t step_compute(const Tile& t, std::vector<int64_t>& sums) {
    const int64_t C = t.vectors, S = shape_.steps(), D = shape_.digit_bits(), M = t.outputs;
    ColumnAccumulators columns(C, M, S, D, 1, C);  // column j: vector j, output after output
    sums.assign(static_cast<size_t>(M * C), 0);
    // A cell multiplies the streamed weight by the digit of the activation it holds.
    const int8_t* weights = t.weights.data();  // (not Cells::operator[] per cell and cycle)
    const uint32_t* acts = shadow_.data();
    auto product = [=](size_t cell, int64_t row, const Digit& w) {
      return weights[row * M + w.index] * digit(acts[cell], w.step, static_cast<int>(D));
    };
    auto record_cycle = [&](int64_t cycle, const std::vector<Digit>& weight,
                            const std::vector<PartialSum>& sum) {
      if (trace_.on()) record(t, cycle, weight, sum, columns);
    };
    return step_row_streams(shape_.rows, C, t.reduction, M, S, columns, sums, issued_, product,
                            record_cycle);
  }

  void record(const Tile& t, int64_t cycle, const std::vector<Digit>& weight,
              const std::vector<PartialSum>& sum, const ColumnAccumulators& columns) {
    const int64_t R = shape_.rows, C = t.vectors;
    for (int64_t i = 0; i < R; ++i) {
      const Digit& w = weight[i * C];
      trace_.compute(cycle, sig_weight_ + static_cast<int>(i),
                     i < t.reduction && w.valid ? t.weights[i * t.outputs + w.index] : 0);
    }
    for (int64_t j = 0; j < C; ++j) {
      const PartialSum& s = sum[(R - 1) * C + j];
      trace_.compute(cycle, sig_psum_ + static_cast<int>(j), s.valid ? s.value : 0);
      trace_.compute(cycle, sig_acc_ + static_cast<int>(j), columns.acc(j));
    }
  }

  int64_t issued_ = 0;            // the current tile's streamed weights were in after it
  std::vector<uint32_t> shadow_;  // activations by array row and column, after the load
  StepTrace trace_;
  int sig_weight_ = 0, sig_psum_ = 0, sig_acc_ = 0;
};

class Is : public Mapping {
 public:
  Dataflow kind() const override { return Dataflow::InputStationary; }
  TileBounds bounds(const Shape& s) const override { return {0, s.rows, s.cols}; }
  const char* lanes_error() const override {
    return "column combining needs a dataflow whose rows broadcast activations (ws or os): an "
           "input-stationary cell holds one activation, not a group's";
  }
  int64_t load_cycles(const Shape&, const Tile& t) const override {
    return std::max(chain_cycles(t), t.decode_cycles);
  }
  int64_t chain_cycles(const Tile& t) const override { return t.reduction; }
  int64_t compute_cycles(const Shape& s, const Tile& t) const override {
    return t.outputs * s.steps() + (s.rows - 1) + (t.vectors - 1) + 1;
  }
  int64_t issue_cycles(const Shape& s, const Tile& t) const override {
    return t.outputs * s.steps();
  }
  bool inputs_at_load() const override { return true; }
  TileEvents events(const Shape& s, const Tile& t) const override {
    TileEvents e;
    e.activation_shift_hops = t.vectors * t.reduction * (t.reduction + 1) / 2;
    e.accumulator_updates = t.vectors * t.outputs * s.steps();
    return e;
  }
  std::unique_ptr<Model> cycle_model(const Shape& s) const override {
    return std::make_unique<IsCycle>(s);
  }
};

}  // namespace

const Mapping& is_mapping() {
  static const Is is;
  return is;
}

}  // namespace trine::models::array
