#pragma once
// The largest inputs trine accepts. Each is checked before anything of that size is allocated
// or simulated, and an input past one is refused (exit status 2) with the limit named in the
// message. docs/inputs.md lists them with every input kind.
#include <cstdint>

namespace trine::limits {

// A YAML file read whole: design point, DRAM preset, technology file, sweep spec, regression
// case. The largest shipped one is under 8 KiB.
constexpr int64_t kTextFileBytes = int64_t{16} << 20;
// A .tnet file (VGG-16 with 8-bit weights is 138 MB).
constexpr int64_t kModelFileBytes = int64_t{2} << 30;
// An IDX image or label file as stored (gzipped or not), and its pixels once unpacked.
constexpr int64_t kDatasetFileBytes = int64_t{2} << 30;
constexpr int64_t kDatasetBytes = int64_t{4} << 30;
// Elements of one tensor: a layer's weights or one image's activations at any layer
// (ResNet-50 at 224x224 peaks at 0.8 M activations, VGG-16's fc6 has 103 M weights).
constexpr int64_t kTensorElements = int64_t{1} << 30;
// Weights of a network `trine net` makes (twice VGG-16's 138 M): the reference and the
// datapath keep them decoded, about 5 bytes each beside the file's.
constexpr int64_t kGeneratedWeights = int64_t{1} << 28;
// Activations of one image over all tensors of a network `trine net` makes from a topology
// file (every row's input and output; the reference and the datapath keep each, 4 bytes a
// value): 2^26, four times VGG-16's at 224x224.
constexpr int64_t kGeneratedActivations = int64_t{1} << 26;
// An imported ONNX model (`trine import`): its weights, one image's activations over all of
// its layers, and its multiply-accumulates per image (2^36 is 17 times VGG-16's at 224x224):
// the importer evaluates it in float on every calibration and test image, so the work is
// bounded before any is done.
constexpr int64_t kImportedWeights = int64_t{1} << 28;
constexpr int64_t kImportedActivations = int64_t{1} << 26;
constexpr int64_t kImportedMacs = int64_t{1} << 36;
// Points of a sweep before its filter (each point is a process and a row).
constexpr int64_t kSweepPoints = 100000;
// A sweep filter: its length, and how deeply its operators may nest.
constexpr int64_t kFilterBytes = 65536;
constexpr int kFilterDepth = 200;
// YAML nesting in any input (the deepest shipped file nests 4 levels).
constexpr int kYamlDepth = 64;
// One line of a DRAM trace file; its requests' cycles and addresses (the DRAM's simulated
// time: 10^11 cycles is 83 s at 1.2 GHz, and simulating that much idle time takes ~0.3 s).
constexpr int64_t kTraceFileBytes = int64_t{2} << 30;
constexpr int64_t kTraceLineBytes = 4096;
constexpr uint64_t kTraceCycle = 100000000000ull;
// A DRAM's capacity, all channels: 2^48 bytes (256 TiB).
constexpr int kDramCapacityBits = 48;
// Bytes of a generated DRAM pattern (`trine dram --bytes`).
constexpr int64_t kPatternBytes = int64_t{256} << 20;

}  // namespace trine::limits
