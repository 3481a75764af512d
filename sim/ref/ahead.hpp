#pragma once
// The integer reference of a run's images, computed on a worker thread ahead of the simulated
// hardware that is checked against it, in image order and at most `window` images ahead (so
// memory stays bounded on long runs). Each image's outputs are a pure function of the image:
// the results do not depend on the thread's timing. With one hardware thread (or window 0),
// take() computes them itself.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/ref/reference.hpp"

namespace trine::ref {

class ReferenceAhead {
 public:
  ReferenceAhead(const Reference& reference, std::vector<const uint8_t*> images, size_t window);
  ~ReferenceAhead();
  ReferenceAhead(const ReferenceAhead&) = delete;
  ReferenceAhead& operator=(const ReferenceAhead&) = delete;

  // Every layer's output for the next image (images are taken in order).
  std::vector<Tensor> take();

 private:
  void work();

  const Reference& reference_;
  std::vector<const uint8_t*> images_;
  size_t window_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<std::vector<Tensor>> done_;  // computed, not yet taken, in image order
  size_t next_take_ = 0, next_compute_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace trine::ref
