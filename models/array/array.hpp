#pragma once
// The bit-serial weight-stationary systolic array: the contract that its two models share.
//
// An array of `rows` x `cols` cells. A tile puts a rows_used x cols_used block of weights in
// the cells (cell (i, j): array row i, output column j) and streams `vectors` activation
// vectors through them. Row i carries `lanes` activations per vector (1, or a column-combining
// group's channels: the cell uses the lane its `select` names). Activations enter bit-serially,
// least significant bit first, act_bits cycles per value, row i skewed by i cycles; they move
// one cell right per cycle and partial sums one cell down; each column's bottom accumulator
// shifts the bit-planes together into the exact sum of weight x activation over the tile's rows.
//
// Timing of one tile, in accelerator cycles (both models must give the same numbers):
// - load: the decoder delivers the tile's weights in `decode_cycles`, and the shift chain moves
//   one row of weights per cycle into shadow registers: max(rows_used, decode_cycles) cycles.
//   It starts when the weights are in the weight buffer (`weights_ready`), the previous load has
//   ended and the previous tile has moved its weights out of the shadow registers (its
//   compute start).
// - compute: starts when the load has ended, the activations are ready (`inputs_ready`) and the
//   previous tile has drained; it lasts vectors x act_bits cycles of injection plus the skew
//   and drain of the physical array: rows - 1 + cols_used - 1, plus one for the accumulator.
//
// Contract for implementations: given the same shape and tile sequence, run() returns the same
// timing and sums; sums are exact (64-bit) and do not depend on the model.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace trine::models::array {

class Vcd;

struct Shape {
  int64_t rows = 0, cols = 0;
  int act_bits = 8;
};

// Per-cell values (or activation streams) of a tile: its own, or a view of storage the
// producer keeps unchanged while the tile runs (a weight block decoded once streams into a
// tile at every inference, and a dense layer's input feeds all its tiles: copying them each
// time costs more than the dense tile's arithmetic).
template <class T>
class Cells {
 public:
  Cells() = default;
  Cells(std::vector<T> v) : own_(std::move(v)) {}  // NOLINT: a vector is a tile's own cells
  Cells(std::initializer_list<T> v) : own_(v) {}
  // Shows `v` (or `n` values from `p`) without copying (until the next change of these cells).
  void view(const std::vector<T>& v) { view(v.data(), v.size()); }
  void view(const T* p, size_t n) {
    own_.clear();
    view_ = p, view_size_ = n, viewing_ = true;
  }
  // The tile's own values, to fill or change (a view ends).
  std::vector<T>& own() {
    viewing_ = false;
    return own_;
  }
  void assign(size_t n, T v) { own().assign(n, v); }
  void push_back(T v) { own().push_back(v); }
  void clear() { own().clear(); }

  const T* data() const { return viewing_ ? view_ : own_.data(); }
  size_t size() const { return viewing_ ? view_size_ : own_.size(); }
  bool empty() const { return size() == 0; }
  const T& operator[](size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }

 private:
  std::vector<T> own_;
  const T* view_ = nullptr;
  size_t view_size_ = 0;
  bool viewing_ = false;
};

struct Tile {
  int64_t rows_used = 0, cols_used = 0;  // 1..rows, 1..cols
  int64_t lanes = 1;                     // activations per array row, 1..64
  Cells<int8_t> weights;                 // rows_used x cols_used
  Cells<uint8_t> select;                 // rows_used x cols_used lane indices; empty: lane 0
  // Optional (empty: none), with `select`: the same weights lane by lane, rows_used x lanes x
  // cols_used, weights[i][j] where select[i][j] is the lane, else 0. A producer that keeps
  // the tile's block may supply it; a model that multiplies one lane at a time uses it.
  Cells<int8_t> lane_weights;
  // Optional, with lane_weights: the lane rows it holds, as row x lanes + lane, increasing;
  // lane_weights then has lane_rows.size() x cols_used values and every lane row not listed
  // is all zeros (most are, when groups hold fewer channels than lanes). Empty: all of them.
  Cells<uint32_t> lane_rows;
  int64_t vectors = 0;  // >= 1
  // Each array row's activation streams: rows_used x lanes x vectors (lane s of row i carries
  // acts[(i * lanes + s) * vectors + n] for vector n), each < 2^act_bits.
  Cells<uint32_t> acts;
  // The producer has checked the values the streams copy (and zeros): run() need not scan
  // them for the activation range again, tile after tile.
  bool acts_checked = false;
  // The producer has checked the weight side (every select < lanes; lane_rows increasing and
  // inside rows_used x lanes) of blocks it keeps unchanged: run() checks only their sizes.
  bool weights_checked = false;
  int64_t decode_cycles = 0;  // the decoder's time for this tile's weights
  int64_t weights_ready = 0;  // earliest load start
  int64_t inputs_ready = 0;   // earliest compute start
};

struct TileTiming {
  int64_t load_start = 0, load_end = 0, compute_start = 0, compute_end = 0;
  bool operator==(const TileTiming& o) const {
    return load_start == o.load_start && load_end == o.load_end &&
           compute_start == o.compute_start && compute_end == o.compute_end;
  }
};

struct TileResult {
  TileTiming timing;
  std::vector<int64_t> sums;  // each column's output stream: cols_used x vectors
};

// The state that links consecutive tiles (the double-buffered weight registers).
struct Pipeline {
  int64_t last_load_end = 0, last_compute_start = 0, last_compute_end = 0;
  // Start of the next load and of its compute, given the phase durations.
  TileTiming place(const Tile& t, int64_t load_cycles, int64_t compute_cycles);
};

class Model {
 public:
  virtual ~Model() = default;
  virtual const char* name() const = 0;
  // Runs the next tile after those already run, into `result` (whose storage is reused).
  // Throws std::invalid_argument on a tile that breaks the contract above (sizes, lanes,
  // activation range).
  virtual void run(const Tile& tile, TileResult& result) = 0;
  TileResult run(const Tile& tile) {
    TileResult r;
    run(tile, r);
    return r;
  }
  // Records the array's signals, cycle by cycle, into `vcd` (models that step cycles only;
  // returns false if this model cannot).
  virtual bool trace_signals(Vcd* vcd) {
    (void)vcd;
    return false;
  }
  // Cycles an idle array needs from the first load to the end of the last compute so far.
  int64_t end_cycle() const { return pipeline_.last_compute_end; }
  const Pipeline& pipeline() const { return pipeline_; }
  const Shape& shape() const { return shape_; }

 protected:
  explicit Model(const Shape& shape) : shape_(shape) {}
  // The contract's checks: sizes always; the weight side unless Tile::weights_checked; the
  // activation range unless Tile::acts_checked.
  void check(const Tile& t) const;
  Shape shape_;
  Pipeline pipeline_;
};

// "fast" (closed form, the default) or "cycle" (steps every cycle, the reference).
std::unique_ptr<Model> make_model(const std::string& name, const Shape& shape);
std::vector<std::string> model_names();
// Tile::lane_weights for `rows` x `cols` weights and their lane selects (each < lanes).
std::vector<int8_t> lane_weights(const int8_t* weights, const uint8_t* select, int64_t rows,
                                 int64_t cols, int64_t lanes);
// The same without its all-zero lane rows: Tile::lane_rows and the rows they name.
void listed_lane_weights(const int8_t* weights, const uint8_t* select, int64_t rows, int64_t cols,
                         int64_t lanes, std::vector<uint32_t>& lane_rows,
                         std::vector<int8_t>& lane_weights);

// The weight-side checks of Model::check (select range, lane_rows order): what is wrong, or
// nullptr. A producer that keeps its blocks unchanged asks once per block and then sets
// Tile::weights_checked.
const char* weight_error(const Tile& t);

// The closed-form phase durations (the fast model; also the bounds reports use).
int64_t load_cycles(const Tile& t);
int64_t compute_cycles(const Shape& s, const Tile& t);

}  // namespace trine::models::array
