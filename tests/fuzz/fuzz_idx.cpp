// libFuzzer target: the IDX reader, raw or gzipped. The input's first byte picks which of the
// pair it replaces (images or labels) and whether it is read whole or limited; the rest is
// the file. Any bytes must give a data set or an InputError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/data/idx.hpp"
#include "sim/util/error.hpp"

namespace {

std::string scratch_path(const char* name) {
  return "/tmp/trine-fuzz-idx-" + std::to_string(::getpid()) + "-" + name;
}

void put(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const uint8_t kImages[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2,
                                    0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
  static const uint8_t kLabels[] = {0, 0, 8, 1, 0, 0, 0, 2, 3, 7};
  const std::string images = scratch_path("images"), labels = scratch_path("labels");
  const bool fuzz_labels = data[0] & 1;
  put(images, fuzz_labels ? kImages : data + 1, fuzz_labels ? sizeof kImages : size - 1);
  put(labels, fuzz_labels ? data + 1 : kLabels, fuzz_labels ? size - 1 : sizeof kLabels);
  try {
    trine::data::load_files(images, labels, (data[0] & 2) ? 1 : 0);
  } catch (const trine::InputError&) {
  }
  std::remove(images.c_str());
  std::remove(labels.c_str());
  return 0;
}
