#pragma once
// Declared statistics: every counted quantity has a name, a unit and a description, so reports
// and the cost model read one tree instead of ad-hoc fields. Formatters live elsewhere.
#include <cstdint>
#include <string>
#include <vector>

namespace trine::stats {

struct Record {
  std::string path;  // owner path, e.g. "top.wbuf"
  std::string name;  // e.g. "bank0.reads"
  std::string unit;  // e.g. "accesses", "bytes", "cycles"
  std::string description;
  double value = 0;
};

class Group;

// A monotonically increasing integer count.
class Counter {
 public:
  Counter(Group& group, std::string name, std::string unit, std::string description);
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;
  Counter& operator+=(uint64_t n) {
    value_ += n;
    return *this;
  }
  uint64_t value() const { return value_; }
  const std::string& name() const { return name_; }
  const std::string& unit() const { return unit_; }
  const std::string& description() const { return description_; }

 private:
  std::string name_, unit_, description_;
  uint64_t value_ = 0;
};

// The statistics one component declares; counters register themselves on construction.
class Group {
 public:
  explicit Group(std::string path) : path_(std::move(path)) {}
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;
  const std::string& path() const { return path_; }
  void add(const Counter* c) { counters_.push_back(c); }
  void collect(std::vector<Record>& out) const;

 private:
  std::string path_;
  std::vector<const Counter*> counters_;
};

}  // namespace trine::stats
