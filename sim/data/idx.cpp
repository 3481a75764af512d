#include "sim/data/idx.hpp"

#include <zlib.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "sim/data/cifar10.hpp"
#include "sim/data/synthetic.hpp"
#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::data {

namespace {

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using Gz = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

// gzread reads plain files transparently, so one path serves .gz and raw IDX. Sizes in the
// header are checked against the file before anything of that size is allocated: a raw
// file's length must match exactly, a gzipped one's trailer must give the same length
// (modulo 2^32, as gzip stores it), and its data is read in bounded chunks.
class IdxFile {
 public:
  explicit IdxFile(const std::string& path) : path_(path) {
    file_bytes_ = check_input_file(path, limits::kDatasetFileBytes, "IDX file");
    f_.reset(gzopen(path.c_str(), "rb"));
    if (!f_) throw InputError(path, "cannot open file");
  }
  void read(void* dst, size_t n, const char* what) {
    auto* p = static_cast<uint8_t*>(dst);
    while (n > 0) {
      const unsigned chunk = n > (1u << 24) ? (1u << 24) : static_cast<unsigned>(n);
      const int got = gzread(f_.get(), p, chunk);
      if (got < 0) corrupt();
      if (got == 0) throw InputError(path_, std::string("truncated: file ends inside the ") + what);
      p += got;
      n -= static_cast<size_t>(got);
    }
  }
  // Appends `n` bytes, growing `out` only as data arrives.
  void append(std::vector<uint8_t>& out, size_t n, const char* what) {
    while (n > 0) {
      const size_t chunk = std::min<size_t>(n, size_t{1} << 24);
      const size_t at = out.size();
      out.resize(at + chunk);
      read(out.data() + at, chunk, what);
      n -= chunk;
    }
  }
  uint32_t be32(const char* what) {
    uint8_t b[4];
    read(b, 4, what);
    return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
  }
  // The header promises `bytes` in all: refuse a file whose length says otherwise.
  void expect_length(uint64_t bytes) {
    if (gzdirect(f_.get())) {
      if (static_cast<uint64_t>(file_bytes_) < bytes)
        throw InputError(path_, "truncated: the header promises " + std::to_string(bytes) +
                                    " bytes, the file has " + std::to_string(file_bytes_));
      if (static_cast<uint64_t>(file_bytes_) > bytes)
        throw InputError(path_, std::to_string(static_cast<uint64_t>(file_bytes_) - bytes) +
                                    " unexpected bytes after the data");
      return;
    }
    uint8_t t[4] = {0, 0, 0, 0};
    FILE* raw = std::fopen(path_.c_str(), "rb");
    const bool ok = raw && std::fseek(raw, -4, SEEK_END) == 0 && std::fread(t, 1, 4, raw) == 4;
    if (raw) std::fclose(raw);
    const uint32_t isize =
        uint32_t{t[0]} | uint32_t{t[1]} << 8 | uint32_t{t[2]} << 16 | uint32_t{t[3]} << 24;
    if (!ok || isize != static_cast<uint32_t>(bytes))
      throw InputError(path_, "the gzip trailer gives " + std::to_string(isize) +
                                  " bytes (mod 2^32); the header promises " +
                                  std::to_string(bytes));
  }
  // After the last byte: nothing may follow, and reading on checks the gzip trailer's CRC.
  void expect_end() {
    uint8_t extra;
    const int got = gzread(f_.get(), &extra, 1);
    if (got < 0) corrupt();
    if (got > 0) throw InputError(path_, "unexpected bytes after the data");
  }
  const std::string& path() const { return path_; }

 private:
  // zlib says what: a bad deflate stream, or the trailer's CRC or length.
  [[noreturn]] void corrupt() {
    int code = 0;
    std::string why = gzerror(f_.get(), &code);  // "PATH: reason"
    if (why.rfind(path_ + ": ", 0) == 0) why.erase(0, path_.size() + 2);
    throw InputError(path_, "corrupt compressed data (" + why + ")");
  }
  std::string path_;
  int64_t file_bytes_ = 0;
  Gz f_;
};

std::string find_file(const std::string& dir, const std::string& base) {
  for (const std::string& p : {dir + "/" + base, dir + "/" + base + ".gz"})
    if (exists(p)) return p;
  throw InputError(dir + "/" + base, "missing: expected " + base + " or " + base + ".gz in " + dir);
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  Gz f(gzopen(path.c_str(), gz ? "wb9" : "wbT"));
  if (!f || gzwrite(f.get(), bytes.data(), static_cast<unsigned>(bytes.size())) !=
                static_cast<int>(bytes.size()))
    throw InputError(path, "cannot write file");
}

void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

}  // namespace

std::string dataset_dir(const std::string& spec) {
  if (spec == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (spec.rfind("idx:", 0) == 0 && spec.size() > 4) return spec.substr(4);
  throw InputError("dataset '" + spec +
                   "': expected fashion-mnist, idx:DIR, cifar10:DIR or synthetic[:KEY=VALUE,...]");
}

Dataset load_files(const std::string& images_path, const std::string& labels_path, int64_t limit) {
  Dataset d;
  IdxFile im(images_path);
  if (im.be32("header") != 0x00000803)
    throw InputError(images_path, "not an IDX image file (magic is not 0x00000803)");
  const int64_t count = im.be32("header");
  d.height = im.be32("header");
  d.width = im.be32("header");
  if (d.height < 1 || d.width < 1 || d.height > 65535 || d.width > 65535)
    throw InputError(images_path, "implausible image size " + std::to_string(d.height) + "x" +
                                      std::to_string(d.width));
  if (count == 0) throw InputError(images_path, "holds no images");
  // Checked before multiplying: 2^32 x 2^16 x 2^16 overflows a signed 64-bit count.
  if (count > limits::kDatasetBytes / (d.height * d.width))
    throw InputError(images_path,
                     std::to_string(count) + " images of " + std::to_string(d.height) + "x" +
                         std::to_string(d.width) + " exceed the largest data set, " +
                         std::to_string(limits::kDatasetBytes) + " bytes (docs/inputs.md)");
  const int64_t pixels = count * d.height * d.width;
  im.expect_length(16 + static_cast<uint64_t>(pixels));
  d.count = limit > 0 && limit < count ? limit : count;
  im.append(d.pixels, static_cast<size_t>(d.count * d.height * d.width), "images");
  if (d.count == count) im.expect_end();  // a limited read leaves the rest (and the CRC) unread

  IdxFile lb(labels_path);
  if (lb.be32("header") != 0x00000801)
    throw InputError(labels_path, "not an IDX label file (magic is not 0x00000801)");
  const int64_t nlabels = lb.be32("header");
  if (nlabels != count)
    throw InputError(labels_path, std::to_string(nlabels) + " labels for " + std::to_string(count) +
                                      " images in " + images_path);
  lb.expect_length(8 + static_cast<uint64_t>(count));
  lb.append(d.labels, static_cast<size_t>(d.count), "labels");
  if (d.count == count) lb.expect_end();
  return d;
}

std::string Dataset::shape() const {
  return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

Dataset fit_images(Dataset d, int64_t channels, int64_t height, int64_t width,
                   const std::string& network) {
  if (d.channels == channels && d.height == height && d.width == width) return d;
  if (d.height > height || d.width > width || (d.channels != 1 && d.channels != channels))
    throw InputError("network '" + network + "' takes " + std::to_string(channels) + "x" +
                     std::to_string(height) + "x" + std::to_string(width) +
                     " images; the data set's are " + d.shape() +
                     " (smaller images are centred and padded, one channel is repeated; larger "
                     "ones are not cropped)");
  Dataset out;
  out.count = d.count, out.channels = channels, out.height = height, out.width = width;
  out.labels = std::move(d.labels);
  out.pixels.assign(static_cast<size_t>(out.count * out.image_bytes()), 0);
  const int64_t top = (height - d.height) / 2, left = (width - d.width) / 2;
  for (int64_t i = 0; i < d.count; ++i)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < d.height; ++y) {
        const uint8_t* from = d.image(i) + ((d.channels == 1 ? 0 : c) * d.height + y) * d.width;
        uint8_t* to =
            out.pixels.data() + i * out.image_bytes() + (c * height + top + y) * width + left;
        std::copy(from, from + d.width, to);
      }
  return out;
}

Dataset load(const std::string& spec, Split split, int64_t limit) {
  if (is_synthetic(spec)) return synthetic(parse_synthetic(spec), split, limit);
  if (spec.rfind("cifar10:", 0) == 0 && spec.size() > 8)
    return load_cifar10(spec.substr(8), split, limit);
  const std::string dir = dataset_dir(spec);
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  // Images first: the error for a missing set names the image file.
  const std::string images = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_file(dir, prefix + "-labels-idx1-ubyte");
  return load_files(images, labels, limit);
}

void write_images(const std::string& path, const Dataset& d) {
  if (d.channels != 1) throw InputError(path, "IDX image files hold one channel");
  std::vector<uint8_t> b;
  put_be32(b, 0x00000803);
  put_be32(b, static_cast<uint32_t>(d.count));
  put_be32(b, static_cast<uint32_t>(d.height));
  put_be32(b, static_cast<uint32_t>(d.width));
  b.insert(b.end(), d.pixels.begin(), d.pixels.end());
  write_gz(path, b);
}

void write_labels(const std::string& path, const Dataset& d) {
  std::vector<uint8_t> b;
  put_be32(b, 0x00000801);
  put_be32(b, static_cast<uint32_t>(d.count));
  b.insert(b.end(), d.labels.begin(), d.labels.end());
  write_gz(path, b);
}

}  // namespace trine::data
