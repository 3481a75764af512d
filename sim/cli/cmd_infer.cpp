// trine infer: predictions of the integer reference model on an IDX dataset.
#include <cstdio>

#include "sim/cli/options.hpp"
#include "sim/data/idx.hpp"
#include "sim/net/tnet.hpp"
#include "sim/ref/reference.hpp"
#include "sim/util/error.hpp"

namespace trine::cli {

int cmd_infer(const Args& args) {
  po::options_description opts("infer options");
  opts.add_options()("model", po::value<std::string>()->required(), "the .tnet file")(
      "dataset", po::value<std::string>()->default_value("fashion-mnist"),
      "fashion-mnist, idx:DIR (MNIST file names, .gz or not), cifar10:DIR, or "
      "synthetic[:KEY=VALUE,...]; images smaller than the network's are centred and padded")(
      "split", po::value<std::string>()->default_value("test"), "test (t10k-*) or train")(
      "limit", po::value<int64_t>()->default_value(0), "use only the first N images (0: all)")(
      "threads,j", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
      "predictions", "print one line per image: index, label, prediction");
  po::positional_options_description pos;
  po::variables_map vm;
  if (!parse(
          "infer",
          "--model M.tnet [--dataset fashion-mnist|idx:DIR|cifar10:DIR|synthetic[:KEY=VALUE,...]] "
          "[--split test|train] [--limit N] [-j N] [--predictions]",
          args, opts, pos, vm))
    return 0;
  const std::string split = vm["split"].as<std::string>();
  if (split != "test" && split != "train")
    throw InputError("trine infer: --split must be test or train, not '" + split + "'");
  if (vm["limit"].as<int64_t>() < 0) throw InputError("trine infer: --limit must be >= 0");
  const net::Network n = net::read_tnet(vm["model"].as<std::string>());
  const data::Dataset d =
      data::fit_images(data::load(vm["dataset"].as<std::string>(),
                                  split == "test" ? data::Split::Test : data::Split::Train,
                                  vm["limit"].as<int64_t>()),
                       n.input.channels, n.input.height, n.input.width, n.name);
  const ref::Evaluation e = ref::evaluate(n, d, vm["threads"].as<int>());
  if (vm.count("predictions"))
    for (int64_t i = 0; i < d.count; ++i)
      std::printf("%lld %d %lld\n", static_cast<long long>(i), d.labels[i],
                  static_cast<long long>(e.predictions[i]));
  std::printf("accuracy: %.4f (%lld/%lld)\n", e.accuracy(), static_cast<long long>(e.correct),
              static_cast<long long>(d.count));
  return 0;
}

}  // namespace trine::cli
