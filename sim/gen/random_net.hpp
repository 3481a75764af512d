#pragma once
// `trine net`'s weights: a network's shape (a train::NetSpec: a family, LeNet-5, an MLP, a YAML
// graph, or a topology file's layers) filled with random integer weights of one form, drawn as
// docs/net.md describes. Biases are zero and requantization is the identity until calibrate()
// (sim/gen/calibrate.hpp) sets it from the activations.
#include <cstdint>
#include <string>

#include "sim/net/network.hpp"
#include "sim/train/spec.hpp"
#include "sim/util/rng.hpp"

namespace trine::gen {

struct FormSpec {
  net::WeightForm form = net::WeightForm::Dense8;
  train::MethodSpec method;  // the form's parameters (`trine train --method help`)
  double sparsity = 0;       // dense8, ternary, colcomb: the fraction of weights drawn as zero
  std::string text() const;  // canonical: "colcomb:alpha=8,gamma=0.1,sparsity=0.8"
  // Only what shapes the weights: "nk:n=8,k=2", "ternary:sparsity=0.7", "dense8".
  std::string weights_text() const;
};

// `text` in the trainer's method grammar ("nk:8,2", "lowbit:bits=3,block=8,keep=0.25") and
// `sparsity` (--sparsity; < 0: not given). Only parameters that shape the weights are taken:
// a training parameter (lambda, ramp, ...) is refused, as is a sparsity the form fixes itself
// ((N,k), low-bit blocks) or two different sparsities for column combining. Throws InputError.
// `option` names the text in messages, `tool` says what the caller does with the weights.
FormSpec parse_form(const std::string& text, double sparsity, const std::string& option = "--form",
                    const std::string& tool = "trine net draws the weights themselves");

// A rows x cols matrix of the form (before column combining's grouping): int8 weights of the
// rounded normal distribution of docs/net.md, zeros where a Bernoulli(sparsity) draw says so;
// ternary +-1; (N,k) exactly k of each n in a row; low-bit blocks kept at random.
net::WeightMatrix random_matrix(const FormSpec& form, int64_t rows, int64_t cols, SplitMix64& rng);
// The matrix in the form's code (column combining groups it and drops the conflicts it allows,
// keeping the largest weight of each row in a group, as the trainer does).
net::Weights encode(const FormSpec& form, net::WeightMatrix w);

// Compute layer `l`'s rows x cols weights drawn in `form`, its accumulator width and method;
// `last`: the classifier, whose outputs are its accumulators (32 bits, not requantized).
void fill_weights(net::Layer& l, int64_t rows, int64_t cols, bool last, const FormSpec& form,
                  SplitMix64& rng);

// Every compute layer of `spec` with random weights of `form`, everything else as the spec says;
// the same spec, form and seed give the same network on every platform.
net::Network random_network(const train::NetSpec& spec, const FormSpec& form, uint64_t seed);

}  // namespace trine::gen
