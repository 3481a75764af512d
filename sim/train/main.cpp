// trine-train: the embedded trainer, the only program that links LibTorch. `trine train`
// runs it with the same arguments.
#include <unistd.h>

#include <c10/util/Exception.h>
#include <boost/program_options.hpp>
#include <cstdio>

#include <iostream>
#include <sstream>

#include "sim/data/idx.hpp"
#include "sim/net/tnet.hpp"
#include "sim/train/spec.hpp"
#include "sim/train/trainer.hpp"
#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/version.hpp"

namespace po = boost::program_options;
using namespace trine;

namespace {

int run(int argc, char** argv) {
  train::TrainOptions o;
  po::options_description opts("trine train options");
  opts.add_options()("help,h", "this help")(
      "net", po::value(&o.net)->default_value(o.net),
      "mlp:SIZES (first = image size, last = classes), lenet5, a family "
      "NAME[:width=W,input=CxHxW] (listed below), or a layers .yaml")(
      "method", po::value(&o.method)->default_value(o.method),
      "dense8 | ternary | nk:N,k | colcomb | lowbit, each with :KEY=VALUE,... ('help' lists them)")(
      "dataset", po::value(&o.dataset)->default_value(o.dataset),
      "fashion-mnist, idx:DIR, or synthetic[:seed=S,size=HxW,classes=C,train=N,test=N,noise=A]")(
      "subset", po::value(&o.subset)->default_value(0),
      "use the first N training images and at most N test images (0: all)")(
      "epochs", po::value(&o.epochs)->default_value(o.epochs),
      "epochs of the float baseline, and again of the compressed network")(
      "seed", po::value(&o.seed)->default_value(o.seed), "initialisation and shuffling seed")(
      "threads,j", po::value(&o.threads)->default_value(0),
      "threads (0: every core); with 1 the same command writes the same bytes")(
      "batch", po::value(&o.batch)->default_value(o.batch), "minibatch size")(
      "lr", po::value(&o.lr)->default_value(o.lr), "Adam learning rate (cosine decay)")(
      "act-bits", po::value(&o.act_bits)->default_value(o.act_bits),
      "unsigned activation bits, power-of-two scales")("output,o", po::value<std::string>(),
                                                       "the .tnet to write (required)")(
      "summary", po::value<std::string>(), "also write a JSON summary here")(
      "baseline", po::value(&o.baseline),
      "reuse the float baseline stored in this file if it matches, else train and store it")(
      "quiet,q", "no progress output");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv)
                  .options(opts)
                  .style(po::command_line_style::default_style &
                         ~po::command_line_style::allow_guessing)  // --epoch is not --epochs
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(std::string("trine train: ") + e.what() + " (see 'trine train --help')");
  }
  if (vm.count("help")) {
    std::cout
        << "usage: trine train --net SPEC --method M [--dataset D] [--epochs E] -o OUT.tnet\n\n"
        << opts << "\n"
        << train::methods_help() << "\nnetwork families (--net NAME or NAME:width=W,input=CxHxW; "
        << "input defaults to the dataset's shape, smaller images are padded):\n";
    for (const train::FamilyDecl& f : train::families())
      std::cout << "  " << f.name << " (width " << f.width << "): " << f.summary << "\n";
    return 0;
  }
  if (o.method == "help") {
    std::cout << train::methods_help();
    return 0;
  }
  if (!vm.count("output")) throw InputError("trine train: -o OUT.tnet is required");
  if (o.subset < 0) throw InputError("trine train: --subset must be >= 0");
  if (o.threads < 0) throw InputError("trine train: --threads must be >= 0");
  o.quiet = vm.count("quiet") > 0;
  o.progress_bar = isatty(2);
  // Everything is checked before training starts: method, data, network.
  train::parse_method(o.method);
  data::Dataset tr = data::load(o.dataset, data::Split::Train, o.subset);
  data::Dataset te = data::load(o.dataset, data::Split::Test, o.subset);
  train::Trainer trainer(o, std::move(tr), std::move(te));
  const train::TrainResult r = trainer.run();

  net::write_tnet(r.network, vm["output"].as<std::string>());
  if (vm.count("summary")) {
    std::ostringstream s;
    train::write_summary(s, o, r);
    const std::string text = s.str();
    write_file_atomic(vm["summary"].as<std::string>(), text);
  }
  if (!o.quiet)
    std::fprintf(stderr, "float %.4f  quantized %.4f  integer %.4f  (agreement %.4f)  -> %s\n",
                 r.float_accuracy, r.quantized_accuracy, r.integer_accuracy, r.agreement,
                 vm["output"].as<std::string>().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const RunError& e) {
    std::cerr << "trine train: " << e.what() << "\n";
    return 1;
  } catch (const c10::Error& e) {
    // LibTorch's message carries a stack trace: one line of it says what went wrong.
    std::string msg = e.what_without_backtrace();
    msg = msg.substr(0, msg.find('\n'));
    std::cerr << "trine train: LibTorch: " << msg << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "trine train: unexpected error: " << e.what() << "\n";
    return 1;
  }
}
