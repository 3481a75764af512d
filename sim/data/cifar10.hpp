#pragma once
// CIFAR-10's binary format, as its authors distribute it: files of records, each one label
// byte (0-9) and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, rows of 32): the
// channel-major 3x32x32 images trine takes. "cifar10:DIR" reads DIR/data_batch_1.bin to
// data_batch_5.bin (those present, in order, at least one) as the training split and
// DIR/test_batch.bin as the test split.
#include <cstdint>
#include <string>

#include "sim/data/idx.hpp"

namespace trine::data {

// `limit` > 0 keeps the first `limit` images. A file that is not a whole number of records,
// is empty, or holds a label of 10 or more is an InputError naming it (and the record).
Dataset load_cifar10(const std::string& dir, Split split, int64_t limit = 0);
// Writes records in the same format (for tests): the set must be 3x32x32 with labels < 10.
void write_cifar10(const std::string& path, const Dataset& d);

}  // namespace trine::data
