// Traces in bounded memory (issue 25, item 4): events spilled to sorted runs and merged come out
// in the same order, byte for byte, as events held whole; the order does not depend on when
// events arrive.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

#include "models/array/vcd.hpp"
#include "sim/report/trace.hpp"

using namespace trine;
using report::Trace;

namespace {

// A mix of the three origins with many equal completion times, in a shuffled arrival order
// (as the DMA's jobs finish out of submission order).
void fill(Trace& t, uint32_t seed) {
  struct Item {
    report::TraceEvent e;
    Trace::Origin origin;
    uint64_t k1, k2;
  };
  std::vector<Item> items;
  for (uint64_t i = 0; i < 3000; ++i) {
    const auto origin = static_cast<Trace::Origin>(i % 3);
    const int64_t time = static_cast<int64_t>(i / 7 % 50) * 1000;
    report::TraceEvent e{time,
                         i % 2 ? time + 500 : -1,
                         "src" + std::to_string(i % 3),
                         "ev" + std::to_string(i % 5),
                         "i=" + std::to_string(i),
                         "lane" + std::to_string(i % 4)};
    items.push_back({e, origin, i / 3, i % 3});
  }
  std::mt19937 rng(seed);
  std::shuffle(items.begin(), items.end(), rng);
  // Controller events keep their arrival order: add them through the plain add().
  for (Item& it : items)
    if (it.origin == Trace::Origin::Controller)
      t.add(std::move(it.e));
    else
      t.add(std::move(it.e), it.origin, it.k1, it.k2);
}

}  // namespace

TEST_CASE("a trace spilled to disk writes what a trace held whole writes", "[trace]") {
  Trace whole, spilled(4096);
  fill(whole, 1);
  fill(spilled, 1);
  CHECK(whole.spilled_runs() == 0);
  CHECK(spilled.spilled_runs() > 20);
  const std::string text = whole.events_text();
  CHECK(spilled.events_text() == text);
  CHECK(spilled.chrome_json() == whole.chrome_json());
  // Sorted by completion time, then origin.
  int64_t last = -1;
  size_t lines = 0;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    const int64_t done = std::stoll(line.substr(0, 12));
    CHECK(done >= last);
    last = done;
    ++lines;
  }
  CHECK(lines == 3000);
}

TEST_CASE("a trace's order does not depend on the order its DMA and DRAM events arrive",
          "[trace]") {
  // Only the controller's own events keep arrival order; shuffle the rest differently.
  Trace a(8192), b;
  auto add_others = [](Trace& t, uint32_t seed) {
    std::vector<std::pair<uint64_t, Trace::Origin>> keys;
    for (uint64_t i = 0; i < 500; ++i)
      keys.emplace_back(i, i % 2 ? Trace::Origin::Dma : Trace::Origin::Dram);
    std::mt19937 rng(seed);
    std::shuffle(keys.begin(), keys.end(), rng);
    for (const auto& [k, origin] : keys)
      t.add({static_cast<int64_t>(k % 10), -1, "s", "e", "k=" + std::to_string(k), "l"}, origin, k,
            0);
  };
  add_others(a, 1);
  add_others(b, 2);
  CHECK(a.events_text() == b.events_text());
}

TEST_CASE("a VCD spilled to disk writes what a VCD held whole writes", "[trace][vcd]") {
  models::array::Vcd whole, spilled(256);
  std::mt19937 rng(5);
  for (models::array::Vcd* v : {&whole, &spilled}) {
    v->add("array", "tile", 32);
    v->add("array.load", "loading", 1);
  }
  // Out of time order, several changes of one signal at one time (the last counts), repeats.
  for (int i = 0; i < 2000; ++i) {
    const int64_t time = std::uniform_int_distribution<int64_t>(0, 300)(rng);
    const int signal = i % 2;
    const int64_t value = std::uniform_int_distribution<int64_t>(0, 3)(rng);
    whole.change(time, signal, value);
    spilled.change(time, signal, value);
  }
  CHECK(spilled.spilled_runs() > 100);
  std::ostringstream a, b;
  const auto ps = [](int64_t cycle) { return static_cast<uint64_t>(cycle) * 2000; };
  whole.write(a, ps, "test");
  spilled.write(b, ps, "test");
  CHECK(a.str() == b.str());
  CHECK(a.str().find("#600000\n") != std::string::npos);
}
