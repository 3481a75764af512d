// Simulation speed of the accelerator with DRAM in the loop: wall time per inference and
// simulated array cycles per wall second, for the fast and cycle array models, on a LeNet-5
// network and a 3-layer MLP (784-512-512-10) in every weight form (random weights of the
// form's shape), the trained LeNet-5 networks of configs/nets (what training changes: how
// many columns combine, how sparse the weights are), and the ratio of the two; and, with the
// fast model only, the graphs ResNet-20 and MobileNet at 3x32x32 (random weights in the
// families' shapes), with the wall time per million MACs; and one inference each of LeNet-5,
// ResNet-20, MobileNetV2, VGG-16 and ResNet-50 at their own inputs (3x224x224 for the last
// three) as `trine net` makes them, with the process's peak memory. Each run is its
// own process (SystemC elaborates one design per process); each case keeps the best of
// --repeat runs, since a shared machine only ever adds time.
// A model's time per inference is what each further inference costs: the difference between
// runs of 1 + N images and of one image, divided by N. The first inference of a process also
// pays for warming up (touching fresh memory, starting the reference thread, the per-layer
// event probe), which on a virtual machine with costly page faults is ten inferences' worth;
// it is reported on its own (`fast 1st ms`), since a sweep of one-image runs pays it each time.
// Usage: bench_run [--images N] [--cycle-images N] [--repeat R] [--only NAME-PREFIX]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "models/accel/accelerator.hpp"
#include "models/accel/datapath.hpp"
#include "sim/data/synthetic.hpp"
#include "sim/gen/calibrate.hpp"
#include "sim/gen/random_net.hpp"
#include "sim/net/footprint.hpp"
#include "sim/net/tnet.hpp"
#include "sim/train/spec.hpp"
#include "sim/util/process.hpp"
#include "tests/support/builders.hpp"

using namespace trine;

namespace {

net::Network mlp3(net::WeightForm form) {
  // The MLP of the trainer's acceptance runs: 784-512-512-10.
  std::mt19937 rng(5);
  net::Network n;
  n.name = std::string("mlp-784-512-512-10-") + net::form_name(form);
  n.input = {1, 28, 28, 8, 0};
  n.classes = 10;
  n.layers.push_back(testing::pool_layer("flat", net::LayerKind::Flatten, 1, 1));
  const int64_t sizes[] = {784, 512, 512, 10};
  for (int i = 0; i < 3; ++i)
    n.layers.push_back(testing::dense_layer(
        "fc" + std::to_string(i + 1),
        testing::encode_as(form, testing::random_matrix(form, sizes[i + 1], sizes[i], rng)), i < 2,
        i < 2 ? 8 : 32, i < 2 ? 12 : 0, rng));
  return n;
}

struct Speed {
  double ms = 0;          // wall time of the whole run
  long long cycles = 0;   // simulated cycles of all its inferences
  long long peak_kb = 0;  // the process's peak resident memory, network building included
};

// One run in this process; prints "ms cycles" (totals) for the parent.
bool is_family(const std::string& which) {
  return which == "resnet20" || which == "mobilenet";
}

// A family at its own input (3x224x224 for the ImageNet ones), as `trine net` makes it:
// random dense8 weights, requantization calibrated on one synthetic image.
bool is_native(const std::string& which) {
  return which == "resnet50" || which == "mobilenetv2" || which == "vgg16" ||
         which == "resnet20-native" || which == "lenet5-native";
}

net::Network native(const std::string& which) {
  const std::string name = which.substr(0, which.find("-native"));
  train::ImageShape shape{1, 28, 28, 10};
  for (const train::FamilyDecl& f : train::families())
    if (name == f.name) shape = f.native;
  net::Network n =
      gen::random_network(train::parse_net(name, shape), gen::parse_form("dense8", -1), 3);
  data::SyntheticSpec calib;
  calib.channels = n.input.channels, calib.height = n.input.height, calib.width = n.input.width;
  calib.test = 1;
  gen::calibrate(n, data::synthetic(calib, data::Split::Test), 1);
  return n;
}

net::Network network(const std::string& which, net::WeightForm form) {
  if (is_native(which)) return native(which);
  if (is_family(which))
    return testing::random_weights(train::parse_net(which + ":input=3x32x32", {3, 32, 32, 10}),
                                   form, 3);
  return which == "lenet5"    ? testing::lenet5(form, 3)
         : which == "trained" ? net::read_tnet(std::string(TRINE_NETS_DIR) + "/lenet5-" +
                                               net::form_name(form) + ".tnet")
                              : mlp3(form);
}

int run_case(const std::string& which, net::WeightForm form, const std::string& model, int images,
             int out) {
  const net::Network n = network(which, form);
  config::DesignPoint dp = config::default_design_point().point;
  models::array::value_of(models::array::kModels, model, dp.array.model);
  const compile::Schedule s = compile::compile(n, dp);
  const data::Dataset d =
      testing::random_dataset(images, n.input.height, n.input.width, 10, 9, n.input.channels);
  std::vector<const uint8_t*> in;
  for (int64_t i = 0; i < d.count; ++i) in.push_back(d.image(i));
  models::Accelerator top("top", dp, n, s, in);
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& results = top.controller.results();
  if (!top.controller.finished() || results.back().mismatch) {
    std::fprintf(stderr, "bench_run: %s did not run bit-exact\n", n.name.c_str());
    return 1;
  }
  int64_t cycles = 0;
  for (const auto& r : results) cycles += r.end - r.start;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const std::string line = std::to_string(1e3 * wall) + " " + std::to_string(cycles) + " " +
                           std::to_string(usage.ru_maxrss) + "\n";
  return write(out, line.data(), line.size()) == static_cast<ssize_t>(line.size()) ? 0 : 1;
}

// The best of `repeat` runs, each in a child process.
bool measure(const std::string& which, net::WeightForm form, const std::string& model, int images,
             int repeat, Speed& best) {
  best.ms = 1e300;
  for (int r = 0; r < repeat; ++r) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      _exit(run_case(which, form, model, images, fds[1]));
    }
    close(fds[1]);
    char buf[128] = {};
    const ssize_t got = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    Speed s;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) || got <= 0 ||
        std::sscanf(buf, "%lf %lld %lld", &s.ms, &s.cycles, &s.peak_kb) != 3)
      return false;
    if (s.ms < best.ms) best = s;
  }
  return true;
}

// The array models alone on the tiles of one inference: what `fast` saves by not stepping.
void array_only(const std::string& which) {
  const net::Network n =
      which == "lenet5" ? testing::lenet5(net::WeightForm::NK, 3) : mlp3(net::WeightForm::NK);
  const config::DesignPoint dp = config::default_design_point().point;
  const compile::Schedule s = compile::compile(n, dp);
  const std::vector<net::TensorType> types = net::infer_types(n, n.name);
  const data::Dataset d = testing::random_dataset(1, 28, 28, 10, 9);
  const std::vector<ref::Tensor> outs = ref::Reference(n).run_all(d.image(0));
  std::vector<models::array::Tile> tiles;
  std::vector<std::unique_ptr<models::accel::Datapath>> paths;  // the tiles view their weights
  for (const compile::LayerPlan& p : s.layers) {
    if (!n.layers[p.layer].is_compute()) continue;
    const net::TensorType in = p.layer == 0 ? net::input_type(n.input) : types[p.layer - 1];
    paths.push_back(
        std::make_unique<models::accel::Datapath>(n.layers[p.layer], p, in, types[p.layer]));
    const models::accel::Datapath& path = *paths.back();
    const std::vector<ref::Tensor> x{p.layer == 0 ? ref::Reference(n).input(d.image(0))
                                                  : outs[p.layer - 1]};
    for (size_t k = 0; k < p.tiles.size(); ++k) tiles.push_back(path.tile(k, x));
  }
  double seconds[2] = {0, 0};
  int64_t cycles = 0;
  const models::array::ModelKind kinds[2] = {models::array::ModelKind::Fast,
                                             models::array::ModelKind::Cycle};
  for (int m = 0; m < 2; ++m) {
    const int reps = m == 0 ? 200 : 3;
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) {
      auto model = models::array::make_model(kinds[m], dp.array.shape());
      for (const auto& t : tiles) model->run(t);
      cycles = model->end_cycle();
    }
    seconds[m] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
  }
  std::printf("%-26s %-6s %zu tiles, %lld cycles: fast %.3f ms, cycle %.3f ms: %.0fx\n",
              n.name.c_str(), "array", tiles.size(), static_cast<long long>(cycles),
              1e3 * seconds[0], 1e3 * seconds[1], seconds[1] / seconds[0]);
}

// ResNet-20 and MobileNet, fast model only (the cycle model steps every register: seconds per
// inference at this size); returns the failures.
int graphs(const std::string& only, int images, int repeat) {
  int failures = 0;
  bool header = false;
  const int runs = std::max(1, images / 10);  // each inference is ~100x LeNet-5's work
  for (const std::string which : {"resnet20", "mobilenet"})
    for (net::WeightForm form : {net::WeightForm::Dense8, net::WeightForm::NK}) {
      const std::string name = which + "-3x32x32-" + net::form_name(form);
      if (name.compare(0, only.size(), only) != 0) continue;
      if (!header)
        std::printf("\n%-26s %10s %8s %11s %9s %11s %9s\n", "graph (fast model)", "cycles/inf",
                    "MMACs", "fast 1st ms", "fast ms", "fast cyc/s", "ms/MMAC");
      header = true;
      Speed fast1, fast;
      if (!measure(which, form, "fast", 1, repeat, fast1) ||
          !measure(which, form, "fast", 1 + runs, repeat, fast)) {
        ++failures;
        continue;
      }
      int64_t macs = 0;
      const net::Network n = network(which, form);
      const config::DesignPoint dp = config::default_design_point().point;
      for (const compile::LayerPlan& p : compile::compile(n, dp).layers) macs += p.macs;
      const double ms = std::max(1e-6, (fast.ms - fast1.ms) / runs);
      const long long cycles = fast.cycles / (1 + runs);
      std::printf("%-26s %10lld %8.2f %11.1f %9.1f %11.3g %9.3f\n", name.c_str(), cycles,
                  static_cast<double>(macs) / 1e6, fast1.ms, ms,
                  static_cast<double>(cycles) / ms * 1e3, ms / (static_cast<double>(macs) / 1e6));
      std::fflush(stdout);
    }
  return failures;
}

// Networks at their own input on the fast model (issue 25's targets: ResNet-50 under 10 s an
// inference on one core and under 1 GB, its cost per MMAC at most twice ResNet-20's). As above,
// an inference's time is what each further one costs (runs of 1 and 1 + N images); the peak
// memory is the one-image process's, network building and the reference included.
int native_inputs(const std::string& only, int repeat) {
  int failures = 0;
  bool header = false;
  for (const std::string which :
       {"lenet5-native", "resnet20-native", "mobilenetv2", "vgg16", "resnet50"}) {
    if (which.compare(0, only.size(), only) != 0) continue;
    if (!header)
      std::printf("\n%-34s %11s %9s %9s %9s %8s %8s\n", "network (fast, dense8)", "cycles/inf",
                  "MMACs", "1st s", "s/inf", "peak MB", "ms/MMAC");
    header = true;
    const int more = which.find("native") != std::string::npos ? 10 : 1;
    Speed one, many;
    if (!measure(which, net::WeightForm::Dense8, "fast", 1, repeat, one) ||
        !measure(which, net::WeightForm::Dense8, "fast", 1 + more, repeat, many)) {
      ++failures;
      continue;
    }
    const net::Network n = network(which, net::WeightForm::Dense8);
    const double mmacs = static_cast<double>(net::macs(n)) / 1e6;
    const double ms = std::max(1e-6, (many.ms - one.ms) / more);
    const std::string name = n.name + " " + std::to_string(n.input.channels) + "x" +
                             std::to_string(n.input.height) + "x" + std::to_string(n.input.width);
    std::printf("%-34s %11lld %9.1f %9.3f %9.3f %8.0f %8.4f\n", name.c_str(), one.cycles, mmacs,
                one.ms / 1e3, ms / 1e3, static_cast<double>(one.peak_kb) / 1024, ms / mmacs);
    std::fflush(stdout);
  }
  return failures;
}

}  // namespace

int sc_main(int argc, char** argv) {
  process::keep_freed_memory();  // as trine does
  int images = 200, cycle_images = 2, repeat = 3;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
    if (!std::strcmp(argv[i], "--images")) images = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--cycle-images")) cycle_images = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(argv[i + 1]);
  }
  std::printf(
      "best of %d runs; ms per inference: each further one, from runs of 1 and 1+%d images "
      "(fast) or 1 and 1+%d (cycle); 1st: a run of one image\n",
      repeat, images, cycle_images);
  std::printf("%-26s %10s %11s %9s %10s %11s %10s\n", "network", "cycles/inf", "fast 1st ms",
              "fast ms", "cycle ms", "fast cyc/s", "cycle/fast");
  int failures = 0;
  for (const std::string which : {"lenet5", "trained", "mlp3"})
    for (net::WeightForm form :
         {net::WeightForm::Dense8, net::WeightForm::Ternary, net::WeightForm::NK,
          net::WeightForm::ColComb, net::WeightForm::LowBit}) {
      const std::string name = std::string(which == "lenet5"    ? "lenet5-"
                                           : which == "trained" ? "lenet5-trained-"
                                                                : "mlp-784-512-512-10-") +
                               net::form_name(form);
      if (name.compare(0, only.size(), only) != 0) continue;
      Speed fast1, fast, cycle1, cycle;
      if (!measure(which, form, "fast", 1, repeat, fast1) ||
          !measure(which, form, "fast", 1 + images, repeat, fast) ||
          !measure(which, form, "cycle", 1, repeat, cycle1) ||
          !measure(which, form, "cycle", 1 + cycle_images, repeat, cycle)) {
        ++failures;
        continue;
      }
      // (Every image of the random data set takes the same cycles, give or take a few.)
      const double fast_ms = std::max(1e-6, (fast.ms - fast1.ms) / images);
      const double cycle_ms = std::max(1e-6, (cycle.ms - cycle1.ms) / cycle_images);
      const long long cycles = fast.cycles / (1 + images);
      std::printf("%-26s %10lld %11.3f %9.3f %10.3f %11.3g %9.1fx\n", name.c_str(), cycles,
                  fast1.ms, fast_ms, cycle_ms, static_cast<double>(cycles) / fast_ms * 1e3,
                  cycle_ms / fast_ms);
      std::fflush(stdout);
    }
  failures += graphs(only, images, repeat);
  failures += native_inputs(only, repeat);
  if (only.empty()) {
    std::printf("\narray models alone (tiles of one inference, no DRAM, no buffers):\n");
    array_only("lenet5");
    array_only("mlp3");
  }
  return failures ? 1 : 0;
}
