#pragma once
// The post-training form of each weight method (docs/import.md, "Compression"): a layer's
// float weights projected onto the form's integer codes, with one scale per output channel,
// without retraining. `trine import --method` uses it; dense8 is the plain 8-bit quantization.
#include <cstdint>
#include <vector>

#include "sim/gen/random_net.hpp"
#include "sim/import/float_net.hpp"
#include "sim/net/weights.hpp"

namespace trine::import {

// codes(o, c) x scale(o) approximates the weight; `weights` holds the codes in the form
// (column combining: grouped, its allowed conflicts resolved, so codes are what it decodes to).
struct Projection {
  net::WeightMatrix codes;
  std::vector<double> scale;  // per output channel (row)
  net::Weights weights;
};

// One layer's rows x cols weights (row-major) in `form`:
//   dense8: magnitude pruning to the form's sparsity (0 by default), then round(w / s) with
//     s = max |w| / 127 per row;
//   ternary: the (1 - sparsity) largest magnitudes of the layer kept (each row keeps its
//     largest), codes their signs, s = the mean kept |w| of the row (least squares);
//   nk: in each group of n consecutive weights of a row, its k largest magnitudes (ties: the
//     lower index) as signs, s as ternary;
//   colcomb: pruning as dense8 to its sparsity, 8-bit codes, then columns grouped (alpha,
//     gamma) with each row's largest code of a group kept where they conflict;
//   lowbit: the keep fraction of the layer's block x block tiles with the largest L2 norm, then
//     bits-bit codes with the clip (0.3 to 1.0 of the row's peak) of least squared error
//     (bits 1: signs, s as ternary).
Projection project(const gen::FormSpec& form, const std::vector<float>& w, int64_t rows,
                   int64_t cols);

// Every compute layer's projection (empty for the others).
std::vector<Projection> project_all(const FloatNet& n, const gen::FormSpec& form);
// `n` with each compute layer's weights replaced by codes x scale: the float model of the
// compressed network, which calibration runs.
FloatNet with_projected(const FloatNet& n, const std::vector<Projection>& p);

}  // namespace trine::import
