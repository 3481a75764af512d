// trine import: an ONNX model as a trine network, quantized after training with calibrated
// activation ranges (docs/import.md).
#include <cmath>
#include <cstdio>
#include <sstream>

#include "sim/cli/options.hpp"
#include "sim/gen/calibrate.hpp"
#include "sim/gen/random_net.hpp"
#include "sim/import/float_forward.hpp"
#include "sim/import/onnx_reader.hpp"
#include "sim/import/quantize.hpp"
#include "sim/net/tnet.hpp"
#include "sim/ref/reference.hpp"
#include "sim/util/file.hpp"

namespace trine::cli {

namespace {

// --mean/--std: one value per input channel, or one for all.
std::vector<float> channel_values(const po::variables_map& vm, const char* option,
                                  int64_t channels) {
  const std::string text = vm[option].as<std::string>();
  std::vector<float> values;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(v) ||
        (std::string(option) == "std" && !(v > 0)))
      throw InputError(std::string("trine import: --") + option + " must be " +
                       (std::string(option) == "std" ? "positive " : "") +
                       "numbers separated by commas, not '" + text + "'");
    values.push_back(static_cast<float>(v));
  }
  if (values.size() == 1) values.assign(static_cast<size_t>(channels), values.front());
  if (static_cast<int64_t>(values.size()) != channels)
    throw InputError(std::string("trine import: --") + option + " gives " +
                     std::to_string(values.size()) + " values for a model of " +
                     std::to_string(channels) + " input channels");
  return values;
}

data::Dataset images(const po::variables_map& vm, const import::FloatNet& n, data::Split split,
                     int64_t count) {
  std::string spec = vm["calib"].as<std::string>();
  if (spec == "synthetic")
    spec = "synthetic:size=" + import::shape_text(n.input) + ",train=" + std::to_string(count) +
           ",test=" + std::to_string(count);
  return data::fit_images(data::load(spec, split, count), n.input.channels, n.input.height,
                          n.input.width, n.name);
}

int64_t count_option(const po::variables_map& vm, const char* option, int64_t lo) {
  const int64_t v = vm[option].as<int64_t>();
  if (v < lo || v > 100000)
    throw InputError(std::string("trine import: --") + option + " must be in [" +
                     std::to_string(lo) + ", 100000]");
  return v;
}

void print_layers(const import::Quantized& q, const import::FloatNet& f,
                  const std::vector<gen::LayerActivity>& act, const std::vector<double>& sqnr) {
  std::printf("%-28s %-34s %-12s %12s %12s %10s %9s\n", "layer", "from", "output", "range", "scale",
              "saturated", "SQNR dB");
  for (size_t i = 0; i < f.layers.size(); ++i) {
    const import::FloatLayer& l = f.layers[i];
    const import::LayerScale& s = q.scales[i];
    std::printf("%-28s %-34s %-12s %12.4g %12.4g", l.name.c_str(), l.ops.c_str(),
                import::shape_text(l.out).c_str(), s.range, s.scale);
    if (act[i].requantized)
      std::printf(" %9.3f%%", 100.0 * act[i].saturated_fraction());
    else
      std::printf(" %10s", "-");
    std::printf(" %9.1f\n", sqnr[i]);
  }
}

// A quantized model's scales that trine keeps, and those it re-expresses with why.
void print_notes(const std::vector<import::ScaleNote>& notes) {
  if (notes.empty()) return;
  size_t kept = 0;
  for (const import::ScaleNote& n : notes) kept += n.how == "kept";
  std::printf("QDQ scales: %zu of %zu kept as the model gives them\n", kept, notes.size());
  for (const import::ScaleNote& n : notes)
    if (n.how != "kept")
      std::printf("  %-28s model %.4g (%s, zero point %g), trine %.4g: %s\n", n.tensor.c_str(),
                  n.model_scale, n.model_signed ? "int8" : "uint8", n.zero_point, n.scale,
                  n.how.c_str());
}

double accuracy(const std::vector<int64_t>& predictions, const data::Dataset& d) {
  int64_t correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i] == d.labels[i];
  return predictions.empty() ? 0 : static_cast<double>(correct) / predictions.size();
}

void write_predictions(const std::string& path, const data::Dataset& d,
                       const std::vector<int64_t>& floats, const std::vector<int64_t>& ints) {
  std::string text = "# image label float quantized\n";
  for (size_t i = 0; i < floats.size(); ++i)
    text += std::to_string(i) + " " + std::to_string(d.labels[i]) + " " +
            std::to_string(floats[i]) + " " + std::to_string(ints[i]) + "\n";
  write_file_atomic(path, text);
}

// The network in `form`: weights projected, activation ranges calibrated on `calib` with
// them, quantized.
import::Quantized quantized(const import::FloatNet& folded, const gen::FormSpec& form,
                            const data::Dataset& calib, import::QuantOptions qo, int threads,
                            const std::string& model){
    const std::vector<import::Projection> weights = import::project_all(folded, form);
const import::FloatRun ranges =
    import::run_float(import::with_projected(folded, weights), calib, threads, true);
qo.layer_meta = {{"method", form.method.name},
                 {"form", form.weights_text()},
                 {"training", "none: post-training projection (trine import)"}};
return import::quantize(folded, weights, ranges, qo, model);
}  // namespace

// Images over which the per-layer SQNR is measured (each is a float and an integer run).
constexpr int64_t kSqnrImages = 8;

}  // namespace trine::cli

int cmd_import(const Args& args) {
  po::options_description opts("import options");
  opts.add_options()("model", po::value<std::string>()->required(), "the ONNX model")(
      "output,o", po::value<std::string>()->required(), "the .tnet to write")(
      "calib", po::value<std::string>()->default_value("fashion-mnist"),
      "data set whose training images calibrate the activation ranges and whose test images "
      "measure accuracy: fashion-mnist, idx:DIR, cifar10:DIR or synthetic, fitted to the input")(
      "images", po::value<int64_t>()->default_value(100), "calibration images")(
      "test-images", po::value<int64_t>()->default_value(10000),
      "test images for the accuracies (at most the split's)")(
      "calibration", po::value<std::string>()->default_value("percentile:99.99"),
      "range rule: minmax, or percentile:P (the magnitude below P % of a tensor's nonzero "
      "calibration outputs)")(
      "method", po::value<std::string>()->default_value("dense8"),
      "weight form, projected without retraining, in `trine train --method help`'s grammar: "
      "dense8, ternary, nk:N,K, colcomb:alpha=A,gamma=G,sparsity=S, lowbit:bits=B,block=K,keep=F")(
      "sparsity", po::value<double>(),
      "fraction of weights pruned by magnitude (dense8 0, ternary 0.7, colcomb its sparsity)")(
      "mean", po::value<std::string>(),
      "per-channel mean of torchvision's Normalize (m1,m2,m3), on pixels / 255")(
      "std", po::value<std::string>(), "per-channel standard deviation of Normalize")(
      "predictions", po::value<std::string>(),
      "write one line per test image: index, label, the float model's prediction, the quantized "
      "network's")("threads", po::value<int>()->default_value(0), "threads (0: all cores)");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse("import", "MODEL.onnx -o OUT.tnet [options]", args, opts, pos, vm)) return 0;
  if (vm.count("mean") != vm.count("std"))
    throw InputError("trine import: --mean and --std go together");
  const std::string model = vm["model"].as<std::string>();
  const import::QuantOptions qo{import::parse_calibration(vm["calibration"].as<std::string>(),
                                                          "trine import: --calibration")};
  const int64_t calib_count = count_option(vm, "images", 1);
  const int64_t test_count = count_option(vm, "test-images", 0);
  const int threads = vm["threads"].as<int>();
  if (threads < 0 || threads > 256) throw InputError("trine import: --threads must be in [0, 256]");
  // A negative --sparsity would read as "not given" below: refused, as trine net refuses it.
  if (vm.count("sparsity") && !(vm["sparsity"].as<double>() >= 0))
    throw InputError("trine import: --sparsity must be in [0, 0.99]");
  if (vm.count("predictions") && test_count == 0)
    throw InputError("trine import: --predictions needs test images (--test-images > 0)");

  import::FloatNet f = import::read_onnx(model);
  std::string stem = model.substr(model.find_last_of('/') + 1);
  f.name = stem.substr(0, stem.rfind('.'));
  if (vm.count("mean"))
    f.norm = {channel_values(vm, "mean", f.input.channels),
              channel_values(vm, "std", f.input.channels)};
  const gen::FormSpec form = gen::parse_form(
      vm["method"].as<std::string>(), vm.count("sparsity") ? vm["sparsity"].as<double>() : -1,
      "--method", "trine import projects the weights without retraining");
  const data::Dataset calib = images(vm, f, data::Split::Train, calib_count);
  const import::FloatNet folded = import::fold_normalization(f, model);
  import::Quantized q = quantized(folded, form, calib, qo, threads, model);
  q.net.meta = {{"producer", "trine import"},
                {"model", stem},
                {"opset", std::to_string(f.opset)},
                {"method", form.weights_text() + ", post-training"},
                {"calibration", vm["calib"].as<std::string>() + ", " + std::to_string(calib.count) +
                                    " images, " + qo.calibration.text()}};
  if (vm.count("mean"))
    q.net.meta.emplace_back("normalization", "mean " + vm["mean"].as<std::string>() + ", std " +
                                                 vm["std"].as<std::string>());
  const std::string out = vm["output"].as<std::string>();
  net::write_tnet(q.net, out);
  print_layers(q, f, gen::activity(q.net, calib, threads), import::sqnr(f, q, calib, kSqnrImages));
  print_notes(q.notes);
  if (test_count > 0) {
    const data::Dataset test = images(vm, f, data::Split::Test, test_count);
    const std::vector<int64_t> fp = import::run_float(f, test, threads, false).predictions;
    const ref::Evaluation qe = ref::evaluate(q.net, test, threads);
    const double fa = accuracy(fp, test), qa = qe.accuracy();
    // A QDQ model's float evaluation applies its own quantization (fake-quantized tensors).
    std::printf("accuracy on %lld test images: %s %.2f%%", static_cast<long long>(test.count),
                f.quantized() ? "QDQ model" : "float", 100 * fa);
    if (form.form != net::WeightForm::Dense8 || form.sparsity > 0) {
      // The method's own cost: beside the plain 8-bit network's.
      const double dense =
          ref::evaluate(
              quantized(folded, gen::parse_form("dense8", -1), calib, qo, threads, model).net, test,
              threads)
              .accuracy();
      std::printf(", trine 8-bit %.2f%% (%+.2f points)", 100 * dense, 100 * (dense - fa));
    }
    std::printf(", trine %s %.2f%% (%+.2f points)\n", form.weights_text().c_str(), 100 * qa,
                100 * (qa - fa));
    if (vm.count("predictions"))
      write_predictions(vm["predictions"].as<std::string>(), test, fp, qe.predictions);
  }
  std::printf("%s: %s, %zu layers from %d ONNX nodes (opset %d), written to %s\n", model.c_str(),
              q.net.name.c_str(), q.net.layers.size(), f.nodes, f.opset, out.c_str());
  return 0;
}

}  // namespace trine::cli
