#include "sim/compile/schedule.hpp"

#include <algorithm>

#include "models/array/array.hpp"
#include "sim/util/bytes.hpp"
#include "sim/util/error.hpp"

namespace trine::compile {

using net::LayerKind;
using net::WeightForm;

int64_t activation_bytes(int bits) {
  return (bits + 7) / 8;
}

int64_t accumulator_bytes(int64_t acc_bits) {
  int64_t bytes = 1;
  while (bytes * 8 < acc_bits) bytes *= 2;
  return bytes;
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

[[noreturn]] void unmappable(const net::Layer& l, const char* key, const std::string& why,
                             const std::string& fix) {
  throw MappingError(l.name, key, why, fix);
}

std::string at_least(const char* key, int64_t value) {
  return "set " + std::string(key) + " to " + std::to_string(value) + " or more";
}

// Per-tile costs of one layer's weight form.
class FormCost {
 public:
  FormCost(const net::Weights& w, const net::WeightMatrix& decoded) : w_(w), m_(decoded) {
    if (w.form != WeightForm::Ternary) return;
    // Entry positions per row: a weight's column, a pad's last skipped column.
    const net::TernaryCode& t = w.ternary;
    const uint32_t pad = (1u << t.run_bits) - 1;
    entries_.resize(static_cast<size_t>(w.rows));
    for (int64_t r = 0; r < w.rows; ++r) {
      BitReader br(t.stream, t.row_start[r]);
      int64_t c = 0;
      while (br.position() < t.row_start[r + 1]) {
        const uint32_t run = br.get(t.run_bits);
        c += run;
        if (run == pad) {
          entries_[r].push_back({c - 1, true});
          continue;
        }
        br.get(1);
        entries_[r].push_back({c, false});
        ++c;
      }
    }
  }

  // Reduction rows are weight columns, except for column combining (groups).
  void cost(TilePlan& t) const {
    const int64_t rows = t.out_end - t.out_begin, red = t.red_end - t.red_begin;
    switch (w_.form) {
      case WeightForm::Dense8:
        t.weight_bits = rows * red * 8;
        t.decode_units = ceil_div(rows * red, 8);  // one 64-bit word per lane-cycle
        break;
      case WeightForm::Ternary: {
        const int64_t rb = w_.ternary.run_bits;
        for (int64_t r = t.out_begin; r < t.out_end; ++r)
          for (const Entry& e : entries_[r])
            if (e.column >= t.red_begin && e.column < t.red_end) {
              t.weight_bits += e.pad ? rb : rb + 1;
              ++t.decode_units;
            }
        break;
      }
      case WeightForm::NK: {
        const int64_t n = w_.nk.n;
        const int64_t codes = rows * (ceil_div(t.red_end, n) - t.red_begin / n);
        t.weight_bits = codes * w_.nk.code_bits;
        t.decode_units = codes;  // one table lookup per lane-cycle
        break;
      }
      case WeightForm::ColComb:
        t.weight_bits = rows * red * (8 + w_.colcomb.select_bits());
        t.decode_units = rows * red;
        break;
      case WeightForm::LowBit: {
        const int64_t b = w_.lowbit.block, bc = ceil_div(w_.cols, b);
        for (int64_t br = t.out_begin / b; br * b < t.out_end; ++br)
          for (int64_t c = t.red_begin / b; c * b < t.red_end; ++c) {
            t.weight_bits += 1;  // the tile's bit in the bitmap
            const int64_t idx = br * bc + c;
            if (!((w_.lowbit.kept[static_cast<size_t>(idx / 8)] >> (idx % 8)) & 1)) continue;
            const int64_t r0 = std::max(t.out_begin, br * b), r1 = std::min(t.out_end, br * b + b);
            const int64_t c0 = std::max(t.red_begin, c * b), c1 = std::min(t.red_end, c * b + b);
            t.weight_bits += (r1 - r0) * (c1 - c0) * w_.lowbit.bits;
            t.decode_units += r1 - r0;  // one block row per lane-cycle
          }
        break;
      }
    }
    for (int64_t r = t.out_begin; r < t.out_end; ++r)
      for (int64_t c = t.red_begin; c < t.red_end; ++c) t.nonzeros += weight(r, c) != 0;
  }

 private:
  int8_t weight(int64_t r, int64_t c) const {
    if (w_.form != WeightForm::ColComb) return m_.at(r, c);
    return w_.colcomb
        .values[static_cast<size_t>(r * static_cast<int64_t>(w_.colcomb.groups.size()) + c)];
  }
  struct Entry {
    int64_t column;
    bool pad;
  };
  const net::Weights& w_;
  const net::WeightMatrix& m_;
  std::vector<std::vector<Entry>> entries_;
};

// A layer's tile extents: the dataflow bounds two dimensions by the array; the streamed one is
// bounded by a buffer (the partial sums of one tile must fit the output buffer).
struct TileSteps {
  int64_t outputs = 0, reduction = 0, vectors = 0;
  bool reduction_streamed = false;  // os: the weight buffer bounds it (plan_compute)
};

TileSteps tile_steps(LayerPlan& p, const net::Layer& l, const config::DesignPoint& dp,
                     const models::array::Mapping& mapping) {
  const models::array::TileBounds b = mapping.bounds(dp.array.shape());
  TileSteps s;
  s.outputs = std::min(b.outputs > 0 ? b.outputs : p.group_outputs, p.group_outputs);
  s.reduction = std::min(b.reduction > 0 ? b.reduction : p.reduction, p.reduction);
  s.vectors = std::min(b.vectors > 0 ? b.vectors : p.vectors, p.vectors);
  s.reduction_streamed = b.reduction == 0;
  const int64_t acc = accumulator_bytes(dp.array.acc_bits), room = dp.buffers.output.size_bytes;
  if (b.vectors == 0) s.vectors = std::min(s.vectors, room / (s.outputs * acc));
  if (b.outputs == 0) s.outputs = std::min(s.outputs, room / (s.vectors * acc));
  if (b.reduction == 0 && s.outputs * s.vectors * acc > room) {  // os: use fewer cells
    s.vectors = std::max<int64_t>(1, room / (s.outputs * acc));
    s.outputs = std::min(s.outputs, room / (s.vectors * acc));
  }
  // The least a tile needs: one position of the streamed dimension (os: one cell).
  const int64_t need = (b.vectors == 0 ? s.outputs : b.outputs == 0 ? s.vectors : 1) * acc;
  if (s.outputs < 1 || s.vectors < 1 || s.outputs * s.vectors * acc > room)
    unmappable(l, "buffers.output.size",
               "the partial sums of one output tile need " + std::to_string(need) +
                   " bytes; buffers.output.size is " + std::to_string(room) + " bytes",
               at_least("buffers.output.size", need) + " bytes");
  p.vec_chunk = s.vectors;
  return s;
}

// The layer's tiles for `steps`, in execution order (vector chunk, group, output tile,
// reduction tile); returns the largest tile's weight bytes.
int64_t tile(LayerPlan& p, const TileSteps& steps, FormCost& cost) {
  p.tiles.clear();
  p.skipped_tiles = 0;
  p.out_tiles = p.groups * ceil_div(p.group_outputs, steps.outputs);
  p.red_tiles = ceil_div(p.reduction, steps.reduction);
  int64_t largest = 0;
  // Vector chunks never cross a band: each band's vectors are chunked on their own.
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const Band& b : p.bands) ranges.emplace_back(b.vec_begin, b.vec_end);
  if (ranges.empty()) ranges.emplace_back(0, p.vectors);
  for (size_t band = 0; band < ranges.size(); ++band)
    for (int64_t v = ranges[band].first; v < ranges[band].second; v += steps.vectors) {
      int64_t block = 0;  // which tiles are dropped depends on the weights only: the same per chunk
      for (int64_t g = 0; g < p.groups; ++g)
        for (int64_t o = g * p.group_outputs; o < (g + 1) * p.group_outputs; o += steps.outputs)
          for (int64_t k = 0; k < p.reduction; k += steps.reduction) {
            TilePlan t;
            t.out_begin = o, t.out_end = std::min((g + 1) * p.group_outputs, o + steps.outputs);
            t.red_begin = k, t.red_end = std::min(p.reduction, k + steps.reduction);
            t.vec_begin = v, t.vec_end = std::min(ranges[band].second, v + steps.vectors);
            t.band = p.bands.empty() ? -1 : static_cast<int64_t>(band);
            cost.cost(t);
            largest = std::max(largest, ceil_div(t.weight_bits, 8));
            if (t.nonzeros == 0) {
              ++p.skipped_tiles;
              continue;
            }
            t.block = block++;
            p.tiles.push_back(t);
          }
      p.blocks = block;
    }
  return largest;
}

void plan_compute(LayerPlan& p, const net::Layer& l, const net::TensorType& in,
                  const config::DesignPoint& dp) {
  const net::Weights& w = l.weights;
  const net::WeightMatrix decoded = w.decode();
  p.form = w.form;
  p.outputs = w.rows;
  p.reduction =
      w.form == WeightForm::ColComb ? static_cast<int64_t>(w.colcomb.groups.size()) : w.cols;
  p.lanes = w.form == WeightForm::ColComb ? w.colcomb.alpha : 1;
  p.macs = w.rows * w.cols * p.vectors;
  p.weight_bytes = ceil_div(w.storage_bits(), 8);
  if (in.bits > dp.array.act_bits)
    unmappable(l, "array.act_bits",
               "its inputs have " + std::to_string(in.bits) + " bits; array.act_bits is " +
                   std::to_string(dp.array.act_bits),
               at_least("array.act_bits", in.bits) + ", or retrain with --act-bits " +
                   std::to_string(dp.array.act_bits));
  p.groups = l.kind == LayerKind::Conv2d ? l.groups : 1;
  p.group_outputs = p.outputs / p.groups;
  if (w.form == WeightForm::NK && dp.decoder.kind == config::DecoderKind::Table &&
      w.nk.table_rows > dp.decoder.table_entries)
    unmappable(l, "decoder.table_entries",
               "its (" + std::to_string(w.nk.n) + "," + std::to_string(w.nk.k) +
                   ") decoder table has " + std::to_string(w.nk.table_rows) +
                   " rows; decoder.table_entries is " + std::to_string(dp.decoder.table_entries),
               at_least("decoder.table_entries", w.nk.table_rows) + ", or use decoder.kind: logic");
  if (p.lanes > 64)
    unmappable(l, "decoder.lanes",
               "column groups of " + std::to_string(p.lanes) + " exceed 64 lanes",
               "retrain with a colcomb alpha of 64 or less");
  const models::array::Mapping& mapping = models::array::mapping(dp.array.dataflow);
  if (p.lanes > 1 && mapping.lanes_error())
    unmappable(l, "array.dataflow",
               std::string("its weights are column-combined; ") + mapping.lanes_error(),
               "set array.dataflow to ws or os");
  TileSteps steps = tile_steps(p, l, dp, mapping);
  FormCost cost(w, decoded);
  const bool resident = dp.buffers.weight_residency() == config::WeightResidency::Resident;
  int64_t largest = tile(p, steps, cost);
  // A dataflow that streams the reduction takes as much of it per tile as two tiles' weights
  // leave room for in the weight buffer.
  while (!resident && 2 * largest > dp.buffers.weight.size_bytes && steps.reduction_streamed &&
         steps.reduction > 1) {
    steps.reduction = ceil_div(steps.reduction, 2);
    largest = tile(p, steps, cost);
  }
  if (!resident && 2 * largest > dp.buffers.weight.size_bytes)
    unmappable(l, "buffers.weight.size",
               "double-buffered weight tiles need 2 x " + std::to_string(largest) +
                   " bytes; buffers.weight.size is " +
                   std::to_string(dp.buffers.weight.size_bytes) + " bytes",
               at_least("buffers.weight.size", 2 * largest) + " bytes, or make the array smaller");
}

// Streamed weight tiles in flight: the design point's number, or as many slots as the weight
// buffer has for the network's largest tile (at least two: the double buffering the layers
// were mapped for).
int64_t prefetch_depth(const Schedule& s, const net::Network& network,
                       const config::DesignPoint& dp) {
  int64_t largest = 0;
  for (const LayerPlan& p : s.layers)
    for (const TilePlan& t : p.tiles) largest = std::max(largest, ceil_div(t.weight_bits, 8));
  const int64_t size = dp.buffers.weight.size_bytes, asked = dp.buffers.prefetch_tiles;
  if (largest == 0) return std::max<int64_t>(2, asked);
  if (asked == 0) return std::max<int64_t>(2, size / largest);
  if (asked * largest > size)
    throw MappingError("buffers.weight.prefetch_tiles",
                       "network '" + network.name + "': " + std::to_string(asked) +
                           " weight tiles in flight need " + std::to_string(asked) + " x " +
                           std::to_string(largest) + " bytes; buffers.weight.size is " +
                           std::to_string(size) + " bytes",
                       "set buffers.weight.prefetch_tiles to " + std::to_string(size / largest) +
                           " or less, or 0 for as many as fit");
  return asked;
}

}  // namespace

MappingError::MappingError(const std::string& layer, std::string key_in, const std::string& why,
                           const std::string& fix)
    : InputError("layer '" + layer + "': " + why + " (" + fix + ")"),
      key(std::move(key_in)),
      detail(what()) {}

MappingError::MappingError(std::string key_in, const std::string& why, const std::string& fix)
    : InputError(why + " (" + fix + ")"), key(std::move(key_in)), detail(what()) {}

InputError locate(const MappingError& e, const config::LoadedDesignPoint& dp,
                  const std::string& network_file) {
  const auto it = dp.locations.find(e.key);
  const Location where = it != dp.locations.end() ? it->second : Location{dp.file, 0, 0};
  return InputError(where, e.key, network_file + ": " + e.detail);
}

namespace {

// The input rows [first, end) that output rows [r0, r1) of `l` read (global pooling: its bands
// are of input rows already), clipped to the input's `height`.
std::pair<int64_t, int64_t> input_rows(const net::Layer& l, int64_t r0, int64_t r1,
                                       int64_t height) {
  int64_t first = r0, end = r1;
  switch (l.kind) {
    case LayerKind::Conv2d:
      first = r0 * l.stride_h - l.pad_h, end = (r1 - 1) * l.stride_h - l.pad_h + l.kernel_h;
      break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
      first = r0 * l.stride_h - l.pad_h, end = (r1 - 1) * l.stride_h - l.pad_h + l.kernel_h;
      break;
    case LayerKind::Shift:  // out(y) = in(y + dy)
      for (const auto& [dy, dx] : l.offsets) {
        first = std::min(first, r0 + dy);
        end = std::max(end, r1 + dy);
      }
      break;
    default:
      break;
  }
  return {std::clamp<int64_t>(first, 0, height), std::clamp<int64_t>(end, 0, height)};
}

bool bandable(LayerKind k) {
  return k == LayerKind::Conv2d || k == LayerKind::MaxPool || k == LayerKind::AvgPool ||
         k == LayerKind::Shift || k == LayerKind::Add || k == LayerKind::Concat ||
         k == LayerKind::GlobalAvgPool;
}

// One image's band of rows [r0, r1): each operand's input rows and their bytes.
Band make_band(const net::Layer& l, const std::vector<net::TensorType>& ins, int64_t r0,
               int64_t r1) {
  Band b;
  b.out_begin = r0, b.out_end = r1;
  for (const net::TensorType& t : ins) {
    b.rows.push_back(input_rows(l, r0, r1, t.height));
    b.bytes += t.channels * (b.rows.back().second - b.rows.back().first) * t.width *
               activation_bytes(t.bits);
  }
  return b;
}

// The most rows a band may have with every band of that many within `room` bytes; 0: none.
int64_t band_rows(const net::Layer& l, const std::vector<net::TensorType>& ins, int64_t rows,
                  int64_t room) {
  for (int64_t r = rows; r >= 1; --r) {
    bool fits = true;
    for (int64_t r0 = 0; fits && r0 < rows; r0 += r)
      fits = make_band(l, ins, r0, std::min(rows, r0 + r)).bytes <= room;
    if (fits) return r;
  }
  return 0;
}

// Input banding (see the header): bands of as many rows as two (else one) fit the input buffer.
void plan_bands(LayerPlan& p, const net::Layer& l, const std::vector<net::TensorType>& ins,
                const net::TensorType& out, int64_t capacity) {
  if (p.input_bytes <= capacity) return;
  const int64_t rows = l.kind == LayerKind::GlobalAvgPool ? ins.front().height : out.height;
  const auto too_big = [&](const std::string& what, int64_t bytes, const std::string& more) {
    unmappable(l, "buffers.input.size",
               what + " " + std::to_string(bytes) + " bytes; buffers.input.size is " +
                   std::to_string(capacity) + " bytes",
               at_least("buffers.input.size", bytes) + " bytes" + more);
  };
  if (!bandable(l.kind) || rows < 2)
    too_big(p.operands.size() > 1 ? "its inputs need" : "its input needs", p.input_bytes,
            ", or a smaller batch");
  p.band_slots = 2;
  int64_t per_band = band_rows(l, ins, rows, capacity / 2);
  if (per_band == 0) p.band_slots = 1, per_band = band_rows(l, ins, rows, capacity);
  if (per_band == 0) {
    int64_t need = 0;  // the largest band of one row (an inner one: the whole halo)
    for (int64_t r = 0; r < rows; ++r) need = std::max(need, make_band(l, ins, r, r + 1).bytes);
    too_big("one band of its input (one row of output) needs", need, "");
  }
  const int64_t positions = l.kind == LayerKind::Conv2d ? out.height * out.width : 0;
  int64_t loaded = 0;
  for (int64_t image = 0; image < p.batch; ++image)
    for (int64_t r0 = 0; r0 < rows; r0 += per_band) {
      Band b = make_band(l, ins, r0, std::min(rows, r0 + per_band));
      b.image = image;
      b.vec_begin = image * positions + b.out_begin * out.width;
      b.vec_end = image * positions + b.out_end * out.width;
      loaded += b.bytes;
      p.bands.push_back(b);
    }
  p.halo_bytes = loaded - p.input_bytes;
}

// The layer's own planning: its operands' sizes, the input-buffer limit, and the array's tiles
// or the vector unit's cycles. Where tensors live is decided afterwards (place()).
LayerPlan plan_layer(const net::Network& network, size_t i, const std::vector<int>& inputs,
                     const std::vector<net::TensorType>& types, const Schedule& s,
                     const config::DesignPoint& dp, int64_t batch) {
  const net::Layer& l = network.layers[i];
  const net::TensorType image = net::input_type(network.input);
  const net::TensorType& in =
      inputs.front() < 0 ? image : types[static_cast<size_t>(inputs.front())];
  const net::TensorType& out = types[i];
  LayerPlan p;
  p.layer = i;
  p.name = l.name;
  p.kind = l.kind;
  p.batch = batch;
  p.alias = l.kind == LayerKind::Relu || l.kind == LayerKind::Flatten;
  if (l.kind == LayerKind::Input) {  // the host writes it to DRAM before the inference
    p.storage = static_cast<int>(i);
    p.output_bytes = batch * out.size() * activation_bytes(out.bits);
    return p;
  }
  for (int k : inputs) {
    const bool from_image = k < 0;
    Operand op;
    op.producer = k;
    op.storage = from_image ? -1 : s.layers[static_cast<size_t>(k)].storage;
    op.bytes = from_image ? s.image_bytes : s.layers[static_cast<size_t>(k)].output_bytes;
    p.input_bytes += op.bytes;
    p.operands.push_back(op);
  }
  p.storage = p.alias ? p.operands.front().storage : static_cast<int>(i);
  p.output_bytes = batch * out.size() * activation_bytes(out.bits);
  std::vector<net::TensorType> operand_types;
  for (int k : inputs) operand_types.push_back(k < 0 ? image : types[static_cast<size_t>(k)]);
  plan_bands(p, l, operand_types, out, dp.buffers.input.size_bytes);
  // The vector unit: `cols` lanes, each taking one operand element per cycle.
  const int64_t lanes = dp.array.cols;
  const int64_t values = batch * out.size();
  switch (l.kind) {
    case LayerKind::Dense:
    case LayerKind::Conv2d:
      p.positions = l.kind == LayerKind::Dense ? 1 : out.height * out.width;
      p.vectors = batch * p.positions;  // the batch's images stream through the same weights
      plan_compute(p, l, in, dp);
      break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
      p.vector_cycles = ceil_div(values, lanes) * l.kernel_h * l.kernel_w;
      break;
    case LayerKind::Add:  // one rescaled term per lane and cycle
      p.vector_cycles = ceil_div(values, lanes) * static_cast<int64_t>(inputs.size());
      break;
    case LayerKind::Concat:  // copies: the vector unit moves each value once
    case LayerKind::Shift:
      p.vector_cycles = ceil_div(values, lanes);
      break;
    case LayerKind::GlobalAvgPool:  // a lane per channel adds its plane, then divides
      p.vector_cycles = ceil_div(values, lanes) * (in.height * in.width);
      break;
    case LayerKind::Relu:
    case LayerKind::Flatten:
    case LayerKind::Input:
      break;  // addressing only
  }
  return p;
}

// Decides, tensor by tensor in the order they are produced, which stay in the input buffer
// for their whole life (see the header): a tensor stays when, at every layer from its producer
// to its last reader, the layer's operands, the tensors already kept across it and this one fit.
// The network's result (its last layer's own output) goes to DRAM, and so does every output
// no layer reads (a topology's layers: each is a result); input layers are in DRAM already.
void place(Schedule& s, int64_t capacity) {
  const size_t n = s.layers.size();
  std::vector<size_t> last_use(n);
  for (size_t i = 0; i < n; ++i) last_use[i] = i;
  auto reads = [&](size_t j, size_t storage) {
    for (const Operand& op : s.layers[j].operands)
      if (op.storage == static_cast<int>(storage)) return true;
    return false;
  };
  for (size_t j = 0; j < n; ++j)
    for (const Operand& op : s.layers[j].operands)
      if (op.storage >= 0) last_use[static_cast<size_t>(op.storage)] = j;
  // Per layer: its operands (a banded layer's bands in their slots) and the tensors kept
  // across it. A tensor a banded layer reads is read from DRAM, band by band.
  std::vector<int64_t> held(n);
  std::vector<char> banded_reader(n, 0);
  for (size_t j = 0; j < n; ++j) {
    const LayerPlan& p = s.layers[j];
    held[j] = p.input_bytes;
    if (p.bands.empty()) continue;
    int64_t largest = 0;
    for (const Band& b : p.bands) largest = std::max(largest, b.bytes);
    held[j] = p.band_slots * largest;
    for (const Operand& op : p.operands)
      if (op.storage >= 0) banded_reader[static_cast<size_t>(op.storage)] = 1;
  }
  std::vector<char> read(n, 0);
  for (size_t j = 0; j < n; ++j)
    for (const Operand& op : s.layers[j].operands)
      if (op.storage >= 0) read[static_cast<size_t>(op.storage)] = 1;  // aliases count
  std::vector<char> on_chip(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const LayerPlan& p = s.layers[i];
    if (p.alias || i + 1 == n || banded_reader[i] || !read[i] || p.kind == LayerKind::Input)
      continue;
    bool fits = held[i] + p.output_bytes <= capacity;
    for (size_t j = i + 1; fits && j <= last_use[i]; ++j)
      fits = reads(j, i) || held[j] + p.output_bytes <= capacity;
    if (!fits) continue;
    on_chip[i] = 1;
    held[i] += p.output_bytes;
    for (size_t j = i + 1; j <= last_use[i]; ++j)
      if (!reads(j, i)) held[j] += p.output_bytes;
  }
  for (size_t j = 0; j < n; ++j) {
    LayerPlan& p = s.layers[j];
    for (Operand& op : p.operands) {
      op.from_dram = op.storage < 0 || !on_chip[static_cast<size_t>(op.storage)];
      p.input_from_dram = p.input_from_dram || op.from_dram;
    }
    p.output_to_dram = p.kind == LayerKind::Input ? false
                       : p.alias                  ? j + 1 == n && !p.input_from_dram
                                                  : !on_chip[j];
  }
}

// The weight image: each layer's blocks once, in block order, each at a 64-byte boundary.
// Every block at a multiple of `alignment` bytes.
void lay_out_weights(Schedule& s, int64_t alignment) {
  auto align64 = [&](int64_t v) { return (v + alignment - 1) / alignment * alignment; };
  int64_t at = 0;
  for (LayerPlan& p : s.layers) {
    std::vector<int64_t> block_address;
    int64_t off = 0;
    for (size_t k = 0; k < static_cast<size_t>(p.blocks); ++k) {
      block_address.push_back(at + off);
      off = align64(off + ceil_div(p.tiles[k].weight_bits, 8));
    }
    for (TilePlan& t : p.tiles) t.weight_address = block_address[static_cast<size_t>(t.block)];
    at = align64(at + off);
  }
  s.weight_bytes = at;
}

}  // namespace

Schedule compile(const net::Network& network, const config::DesignPoint& dp, int64_t batch) {
  if (batch < 1) throw InputError("the batch must hold at least one image");
  const std::vector<net::TensorType> types = net::infer_types(network, network.name);
  const std::vector<std::vector<int>> graph = net::input_indices(network, network.name);
  Schedule s;
  const net::TensorType image = net::input_type(network.input);
  s.image_bytes = batch * image.size() * activation_bytes(image.bits);
  for (size_t i = 0; i < network.layers.size(); ++i)
    s.layers.push_back(plan_layer(network, i, graph[i], types, s, dp, batch));
  place(s, dp.buffers.input.size_bytes);
  s.weights_resident = dp.buffers.weight_residency() == config::WeightResidency::Resident;
  // Streamed blocks start at a DRAM burst (a tile's fetch reads only its own bursts); resident
  // ones, loaded once as a whole, at a word of the weight buffer.
  lay_out_weights(s, s.weights_resident ? dp.buffers.weight.word_bits / 8 : 64);
  if (s.weights_resident && s.weight_bytes > dp.buffers.weight.size_bytes)
    throw MappingError("buffers.weight.size",
                       "network '" + network.name + "': its weights need " +
                           std::to_string(s.weight_bytes) +
                           " bytes on chip (buffers.weight.residency: resident); "
                           "buffers.weight.size is " +
                           std::to_string(dp.buffers.weight.size_bytes) + " bytes",
                       at_least("buffers.weight.size", s.weight_bytes) +
                           " bytes, or buffers.weight.residency: streamed");
  if (!s.weights_resident) s.prefetch_tiles = prefetch_depth(s, network, dp);
  return s;
}

}  // namespace trine::compile
