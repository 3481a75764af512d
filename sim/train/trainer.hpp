#pragma once
// The trainer: a float baseline and a compressed network trained with the same budget, the
// compressed one exported as a .tnet whose integer reference accuracy is measured on the test
// set, and a summary of both.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/net/network.hpp"
#include "sim/train/spec.hpp"

namespace trine::train {

class QNet;
class Method;

struct TrainOptions {
  std::string net = "mlp:784-512-512-10";
  std::string method = "dense8";
  std::string dataset = "fashion-mnist";
  int64_t subset = 0;  // > 0: the first N training images (and at most N test images)
  int epochs = 10;     // per phase: the float baseline and the compressed network each get these
  uint64_t seed = 1;
  int threads = 0;  // 0: every core
  int batch = 128;
  double lr = 1e-3;  // Adam, cosine decay to zero over each phase
  int act_bits = 8;
  // A file holding the float baseline's weights: reused when it matches (same net, data,
  // epochs, seed, batch, lr), written otherwise, so several methods share one baseline.
  std::string baseline;
  bool progress_bar = false;  // live bar (terminals) or one line per epoch
  bool quiet = false;
};

struct EpochInfo {
  std::string phase;  // "float" or "compressed"
  int epoch = 0, epochs = 0;
  double loss = 0, accuracy = 0, seconds = 0;
  std::string note;  // the method's schedule state
};

struct TrainResult {
  NetSpec net;
  MethodSpec method;
  net::Network network;  // the exported, integer network
  double float_accuracy = 0;
  double quantized_accuracy = 0;  // the trainer's own emulation of the integer network
  double integer_accuracy = 0;    // the integer reference model on the exported network
  double agreement = 0;           // fraction of test images where the two predict the same
  int64_t test_images = 0, train_images = 0;
  bool baseline_reused = false;
  double float_seconds = 0, compressed_seconds = 0, export_seconds = 0;
  std::vector<EpochInfo> history;
};

class Trainer {
 public:
  // Validates the options, the network and the method against the data. Throws InputError.
  Trainer(TrainOptions options, data::Dataset train, data::Dataset test);
  ~Trainer();
  // Called after every epoch of both phases (for tests and progress).
  std::function<void(const EpochInfo&, QNet&, Method*)> on_epoch;
  TrainResult run();

 private:
  std::string baseline_key() const;
  bool load_baseline(const std::string& path, const std::string& key, QNet& net) const;
  void save_baseline(const std::string& path, const std::string& key, const QNet& net) const;

  TrainOptions opt_;
  data::Dataset train_, test_;
  NetSpec net_;
  MethodSpec method_;
};

// The JSON summary (docs/training.md describes every key).
void write_summary(std::ostream& out, const TrainOptions& opt, const TrainResult& r);

// Sets LibTorch's and OpenBLAS's thread counts (0: every core) and tunes the allocator.
void configure_runtime(int threads);

}  // namespace trine::train
