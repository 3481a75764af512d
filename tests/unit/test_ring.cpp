// The memory path's FIFO: first in, first out across growth and wrap-around, indexed from the
// front, and it gives back what its elements own.
#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <random>

#include "models/common/ring.hpp"

using trine::models::Ring;

TEST_CASE("ring: behaves as a deque under random pushes and pops, across growth", "[ring]") {
  std::mt19937 rng(11);
  Ring<int> ring;
  std::deque<int> model;
  int next = 0;
  for (int step = 0; step < 20000; ++step) {
    // Phases that grow the queue and phases that drain it, so the front wraps many times.
    const bool grow = (step / 1000) % 2 == 0;
    const bool push = grow ? rng() % 4 != 0 : rng() % 4 == 0;  // 3 in 4, or 1 in 4
    if (model.empty() || push) {
      ring.push_back(next);
      model.push_back(next++);
    } else {
      ring.pop_front();
      model.pop_front();
    }
    REQUIRE(ring.size() == model.size());
    REQUIRE(ring.empty() == model.empty());
    if (!model.empty()) {
      REQUIRE(ring.front() == model.front());
      REQUIRE(ring.back() == model.back());
      const size_t i = rng() % model.size();
      REQUIRE(ring[i] == model[i]);
    }
  }
  CHECK(next > 10000);
}

TEST_CASE("ring: holds move-only elements and releases them when popped", "[ring]") {
  Ring<std::unique_ptr<int>> ring;
  auto shared = std::make_shared<int>(7);
  std::weak_ptr<int> watch = shared;
  Ring<std::shared_ptr<int>> owners;
  owners.push_back(std::move(shared));
  for (int i = 0; i < 40; ++i) ring.push_back(std::make_unique<int>(i));  // grows twice
  for (int i = 0; i < 40; ++i) {
    REQUIRE(*ring.front() == i);
    ring.pop_front();
  }
  CHECK(ring.empty());
  CHECK_FALSE(watch.expired());
  owners.pop_front();
  CHECK(watch.expired());  // the popped slot no longer keeps it alive
}
