#include "sim/gen/random_net.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/util/error.hpp"

namespace trine::gen {

using net::WeightForm;

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// The parameters of `name` that shape the weights (ParamDecl::shapes_weights).
std::vector<std::string> weight_params(const std::string& name) {
  std::vector<std::string> out;
  for (const train::MethodDecl& d : train::method_decls())
    if (d.name == name)
      for (const train::ParamDecl& p : d.params)
        if (p.shapes_weights) out.emplace_back(p.name);
  return out;
}

// The default fraction of zero weights per form (docs/net.md); -1: the form fixes it.
double default_sparsity(WeightForm f, const train::MethodSpec& m) {
  switch (f) {
    case WeightForm::Dense8:
      return 0;
    case WeightForm::Ternary:
      return 0.7;
    case WeightForm::ColComb:
      return m.get("sparsity");
    case WeightForm::NK:
    case WeightForm::LowBit:
      return -1;
  }
  return -1;
}

// A standard normal draw (Box-Muller on the platform-independent generator).
double normal(SplitMix64& rng) {
  const double u = 1.0 - rng.uniform(), v = rng.uniform();  // u in (0, 1]
  return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
}

// round(sigma x N(0, 1)), clamped to [-max, max].
int8_t normal_code(SplitMix64& rng, double sigma, int max) {
  const long v = std::lround(sigma * normal(rng));
  return static_cast<int8_t>(std::clamp<long>(v, -max, max));
}

void fill_nk(net::WeightMatrix& w, int64_t n, int64_t k, SplitMix64& rng) {
  std::vector<int64_t> slots;
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t g = 0; g < w.cols; g += n) {
      const int64_t width = std::min(n, w.cols - g);
      slots.resize(static_cast<size_t>(width));
      for (int64_t i = 0; i < width; ++i) slots[static_cast<size_t>(i)] = i;
      // The first min(k, width) of a partial Fisher-Yates shuffle: k distinct positions.
      for (int64_t i = 0; i < std::min(k, width); ++i) {
        std::swap(slots[static_cast<size_t>(i)],
                  slots[static_cast<size_t>(i + rng.below(width - i))]);
        w.at(r, g + slots[static_cast<size_t>(i)]) = (rng.next() >> 63) ? -1 : 1;
      }
    }
}

void fill_lowbit(net::WeightMatrix& w, int bits, int64_t block, double keep, SplitMix64& rng) {
  const int64_t block_rows = (w.rows + block - 1) / block,
                block_cols = (w.cols + block - 1) / block;
  std::vector<int64_t> tiles(static_cast<size_t>(block_rows * block_cols));
  for (size_t i = 0; i < tiles.size(); ++i) tiles[i] = static_cast<int64_t>(i);
  const int64_t kept = std::clamp<int64_t>(std::llround(keep * static_cast<double>(tiles.size())),
                                           1, static_cast<int64_t>(tiles.size()));
  const int max = bits == 1 ? 1 : (1 << (bits - 1)) - 1;
  for (int64_t i = 0; i < kept; ++i) {
    const int64_t n = static_cast<int64_t>(tiles.size());
    std::swap(tiles[static_cast<size_t>(i)], tiles[static_cast<size_t>(i + rng.below(n - i))]);
    const int64_t br = tiles[static_cast<size_t>(i)] / block_cols,
                  bc = tiles[static_cast<size_t>(i)] % block_cols;
    for (int64_t r = br * block; r < std::min(w.rows, br * block + block); ++r)
      for (int64_t c = bc * block; c < std::min(w.cols, bc * block + block); ++c)
        w.at(r, c) = bits == 1 ? ((rng.next() >> 63) ? -1 : 1) : normal_code(rng, max / 2.5, max);
  }
}

}  // namespace

std::string FormSpec::text() const {
  std::string s = method.text();
  if (form == WeightForm::Dense8 || form == WeightForm::Ternary)
    s += ":sparsity=" + number(sparsity);
  return s;
}

std::string FormSpec::weights_text() const {
  std::string s = method.name;
  const std::vector<std::string> shaping = weight_params(method.name);
  for (const auto& [key, value] : method.params)
    if (std::find(shaping.begin(), shaping.end(), key) != shaping.end())
      s += (s.size() == method.name.size() ? ":" : ",") + key + "=" + method.value(key);
  if ((form == WeightForm::Dense8 || form == WeightForm::Ternary) && sparsity > 0)
    s += (s.size() == method.name.size() ? ":" : ",") + std::string("sparsity=") + number(sparsity);
  return s;
}

FormSpec parse_form(const std::string& text, double sparsity, const std::string& option,
                    const std::string& tool) {
  FormSpec f;
  f.method = train::parse_method(text);
  f.form = net::form_from_name(f.method.name);
  const std::vector<std::string> allowed = weight_params(f.method.name);
  for (const std::string& key : f.method.given)
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw InputError(
          option + " '" + text + "': " + key + " is a training parameter; " + tool + " and " +
          (allowed.empty() ? "takes no parameter for " + f.method.name : "takes " + list(allowed)));
  const double fixed = default_sparsity(f.form, f.method);
  if (sparsity >= 0 && fixed < 0)
    throw InputError("--sparsity: " + f.method.name + " fixes its own sparsity (" +
                     (f.form == WeightForm::NK ? "1 - k/n" : "the blocks it keeps") +
                     "); leave --sparsity out");
  if (sparsity >= 0 && f.form == WeightForm::ColComb &&
      std::count(f.method.given.begin(), f.method.given.end(), "sparsity") &&
      f.method.get("sparsity") != sparsity)
    throw InputError("--sparsity " + number(sparsity) + " and " + option + " '" + text +
                     "' disagree: give the sparsity once");
  if (sparsity > 0.99) throw InputError("--sparsity must be in [0, 0.99]");
  f.sparsity = sparsity >= 0 ? sparsity : std::max(0.0, fixed);
  if (f.form == WeightForm::ColComb)
    for (auto& [key, value] : f.method.params)
      if (key == "sparsity") value = f.sparsity;
  return f;
}

namespace {

// A nonzero draw of the form's values.
int8_t nonzero(const FormSpec& f, SplitMix64& rng) {
  if (f.form == WeightForm::Ternary) return (rng.next() >> 63) ? -1 : 1;
  const int8_t v = normal_code(rng, 32, 127);
  return v != 0 ? v : (rng.next() >> 63) ? -1 : 1;
}

// Bernoulli(sparsity) zeros; a row left without a nonzero weight gets one at a random column
// (a dead output channel is not what pruning leaves).
void fill_sparse(net::WeightMatrix& w, const FormSpec& f, SplitMix64& rng) {
  for (int64_t r = 0; r < w.rows; ++r) {
    bool any = false;
    for (int64_t c = 0; c < w.cols; ++c) {
      const int8_t v = rng.uniform() < f.sparsity ? 0 : nonzero(f, rng);
      w.at(r, c) = v;
      any = any || v != 0;
    }
    if (!any) w.at(r, rng.below(w.cols)) = nonzero(f, rng);
  }
}

}  // namespace

net::WeightMatrix random_matrix(const FormSpec& f, int64_t rows, int64_t cols, SplitMix64& rng) {
  net::WeightMatrix w(rows, cols);
  switch (f.form) {
    case WeightForm::Dense8:
    case WeightForm::ColComb:
    case WeightForm::Ternary:
      fill_sparse(w, f, rng);
      break;
    case WeightForm::NK:
      fill_nk(w, f.method.get_int("n"), f.method.get_int("k"), rng);
      break;
    case WeightForm::LowBit:
      fill_lowbit(w, static_cast<int>(f.method.get_int("bits")), f.method.get_int("block"),
                  f.method.get("keep"), rng);
      break;
  }
  return w;
}

net::Weights encode(const FormSpec& f, net::WeightMatrix w) {
  switch (f.form) {
    case WeightForm::Dense8:
      return net::encode_dense8(w);
    case WeightForm::Ternary:
      return net::encode_ternary(w);
    case WeightForm::NK:
      return net::encode_nk(w, static_cast<int>(f.method.get_int("n")),
                            static_cast<int>(f.method.get_int("k")));
    case WeightForm::LowBit:
      return net::encode_lowbit(w, static_cast<int>(f.method.get_int("bits")),
                                static_cast<int>(f.method.get_int("block")));
    case WeightForm::ColComb:
      break;
  }
  std::vector<uint8_t> nonzero(w.values.size());
  for (size_t i = 0; i < nonzero.size(); ++i) nonzero[i] = w.values[i] != 0;
  const int alpha = static_cast<int>(f.method.get_int("alpha"));
  const auto groups =
      net::combine_columns(static_cast<net::ColumnGrouping>(f.method.get_int("grouping")), nonzero,
                           w.rows, w.cols, alpha, f.method.get("gamma"));
  // Conflicts the grouping allowed: the largest magnitude of a row in a group stays (ties: the
  // lowest column), as the trainer resolves them.
  for (int64_t r = 0; r < w.rows; ++r)
    for (const auto& group : groups) {
      int32_t best = -1;
      for (int32_t c : group)
        if (w.at(r, c) != 0 && (best < 0 || std::abs(w.at(r, c)) > std::abs(w.at(r, best))))
          best = c;
      for (int32_t c : group)
        if (c != best) w.at(r, c) = 0;
    }
  return net::encode_colcomb(w, alpha, groups);
}

}  // namespace trine::gen

namespace trine::gen {

namespace {

// The accumulator width that holds every sum of the layer without saturating (as the trainer
// sets it): the largest row's sum of |w| times the largest 8-bit activation, a sign bit.
int acc_bits_for(const net::WeightMatrix& w) {
  int64_t largest = 0;
  for (int64_t r = 0; r < w.rows; ++r) {
    int64_t sum = 0;
    for (int64_t c = 0; c < w.cols; ++c) sum += std::abs(w.at(r, c));
    largest = std::max(largest, sum);
  }
  const double bound = static_cast<double>(largest) * 255.0;
  return std::clamp(static_cast<int>(std::ceil(std::log2(bound + 1))) + 1, 32, 48);
}

}  // namespace

void fill_weights(net::Layer& l, int64_t rows, int64_t cols, bool last, const FormSpec& form,
                  SplitMix64& rng) {
  const net::WeightMatrix w = random_matrix(form, rows, cols, rng);
  l.acc_bits = acc_bits_for(w);
  l.weights = encode(form, w);
  // The classifier's outputs are its accumulators: nothing to requantize.
  l.out_bits = last ? 32 : 8;
  l.method = {{"method", form.method.name}};
  const auto params = weight_params(form.method.name);
  for (const auto& [key, value] : form.method.params)
    if (std::find(params.begin(), params.end(), key) != params.end())
      l.method.emplace_back(key, number(value));
}

net::Network random_network(const train::NetSpec& spec, const FormSpec& form, uint64_t seed) {
  SplitMix64 rng(seed);
  net::Network n;
  n.name = spec.name + "-" + form.method.name;
  n.input = {spec.input.channels, spec.input.height, spec.input.width, 8, 0};
  n.classes = spec.input.classes;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    net::Layer l = train::layer_shell(spec, i);
    if (l.is_compute())
      fill_weights(l, spec.layers[i].rows(), spec.layers[i].cols(), i + 1 == spec.layers.size(),
                   form, rng);
    n.layers.push_back(std::move(l));
  }
  return n;
}

}  // namespace trine::gen
