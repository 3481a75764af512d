#include "models/array/array.hpp"

#include <algorithm>
#include <stdexcept>

namespace trine::models::array {

TileTiming Pipeline::place(const Tile& t, const Phases& phases, bool inputs_at_load, bool overlap) {
  TileTiming r;
  // The shadow registers are free once the previous tile has copied them into its cells.
  r.load_start = std::max({t.weights_ready, inputs_at_load ? t.inputs_ready : int64_t{0},
                           last_load_end, last_compute_start});
  r.load_end = r.load_start + phases.load;
  r.compute_start =
      std::max({r.load_end, t.inputs_ready, overlap ? last_issue_end : last_compute_end});
  r.compute_end = r.compute_start + phases.compute;
  last_load_end = r.load_end;
  last_compute_start = r.compute_start;
  last_issue_end = r.compute_start + phases.issue;
  // (Overlapped, a short tile may finish before a long one that started earlier.)
  last_compute_end = std::max(last_compute_end, r.compute_end);
  return r;
}

void Model::check(const Tile& t) const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("array tile: " + what); };
  const TileBounds b = mapping_.bounds(shape_);
  auto outside = [](int64_t extent, int64_t bound) {
    return extent < 1 || (bound > 0 && extent > bound);
  };
  if (outside(t.reduction, b.reduction)) fail("reduction outside the dataflow's bound");
  if (outside(t.outputs, b.outputs)) fail("outputs outside the dataflow's bound");
  if (outside(t.vectors, b.vectors)) fail("vectors outside the dataflow's bound");
  if (t.lanes < 1 || t.lanes > 64) fail("lanes outside 1..64");
  if (t.lanes > 1 && mapping_.lanes_error()) fail(mapping_.lanes_error());
  if (t.decode_cycles < 0 || t.weights_ready < 0 || t.inputs_ready < 0) fail("negative time");
  const size_t cells = static_cast<size_t>(t.reduction * t.outputs);
  if (t.weights.size() != cells) fail("weights are not reduction x outputs");
  if (!t.select.empty() && t.select.size() != cells) fail("select is not reduction x outputs");
  if (!t.lane_rows.empty()) {
    if (t.lane_weights.size() != t.lane_rows.size() * static_cast<size_t>(t.outputs))
      fail("lane_weights are not lane_rows x outputs");
  } else if (!t.lane_weights.empty() &&
             t.lane_weights.size() != cells * static_cast<size_t>(t.lanes)) {
    fail("lane_weights are not reduction x lanes x outputs");
  }
  if (!t.lane_weights.empty() && t.select.empty()) fail("lane_weights without select");
  if (t.acts.size() != static_cast<size_t>(t.vectors * t.reduction * t.lanes))
    fail("acts are not reduction x lanes x vectors");
  if (!t.weights_checked)
    if (const char* error = weight_error(t)) fail(error);
  if (t.acts_checked) return;
  uint32_t bits = 0;
  for (uint32_t a : t.acts) bits |= a;
  if (static_cast<uint64_t>(bits) >> shape_.act_bits) fail("an activation does not fit act_bits");
}

const char* weight_error(const Tile& t) {
  if (!t.lane_rows.empty()) {
    // Each row after the one before, the last inside the tile (no early exit, as below).
    const uint32_t* rows = t.lane_rows.data();
    const size_t listed = t.lane_rows.size();
    bool ordered = true;
    for (size_t k = 1; k < listed; ++k) ordered &= rows[k - 1] < rows[k];
    if (!ordered || t.lane_rows.end()[-1] >= static_cast<uint64_t>(t.reduction * t.lanes))
      return "lane_rows out of order or outside reduction x lanes";
  }
  // A reduction without early exits: it vectorizes.
  uint8_t lane = 0;
  const uint8_t* select = t.select.data();
  const size_t selects = t.select.size();
  for (size_t k = 0; k < selects; ++k) lane = std::max(lane, select[k]);
  if (!t.select.empty() && lane >= t.lanes) return "select names a lane the row does not carry";
  return nullptr;
}

std::unique_ptr<Model> make_fast_model(const Shape& shape);

std::vector<int8_t> lane_weights(const int8_t* weights, const uint8_t* select, int64_t rows,
                                 int64_t cols, int64_t lanes) {
  std::vector<int8_t> planes(static_cast<size_t>(rows * cols * lanes), 0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const size_t at = static_cast<size_t>(i * cols + j);
      planes[static_cast<size_t>((i * lanes + select[at]) * cols + j)] = weights[at];
    }
  return planes;
}

void listed_lane_weights(const int8_t* weights, const uint8_t* select, int64_t rows, int64_t cols,
                         int64_t lanes, std::vector<uint32_t>& lane_rows,
                         std::vector<int8_t>& listed) {
  const std::vector<int8_t> all = lane_weights(weights, select, rows, cols, lanes);
  lane_rows.clear();
  listed.clear();
  for (int64_t r = 0; r < rows * lanes; ++r) {
    const auto row = all.begin() + r * cols;
    if (std::all_of(row, row + cols, [](int8_t w) { return w == 0; })) continue;
    lane_rows.push_back(static_cast<uint32_t>(r));
    listed.insert(listed.end(), row, row + cols);
  }
}

std::unique_ptr<Model> make_model(ModelKind kind, const Shape& shape) {
  if (shape.rows < 1 || shape.cols < 1 || shape.act_bits < 1 || shape.act_bits > 16)
    throw std::invalid_argument("array shape out of range");
  if (kind == ModelKind::Fast) return make_fast_model(shape);
  return mapping(shape.dataflow).cycle_model(shape);
}

const Mapping& ws_mapping();
const Mapping& os_mapping();
const Mapping& is_mapping();

const Mapping& mapping(Dataflow d) {
  switch (d) {
    case Dataflow::OutputStationary:
      return os_mapping();
    case Dataflow::InputStationary:
      return is_mapping();
    case Dataflow::WeightStationary:
      break;
  }
  return ws_mapping();
}

}  // namespace trine::models::array
