// trine run: one inference (or several images) of a .tnet on the simulated accelerator, DRAM
// in the loop, every layer's output checked against the integer reference.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <filesystem>
#include <sstream>

#include "models/accel/accelerator.hpp"
#include "models/array/vcd.hpp"
#include "sim/cli/options.hpp"
#include "sim/compile/schedule.hpp"
#include "sim/cost/technology.hpp"
#include "sim/data/idx.hpp"
#include "sim/net/tnet.hpp"
#include "sim/report/report.hpp"
#include "sim/report/trace.hpp"
#include "sim/util/embedded.hpp"
#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/interrupt.hpp"
#include "sim/util/json.hpp"
#include "sim/util/version.hpp"

namespace trine::cli {

namespace {

constexpr const char* kDefaultModel = "configs/nets/default.tnet";

net::Network load_model(const po::variables_map& vm) {
  if (vm.count("model")) return net::read_tnet(vm["model"].as<std::string>());
  const embedded::Blob* b = embedded::find_blob(kDefaultModel);
  if (!b) throw RunError("the default network is not embedded in this build");
  return net::parse(std::vector<uint8_t>(b->data, b->data + b->size),
                    std::string("<embedded>/") + kDefaultModel);
}

// Images done, elapsed and an estimate of what is left, on one line of a terminal that it
// rewrites at most five times a second; cleared at the end. Nothing when not a terminal.
// Progress on a terminal, after half a second: images done and the layers of the current
// batch, elapsed time and an estimate (a one-image run of a large network takes seconds).
class Progress {
 public:
  explicit Progress(bool show) : show_(show), start_(Clock::now()), last_(start_) {}
  ~Progress() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
  }
  void update(int64_t done, int64_t batch, int64_t total, int64_t layers_done, int64_t layers) {
    const Clock::time_point now = Clock::now();
    if (!show_ || now - start_ < std::chrono::milliseconds(500) ||
        (drawn_ && now - last_ < std::chrono::milliseconds(200)) || total <= 0 || layers <= 0)
      return;
    last_ = now;
    drawn_ = true;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double units = static_cast<double>(done * layers + batch * layers_done);
    const double left =
        elapsed / std::max(1.0, units) * (static_cast<double>(total * layers) - units);
    std::fprintf(
        stderr,
        "\r\033[Ktrine run: %lld/%lld images (next: layer %lld/%lld), %.1f s, about %.1f s "
        "left",
        static_cast<long long>(done), static_cast<long long>(total),
        static_cast<long long>(layers_done), static_cast<long long>(layers), elapsed, left);
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool show_, drawn_ = false;
  Clock::time_point start_, last_;
};

double pct(double num, double den) {
  return den > 0 ? 100.0 * num / den : 0.0;
}

void print_table(const models::InferenceResult& r, const config::DesignPoint& dp) {
  const double cells = static_cast<double>(dp.array.rows * dp.array.cols);
  int name_w = 10, kind_w = 8;  // wider for long names and kinds (globalavgpool)
  for (const models::LayerResult& l : r.layers) {
    name_w = std::max(name_w, static_cast<int>(l.name.size()));
    kind_w = std::max(kind_w, static_cast<int>(l.kind.size()));
  }
  // dram_rd, dram_wr: the bytes asked for; burst_rd, burst_wr: the whole bursts moved.
  std::printf("%-*s %-*s %-8s %10s %9s %7s %6s %11s %10s %10s %10s %10s %10s %10s %10s\n", name_w,
              "layer", kind_w, "kind", "form", "cycles", "stall", "util%", "MAC%", "MACs",
              "dram_rd", "dram_wr", "burst_rd", "burst_wr", "wbuf_B", "ibuf_B", "obuf_B");
  int64_t cycles = 0, stall = 0, macs = 0;
  uint64_t rd = 0, wr = 0, brd = 0, bwr = 0, wb = 0, ib = 0, ob = 0;
  for (const models::LayerResult& l : r.layers) {
    // The array's utilization, as bit-steps and as MACs per cell-cycle; "-" for layers the
    // array does not run.
    char util[16] = "-", mac[16] = "-";
    if (l.unit == "array") {
      const double cell_cycles = cells * static_cast<double>(l.cycles());
      std::snprintf(util, sizeof util, "%.1f",
                    pct(static_cast<double>(l.mapped_cell_cycles), cell_cycles));
      std::snprintf(mac, sizeof mac, "%.1f", pct(static_cast<double>(l.macs), cell_cycles));
    }
    const report::Transferred moved = report::transferred(l, dp);
    std::printf(
        "%-*s %-*s %-8s %10lld %9lld %7s %6s %11lld %10llu %10llu %10llu %10llu %10llu %10llu "
        "%10llu\n",
        name_w, l.name.c_str(), kind_w, l.kind.c_str(), l.form.c_str(),
        static_cast<long long>(l.cycles()), static_cast<long long>(l.stall()), util, mac,
        static_cast<long long>(l.macs), static_cast<unsigned long long>(l.dram_read),
        static_cast<unsigned long long>(l.dram_written),
        static_cast<unsigned long long>(moved.read), static_cast<unsigned long long>(moved.written),
        static_cast<unsigned long long>(l.wbuf_bytes),
        static_cast<unsigned long long>(l.ibuf_bytes),
        static_cast<unsigned long long>(l.obuf_bytes));
    cycles += l.cycles(), stall += l.stall(), macs += l.macs;
    rd += l.dram_read, wr += l.dram_written, brd += moved.read, bwr += moved.written;
    wb += l.wbuf_bytes, ib += l.ibuf_bytes, ob += l.obuf_bytes;
  }
  std::printf(
      "%-*s %-*s %-8s %10lld %9lld %7s %6s %11lld %10llu %10llu %10llu %10llu %10llu %10llu "
      "%10llu\n",
      name_w, "total", kind_w, "", "", static_cast<long long>(cycles),
      static_cast<long long>(stall), "", "", static_cast<long long>(macs),
      static_cast<unsigned long long>(rd), static_cast<unsigned long long>(wr),
      static_cast<unsigned long long>(brd), static_cast<unsigned long long>(bwr),
      static_cast<unsigned long long>(wb), static_cast<unsigned long long>(ib),
      static_cast<unsigned long long>(ob));
}

// The folder an output option names, created if need be.
std::string output_dir(const po::variables_map& vm, const char* option) {
  const std::string dir = vm[option].as<std::string>();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError(std::string("trine run: --") + option + " " + dir + ": " + ec.message());
  return dir;
}

}  // namespace

int cmd_run(const Args& args) {
  po::options_description opts("run options");
  add_arch_options(opts);
  opts.add_options()("model", po::value<std::string>(),
                     "the .tnet to run (default: the embedded configs/nets/default.tnet)")(
      "dataset", po::value<std::string>()->default_value("fashion-mnist"),
      "where the input images come from: fashion-mnist, idx:DIR, cifar10:DIR or "
      "synthetic[:...]; images smaller than the network's are centred, zero-padded and a "
      "single channel repeated (docs/inputs.md)")(
      "batch", po::value<int64_t>()->default_value(1),
      "images per inference: each weight tile streams all of them")(
      "images", po::value<int64_t>(),
      "run the first N test images (a multiple of --batch; default: one batch) and report "
      "accuracy")("json", "print the whole report as one JSON object")(
      "report", po::value<std::string>(),
      "write DIR/report.json (everything, with units) and DIR/layers.csv (one row per layer)")(
      "row", po::value<std::string>(),
      "write the headline figures, one per line, to this file (what a sweep collects)")(
      "trace", po::value<std::string>(),
      "write DIR/events.txt (DRAM commands, DMA jobs, decodes, tiles, layers), DIR/summary.txt "
      "and DIR/trace.json (Chrome trace events, for Perfetto)")(
      "vcd", po::value<std::string>(),
      "write the array's signals, cycle by cycle, as a VCD file (array.model=cycle only)");
  po::positional_options_description pos;
  po::variables_map vm;
  if (!parse("run",
             "[--arch A.yaml] [--set KEY=VALUE]... [--model M.tnet] [--dataset D] [--batch B] "
             "[--images N]\n       [--json] [--report DIR] [--trace DIR] [--vcd FILE] [--row FILE]",
             args, opts, pos, vm))
    return 0;
  // Everything that can be wrong with the inputs is found before the simulation starts.
  const config::LoadedDesignPoint arch = load_arch(vm);
  const config::DesignPoint& dp = arch.point;
  const int64_t batch = vm["batch"].as<int64_t>();
  if (batch < 1 || batch > 4096) throw InputError("trine run: --batch must be in [1, 4096]");
  const int64_t count = vm.count("images") ? vm["images"].as<int64_t>() : batch;
  if (count < 1 || count % batch != 0)
    throw InputError("trine run: --images must be a positive multiple of --batch (" +
                     std::to_string(batch) + ")");
  const cost::Technology tech =
      cost::load_technology(dp.tech, arch.locations.count("tech") ? arch.locations.at("tech")
                                                                  : Location{arch.file, 0, 0});
  if (vm.count("vcd") && dp.array.model != models::array::ModelKind::Cycle)
    throw InputError(
        "trine run: --vcd needs array.model=cycle (the fast model does not step "
        "cycles; add --set array.model=cycle)");
  const net::Network net = load_model(vm);
  const compile::Schedule schedule = [&] {
    try {
      return compile::compile(net, dp, batch);
    } catch (const compile::MappingError& e) {
      throw compile::locate(e, arch,
                            vm.count("model") ? vm["model"].as<std::string>()
                                              : std::string("<embedded>/") + kDefaultModel);
    }
  }();
  // After the mapping: a design whose layers cannot map says so before how its buffers are priced.
  const cost::CostModel cost_model(tech, dp, arch.locations);
  const data::Dataset d =
      data::fit_images(data::load(vm["dataset"].as<std::string>(), data::Split::Test, count),
                       net.input.channels, net.input.height, net.input.width, net.name);
  if (d.count < count)
    throw InputError("trine run: --images " + std::to_string(count) + " but the dataset has " +
                     std::to_string(d.count) + " test images");
  std::vector<const uint8_t*> images;
  for (int64_t i = 0; i < d.count; ++i) images.push_back(d.image(i));

  models::Accelerator top("top", dp, net, schedule, images, vm.count("trace") > 0);
  models::array::Vcd vcd;
  if (vm.count("vcd")) top.array.trace_signals(vcd);
  {
    const StopOnSignal stop;  // Ctrl-C: stop after the current batch, keep what is complete
    Progress progress(::isatty(STDERR_FILENO));
    top.controller.set_layer_hook(
        [&](int64_t done, int64_t batch, int64_t total, int64_t layers_done, int64_t layers) {
          progress.update(done, batch, total, layers_done, layers);
        });
    top.controller.set_batch_hook([&](int64_t, int64_t) { return !StopOnSignal::requested(); });
    sc_core::sc_start();
  }
  top.finish();
  const std::vector<models::InferenceResult>& results = top.controller.results();
  if (!top.controller.finished() || results.empty())
    throw RunError("the simulation stopped before the controller finished");
  const models::InferenceResult& last = results.back();
  if (last.mismatch) {
    const models::Mismatch& m = last.first_mismatch;
    throw RunError("image " +
                   std::to_string(static_cast<int64_t>(results.size() - 1) * batch + m.image) +
                   ": layer '" + m.layer + "' output " + std::to_string(m.index) + " is " +
                   std::to_string(m.simulated) + " on the simulated hardware but " +
                   std::to_string(m.reference) + " in the integer reference");
  }
  int64_t correct = 0, total_cycles = 0, image = 0;
  for (const models::InferenceResult& r : results) {
    for (int64_t p : r.predictions) correct += p == d.labels[image++];
    total_cycles += r.end - r.start;
  }
  const double mhz = static_cast<double>(dp.clock.frequency_hz) / 1e6;
  const models::InferenceResult& first = results.front();
  const double accuracy = static_cast<double>(correct) / static_cast<double>(image);
  const double per_image = static_cast<double>(total_cycles) / static_cast<double>(image);
  report::RunInputs in;
  in.design = &arch;
  in.cost = &cost_model;
  in.network = net.name;
  in.batch = batch;
  in.images = image;
  // A network with input layers (a topology's independent rows) classifies nothing: its
  // "classes" are the last row's outputs, so an accuracy against the labels would mean nothing.
  const bool classifies = std::none_of(net.layers.begin(), net.layers.end(), [](const auto& l) {
    return l.kind == net::LayerKind::Input;
  });
  if (image > batch && classifies) in.accuracy = accuracy;
  in.first = &first;
  in.preload = top.controller.preload();
  in.statistics = models::collect_statistics(top);
  const report::RunReport rep = report::build_report(std::move(in));
  if (vm.count("report")) {
    const std::string dir = output_dir(vm, "report");
    std::ostringstream js, csv;
    report::write_json(rep, js);
    report::write_layers_csv(rep, csv);
    write_file_atomic(dir + "/report.json", js.str());
    write_file_atomic(dir + "/layers.csv", csv.str());
  }
  if (vm.count("trace")) {
    const std::string dir = output_dir(vm, "trace");
    top.event_trace()->write(dir + "/events.txt", dir + "/trace.json");
    write_file_atomic(dir + "/summary.txt", report::summary_text(rep));
  }
  if (vm.count("vcd")) {
    const models::ClockDomain clock(dp.clock.frequency_hz);
    write_file_streamed(vm["vcd"].as<std::string>(), [&](std::ostream& out) {
      vcd.write(
          out, [&](int64_t cycle) { return clock.ps(cycle); },
          "trine " + std::string(version()) + ": array of design point " + dp.name + ", network " +
              net.name);
    });
  }
  // A sweep's row stands for the whole point: an interrupted run leaves none (the sweep runs
  // the point again); its report and trace say how many images they cover.
  const bool interrupted = top.controller.interrupted();
  if (vm.count("row") && !interrupted)
    write_file_atomic(vm["row"].as<std::string>(), report::format_figures(report::headline(rep)));
  if (interrupted)
    std::fprintf(stderr,
                 "trine run: interrupted after %lld of %lld images; the results cover "
                 "those\n",
                 static_cast<long long>(image), static_cast<long long>(count));
  if (vm.count("json")) {
    report::write_json(rep, std::cout);
    return interrupted ? 130 : 0;
  }
  const std::string offchip =
      dp.offchip == config::Offchip::Io
          ? "no DRAM (chip I/O, " + std::to_string(dp.io.bits) + " bits per cycle)"
          : dp.dram.device.name;
  std::printf(
      "design point %s: %lldx%lld %s %s array (%s model), %lld-bit activations, %.0f MHz, %s\n",
      dp.name.c_str(), static_cast<long long>(dp.array.rows), static_cast<long long>(dp.array.cols),
      dp.array.cell_name(), dp.array.dataflow_name(), dp.array.model_name(),
      static_cast<long long>(dp.array.act_bits), mhz, offchip.c_str());
  std::printf("network      %s, %zu layers, batch %lld\n\n", net.name.c_str(), net.layers.size(),
              static_cast<long long>(batch));
  print_table(first, dp);
  std::printf("\n");
  std::fflush(stdout);
  report::print_summary(rep, std::cout);
  std::cout << "check        bit-exact with the integer reference";
  if (image > batch && classifies)
    std::printf("; %lld images, accuracy %.4f (%lld/%lld), %.0f cycles per image\n",
                static_cast<long long>(image), accuracy, static_cast<long long>(correct),
                static_cast<long long>(image), per_image);
  else if (image > batch)
    std::printf("; %lld images, %.0f cycles per image\n", static_cast<long long>(image), per_image);
  else
    std::cout << "; prediction " << first.predictions.front() << "\n";
  return interrupted ? 130 : 0;
}

}  // namespace trine::cli
