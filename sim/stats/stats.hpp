#pragma once
// Declared statistics: every counted quantity has a name, a unit and a description, so reports
// and the cost model read one tree instead of ad-hoc fields. Formatters live elsewhere.
#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trine::stats {

// What one count of a counter costs in energy: an event kind the cost model prices from the
// technology file ("sram.read", "array.bit_step.ternary"), and the owner's parameters that
// scale it (a buffer's bank size and word width). A counter without one costs nothing by
// itself (bytes, cycles, hits); a counted event the cost model cannot price is an error.
struct EnergyEvent {
  std::string kind;
  std::vector<std::pair<std::string, double>> params;
  bool empty() const { return kind.empty(); }
};

struct Record {
  std::string path;  // owner path, e.g. "top.wbuf"
  std::string name;  // e.g. "bank0.reads"
  std::string unit;  // e.g. "accesses", "bytes", "cycles"
  std::string description;
  double value = 0;
  bool counter = false;  // a monotonic count (differences over a window are meaningful)
  EnergyEvent event;     // counters only
  std::string full_name() const { return path + "." + name; }
};

class Group;
class CounterSet;

// One declared statistic; it registers itself with its group on construction and writes one
// or more records when collected.
class Stat {
 public:
  Stat(Group& group, std::string name, std::string unit, std::string description);
  Stat(const Stat&) = delete;
  Stat& operator=(const Stat&) = delete;
  virtual ~Stat() = default;
  const std::string& name() const { return name_; }
  const std::string& unit() const { return unit_; }
  const std::string& description() const { return description_; }
  virtual void emit(const std::string& path, std::vector<Record>& out) const = 0;

 private:
  std::string name_, unit_, description_;
};

// A monotonically increasing integer count, optionally an energy event.
class Counter : public Stat {
 public:
  using Stat::Stat;
  Counter(Group& group, std::string name, std::string unit, std::string description,
          EnergyEvent event)
      : Stat(group, std::move(name), std::move(unit), std::move(description)),
        event_(std::move(event)) {}
  const EnergyEvent& event() const { return event_; }
  // Its record under `path` with value `value` (emit() writes the current value).
  Record record(const std::string& path, double value) const;
  Counter& operator+=(uint64_t n) {
    assert(cell_ == nullptr && "a kept counter counts in its owner's cell");
    value_ += n;
    return *this;
  }
  // The count lives in `cell`, which its owner keeps (a hot path's compact array, where
  // counting touches no counter object) and which must outlive the counter; reads come from
  // there, and += is then the owner's, on the cell.
  void keep_in(const uint64_t* cell) { cell_ = cell; }
  uint64_t value() const { return cell_ ? *cell_ : value_; }
  void emit(const std::string& path, std::vector<Record>& out) const override;

 private:
  uint64_t value_ = 0;
  const uint64_t* cell_ = nullptr;
  EnergyEvent event_;
};

// A derived figure (a bandwidth, a ratio), set by its owner before collection.
class Scalar : public Stat {
 public:
  using Stat::Stat;
  void set(double v) { value_ = v; }
  double value() const { return value_; }
  void emit(const std::string& path, std::vector<Record>& out) const override;

 private:
  double value_ = 0;
};

// Samples of a non-negative integer quantity (a latency): count, mean, min, max and a
// histogram in power-of-two buckets [0,1), [1,2), [2,4), [4,8), ...
class Distribution : public Stat {
 public:
  using Stat::Stat;
  void sample(uint64_t v);
  uint64_t count() const { return count_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  // buckets()[0] counts zeros; buckets()[i] counts [2^(i-1), 2^i).
  const std::vector<uint64_t>& buckets() const { return buckets_; }
  void emit(const std::string& path, std::vector<Record>& out) const override;

 private:
  uint64_t count_ = 0, sum_ = 0, min_ = UINT64_MAX, max_ = 0;
  std::vector<uint64_t> buckets_;
};

// The statistics one component declares, in declaration order.
class Group {
 public:
  explicit Group(std::string path) : path_(std::move(path)) {}
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;
  const std::string& path() const { return path_; }
  void add(const Stat* s) { stats_.push_back(s); }
  void collect(std::vector<Record>& out) const;
  // Adds its counters, in declaration order, to `out`.
  void counters(CounterSet& out) const;

 private:
  std::string path_;
  std::vector<const Stat*> stats_;
};

// The counters of a component tree, found once and then read as plain numbers: the events
// of a window are the difference of two snapshots. Reading a few hundred integers is what a
// per-layer probe can afford; collecting every statistic as named records is not.
class CounterSet {
 public:
  void add(const Group& owner, const Counter& c) { counters_.push_back({&owner, &c}); }
  size_t size() const { return counters_.size(); }
  // Every counter's value now, in the order they were added.
  std::vector<uint64_t> snapshot() const;
  // The counters' records (in that order) with the events between two snapshots as values.
  std::vector<Record> delta(const std::vector<uint64_t>& before,
                            const std::vector<uint64_t>& after) const;

 private:
  std::vector<std::pair<const Group*, const Counter*>> counters_;
};

}  // namespace trine::stats
