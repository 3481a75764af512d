// Output-stationary (os): each cell keeps one output's sum (output m on array row m, vector n
// on column n) in its own accumulator. Each row's weights (one output's, reduction row after
// reduction row) stream in from the left and each column's activations from the top, both
// skewed one cycle per row or column, so that the matching pair meets in every cell; when the
// reduction is done the sums drain down the columns, one row per cycle, out of the bottom.
// Rows bound the outputs and columns the vectors; the reduction is the streamed dimension (the
// weight buffer bounds it). Column combining works: the streamed weight carries its lane select
// and the column carries the group's activations.
//
// Its cycle model fills the rows' weight queues at the decoder's rate, then steps every cell.
#include <algorithm>
#include <stdexcept>

#include "models/array/array.hpp"
#include "models/array/stepping.hpp"
#include "models/array/vcd.hpp"

namespace trine::models::array {

namespace {

class OsCycle : public Model {
 public:
  explicit OsCycle(const Shape& s) : Model(s) {}
  const char* name() const override { return "cycle"; }

  void run(const Tile& t, TileResult& r) override {
    check(t);
    const int64_t load = step_load(t);
    const int64_t macs = step_macs(t, acc_);
    const int64_t drain = step_drain(t, acc_, macs, r.sums);
    // Overlapped, the next tile's pairs follow this one's into the cells (their accumulators
    // are double-buffered by the drain chain), once the chain has drained this tile's sums.
    r.timing = pipeline_.place(t, {load, macs + drain, std::max(issued_, drain)}, false,
                               shape_.overlap == Overlap::Pipelined);
    trace_.place(r.timing);
  }

  bool trace_signals(Vcd* vcd) override {
    trace_.open(vcd);
    sig_weight_ = trace_.signals("array.rows", "weight_in_", shape_.rows);
    sig_act_ = trace_.signals("array.columns", "act_digits_in_", shape_.cols);
    sig_out_ = trace_.signals("array.columns", "drain_out_", shape_.cols);
    return true;
  }

 private:
  // The decoder fills the row queues; nothing moves into the cells before the compute.
  int64_t step_load(const Tile& t) {
    const int64_t total = t.reduction * t.outputs;
    if (t.decode_cycles == 0) return 0;
    int64_t cycle = 0;
    while (delivered(cycle, total, t.decode_cycles) < total) ++cycle;
    return cycle + 1;
  }

  // Every cell multiplies the weight from its left by the activation digit from above; returns
  // the cycles until the last cell has taken its last pair.
  int64_t step_macs(const Tile& t, std::vector<int64_t>& acc) {
    const int64_t M = t.outputs, C = t.vectors, K = t.reduction, L = t.lanes;
    const int64_t S = shape_.steps(), D = shape_.digit_bits();
    std::vector<Digit> w(static_cast<size_t>(M * C)), w_next(w.size());
    std::vector<Digit> a(w.size()), a_next(w.size());
    acc.assign(w.size(), 0);
    const int64_t total = M * C * K * S;
    int64_t done = 0, cycle = 0;
    for (; done < total; ++cycle) {
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < C; ++j) {
          const size_t cell = static_cast<size_t>(i * C + j);
          w_next[cell] = j > 0 ? w[cell - 1] : injected(cycle - i, K, S);
          if (cell == 0 && w_next[cell].valid) issued_ = cycle + 1;  // the last pair is in
          a_next[cell] = i > 0 ? a[cell - C] : injected(cycle - j, K, S);
          const Digit& wd = w_next[cell];
          const Digit& ad = a_next[cell];
          if (!wd.valid || !ad.valid) continue;
          if (wd.index != ad.index || wd.step != ad.step)
            throw std::logic_error("cycle model: os operands out of step");
          const size_t at = static_cast<size_t>(wd.index * M + i);
          const int64_t lane = t.select.empty() ? 0 : t.select[at];
          const uint32_t x = t.acts[(wd.index * L + lane) * C + j];
          acc[cell] += t.weights[at] * digit(x, ad.step, static_cast<int>(D)) *
                       (int64_t{1} << (ad.step * D));
          ++done;
        }
      w.swap(w_next);
      a.swap(a_next);
      if (trace_.on()) record(t, cycle, w, a);
    }
    return cycle;
  }

  // The accumulators shift down their column, one row per cycle; the bottom row leaves.
  int64_t step_drain(const Tile& t, const std::vector<int64_t>& acc, int64_t start,
                     std::vector<int64_t>& sums) {
    const int64_t R = shape_.rows, M = t.outputs, C = t.vectors;
    std::vector<int64_t> chain(static_cast<size_t>(R * C), 0), row_of(chain.size(), -1);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < C; ++j) chain[i * C + j] = acc[i * C + j], row_of[i * C + j] = i;
    sums.assign(static_cast<size_t>(M * C), 0);
    int64_t left = M * C, cycle = 0;
    for (; left > 0; ++cycle) {
      for (int64_t j = 0; j < C; ++j) {
        const size_t bottom = static_cast<size_t>((R - 1) * C + j);
        trace_.compute(start + cycle, sig_out_ + static_cast<int>(j),
                       row_of[bottom] >= 0 ? chain[bottom] : 0);
        if (row_of[bottom] < 0) continue;
        sums[static_cast<size_t>(row_of[bottom] * C + j)] = chain[bottom];
        --left;
      }
      std::copy_backward(chain.begin(), chain.end() - C, chain.end());
      std::copy_backward(row_of.begin(), row_of.end() - C, row_of.end());
      std::fill(row_of.begin(), row_of.begin() + C, -1);
    }
    return cycle;
  }

  void record(const Tile& t, int64_t cycle, const std::vector<Digit>& w,
              const std::vector<Digit>& a) {
    const int64_t C = t.vectors;
    for (int64_t i = 0; i < t.outputs; ++i) {
      const Digit& d = w[i * C];
      trace_.compute(cycle, sig_weight_ + static_cast<int>(i),
                     d.valid ? t.weights[d.index * t.outputs + i] : 0);
    }
    for (int64_t j = 0; j < C; ++j) {
      const Digit& d = a[j];
      trace_.compute(cycle, sig_act_ + static_cast<int>(j),
                     d.valid ? packed_digits(t.acts.data() + d.index * t.lanes * C + j, t.lanes, C,
                                             Digit{true, 0, d.step}, shape_)
                             : 0);
    }
  }

  int64_t issued_ = 0;        // the current tile's streamed pairs were in after it
  std::vector<int64_t> acc_;  // the cells' accumulators
  StepTrace trace_;
  int sig_weight_ = 0, sig_act_ = 0, sig_out_ = 0;
};

class Os : public Mapping {
 public:
  Dataflow kind() const override { return Dataflow::OutputStationary; }
  TileBounds bounds(const Shape& s) const override { return {s.rows, 0, s.cols}; }
  const char* lanes_error() const override { return nullptr; }
  int64_t load_cycles(const Shape&, const Tile& t) const override { return t.decode_cycles; }
  int64_t chain_cycles(const Tile&) const override { return 0; }
  int64_t compute_cycles(const Shape& s, const Tile& t) const override {
    return t.reduction * s.steps() + (t.outputs - 1) + (t.vectors - 1) + s.rows;
  }
  int64_t issue_cycles(const Shape& s, const Tile& t) const override {
    return std::max(t.reduction * s.steps(), s.rows);
  }
  bool inputs_at_load() const override { return false; }
  TileEvents events(const Shape& s, const Tile& t) const override {
    TileEvents e;
    e.accumulator_updates = t.outputs * t.vectors * t.reduction * s.steps();
    return e;
  }
  std::unique_ptr<Model> cycle_model(const Shape& s) const override {
    return std::make_unique<OsCycle>(s);
  }
};

}  // namespace

const Mapping& os_mapping() {
  static const Os os;
  return os;
}

}  // namespace trine::models::array
