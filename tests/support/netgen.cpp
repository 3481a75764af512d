// trine-netgen: writes hand-built networks and synthetic IDX sets for tests and examples.
//   trine-netgen example --form FORM --arch cnn|mlp|lenet5|graph|FAMILY[:width=W,input=CxHxW]
//                [--seed S] [--height H --width W]
//                [--channels C]
//                -o OUT.tnet          (lenet5: the benchmark's random-weight LeNet-5)
//   trine-netgen centroid [--dataset SPEC] -o OUT.tnet   nearest-class-mean int8 classifier
//   trine-netgen dataset --count N --height H --width W [--seed S] -o DIR
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "sim/net/tnet.hpp"
#include "sim/util/error.hpp"
#include "tests/support/builders.hpp"

using namespace trine;

namespace {

std::map<std::string, std::string> options(int argc, char** argv) {
  std::map<std::string, std::string> o;
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("-", 0) != 0 || i + 1 >= argc)
      throw InputError("trine-netgen: bad argument '" + k + "'");
    while (!k.empty() && k[0] == '-') k.erase(0, 1);
    o[k] = argv[++i];
  }
  return o;
}

std::string need(const std::map<std::string, std::string>& o, const std::string& k) {
  auto it = o.find(k);
  if (it == o.end()) throw InputError("trine-netgen: missing --" + k);
  return it->second;
}

std::string get(const std::map<std::string, std::string>& o, const std::string& k,
                const std::string& fallback) {
  auto it = o.find(k);
  return it == o.end() ? fallback : it->second;
}

// A nearest-class-mean classifier as one int8 dense layer: score_c = x.w_c - |w_c|^2 with
// w_c = round(mean_c / 2), which ranks classes as -|x - 2 w_c|^2 does.
net::Network centroid(const std::string& spec) {
  const data::Dataset d = data::load(spec, data::Split::Train);
  const int64_t pixels = d.image_bytes();
  std::vector<double> sum(static_cast<size_t>(10 * pixels), 0.0);
  std::vector<int64_t> count(10, 0);
  for (int64_t i = 0; i < d.count; ++i) {
    const int c = d.labels[i];
    if (c > 9) throw InputError("trine-netgen: label " + std::to_string(c) + " > 9");
    ++count[c];
    for (int64_t p = 0; p < pixels; ++p) sum[c * pixels + p] += d.image(i)[p];
  }
  net::WeightMatrix w(10, pixels);
  std::vector<int32_t> bias(10, 0);
  for (int c = 0; c < 10; ++c) {
    int64_t norm = 0;
    for (int64_t p = 0; p < pixels; ++p) {
      const double mean = count[c] ? sum[c * pixels + p] / count[c] : 0.0;
      const int v = static_cast<int>(std::lround(mean / 2));
      w.at(c, p) = static_cast<int8_t>(v);
      norm += int64_t{v} * v;
    }
    bias[c] = static_cast<int32_t>(-norm);
  }
  net::Network n;
  n.name = "centroid-" + std::to_string(d.height) + "x" + std::to_string(d.width);
  n.input = {d.channels, d.height, d.width, 8, 0};
  n.classes = 10;
  n.meta = {{"producer", "trine-netgen centroid"},
            {"dataset", spec},
            {"method", "nearest class mean, int8"}};
  net::Layer l;
  l.name = "fc";
  l.kind = net::LayerKind::Dense;
  l.in_channels = pixels;
  l.out_channels = 10;
  l.weights = net::encode_dense8(w);
  l.bias = bias;
  l.relu = false;
  l.out_bits = 32;
  l.method = {{"name", "dense8"}};
  n.layers.push_back(l);
  return n;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) throw InputError("usage: trine-netgen example|centroid|dataset [options]");
  const std::string cmd = argv[1];
  const auto o = options(argc, argv);
  if (cmd == "example") {
    const auto form = net::form_from_name(need(o, "form"));
    const auto seed = static_cast<uint32_t>(std::stoul(get(o, "seed", "1")));
    const std::string arch = get(o, "arch", "cnn");
    // A family of the trainer (NAME[:width=W,input=CxHxW], on 1x28x28 data by default) with
    // random weights, or one of the hand-built test networks.
    const bool family = train::detail::is_family(arch);
    if (!family && arch != "mlp" && arch != "lenet5" && arch != "graph" && arch != "cnn")
      throw InputError("trine-netgen: unknown --arch '" + arch +
                       "' (cnn, mlp, lenet5, graph, or a trainer family such as resnet20)");
    const net::Network n =
        family ? testing::random_weights(train::parse_net(arch, {1, 28, 28, 10}), form, seed)
        : arch == "mlp"    ? testing::example_mlp(form, seed, std::stoll(get(o, "width", "64")))
        : arch == "lenet5" ? testing::lenet5(form, seed)  // the benchmark's random-weight LeNet-5
        : arch == "graph"  ? testing::example_graph(form, seed)
                           : testing::example_cnn(form, seed, std::stoll(get(o, "height", "12")),
                                                  std::stoll(get(o, "width", "12")),
                                                  std::stoll(get(o, "channels", "1")));
    net::write_tnet(n, need(o, "o"));
  } else if (cmd == "centroid") {
    net::write_tnet(centroid(get(o, "dataset", "fashion-mnist")), need(o, "o"));
  } else if (cmd == "dataset") {
    const std::string dir = need(o, "o");
    ::mkdir(dir.c_str(), 0755);
    const auto seed = static_cast<uint32_t>(std::stoul(get(o, "seed", "1")));
    const auto d =
        testing::random_dataset(std::stoll(need(o, "count")), std::stoll(need(o, "height")),
                                std::stoll(need(o, "width")), 10, seed);
    for (const char* split : {"train", "t10k"}) {
      data::write_images(dir + "/" + split + "-images-idx3-ubyte.gz", d);
      data::write_labels(dir + "/" + split + "-labels-idx1-ubyte.gz", d);
    }
  } else {
    throw InputError("trine-netgen: unknown command '" + cmd + "'");
  }
  return 0;
} catch (const InputError& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
