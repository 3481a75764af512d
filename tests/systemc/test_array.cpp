// The array contract: the cycle-stepped reference and the closed-form fast model agree on
// every tile's timing and sums, and both equal plain dot products.
#include <catch2/catch.hpp>

#include <random>

#include "models/array/array.hpp"

using namespace trine::models::array;

namespace {

Tile random_tile(std::mt19937_64& rng, const Shape& s, int weight_kind) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Tile t;
  t.rows_used = pick(1, s.rows);
  t.cols_used = pick(1, s.cols);
  t.lanes = pick(0, 2) == 0 ? pick(2, 8) : 1;  // column combining in a third of the tiles
  t.vectors = pick(0, 3) == 0 ? pick(6, 40) : pick(1, 5);
  const size_t cells = static_cast<size_t>(t.rows_used * t.cols_used);
  for (size_t k = 0; k < cells; ++k) {
    int64_t w = 0;
    switch (weight_kind) {
      case 0:
        w = pick(-127, 127);
        break;  // dense8
      case 1:
        w = pick(0, 3) == 0 ? pick(0, 1) * 2 - 1 : 0;
        break;  // sparse ternary
      default:
        w = pick(-3, 3);
        break;  // 3-bit
    }
    t.weights.push_back(static_cast<int8_t>(w));
    if (t.lanes > 1) t.select.push_back(static_cast<uint8_t>(pick(0, t.lanes - 1)));
  }
  const int64_t amax = (int64_t{1} << s.act_bits) - 1;
  for (int64_t k = 0; k < t.vectors * t.rows_used * t.lanes; ++k)
    t.acts.push_back(static_cast<uint32_t>(pick(0, 3) == 0 ? amax : pick(0, amax)));
  if (t.lanes > 1 && pick(0, 1) == 0) {  // the same weights lane by lane, in half of them
    if (pick(0, 1) == 0) {
      t.lane_weights =
          lane_weights(t.weights.data(), t.select.data(), t.rows_used, t.cols_used, t.lanes);
    } else {  // only the lane rows that hold a weight
      std::vector<uint32_t> rows;
      std::vector<int8_t> listed;
      listed_lane_weights(t.weights.data(), t.select.data(), t.rows_used, t.cols_used, t.lanes,
                          rows, listed);
      t.lane_rows = rows;
      t.lane_weights = listed;
    }
  }
  t.decode_cycles = pick(0, 3) == 0 ? 0 : pick(1, 3 * t.rows_used);
  t.weights_ready = pick(0, 40);
  t.inputs_ready = pick(0, 120);
  return t;
}

std::vector<int64_t> dot_products(const Tile& t) {
  std::vector<int64_t> r(static_cast<size_t>(t.vectors * t.cols_used), 0);
  for (int64_t n = 0; n < t.vectors; ++n)
    for (int64_t j = 0; j < t.cols_used; ++j)
      for (int64_t i = 0; i < t.rows_used; ++i) {
        const int64_t lane = t.select.empty() ? 0 : t.select[i * t.cols_used + j];
        r[j * t.vectors + n] +=
            int64_t{t.weights[i * t.cols_used + j]} * t.acts[(i * t.lanes + lane) * t.vectors + n];
      }
  return r;
}

}  // namespace

TEST_CASE("array: cycle and fast agree on 400 random tile sequences", "[array]") {
  std::mt19937_64 rng(20261125);
  int tiles = 0;
  for (int design = 0; design < 400; ++design) {
    Shape s;
    s.rows = std::uniform_int_distribution<int64_t>(1, 20)(rng);
    s.cols = std::uniform_int_distribution<int64_t>(1, 20)(rng);
    s.act_bits = static_cast<int>(std::uniform_int_distribution<int>(1, 10)(rng));
    auto fast = make_model("fast", s), cycle = make_model("cycle", s);
    const int count = static_cast<int>(std::uniform_int_distribution<int>(1, 4)(rng));
    for (int k = 0; k < count; ++k, ++tiles) {
      const Tile t = random_tile(rng, s, design % 3);
      const TileResult f = fast->run(t), c = cycle->run(t);
      INFO("design " << design << " tile " << k << ": " << s.rows << "x" << s.cols << " b"
                     << s.act_bits << " used " << t.rows_used << "x" << t.cols_used << " lanes "
                     << t.lanes << " vectors " << t.vectors << " decode " << t.decode_cycles);
      REQUIRE(c.timing == f.timing);
      REQUIRE(c.sums == f.sums);
      REQUIRE(f.sums == dot_products(t));
    }
    REQUIRE(fast->end_cycle() == cycle->end_cycle());
  }
  CHECK(tiles > 800);
}

TEST_CASE("array: cells that view a producer's storage run as cells that own a copy", "[array]") {
  std::mt19937_64 rng(11);
  const Shape s{8, 6, 5};
  for (int trial = 0; trial < 40; ++trial) {
    const Tile own = random_tile(rng, s, trial % 3);
    const std::vector<int8_t> w(own.weights.begin(), own.weights.end()),
        lw(own.lane_weights.begin(), own.lane_weights.end());
    const std::vector<uint8_t> sel(own.select.begin(), own.select.end());
    Tile viewing = own;
    viewing.weights.view(w);
    viewing.select.view(sel);
    viewing.lane_weights.view(lw);
    const std::vector<uint32_t> lr(own.lane_rows.begin(), own.lane_rows.end());
    viewing.lane_rows.view(lr);
    const Tile copied = viewing;  // a copy views the same storage
    REQUIRE(copied.weights.data() == w.data());
    for (const char* name : {"fast", "cycle"}) {
      const TileResult a = make_model(name, s)->run(own), b = make_model(name, s)->run(copied);
      CHECK(a.sums == b.sums);
      CHECK(a.timing == b.timing);
    }
  }
  // A change makes the cells the tile's own again; the viewed storage stays as it was.
  const std::vector<int8_t> block{1, 2, 3};
  Cells<int8_t> c;
  c.view(block);
  CHECK(c.size() == 3);
  c.push_back(4);
  CHECK(std::vector<int8_t>(c.begin(), c.end()) == std::vector<int8_t>{4});
  CHECK(block == std::vector<int8_t>{1, 2, 3});
  c = std::vector<int8_t>{5, 6};
  CHECK(c.size() == 2);
  CHECK(c[1] == 6);
}

TEST_CASE("array: a tile's phases follow the contract's formulas", "[array]") {
  const Shape s{8, 4, 8};
  auto m = make_model("cycle", s);
  Tile t;
  t.rows_used = 5, t.cols_used = 3, t.vectors = 2;
  t.weights.assign(15, 1);
  t.acts.assign(10, 255);
  t.decode_cycles = 12;  // slower than the 5-row shift chain
  const TileTiming a = m->run(t).timing;
  CHECK(a.load_start == 0);
  CHECK(a.load_end == 12);
  CHECK(a.compute_start == 12);
  CHECK(a.compute_end == 12 + 2 * 8 + 7 + 2 + 1);  // injection + skew + drain + accumulate
  // The next tile loads into the shadow registers while this one computes.
  t.decode_cycles = 0;
  const TileTiming b = m->run(t).timing;
  CHECK(b.load_start == a.compute_start);
  CHECK(b.load_end == a.compute_start + 5);
  CHECK(b.compute_start == a.compute_end);
  // Late activations hold the compute back, not the load.
  t.inputs_ready = b.compute_end + 100;
  const TileTiming c = m->run(t).timing;
  CHECK(c.load_end == b.compute_start + 5);
  CHECK(c.compute_start == b.compute_end + 100);
}

TEST_CASE("array: tiles that break the contract are refused", "[array]") {
  auto m = make_model("fast", Shape{4, 4, 4});
  Tile t;
  t.rows_used = 2, t.cols_used = 2, t.vectors = 1;
  t.weights.assign(4, 1);
  t.acts = {1, 2};
  CHECK_NOTHROW(m->run(t));
  t.acts = {1, 16};  // 16 needs 5 bits
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("act_bits"));
  t.acts = {1, 2};
  t.rows_used = 5;
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("rows_used"));
  t.rows_used = 2, t.lanes = 2, t.select = {0, 1, 2, 0};
  t.acts = {1, 2, 3, 4};
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("lane"));
  t.select = {0, 1, 1, 0};
  t.lane_weights.assign(7, 0);  // not 2 x 2 lanes x 2
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("lane_weights"));
  t.lane_weights.assign(4, 1);
  t.lane_rows = {3, 1};  // listed lane rows must increase
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("lane_rows"));
  t.lane_rows = {1, 4};  // 2 rows x 2 lanes: 0..3
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("lane_rows"));
  t.lane_rows = {1, 3};
  CHECK_NOTHROW(m->run(t));
  t.lane_rows = {1};  // 2 columns per listed row
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("lane_rows"));
  // A producer's word that it checked the weight side skips those scans, not the sizes.
  t.lane_rows = {3, 1};
  CHECK(weight_error(t) != nullptr);
  t.weights_checked = true;
  CHECK_NOTHROW(m->run(t));
  t.lane_rows = {1};
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("lane_rows"));
  CHECK_THROWS(make_model("slow", Shape{4, 4, 4}));
}
