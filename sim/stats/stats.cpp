#include "sim/stats/stats.hpp"

#include <stdexcept>

namespace trine::stats {

Stat::Stat(Group& group, std::string name, std::string unit, std::string description)
    : name_(std::move(name)), unit_(std::move(unit)), description_(std::move(description)) {
  group.add(this);
}

namespace {
Record plain(const std::string& path, std::string name, std::string unit, std::string description,
             double value) {
  Record r;
  r.path = path, r.name = std::move(name), r.unit = std::move(unit);
  r.description = std::move(description), r.value = value;
  return r;
}
}  // namespace

Record Counter::record(const std::string& path, double value) const {
  Record r = plain(path, name(), unit(), description(), value);
  r.counter = true, r.event = event_;
  return r;
}

void Counter::emit(const std::string& path, std::vector<Record>& out) const {
  out.push_back(record(path, static_cast<double>(value())));
}

void Scalar::emit(const std::string& path, std::vector<Record>& out) const {
  out.push_back(plain(path, name(), unit(), description(), value_));
}

void Distribution::sample(uint64_t v) {
  ++count_;
  sum_ += v;
  if (v < min_) min_ = v;
  if (v > max_) max_ = v;
  const size_t b = v == 0 ? 0 : static_cast<size_t>(64 - __builtin_clzll(v));  // [2^(b-1), 2^b)
  if (buckets_.size() <= b) buckets_.resize(b + 1, 0);
  ++buckets_[b];
}

void Distribution::emit(const std::string& path, std::vector<Record>& out) const {
  const std::string& n = name();
  out.push_back(plain(path, n + ".count", "samples", description() + " (samples)",
                      static_cast<double>(count_)));
  out.push_back(plain(path, n + ".mean", unit(), description() + " (mean)", mean()));
  out.push_back(
      plain(path, n + ".min", unit(), description() + " (min)", static_cast<double>(min())));
  out.push_back(
      plain(path, n + ".max", unit(), description() + " (max)", static_cast<double>(max_)));
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const uint64_t lo = b == 0 ? 0 : uint64_t{1} << (b - 1), hi = b == 0 ? 1 : uint64_t{1} << b;
    out.push_back(plain(
        path, n + ".hist." + std::to_string(lo) + "-" + std::to_string(hi - 1), "samples",
        description() + " in [" + std::to_string(lo) + ", " + std::to_string(hi) + ") " + unit(),
        static_cast<double>(buckets_[b])));
  }
}

void Group::collect(std::vector<Record>& out) const {
  for (const Stat* s : stats_) s->emit(path_, out);
}

void Group::counters(CounterSet& out) const {
  for (const Stat* s : stats_)
    if (const auto* c = dynamic_cast<const Counter*>(s)) out.add(*this, *c);
}

std::vector<uint64_t> CounterSet::snapshot() const {
  std::vector<uint64_t> v(counters_.size());
  for (size_t i = 0; i < counters_.size(); ++i) v[i] = counters_[i].second->value();
  return v;
}

std::vector<Record> CounterSet::delta(const std::vector<uint64_t>& before,
                                      const std::vector<uint64_t>& after) const {
  if (before.size() != counters_.size() || after.size() != counters_.size())
    throw std::logic_error("CounterSet::delta: snapshots of another set");
  std::vector<Record> out;
  out.reserve(counters_.size());
  for (size_t i = 0; i < counters_.size(); ++i) {
    const auto [group, counter] = counters_[i];
    out.push_back(counter->record(group->path(),
                                  static_cast<double>(after[i]) - static_cast<double>(before[i])));
  }
  return out;
}

}  // namespace trine::stats
