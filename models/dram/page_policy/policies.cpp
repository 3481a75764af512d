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
  return {"open", "closed", "adaptive"};
}

std::unique_ptr<PagePolicy> make_page_policy(const std::string& name) {
  if (name == "open") return std::make_unique<OpenPage>();
  if (name == "closed") return std::make_unique<ClosedPage>();
  if (name == "adaptive") return std::make_unique<OpenAdaptive>();
  throw InputError("unknown DRAM page policy '" + name + "'");
}

}  // namespace trine::dram
