// The compiler's weight image and resident weights (buffers.weight.residency).
#include <catch2/catch.hpp>

#include <array>

#include "sim/compile/schedule.hpp"
#include "tests/support/builders.hpp"

using namespace trine;

namespace {

// A network of one dense8 layer with `outputs` outputs over an H x W one-channel image.
net::Network one_dense(const char* name, int64_t height, int64_t width, int64_t outputs,
                       uint32_t seed) {
  std::mt19937 rng(seed);
  net::Network n;
  n.name = name;
  n.input = {1, height, width, 8, 0};
  n.classes = outputs;
  n.layers.push_back(testing::pool_layer("flat", net::LayerKind::Flatten, 1, 1));
  n.layers.push_back(testing::dense_layer(
      "fc",
      testing::encode_as(
          net::WeightForm::Dense8,
          testing::random_matrix(net::WeightForm::Dense8, outputs, height * width, rng)),
      false, 16, 4, rng));
  return n;
}

}  // namespace

TEST_CASE("compile: the weight image holds each block once, 64-byte aligned, in layer order",
          "[compile]") {
  const net::Network n = testing::lenet5(net::WeightForm::NK, 3);
  const config::DesignPoint dp = config::default_design_point().point;
  const compile::Schedule s = compile::compile(n, dp);
  int64_t end = 0, blocks = 0;
  for (const compile::LayerPlan& p : s.layers)
    for (size_t k = 0; k < p.tiles.size(); ++k) {
      const compile::TilePlan& t = p.tiles[k];
      CHECK(t.weight_address % 64 == 0);
      CHECK(t.weight_address >= (k < static_cast<size_t>(p.blocks) ? end : 0));
      if (k < static_cast<size_t>(p.blocks)) {  // first chunk: each block once, in order
        end = t.weight_address + (t.weight_bits + 7) / 8;
        ++blocks;
      } else {  // later chunks reload the same blocks
        CHECK(t.weight_address == p.tiles[static_cast<size_t>(t.block)].weight_address);
      }
    }
  CHECK(blocks > 10);
  CHECK(s.weight_bytes >= end);
  CHECK(s.weight_bytes < end + 64 * static_cast<int64_t>(s.layers.size()));
  CHECK_FALSE(s.weights_resident);
}

TEST_CASE("compile: resident weights need the whole image on chip, not two tiles", "[compile]") {
  const net::Network n = one_dense("one", 4, 4, 16, 1);
  config::DesignPoint dp = config::default_design_point().point;
  dp.buffers.weight.size_bytes = 300;  // one 16x16 dense8 tile is 256 bytes
  CHECK_THROWS_WITH(compile::compile(n, dp),
                    Catch::Contains("double-buffered weight tiles need 2 x 256 bytes"));
  dp.buffers.residency = config::WeightResidency::Resident;
  const compile::Schedule s = compile::compile(n, dp);
  CHECK(s.weights_resident);
  CHECK(s.weight_bytes == 256);
  dp.buffers.weight.size_bytes = 200;
  CHECK_THROWS_WITH(compile::compile(n, dp),
                    "network 'one': its weights need 256 bytes on chip "
                    "(buffers.weight.residency: resident); buffers.weight.size is 200 bytes (set "
                    "buffers.weight.size to 256 or more bytes, or buffers.weight.residency: "
                    "streamed)");
  try {
    compile::compile(n, dp);
  } catch (const compile::MappingError& e) {
    CHECK(e.key == "buffers.weight.size");
  }
}

TEST_CASE("compile: each dataflow bounds its two dimensions by the array and the third by a buffer",
          "[compile]") {
  // A dense layer of 40 outputs x 300 reduction rows, batch 20: 20 vectors.
  const net::Network n = one_dense("wide", 10, 30, 40, 2);
  config::DesignPoint dp = config::default_design_point().point;
  dp.array.rows = 16, dp.array.cols = 8;
  dp.buffers.output.size_bytes = 8 * 4 * 5;     // five vectors of 8 partial sums
  dp.buffers.weight.size_bytes = 2 * 16 * 100;  // os: two tiles of 16 outputs x 100 rows
  auto extents = [](const compile::LayerPlan& p) {
    int64_t out = 0, red = 0, vec = 0;
    for (const compile::TilePlan& t : p.tiles) {
      out = std::max(out, t.out_end - t.out_begin);
      red = std::max(red, t.red_end - t.red_begin);
      vec = std::max(vec, t.vec_end - t.vec_begin);
    }
    return std::array<int64_t, 3>{out, red, vec};
  };
  using E = std::array<int64_t, 3>;
  dp.array.dataflow = models::array::Dataflow::WeightStationary;
  CHECK(extents(compile::compile(n, dp, 20).layers[1]) == E{8, 16, 5});  // cols, rows, obuf
  dp.array.dataflow = models::array::Dataflow::InputStationary;
  CHECK(extents(compile::compile(n, dp, 20).layers[1]) == E{5, 16, 8});  // obuf, rows, cols
  dp.array.dataflow = models::array::Dataflow::OutputStationary;
  dp.buffers.output.size_bytes = 16 * 8 * 4;
  // rows, the weight buffer (300 halved until two tiles fit: 75), cols
  CHECK(extents(compile::compile(n, dp, 20).layers[1]) == E{16, 75, 8});
  dp.buffers.output.size_bytes = 16 * 3 * 4;  // a small output buffer: fewer columns used
  CHECK(extents(compile::compile(n, dp, 20).layers[1]) == E{16, 75, 3});
  // Every tile of every dataflow covers the layer exactly once per (output, reduction, vector).
  for (const auto& flow : models::array::kDataflows) {
    dp.array.dataflow = flow.value;
    const compile::LayerPlan p = compile::compile(n, dp, 20).layers[1];
    int64_t covered = 0;
    for (const compile::TilePlan& t : p.tiles)
      covered += (t.out_end - t.out_begin) * (t.red_end - t.red_begin) * (t.vec_end - t.vec_begin);
    CHECK(covered == 40 * 300 * 20);
  }
}

TEST_CASE("compile: streamed weight tiles in flight follow the design point or the buffer",
          "[compile]") {
  const net::Network n = testing::lenet5(net::WeightForm::Dense8, 3);
  config::DesignPoint dp = config::default_design_point().point;
  int64_t largest = 0;
  for (const compile::LayerPlan& p : compile::compile(n, dp).layers)
    for (const compile::TilePlan& t : p.tiles) largest = std::max(largest, (t.weight_bits + 7) / 8);
  REQUIRE(largest == 256);                             // a full 16 x 16 tile of 8-bit weights
  CHECK(compile::compile(n, dp).prefetch_tiles == 2);  // the default: double buffering
  dp.buffers.prefetch_tiles = 0;
  CHECK(compile::compile(n, dp).prefetch_tiles == dp.buffers.weight.size_bytes / 256);
  dp.buffers.weight.size_bytes = 700;  // room for two tiles only
  CHECK(compile::compile(n, dp).prefetch_tiles == 2);
  dp.buffers.prefetch_tiles = 3;
  try {
    compile::compile(n, dp);
    FAIL("three 256-byte tiles fitted 700 bytes");
  } catch (const compile::MappingError& e) {
    CHECK(e.key == "buffers.weight.prefetch_tiles");
    CHECK_THAT(e.what(), Catch::Contains("3 x 256 bytes") && Catch::Contains("to 2 or less"));
  }
  dp.buffers.residency =
      config::WeightResidency::Resident;  // nothing in flight: the key does not limit anything
  dp.buffers.weight.size_bytes = 64 * 1024;
  CHECK_NOTHROW(compile::compile(n, dp));
}
