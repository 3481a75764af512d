// libFuzzer target: the ONNX importer. Any bytes must give a float network or an InputError;
// a network it accepts must evaluate in float and quantize into a well-formed trine network
// (or be refused with an InputError), without a crash or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/float_forward.hpp"
#include "sim/import/onnx_reader.hpp"
#include "sim/import/quantize.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const trine::import::FloatNet n = trine::import::parse_onnx(bytes, "fuzz.onnx");
    // Small networks only: the reader is what is fuzzed.
    int64_t work = n.input.size();
    for (const auto& l : n.layers) work += l.out.size() + static_cast<int64_t>(l.weights.size());
    if (work > (int64_t{1} << 20)) return 0;
    trine::data::Dataset d;
    d.count = 1, d.channels = n.input.channels, d.height = n.input.height, d.width = n.input.width;
    d.pixels.assign(static_cast<size_t>(n.input.size()), 128);
    d.labels = {0};
    const auto weights = trine::import::project_all(n, trine::gen::parse_form("dense8", -1));
    const trine::import::FloatRun run = trine::import::run_float(n, d, 1, true);
    trine::import::quantize(n, weights, run, {}, "fuzz.onnx");
  } catch (const trine::InputError&) {
  }
  return 0;
}
