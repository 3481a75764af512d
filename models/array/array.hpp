#pragma once
// The systolic array: the contract that its two models (fast, cycle) share, whatever the dataflow
// and the cell.
//
// A tile is one block of a matrix product: `reduction` x `outputs` weights (weight row k feeds
// output column m; with column combining a reduction row is a group carrying `lanes`
// activations and each weight selects its lane), and `reduction` x `lanes` activation streams of
// `vectors` values each; its result is `outputs` x `vectors` exact sums. The dataflow
// (dataflow.hpp, one file each) decides which two of the three dimensions lie across the
// `rows` x `cols` cells, which one streams in time, which extents a tile may have, and the
// timing of its two phases:
// - load: what stays in the cells (weights for ws, activations for is; nothing for os, whose
//   weights wait in per-row queues) is made ready; the weights come from the decoder in
//   `decode_cycles`. It starts when the weights are in the weight buffer (`weights_ready`;
//   for is also the activations, `inputs_ready`), the previous load has ended and the previous
//   tile has taken its operands out of the double-buffered registers (its compute start).
// - compute: starts when the load has ended, the activations are ready and the previous tile
//   has drained; it streams the third dimension through the array, skewed, then drains.
// The cell decides how many cycles one value takes: act_bits for a bit-serial cell (one
// activation bit per cycle, least significant first; a column accumulator adds bit-plane b
// shifted left by b), one for a bit-parallel cell (the whole multiply-accumulate).
//
// Contract for implementations: given the same shape and tile sequence, run() returns the same
// timing and sums; sums are exact (64-bit) and do not depend on the model, the dataflow or the
// cell.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "models/array/kinds.hpp"

namespace trine::models::array {

class Vcd;

struct Shape {
  int64_t rows = 0, cols = 0;
  int act_bits = 8;
  Dataflow dataflow = Dataflow::WeightStationary;
  Cell cell = Cell::BitSerial;
  Overlap overlap = Overlap::Serial;
  // Cycles a cell spends on one activation value, and the bits of it it takes per cycle.
  int steps() const { return cell == Cell::BitSerial ? act_bits : 1; }
  int digit_bits() const { return cell == Cell::BitSerial ? 1 : act_bits; }
};

// Step `step`'s digit of activation `value` (what a cell multiplies by in that cycle).
inline int64_t digit(uint32_t value, int step, int bits) {
  return static_cast<int64_t>((value >> (step * bits)) & ((uint64_t{1} << bits) - 1));
}

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
  int64_t reduction = 0, outputs = 0;  // >= 1; the dataflow bounds them (Mapping::bounds)
  int64_t lanes = 1;                   // activations per array row, 1..64
  Cells<int8_t> weights;               // reduction x outputs
  Cells<uint8_t> select;               // reduction x outputs lane indices; empty: lane 0
  // Optional (empty: none), with `select`: the same weights lane by lane, reduction x lanes x
  // outputs, weights[i][j] where select[i][j] is the lane, else 0. A producer that keeps
  // the tile's block may supply it; a model that multiplies one lane at a time uses it.
  Cells<int8_t> lane_weights;
  // Optional, with lane_weights: the lane rows it holds, as row x lanes + lane, increasing;
  // lane_weights then has lane_rows.size() x outputs values and every lane row not listed
  // is all zeros (most are, when groups hold fewer channels than lanes). Empty: all of them.
  Cells<uint32_t> lane_rows;
  int64_t vectors = 0;  // >= 1
  // Each array row's activation streams: reduction x lanes x vectors (lane s of row i carries
  // acts[(i * lanes + s) * vectors + n] for vector n), each < 2^act_bits.
  Cells<uint32_t> acts;
  // The producer has checked the values the streams copy (and zeros): run() need not scan
  // them for the activation range again, tile after tile.
  bool acts_checked = false;
  // The producer has checked the weight side (every select < lanes; lane_rows increasing and
  // inside reduction x lanes) of blocks it keeps unchanged: run() checks only their sizes.
  bool weights_checked = false;
  int64_t decode_cycles = 0;  // the decoder's time for this tile's weights
  int64_t weights_ready = 0;  // earliest load start
  int64_t inputs_ready = 0;   // earliest compute start
};

// Cells with a mapped operand pair times the cycles they compute: the tile's bit-steps for a
// bit-serial cell, its MACs for a bit-parallel one (the same in every dataflow).
inline int64_t mapped_cell_cycles(const Shape& s, const Tile& t) {
  return t.reduction * t.outputs * t.vectors * s.steps();
}

struct TileTiming {
  int64_t load_start = 0, load_end = 0, compute_start = 0, compute_end = 0;
  bool operator==(const TileTiming& o) const {
    return load_start == o.load_start && load_end == o.load_end &&
           compute_start == o.compute_start && compute_end == o.compute_end;
  }
};

struct TileResult {
  TileTiming timing;
  std::vector<int64_t> sums;  // each column's output stream: outputs x vectors
};

// A tile's phase durations: load, compute, and the part of the compute after which the next
// tile may start computing when tiles overlap (its streamed values are in; the rest is fill
// and drain that the next tile's values can follow).
struct Phases {
  int64_t load = 0, compute = 0, issue = 0;
};

// The state that links consecutive tiles (the double-buffered stationary registers).
struct Pipeline {
  int64_t last_load_end = 0, last_compute_start = 0, last_compute_end = 0, last_issue_end = 0;
  // Start of the next load and of its compute. `inputs_at_load`: the load itself needs the
  // activations (they are what stays in the cells). `overlap`: Overlap::Pipelined.
  TileTiming place(const Tile& t, const Phases& phases, bool inputs_at_load, bool overlap);
};

// The largest tile extents the cells hold; 0: the array does not bound that dimension (it is
// the one streamed in time; the compiler bounds it by a buffer).
struct TileBounds {
  int64_t outputs = 0, reduction = 0, vectors = 0;
};

// Counts of one tile that the energy model prices and that differ between dataflows.
struct TileEvents {
  int64_t weight_shift_hops = 0;      // weights moved one row down a load shift chain
  int64_t activation_shift_hops = 0;  // activations moved one row down a load shift chain
  int64_t accumulator_updates = 0;    // additions into an acc_bits-wide accumulator register
};

class Model;

// A dataflow: how a tile's matrix product lies on the cells and streams through them. One
// implementation per dataflow (dataflow_ws.cpp, dataflow_os.cpp, dataflow_is.cpp), each with its
// closed forms and its cycle-stepped model; the compiler (tiling), both models, the array module
// (buffer traffic, energy events) and the VCD read the dataflow only through this interface.
// Contract: the closed forms equal what the dataflow's cycle model steps, for every cell kind.
class Mapping {
 public:
  virtual ~Mapping() = default;
  virtual Dataflow kind() const = 0;
  virtual TileBounds bounds(const Shape& s) const = 0;
  // Why column combining's multiplexed cells cannot work in this dataflow, or nullptr.
  virtual const char* lanes_error() const = 0;
  // The phase durations (array.hpp) and the part of the load that is not the decoder's.
  virtual int64_t load_cycles(const Shape& s, const Tile& t) const = 0;
  virtual int64_t chain_cycles(const Tile& t) const = 0;
  virtual int64_t compute_cycles(const Shape& s, const Tile& t) const = 0;
  // Of the compute, the cycles before the next tile may follow (Overlap::Pipelined).
  virtual int64_t issue_cycles(const Shape& s, const Tile& t) const = 0;
  virtual bool inputs_at_load() const = 0;
  virtual TileEvents events(const Shape& s, const Tile& t) const = 0;
  // The dataflow's cycle-stepped model (the reference the closed forms are held against).
  virtual std::unique_ptr<Model> cycle_model(const Shape& s) const = 0;
  // Both phases of `t` placed after the tiles `p` has seen.
  TileTiming place(Pipeline& p, const Shape& s, const Tile& t) const {
    return p.place(t, {load_cycles(s, t), compute_cycles(s, t), issue_cycles(s, t)},
                   inputs_at_load(), s.overlap == Overlap::Pipelined);
  }
};

const Mapping& mapping(Dataflow d);

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
  // The contract's checks: sizes always (against the dataflow's bounds); the weight side unless
  // Tile::weights_checked; the activation range unless Tile::acts_checked.
  void check(const Tile& t) const;
  Shape shape_;
  const Mapping& mapping_ = mapping(shape_.dataflow);
  Pipeline pipeline_;
};

// The model of `kind` for an array of `shape` (its dataflow and cell included).
std::unique_ptr<Model> make_model(ModelKind kind, const Shape& shape);
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

}  // namespace trine::models::array
