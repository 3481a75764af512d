// Declared statistics: what a window of counter events looks like when it is read from two
// snapshots of a counter set rather than from two collections of records.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/stats/stats.hpp"

using namespace trine::stats;

TEST_CASE("stats: a counter set's delta is the counters' records with the window's events",
          "[stats]") {
  Group buffer("top.wbuf"), dram("top.dram");
  Counter reads(buffer, "reads", "accesses", "reads of the buffer", {"sram.read", {{"kb", 64}}});
  Scalar ratio(buffer, "hit_rate", "ratio", "not a counter");
  Distribution latency(dram, "latency", "cycles", "not a counter either");
  Counter bytes(dram, "bytes", "bytes", "bytes moved");
  reads += 5;
  bytes += 1000;
  latency.sample(7);

  CounterSet set;
  buffer.counters(set);
  dram.counters(set);
  REQUIRE(set.size() == 2);
  const std::vector<uint64_t> before = set.snapshot();
  reads += 3;
  bytes += 64;
  latency.sample(9);
  ratio.set(0.5);
  const std::vector<uint64_t> after = set.snapshot();
  CHECK(before == std::vector<uint64_t>{5, 1000});
  CHECK(after == std::vector<uint64_t>{8, 1064});

  // The same fields as the counters' own records, in declaration and group order.
  std::vector<Record> records;
  buffer.collect(records);
  dram.collect(records);
  std::vector<Record> counted;
  for (const Record& r : records)
    if (r.counter) counted.push_back(r);
  const std::vector<Record> d = set.delta(before, after);
  REQUIRE(d.size() == counted.size());
  const double events[] = {3, 64};
  for (size_t i = 0; i < d.size(); ++i) {
    CHECK(d[i].full_name() == counted[i].full_name());
    CHECK(d[i].unit == counted[i].unit);
    CHECK(d[i].description == counted[i].description);
    CHECK(d[i].counter);
    CHECK(d[i].event.kind == counted[i].event.kind);
    CHECK(d[i].event.params == counted[i].event.params);
    CHECK(d[i].value == events[i]);
  }
  CHECK(d[0].event.kind == "sram.read");
  CHECK_THROWS_AS(set.delta(before, {1}), std::logic_error);
}

TEST_CASE("stats: a counter kept in its owner's cell reads, emits and snapshots the cell",
          "[stats]") {
  Group g("top.dram");
  std::vector<uint64_t> cells(2, 0);  // what a model counts in on its hot path
  Counter first(g, "bank0.reads", "commands", "reads of bank 0", {"dram.read", {}});
  Counter second(g, "bank1.reads", "commands", "reads of bank 1");
  first.keep_in(&cells[0]);
  second.keep_in(&cells[1]);
  cells[0] += 3;
  cells[1] += 9;
  CHECK(first.value() == 3);
  CHECK(second.value() == 9);

  CounterSet set;
  set.add(g, first);
  set.add(g, second);
  const std::vector<uint64_t> before = set.snapshot();
  cells[1] += 4;
  const std::vector<Record> window = set.delta(before, set.snapshot());
  REQUIRE(window.size() == 2);
  CHECK(window[0].value == 0);
  CHECK(window[1].value == 4);
  CHECK(window[0].event.kind == "dram.read");

  std::vector<Record> out;
  second.emit("top.dram", out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].value == 13);
  CHECK(out[0].counter);
}
