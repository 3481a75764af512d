#pragma once
// A synthetic image-classification set generated from a seed, for tests and quick runs that
// must not depend on files: each class is a prototype of a few blobs; an image is its class's
// prototype, shifted by up to a pixel, scaled in intensity and covered in noise, so that small
// networks learn it to a high but imperfect accuracy in seconds.
#include <cstdint>
#include <string>

#include "sim/data/idx.hpp"

namespace trine::data {

struct SyntheticSpec {
  uint64_t seed = 1;
  int64_t channels = 1, height = 12, width = 12;
  int64_t classes = 10;
  int64_t train = 4000, test = 1000;
  int noise = 40;  // peak amplitude of the per-pixel noise, in pixel units
};

// "synthetic" or "synthetic:KEY=VALUE,..." with keys seed, size (N, HxW or CxHxW: colour
// images, each channel its own tint of the class's blobs), classes, train, test, noise. Throws
// InputError naming the bad key.
SyntheticSpec parse_synthetic(const std::string& spec);
bool is_synthetic(const std::string& spec);

// The same spec, split and limit give the same bytes on every platform (own generator).
Dataset synthetic(const SyntheticSpec& s, Split split, int64_t limit = 0);

}  // namespace trine::data
