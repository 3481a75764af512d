#include "models/dram/memory.hpp"

#include <algorithm>
#include <cstring>

#include "sim/util/error.hpp"

namespace trine::dram {

void SparseMemory::read(uint64_t address, uint8_t* out, uint64_t length) const {
  while (length > 0) {
    const uint64_t page = address / kPage, offset = address % kPage;
    const uint64_t n = std::min(length, kPage - offset);
    auto it = pages_.find(page);
    if (it == pages_.end())
      std::memset(out, 0, n);
    else
      std::memcpy(out, it->second.get() + offset, n);
    address += n, out += n, length -= n;
  }
}

void SparseMemory::write(uint64_t address, const uint8_t* in, uint64_t length) {
  while (length > 0) {
    const uint64_t page = address / kPage, offset = address % kPage;
    const uint64_t n = std::min(length, kPage - offset);
    auto& p = pages_[page];
    if (!p) {
      p = std::make_unique<uint8_t[]>(kPage);
      std::memset(p.get(), 0, kPage);
    }
    std::memcpy(p.get() + offset, in, n);
    address += n, in += n, length -= n;
  }
}

MemorySystem::MemorySystem(const config::DramConfig& cfg, stats::Group& stats, bool log)
    : spec_(cfg.device),
      mapping_(make_mapping(cfg.mapping, spec_)),
      page_(make_page_policy(cfg.page_policy)),
      scheduler_(make_scheduler(cfg.scheduler)),
      logs_(static_cast<size_t>(spec_.org.channels)),
      elapsed_ns_(stats, "elapsed", "ns", "simulated time the statistics cover"),
      bandwidth_(stats, "bandwidth", "GB/s", "bytes read and written per second of elapsed"),
      peak_bandwidth_(stats, "peak_bandwidth", "GB/s", "data-bus peak of all channels"),
      row_hit_rate_(stats, "row_hit_rate", "ratio", "row hits per request"),
      read_latency_ns_(stats, "read_latency_mean", "ns", "mean read latency"),
      read_latency_max_ns_(stats, "read_latency_max", "ns", "longest read latency") {
  for (int c = 0; c < spec_.org.channels; ++c) {
    channel_stats_.push_back(std::make_unique<ChannelStats>(stats, spec_, c));
    channels_.push_back(std::make_unique<ChannelController>(
        spec_, c, *page_, *scheduler_, static_cast<int>(cfg.queue_depth), *channel_stats_.back(),
        log ? &logs_[static_cast<size_t>(c)] : nullptr,
        cfg.power_down == PowerDownKind::Idle ? cfg.power_down_idle : 0));
  }
  peak_bandwidth_.set(spec_.peak_bytes_per_second() / 1e9);
}

void MemorySystem::push(uint64_t tag, uint64_t address, bool write, int64_t cycle) {
  TRINE_ASSERT(address < spec_.capacity, "DRAM address beyond the capacity");
  const size_t channel =
      channels_.size() == 1 ? 0 : static_cast<size_t>(mapping_->channel_of(address));
  channels_[channel]->push(tag, write, cycle, address, *mapping_);
}

void MemorySystem::run_until(int64_t cycle) {
  for (auto& c : channels_) c->run_until(cycle);
}

int64_t MemorySystem::next_event() const {
  int64_t t = kNever;
  for (const auto& c : channels_) t = std::min(t, c->next_event());
  return t;
}

int64_t MemorySystem::earliest_done() const {
  int64_t t = kNever;
  for (const auto& c : channels_) t = std::min(t, c->earliest_done());
  return t;
}

bool MemorySystem::admits_pending_at(int64_t cycle) const {
  for (const auto& c : channels_)
    if (!c->admits_pending_at(cycle)) return false;
  return true;
}

size_t MemorySystem::pending() const {
  size_t n = 0;
  for (const auto& c : channels_) n += c->pending();
  return n;
}

bool MemorySystem::idle() const {
  for (const auto& c : channels_)
    if (!c->idle()) return false;
  return true;
}

std::vector<Completion> MemorySystem::take_completions() {
  std::vector<Completion> out;
  take_completions(out);
  return out;
}

void MemorySystem::take_completions(std::vector<Completion>& out) {
  out.clear();
  if (channels_.size() == 1) {
    out.swap(channels_.front()->completions());  // (the channel keeps out's storage)
  } else {
    for (auto& c : channels_) {
      auto& d = c->completions();
      out.insert(out.end(), d.begin(), d.end());
      d.clear();
    }
  }
  // Usually in order already: bursts complete in issue order unless reads and writes mix.
  const auto earlier = [](const Completion& a, const Completion& b) {
    return a.done != b.done ? a.done < b.done : a.tag < b.tag;
  };
  if (!std::is_sorted(out.begin(), out.end(), earlier)) std::sort(out.begin(), out.end(), earlier);
}

void MemorySystem::finish(int64_t cycle) {
  run_until(cycle);
  uint64_t bytes = 0, hits = 0, requests = 0, reads = 0, longest = 0;
  double read_cycles = 0;
  for (const auto& s : channel_stats_) {
    bytes += s->bytes_read.value() + s->bytes_written.value();
    hits += s->row_hits.value();
    requests += s->row_hits.value() + s->row_misses.value() + s->row_conflicts.value();
    reads += s->read_latency.count();
    read_cycles += s->read_latency.mean() * static_cast<double>(s->read_latency.count());
    longest = std::max(longest, s->read_latency.max());
  }
  const double ns = static_cast<double>(cycle) * spec_.tck_ps / 1000.0;
  elapsed_ns_.set(ns);
  bandwidth_.set(ns > 0 ? static_cast<double>(bytes) / ns : 0.0);  // bytes per ns = GB/s
  row_hit_rate_.set(requests ? static_cast<double>(hits) / static_cast<double>(requests) : 0.0);
  read_latency_ns_.set(reads ? read_cycles / static_cast<double>(reads) * spec_.tck_ps / 1000.0
                             : 0.0);
  read_latency_max_ns_.set(static_cast<double>(longest) * spec_.tck_ps / 1000.0);
}

void MemorySystem::set_command_listener(const std::function<void(const CommandRecord&)>& f) {
  for (auto& c : channels_) c->set_listener(f);
}

std::vector<CommandRecord> MemorySystem::command_log() const {
  std::vector<CommandRecord> all;
  for (const auto& l : logs_) all.insert(all.end(), l.begin(), l.end());
  std::stable_sort(all.begin(), all.end(), [](const CommandRecord& a, const CommandRecord& b) {
    return a.cycle != b.cycle ? a.cycle < b.cycle : a.at.channel < b.at.channel;
  });
  return all;
}

}  // namespace trine::dram
