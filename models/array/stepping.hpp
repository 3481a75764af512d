#pragma once
// What the cycle-stepped models of the dataflows share: the registers that move through the
// cells, the column accumulators that turn digit-planes into sums, and the recording of signals
// in tile-local cycles (placed in time once the tile's timing is known).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/array/array.hpp"
#include "models/array/vcd.hpp"

namespace trine::models::array {

// A value in flight: the index of what it belongs to along the streamed dimension, and which of
// its steps (digits) this cycle carries.
struct Digit {
  bool valid = false;
  int64_t index = 0;
  int step = 0;
  // Unused: it makes the register 32 bytes. The stepping loops copy registers cell to cell
  // every cycle, and with g++ 12 -O2 a 24-byte register made the cycle models about four times
  // slower (bench_run: LeNet-5 10 ms per inference against 38; alignas(32) did not help).
  int64_t spare = 0;
};

struct PartialSum {
  bool valid = false;
  int64_t index = 0;
  int step = 0;
  int64_t value = 0;
};

// What a row or column injects at local cycle `q` (its skew already taken off): `count` values
// of `steps` cycles each, back to back.
inline Digit injected(int64_t q, int64_t count, int64_t steps) {
  if (q < 0 || q >= count * steps) return {};
  return {true, q / steps, static_cast<int>(q % steps)};
}

// Of `total` items the decoder delivers in `decode_cycles`, how many it has after cycle `c`.
inline int64_t delivered(int64_t c, int64_t total, int64_t decode_cycles) {
  return decode_cycles == 0 ? total : std::min(total, (c + 1) * total / decode_cycles);
}

// The accumulators below the columns: each adds the digit-planes of one output, in order, and
// stores the finished sum at column x column_stride + index x index_stride.
class ColumnAccumulators {
 public:
  ColumnAccumulators(int64_t columns, int64_t count, int64_t steps, int64_t digit_bits,
                     int64_t column_stride, int64_t index_stride)
      : acc_(static_cast<size_t>(columns), 0),
        next_(static_cast<size_t>(columns), 0),
        total_(columns * count),
        steps_(steps),
        digit_bits_(digit_bits),
        column_stride_(column_stride),
        index_stride_(index_stride) {}
  void take(int64_t j, const PartialSum& s, std::vector<int64_t>& sums) {
    if (!s.valid) return;
    acc_[j] += s.value * (int64_t{1} << (s.step * digit_bits_));
    if (s.step != steps_ - 1) return;
    if (s.index != next_[j]) throw std::logic_error("cycle model: outputs out of order");
    sums[static_cast<size_t>(j * column_stride_ + s.index * index_stride_)] = acc_[j];
    acc_[j] = 0;
    ++next_[j];
    ++finished_;
  }
  bool done() const { return finished_ == total_; }
  int64_t acc(int64_t j) const { return acc_[j]; }

 private:
  std::vector<int64_t> acc_, next_;
  int64_t total_, finished_ = 0, steps_, digit_bits_, column_stride_, index_stride_;
};

// A model's signals, recorded in tile-local cycles of its two phases and placed in time when
// the tile's timing is known (consecutive tiles overlap: the next loads while this computes).
class StepTrace {
 public:
  void open(Vcd* vcd) {
    vcd_ = vcd;
    tile_ = vcd->add("array", "computing_tile", 32);
    loading_ = vcd->add("array.load", "loading", 1);
    load_row_ = vcd->add("array.load", "shifted_row", 16);
  }
  bool on() const { return vcd_ != nullptr; }
  // `count` signals "PREFIX0".. in `scope`; returns the first handle (the rest follow).
  int signals(const std::string& scope, const std::string& prefix, int64_t count) {
    int first = -1;
    for (int64_t i = 0; i < count; ++i) {
      const int s = vcd_->add(scope, prefix + std::to_string(i), 64);
      if (first < 0) first = s;
    }
    return first;
  }
  void load_row(int64_t cycle, int64_t row) {
    if (!vcd_) return;
    loads_.push_back({cycle, loading_, 1});
    loads_.push_back({cycle, load_row_, row});
    loads_.push_back({cycle + 1, loading_, 0});
  }
  void compute(int64_t cycle, int signal, int64_t value) {
    if (vcd_) computes_.push_back({cycle, signal, value});
  }
  void place(const TileTiming& timing) {
    if (!vcd_) return;
    for (const Local& c : loads_) vcd_->change(timing.load_start + c.cycle, c.signal, c.value);
    for (const Local& c : computes_)
      vcd_->change(timing.compute_start + c.cycle, c.signal, c.value);
    vcd_->change(timing.compute_start, tile_, tiles_++);
    loads_.clear(), computes_.clear();
  }

 private:
  struct Local {
    int64_t cycle;
    int signal;
    int64_t value;
  };
  Vcd* vcd_ = nullptr;
  int tile_ = 0, loading_ = 0, load_row_ = 0;
  int64_t tiles_ = 0;
  std::vector<Local> loads_, computes_;
};

// The compute phase that ws and is share: `count` values stream along each of the first `used`
// rows (row i skewed by i cycles, `steps` cycles each), every cell adds product(cell, digit)
// to the partial sum from above, and the accumulators under the `columns` columns of the
// physical array's `rows` finish one output per streamed value (in `columns`' order). Returns
// the cycles until the last output; `issued` is set to the cycle after the last value entered.
// `record(cycle, streamed, sums)` sees the registers after every cycle (for the VCD).
template <class Product, class Record>
int64_t step_row_streams(int64_t rows, int64_t columns, int64_t used, int64_t count, int64_t steps,
                         ColumnAccumulators& accumulators, std::vector<int64_t>& sums,
                         int64_t& issued, Product product, Record record) {
  const int64_t R = rows, C = columns;
  std::vector<Digit> streamed(static_cast<size_t>(R * C)), streamed_next(streamed.size());
  std::vector<PartialSum> sum(static_cast<size_t>(R * C)), sum_next(sum.size());
  int64_t cycle = 0;
  for (; !accumulators.done(); ++cycle) {
    // Bottom accumulators take what the last row produced in the previous cycle.
    for (int64_t j = 0; j < C; ++j) accumulators.take(j, sum[(R - 1) * C + j], sums);
    // Every cell at once, from the registers of the previous cycle.
    for (int64_t i = 0; i < R; ++i)
      for (int64_t j = 0; j < C; ++j) {
        const size_t cell = static_cast<size_t>(i * C + j);
        Digit& d = streamed_next[cell];
        d = j > 0 ? streamed[cell - 1] : injected(cycle - i, i < used ? count : 0, steps);
        if (cell == 0 && d.valid) issued = cycle + 1;
        PartialSum& p = sum_next[cell];
        p = i > 0 ? sum[cell - static_cast<size_t>(C)] : PartialSum{d.valid, d.index, d.step, 0};
        if (i < used && d.valid) p.value += product(cell, i, d);
      }
    streamed.swap(streamed_next);
    sum.swap(sum_next);
    record(cycle, streamed, sum);
  }
  return cycle;
}

// The digits a row's lanes carry in one cycle, packed lane by lane while they fit 64 bits (for
// the VCD): the row of `streams` (lanes x count values each) for `d`.
inline int64_t packed_digits(const uint32_t* streams, int64_t lanes, int64_t count, const Digit& d,
                             const Shape& s) {
  if (!d.valid) return 0;
  const int bits = s.digit_bits();
  const int64_t shown = std::max<int64_t>(1, std::min<int64_t>(lanes, 64 / bits));
  uint64_t packed = 0;
  for (int64_t lane = 0; lane < shown; ++lane)
    packed |= static_cast<uint64_t>(digit(streams[lane * count + d.index], d.step, bits))
              << (lane * bits);
  return static_cast<int64_t>(packed);
}

}  // namespace trine::models::array
