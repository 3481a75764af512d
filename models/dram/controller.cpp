#include "models/dram/controller.hpp"

#include <algorithm>
#include <cstdlib>

#include "sim/util/error.hpp"

namespace trine::dram {

namespace {
// A row may serve this many column commands while an older conflicting request waits; then
// the precharge goes ahead, so a stream of hits cannot starve other rows.
constexpr int kMaxRowHits = 16;

std::string stat_name(int channel, const char* what) {
  return "ch" + std::to_string(channel) + "." + what;
}
}  // namespace

ChannelStats::ChannelStats(stats::Group& g, const DramSpec& spec, int channel)
    : activates(g, stat_name(channel, "activates"), "commands", "ACT commands",
                {"dram.activate", {}}),
      precharges(g, stat_name(channel, "precharges"), "commands",
                 "precharges (PRE and the auto-precharge of RDA/WRA)", {"dram.precharge", {}}),
      reads(g, stat_name(channel, "reads"), "commands", "read bursts (RD, RDA)", {"dram.read", {}}),
      writes(g, stat_name(channel, "writes"), "commands", "write bursts (WR, WRA)",
             {"dram.write", {}}),
      row_hits(g, stat_name(channel, "row_hits"), "requests", "requests whose row was open"),
      row_misses(g, stat_name(channel, "row_misses"), "requests",
                 "requests that found their bank closed"),
      row_conflicts(g, stat_name(channel, "row_conflicts"), "requests",
                    "requests that found another row open"),
      refreshes(g, stat_name(channel, "refreshes"), "commands", "all-bank refreshes (REF)",
                {"dram.refresh", {}}),
      bytes_read(g, stat_name(channel, "bytes_read"), "bytes", "bytes read"),
      bytes_written(g, stat_name(channel, "bytes_written"), "bytes", "bytes written"),
      data_bus_busy(g, stat_name(channel, "data_bus_busy"), "cycles",
                    "device cycles the data bus carries bursts"),
      active_cycles(g, stat_name(channel, "active_cycles"), "rank-cycles",
                    "device cycles each rank had a row open (active instead of precharged "
                    "standby)",
                    {"dram.active_standby", {}}),
      powerdown_precharged(g, stat_name(channel, "powerdown_precharged"), "rank-cycles",
                           "device cycles each rank spent in precharge power-down",
                           {"dram.precharge_powerdown", {}}),
      powerdown_active(g, stat_name(channel, "powerdown_active"), "rank-cycles",
                       "device cycles each rank spent in active power-down (a row open)",
                       {"dram.active_powerdown", {}}),
      powerdowns(g, stat_name(channel, "powerdowns"), "entries",
                 "power-down entries of the channel"),
      read_latency(g, stat_name(channel, "read_latency"), "cycles",
                   "read latency from arrival at the controller to the last data beat"),
      write_latency(g, stat_name(channel, "write_latency"), "cycles",
                    "write latency from arrival at the controller to the last data beat") {
  const std::string ch = "ch" + std::to_string(channel) + ".";
  banks.resize(
      static_cast<size_t>(spec.org.ranks * spec.org.bank_groups * spec.org.banks_per_group));
  size_t i = 0;
  for (int64_t r = 0; r < spec.org.ranks; ++r)
    for (int64_t bg = 0; bg < spec.org.bank_groups; ++bg)
      for (int64_t b = 0; b < spec.org.banks_per_group; ++b, ++i) {
        const std::string p = ch + "rank" + std::to_string(r) + ".bg" + std::to_string(bg) +
                              ".bank" + std::to_string(b) + ".";
        auto counter = [&](const char* name, const char* unit, const char* doc,
                           const uint64_t& cell) {
          bank_counters.push_back(std::make_unique<stats::Counter>(g, p + name, unit, doc));
          bank_counters.back()->keep_in(&cell);
        };
        const Bank& bank = banks[i];
        counter("activates", "commands", "ACT commands to this bank", bank.activates);
        counter("precharges", "commands", "precharges of this bank", bank.precharges);
        counter("reads", "commands", "read bursts from this bank", bank.reads);
        counter("writes", "commands", "write bursts to this bank", bank.writes);
        counter("row_hits", "requests", "requests that found their row open", bank.hits);
        counter("row_misses", "requests", "requests that found the bank closed", bank.misses);
        counter("row_conflicts", "requests", "requests that found another row open",
                bank.conflicts);
      }
}

ChannelController::ChannelController(const DramSpec& spec, int channel, const PagePolicy& page,
                                     const Scheduler& scheduler, int queue_depth,
                                     ChannelStats& stats, std::vector<CommandRecord>* log,
                                     int64_t power_down_idle)
    : s_(spec),
      channel_(channel),
      page_(page),
      scheduler_(scheduler),
      depth_(static_cast<size_t>(queue_depth)),
      stats_(stats),
      log_(log),
      banks_(static_cast<size_t>(spec.banks_per_channel)),
      groups_(static_cast<size_t>(spec.org.ranks * spec.org.bank_groups)),
      ranks_(static_cast<size_t>(spec.org.ranks)),
      queued_hits_(banks_.size(), 0),
      kind_stamp_(banks_.size() * 3, 0),
      pd_idle_(power_down_idle) {
  for (Rank& r : ranks_) r.refresh_due = spec.t.tREFI;
  first_refresh_due_ = spec.t.tREFI;
  const auto& t = spec.t;
  stall_limit_ = 4 * (t.tREFI + t.tRFC) +
                 16 * (t.tRC + t.tRCD + t.tRP + t.tRAS + t.tCL + t.tCWL + t.tWR + t.tFAW + t.tRTW +
                       t.tRTRS + spec.burst_cycles + spec.banks_per_channel);
}

void ChannelController::stalled() const {
  throw RunError("DRAM channel " + std::to_string(channel_) + " served no request in " +
                 std::to_string(now_ - progress_at_) + " cycles with " +
                 std::to_string(queue_.size()) +
                 " queued (a livelock: the timing leaves no room to serve them)");
}

size_t ChannelController::bank_index(const DramAddress& a) const {
  return static_cast<size_t>((a.rank * s_.org.bank_groups + a.group) * s_.org.banks_per_group +
                             a.bank);
}

size_t ChannelController::group_index(const DramAddress& a) const {
  return static_cast<size_t>(a.rank * s_.org.bank_groups + a.group);
}

void ChannelController::push(uint64_t tag, bool write, int64_t arrival, uint64_t address,
                             const AddressMapping& mapping) {
  TRINE_ASSERT(arrival >= now_ && (pending_.empty() || arrival >= pending_.back().arrival),
               "DRAM requests must arrive in time order, not before the controller's cycle");
  Request& r = pending_.emplace_back();
  r.tag = tag;
  r.write = write;
  r.arrival = arrival;
  mapping.map_into(address, r.at);
  TRINE_ASSERT(r.at.channel == channel_, "request routed to the wrong channel");
  wake_ = std::min(wake_, arrival);
}

[[noreturn]] void ChannelController::no_ready_rule() {
  TRINE_ASSERT(false, "no ready rule for this command");
  std::abort();
}

bool ChannelController::refresh_command(int64_t now, CommandRecord& out, int64_t& ready_at) const {
  bool found = false;
  for (size_t r = 0; r < ranks_.size(); ++r) {
    if (!refresh_due(static_cast<int>(r), now)) continue;
    // One precharge-all closes the open banks (once each may precharge), then the refresh
    // issues once every bank may activate again.
    DramAddress at;
    at.channel = channel_;
    at.rank = static_cast<int32_t>(r);
    CommandRecord c{0, Command::REF, at};
    int64_t refresh = std::max(next_cmd_, ranks_[r].next_act);
    int64_t precharge = next_cmd_;
    bool any_open = false;
    const size_t first = r * static_cast<size_t>(s_.banks_per_rank);
    for (size_t i = first; i < first + static_cast<size_t>(s_.banks_per_rank); ++i) {
      const Bank& b = banks_[i];
      refresh = std::max(refresh, b.next_act);
      if (b.open_row >= 0) {
        any_open = true;
        precharge = std::max(precharge, b.next_pre);
      }
    }
    if (any_open) c.command = Command::PREA;
    const int64_t t = any_open ? precharge : refresh;
    if (!found || t < ready_at) {
      out = c;
      out.cycle = t;
      ready_at = t;
      found = true;
    }
  }
  return found;
}

void ChannelController::build_candidates(int64_t now) {
  // Candidates depend on the queue, the banks' state and which ranks await refresh. After a
  // cycle without a command or an admission only the last can change: then they stand.
  uint64_t refreshing = 0;
  if (now >= first_refresh_due_)
    for (size_t r = 0; r < ranks_.size(); ++r)
      if (refresh_due(static_cast<int>(r), now)) refreshing |= uint64_t{1} << (r % 64);
  if (candidates_current_ && refreshing == candidates_refreshing_ && ranks_.size() <= 64) return;
  candidates_current_ = true;
  choice_current_ = false;
  candidates_refreshing_ = refreshing;
  candidates_.clear();
  if (++stamp_ == 0) {  // (wrapped: no stale stamp may equal the new one)
    std::fill(kind_stamp_.begin(), kind_stamp_.end(), 0);
    stamp_ = 1;
  }
  for (size_t i = 0; i < queue_.size(); ++i) {
    const Queued& q = queue_[i];
    const Request& r = q.r;
    if (refreshing != 0 && refresh_due(r.at.rank, now)) continue;
    const size_t bi = q.bank;
    const Bank& b = banks_[bi];
    // Younger requests of a bank that need the same command at the same cycle as an older
    // one are not candidates (scheduler.hpp): a read hit, a write hit, or anything else (the
    // bank's ACT or PRE).
    const bool hit = b.open_row == r.at.row;
    uint32_t& seen = kind_stamp_[bi * 3 + (hit ? (r.write ? 1 : 0) : 2)];
    if (seen == stamp_) continue;
    seen = stamp_;
    Candidate c;
    c.request = i;
    if (hit) {
      c.command = r.write ? Command::WR : Command::RD;
      c.row_hit = true;
    } else if (b.open_row >= 0) {
      c.command = Command::PRE;
      c.closes_hits = queued_hits_[bi] > 0 && b.hit_streak < kMaxRowHits;
    } else {
      c.command = Command::ACT;
    }
    c.ready = ready(c.command, bi, q.group, r.at.rank);
    candidates_.push_back(c);
  }
}

void ChannelController::issue(const CommandRecord& c) {
  const auto& t = s_.t;
  const int64_t at = c.cycle, burst = s_.burst_cycles;
  const size_t bi = bank_index(c.at);
  Bank& b = banks_[bi];
  Group& g = groups_[group_index(c.at)];
  Rank& rk = ranks_[static_cast<size_t>(c.at.rank)];
  ChannelStats::Bank& bs = stats_.banks[bi];
  auto others = [&](auto&& f) {
    if (ranks_.size() == 1) return;  // (the common case: nothing to visit)
    for (size_t r = 0; r < ranks_.size(); ++r)
      if (static_cast<int32_t>(r) != c.at.rank) f(ranks_[r]);
  };
  switch (c.command) {
    case Command::ACT:
      b.open_row = c.at.row;
      queued_hits_[bi] = 0;
      for (const Queued& q : queue_)
        if (q.bank == bi && q.r.at.row == c.at.row) ++queued_hits_[bi];
      b.hit_streak = 0;
      b.next_rd = b.next_wr = at + t.tRCD;
      b.next_pre = std::max(b.next_pre, at + t.tRAS);
      b.next_act = std::max(b.next_act, at + t.tRC);
      g.next_act = std::max(g.next_act, at + t.tRRD_L);
      rk.next_act = std::max(rk.next_act, at + t.tRRD_S);
      rk.recent_acts.push_back(at);
      if (rk.recent_acts.size() > 4) rk.recent_acts.pop_front();
      bank_opens(rk, at);
      stats_.activates += 1;
      bs.activates += 1;
      break;
    case Command::PRE:
      if (b.open_row >= 0) bank_closes(rk, at);
      b.open_row = -1;
      queued_hits_[bi] = 0;
      b.next_act = std::max(b.next_act, at + t.tRP);
      stats_.precharges += 1;
      bs.precharges += 1;
      break;
    case Command::RD:
    case Command::RDA:
      g.next_rd = std::max(g.next_rd, at + t.tCCD_L);
      rk.next_rd = std::max(rk.next_rd, at + t.tCCD_S);
      rk.next_wr = std::max(rk.next_wr, at + t.tRTW);
      b.next_pre = std::max(b.next_pre, at + t.tRTP);
      others([&](Rank& o) {
        o.next_rd = std::max(o.next_rd, at + burst + t.tRTRS);
        o.next_wr = std::max(o.next_wr, at + t.tCL + burst + t.tRTRS - t.tCWL);
      });
      ++b.hit_streak;
      stats_.reads += 1;
      bs.reads += 1;
      stats_.bytes_read += static_cast<uint64_t>(s_.burst_bytes);
      stats_.data_bus_busy += static_cast<uint64_t>(burst);
      break;
    case Command::WR:
    case Command::WRA:
      g.next_wr = std::max(g.next_wr, at + t.tCCD_L);
      rk.next_wr = std::max(rk.next_wr, at + t.tCCD_S);
      g.next_rd = std::max(g.next_rd, at + t.tCWL + burst + t.tWTR_L);
      rk.next_rd = std::max(rk.next_rd, at + t.tCWL + burst + t.tWTR_S);
      b.next_pre = std::max(b.next_pre, at + t.tCWL + burst + t.tWR);
      others([&](Rank& o) {
        o.next_wr = std::max(o.next_wr, at + burst + t.tRTRS);
        o.next_rd = std::max(o.next_rd, at + t.tCWL + burst + t.tRTRS - t.tCL);
      });
      ++b.hit_streak;
      stats_.writes += 1;
      bs.writes += 1;
      stats_.bytes_written += static_cast<uint64_t>(s_.burst_bytes);
      stats_.data_bus_busy += static_cast<uint64_t>(burst);
      break;
    case Command::PREA: {
      const size_t first = static_cast<size_t>(c.at.rank * s_.banks_per_rank);
      for (size_t i = first; i < first + static_cast<size_t>(s_.banks_per_rank); ++i) {
        Bank& closing = banks_[i];
        if (closing.open_row < 0) continue;
        bank_closes(rk, at);
        closing.open_row = -1;
        queued_hits_[i] = 0;
        closing.next_act = std::max(closing.next_act, at + t.tRP);
        stats_.precharges += 1;  // (priced per bank closed, as DRAMPower counts a PREA)
        stats_.banks[i].precharges += 1;
      }
      break;
    }
    case Command::PDE:
    case Command::PDX:
      TRINE_ASSERT(false, "power-down is not issued as a command");
      break;
    case Command::REF: {
      const size_t first = static_cast<size_t>(c.at.rank * s_.banks_per_rank);
      for (size_t i = first; i < first + static_cast<size_t>(s_.banks_per_rank); ++i)
        banks_[i].next_act = std::max(banks_[i].next_act, at + t.tRFC);
      rk.next_act = std::max(rk.next_act, at + t.tRFC);
      rk.refresh_due += t.tREFI;
      first_refresh_due_ = kNever;
      for (const Rank& r : ranks_) first_refresh_due_ = std::min(first_refresh_due_, r.refresh_due);
      stats_.refreshes += 1;
      break;
    }
  }
  if (c.command == Command::RDA || c.command == Command::WRA) {
    // The device precharges as soon as tRAS and tRTP/tWR allow; the bank is closed to the
    // controller from now on.
    b.next_act = std::max(b.next_act, b.next_pre + t.tRP);
    quiet_at_ = std::max(quiet_at_, b.next_pre + 1);  // (tPRPDEN after the precharge itself)
    bank_closes(rk, at);  // (active until the precharge itself: a few cycles more)
    b.open_row = -1;
    queued_hits_[bi] = 0;
    stats_.precharges += 1;
    bs.precharges += 1;
  }
  // The first cycle a power-down entry may follow this command: read data out, write data in
  // and recovered, a refresh done.
  int64_t quiet = at + 1;
  if (is_read(c.command)) quiet = at + t.tCL + burst + 1;
  if (is_write(c.command)) quiet = at + t.tCWL + burst + t.tWR;
  if (c.command == Command::REF) quiet = at + t.tRFC;
  quiet_at_ = std::max(quiet_at_, quiet);
  last_command_ = at;
  next_cmd_ = at + 1;
  candidates_current_ = false;
  log_command(c);
}

void ChannelController::log_command(const CommandRecord& c) {
  if (log_) log_->push_back(c);
  if (listener_) listener_(c);
}

int64_t ChannelController::power_down_entry() const {
  if (pd_idle_ <= 0 || pd_state_ != 0 || !queue_.empty()) return kNever;
  return std::max({quiet_at_, last_command_ + pd_idle_, next_cmd_});
}

void ChannelController::enter_power_down(int64_t at) {
  bool open = false;
  for (const Rank& r : ranks_) open = open || r.open_banks > 0;
  pd_state_ = open ? 2 : 1;
  pd_entered_ = pd_counted_ = at;
  stats_.powerdowns += 1;
  for (size_t r = 0; r < ranks_.size(); ++r) {
    DramAddress a;
    a.channel = channel_;
    a.rank = static_cast<int32_t>(r);
    log_command({at, Command::PDE, a});
  }
}

void ChannelController::exit_power_down(int64_t at) {
  count_power_down(at);
  pd_state_ = 0;
  for (size_t r = 0; r < ranks_.size(); ++r) {
    DramAddress a;
    a.channel = channel_;
    a.rank = static_cast<int32_t>(r);
    log_command({at, Command::PDX, a});
  }
  next_cmd_ = std::max(next_cmd_, at + s_.t.tXP);
  last_command_ = at;
  candidates_current_ = false;
  choice_current_ = false;
}

void ChannelController::count_power_down(int64_t upto) {
  if (pd_state_ == 0 || upto <= pd_counted_) return;
  const uint64_t cycles = static_cast<uint64_t>(upto - pd_counted_) * ranks_.size();
  (pd_state_ == 1 ? stats_.powerdown_precharged : stats_.powerdown_active) += cycles;
  pd_counted_ = upto;
}

void ChannelController::bank_opens(Rank& rk, int64_t at) {
  if (rk.open_banks++ == 0) rk.open_since = at;
}

void ChannelController::bank_closes(Rank& rk, int64_t at) {
  if (--rk.open_banks == 0 && at > rk.open_since) {
    stats_.active_cycles += static_cast<uint64_t>(at - rk.open_since);
    rk.open_since = at;
  }
}

void ChannelController::count_open_time(int64_t upto) {
  for (Rank& rk : ranks_)
    if (rk.open_banks > 0 && upto > rk.open_since) {
      stats_.active_cycles += static_cast<uint64_t>(upto - rk.open_since);
      rk.open_since = upto;
    }
}

void ChannelController::admit(int64_t now) {
  while (!pending_.empty() && queue_.size() < depth_ && pending_.front().arrival <= now) {
    const Request& r = pending_.front();
    queue_.push_back({r, now, bank_index(r.at), group_index(r.at), -1});
    if (banks_[queue_.back().bank].open_row == r.at.row) ++queued_hits_[queue_.back().bank];
    pending_.pop_front();
    candidates_current_ = false;
  }
}

void ChannelController::run_until(int64_t limit) {
  while (now_ < limit) {
    if (pd_state_ != 0 &&
        ((!pending_.empty() && pending_.front().arrival <= now_) || now_ >= first_refresh_due_)) {
      // A request arrived or a refresh fell due: power up, once tCKE has passed.
      const int64_t up = std::max(now_, pd_entered_ + s_.t.tCKE);
      if (up >= limit) {
        now_ = limit;
        wake_ = up;
        break;
      }
      now_ = up;
      exit_power_down(up);
    }
    if (queue_.empty()) {
      progress_at_ = now_;
    } else if (now_ - progress_at_ > stall_limit_) {
      stalled();
    }
    if (!pending_.empty() && pending_.front().arrival <= now_) admit(now_);
    int64_t ref_ready = kNever;
    if (now_ >= first_refresh_due_) {
      CommandRecord ref;
      if (refresh_command(now_, ref, ref_ready) && ref_ready <= now_) {
        ref.cycle = now_;
        issue(ref);
        wake_ = ++now_;
        continue;
      }
    }
    int64_t wake = kNever;
    int pick = -1;
    if (!queue_.empty()) {  // (an empty queue has no candidate and no wake-up)
      build_candidates(now_);
      // A choice made earlier stands until its cycle (scheduler.hpp); past it, other
      // candidates may have become ready too.
      if (!choice_current_ || choice_.at < now_) {
        choice_ = scheduler_.choose(candidates_, now_);
        choice_current_ = true;
      }
      wake = choice_.at;
      if (choice_.at <= now_) {
        pick = choice_.index;
      } else if (choice_.at < limit && choice_.at < first_refresh_due_ &&
                 candidates_refreshing_ == 0 &&
                 (pending_.empty() || queue_.size() >= depth_ ||
                  pending_.front().arrival > choice_.at)) {
        // Nothing arrives and no refresh falls due before the choice's cycle: the cycles in
        // between decide nothing, and at it the choice stands. Go there and issue it.
        now_ = choice_.at;
        pick = choice_.index;
      }
    }
    if (pick >= 0) {
      const Candidate& c = candidates_[static_cast<size_t>(pick)];
      Queued& q = queue_[c.request];
      if (q.kind < 0) q.kind = c.command == Command::PRE ? 2 : c.command == Command::ACT ? 1 : 0;
      CommandRecord rec{now_, c.command, q.r.at};
      if (c.command == Command::ACT || c.command == Command::PRE) rec.at.column = 0;
      if (c.command == Command::PRE) rec.at.row = banks_[q.bank].open_row;
      if (c.row_hit) {
        const int others = --queued_hits_[q.bank];  // this request leaves the queue
        if (page_.close_after(others)) rec.command = q.r.write ? Command::WRA : Command::RDA;
        issue(rec);
        const int64_t done = now_ + (q.r.write ? s_.t.tCWL : s_.t.tCL) + s_.burst_cycles;
        progress_at_ = now_;
        done_.push_back({q.r.tag, q.r.write, q.r.arrival, q.admitted, done});
        ChannelStats::Bank& bs = stats_.banks[q.bank];
        if (q.kind == 0) stats_.row_hits += 1, bs.hits += 1;
        if (q.kind == 1) stats_.row_misses += 1, bs.misses += 1;
        if (q.kind == 2) stats_.row_conflicts += 1, bs.conflicts += 1;
        (q.r.write ? stats_.write_latency : stats_.read_latency)
            .sample(static_cast<uint64_t>(done - q.r.arrival));
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(c.request));
      } else {
        issue(rec);
      }
      wake_ = ++now_;
      continue;
    }
    const int64_t entry = power_down_entry();
    if (entry != kNever && entry < first_refresh_due_ &&
        (pending_.empty() || pending_.front().arrival > entry)) {
      if (entry <= now_) {
        enter_power_down(now_);
        continue;
      }
      wake = std::min(wake, entry);
    }
    int64_t next = std::min(wake, ref_ready);
    if (now_ < first_refresh_due_)
      next = std::min(next, first_refresh_due_);
    else
      for (size_t r = 0; r < ranks_.size(); ++r)
        if (!refresh_due(static_cast<int>(r), now_)) next = std::min(next, ranks_[r].refresh_due);
    if (!pending_.empty() && queue_.size() < depth_)
      next = std::min(next, pending_.front().arrival);
    wake_ = std::max(next, now_ + 1);
    now_ = std::min(wake_, limit);
  }
  wake_ = std::max(wake_, now_);
  count_open_time(now_);
  count_power_down(now_);
}

int64_t ChannelController::next_event() const {
  return idle() ? kNever : wake_;
}

int64_t ChannelController::earliest_done() const {
  int64_t best = kNever;
  auto consider = [&](const Request& r, size_t bank, size_t group, int64_t from) {
    const Bank& b = banks_[bank];
    int64_t column = 0;  // the earliest its RD or WR could issue
    if (b.open_row == r.at.row)
      column = ready(r.write ? Command::WR : Command::RD, bank, group, r.at.rank);
    else if (b.open_row < 0)
      column = ready(Command::ACT, bank, group, r.at.rank) + s_.t.tRCD;
    else
      column = ready(Command::PRE, bank, group, r.at.rank) + s_.t.tRP + s_.t.tRCD;
    column = std::max(column, from);
    best = std::min(best, column + (r.write ? s_.t.tCWL : s_.t.tCL) + s_.burst_cycles);
  };
  // Powered down: nothing issues before the exit (at the arrival, tCKE after entry) plus tXP.
  auto up = [&](int64_t from) {
    return pd_state_ == 0 ? from : std::max(from, pd_entered_ + s_.t.tCKE) + s_.t.tXP;
  };
  for (const Queued& q : queue_) consider(q.r, q.bank, q.group, up(now_));
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Request& r = pending_[i];
    consider(r, bank_index(r.at), group_index(r.at), up(std::max(now_, r.arrival)));
  }
  return best;
}

}  // namespace trine::dram
