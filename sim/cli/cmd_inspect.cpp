// trine inspect: the layer table of a .tnet file.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/gen/calibrate.hpp"
#include "sim/net/footprint.hpp"
#include "sim/net/tnet.hpp"

namespace trine::cli {

static std::string type_text(const net::TensorType& t) {
  return std::to_string(t.channels) + "x" + std::to_string(t.height) + "x" +
         std::to_string(t.width) + " " + (t.is_signed ? "s" : "u") + std::to_string(t.bits);
}

// Each layer's outputs on the --dataset images.
static std::vector<gen::LayerActivity> activities(const po::variables_map& vm,
                                                  const net::Network& n) {
  const int64_t count = vm["images"].as<int64_t>();
  if (count < 1 || count > 10000) throw InputError("trine inspect: --images must be in [1, 10000]");
  std::string spec = vm["dataset"].as<std::string>();
  if (spec == "synthetic")
    spec = "synthetic:size=" + std::to_string(n.input.channels) + "x" +
           std::to_string(n.input.height) + "x" + std::to_string(n.input.width) +
           ",test=" + std::to_string(count);
  const data::Dataset d = data::fit_images(data::load(spec, data::Split::Test, count),
                                           n.input.channels, n.input.height, n.input.width, n.name);
  return gen::activity(n, d, 0);
}

static std::string params_text(const net::Layer& l) {
  const net::Weights& w = l.weights;
  switch (w.form) {
    case net::WeightForm::Dense8:
      return "";
    case net::WeightForm::Ternary:
      return "run_bits=" + std::to_string(w.ternary.run_bits);
    case net::WeightForm::NK:
      return "N=" + std::to_string(w.nk.n) + ",k=" + std::to_string(w.nk.k) +
             ",P=" + std::to_string(w.nk.table_rows);
    case net::WeightForm::ColComb:
      return "alpha=" + std::to_string(w.colcomb.alpha) + ",cols " + std::to_string(w.cols) + "->" +
             std::to_string(w.colcomb.groups.size());
    case net::WeightForm::LowBit:
      return "bits=" + std::to_string(w.lowbit.bits) + ",block=" + std::to_string(w.lowbit.block) +
             ",kept=" + std::to_string(w.lowbit.kept_tiles);
  }
  return "";
}

int cmd_inspect(const Args& args) {
  po::options_description opts("inspect options");
  opts.add_options()("model", po::value<std::string>()->required(), "the .tnet file")(
      "activations", po::bool_switch(),
      "run the reference on --images images of --dataset and show each layer's share of zero "
      "and of saturated outputs")(
      "dataset", po::value<std::string>()->default_value("synthetic"),
      "with --activations: synthetic (at the network's input, seed 1) or a data set "
      "(fashion-mnist, idx:DIR, cifar10:DIR), fitted to the input")(
      "images", po::value<int64_t>()->default_value(8), "with --activations: how many");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse("inspect", "--model M.tnet", args, opts, pos, vm)) return 0;
  const std::string path = vm["model"].as<std::string>();
  const net::Network n = net::read_tnet(path);
  const auto types = net::infer_types(n, path);
  if (!vm["activations"].as<bool>() && (!vm["dataset"].defaulted() || !vm["images"].defaulted()))
    throw InputError("trine inspect: --dataset and --images go with --activations");
  const std::vector<gen::LayerActivity> act =
      vm["activations"].as<bool>() ? activities(vm, n) : std::vector<gen::LayerActivity>{};

  std::printf("model: %s\nname: %s\ninput: %s (pixel >> %d)\nclasses: %lld\n", path.c_str(),
              n.name.c_str(), type_text(net::input_type(n.input)).c_str(), n.input.shift,
              static_cast<long long>(n.classes));
  for (const auto& [k, v] : n.meta) std::printf("%s: %s\n", k.c_str(), v.c_str());
  const bool show = !act.empty();
  // The layer column is as wide as the longest name (topology files name layers at length).
  int name_width = 12;
  for (const net::Layer& l : n.layers)
    name_width = std::max(name_width, static_cast<int>(std::min<size_t>(l.name.size(), 200)));
  std::printf("\n%-3s %-*s %-13s %-14s %-8s %-22s %10s %10s %8s %7s %10s%s\n", "#", name_width,
              "layer", "kind", "output", "form", "parameters", "weights", "nonzero", "sparsity",
              "bits/w", "bytes", show ? "    zeros  saturated" : "");
  const net::Footprint f = net::footprint(n);
  // A graph: each layer's inputs, on a line of their own under it.
  const bool graph = !net::is_chain(n);
  const std::vector<std::vector<int>> inputs = net::input_indices(n, path);
  auto inputs_line = [&](size_t i) {
    // (an input layer reads no tensor: the host writes it)
    if (!graph || n.layers[i].kind == net::LayerKind::Input) return;
    std::string names;
    for (int k : inputs[i])
      names += (names.empty() ? "" : ", ") +
               (k < 0 ? std::string("input") : n.layers[static_cast<size_t>(k)].name);
    std::printf("    <- %s\n", names.c_str());
  };
  size_t next = 0;  // next compute layer's footprint
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const net::Layer& l = n.layers[i];
    std::printf("%-3zu %-*s %-13s %-14s ", i, name_width, l.name.c_str(), net::kind_name(l.kind),
                type_text(types[i]).c_str());
    if (l.is_compute()) {
      const net::LayerFootprint& lf = f.layers[next++];
      std::printf("%-8s %-22s %10lld %10lld %7.2f%% %7.3f %10lld", net::form_name(lf.form),
                  params_text(l).c_str(), static_cast<long long>(lf.weights),
                  static_cast<long long>(lf.nonzeros), 100.0 * lf.sparsity(), lf.bits_per_weight(),
                  static_cast<long long>((lf.weight_bits + 7) / 8));
    } else if (show) {
      std::printf("%-85s", "");
    }
    if (show)
      std::printf(" %7.1f%% %9.2f%%", 100.0 * act[i].zero_fraction(),
                  100.0 * act[i].saturated_fraction());
    std::printf("\n");
    inputs_line(i);
  }
  if (f.weights > 0) {
    std::printf(
        "\ntotal: %lld weights, %lld nonzero (%.2f%% sparse), %lld bytes, %.3f bits/weight\n"
        "vs fp32 %.1fx smaller, vs 1-bit binary %.2fx, vs 2-bit dense ternary %.2fx\n",
        static_cast<long long>(f.weights), static_cast<long long>(f.nonzeros), 100.0 * f.sparsity(),
        static_cast<long long>((f.weight_bits + 7) / 8), f.bits_per_weight(), f.ratio(32),
        f.ratio(1), f.ratio(2));
    if (f.table_bits > 0)
      std::printf(
          "decoder tables: %lld distinct, %lld bytes (decoder storage, not weight memory)\n",
          static_cast<long long>(f.tables), static_cast<long long>((f.table_bits + 7) / 8));
  }
  return 0;
}

}  // namespace trine::cli
