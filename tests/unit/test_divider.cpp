// Division by a fixed divisor without a hardware divide: exact against the plain operators,
// at the edges of its range and at random.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/util/divider.hpp"

using trine::util::Divider;

TEST_CASE("divider: quotient and remainder equal / and % for every divisor and dividend",
          "[util]") {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> divisors{1,
                                 2,
                                 3,
                                 7,
                                 8,
                                 10,
                                 1200000000,
                                 933333333,
                                 999999999999,
                                 uint64_t{1} << 62,
                                 (uint64_t{1} << 62) + 1,
                                 ~uint64_t{0}};
  for (int i = 0; i < 200; ++i) divisors.push_back(rng() >> (rng() % 64) | 1);
  for (uint64_t d : divisors) {
    const Divider div(d);
    REQUIRE(div.divisor() == d);
    std::vector<uint64_t> n{
        0, 1, d - 1, d, d + 1, (uint64_t{1} << 63) - 1, uint64_t{1} << 63, ~uint64_t{0}};
    for (int i = 0; i < 2000; ++i) n.push_back(rng() >> (rng() % 64));
    for (int i = 1; i < 50; ++i) n.push_back(d * static_cast<uint64_t>(i) - 1);  // just below
    for (uint64_t x : n) {
      INFO("d " << d << " n " << x);
      REQUIRE(div.quotient(x) == x / d);
      REQUIRE(div.remainder(x) == x % d);
      if (x <= ~uint64_t{0} - (d - 1)) REQUIRE(div.ceil_quotient(x) == x / d + (x % d != 0));
    }
  }
}
