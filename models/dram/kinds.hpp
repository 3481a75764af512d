#pragma once
// The DRAM controller's swappable choices and their names (models/common/named.hpp): one list
// each, read by the design point's schema (dram.mapping, dram.page_policy, dram.scheduler), the
// factories (mapping/, page_policy/, scheduler/) and the tests that walk every choice.
#include <array>

#include "models/common/named.hpp"

namespace trine::dram {

// How an address's bits split into channel, bank group, column, bank, rank and row.
enum class MappingKind { RowBankCol, BankRowCol, RowColBank };
// When an open row is closed.
enum class PagePolicyKind { Open, Closed, Adaptive };
// Which queued request goes next.
enum class SchedulerKind { Fcfs, FrFcfs };
// When the controller powers its ranks down (CKE low).
enum class PowerDownKind { Never, Idle };

inline constexpr std::array<models::Named<MappingKind>, 3> kMappings{{
    {MappingKind::RowBankCol, "row-bank-col",
     "a row's bursts stay in one bank: streams are row hits"},
    {MappingKind::BankRowCol, "bank-row-col",
     "each bank owns one contiguous region: independent streams land in different banks"},
    {MappingKind::RowColBank, "row-col-bank",
     "consecutive bursts spread over all banks: most bank parallelism"},
}};

inline constexpr std::array<models::Named<PagePolicyKind>, 3> kPagePolicies{{
    {PagePolicyKind::Open, "open", "a row stays open until a conflict or a refresh"},
    {PagePolicyKind::Closed, "closed", "every access closes its row (auto-precharge)"},
    {PagePolicyKind::Adaptive, "adaptive",
     "a row closes unless a queued request still hits it (open-adaptive)"},
}};

inline constexpr std::array<models::Named<SchedulerKind>, 2> kSchedulers{{
    {SchedulerKind::Fcfs, "fcfs", "first come, first served"},
    {SchedulerKind::FrFcfs, "fr-fcfs",
     "first ready, first come, first served: the command that can issue earliest"},
}};

inline constexpr std::array<models::Named<PowerDownKind>, 2> kPowerDowns{{
    {PowerDownKind::Never, "never", "the ranks stay powered up (CKE high) throughout"},
    {PowerDownKind::Idle, "idle",
     "after power_down_idle cycles without a request the ranks enter power-down (precharge "
     "power-down if every bank is closed, else active power-down) and leave it when a request "
     "arrives or a refresh falls due"},
}};

}  // namespace trine::dram
