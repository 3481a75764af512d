// SCALE-Sim topology files (issue 25, item 2): the layers of published networks written as a
// topology give the built-in families' shapes and MACs; the GEMM form; located errors; the
// input layers they make, through the reference and the .tnet format.
#include <catch2/catch.hpp>
#include <sstream>

#include "sim/gen/topology.hpp"
#include "sim/net/footprint.hpp"
#include "sim/net/tnet.hpp"
#include "sim/ref/reference.hpp"
#include "sim/train/spec.hpp"
#include "sim/util/error.hpp"

using namespace trine;
using Catch::Matchers::Contains;

namespace {

train::NetSpec native(const std::string& name) {
  for (const train::FamilyDecl& f : train::families())
    if (name == f.name) return train::parse_net(name, f.native);
  FAIL("no family " << name);
  return {};
}

// The family's compute layers as SCALE-Sim rows: each IFMAP padded as the layer pads it, a
// depthwise layer named with "DP", a dense layer as a 1x1 IFMAP of all its inputs.
std::string topology_of(const train::NetSpec& spec) {
  std::ostringstream csv;
  csv << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
         "Num Filter, Strides,\n";
  for (const train::LayerSpec& l : spec.layers) {
    if (!l.is_compute()) continue;
    if (l.op == train::LayerOp::Dense) {
      csv << l.name << ",1,1,1,1," << l.in_c * l.in_h * l.in_w << "," << l.out_c << ",1,\n";
      continue;
    }
    const bool depthwise = l.groups > 1;
    REQUIRE((!depthwise || l.groups == l.in_c));  // the families group only depthwise
    csv << l.name << (depthwise ? "_DP" : "") << "," << l.in_h + 2 * l.pad << ","
        << l.in_w + 2 * l.pad << "," << l.kernel << "," << l.kernel << "," << l.in_c << ","
        << (depthwise ? l.out_c / l.in_c : l.out_c) << "," << l.stride << ",\n";
  }
  return csv.str();
}

}  // namespace

TEST_CASE("a topology of a published network's layers has the family's shapes and MACs",
          "[gen][topology]") {
  for (const char* name : {"resnet50", "mobilenetv2", "vgg16", "alexnet"}) {
    INFO(name);
    const train::NetSpec spec = native(name);
    const auto rows = gen::parse_topology(topology_of(spec), std::string(name) + ".csv");
    size_t r = 0;
    int64_t family_macs = 0, topology_macs = 0;
    for (const train::LayerSpec& l : spec.layers) {
      if (!l.is_compute()) continue;
      REQUIRE(r < rows.size());
      INFO(l.name);
      CHECK(rows[r].out_c() == l.out_c);
      CHECK(rows[r].out_h() == l.out_h);
      CHECK(rows[r].out_w() == l.out_w);
      CHECK(rows[r].macs() == l.rows() * l.cols() * l.out_h * l.out_w);
      family_macs += l.rows() * l.cols() * l.out_h * l.out_w;
      topology_macs += rows[r].macs();
      ++r;
    }
    CHECK(r == rows.size());
    CHECK(topology_macs == family_macs);
  }
}

TEST_CASE("a topology network runs each row on its own input from the image", "[gen][topology]") {
  const train::NetSpec spec = native("mobilenetv2");
  const auto rows = gen::parse_topology(topology_of(spec), "mnv2.csv");
  const net::Network n =
      gen::topology_network(rows, "mnv2", {1, 28, 28, 8, 0}, gen::parse_form("nk:8,2", -1), 3);
  int64_t family_macs = 0;
  for (const train::LayerSpec& l : spec.layers)
    if (l.is_compute()) family_macs += l.rows() * l.cols() * l.out_h * l.out_w;
  CHECK(net::macs(n) == family_macs);
  const auto types = net::infer_types(n, "mnv2");
  REQUIRE(n.layers.size() == 2 * rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const net::Layer& in = n.layers[2 * r];
    CHECK(in.kind == net::LayerKind::Input);
    CHECK(types[2 * r].size() == rows[r].ifmap_h * rows[r].ifmap_w * rows[r].channels);
    CHECK(types[2 * r + 1].channels == rows[r].out_c());
    CHECK(n.layers[2 * r + 1].inputs == std::vector<std::string>{in.name});
  }
  // The .tnet of a network with input layers is format 1.2 and reads back equal.
  const std::vector<uint8_t> bytes = net::serialize(n);
  CHECK((bytes[10] | bytes[11] << 8) == 2);
  CHECK(net::parse(bytes, "mnv2.tnet") == n);
}

TEST_CASE("an input layer repeats the image's activations over its shape", "[gen][topology]") {
  const auto rows = gen::parse_topology(
      "Layer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,Channels,Num Filter,"
      "Strides\nA,5,4,1,1,3,2,1\n",
      "t.csv");
  net::Network n =
      gen::topology_network(rows, "t", {1, 3, 3, 8, 1}, gen::parse_form("dense8", -1), 1);
  const ref::Reference ref(n);
  std::vector<uint8_t> pixels(9);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(10 * i + 1);
  const auto outs = ref.run_all(pixels.data());
  REQUIRE(outs[0].data.size() == 3 * 5 * 4);
  for (size_t i = 0; i < outs[0].data.size(); ++i)
    CHECK(outs[0].data[i] == pixels[i % 9] >> 1);  // the input's pixel >> shift
}

TEST_CASE("the GEMM form is M x K inputs through N filters", "[gen][topology]") {
  const auto rows = gen::parse_topology(
      "Layer Name, M, N, K,\r\nQKT, 1024, 1024, 64,\r\n\r\nLinear1,16,48,32 # a comment\r\n",
      "g.csv");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].macs() == int64_t{1024} * 1024 * 64);
  CHECK(rows[1].name == "Linear1");
  CHECK(rows[1].line == 4);
  CHECK(rows[1].out_c() == 48);
  CHECK(rows[1].out_h() == 16);
  CHECK(rows[1].out_w() == 1);
  CHECK(rows[1].macs() == 16 * 48 * 32);
}

TEST_CASE("topology rows: strides per axis, spacing, comments and empty rows", "[gen][topology]") {
  const auto rows = gen::parse_topology(
      "# SCALE-Sim v2\n layer  NAME ,IFMAP height,IFMAP width,Filter height,Filter width,"
      "Channels,Num filter,Stride height,Stride width,\n,,,,,,,,,\n"
      "\tc1 , 9, 12, 3, 4, 2, 5, 2, 4,#note\n",
      "s.csv");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].name == "c1");
  CHECK(rows[0].out_h() == 4);  // (9 - 3) / 2 + 1
  CHECK(rows[0].out_w() == 3);  // (12 - 4) / 4 + 1
  CHECK(rows[0].line == 4);
}

TEST_CASE("topology errors name the file, the line and the column", "[gen][topology]") {
  const std::string head =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n";
  auto error = [](const std::string& text) {
    try {
      gen::parse_topology(text, "t.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("Layer name, IFMAP Height, Eh\n"),
             Contains("t.csv:1: header: unknown column 'Eh' (a convolution topology has"));
  CHECK(error("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
              "Strides\n") ==
        "t.csv:1: header: no column 'Num Filter' (Layer name, IFMAP Height, IFMAP Width, "
        "Filter Height, Filter Width, Channels, Num Filter, Strides (or Stride height, Stride "
        "width))");
  CHECK(error(head + "c1,8,8,3,3,x,4,1\n") ==
        "t.csv:2: Channels: 'x' is not a whole number in [1, 999999999]");
  CHECK(error(head + "c1,8,8,3,3,2,0,1\n") ==
        "t.csv:2: Num Filter: '0' is not a whole number in [1, 999999999]");
  CHECK(error(head + "\nc1,8,8,3,3,2,4,1,7\n") ==
        "t.csv:3: row: 9 fields, but the header has 8 columns");
  CHECK(error(head + "c1,2,8,3,3,2,4,1\n") ==
        "t.csv:2: row: layer 'c1': its 3x3 filter is larger than its 2x8 IFMAP (the IFMAP "
        "includes any padding)");
  CHECK(error(head + "c1,8,8,3,3,2,4,1\nc1,8,8,3,3,2,4,1\n") ==
        "t.csv:3: row: two layers are named 'c1'");
  CHECK(error(head + ",8,8,3,3,2,4,1\n") == "t.csv:2: Layer name: no layer name");
  CHECK_THAT(error(head + "big,100000,100000,1,1,1000,4,1\n"),
             Contains("t.csv:2: row: layer 'big': its IFMAP has more than 1073741824 values"));
  CHECK(error(head) == "t.csv: the topology has no layers (no row after the header)");
  CHECK(error("\n\n") == "t.csv: the topology is empty (no header, no layers)");
  CHECK(error("Layer, M, N, K, Channels\n") ==
        "t.csv:1: header: a GEMM topology (M, N, K) has no convolution columns");
  CHECK(error("Layer name, IFMAP Height, , Num Filter\n") ==
        "t.csv:1: header: no column 'IFMAP Width' (Layer name, IFMAP Height, IFMAP Width, "
        "Filter Height, Filter Width, Channels, Num Filter, Strides (or Stride height, Stride "
        "width))");
  CHECK(error("Layer,M,,N,K\nq,4,9,4,4\n") ==
        "t.csv:2: row: '9' is in column 3, which the header does not name");
}
