#include "sim/stats/stats.hpp"

namespace trine::stats {

Stat::Stat(Group& group, std::string name, std::string unit, std::string description)
    : name_(std::move(name)), unit_(std::move(unit)), description_(std::move(description)) {
  group.add(this);
}

void Counter::emit(const std::string& path, std::vector<Record>& out) const {
  out.push_back({path, name(), unit(), description(), static_cast<double>(value_)});
}

void Scalar::emit(const std::string& path, std::vector<Record>& out) const {
  out.push_back({path, name(), unit(), description(), value_});
}

void Distribution::sample(uint64_t v) {
  ++count_;
  sum_ += v;
  if (v < min_) min_ = v;
  if (v > max_) max_ = v;
  size_t b = 0;
  while (b < 64 && (v >> b) != 0) ++b;  // bucket b holds [2^(b-1), 2^b)
  if (buckets_.size() <= b) buckets_.resize(b + 1, 0);
  ++buckets_[b];
}

void Distribution::emit(const std::string& path, std::vector<Record>& out) const {
  const std::string& n = name();
  out.push_back(
      {path, n + ".count", "samples", description() + " (samples)", static_cast<double>(count_)});
  out.push_back({path, n + ".mean", unit(), description() + " (mean)", mean()});
  out.push_back({path, n + ".min", unit(), description() + " (min)", static_cast<double>(min())});
  out.push_back({path, n + ".max", unit(), description() + " (max)", static_cast<double>(max_)});
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const uint64_t lo = b == 0 ? 0 : uint64_t{1} << (b - 1), hi = b == 0 ? 1 : uint64_t{1} << b;
    out.push_back(
        {path, n + ".hist." + std::to_string(lo) + "-" + std::to_string(hi - 1), "samples",
         description() + " in [" + std::to_string(lo) + ", " + std::to_string(hi) + ") " + unit(),
         static_cast<double>(buckets_[b])});
  }
}

void Group::collect(std::vector<Record>& out) const {
  for (const Stat* s : stats_) s->emit(path_, out);
}

}  // namespace trine::stats
