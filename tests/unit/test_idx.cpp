#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/data/cifar10.hpp"
#include "sim/data/idx.hpp"
#include "sim/util/error.hpp"
#include "tests/support/builders.hpp"

using namespace trine;

static std::string fresh_dir(const std::string& name) {
  const std::string dir = "idx_test_" + name;
  std::filesystem::remove_all(dir);  // a previous run must not leave files that change the test
  std::filesystem::create_directories(dir);
  return dir;
}

TEST_CASE("IDX sets load gzipped or plain, of any image size", "[idx]") {
  const auto d = testing::random_dataset(17, 5, 9, 10, 3);
  for (const std::string ext : {"", ".gz"}) {
    const std::string dir = fresh_dir("ok" + ext);
    data::write_images(dir + "/t10k-images-idx3-ubyte" + ext, d);
    data::write_labels(dir + "/t10k-labels-idx1-ubyte" + ext, d);
    const auto back = data::load("idx:" + dir, data::Split::Test);
    CHECK(back.count == 17);
    CHECK(back.height == 5);
    CHECK(back.width == 9);
    CHECK(back.pixels == d.pixels);
    CHECK(back.labels == d.labels);
    CHECK(data::load("idx:" + dir, data::Split::Test, 4).count == 4);
  }
}

TEST_CASE("IDX errors name the file", "[idx]") {
  const std::string dir = fresh_dir("bad");
  CHECK_THROWS_WITH(data::load("idx:" + dir, data::Split::Train),
                    dir +
                        "/train-images-idx3-ubyte: missing: expected train-images-idx3-ubyte "
                        "or train-images-idx3-ubyte.gz in " +
                        dir);
  auto d = testing::random_dataset(4, 3, 3, 10, 1);
  data::write_images(dir + "/train-images-idx3-ubyte", d);
  d.count = 5;
  d.labels.push_back(1);
  data::write_labels(dir + "/train-labels-idx1-ubyte", d);
  CHECK_THROWS_WITH(data::load("idx:" + dir, data::Split::Train),
                    dir + "/train-labels-idx1-ubyte: 5 labels for 4 images in " + dir +
                        "/train-images-idx3-ubyte");
  {  // truncated image data
    std::ofstream f(dir + "/t10k-images-idx3-ubyte", std::ios::binary);
    const unsigned char hdr[16] = {0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0, 2};
    f.write(reinterpret_cast<const char*>(hdr), 16);
    f.write("abc", 3);
  }
  data::write_labels(dir + "/t10k-labels-idx1-ubyte", testing::random_dataset(9, 2, 2, 10, 1));
  CHECK_THROWS_WITH(data::load("idx:" + dir, data::Split::Test),
                    dir +
                        "/t10k-images-idx3-ubyte: truncated: the header promises 52 bytes, the "
                        "file has 19");
  {
    std::ofstream f(dir + "/t10k-images-idx3-ubyte", std::ios::binary);
    f.write("\0\0\x08\x01xxxxxxxxxxxx", 16);
  }
  CHECK_THROWS_WITH(data::load("idx:" + dir, data::Split::Test),
                    dir +
                        "/t10k-images-idx3-ubyte: not an IDX image file (magic is not "
                        "0x00000803)");
  CHECK_THROWS_WITH(data::load("mnist", data::Split::Test),
                    "dataset 'mnist': expected fashion-mnist, idx:DIR, cifar10:DIR or "
                    "synthetic[:KEY=VALUE,...]");
}

// Writes `bytes` to `path` as they are (a raw IDX file, or gzip made by zlib when it ends in .gz).
static void put(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

static std::vector<uint8_t> header(uint32_t magic, std::vector<uint32_t> dims) {
  std::vector<uint8_t> b;
  dims.insert(dims.begin(), magic);
  for (uint32_t v : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
  return b;
}

static std::string load_error(const std::string& dir, int64_t limit = 0) {
  try {
    data::load("idx:" + dir, data::Split::Test, limit);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

// Issue 22, items 2 and 14: sizes in a header are checked against the file before anything of
// that size is allocated; an empty set and a damaged gzip trailer are refused.
TEST_CASE("IDX headers are not trusted before the file's length", "[idx][robust]") {
  const std::string dir = fresh_dir("hostile");
  const std::string images = dir + "/t10k-images-idx3-ubyte",
                    labels = dir + "/t10k-labels-idx1-ubyte";
  auto d = testing::random_dataset(16, 4, 4, 10, 2);
  data::write_labels(labels, d);
  // 16 images of 65535 x 65535 claimed by a 12 KB file: refused from the file's length.
  std::vector<uint8_t> bytes = header(0x803, {16, 65535, 65535});
  bytes.resize(12 * 1024, 7);
  put(images, bytes);
  CHECK(load_error(dir) == images + ": 16 images of 65535x65535 exceed the largest data set, " +
                               std::to_string(int64_t{4} << 30) + " bytes (docs/inputs.md)");
  // The largest count with the largest images: its pixel count overflows a signed 64-bit product.
  put(images, header(0x803, {0xffffffffu, 65535, 65535}));
  CHECK(load_error(dir) == images +
                               ": 4294967295 images of 65535x65535 exceed the largest data "
                               "set, " +
                               std::to_string(int64_t{4} << 30) + " bytes (docs/inputs.md)");
  put(images, header(0x803, {0xffffffffu, 1, 1}));
  CHECK(load_error(dir) == images +
                               ": truncated: the header promises 4294967311 bytes, the file "
                               "has 16");
  put(images, header(0x803, {0, 4, 4}));
  CHECK(load_error(dir) == images + ": holds no images");
  bytes = header(0x803, {16, 4, 4});
  bytes.insert(bytes.end(), d.pixels.begin(), d.pixels.end());
  bytes.push_back(0);
  put(images, bytes);
  CHECK(load_error(dir) == images + ": 1 unexpected bytes after the data");
  // Gzipped: the trailer's length must agree with the header, and its CRC is checked when the
  // whole set is read (64 KiB of noise: zlib has not reached the trailer after the header).
  std::remove(images.c_str());
  d = testing::random_dataset(16, 64, 64, 10, 2);
  data::write_labels(labels, d);
  data::write_images(images + ".gz", d);
  CHECK(data::load("idx:" + dir, data::Split::Test).count == 16);
  std::ifstream in(images + ".gz", std::ios::binary);
  std::vector<uint8_t> gz((std::istreambuf_iterator<char>(in)), {});
  std::vector<uint8_t> bad_crc = gz, bad_size = gz;
  bad_crc[gz.size() - 8] ^= 1;
  bad_size[gz.size() - 4] ^= 1;
  put(images + ".gz", bad_size);
  CHECK(load_error(dir) == images +
                               ".gz: the gzip trailer gives 65553 bytes (mod 2^32); the "
                               "header promises 65552");
  put(images + ".gz", bad_crc);
  CHECK(load_error(dir) == images + ".gz: corrupt compressed data (incorrect data check)");
  CHECK(data::load("idx:" + dir, data::Split::Test, 3).count == 3);  // the rest is not read
  // Not regular files: a folder, and a device.
  std::filesystem::remove(images + ".gz");
  std::filesystem::create_directories(images);
  CHECK(load_error(dir) == dir +
                               "/t10k-images-idx3-ubyte: missing: expected "
                               "t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz in " +
                               dir);
  CHECK_THROWS_WITH(data::load_files("/dev/zero", labels),
                    "/dev/zero: is a device, a pipe or a socket, not a regular file");
}

TEST_CASE("synthetic datasets: seeded, split apart, learnable shapes, strict specs", "[idx]") {
  const data::Dataset a =
      data::load("synthetic:seed=9,size=8x10,train=50,test=20", data::Split::Train);
  const data::Dataset b =
      data::load("synthetic:seed=9,size=8x10,train=50,test=20", data::Split::Train);
  const data::Dataset t =
      data::load("synthetic:seed=9,size=8x10,train=50,test=20", data::Split::Test);
  const data::Dataset c =
      data::load("synthetic:seed=10,size=8x10,train=50,test=20", data::Split::Train);
  CHECK((a.count == 50 && a.height == 8 && a.width == 10 && t.count == 20));
  CHECK(a.pixels == b.pixels);
  CHECK(a.labels == b.labels);
  CHECK(a.pixels != c.pixels);
  CHECK(std::vector<uint8_t>(a.pixels.begin(), a.pixels.begin() + 1600) != t.pixels);
  CHECK(data::load("synthetic", data::Split::Test, 7).count == 7);
  for (uint8_t l : a.labels) CHECK(l < 10);
  CHECK_THROWS_WITH(data::load("synthetic:size=2", data::Split::Train),
                    "dataset 'synthetic:size=2': size must be an integer in [4, 1024], not '2'");
  CHECK_THROWS_WITH(data::load("synthetic:colours=3", data::Split::Train),
                    "dataset 'synthetic:colours=3': unknown key 'colours' (keys: seed, size, "
                    "classes, train, test, noise)");
}

// Issue 23, item 5: colour data. CIFAR-10's binary records, written by the test.
TEST_CASE("CIFAR-10 binary batches load as 3x32x32 images, with their errors", "[idx][cifar]") {
  const std::string dir = fresh_dir("cifar");
  const data::Dataset a = testing::random_dataset(7, 32, 32, 10, 3, 3);
  const data::Dataset b = testing::random_dataset(5, 32, 32, 10, 4, 3);
  data::write_cifar10(dir + "/data_batch_1.bin", a);
  data::write_cifar10(dir + "/data_batch_2.bin", b);
  data::write_cifar10(dir + "/test_batch.bin", b);
  const data::Dataset train = data::load("cifar10:" + dir, data::Split::Train);
  CHECK(train.count == 12);
  CHECK(train.shape() == "3x32x32");
  CHECK(std::equal(a.pixels.begin(), a.pixels.end(), train.pixels.begin()));
  CHECK(std::equal(b.pixels.begin(), b.pixels.end(), train.image(7)));
  CHECK(train.labels[8] == b.labels[1]);
  CHECK(data::load("cifar10:" + dir, data::Split::Train, 9).count == 9);
  CHECK(data::load("cifar10:" + dir, data::Split::Test).pixels == b.pixels);
  // A record's red plane is its first 1024 bytes: channel-major, as trine's tensors are.
  std::ofstream(dir + "/test_batch.bin", std::ios::binary | std::ios::app) << "x";
  CHECK_THROWS_WITH(data::load("cifar10:" + dir, data::Split::Test),
                    dir +
                        "/test_batch.bin: 15366 bytes is not a whole number of 3073-byte "
                        "records (one label byte, 3x32x32 pixels)");
  std::vector<uint8_t> bad(3073, 0);
  bad[0] = 10;
  std::ofstream(dir + "/test_batch.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(bad.data()), 3073);
  CHECK_THROWS_WITH(data::load("cifar10:" + dir, data::Split::Test),
                    dir + "/test_batch.bin: record 0 has label 10; CIFAR-10 labels are 0 to 9");
  const std::string none = fresh_dir("cifar_none");
  CHECK_THROWS_WITH(data::load("cifar10:" + none, data::Split::Train),
                    none +
                        "/data_batch_1.bin: missing: expected data_batch_1.bin (to "
                        "data_batch_5.bin) in " +
                        none);
}

TEST_CASE("images smaller than the network's are centred, padded and channel-repeated",
          "[idx][cifar]") {
  data::Dataset d = testing::random_dataset(2, 2, 3, 10, 9);
  const data::Dataset f = data::fit_images(d, 3, 5, 6, "n");
  CHECK(f.shape() == "3x5x6");
  CHECK(f.labels == d.labels);
  // Margins: 3 rows (1 above, 2 below), 3 columns (1 left, 2 right); every channel the same.
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < 5; ++y)
        for (int64_t x = 0; x < 6; ++x) {
          const bool inside = y >= 1 && y < 3 && x >= 1 && x < 4;
          const uint8_t want = inside ? d.image(i)[(y - 1) * 3 + (x - 1)] : 0;
          CHECK(f.image(i)[(c * 5 + y) * 6 + x] == want);
        }
  CHECK(data::fit_images(d, 1, 2, 3, "n").pixels == d.pixels);  // already the right shape
  CHECK_THROWS_WITH(data::fit_images(d, 1, 2, 2, "n"),
                    "network 'n' takes 1x2x2 images; the data set's are 1x2x3 (smaller images are "
                    "centred and padded, one channel is repeated; larger ones are not cropped)");
  const data::Dataset colour = testing::random_dataset(1, 2, 2, 10, 9, 3);
  CHECK_THROWS_WITH(data::fit_images(colour, 4, 2, 2, "n"),
                    Catch::Contains("data set's are 3x2x2"));
}

TEST_CASE("colour synthetic sets: one channel unchanged, each channel its own tint", "[idx]") {
  const data::Dataset grey = data::load("synthetic:seed=4,size=8x8,test=30", data::Split::Test);
  const data::Dataset colour = data::load("synthetic:seed=4,size=3x8x8,test=30", data::Split::Test);
  CHECK(colour.shape() == "3x8x8");
  CHECK(colour.labels == grey.labels);
  for (int64_t i = 0; i < 30; ++i) {
    CHECK(std::equal(grey.image(i), grey.image(i) + 64, colour.image(i)));  // channel 0
    CHECK_FALSE(std::equal(colour.image(i), colour.image(i) + 64, colour.image(i) + 64));
  }
  CHECK_THROWS_WITH(data::load("synthetic:size=5x8x8", data::Split::Test), Catch::Contains("size"));
}
