#include "sim/data/cifar10.hpp"

#include <sys/stat.h>

#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::data {

namespace {

constexpr int64_t kSide = 32, kChannels = 3, kImageBytes = kChannels * kSide * kSide;
constexpr int64_t kRecordBytes = 1 + kImageBytes;

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// Appends a file's records to `d`, at most `room` of them.
void append_records(const std::string& path, Dataset& d, int64_t room) {
  const std::vector<uint8_t> bytes =
      read_input_bytes(path, limits::kDatasetFileBytes, "CIFAR-10 file");
  const auto size = static_cast<int64_t>(bytes.size());
  if (size == 0 || size % kRecordBytes != 0)
    throw InputError(path, std::to_string(size) + " bytes is not a whole number of " +
                               std::to_string(kRecordBytes) +
                               "-byte records (one label byte, 3x32x32 pixels)");
  const int64_t records = std::min(size / kRecordBytes, room);
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes.data() + r * kRecordBytes;
    if (record[0] > 9)
      throw InputError(path, "record " + std::to_string(r) + " has label " +
                                 std::to_string(record[0]) + "; CIFAR-10 labels are 0 to 9");
    d.labels.push_back(record[0]);
    d.pixels.insert(d.pixels.end(), record + 1, record + kRecordBytes);
  }
  d.count += records;
}

}  // namespace

Dataset load_cifar10(const std::string& dir, Split split, int64_t limit) {
  std::vector<std::string> files;
  if (split == Split::Test) {
    files.push_back(dir + "/test_batch.bin");
  } else {
    for (int b = 1; b <= 5; ++b)
      if (exists(dir + "/data_batch_" + std::to_string(b) + ".bin"))
        files.push_back(dir + "/data_batch_" + std::to_string(b) + ".bin");
    if (files.empty())
      throw InputError(dir + "/data_batch_1.bin",
                       "missing: expected data_batch_1.bin (to data_batch_5.bin) in " + dir);
  }
  Dataset d;
  d.channels = kChannels, d.height = kSide, d.width = kSide;
  for (const std::string& f : files) {
    const int64_t room = limit > 0 ? limit - d.count : INT64_MAX;
    if (room <= 0) break;
    append_records(f, d, room);
  }
  return d;
}

void write_cifar10(const std::string& path, const Dataset& d) {
  if (d.channels != kChannels || d.height != kSide || d.width != kSide)
    throw InputError(path, "CIFAR-10 records hold 3x32x32 images, not " + d.shape());
  std::vector<uint8_t> bytes;
  for (int64_t i = 0; i < d.count; ++i) {
    if (d.labels[static_cast<size_t>(i)] > 9) throw InputError(path, "a label of 10 or more");
    bytes.push_back(d.labels[static_cast<size_t>(i)]);
    bytes.insert(bytes.end(), d.image(i), d.image(i) + kImageBytes);
  }
  write_file_atomic(path, bytes);
}

}  // namespace trine::data
