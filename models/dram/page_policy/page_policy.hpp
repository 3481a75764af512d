#pragma once
// Row-buffer (page) policy: whether a row closes with the column command that reads or
// writes it (auto-precharge, RDA/WRA) or stays open for later hits. Chosen by name from the
// design point (dram.page_policy).
//
// Contract: close_after() is asked once per column command, with the number of other queued
// requests that hit the same open row; it has no state, so the same queue gives the same
// answer.
#include <memory>
#include <string>
#include <vector>

#include "models/dram/kinds.hpp"

namespace trine::dram {

class PagePolicy {
 public:
  virtual ~PagePolicy() = default;
  virtual bool close_after(int queued_hits) const = 0;
};

std::vector<std::string> page_policy_names();
std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind kind);

}  // namespace trine::dram
