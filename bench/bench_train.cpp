// One training epoch per method against plain LibTorch training of the same network (torch::nn
// layers, Adam, same batches): the compression overhead should stay below 1.5x. The float
// column is trine's own float epoch (the baseline phase).
// Usage: bench_train [--net mlp:784-512-512-10|lenet5] [--dataset fashion-mnist] [--threads N]
#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/train/model.hpp"
#include "sim/train/trainer.hpp"

using namespace trine;
using Clock = std::chrono::steady_clock;

namespace {

// The same network built from torch::nn modules, trained the textbook way.
double plain_epoch(const train::NetSpec& spec, const data::Dataset& d, int batch) {
  torch::nn::Sequential seq;
  for (const train::LayerSpec& l : spec.layers) {
    switch (l.op) {
      case train::LayerOp::Dense:
        seq->push_back(torch::nn::Linear(l.cols(), l.out_c));
        break;
      case train::LayerOp::Conv:
        seq->push_back(torch::nn::Conv2d(
            torch::nn::Conv2dOptions(l.in_c, l.out_c, l.kernel).stride(l.stride).padding(l.pad)));
        break;
      case train::LayerOp::MaxPool:
        seq->push_back(
            torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(l.kernel).stride(l.stride)));
        break;
      case train::LayerOp::AvgPool:
        seq->push_back(
            torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(l.kernel).stride(l.stride)));
        break;
      case train::LayerOp::Flatten:
        seq->push_back(torch::nn::Flatten());
        break;
      default:  // (a Sequential holds chains only)
        throw std::runtime_error("the torch::nn comparison builds chains; " + l.name +
                                 " is a graph layer");
    }
    if (l.is_compute() && l.relu) seq->push_back(torch::nn::ReLU());
  }
  torch::optim::Adam adam(seq->parameters(), torch::optim::AdamOptions(1e-3));
  const torch::Tensor x = train::image_tensor(d), y = train::label_tensor(d);
  const torch::Tensor perm = torch::randperm(d.count);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < d.count; i += batch) {
    const torch::Tensor idx = perm.narrow(0, i, std::min<int64_t>(batch, d.count - i));
    adam.zero_grad();
    torch::Tensor out = seq->forward(x.index_select(0, idx));
    torch::nn::functional::cross_entropy(out.reshape({out.size(0), -1}), y.index_select(0, idx))
        .backward();
    adam.step();
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string net = "mlp:784-512-512-10", dataset = "fashion-mnist";
  int threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--net")) net = argv[i + 1];
    if (!std::strcmp(argv[i], "--dataset")) dataset = argv[i + 1];
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  const data::Dataset tr = data::load(dataset, data::Split::Train);
  const data::Dataset te = data::load(dataset, data::Split::Test, 1000);
  train::configure_runtime(threads);
  torch::manual_seed(1);
  const train::NetSpec spec = train::parse_net(net, {1, tr.height, tr.width, 10});
  // The machine's speed drifts by 10-20 % over minutes: every figure is the fastest of
  // `repeats` epochs, and the repeats interleave plain and compressed epochs so that a slow
  // minute does not fall on one side only. A warm-up epoch first (thread pools, page faults).
  const int repeats = 3;
  const std::vector<std::string> methods = {"dense8", "ternary", "nk:8,2", "colcomb", "lowbit"};
  // One float baseline, trained once and shared: each repeat then trains only the compressed
  // epoch.
  const std::string baseline = (std::filesystem::temp_directory_path() /
                                ("bench_train_" + std::to_string(getpid()) + ".tnet"))
                                   .string();
  plain_epoch(spec, tr, 128);
  double plain = 1e300, float_epoch = 0;
  std::vector<double> compressed(methods.size(), 1e300);
  for (int i = 0; i < repeats; ++i) {
    plain = std::min(plain, plain_epoch(spec, tr, 128));
    for (size_t m = 0; m < methods.size(); ++m) {
      train::TrainOptions o;
      o.net = net;
      o.method = methods[m];
      o.dataset = dataset;
      o.epochs = 1;
      o.threads = threads;
      o.quiet = true;
      o.baseline = baseline;
      train::Trainer t(o, tr, te);
      const train::TrainResult r = t.run();
      if (!r.baseline_reused) float_epoch = r.history[0].seconds;
      compressed[m] = std::min(compressed[m], r.history.back().seconds);
    }
  }
  std::printf("%-10s %-22s %10s %10s %9s\n", "net", "method", "float s", "compr. s", "overhead");
  std::printf("%-10s %-22s %10.2f %10s %9s\n", spec.name.substr(0, 10).c_str(), "plain LibTorch",
              plain, "", "1.00x");
  for (size_t m = 0; m < methods.size(); ++m)
    std::printf("%-10s %-22s %10.2f %10.2f %8.2fx\n", spec.name.substr(0, 10).c_str(),
                methods[m].c_str(), float_epoch, compressed[m], compressed[m] / plain);
  std::filesystem::remove(baseline);
  return 0;
}
