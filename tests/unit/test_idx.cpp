#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

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
                    dir + "/t10k-images-idx3-ubyte: truncated: file ends inside the images");
  {
    std::ofstream f(dir + "/t10k-images-idx3-ubyte", std::ios::binary);
    f.write("\0\0\x08\x01xxxxxxxxxxxx", 16);
  }
  CHECK_THROWS_WITH(data::load("idx:" + dir, data::Split::Test),
                    dir +
                        "/t10k-images-idx3-ubyte: not an IDX image file (magic is not "
                        "0x00000803)");
  CHECK_THROWS_WITH(
      data::load("mnist", data::Split::Test),
      "dataset 'mnist': expected fashion-mnist, idx:DIR or synthetic[:KEY=VALUE,...]");
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
