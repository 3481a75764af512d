#include "sim/train/trainer.hpp"

#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "sim/net/footprint.hpp"
#include "sim/ref/reference.hpp"
#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"
#include "sim/util/error.hpp"
#include "sim/util/json.hpp"
#include "sim/util/process.hpp"
#include "sim/util/rng.hpp"
#include "sim/util/version.hpp"

// OpenBLAS keeps its own thread pool; LibTorch's setting does not reach it.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace trine::train {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

class Progress {
 public:
  Progress(bool bar, bool quiet) : bar_(bar), quiet_(quiet) {}
  void step(const std::string& phase, int epoch, int epochs, int64_t done, int64_t total,
            double loss) {
    if (!bar_ || quiet_) return;
    const auto now = Clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const int width = 30, filled = static_cast<int>(width * done / std::max<int64_t>(1, total));
    std::fprintf(stderr, "\r%-10s epoch %2d/%-2d [%s%s] %3d%%  loss %.4f ", phase.c_str(),
                 epoch + 1, epochs, std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(),
                 static_cast<int>(100 * done / std::max<int64_t>(1, total)), loss);
  }
  void epoch(const EpochInfo& e) {
    if (quiet_) return;
    if (bar_) std::fprintf(stderr, "\r%s\r", std::string(79, ' ').c_str());
    std::fprintf(stderr, "%-10s epoch %2d/%-2d  loss %.4f  test %.4f  %6.1f s  %s\n",
                 e.phase.c_str(), e.epoch + 1, e.epochs, e.loss, e.accuracy, e.seconds,
                 e.note.c_str());
  }

 private:
  bool bar_, quiet_;
  Clock::time_point last_{};
};

// Predictions of the network on a dataset. `exact` runs in double precision, so that only
// true rounding ties can differ from the integer network (float32 is enough for progress).
torch::Tensor predict(QNet& net, const torch::Tensor& x, Mode mode, Method* method,
                      bool exact = false) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  const int64_t n = x.size(0), step = 1000;
  for (int64_t i = 0; i < n; i += step) {
    torch::Tensor xb = x.narrow(0, i, std::min(step, n - i));
    ForwardOptions fo;
    fo.mode = mode;
    fo.method = method;
    fo.quantize_logits = mode == Mode::Quant;
    if (exact) xb = xb.to(torch::kFloat64);
    out.push_back(net.forward(xb, fo).argmax(1));
  }
  return torch::cat(out);
}

double accuracy(const torch::Tensor& pred, const torch::Tensor& y) {
  return pred.eq(y).to(torch::kFloat64).mean().item<double>();
}

// The requantization of a layer: y = (acc * m_o + 2^(shift-1)) >> shift with m_o / 2^shift as
// close as 31 bits allow to scale_o * 2^(out_exp - in_exp).
net::Requant requant_for(const std::vector<double>& scale, int in_exp, int out_exp,
                         const std::string& layer) {
  double peak = 0;
  for (double s : scale) peak = std::max(peak, std::ldexp(s, out_exp - in_exp));
  // Compared in double: llround of a value beyond 64 bits is undefined.
  auto fits = [&](int sh) { return std::round(std::ldexp(peak, sh)) <= 2147483647.0; };
  int shift = 62;
  while (shift > 0 && !fits(shift)) --shift;
  if (!fits(shift) || !std::isfinite(peak))
    throw RunError("layer " + layer + ": requantization scale too large for a 31-bit multiplier");
  net::Requant r;
  r.shift = shift;
  for (double s : scale)
    r.multipliers.push_back(static_cast<int32_t>(
        std::max<long long>(1, std::llround(std::ldexp(s, out_exp - in_exp + shift)))));
  return r;
}

// The add's rescaling of one input from its scale to the sum's: 2^(out - in) as a multiplier
// or a rounding shift.
net::Requant rescale(int in_exp, int out_exp) {
  net::Requant q;
  if (out_exp >= in_exp)
    q.multiplier = int64_t{1} << (out_exp - in_exp);
  else
    q.shift = in_exp - out_exp;
  return q;
}

// The names of a layer's inputs, empty when it takes the previous layer (a chain stays 1.0).
void export_compute(const QNet& q, size_t i, Method& method, const TrainOptions& opt,
                    const net::Network& n, net::Layer& l) {
  const QLayer& ql = q.layers()[i];
  const LayerSpec& s = ql.spec;
  l.kind = s.op == LayerOp::Dense ? net::LayerKind::Dense : net::LayerKind::Conv2d;
  l.in_channels = s.op == LayerOp::Dense ? s.cols() : s.in_c;
  l.out_channels = s.out_c;
  if (s.op == LayerOp::Conv) {
    l.kernel_h = l.kernel_w = s.kernel;
    l.stride_h = l.stride_w = s.stride;
    l.pad_h = l.pad_w = s.pad;
    l.groups = s.groups;
  }
  const QuantWeights qw = method.quantize(i, ql.weight);
  const torch::Tensor codes = qw.codes.to(torch::kInt64).contiguous();
  TRINE_ASSERT(codes.abs().max().item<int64_t>() <= 127, "weight code out of int8 range");
  net::WeightMatrix m(s.rows(), s.cols());
  const int64_t* c = codes.data_ptr<int64_t>();
  for (size_t k = 0; k < m.values.size(); ++k) m.values[k] = static_cast<int8_t>(c[k]);
  l.weights = method.encode(i, m);
  if (!(l.weights.decode() == m))
    throw RunError("layer " + s.name + ": the " + method.spec().name +
                   " encoding does not decode to the trained codes");
  const torch::Tensor scale = qw.scale.to(torch::kFloat64).contiguous();
  const std::vector<double> sc(scale.data_ptr<double>(), scale.data_ptr<double>() + scale.numel());
  // Same arithmetic as the forward pass: round(b / (scale * 2^-in_exp)).
  const torch::Tensor bias =
      torch::round(ql.bias.to(torch::kFloat64) / (scale * std::ldexp(1.0, -ql.in_exp)))
          .clamp(-2147483647.0, 2147483647.0)
          .to(torch::kInt64)
          .contiguous();
  for (int64_t o = 0; o < s.rows(); ++o)
    l.bias.push_back(static_cast<int32_t>(bias.data_ptr<int64_t>()[o]));
  l.requant = requant_for(sc, ql.in_exp, ql.out_exp, s.name);
  l.relu = s.relu;
  const bool logits = i + 1 == q.layers().size();
  l.out_bits = logits ? QNet::kLogitBits : opt.act_bits;
  // The accumulator holds every possible sum without saturating.
  const int in_bits = s.from.front() < 0 ? n.input.bits : opt.act_bits;
  const double bound = codes.abs().sum(1).max().item<double>() * (std::ldexp(1.0, in_bits) - 1) +
                       bias.abs().max().item<double>();
  l.acc_bits = std::clamp(static_cast<int>(std::ceil(std::log2(bound + 1))) + 1, 32, 48);
}

net::Network export_network(QNet& q, Method& method, const TrainOptions& opt) {
  torch::NoGradGuard no_grad;
  const NetSpec& spec = q.spec();
  net::Network n;
  n.name = spec.name;
  n.input = {spec.input.channels, spec.input.height, spec.input.width,
             opt.act_bits < 8 ? opt.act_bits : 8, q.input_shift()};
  n.classes = spec.input.classes;
  net::Meta layer_meta = {{"method", method.spec().name}};
  for (const auto& [k, v] : method.spec().params) layer_meta.emplace_back(k, fmt("%g", v));
  for (size_t i = 0; i < q.layers().size(); ++i) {
    const QLayer& ql = q.layers()[i];
    const LayerSpec& s = ql.spec;
    net::Layer l = layer_shell(spec, i);
    if (s.op == LayerOp::Add) {
      l.scales.clear();
      for (int e : ql.in_exps) l.scales.push_back(rescale(e, ql.out_exp));
      l.out_bits = opt.act_bits;
    } else if (s.is_compute()) {
      export_compute(q, i, method, opt, n, l);
      l.method = layer_meta;
    }
    n.layers.push_back(std::move(l));
  }
  return n;
}

}  // namespace

void configure_runtime(int threads) {
  process::keep_freed_memory();  // training frees and allocates the same tensors every step
  // Weights and optimizer moments that decay towards zero (pruned weights, Adam's averages)
  // reach subnormal floats, which cost a hundred times a normal operation on x86; flush them.
  at::globalContext().setFlushDenormal(true);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  if (openblas_set_num_threads) openblas_set_num_threads(threads);
}

Trainer::Trainer(TrainOptions options, data::Dataset train, data::Dataset test)
    : opt_(std::move(options)), train_(std::move(train)), test_(std::move(test)) {
  if (opt_.epochs < 1 || opt_.epochs > 10000) throw InputError("--epochs must be in [1, 10000]");
  if (opt_.batch < 1 || opt_.batch > 65536) throw InputError("--batch must be in [1, 65536]");
  if (!(opt_.lr > 0 && opt_.lr < 10)) throw InputError("--lr must be in (0, 10)");
  if (opt_.act_bits < 2 || opt_.act_bits > 16) throw InputError("--act-bits must be in [2, 16]");
  if (train_.count < 1 || test_.count < 1) throw InputError("the dataset has no images");
  if (train_.shape() != test_.shape())
    throw InputError("the training and test images differ in shape (" + train_.shape() + ", " +
                     test_.shape() + ")");
  int64_t classes = 0;
  for (const data::Dataset* d : {&train_, &test_})
    for (uint8_t l : d->labels) classes = std::max<int64_t>(classes, l + 1);
  net_ = parse_net(opt_.net,
                   {train_.channels, train_.height, train_.width, std::max<int64_t>(classes, 2)});
  // A family's `input` may ask for larger or colour images: centred, zero-padded and
  // channel-repeated (docs/inputs.md), as `trine run` fits them.
  const ImageShape& in = net_.input;
  if (in.channels != train_.channels || in.height != train_.height || in.width != train_.width) {
    train_ = data::fit_images(std::move(train_), in.channels, in.height, in.width, net_.name);
    test_ = data::fit_images(std::move(test_), in.channels, in.height, in.width, net_.name);
  }
  method_ = parse_method(opt_.method);
}

Trainer::~Trainer() = default;

// Everything that determines the float baseline's weights.
std::string Trainer::baseline_key() const {
  return "net=" + opt_.net + " dataset=" + opt_.dataset +
         " train_images=" + std::to_string(train_.count) +
         " epochs=" + std::to_string(opt_.epochs) + " seed=" + std::to_string(opt_.seed) +
         " batch=" + std::to_string(opt_.batch) + " lr=" + fmt("%g", opt_.lr);
}

bool Trainer::load_baseline(const std::string& path, const std::string& key, QNet& net) const {
  if (::access(path.c_str(), F_OK) != 0) return false;
  torch::serialize::InputArchive in;
  try {
    in.load_from(path);
  } catch (const std::exception&) {
    throw InputError(path, "not a trine float baseline (unreadable archive)");
  }
  c10::IValue stored;
  if (!in.try_read("key", stored) || !stored.isString())
    throw InputError(path, "not a trine float baseline (no key)");
  if (stored.toStringRef() != key)
    throw InputError(path, "baseline was trained for '" + stored.toStringRef() + "', not '" + key +
                               "' (delete it or name another file)");
  torch::NoGradGuard no_grad;
  for (size_t i : net.compute_layers()) {
    QLayer& l = net.layers()[i];
    torch::Tensor w, b;
    if (!in.try_read(l.spec.name + ".weight", w) || !in.try_read(l.spec.name + ".bias", b) ||
        !w.sizes().equals(l.weight.sizes()) || !b.sizes().equals(l.bias.sizes()))
      throw InputError(path, "baseline lacks layer " + l.spec.name + " or has the wrong shape");
    l.weight.copy_(w);
    l.bias.copy_(b);
  }
  for (auto& [name, t] : net.buffers()) {
    torch::Tensor v;
    if (!in.try_read(name, v) || !v.sizes().equals(t.sizes()))
      throw InputError(path, "baseline lacks " + name + " or has the wrong shape");
    t.copy_(v);
  }
  return true;
}

void Trainer::save_baseline(const std::string& path, const std::string& key,
                            const QNet& net) const {
  torch::serialize::OutputArchive out;
  out.write("key", c10::IValue(key));
  for (size_t i : net.compute_layers()) {
    const QLayer& l = net.layers()[i];
    out.write(l.spec.name + ".weight", l.weight.detach());
    out.write(l.spec.name + ".bias", l.bias.detach());
  }
  for (const auto& [name, t] : net.buffers()) out.write(name, t.detach());
  const std::string tmp = path + ".tmp";  // atomic: a reader never sees half a baseline
  out.save_to(tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw RunError("cannot write the baseline " + path);
}

TrainResult Trainer::run() {
  configure_runtime(opt_.threads);
  torch::manual_seed(opt_.seed);
  TrainResult r;
  r.net = net_;
  r.method = method_;
  r.train_images = train_.count;
  r.test_images = test_.count;
  const torch::Tensor xtr = image_tensor(train_), ytr = label_tensor(train_);
  const torch::Tensor xte = image_tensor(test_), yte = label_tensor(test_);
  Progress progress(opt_.progress_bar, opt_.quiet);

  auto train_phase = [&](const std::string& phase, QNet& net, Mode mode, Method* method) {
    torch::optim::Adam adam(net.parameters(), torch::optim::AdamOptions(opt_.lr));
    const int64_t n = train_.count, steps_per_epoch = (n + opt_.batch - 1) / opt_.batch;
    const int64_t total_steps = steps_per_epoch * opt_.epochs;
    int64_t step = 0;
    // Each phase shuffles from its own stream, so a reused baseline changes no later byte.
    SplitMix64 shuffle(opt_.seed ^ (mode == Mode::Float ? 0x5eedull : 0xc0deull));
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    for (int epoch = 0; epoch < opt_.epochs; ++epoch) {
      const auto t0 = Clock::now();
      EpochInfo info{phase, epoch, opt_.epochs, 0, 0, 0, ""};
      if (method) info.note = method->begin_epoch(epoch, opt_.epochs, net);
      if (mode == Mode::Quant && epoch == 0) {
        // Activation ranges from a few batches before the first step.
        torch::NoGradGuard no_grad;
        ForwardOptions cal{mode, method, true, false};
        for (int64_t i = 0; i < std::min<int64_t>(n, 8 * opt_.batch); i += opt_.batch)
          net.forward(xtr.narrow(0, i, std::min<int64_t>(opt_.batch, n - i)), cal);
      }
      for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[shuffle.below(i + 1)]);
      const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kInt64);
      double loss_sum = 0;
      for (int64_t b = 0; b < steps_per_epoch; ++b, ++step) {
        const double lr = 0.5 * opt_.lr * (1 + std::cos(M_PI * step / total_steps));
        for (auto& g : adam.param_groups())
          static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
        const torch::Tensor idx =
            perm.narrow(0, b * opt_.batch, std::min<int64_t>(opt_.batch, n - b * opt_.batch));
        const torch::Tensor xb = xtr.index_select(0, idx), yb = ytr.index_select(0, idx);
        adam.zero_grad();
        ForwardOptions fo{mode, method, true, false};
        torch::Tensor loss = torch::nn::functional::cross_entropy(net.forward(xb, fo), yb);
        const double ce = loss.item<double>();
        if (method) {
          const torch::Tensor reg = method->regularizer(net);
          if (reg.defined()) loss = loss + reg;
        }
        loss.backward();
        adam.step();
        loss_sum += ce;
        progress.step(phase, epoch, opt_.epochs, b + 1, steps_per_epoch, loss_sum / (b + 1));
      }
      if (method && epoch == opt_.epochs - 1) method->finish(net);
      info.loss = loss_sum / steps_per_epoch;
      info.seconds = since(t0);  // training only: benchmarks compare it
      info.accuracy = accuracy(predict(net, xte, mode, method), yte);
      progress.epoch(info);
      r.history.push_back(info);
      if (on_epoch) on_epoch(info, net, method);
    }
  };

  auto t0 = Clock::now();
  QNet fnet(net_, opt_.act_bits, true);  // batch norm where the spec asks for it
  const std::string key = baseline_key();
  if (!opt_.baseline.empty() && load_baseline(opt_.baseline, key, fnet)) {
    r.baseline_reused = true;
  } else {
    train_phase("float", fnet, Mode::Float, nullptr);
    if (!opt_.baseline.empty()) save_baseline(opt_.baseline, key, fnet);
  }
  r.float_accuracy = accuracy(predict(fnet, xte, Mode::Float, nullptr), yte);
  r.float_seconds = since(t0);

  t0 = Clock::now();
  QNet qnet(net_, opt_.act_bits);
  qnet.fold_from(fnet);
  std::unique_ptr<Method> method = make_method(method_, net_);
  train_phase("compressed", qnet, Mode::Quant, method.get());
  r.compressed_seconds = since(t0);

  t0 = Clock::now();
  const torch::Tensor qpred = predict(qnet, xte, Mode::Quant, method.get(), true).contiguous();
  r.quantized_accuracy = accuracy(qpred, yte);
  r.network = export_network(qnet, *method, opt_);
  r.network.meta = {{"producer", std::string("trine train ") + version()},
                    {"net", opt_.net},
                    {"method", method_.text()},
                    {"dataset", opt_.dataset},
                    {"train_images", std::to_string(train_.count)},
                    {"epochs", std::to_string(opt_.epochs)},
                    {"seed", std::to_string(opt_.seed)},
                    {"act_bits", std::to_string(opt_.act_bits)},
                    {"float_accuracy", fmt("%.4f", r.float_accuracy)},
                    {"quantized_accuracy", fmt("%.4f", r.quantized_accuracy)}};
  const ref::Evaluation e = ref::evaluate(r.network, test_, opt_.threads);
  r.integer_accuracy = e.accuracy();
  int64_t same = 0;
  const torch::Tensor q64 = qpred.to(torch::kInt64).contiguous();
  for (int64_t i = 0; i < test_.count; ++i) same += e.predictions[i] == q64.data_ptr<int64_t>()[i];
  r.agreement = static_cast<double>(same) / test_.count;
  r.export_seconds = since(t0);
  return r;
}

void write_summary(std::ostream& out, const TrainOptions& opt, const TrainResult& r) {
  const net::Footprint f = net::footprint(r.network);
  json::Writer j(out);
  j.begin_object();
  j.field("producer", std::string("trine train ") + version());
  j.field("net", opt.net).field("method", r.method.text());
  j.key("params").begin_object();
  for (const auto& [k, v] : r.method.params) j.field(k, v);
  j.end_object();
  j.field("dataset", opt.dataset);
  j.field("train_images", r.train_images).field("test_images", r.test_images);
  j.field("epochs", opt.epochs).field("seed", static_cast<int64_t>(opt.seed));
  j.field("act_bits", opt.act_bits).field("batch", opt.batch).field("lr", opt.lr);
  j.key("accuracy").begin_object();
  j.field("float", r.float_accuracy);
  j.field("quantized", r.quantized_accuracy);
  j.field("integer", r.integer_accuracy);
  j.field("drop_points", 100 * (r.float_accuracy - r.integer_accuracy));
  j.field("agreement", r.agreement);
  j.end_object();
  j.key("model").begin_object();
  j.field("weights", f.weights).field("nonzeros", f.nonzeros).field("sparsity", f.sparsity());
  j.field("weight_bits", f.weight_bits).field("table_bits", f.table_bits);
  j.field("bits_per_weight", f.bits_per_weight());
  j.field("bytes", f.model_bytes());
  j.field("bias_and_requant_bytes", (f.bias_bits + 7) / 8);
  j.field("ratio_vs_fp32", f.ratio(32)).field("ratio_vs_binary", f.ratio(1));
  j.field("ratio_vs_dense_ternary", f.ratio(2));
  j.end_object();
  j.key("layers").begin_array();
  for (const net::LayerFootprint& l : f.layers) {
    j.begin_object();
    j.field("name", l.name).field("form", net::form_name(l.form));
    j.field("rows", l.rows).field("cols", l.cols).field("weights", l.weights);
    j.field("nonzeros", l.nonzeros).field("sparsity", l.sparsity());
    j.field("weight_bits", l.weight_bits).field("bits_per_weight", l.bits_per_weight());
    if (l.form == net::WeightForm::ColComb) {
      j.field("columns_before", l.columns_before).field("columns_after", l.columns_after);
      j.field("column_reduction",
              static_cast<double>(l.columns_before) / std::max<int64_t>(1, l.columns_after));
      j.field("packed_density", l.packed_density);
    }
    j.end_object();
  }
  j.end_array();
  j.key("seconds").begin_object();
  j.field("float", r.float_seconds).field("baseline_reused", r.baseline_reused);
  j.field("compressed", r.compressed_seconds);
  j.field("export_and_evaluate", r.export_seconds);
  j.field("total", r.float_seconds + r.compressed_seconds + r.export_seconds);
  j.end_object();
  j.key("history").begin_array();
  for (const EpochInfo& e : r.history) {
    j.begin_object();
    j.field("phase", e.phase).field("epoch", e.epoch + 1).field("loss", e.loss);
    j.field("test_accuracy", e.accuracy).field("seconds", e.seconds).field("note", e.note);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  j.finish();
}

}  // namespace trine::train
