// The array contract: the cycle-stepped reference and the closed-form fast model agree on
// every tile's timing and sums, and both equal plain dot products.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "models/array/array.hpp"

using namespace trine::models::array;

namespace {

Tile random_tile(std::mt19937_64& rng, const Shape& s, int weight_kind) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Tile t;
  // The dataflow bounds two extents by the array; the streamed one is free.
  const TileBounds b = mapping(s.dataflow).bounds(s);
  auto extent = [&](int64_t bound) {
    return bound > 0 ? pick(1, bound) : pick(0, 3) == 0 ? pick(6, 40) : pick(1, 5);
  };
  t.reduction = extent(b.reduction);
  t.outputs = extent(b.outputs);
  t.vectors = extent(b.vectors);
  // Column combining in a third of the tiles, where the dataflow has it.
  t.lanes = pick(0, 2) == 0 && !mapping(s.dataflow).lanes_error() ? pick(2, 8) : 1;
  const size_t cells = static_cast<size_t>(t.reduction * t.outputs);
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
  for (int64_t k = 0; k < t.vectors * t.reduction * t.lanes; ++k)
    t.acts.push_back(static_cast<uint32_t>(pick(0, 3) == 0 ? amax : pick(0, amax)));
  if (t.lanes > 1 && pick(0, 1) == 0) {  // the same weights lane by lane, in half of them
    if (pick(0, 1) == 0) {
      t.lane_weights =
          lane_weights(t.weights.data(), t.select.data(), t.reduction, t.outputs, t.lanes);
    } else {  // only the lane rows that hold a weight
      std::vector<uint32_t> rows;
      std::vector<int8_t> listed;
      listed_lane_weights(t.weights.data(), t.select.data(), t.reduction, t.outputs, t.lanes, rows,
                          listed);
      t.lane_rows = rows;
      t.lane_weights = listed;
    }
  }
  t.decode_cycles = pick(0, 3) == 0 ? 0 : pick(1, 3 * t.reduction);
  t.weights_ready = pick(0, 40);
  t.inputs_ready = pick(0, 120);
  return t;
}

std::vector<int64_t> dot_products(const Tile& t) {
  std::vector<int64_t> r(static_cast<size_t>(t.vectors * t.outputs), 0);
  for (int64_t n = 0; n < t.vectors; ++n)
    for (int64_t j = 0; j < t.outputs; ++j)
      for (int64_t i = 0; i < t.reduction; ++i) {
        const int64_t lane = t.select.empty() ? 0 : t.select[i * t.outputs + j];
        r[j * t.vectors + n] +=
            int64_t{t.weights[i * t.outputs + j]} * t.acts[(i * t.lanes + lane) * t.vectors + n];
      }
  return r;
}

}  // namespace

TEST_CASE("array: cycle and fast agree on random tile sequences of every dataflow and cell",
          "[array]") {
  std::mt19937_64 rng(20261125);
  int tiles = 0;
  std::set<std::pair<Dataflow, Cell>> seen;
  std::set<Overlap> overlaps;
  for (int design = 0; design < 600; ++design) {
    Shape s;
    s.rows = std::uniform_int_distribution<int64_t>(1, 20)(rng);
    s.cols = std::uniform_int_distribution<int64_t>(1, 20)(rng);
    s.act_bits = static_cast<int>(std::uniform_int_distribution<int>(1, 10)(rng));
    s.dataflow = kDataflows[static_cast<size_t>(design / 3) % kDataflows.size()].value;
    s.cell = kCells[static_cast<size_t>(design / 9) % kCells.size()].value;
    s.overlap = kOverlaps[static_cast<size_t>(design / 18) % kOverlaps.size()].value;
    seen.insert({s.dataflow, s.cell});
    overlaps.insert(s.overlap);
    auto fast = make_model(ModelKind::Fast, s), cycle = make_model(ModelKind::Cycle, s);
    const int count = static_cast<int>(std::uniform_int_distribution<int>(1, 4)(rng));
    for (int k = 0; k < count; ++k, ++tiles) {
      const Tile t = random_tile(rng, s, design % 3);
      const TileResult f = fast->run(t), c = cycle->run(t);
      INFO("design " << design << " " << name_of(kDataflows, s.dataflow) << " "
                     << name_of(kCells, s.cell) << " tile " << k << ": " << s.rows << "x" << s.cols
                     << " b" << s.act_bits << " used " << t.reduction << "x" << t.outputs
                     << " lanes " << t.lanes << " vectors " << t.vectors << " decode "
                     << t.decode_cycles);
      REQUIRE(c.timing == f.timing);
      REQUIRE(c.sums == f.sums);
      REQUIRE(f.sums == dot_products(t));
    }
    REQUIRE(fast->end_cycle() == cycle->end_cycle());
  }
  CHECK(tiles > 1200);
  CHECK(seen.size() == kDataflows.size() * kCells.size());
  CHECK(overlaps.size() == kOverlaps.size());
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
    for (const ModelKind name : {ModelKind::Fast, ModelKind::Cycle}) {
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
  auto m = make_model(ModelKind::Cycle, s);
  Tile t;
  t.reduction = 5, t.outputs = 3, t.vectors = 2;
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
  auto m = make_model(ModelKind::Fast, Shape{4, 4, 4});
  Tile t;
  t.reduction = 2, t.outputs = 2, t.vectors = 1;
  t.weights.assign(4, 1);
  t.acts = {1, 2};
  CHECK_NOTHROW(m->run(t));
  t.acts = {1, 16};  // 16 needs 5 bits
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("act_bits"));
  t.acts = {1, 2};
  t.reduction = 5;
  CHECK_THROWS_WITH(m->run(t), Catch::Contains("reduction"));
  t.reduction = 2, t.lanes = 2, t.select = {0, 1, 2, 0};
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
  CHECK_THROWS(make_model(ModelKind::Fast, Shape{0, 4, 4}));
}

namespace {

// One tile of 5 reduction rows, 3 outputs, 2 vectors on an 8 x 4 array (8-bit activations) with
// the given dataflow and cell, weights decoded in 12 cycles; the cycle model's phase lengths.
std::pair<int64_t, int64_t> phases(Dataflow d, Cell c) {
  const Shape s{8, 4, 8, d, c};
  auto m = make_model(ModelKind::Cycle, s);
  Tile t;
  t.reduction = 5, t.outputs = 3, t.vectors = 2;
  t.weights.assign(15, 1);
  t.acts.assign(10, 255);
  t.decode_cycles = 12;
  const TileTiming a = m->run(t).timing;
  return {a.load_end - a.load_start, a.compute_end - a.compute_start};
}

}  // namespace

TEST_CASE("array: each dataflow's phases follow its formula, for both cells", "[array]") {
  using P = std::pair<int64_t, int64_t>;
  // ws: load max(5 rows, 12); compute vectors x steps + (rows - 1) + (outputs - 1) + 1.
  CHECK(phases(Dataflow::WeightStationary, Cell::BitSerial) == P{12, 2 * 8 + 7 + 2 + 1});
  CHECK(phases(Dataflow::WeightStationary, Cell::BitParallel) == P{12, 2 * 1 + 7 + 2 + 1});
  // is: load max(5 rows of activations, 12); compute outputs x steps + 7 + (vectors - 1) + 1.
  CHECK(phases(Dataflow::InputStationary, Cell::BitSerial) == P{12, 3 * 8 + 7 + 1 + 1});
  CHECK(phases(Dataflow::InputStationary, Cell::BitParallel) == P{12, 3 * 1 + 7 + 1 + 1});
  // os: load 12 (the decoder fills the row queues); compute reduction x steps + (outputs - 1)
  // + (vectors - 1), then 8 rows of drain.
  CHECK(phases(Dataflow::OutputStationary, Cell::BitSerial) == P{12, 5 * 8 + 2 + 1 + 8});
  CHECK(phases(Dataflow::OutputStationary, Cell::BitParallel) == P{12, 5 * 1 + 2 + 1 + 8});
}

TEST_CASE("array: an input-stationary load waits for the activations it holds", "[array]") {
  for (const auto& d : kDataflows) {
    auto m = make_model(ModelKind::Fast, Shape{8, 4, 8, d.value, Cell::BitSerial});
    Tile t;
    t.reduction = 2, t.outputs = 2, t.vectors = 2;
    t.weights.assign(4, 1);
    t.acts.assign(4, 1);
    t.inputs_ready = 50;
    const TileTiming a = m->run(t).timing;
    CHECK(a.compute_start == 50 + (d.value == Dataflow::InputStationary ? 2 : 0));
    CHECK(a.load_start == (d.value == Dataflow::InputStationary ? 50 : 0));
  }
}

TEST_CASE("array: column combining is refused where the cells cannot pick a lane", "[array]") {
  for (const auto& d : kDataflows) {
    auto m = make_model(ModelKind::Cycle, Shape{4, 4, 4, d.value, Cell::BitSerial});
    Tile t;
    t.reduction = 2, t.outputs = 2, t.vectors = 2, t.lanes = 2;
    t.weights = {1, 2, 3, 4};
    t.select = {0, 1, 1, 0};
    t.acts.assign(8, 3);
    if (mapping(d.value).lanes_error())
      CHECK_THROWS_WITH(m->run(t), Catch::Contains("column combining"));
    else
      CHECK(m->run(t).sums == dot_products(t));
  }
}

TEST_CASE("array: a bit-parallel cell takes one cycle per value", "[array]") {
  // A convolution-like tile on a 16 x 16 array at 8-bit activations: the dimension the dataflow
  // streams is 400 long, the other two fill the array.
  for (const auto& d : kDataflows) {
    Shape serial{16, 16, 8, d.value, Cell::BitSerial}, parallel = serial;
    parallel.cell = Cell::BitParallel;
    const TileBounds b = mapping(d.value).bounds(serial);
    Tile t;
    t.reduction = b.reduction > 0 ? 16 : 400;
    t.outputs = b.outputs > 0 ? 16 : 400;
    t.vectors = b.vectors > 0 ? 16 : 400;
    t.weights.assign(static_cast<size_t>(t.reduction * t.outputs), -3);
    t.acts.assign(static_cast<size_t>(t.reduction * t.vectors), 201);
    const TileResult s = make_model(ModelKind::Cycle, serial)->run(t);
    const TileResult p = make_model(ModelKind::Cycle, parallel)->run(t);
    const int64_t s_cycles = s.timing.compute_end - s.timing.compute_start;
    const int64_t p_cycles = p.timing.compute_end - p.timing.compute_start;
    INFO(d.name << ": " << s_cycles << " bit-serial, " << p_cycles << " bit-parallel");
    CHECK(s_cycles - p_cycles == 400 * 7);  // one cycle per value instead of eight
    CHECK(p_cycles * 8 < s_cycles * 1.1);   // the fill and drain are what is left over
    CHECK(p.sums == s.sums);
    CHECK(p.sums == dot_products(t));
  }
}

TEST_CASE("array: pipelined tiles follow the previous tile's last streamed value", "[array]") {
  // Two tiles of 5 reduction rows, 3 outputs, 2 vectors on an 8 x 4 array (8-bit activations),
  // weights decoded at once: serial, the second computes when the first has drained;
  // pipelined, once the first's streamed values are in (ws: 2 vectors x 8 steps; is: 3 outputs
  // x 8; os: max(5 rows x 8, the 8-row drain chain)).
  for (const auto& d : kDataflows) {
    for (const auto& c : kCells) {
      Shape s{8, 4, 8, d.value, c.value, Overlap::Serial}, p = s;
      p.overlap = Overlap::Pipelined;
      Tile t;
      t.reduction = 5, t.outputs = 3, t.vectors = 2;
      t.weights.assign(15, -2);
      t.acts.assign(10, 77);
      const int64_t steps = s.steps();
      const int64_t issue = d.value == Dataflow::WeightStationary ? 2 * steps
                            : d.value == Dataflow::InputStationary
                                ? 3 * steps
                                : std::max<int64_t>(5 * steps, 8);
      auto serial = make_model(ModelKind::Cycle, s), piped = make_model(ModelKind::Cycle, p);
      const TileTiming a = serial->run(t).timing, b = serial->run(t).timing;
      const TileTiming pa = piped->run(t).timing, pb = piped->run(t).timing;
      INFO(d.name << " " << c.name);
      CHECK(pa == a);  // the first tile alone is the same
      CHECK(b.compute_start == std::max(a.compute_end, b.load_end));
      CHECK(pb.compute_start == std::max(pa.compute_start + issue, pb.load_end));
      CHECK(pb.compute_end - pb.compute_start == b.compute_end - b.compute_start);
      auto fast = make_model(ModelKind::Fast, p);
      CHECK(fast->run(t).timing == pa);
      CHECK(fast->run(t).timing == pb);
    }
  }
}
