// Throughput of the integer reference model: images per second for a dense MLP, one thread
// and all threads. Usage: bench_reference [images]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "sim/ref/reference.hpp"

using namespace trine;

static net::Layer dense(const std::string& name, int64_t in, int64_t out, bool relu,
                        std::mt19937& rng) {
  net::WeightMatrix w(out, in);
  std::uniform_int_distribution<int> d(-127, 127);
  for (auto& v : w.values) v = static_cast<int8_t>(d(rng));
  net::Layer l;
  l.name = name;
  l.kind = net::LayerKind::Dense;
  l.in_channels = in;
  l.out_channels = out;
  l.weights = net::encode_dense8(w);
  l.requant.shift = 14;
  l.relu = relu;
  l.out_bits = relu ? 8 : 32;
  return l;
}

int main(int argc, char** argv) {
  const int64_t images = argc > 1 ? std::atoll(argv[1]) : 2000;
  std::mt19937 rng(1);
  net::Network n;
  n.name = "mlp-784-512-512-10";
  n.input = {1, 28, 28, 8, 0};
  n.classes = 10;
  n.layers = {dense("fc1", 784, 512, true, rng), dense("fc2", 512, 512, true, rng),
              dense("fc3", 512, 10, false, rng)};
  data::Dataset d;
  d.count = images;
  d.height = d.width = 28;
  d.pixels.resize(static_cast<size_t>(images * 784));
  for (auto& p : d.pixels) p = static_cast<uint8_t>(rng());
  d.labels.assign(static_cast<size_t>(images), 0);
  for (int threads : {1, 0}) {
    const auto t0 = std::chrono::steady_clock::now();
    ref::evaluate(n, d, threads);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double macs = images * (784.0 * 512 + 512.0 * 512 + 512.0 * 10);
    std::printf("reference mlp-784-512-512-10, threads=%s: %.0f images/s, %.2f GMAC/s\n",
                threads ? "1" : "all", images / s, macs / s / 1e9);
  }
}
