#pragma once
// SCALE-Sim topology files (docs/net.md, "Topology files"): a CSV of independent layers, each
// with its own input as stored (padding included), in the convolution form (IFMAP height and
// width, filter height and width, channels, filters, strides) or the GEMM form (M, N, K).
// `trine net --topology` fills them with random weights; each layer reads its own input from
// DRAM (an input layer, net::LayerKind::Input) and writes its output there.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/gen/random_net.hpp"
#include "sim/net/network.hpp"

namespace trine::gen {

// One row, in the convolution form (a GEMM row M, N, K is a 1x1 convolution of K channels over
// an M x 1 input with N filters: M x N x K MACs).
struct TopologyRow {
  std::string name;
  int line = 0;  // in the file, for messages
  int64_t ifmap_h = 0, ifmap_w = 0, filter_h = 0, filter_w = 0, channels = 0, filters = 0;
  int64_t stride_h = 1, stride_w = 1;
  // SCALE-Sim's convention: a layer whose name contains "DP" is depthwise, each of its
  // channels convolved with `filters` filters of its own (groups = channels).
  bool depthwise = false;
  int64_t out_h() const { return (ifmap_h - filter_h) / stride_h + 1; }
  int64_t out_w() const { return (ifmap_w - filter_w) / stride_w + 1; }
  int64_t out_c() const { return depthwise ? channels * filters : filters; }
  int64_t macs() const {
    return out_c() * out_h() * out_w() * (depthwise ? 1 : channels) * filter_h * filter_w;
  }
};

// Reads and checks a topology file: the header's columns (either form, in any order; an
// unknown column is an error), then one layer per row. Blank rows, rows of empty fields and
// text after '#' are skipped. Every error is InputError at FILE:LINE naming the column.
std::vector<TopologyRow> read_topology(const std::string& path);
// The same from text (`path` names it in messages).
std::vector<TopologyRow> parse_topology(const std::string& text, const std::string& path);

// The rows as a network: per row an input layer "NAME.ifmap" of the row's input shape and the
// row's convolution (no padding, relu, 8-bit outputs) with random weights of `form`; `image`
// seeds the input layers (docs/net.md). Requantization is left to calibrate().
net::Network topology_network(const std::vector<TopologyRow>& rows, const std::string& name,
                              const net::InputSpec& image, const FormSpec& form, uint64_t seed);

}  // namespace trine::gen
