// Declared statistics: what a window of counter events looks like when it is read from two
// snapshots of a counter set rather than from two collections of records.
#include <catch2/catch.hpp>

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
