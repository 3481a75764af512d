#pragma once
// An external sort for outputs that grow with the run (traces, VCD changes): items are held
// until they pass a memory budget, then sorted and written as a run file to a temporary
// folder (removed with the sorter); for_each() merges the runs and what is still held. Memory
// stays within the budget plus one item per run, whatever the run's length.
#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "sim/util/error.hpp"

namespace trine {

// A scratch folder under $TMPDIR (else /tmp), made when first asked for, removed with all it
// holds when destroyed, however the owner's work ends.
class TempDir {
 public:
  explicit TempDir(std::string prefix) : prefix_(std::move(prefix)) {}
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path();  // made on first use
  std::string file(const std::string& name) { return path() + "/" + name; }

 private:
  std::string prefix_, path_;
};

// Codec: static void put(std::ostream&, const T&); static bool get(std::istream&, T&) (false
// at the end of a run; throws when a run is cut short). Less: a strict total order.
template <class T, class Less, class Codec>
class SpillSort {
 public:
  SpillSort(size_t budget_bytes, std::string what) : budget_(budget_bytes), dir_(std::move(what)) {}
  // `bytes`: what the item takes in memory.
  void push(T item, size_t bytes) {
    items_.push_back(std::move(item));
    held_ += bytes;
    if (held_ > budget_) spill();
  }
  size_t runs() const { return runs_.size(); }
  // Every item in order.
  void for_each(const std::function<void(const T&)>& f) {
    std::sort(items_.begin(), items_.end(), Less());
    std::vector<std::unique_ptr<std::ifstream>> readers;
    for (const std::string& run : runs_) {
      readers.push_back(std::make_unique<std::ifstream>(run, std::ios::binary));
      if (!*readers.back()) throw RunError("cannot read back " + run);
    }
    std::vector<T> head(runs_.size() + 1);
    size_t held_at = 0;  // source runs_.size(): the items still held
    auto advance = [&](size_t src) {
      if (src < readers.size()) return Codec::get(*readers[src], head[src]);
      if (held_at == items_.size()) return false;
      head[src] = items_[held_at++];
      return true;
    };
    auto later = [&](size_t a, size_t b) { return Less()(head[b], head[a]); };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> queue(later);
    for (size_t src = 0; src <= runs_.size(); ++src)
      if (advance(src)) queue.push(src);
    while (!queue.empty()) {
      const size_t src = queue.top();
      queue.pop();
      f(head[src]);
      if (advance(src)) queue.push(src);
    }
  }

 private:
  void spill() {
    std::sort(items_.begin(), items_.end(), Less());
    runs_.push_back(dir_.file("run" + std::to_string(runs_.size())));
    std::ofstream out(runs_.back(), std::ios::binary | std::ios::trunc);
    for (const T& item : items_) Codec::put(out, item);
    out.flush();
    if (!out) throw RunError("cannot write " + runs_.back() + " (disk full?)");
    items_.clear();
    items_.shrink_to_fit();
    held_ = 0;
  }
  size_t budget_, held_ = 0;
  std::vector<T> items_;
  TempDir dir_;
  std::vector<std::string> runs_;
};

// Plain values for codecs.
template <class V>
void put_raw(std::ostream& out, const V& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class V>
bool get_raw(std::istream& in, V& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof v));
}

}  // namespace trine
