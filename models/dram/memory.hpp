#pragma once
// The whole DRAM subsystem as a plain class: address mapping, one controller per channel, the
// stored bytes and the statistics. The SystemC target (dram.hpp) wraps it; tests and
// benchmarks may drive it directly.
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "models/dram/controller.hpp"
#include "models/dram/mapping/mapping.hpp"
#include "sim/config/design_point.hpp"

namespace trine::dram {

// Bytes of a large address space, allocated in 4 KiB pages on first write; unwritten bytes
// read as zero.
class SparseMemory {
 public:
  void read(uint64_t address, uint8_t* out, uint64_t length) const;
  void write(uint64_t address, const uint8_t* in, uint64_t length);

 private:
  static constexpr uint64_t kPage = 4096;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

class MemorySystem {
 public:
  // `log`: keep every command for the command log and the protocol checker.
  MemorySystem(const config::DramConfig& cfg, stats::Group& stats, bool log);

  const DramSpec& spec() const { return spec_; }
  const AddressMapping& mapping() const { return *mapping_; }
  SparseMemory& storage() { return storage_; }

  // One burst at `address` (burst-aligned, below the capacity), arriving at `cycle`.
  void push(uint64_t tag, uint64_t address, bool write, int64_t cycle);
  void run_until(int64_t cycle);
  int64_t next_event() const;
  int64_t earliest_done() const;  // see ChannelController::earliest_done
  bool idle() const;
  size_t pending() const;  // bursts that have arrived but wait for room in a queue
  // Whether every pending burst enters its queue at `cycle` (the controller's current cycle).
  bool admits_pending_at(int64_t cycle) const;
  // Completions found so far, ordered by (done, tag).
  std::vector<Completion> take_completions();
  // The same into `out` (cleared first; its storage is reused).
  void take_completions(std::vector<Completion>& out);
  // Runs to `cycle` (refreshes included) and sets the derived statistics over [0, cycle).
  void finish(int64_t cycle);
  // The command log of all channels, ordered by (cycle, channel).
  std::vector<CommandRecord> command_log() const;
  // Every channel's commands as they issue, to `f` (in issue order within a channel).
  void set_command_listener(const std::function<void(const CommandRecord&)>& f);

 private:
  DramSpec spec_;
  std::unique_ptr<AddressMapping> mapping_;
  std::unique_ptr<PagePolicy> page_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<std::unique_ptr<ChannelStats>> channel_stats_;
  std::vector<std::vector<CommandRecord>> logs_;
  std::vector<std::unique_ptr<ChannelController>> channels_;
  SparseMemory storage_;
  stats::Scalar elapsed_ns_, bandwidth_, peak_bandwidth_, row_hit_rate_, read_latency_ns_,
      read_latency_max_ns_;
};

}  // namespace trine::dram
