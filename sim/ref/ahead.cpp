#include "sim/ref/ahead.hpp"

#include <stdexcept>

namespace trine::ref {

ReferenceAhead::ReferenceAhead(const Reference& reference, std::vector<const uint8_t*> images,
                               size_t window)
    : reference_(reference), images_(std::move(images)), window_(window) {
  if (window_ > 0 && std::thread::hardware_concurrency() > 1 && !images_.empty())
    worker_ = std::thread([this] { work(); });
}

ReferenceAhead::~ReferenceAhead() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  room_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ReferenceAhead::work() {
  for (;;) {
    size_t i = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      room_.wait(lock, [&] { return stop_ || next_compute_ < next_take_ + window_; });
      if (stop_ || next_compute_ == images_.size()) return;
      i = next_compute_;
    }
    std::vector<Tensor> outputs;
    try {
      outputs = reference_.run_all(images_[i]);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
      ready_.notify_all();
      return;
    }
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(std::move(outputs));
      ++next_compute_;
    }
    ready_.notify_all();
  }
}

std::vector<Tensor> ReferenceAhead::take() {
  if (next_take_ >= images_.size()) throw std::logic_error("ReferenceAhead: no image left");
  if (!worker_.joinable()) return reference_.run_all(images_[next_take_++]);
  std::vector<Tensor> outputs;
  bool wake = false;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !done_.empty() || error_; });
    if (done_.empty()) std::rethrow_exception(error_);
    outputs = std::move(done_.front());
    done_.pop_front();
    ++next_take_;
    // The worker sleeps once the window is full; waking it costs a system call, so it is
    // woken when half the window is free and then computes that half in one go.
    wake = next_compute_ + window_ / 2 <= next_take_ + window_;
  }
  if (wake) room_.notify_all();
  return outputs;
}

}  // namespace trine::ref
