#pragma once
// Address mapping policy: which channel, rank, bank group, bank, row and column a byte address
// lands in. Chosen by name from the design point (dram.mapping).
//
// Contract: map() is a bijection between the burst-aligned addresses below the capacity and
// the device coordinates (bytes within a burst share the burst's coordinates); unmap() is its
// inverse. Every mapping puts the channel bits and then the bank-group bits lowest, right
// above the burst offset, so consecutive bursts alternate channels and then bank groups (and
// DDR4 streams pay tCCD_S, not tCCD_L); the name orders the remaining fields, most
// significant first.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/command.hpp"
#include "models/dram/kinds.hpp"
#include "models/dram/spec.hpp"

namespace trine::dram {

class AddressMapping {
 public:
  virtual ~AddressMapping() = default;
  DramAddress map(uint64_t address) const {
    DramAddress a;
    map_into(address, a);
    return a;
  }
  // The same into `out`, where it is to stay (the per-burst path: no copy of a returned value).
  virtual void map_into(uint64_t address, DramAddress& out) const = 0;
  // map(address).channel alone (which controller a burst goes to, before it is mapped there).
  virtual int32_t channel_of(uint64_t address) const { return map(address).channel; }
  virtual uint64_t unmap(const DramAddress& at) const = 0;
};

std::vector<std::string> mapping_names();
// Throws InputError for an unknown name.
std::unique_ptr<AddressMapping> make_mapping(MappingKind kind, const DramSpec& spec);

}  // namespace trine::dram
