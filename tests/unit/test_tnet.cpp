#include <catch2/catch.hpp>

#include <cstring>
#include <set>

#include "sim/net/tnet.hpp"
#include "sim/util/bytes.hpp"
#include "sim/util/error.hpp"
#include "tests/support/builders.hpp"

using namespace trine;
using net::WeightForm;

static const WeightForm kForms[] = {WeightForm::Dense8, WeightForm::Ternary, WeightForm::NK,
                                    WeightForm::ColComb, WeightForm::LowBit};

static std::string parse_error(const std::vector<uint8_t>& bytes) {
  try {
    net::parse(bytes, "m.tnet");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

using testing::with_manifest;

static uint64_t u64_at(const std::vector<uint8_t>& b, size_t at) {
  return testing::tnet_u64(b, at);
}

static std::string manifest_of(const std::vector<uint8_t>& file) {
  return testing::tnet_manifest(file);
}

TEST_CASE(".tnet round trip: write -> read -> write is byte-identical for every form", "[tnet]") {
  for (WeightForm form : kForms)
    for (uint32_t seed : {1u, 2u}) {
      INFO(net::form_name(form) << " seed " << seed);
      for (const net::Network& n :
           {testing::example_cnn(form, seed), testing::example_mlp(form, seed)}) {
        const auto bytes = net::serialize(n);
        CHECK(bytes.size() % net::kTnetAlign == 0);
        const net::Network back = net::parse(bytes, "m.tnet");
        CHECK(back == n);
        CHECK(net::serialize(back) == bytes);
      }
    }
}

TEST_CASE(".tnet: truncation at every section boundary is one clear error", "[tnet]") {
  const auto bytes = net::serialize(testing::example_cnn(WeightForm::NK, 5));
  std::set<size_t> cuts = {0, 1, 7, 8, 12, 63, 64, bytes.size() - 1};
  const size_t manifest_end = 64 + u64_at(bytes, 32), area = u64_at(bytes, 48);
  cuts.insert({manifest_end - 1, manifest_end, area - 1, area});
  for (size_t at = area; at < bytes.size(); at += 64) cuts.insert(at);  // payload starts
  for (size_t cut : cuts) {
    INFO("cut at " << cut);
    std::vector<uint8_t> t(bytes.begin(), bytes.begin() + static_cast<long>(cut));
    const std::string e = parse_error(t);
    CHECK(e.rfind("m.tnet: truncated: ", 0) == 0);
  }
}

TEST_CASE(".tnet: corruption, bad magic and future versions are caught", "[tnet]") {
  const auto bytes = net::serialize(testing::example_cnn(WeightForm::Ternary, 6));
  const size_t area = u64_at(bytes, 48);
  auto flipped = bytes;
  flipped[area + 3] ^= 0x10;  // inside the first payload (conv1.weights)
  CHECK(parse_error(flipped) ==
        "m.tnet: payload 'conv1.weights' checksum mismatch (corrupted file)");
  flipped = bytes;
  flipped[100] ^= 0x01;
  CHECK(parse_error(flipped) == "m.tnet: manifest checksum mismatch");
  flipped = bytes;
  flipped[0] = 'X';
  CHECK(parse_error(flipped) == "m.tnet: not a .tnet file (bad magic)");
  auto future = bytes;
  future[8] = 2;  // major version 2, with a valid header checksum
  const uint32_t crc = crc32(future.data(), 60);
  for (int i = 0; i < 4; ++i) future[60 + i] = static_cast<uint8_t>(crc >> (8 * i));
  CHECK(parse_error(future) ==
        "m.tnet: format version 2.0 is not supported (this trine reads 1.x)");
  auto longer = bytes;
  longer.push_back(0);
  CHECK(parse_error(longer) == "m.tnet: 1 unexpected bytes after the end");
}

TEST_CASE(".tnet: any single flipped byte is an error, never a crash", "[tnet]") {
  const auto bytes = net::serialize(testing::example_mlp(WeightForm::LowBit, 2));
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = bytes;
    b[i] ^= 0x5a;
    INFO("flipped byte " << i);
    CHECK(parse_error(b).rfind("m.tnet: ", 0) == 0);
  }
}

TEST_CASE(".tnet: manifest problems are located errors with the key path", "[tnet]") {
  const auto bytes = net::serialize(testing::example_mlp(WeightForm::NK, 3));
  const std::string m = manifest_of(bytes);
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string copy = m;
    const size_t at = copy.find(from);
    REQUIRE(at != std::string::npos);
    copy.replace(at, from.size(), to);
    return parse_error(with_manifest(bytes, copy));
  };
  CHECK(parse_error(with_manifest(bytes, m)) == "(no error)");  // the helper itself is sound
  CHECK(edit("    relu: true\n", "    relu: true\n    dropout: 0.5\n").find("m.tnet#manifest:") ==
        0);
  CHECK(edit("    relu: true\n", "    relu: true\n    dropout: 0.5\n")
            .find(": layers[0].dropout: unknown key") != std::string::npos);
  CHECK(edit("      n: 8\n", "      n: 9\n")
            .find("layers[0].weights.payload: payload 'fc1.weights' has") != std::string::npos);
  CHECK(edit("kind: dense", "kind: lstm").find(": layers[0].kind: unknown layer kind 'lstm'") !=
        std::string::npos);
  CHECK(edit("form: nk", "form: huffman").find("unknown weight form 'huffman'") !=
        std::string::npos);
  CHECK(edit("    in: 64\n", "    in: 65\n").find("payload 'fc1.weights' has") !=
        std::string::npos);
  CHECK(edit("classes: 10", "classes: 11") ==
        "m.tnet: layer 'fc3': gives 10 outputs for 11 classes");
}

TEST_CASE(".tnet: write is atomic and leaves no partial file on failure", "[tnet]") {
  const auto n = testing::example_mlp(WeightForm::Dense8, 1);
  CHECK_THROWS_AS(net::write_tnet(n, "/nonexistent-dir/x.tnet"), InputError);
  net::Network bad = n;
  bad.classes = 3;  // inconsistent: nothing may be written
  const std::string path = "tnet_atomic_test.tnet";
  std::remove(path.c_str());
  CHECK_THROWS_AS(net::write_tnet(bad, path), InputError);
  CHECK(std::fopen(path.c_str(), "rb") == nullptr);
  net::write_tnet(n, path);
  CHECK(net::read_tnet(path) == n);
  std::remove(path.c_str());
}
