#include "sim/data/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/util/error.hpp"
#include "sim/util/rng.hpp"

namespace trine::data {

namespace {

using Rng = SplitMix64;

int64_t to_int(const std::string& spec, const std::string& key, const std::string& v, int64_t lo,
               int64_t hi) {
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v.size() || v.empty() || x < lo || x > hi)
    throw InputError("dataset '" + spec + "': " + key + " must be an integer in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "], not '" + v + "'");
  return x;
}

}  // namespace

bool is_synthetic(const std::string& spec) {
  return spec == "synthetic" || spec.rfind("synthetic:", 0) == 0;
}

SyntheticSpec parse_synthetic(const std::string& spec) {
  SyntheticSpec s;
  if (spec == "synthetic") return s;
  std::string rest = spec.substr(10);
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t end = std::min(rest.find(',', start), rest.size());
    const std::string item = rest.substr(start, end - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw InputError("dataset '" + spec + "': expected KEY=VALUE, not '" + item +
                       "' (keys: seed, size, classes, train, test, noise)");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "seed") {
      s.seed = static_cast<uint64_t>(to_int(spec, k, v, 0, INT64_MAX));
    } else if (k == "size") {
      std::vector<std::string> dims;
      for (size_t at = 0;;) {
        const size_t x = v.find('x', at);
        dims.push_back(v.substr(at, x == std::string::npos ? std::string::npos : x - at));
        if (x == std::string::npos) break;
        at = x + 1;
      }
      if (dims.size() > 3)
        throw InputError("dataset '" + spec + "': size is N, HxW or CxHxW, not '" + v + "'");
      if (dims.size() == 3) s.channels = to_int(spec, k, dims[0], 1, 4);
      s.height = to_int(spec, k, dims[dims.size() == 3 ? 1 : 0], 4, 1024);
      s.width = dims.size() == 1 ? s.height : to_int(spec, k, dims.back(), 4, 1024);
    } else if (k == "classes") {
      s.classes = to_int(spec, k, v, 2, 256);
    } else if (k == "train") {
      s.train = to_int(spec, k, v, 1, 10000000);
    } else if (k == "test") {
      s.test = to_int(spec, k, v, 1, 10000000);
    } else if (k == "noise") {
      s.noise = static_cast<int>(to_int(spec, k, v, 0, 255));
    } else {
      throw InputError("dataset '" + spec + "': unknown key '" + k +
                       "' (keys: seed, size, classes, train, test, noise)");
    }
    start = end + 1;
  }
  return s;
}

Dataset synthetic(const SyntheticSpec& s, Split split, int64_t limit) {
  const int64_t C = s.channels, H = s.height, W = s.width, P = H * W;
  // Prototypes come from the seed alone, so both splits share them. Channels after the first
  // tint each blob by their own factor, drawn from a generator of their own, so that a
  // one-channel set is the same bytes whatever channels would have added.
  Rng proto_rng(s.seed * 0x2545f4914f6cdd1dull + 17), tint_rng(s.seed * 0x5851f42d4c957f2dull + 3);
  std::vector<double> protos(static_cast<size_t>(s.classes * C * P), 0.0);
  for (int64_t c = 0; c < s.classes; ++c)
    for (int blob = 0; blob < 3; ++blob) {
      const double cy = proto_rng.uniform() * (H - 1), cx = proto_rng.uniform() * (W - 1);
      const double r = 0.8 + proto_rng.uniform() * 0.12 * std::min(H, W);
      const double amp = 120 + proto_rng.uniform() * 135;
      for (int64_t ch = 0; ch < C; ++ch) {
        const double tint = ch == 0 ? 1.0 : 0.15 + 0.85 * tint_rng.uniform();
        for (int64_t y = 0; y < H; ++y)
          for (int64_t x = 0; x < W; ++x) {
            const double d2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
            protos[static_cast<size_t>((c * C + ch) * P + y * W + x)] +=
                tint * amp * std::exp(-d2 / (2 * r * r));
          }
      }
    }
  Dataset d;
  d.channels = C;
  d.height = H;
  d.width = W;
  const int64_t total = split == Split::Train ? s.train : s.test;
  d.count = limit > 0 && limit < total ? limit : total;
  d.pixels.resize(static_cast<size_t>(d.count * C * P));
  d.labels.resize(static_cast<size_t>(d.count));
  Rng rng(s.seed * 0x9e3779b97f4a7c15ull + (split == Split::Train ? 1 : 2));
  Rng colour_rng(s.seed * 0xd1342543de82ef95ull + (split == Split::Train ? 5 : 6));
  for (int64_t i = 0; i < d.count; ++i) {
    const int64_t c = rng.below(s.classes);
    const int64_t dy = rng.below(3) - 1, dx = rng.below(3) - 1;
    const double gain = 0.6 + 0.5 * rng.uniform();
    d.labels[static_cast<size_t>(i)] = static_cast<uint8_t>(c);
    for (int64_t ch = 0; ch < C; ++ch) {
      Rng& noise = ch == 0 ? rng : colour_rng;
      const double* proto = &protos[static_cast<size_t>((c * C + ch) * P)];
      uint8_t* out = &d.pixels[static_cast<size_t>((i * C + ch) * P)];
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x) {
          const int64_t sy = std::clamp<int64_t>(y - dy, 0, H - 1);
          const int64_t sx = std::clamp<int64_t>(x - dx, 0, W - 1);
          const double v = gain * proto[sy * W + sx] + (2 * noise.uniform() - 1) * s.noise;
          out[y * W + x] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
        }
    }
  }
  return d;
}

}  // namespace trine::data
