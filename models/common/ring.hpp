#pragma once
// A first-in, first-out queue on one array that grows by doubling and never shrinks: the hot
// queues of the memory path (requests waiting for the controller, transactions in flight)
// move along by one element per burst, and std::deque allocates and frees a block every few
// elements as they do. Indexing from the front, as deque.
#include <cstddef>
#include <utility>
#include <vector>

namespace trine::models {

template <class T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return buf_[(head_ + i) & mask_]; }
  const T& operator[](size_t i) const { return buf_[(head_ + i) & mask_]; }
  T& front() { return buf_[head_]; }
  const T& front() const { return buf_[head_]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(T v) { emplace_back() = std::move(v); }
  // A new last element to fill in where it lies (no temporary to copy: its fields may be
  // read back at once, and a copy of fields just stored one by one stalls the store buffer).
  // It holds a default value.
  T& emplace_back() {
    if (size_ == buf_.size()) grow();
    ++size_;
    return back();
  }
  void pop_front() {
    buf_[head_] = T{};  // (releases what the element owns, as deque would)
    head_ = (head_ + 1) & mask_;
    --size_;
  }

 private:
  void grow() {
    std::vector<T> bigger(buf_.empty() ? 16 : 2 * buf_.size());
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    buf_.swap(bigger);
    head_ = 0;
    mask_ = buf_.size() - 1;
  }
  std::vector<T> buf_;  // a power of two elements
  size_t head_ = 0, size_ = 0, mask_ = 0;
};

}  // namespace trine::models
