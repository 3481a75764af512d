#pragma once
// ONNX models as trine's float networks (docs/import.md): parsed and checked with the ONNX
// library, operators mapped onto trine's layer kinds, batch normalization folded, activations
// fused, Identity and Dropout dropped.
#include <string>
#include <vector>

#include "sim/import/float_net.hpp"

namespace trine::import {

// The opsets of the default domain that trine reads.
constexpr int kMinOpset = 11, kMaxOpset = 17;

// The ONNX operators trine imports, in docs/import.md's order: one list for the reader's
// messages, the documentation test and `trine import --help`.
const std::vector<std::string>& supported_operators();

// Reads MODEL.onnx. Throws InputError naming the file: a file that does not parse, the ONNX
// checker's message for an invalid model, an opset outside [kMinOpset, kMaxOpset], every
// unsupported node (name and type, in one message), a weight that is not a constant, a graph
// without exactly one image input, an attribute trine cannot honour (naming the node).
FloatNet read_onnx(const std::string& path);
// The same for a model's bytes; `name` names them in messages.
FloatNet parse_onnx(const std::string& bytes, const std::string& name);

}  // namespace trine::import
