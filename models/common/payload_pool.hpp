#pragma once
// Reusable generic payloads for an AT initiator with several transactions in flight: each
// carries its own data area and a tag of the owner's (what the transaction belongs to), and a
// payload's extension array and data are allocated once, not per transaction.
#include <tlm>

#include <cstdint>
#include <memory>
#include <vector>

#include "models/common/timing_only.hpp"

namespace trine::models {

template <class Tag>
class PayloadPool {
 public:
  struct Slot {
    tlm::tlm_generic_payload payload;
    std::vector<unsigned char> data;
    Tag tag{};
  };

 private:
  // Carried by every payload of the pool: its slot, found without a search when it returns.
  struct Owner : tlm::tlm_extension<Owner> {
    Owner(const PayloadPool* p, Slot* s) : pool(p), slot(s) {}
    tlm::tlm_extension_base* clone() const override { return new Owner(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
      *this = static_cast<const Owner&>(e);
    }
    const PayloadPool* pool;
    Slot* slot;
  };

 public:
  // `timing_only`: mark every payload TimingOnly (timing_only.hpp).
  explicit PayloadPool(unsigned max_bytes, bool timing_only = false)
      : max_bytes_(max_bytes), timing_only_(timing_only) {}

  // A free payload set up for a `len`-byte read or write at `addr` (at most max_bytes): no
  // byte enables, no DMI, response incomplete.
  Slot& acquire(bool write, uint64_t addr, unsigned len) {
    if (free_.empty()) {
      slots_.push_back(std::make_unique<Slot>());
      slots_.back()->data.assign(max_bytes_, 0);
      // (Extensions are freed with the payload.)
      if (timing_only_) slots_.back()->payload.set_extension(new TimingOnly);
      slots_.back()->payload.set_extension(new Owner(this, slots_.back().get()));
      free_.push_back(slots_.back().get());
    }
    Slot& s = *free_.back();
    free_.pop_back();
    tlm::tlm_generic_payload& p = s.payload;
    p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(s.data.data());
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_byte_enable_ptr(nullptr);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    return s;
  }
  // The slot of a payload this pool handed out, now free again (nullptr if not the pool's).
  Slot* release(const tlm::tlm_generic_payload& p) {
    const Owner* o = p.get_extension<Owner>();
    if (o == nullptr || o->pool != this) return nullptr;
    free_.push_back(o->slot);
    return o->slot;
  }

 private:
  unsigned max_bytes_;
  bool timing_only_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_;
};

}  // namespace trine::models
