#pragma once
// The compiler: maps each layer of a network onto the array and buffers of a design point.
//
// A compute layer is a matrix product: outputs (weight rows) x reduction (weight columns, or
// column-combining groups, each carrying `lanes` channels) x vectors (output positions of every
// image of the batch: conv by im2col, never materialised; 1 per image for dense). The dataflow
// (array.dataflow, models/array/array.hpp: Mapping) bounds two of the three by the array's rows
// and columns (ws: reduction and outputs; os: outputs and vectors; is: reduction and vectors);
// the third streams in time, cut so that a tile's partial sums fit the output buffer (ws:
// vectors, is: outputs) or, for os's reduction, so that two tiles' weights fit the weight
// buffer. Tiles run vector chunk by vector chunk, output tile by output tile, reduction tile by
// reduction tile, whatever the dataflow. Tiles whose weights are all zero (coarse-grain
// sparsity) are dropped: they would add nothing.
//
// A grouped convolution maps group by group: an output tile never spans two groups, and its
// reduction is the group's input channels only (a depthwise layer uses one array column per
// tile: its low utilization is what such a layer gets on a weight-stationary array).
//
// Graphs (docs/architecture.md, "Tensors on chip"): every tensor stays in the input buffer
// while it still has readers and fits beside what each layer of its lifetime needs (decided
// in the order tensors are produced), else its producer writes it to DRAM and each reader
// loads it back. The image and the network's result are in DRAM. Relu and flatten change only
// how their readers address their input's storage (an alias, no data moves). Pooling, add,
// concat, shift and global pooling run on the vector unit, `array.cols` lanes wide.
//
// Input banding: a convolution, pooling, add, concat, shift or global pooling whose operands do
// not fit the input buffer runs in bands of output rows (global pooling: of input rows), each
// band of each image loading the input rows it reads, halo included (LayerPlan::bands); its
// operands and its bands are always read from DRAM.
//
// Limits (each a mapping error naming the layer and the limit): two weight tiles fit the
// weight buffer (double buffering), or with resident weights the whole weight image does; a
// layer's inputs fit the input buffer, or one band of one output row of them does (a dense
// layer's must fit whole); the partial sums of the smallest tile the dataflow
// allows fit the output buffer; column-combined weights need a dataflow whose cells can pick a
// lane (ws, os).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/design_point.hpp"
#include "sim/net/network.hpp"

namespace trine::compile {

struct TilePlan {
  int64_t out_begin = 0, out_end = 0;  // weight rows (outputs)
  int64_t red_begin = 0, red_end = 0;  // weight columns (or groups): the reduction
  int64_t vec_begin = 0, vec_end = 0;  // output positions (vectors)
  int64_t weight_bits = 0;             // encoded weight bits the tile needs from memory
  int64_t decode_units = 0;            // decoder work: words, entries, codes, pairs, block rows
  int64_t nonzeros = 0;                // nonzero weights in the tile
  // The weight block (output tile x reduction tile) it loads, numbered in the order of the
  // first vector chunk; later chunks load the same blocks again.
  int64_t block = 0;
  int64_t band = -1;  // a banded layer's band whose input rows it reads (-1: not banded)
  // Where its block lies in the network's weight image: every layer's blocks in order, each
  // at a 64-byte boundary (a DRAM burst: a tile's fetch reads only its own bursts), or, with
  // resident weights, at a word of the weight buffer. The image is at DRAM address 0, and at
  // weight-buffer address 0 when the weights are resident.
  int64_t weight_address = 0;
};

// A band of a layer whose operands do not fit the input buffer: one image's output rows
// [out_begin, out_end) (global pooling: input rows), loaded with the input rows they read.
struct Band {
  int64_t image = 0, out_begin = 0, out_end = 0;
  std::vector<std::pair<int64_t, int64_t>> rows;  // per operand: its input rows [first, end)
  int64_t bytes = 0;                              // those rows of every operand, all channels
  int64_t vec_begin = 0, vec_end = 0;             // convolutions: the band's vectors
};

// One tensor a layer reads.
struct Operand {
  int producer = -1;       // the layer whose output it is; -1: the image
  int storage = -1;        // whose output region holds it (an alias's input's); -1: the image
  int64_t bytes = 0;       // the batch's values
  bool from_dram = false;  // loaded into the input buffer for this layer
};

struct LayerPlan {
  size_t layer = 0;  // index in the network
  std::string name;
  net::LayerKind kind = net::LayerKind::Dense;
  net::WeightForm form = net::WeightForm::Dense8;
  int64_t outputs = 0, reduction = 0, vectors = 0, lanes = 1;
  int64_t batch = 1, positions = 1;       // vectors = batch x positions (image-major)
  int64_t groups = 1, group_outputs = 0;  // grouped convolutions: tiles stay inside a group
  int64_t out_tiles = 0, red_tiles = 0, vec_chunk = 0;  // vec_chunk: vectors per tile
  std::vector<TilePlan> tiles;  // execution order: vector chunk, output tile, reduction tile
  int64_t blocks = 0;           // distinct weight blocks (the first chunk's tiles)
  int64_t skipped_tiles = 0;    // all-zero tiles dropped
  int64_t macs = 0;             // outputs x weight columns x vectors (dense arithmetic)
  int64_t weight_bytes = 0;     // the layer's encoded weights
  int64_t input_bytes = 0, output_bytes = 0;  // the batch's activations, a byte per value to 8 bits
  std::vector<Operand> operands;              // in the order of the layer's inputs
  // Any operand is loaded from DRAM; the output is written to DRAM (for an alias: only when it
  // is the network's result and its storage is on chip; then `alias` and the write is its own).
  bool input_from_dram = false, output_to_dram = false;
  bool alias = false;         // relu, flatten: the output is the input's storage
  int storage = -1;           // whose output region holds the output (itself unless an alias)
  int64_t vector_cycles = 0;  // layers on the vector unit: its cycles
  // Input banding: when the operands do not fit the input buffer, a spatial layer runs band by
  // band, each band's input rows (halo included) loaded from DRAM into one of `band_slots`
  // regions of the buffer (two: the next band loads while this one runs; one when two do not
  // fit). Empty: the operands are loaded whole.
  std::vector<Band> bands;
  int64_t band_slots = 0;
  int64_t halo_bytes = 0;  // bytes the bands read more than once (the overlapping rows)
};

struct Schedule {
  std::vector<LayerPlan> layers;  // one per network layer
  int64_t image_bytes = 0;        // the batch's images, as the first layers read them
  int64_t weight_bytes = 0;       // the weight image (TilePlan::weight_address), alignment included
  bool weights_resident = false;  // buffers.weight.residency: resident
  // Streamed weights: tiles in flight, each in its own slot of weight_size / prefetch_tiles
  // bytes (buffers.weight.prefetch_tiles; 0 there: as many as hold the largest tile).
  int64_t prefetch_tiles = 2;
};

// A layer the design point cannot run: what() is "layer 'NAME': why (fix)"; `key` is the
// design-point key that limits it, so that a caller holding the design point's locations can
// point at the line to change (locate()).
class MappingError : public InputError {
 public:
  MappingError(const std::string& layer, std::string key, const std::string& why,
               const std::string& fix);
  // Of the whole network: "why (fix)".
  MappingError(std::string key, const std::string& why, const std::string& fix);
  std::string key;
  std::string detail;  // "layer 'NAME': why (fix)"
};

// The error as the user should see it: at the design point's line of the limiting key, naming
// the network file too.
InputError locate(const MappingError& e, const config::LoadedDesignPoint& dp,
                  const std::string& network_file);

// `batch` images run together: each weight tile streams the vectors of all of them. Throws
// MappingError when a layer cannot be mapped.
Schedule compile(const net::Network& network, const config::DesignPoint& dp, int64_t batch = 1);

// Bytes one activation value takes in the buffers and in DRAM.
int64_t activation_bytes(int bits);
// Bytes of one partial sum in the output buffer (acc_bits rounded up to 8, 16, 32 or 64).
int64_t accumulator_bytes(int64_t acc_bits);

}  // namespace trine::compile
