#include "models/dram/page_policy/page_policy.hpp"
#include "sim/util/error.hpp"

namespace trine::dram {

namespace {

// Keeps the row open until a conflicting request or a refresh closes it: best for streams.
class OpenPage : public PagePolicy {
 public:
  bool close_after(int) const override { return false; }
};

// Closes the row with every access: each access pays tRCD but never tRP on a conflict.
class ClosedPage : public PagePolicy {
 public:
  bool close_after(int) const override { return true; }
};

// Closes the row unless a queued request still hits it (DRAMSys' open-adaptive).
class OpenAdaptive : public PagePolicy {
 public:
  bool close_after(int queued_hits) const override { return queued_hits == 0; }
};

}  // namespace

std::vector<std::string> page_policy_names() {
  return models::names_of(kPagePolicies);
}

std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind kind) {
  switch (kind) {
    case PagePolicyKind::Closed:
      return std::make_unique<ClosedPage>();
    case PagePolicyKind::Adaptive:
      return std::make_unique<OpenAdaptive>();
    case PagePolicyKind::Open:
      break;
  }
  return std::make_unique<OpenPage>();
}

}  // namespace trine::dram
