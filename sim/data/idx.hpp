#pragma once
// IDX image/label sets (the MNIST format), gzipped or not, of any image size.
#include <cstdint>
#include <string>
#include <vector>

namespace trine::data {

struct Dataset {
  int64_t count = 0, channels = 1, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // count x channels x height x width (channel-major images)
  std::vector<uint8_t> labels;  // count
  int64_t image_bytes() const { return channels * height * width; }
  const uint8_t* image(int64_t i) const { return pixels.data() + i * image_bytes(); }
  std::string shape() const;  // "CxHxW"
};

enum class Split { Train, Test };

// "fashion-mnist" (Debian's copy in /usr/share/datasets/fashion-mnist) or "idx:DIR", a folder
// with MNIST's four file names, each optionally ending in .gz. load() also takes
// "synthetic[:KEY=VALUE,...]" (sim/data/synthetic.hpp) and "cifar10:DIR" (sim/data/cifar10.hpp).
std::string dataset_dir(const std::string& spec);

// Loads a split; `limit` > 0 keeps the first `limit` images. Throws InputError naming the file.
Dataset load(const std::string& spec, Split split, int64_t limit = 0);
Dataset load_files(const std::string& images_path, const std::string& labels_path,
                   int64_t limit = 0);

// The images as a network taking `channels` x `height` x `width` needs them: unchanged when
// they have that shape; smaller ones centred on a zero background (an odd margin's extra row
// or column at the bottom or right), a single channel repeated into every channel. Larger
// images, or other channel counts, are an InputError naming `network` and both shapes.
Dataset fit_images(Dataset d, int64_t channels, int64_t height, int64_t width,
                   const std::string& network);

// Writes an IDX pair (gzipped if the path ends in .gz); used for synthetic test sets.
void write_images(const std::string& path, const Dataset& d);
void write_labels(const std::string& path, const Dataset& d);

}  // namespace trine::data
