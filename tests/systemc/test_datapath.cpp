// Layers compiled onto random design points and run on both array models: every layer's
// output equals the integer reference, and the two models agree on every tile's timing.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "models/accel/datapath.hpp"
#include "sim/config/design_point.hpp"
#include "tests/support/builders.hpp"

using namespace trine;
using models::accel::Datapath;

namespace {

// The vector unit's value path for one image (relu and flatten: addressing, as the reference).
void vector_layer(const net::Layer& l, const std::vector<const ref::Tensor*>& ins,
                  const net::TensorType& type, ref::Tensor& out) {
  using K = net::LayerKind;
  switch (l.kind) {
    case K::MaxPool:
    case K::AvgPool:
      models::accel::pool(l, *ins[0], type, out);
      break;
    case K::Add:
      models::accel::add(l, ins, type, out);
      break;
    case K::Concat:
      models::accel::concat(ins, type, out);
      break;
    case K::Shift:
      models::accel::shift(l, *ins[0], type, out);
      break;
    case K::GlobalAvgPool:
      models::accel::global_average(*ins[0], type, out);
      break;
    case K::Input:  // the host's: the image repeated (ins[0] is the image)
      out.type = type;
      out.data.resize(static_cast<size_t>(type.size()));
      net::repeat_image(ins[0]->data, out.data);
      break;
    case K::Relu:
    case K::Flatten:
      out = *ins[0];
      out.type = type;
      if (l.kind == K::Relu)
        for (int32_t& v : out.data) v = std::max(v, 0);
      break;
    default:
      FAIL("not a vector-unit layer: " << l.name);
  }
}

struct NetworkRun {
  std::vector<std::vector<ref::Tensor>> outputs;  // per layer, per image
  std::vector<models::array::TileTiming> timing;
  int64_t tiles = 0;
};

// Runs every layer of a (graph) network on the hardware's value paths: compute layers tile by
// tile on `model_name`, the vector unit's layers with its own arithmetic.
NetworkRun run_network(const net::Network& n, const compile::Schedule& s,
                       const config::DesignPoint& dp, models::array::ModelKind kind,
                       const data::Dataset& images, uint32_t seed) {
  const std::vector<net::TensorType> types = net::infer_types(n, n.name);
  const std::vector<std::vector<int>> graph = net::input_indices(n, n.name);
  ref::Reference reference(n);
  auto model = models::array::make_model(kind, dp.array.shape());
  std::mt19937 rng(seed);  // the same stalls for both models
  NetworkRun run;
  std::vector<ref::Tensor> image;  // the batch
  for (int64_t b = 0; b < images.count; ++b) image.push_back(reference.input(images.image(b)));
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const net::Layer& l = n.layers[i];
    std::vector<const std::vector<ref::Tensor>*> ins;
    for (int k : graph[i]) ins.push_back(k < 0 ? &image : &run.outputs[static_cast<size_t>(k)]);
    const std::vector<ref::Tensor>& x = *ins.front();
    std::vector<ref::Tensor> y(x.size());
    if (l.is_compute()) {
      const net::TensorType in = graph[i].front() < 0
                                     ? net::input_type(n.input)
                                     : types[static_cast<size_t>(graph[i].front())];
      Datapath dpath(l, s.layers[i], in, types[i]);
      models::accel::LayerTiming timing;
      const int64_t base = model->end_cycle();
      y = dpath.run(
          x, *model,
          [&](size_t) {
            return models::accel::TileReady{base + static_cast<int64_t>(rng() % 50),
                                            base + static_cast<int64_t>(rng() % 400)};
          },
          timing);
      run.timing.insert(run.timing.end(), timing.tiles.begin(), timing.tiles.end());
      run.tiles += static_cast<int64_t>(timing.tiles.size());
    } else {
      for (size_t b = 0; b < x.size(); ++b) {
        std::vector<const ref::Tensor*> operands;
        for (const auto* batch : ins) operands.push_back(&(*batch)[b]);
        vector_layer(l, operands, types[i], y[b]);
      }
    }
    run.outputs.push_back(std::move(y));
  }
  return run;
}

// Case `k`'s dataflow, cell and tile overlap (every combination in turn). Column-combined weights
// on a dataflow that cannot pick lanes: checks that the compiler refuses them, naming the key, and
// returns false.
bool pick_array(config::DesignPoint& dp, int k, net::WeightForm form) {
  const auto& flows = models::array::kDataflows;
  const auto& cells = models::array::kCells;
  dp.array.dataflow = flows[static_cast<size_t>(k) % flows.size()].value;
  dp.array.cell = cells[static_cast<size_t>(k) / flows.size() % cells.size()].value;
  const auto& overlaps = models::array::kOverlaps;
  dp.array.overlap =
      overlaps[static_cast<size_t>(k) / flows.size() / cells.size() % overlaps.size()].value;
  if (form != net::WeightForm::ColComb || !models::array::mapping(dp.array.dataflow).lanes_error())
    return true;
  const net::Network n = testing::example_mlp(form, 3, 20);
  try {
    compile::compile(n, dp);
    FAIL("column-combined weights compiled on " << dp.array.dataflow_name());
  } catch (const compile::MappingError& e) {
    CHECK(e.key == "array.dataflow");
  }
  return false;
}

// Both models' outputs equal the reference's, layer by layer and image by image, and their
// timings agree tile by tile.
void check_runs(const net::Network& n, const data::Dataset& images, const NetworkRun& fast,
                const NetworkRun& cycle) {
  REQUIRE(fast.outputs.size() == n.layers.size());
  for (int64_t b = 0; b < images.count; ++b) {
    const std::vector<ref::Tensor> expected = ref::Reference(n).run_all(images.image(b));
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("image " << b << " layer " << n.layers[i].name);
      REQUIRE(fast.outputs[i][b].data == expected[i].data);
      REQUIRE(cycle.outputs[i][b].data == expected[i].data);
    }
  }
  REQUIRE(cycle.timing == fast.timing);
}

}  // namespace

TEST_CASE("datapath: 300 random layers and design points and batches, cycle == fast == reference",
          "[datapath]") {
  std::mt19937 rng(7);
  const net::WeightForm forms[] = {net::WeightForm::Dense8, net::WeightForm::Ternary,
                                   net::WeightForm::NK, net::WeightForm::ColComb,
                                   net::WeightForm::LowBit};
  int64_t layers = 0, tiles = 0, chunked = 0, uneven = 0;
  std::set<std::pair<models::array::Dataflow, models::array::Cell>> arrays;
  for (int k = 0; k < 96; ++k) {
    const net::WeightForm form = forms[k % 5];
    const bool cnn = k % 2 == 0;
    const net::Network n = cnn ? testing::example_cnn(form, 100 + k, 8 + k % 5, 8 + k % 3)
                               : testing::example_mlp(form, 100 + k, 20 + k % 13);
    config::DesignPoint dp = config::default_design_point().point;
    dp.array.rows = std::uniform_int_distribution<int64_t>(2, 20)(rng);
    dp.array.cols = std::uniform_int_distribution<int64_t>(2, 20)(rng);
    dp.array.act_bits = std::uniform_int_distribution<int64_t>(8, 10)(rng);
    if (k % 3 == 0) dp.buffers.output.size_bytes = dp.array.cols * 4 * (1 + k % 7);
    const int64_t batch = 1 + k % 3;
    if (!pick_array(dp, k, form)) continue;
    const compile::Schedule s = compile::compile(n, dp, batch);
    const data::Dataset images =
        testing::random_dataset(batch, n.input.height, n.input.width, 10, k);
    const NetworkRun fast = run_network(n, s, dp, models::array::ModelKind::Fast, images, k);
    const NetworkRun cycle = run_network(n, s, dp, models::array::ModelKind::Cycle, images, k);
    INFO("case " << k << " " << n.name << " on " << dp.array.rows << "x" << dp.array.cols << " "
                 << dp.array.dataflow_name() << " " << dp.array.cell_name() << " act_bits "
                 << dp.array.act_bits << " batch " << batch);
    check_runs(n, images, fast, cycle);
    arrays.insert({dp.array.dataflow, dp.array.cell});
    for (const compile::LayerPlan& p : s.layers) {
      if (p.tiles.empty() && p.skipped_tiles == 0) continue;
      ++layers;
      chunked += p.vec_chunk < p.vectors;
      uneven += p.outputs % dp.array.cols != 0 || p.reduction % dp.array.rows != 0;
    }
    tiles += fast.tiles;
  }
  CHECK(layers >= 300);
  CHECK(arrays.size() == models::array::kDataflows.size() * models::array::kCells.size());
  CHECK(chunked > 10);
  CHECK(uneven > 100);
  CHECK(tiles > 1000);
}

TEST_CASE("compile: unmappable layers name the layer and the limit", "[datapath]") {
  const net::Network n = testing::example_mlp(net::WeightForm::Dense8, 1, 64);
  config::DesignPoint dp = config::default_design_point().point;
  dp.buffers.weight.size_bytes = 100;
  CHECK_THROWS_WITH(compile::compile(n, dp),
                    "layer 'fc1': double-buffered weight tiles need 2 x 256 bytes; "
                    "buffers.weight.size is 100 bytes (set buffers.weight.size to 512 or more "
                    "bytes, or make the array smaller)");
  dp = config::default_design_point().point;
  dp.buffers.input.size_bytes = 32;
  CHECK_THROWS_WITH(compile::compile(n, dp),
                    "layer 'fc1': its input needs 64 bytes; buffers.input.size is 32 bytes (set "
                    "buffers.input.size to 64 or more bytes, or a smaller batch)");
  dp = config::default_design_point().point;
  dp.buffers.output.size_bytes = 16;
  CHECK_THROWS_WITH(compile::compile(n, dp), Catch::Contains("layer 'fc1': the partial sums"));
  dp = config::default_design_point().point;
  dp.array.act_bits = 4;
  CHECK_THROWS_WITH(compile::compile(n, dp),
                    "layer 'fc1': its inputs have 8 bits; array.act_bits is 4 (set "
                    "array.act_bits to 8 or more, or retrain with --act-bits 4)");
  // Located at the design point's line of the limiting key, naming the network (issue 22, 15).
  const config::LoadedDesignPoint loaded =
      config::load_design_point_text("array:\n  act_bits: 4\n", "dp.yaml", {});
  try {
    compile::compile(n, loaded.point);
    FAIL("no error");
  } catch (const compile::MappingError& e) {
    CHECK(std::string(compile::locate(e, loaded, "m.tnet").what()) ==
          "dp.yaml:2:13: array.act_bits: m.tnet: layer 'fc1': its inputs have 8 bits; "
          "array.act_bits is 4 (set array.act_bits to 8 or more, or retrain with --act-bits 4)");
  }
}

TEST_CASE("datapath: the inputs fit act_bits only if every value is in 0 .. 2^act_bits - 1",
          "[datapath]") {
  const net::TensorType type{1, 1, 4, false, 8};
  std::vector<ref::Tensor> batch{ref::Tensor{type, {0, 5, 255, 7}},
                                 ref::Tensor{type, {1, 2, 3, 4}}};
  CHECK(Datapath::fits(batch, 8));
  CHECK_FALSE(Datapath::fits(batch, 7));  // 255 needs 8 bits
  batch[1].data[2] = 256;
  CHECK_FALSE(Datapath::fits(batch, 8));
  batch[1].data[2] = -1;  // negative: never fits
  CHECK_FALSE(Datapath::fits(batch, 16));
}

TEST_CASE("datapath: its tiles say their weights are checked only when they pass the array's check",
          "[datapath]") {
  const config::DesignPoint dp = config::default_design_point().point;
  for (const net::WeightForm form : {net::WeightForm::Dense8, net::WeightForm::ColComb}) {
    net::Network n = testing::example_mlp(form, 5, 40);
    const compile::Schedule s = compile::compile(n, dp);
    const data::Dataset images = testing::random_dataset(1, n.input.height, n.input.width, 10, 5);
    const std::vector<ref::Tensor> batch{ref::Reference(n).input(images.image(0))};
    const size_t i = 0;  // the first dense layer
    REQUIRE(n.layers[i].is_compute());
    const net::TensorType in = net::input_type(n.input);
    const net::TensorType out = net::infer_types(n, n.name)[i];
    INFO(net::form_name(form));
    {
      const Datapath path(n.layers[i], s.layers[i], in, out);
      for (size_t k = 0; k < s.layers[i].tiles.size(); ++k) {
        const models::array::Tile t = path.tile(k, batch);
        CHECK(t.weights_checked);
        CHECK(models::array::weight_error(t) == nullptr);
      }
    }
    if (form != net::WeightForm::ColComb) continue;
    // A select naming a lane the rows do not carry: the block is not marked, and the array
    // refuses the tile that holds it.
    n.layers[i].weights.colcomb.select[0] = static_cast<uint8_t>(s.layers[i].lanes);
    const Datapath path(n.layers[i], s.layers[i], in, out);
    const models::array::Tile t = path.tile(0, batch);
    CHECK_FALSE(t.weights_checked);
    auto model = models::array::make_model(models::array::ModelKind::Fast, dp.array.shape());
    CHECK_THROWS_WITH(model->run(t), Catch::Contains("select names a lane"));
  }
}

TEST_CASE("datapath: dense tiles view the layer's streams gathered once, as each would gather",
          "[datapath]") {
  const config::DesignPoint dp = config::default_design_point().point;
  for (const net::WeightForm form : {net::WeightForm::Ternary, net::WeightForm::ColComb}) {
    const net::Network n = testing::example_mlp(form, 9, 45);
    const compile::Schedule s = compile::compile(n, dp);
    const data::Dataset images = testing::random_dataset(2, n.input.height, n.input.width, 10, 9);
    const ref::Reference reference(n);
    const std::vector<ref::Tensor> one{reference.input(images.image(0))},
        two{reference.input(images.image(0)), reference.input(images.image(1))};
    const std::vector<net::TensorType> types = net::infer_types(n, n.name);
    const Datapath path(n.layers[0], s.layers[0], net::input_type(n.input), types[0]);
    INFO(net::form_name(form));
    std::vector<uint32_t> streams;
    REQUIRE(path.gather(one, streams));
    REQUIRE(s.layers[0].tiles.size() > 2);
    for (size_t k = 0; k < s.layers[0].tiles.size(); ++k) {
      models::array::Tile viewed;
      path.tile(k, one, &streams, viewed);
      const models::array::Tile own = path.tile(k, one);
      const compile::TilePlan& tp = s.layers[0].tiles[k];
      CHECK(viewed.acts.data() == streams.data() + tp.red_begin * s.layers[0].lanes);
      CHECK(std::vector<uint32_t>(viewed.acts.begin(), viewed.acts.end()) ==
            std::vector<uint32_t>(own.acts.begin(), own.acts.end()));
    }
    // Two images: a tile carries two vectors, and the layer has no one set of streams.
    const compile::Schedule s2 = compile::compile(n, dp, 2);
    const Datapath path2(n.layers[0], s2.layers[0], net::input_type(n.input), types[0]);
    CHECK_FALSE(path2.gather(two, streams));
    CHECK(streams.empty());
  }
}

TEST_CASE("datapath: 100 random graphs on random design points, cycle == fast == reference",
          "[datapath]") {
  std::mt19937 rng(11);
  const net::WeightForm forms[] = {net::WeightForm::Dense8, net::WeightForm::Ternary,
                                   net::WeightForm::NK, net::WeightForm::ColComb,
                                   net::WeightForm::LowBit};
  std::map<std::string, int64_t> kinds;  // layers run, by kind
  int64_t grouped = 0, depthwise = 0, tiles = 0, banded = 0;
  for (int k = 0; k < 100; ++k) {
    const net::Network n = testing::random_graph(forms[k % 5], 500 + k);
    config::DesignPoint dp = config::default_design_point().point;
    dp.array.rows = std::uniform_int_distribution<int64_t>(2, 12)(rng);
    dp.array.cols = std::uniform_int_distribution<int64_t>(2, 12)(rng);
    dp.array.act_bits = std::uniform_int_distribution<int64_t>(8, 9)(rng);
    if (k % 4 == 0) dp.buffers.output.size_bytes = dp.array.cols * 4 * (1 + k % 5);
    const int64_t batch = 1 + k % 3;
    if (!pick_array(dp, k / 2, forms[k % 5])) continue;
    compile::Schedule s = compile::compile(n, dp, batch);
    if (k % 3 == 1) {  // an input buffer below the largest operands: those layers run in bands
      int64_t largest = 0;
      for (const compile::LayerPlan& p : s.layers) largest = std::max(largest, p.input_bytes);
      dp.buffers.input.size_bytes = std::max<int64_t>(64, largest / 2);
      try {
        s = compile::compile(n, dp, batch);
        banded += std::count_if(s.layers.begin(), s.layers.end(),
                                [](const compile::LayerPlan& p) { return !p.bands.empty(); });
      } catch (const compile::MappingError&) {
        dp.buffers.input.size_bytes = config::default_design_point().point.buffers.input.size_bytes;
      }
    }
    const data::Dataset images =
        testing::random_dataset(batch, n.input.height, n.input.width, 10, k, n.input.channels);
    const NetworkRun fast = run_network(n, s, dp, models::array::ModelKind::Fast, images, k);
    const NetworkRun cycle = run_network(n, s, dp, models::array::ModelKind::Cycle, images, k);
    INFO("case " << k << " " << n.name << " on " << dp.array.rows << "x" << dp.array.cols << " "
                 << dp.array.dataflow_name() << " " << dp.array.cell_name() << " batch " << batch);
    check_runs(n, images, fast, cycle);
    tiles += fast.tiles;
    for (const net::Layer& l : n.layers) {
      ++kinds[net::kind_name(l.kind)];
      grouped += l.groups > 1;
      depthwise += l.groups > 1 && l.groups == l.in_channels;
    }
  }
  for (const char* kind : {"conv2d", "dense", "add", "concat", "shift", "globalavgpool", "maxpool",
                           "avgpool", "relu", "flatten"}) {
    INFO(kind);
    CHECK(kinds[kind] >= 5);
  }
  CHECK(grouped >= 20);
  CHECK(depthwise >= 10);
  CHECK(tiles > 1000);
  CHECK(banded >= 10);
}
