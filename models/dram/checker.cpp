#include "models/dram/checker.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace trine::dram {

namespace {

// Which earlier command a rule looks back to.
enum class Scope {
  Bank,       // same bank
  Group,      // same bank group, any bank (same bank included)
  Rank,       // same rank, any bank
  OtherRank,  // same channel, another rank
};

enum Kind { kAct, kPre, kRead, kWrite, kRef, kPde, kPdx, kKinds };
const char* const kKindNames[kKinds] = {"ACT", "PRE", "read", "write", "REF", "PDE", "PDX"};

Kind kind_of(Command c) {
  switch (c) {
    case Command::ACT:
      return kAct;
    case Command::PRE:
      return kPre;
    case Command::RD:
    case Command::RDA:
      return kRead;
    case Command::WR:
    case Command::WRA:
      return kWrite;
    case Command::REF:
      return kRef;
    case Command::PDE:
      return kPde;
    case Command::PDX:
      return kPdx;
    case Command::PREA:
      return kPre;
  }
  return kRef;
}

struct Rule {
  Kind before, after;
  Scope scope;
  int64_t gap;  // `after` may issue no earlier than `before` + gap
  const char* name;
};

std::vector<Rule> rules(const DramSpec& s) {
  const auto& t = s.t;
  const int64_t bl = s.burst_cycles;
  return {
      {kAct, kAct, Scope::Bank, t.tRC, "tRC"},
      {kAct, kAct, Scope::Group, t.tRRD_L, "tRRD_L"},
      {kAct, kAct, Scope::Rank, t.tRRD_S, "tRRD_S"},
      {kAct, kRead, Scope::Bank, t.tRCD, "tRCD"},
      {kAct, kWrite, Scope::Bank, t.tRCD, "tRCD"},
      {kAct, kPre, Scope::Bank, t.tRAS, "tRAS"},
      {kPre, kAct, Scope::Bank, t.tRP, "tRP"},
      {kPre, kRef, Scope::Rank, t.tRP, "tRP"},  // every bank of the rank has precharged
      {kRead, kRead, Scope::Group, t.tCCD_L, "tCCD_L"},
      {kRead, kRead, Scope::Rank, t.tCCD_S, "tCCD_S"},
      {kWrite, kWrite, Scope::Group, t.tCCD_L, "tCCD_L"},
      {kWrite, kWrite, Scope::Rank, t.tCCD_S, "tCCD_S"},
      {kRead, kWrite, Scope::Rank, t.tRTW, "tRTW"},
      {kWrite, kRead, Scope::Group, t.tCWL + bl + t.tWTR_L, "tWTR_L"},
      {kWrite, kRead, Scope::Rank, t.tCWL + bl + t.tWTR_S, "tWTR_S"},
      {kRead, kPre, Scope::Bank, t.tRTP, "tRTP"},
      {kWrite, kPre, Scope::Bank, t.tCWL + bl + t.tWR, "tWR"},
      {kRef, kAct, Scope::Rank, t.tRFC, "tRFC"},
      {kRef, kRef, Scope::Rank, t.tRFC, "tRFC"},
      {kRead, kRead, Scope::OtherRank, bl + t.tRTRS, "tRTRS"},
      {kWrite, kWrite, Scope::OtherRank, bl + t.tRTRS, "tRTRS"},
      {kRead, kWrite, Scope::OtherRank, t.tCL + bl + t.tRTRS - t.tCWL, "tRTRS"},
      {kWrite, kRead, Scope::OtherRank, t.tCWL + bl + t.tRTRS - t.tCL, "tRTRS"},
      // Power-down: entered once the rank's reads have their data out, its writes have
      // recovered and its refresh is done; left no sooner than tCKE; tXP before any command.
      {kAct, kPde, Scope::Rank, 1, "tACTPDEN"},
      {kPre, kPde, Scope::Rank, 1, "tPRPDEN"},
      {kRead, kPde, Scope::Rank, t.tCL + bl + 1, "tRDPDEN"},
      {kWrite, kPde, Scope::Rank, t.tCWL + bl + t.tWR, "tWRPDEN"},
      {kRef, kPde, Scope::Rank, t.tRFC, "tRFC"},
      {kPde, kPdx, Scope::Rank, t.tCKE, "tCKE"},
      {kPdx, kAct, Scope::Rank, t.tXP, "tXP"},
      {kPdx, kPre, Scope::Rank, t.tXP, "tXP"},
      {kPdx, kRead, Scope::Rank, t.tXP, "tXP"},
      {kPdx, kWrite, Scope::Rank, t.tXP, "tXP"},
      {kPdx, kRef, Scope::Rank, t.tXP, "tXP"},
  };
}

constexpr int64_t kNone = INT64_MIN / 4;

}  // namespace

std::vector<Violation> check_protocol(const DramSpec& s, const std::vector<CommandRecord>& log,
                                      int64_t end_cycle) {
  std::vector<Violation> out;
  const std::vector<Rule> table = rules(s);
  const auto& t = s.t;
  // Last cycle of each kind per bank, per bank group and per rank (flat indices).
  using Times = std::array<int64_t, kKinds>;
  Times none;
  none.fill(kNone);
  const int64_t ranks = s.org.channels * s.org.ranks, groups = ranks * s.org.bank_groups;
  std::vector<Times> by_bank(static_cast<size_t>(groups * s.org.banks_per_group), none),
      by_group(static_cast<size_t>(groups), none), by_rank(static_cast<size_t>(ranks), none);
  std::vector<int64_t> open_row(by_bank.size(), -1), act_cycle(by_bank.size(), 0);
  std::map<std::pair<int, int>, std::vector<int64_t>> acts;  // per rank, for tFAW
  std::map<std::pair<int, int>, std::vector<int64_t>> refs;  // per rank
  std::map<int, int64_t> last_command;                       // per channel
  std::vector<bool> powered_down(static_cast<size_t>(ranks), false);
  struct Burst {
    int64_t begin, end;
    int rank;
  };
  std::map<int, std::vector<Burst>> bursts;  // per channel, data-bus occupancy

  auto fail = [&](size_t i, const std::string& rule, const std::string& msg) {
    out.push_back({i, rule, format_command(log[i]) + ": " + msg});
  };
  auto rank_of = [&](const DramAddress& a) {
    return static_cast<size_t>(a.channel * s.org.ranks + a.rank);
  };
  auto group_of = [&](const DramAddress& a) {
    return rank_of(a) * static_cast<size_t>(s.org.bank_groups) + static_cast<size_t>(a.group);
  };
  auto bank_of = [&](const DramAddress& a) {
    return group_of(a) * static_cast<size_t>(s.org.banks_per_group) + static_cast<size_t>(a.bank);
  };
  auto lookback = [&](const DramAddress& a, Scope scope, Kind k) {
    switch (scope) {
      case Scope::Bank:
        return by_bank[bank_of(a)][k];
      case Scope::Group:
        return by_group[group_of(a)][k];
      case Scope::Rank:
        return by_rank[rank_of(a)][k];
      case Scope::OtherRank:
        break;
    }
    int64_t best = kNone;
    for (int r = 0; r < s.org.ranks; ++r)
      if (r != a.rank)
        best = std::max(best, by_rank[static_cast<size_t>(a.channel * s.org.ranks + r)][k]);
    return best;
  };
  auto record = [&](const DramAddress& a, Kind k, int64_t cycle) {
    for (Times* t : {&by_bank[bank_of(a)], &by_group[group_of(a)], &by_rank[rank_of(a)]})
      (*t)[k] = std::max((*t)[k], cycle);
  };

  for (size_t i = 0; i < log.size(); ++i) {
    const CommandRecord& c = log[i];
    const DramAddress& a = c.at;
    const Kind k = kind_of(c.command);
    if (a.rank < 0 || a.rank >= s.org.ranks || a.group < 0 || a.group >= s.org.bank_groups ||
        a.bank < 0 || a.bank >= s.org.banks_per_group || a.channel < 0 ||
        a.channel >= s.org.channels) {
      fail(i, "address", "no such bank");
      continue;
    }
    const size_t bank = bank_of(a);
    // Power-down is CKE, not a command: entered by an awake rank, left by a sleeping one; no
    // command reaches a rank while it is down.
    const size_t rank = rank_of(a);
    if (k == kPde || k == kPdx) {
      if (powered_down[rank] == (k == kPde))
        fail(i, "power-down", k == kPde ? "entry while powered down" : "exit while powered up");
      powered_down[rank] = k == kPde;
    } else if (powered_down[rank]) {
      fail(i, "power-down", "command to a rank that is powered down");
    }
    // Command bus: one command per cycle per channel, in time order.
    if (k != kPde && k != kPdx) {
      if (auto it = last_command.find(a.channel); it != last_command.end() && c.cycle <= it->second)
        fail(i, "command bus", "issued at or before the previous command of its channel");
      last_command[a.channel] = c.cycle;
    }

    // Pairwise timing.
    auto timing = [&](const DramAddress& at) {
      for (const Rule& r : table) {
        if (r.after != k) continue;
        const int64_t before = lookback(at, r.scope, r.before);
        if (before != kNone && c.cycle < before + r.gap)
          fail(i, r.name,
               std::string("only ") + std::to_string(c.cycle - before) + " cycles after the " +
                   kKindNames[r.before] + ", needs " + std::to_string(r.gap));
      }
    };
    if (c.command == Command::PREA) {
      // A precharge of every open bank of the rank, each under the precharge rules.
      for (int g = 0; g < s.org.bank_groups; ++g)
        for (int b = 0; b < s.org.banks_per_group; ++b) {
          DramAddress one = a;
          one.group = g;
          one.bank = b;
          if (open_row[bank_of(one)] < 0) continue;
          timing(one);
          open_row[bank_of(one)] = -1;
          record(one, kPre, c.cycle);
        }
      continue;
    }
    timing(a);

    // State rules.
    switch (k) {
      case kAct:
        if (open_row[bank] >= 0) fail(i, "state", "ACT to a bank with an open row");
        open_row[bank] = a.row;
        act_cycle[bank] = c.cycle;
        break;
      case kPre:
        open_row[bank] = -1;
        break;
      case kRead:
      case kWrite: {
        if (open_row[bank] < 0)
          fail(i, "state", "column command to a closed bank");
        else if (open_row[bank] != a.row)
          fail(i, "state",
               "column command to row " + std::to_string(a.row) + " while row " +
                   std::to_string(open_row[bank]) + " is open");
        if (a.column < 0 || a.column >= s.bursts_per_row) fail(i, "address", "no such column");
        const int64_t lat = k == kRead ? t.tCL : t.tCWL;
        bursts[a.channel].push_back({c.cycle + lat, c.cycle + lat + s.burst_cycles, a.rank});
        break;
      }
      case kRef: {
        const size_t first = rank_of(a) * static_cast<size_t>(s.banks_per_rank);
        for (size_t b = first; b < first + static_cast<size_t>(s.banks_per_rank); ++b)
          if (open_row[b] >= 0) {
            fail(i, "state", "REF while a bank of the rank is open");
            break;
          }
        refs[{a.channel, a.rank}].push_back(c.cycle);
        break;
      }
      default:
        break;
    }
    if (k == kAct) {
      auto& v = acts[{a.channel, a.rank}];
      v.push_back(c.cycle);
      if (v.size() >= 5 && c.cycle < v[v.size() - 5] + t.tFAW)
        fail(i, "tFAW", "fifth ACT within " + std::to_string(t.tFAW) + " cycles");
    }

    // Record this command; an auto-precharge adds a precharge at the cycle the device starts
    // it: once tRAS has passed since the ACT and tRTP (read) or write recovery (write) since
    // the column command.
    record(a, k, c.cycle);
    if (c.command == Command::RDA || c.command == Command::WRA) {
      const int64_t after_col =
          c.command == Command::RDA ? c.cycle + t.tRTP : c.cycle + t.tCWL + s.burst_cycles + t.tWR;
      record(a, kPre, std::max(after_col, act_cycle[bank] + t.tRAS));
      open_row[bank] = -1;
    }
  }

  // Data bus: bursts of one channel never overlap; between ranks the hand-over gap holds.
  for (auto& [ch, v] : bursts) {
    std::sort(v.begin(), v.end(), [](const Burst& x, const Burst& y) { return x.begin < y.begin; });
    for (size_t j = 1; j < v.size(); ++j) {
      const int64_t gap = v[j].rank == v[j - 1].rank ? 0 : t.tRTRS;
      if (v[j].begin < v[j - 1].end + gap)
        out.push_back({log.size(), "data bus",
                       "channel " + std::to_string(ch) + ": burst at cycle " +
                           std::to_string(v[j].begin) + " overlaps the one ending at " +
                           std::to_string(v[j - 1].end)});
    }
  }

  // Refresh: one REF per tREFI on average; JEDEC lets a controller postpone up to eight, so
  // no gap exceeds 9 x tREFI and the count keeps up to within eight.
  for (int ch = 0; ch < s.org.channels; ++ch)
    for (int rk = 0; rk < s.org.ranks; ++rk) {
      const auto& v = refs[{ch, rk}];
      int64_t prev = 0;
      for (int64_t r : v) {
        if (r - prev > 9 * t.tREFI)
          out.push_back({log.size(), "tREFI",
                         "rank " + std::to_string(rk) + ": " + std::to_string(r - prev) +
                             " cycles without a refresh"});
        prev = r;
      }
      const int64_t due = end_cycle / t.tREFI;
      if (static_cast<int64_t>(v.size()) + 8 < due)
        out.push_back({log.size(), "tREFI",
                       "channel " + std::to_string(ch) + " rank " + std::to_string(rk) + ": " +
                           std::to_string(v.size()) + " refreshes in " + std::to_string(end_cycle) +
                           " cycles, " + std::to_string(due) + " due"});
    }
  return out;
}

}  // namespace trine::dram
