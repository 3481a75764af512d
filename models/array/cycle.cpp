// The cycle model, the reference: registers of every cell stepped once per cycle. Weights
// shift down a chain of shadow registers as the decoder delivers them; activation bits move
// right and partial sums down; each column's accumulator adds bit-plane b shifted left by b.
// Timing is whatever the stepping takes; array.hpp states what it must come to.
#include <stdexcept>

#include "models/array/array.hpp"
#include "models/array/vcd.hpp"

namespace trine::models::array {

namespace {

struct ActReg {
  bool valid = false;
  int64_t vector = 0;
  int bit = 0;
  uint64_t lanes = 0;  // this bit of every lane the row carries
};

struct SumReg {
  bool valid = false;
  int64_t vector = 0;
  int bit = 0;
  int64_t value = 0;
};

class Cycle : public Model {
 public:
  explicit Cycle(const Shape& s) : Model(s) {}
  const char* name() const override { return "cycle"; }

  void run(const Tile& t, TileResult& r) override {
    check(t);
    const int64_t load = step_load(t);
    const int64_t compute = step_compute(t, r.sums);
    r.timing = pipeline_.place(t, load, compute);
    if (vcd_) {  // the phases ran from local cycle 0: place them in time
      for (const Local& c : loads_) vcd_->change(r.timing.load_start + c.cycle, c.signal, c.value);
      for (const Local& c : computes_)
        vcd_->change(r.timing.compute_start + c.cycle, c.signal, c.value);
      vcd_->change(r.timing.compute_start, sig_tile_, tiles_);
      loads_.clear(), computes_.clear();
    }
    ++tiles_;
  }

  bool trace_signals(Vcd* vcd) override {
    vcd_ = vcd;
    sig_tile_ = vcd->add("array", "computing_tile", 32);
    sig_loading_ = vcd->add("array.load", "loading", 1);
    sig_load_row_ = vcd->add("array.load", "shifted_row", 16);
    for (int64_t i = 0; i < shape_.rows; ++i)
      sig_act_.push_back(vcd->add("array.rows", "act_bits_in_" + std::to_string(i), 64));
    for (int64_t j = 0; j < shape_.cols; ++j) {
      sig_psum_.push_back(vcd->add("array.columns", "psum_out_" + std::to_string(j), 64));
      sig_acc_.push_back(vcd->add("array.columns", "accumulator_" + std::to_string(j), 64));
    }
    return true;
  }

 private:
  struct Local {
    int64_t cycle;
    int signal;
    int64_t value;
  };
  // Shifts rows of weights into the shadow chain, the row for array row rows_used - 1 first.
  // The decoder has delivered floor(c * rows_used / decode_cycles) rows after c cycles.
  int64_t step_load(const Tile& t) {
    const int64_t R = t.rows_used, C = t.cols_used;
    shadow_.assign(static_cast<size_t>(R), std::vector<int8_t>(static_cast<size_t>(C), 0));
    shadow_sel_.assign(static_cast<size_t>(R), std::vector<uint8_t>(static_cast<size_t>(C), 0));
    int64_t shifted = 0, cycle = 0;
    for (; shifted < R; ++cycle) {
      const int64_t delivered =
          t.decode_cycles == 0 ? R : std::min(R, (cycle + 1) * R / t.decode_cycles);
      if (shifted >= delivered) continue;
      for (int64_t i = R - 1; i > 0; --i)
        shadow_[i] = shadow_[i - 1], shadow_sel_[i] = shadow_sel_[i - 1];
      const int64_t row = R - 1 - shifted;
      if (vcd_) {
        loads_.push_back({cycle, sig_loading_, 1});
        loads_.push_back({cycle, sig_load_row_, row});
        loads_.push_back({cycle + 1, sig_loading_, 0});
      }
      for (int64_t j = 0; j < C; ++j) {
        shadow_[0][j] = t.weights[row * C + j];
        shadow_sel_[0][j] = t.select.empty() ? 0 : t.select[row * C + j];
      }
      ++shifted;
    }
    return cycle;
  }

  int64_t step_compute(const Tile& t, std::vector<int64_t>& sums) {
    const int64_t R = shape_.rows, C = t.cols_used, B = shape_.act_bits;
    const int64_t used = t.rows_used, L = t.lanes;
    std::vector<ActReg> act(static_cast<size_t>(R * C)), act_next(act.size());
    std::vector<SumReg> sum(static_cast<size_t>(R * C)), sum_next(sum.size());
    std::vector<int64_t> acc(static_cast<size_t>(C), 0);
    std::vector<int64_t> done(static_cast<size_t>(C), 0);  // outputs finished per column
    sums.assign(static_cast<size_t>(t.vectors * C), 0);
    int64_t finished = 0, cycle = 0;
    const int64_t total = t.vectors * C;
    for (; finished < total; ++cycle) {
      // Bottom accumulators take what the last row produced in the previous cycle.
      for (int64_t j = 0; j < C; ++j) {
        const SumReg& s = sum[(R - 1) * C + j];
        if (!s.valid) continue;
        acc[j] += s.value * (int64_t{1} << s.bit);
        if (s.bit == B - 1) {
          if (s.vector != done[j]) throw std::logic_error("cycle model: outputs out of order");
          sums[j * t.vectors + s.vector] = acc[j];
          acc[j] = 0;
          ++done[j];
          ++finished;
        }
      }
      // Every cell at once, from the registers of the previous cycle.
      for (int64_t i = 0; i < R; ++i)
        for (int64_t j = 0; j < C; ++j) {
          ActReg& a = act_next[i * C + j];
          if (j > 0) {
            a = act[i * C + j - 1];
          } else {
            a = ActReg{};
            const int64_t k = cycle - i;  // the skew: row i starts i cycles late
            if (i < used && k >= 0 && k / B < t.vectors) {
              a.valid = true;
              a.vector = k / B;
              a.bit = static_cast<int>(k % B);
              const uint32_t* x = t.acts.data() + i * L * t.vectors + a.vector;
              for (int64_t s = 0; s < L; ++s)
                a.lanes |= uint64_t{(x[s * t.vectors] >> a.bit) & 1u} << s;
            }
          }
          SumReg& p = sum_next[i * C + j];
          p = i > 0 ? sum[(i - 1) * C + j] : SumReg{a.valid, a.vector, a.bit, 0};
          if (i < used && a.valid && ((a.lanes >> shadow_sel_[i][j]) & 1)) p.value += shadow_[i][j];
        }
      act.swap(act_next);
      sum.swap(sum_next);
      if (vcd_) {
        for (int64_t i = 0; i < R; ++i) {
          const ActReg& a = act[i * C];
          computes_.push_back({cycle, sig_act_[i], a.valid ? static_cast<int64_t>(a.lanes) : 0});
        }
        for (int64_t j = 0; j < C; ++j) {
          const SumReg& s = sum[(R - 1) * C + j];
          computes_.push_back({cycle, sig_psum_[j], s.valid ? s.value : 0});
          computes_.push_back({cycle, sig_acc_[j], acc[j]});
        }
      }
    }
    return cycle;
  }

  std::vector<std::vector<int8_t>> shadow_;  // weights by array row, after the load
  std::vector<std::vector<uint8_t>> shadow_sel_;
  // Signal tracing (trace_signals): changes of the current tile in local cycles.
  Vcd* vcd_ = nullptr;
  int sig_tile_ = 0, sig_loading_ = 0, sig_load_row_ = 0;
  std::vector<int> sig_act_, sig_psum_, sig_acc_;
  std::vector<Local> loads_, computes_;
  int64_t tiles_ = 0;
};

}  // namespace

std::unique_ptr<Model> make_cycle_model(const Shape& shape) {
  return std::make_unique<Cycle>(shape);
}

}  // namespace trine::models::array
