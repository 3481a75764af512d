// trine net: a network of a given shape with random compressed weights and calibrated
// requantization, for cycles, traffic and energy of networks not trained here (docs/net.md).
#include <chrono>
#include <cstdio>
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/data/synthetic.hpp"
#include "sim/gen/calibrate.hpp"
#include "sim/gen/random_net.hpp"
#include "sim/gen/topology.hpp"
#include "sim/net/footprint.hpp"
#include "sim/net/tnet.hpp"
#include "sim/train/spec.hpp"
#include "sim/util/limits.hpp"

namespace trine::cli {

namespace {

const train::FamilyDecl* family_of(const std::string& arch) {
  const std::string name = arch.substr(0, arch.find(':'));
  for (const train::FamilyDecl& f : train::families())
    if (name == f.name) return &f;
  return nullptr;
}

// --input CxHxW, as a family's input parameter takes it.
train::ImageShape parse_input(const std::string& text, train::ImageShape shape) {
  long long c = 0, h = 0, w = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%lldx%lldx%lld%n", &c, &h, &w, &used) != 3 ||
      used != static_cast<int>(text.size()) || c < 1 || c > 4 || h < 1 || h > 1024 || w < 1 ||
      w > 1024)
    throw InputError(
        "trine net: --input must be CxHxW (1-4 channels, 1-1024 pixels a side), not '" + text +
        "'");
  shape.channels = c, shape.height = h, shape.width = w;
  return shape;
}

// The network's shape from --arch, --input, --width and --classes.
train::NetSpec shape_of(const po::variables_map& vm) {
  std::string arch = vm["arch"].as<std::string>();
  const train::FamilyDecl* family = family_of(arch);
  train::ImageShape shape = family ? family->native : train::ImageShape{1, 28, 28, 10};
  if (vm.count("input")) shape = parse_input(vm["input"].as<std::string>(), shape);
  if (vm.count("classes")) {
    const int64_t classes = vm["classes"].as<int64_t>();
    if (classes < 1 || classes > 100000)
      throw InputError("trine net: --classes must be in [1, 100000]");
    shape.classes = classes;
  }
  if (vm.count("width")) {
    if (!family)
      throw InputError("trine net: --width applies to the built-in families, not '" + arch + "'");
    if (arch.find("width=") != std::string::npos)
      throw InputError("trine net: the width is given twice (--arch " + arch + " and --width)");
    arch += (arch.find(':') == std::string::npos ? ":" : ",") + std::string("width=") +
            std::to_string(vm["width"].as<int64_t>());
  }
  try {
    return train::parse_net(arch, shape);
  } catch (const InputError& e) {
    // The trainer's parser names its option --net; here it is --arch.
    const std::string what = e.what();
    if (what.rfind("--net ", 0) == 0) throw InputError("trine net: --arch " + what.substr(6));
    throw;
  }
}

// Refuses a network of more weights than trine net makes, before any is drawn.
void check_weights(int64_t weights, const std::string& what) {
  if (weights > limits::kGeneratedWeights)
    throw InputError("trine net: " + what + " has " + std::to_string(weights) +
                     " weights; trine net makes networks of at most " +
                     std::to_string(limits::kGeneratedWeights) + " (docs/inputs.md)");
}

net::Network from_arch(const po::variables_map& vm, const gen::FormSpec& form, uint64_t seed) {
  const train::NetSpec spec = shape_of(vm);
  int64_t weights = 0;
  for (const train::LayerSpec& l : spec.layers)
    if (l.is_compute()) weights += l.rows() * l.cols();
  check_weights(weights, "--arch " + vm["arch"].as<std::string>());
  return gen::random_network(spec, form, seed);
}

// A topology's layers; the image that seeds their inputs is --input (default 1x28x28, the
// default data set's).
net::Network from_topology(const po::variables_map& vm, const gen::FormSpec& form, uint64_t seed) {
  for (const char* option : {"width", "classes"})
    if (vm.count(option))
      throw InputError(std::string("trine net: --") + option +
                       " applies to --arch; a topology file gives every layer's shape");
  const std::string path = vm["topology"].as<std::string>();
  const std::vector<gen::TopologyRow> rows = gen::read_topology(path);
  // Each row's figures are below 2^30: the sums over a file's rows cannot overflow.
  int64_t weights = 0, values = 0;
  for (const gen::TopologyRow& r : rows) {
    weights += r.out_c() * (r.depthwise ? 1 : r.channels) * r.filter_h * r.filter_w;
    values += r.ifmap_h * r.ifmap_w * r.channels + r.out_c() * r.out_h() * r.out_w();
  }
  check_weights(weights, path);
  if (values > limits::kGeneratedActivations)
    throw InputError("trine net: " + path + " has " + std::to_string(values) +
                     " activations (its rows' inputs and outputs); trine net makes networks of "
                     "at most " +
                     std::to_string(limits::kGeneratedActivations) + " (docs/inputs.md)");
  train::ImageShape image{1, 28, 28, 10};
  if (vm.count("input")) image = parse_input(vm["input"].as<std::string>(), image);
  std::string stem = path.substr(path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.rfind('.'));
  return gen::topology_network(rows, stem.empty() ? "topology" : stem,
                               {image.channels, image.height, image.width, 8, 0}, form, seed);
}

data::Dataset calibration_images(const po::variables_map& vm, const net::Network& n) {
  const int64_t count = vm["calib-images"].as<int64_t>();
  if (count < 1 || count > 10000)
    throw InputError("trine net: --calib-images must be in [1, 10000]");
  std::string spec = vm["calib"].as<std::string>();
  if (spec == "synthetic")
    spec = "synthetic:size=" + std::to_string(n.input.channels) + "x" +
           std::to_string(n.input.height) + "x" + std::to_string(n.input.width) +
           ",test=" + std::to_string(count) + ",seed=" + std::to_string(vm["seed"].as<uint64_t>());
  return data::fit_images(data::load(spec, data::Split::Test, count), n.input.channels,
                          n.input.height, n.input.width, n.name);
}

void print_summary(const net::Network& n, const std::vector<gen::LayerActivity>& act,
                   const std::string& path, double seconds) {
  const net::Footprint f = net::footprint(n);
  size_t worst_sat = 0, worst_zero = 0;
  bool any = false;
  for (size_t i = 0; i < act.size(); ++i) {
    if (!act[i].requantized) continue;
    if (!any || act[i].saturated_fraction() > act[worst_sat].saturated_fraction()) worst_sat = i;
    if (!any || act[i].zero_fraction() > act[worst_zero].zero_fraction()) worst_zero = i;
    any = true;
  }
  std::printf("%s: %s, %zu layers, %.4g MACs, %lld weights (%.2f%% zero), %lld bytes of weights\n",
              path.c_str(), n.name.c_str(), n.layers.size(), static_cast<double>(net::macs(n)),
              static_cast<long long>(f.weights), 100.0 * f.sparsity(),
              static_cast<long long>((f.weight_bits + 7) / 8));
  if (any)
    std::printf(
        "calibrated in %.1f s: most saturated outputs %.2f%% (%s), most zeros %.1f%% (%s)\n",
        seconds, 100.0 * act[worst_sat].saturated_fraction(), n.layers[worst_sat].name.c_str(),
        100.0 * act[worst_zero].zero_fraction(), n.layers[worst_zero].name.c_str());
  std::printf("per layer: trine inspect %s --activations\n", path.c_str());
}

}  // namespace

int cmd_net(const Args& args) {
  po::options_description opts("net options");
  opts.add_options()(
      "arch", po::value<std::string>(),
      "the network's shape: a built-in family (resnet50, mobilenetv2, vgg16, alexnet, resnet18, "
      "resnet20, vgg11, vgg-small, mobilenet, shiftnet; NAME:width=W,input=CxHxW), lenet5, "
      "mlp:784-...-10, or a YAML graph (docs/training.md)")(
      "topology", po::value<std::string>(),
      "instead of --arch: a SCALE-Sim topology CSV (convolution or GEMM form), each row an "
      "independent layer reading its own input from DRAM (docs/net.md)")(
      "input", po::value<std::string>(),
      "input CxHxW (default: the family's own, e.g. 3x224x224 for resnet50; 1x28x28 otherwise; "
      "with --topology, the image that seeds the layers' inputs)")(
      "width", po::value<int64_t>(), "a family's base width (its first stage's channels)")(
      "classes", po::value<int64_t>(), "classifier outputs (default: the family's, 1000 or 10)")(
      "form", po::value<std::string>()->required(),
      "weight form and its parameters, in `trine train --method help`'s grammar: dense8, "
      "ternary, nk:N,K, colcomb:alpha=A,gamma=G,sparsity=S, lowbit:bits=B,block=K,keep=F")(
      "sparsity", po::value<double>(),
      "fraction of weights drawn as zero (dense8 0, ternary 0.7, colcomb its sparsity)")(
      "seed", po::value<uint64_t>()->default_value(1), "weights and synthetic calibration images")(
      "calib", po::value<std::string>()->default_value("synthetic"),
      "images that calibrate the requantization: synthetic (at the network's input) or a data "
      "set (fashion-mnist, idx:DIR, cifar10:DIR), fitted to the input")(
      "calib-images", po::value<int64_t>()->default_value(4), "how many of them")(
      "threads", po::value<int>()->default_value(0), "calibration threads (0: all cores)")(
      "output,o", po::value<std::string>()->required(), "the .tnet to write");
  po::variables_map vm;
  if (!parse("net",
             "(--arch NAME | --topology FILE.csv) --form FORM[:params] [options] -o OUT.tnet", args,
             opts, {}, vm))
    return 0;
  if (vm.count("arch") == vm.count("topology"))
    throw InputError("trine net: give the network's shape by --arch or by --topology (one)");
  const gen::FormSpec form = gen::parse_form(
      vm["form"].as<std::string>(), vm.count("sparsity") ? vm["sparsity"].as<double>() : -1);
  if (vm.count("sparsity") && vm["sparsity"].as<double>() < 0)
    throw InputError("trine net: --sparsity must be in [0, 0.99]");
  const uint64_t seed = vm["seed"].as<uint64_t>();
  net::Network n = vm.count("topology") ? from_topology(vm, form, seed) : from_arch(vm, form, seed);
  const data::Dataset images = calibration_images(vm, n);
  const auto start = std::chrono::steady_clock::now();
  const auto act = gen::calibrate(n, images, vm["threads"].as<int>());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  n.meta = {{"producer", "trine net"},
            {vm.count("arch") ? "arch" : "topology",
             vm[vm.count("arch") ? "arch" : "topology"].as<std::string>()},
            {"form", form.text()},
            {"seed", std::to_string(seed)},
            {"calibration", vm["calib"].as<std::string>() + ", " + std::to_string(images.count) +
                                " images, quantile 0.999"}};
  const std::string path = vm["output"].as<std::string>();
  net::write_tnet(n, path);
  print_summary(n, act, path, seconds);
  return 0;
}

}  // namespace trine::cli
