// The mappings as bit fields: each coordinate takes log2(count) address bits, in an order
// fixed by the mapping's name.
#include <array>
#include <utility>

#include "models/dram/mapping/mapping.hpp"
#include "sim/util/error.hpp"

namespace trine::dram {

namespace {

enum class Field { Channel, Group, Bank, Rank, Row, Column };

int log2_exact(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

class BitFieldMapping : public AddressMapping {
 public:
  // `order`: fields from least to most significant, above the burst offset.
  BitFieldMapping(const DramSpec& s, const std::vector<Field>& order)
      : offset_bits_(log2_exact(s.burst_bytes)) {
    int shift = offset_bits_;
    for (Field f : order) {
      const int bits = log2_exact(count(s, f));
      fields_.push_back({f, bits});
      shift_[static_cast<size_t>(f)] = shift;
      mask_[static_cast<size_t>(f)] = (uint64_t{1} << bits) - 1;
      shift += bits;
    }
  }

  // Straight-line extraction: this runs once per burst.
  void map_into(uint64_t address, DramAddress& a) const override {
    auto field = [&](Field f) {
      return static_cast<int64_t>(address >> shift_[static_cast<size_t>(f)] &
                                  mask_[static_cast<size_t>(f)]);
    };
    a.channel = static_cast<int32_t>(field(Field::Channel));
    a.group = static_cast<int32_t>(field(Field::Group));
    a.bank = static_cast<int32_t>(field(Field::Bank));
    a.rank = static_cast<int32_t>(field(Field::Rank));
    a.row = field(Field::Row);
    a.column = field(Field::Column);
  }

  int32_t channel_of(uint64_t address) const override {
    const size_t f = static_cast<size_t>(Field::Channel);
    return static_cast<int32_t>(address >> shift_[f] & mask_[f]);
  }

  uint64_t unmap(const DramAddress& a) const override {
    uint64_t address = 0;
    int shift = offset_bits_;
    for (const auto& [f, bits] : fields_) {
      address |= static_cast<uint64_t>(get(a, f)) << shift;
      shift += bits;
    }
    return address;
  }

 private:
  static int64_t count(const DramSpec& s, Field f) {
    switch (f) {
      case Field::Channel:
        return s.org.channels;
      case Field::Group:
        return s.org.bank_groups;
      case Field::Bank:
        return s.org.banks_per_group;
      case Field::Rank:
        return s.org.ranks;
      case Field::Row:
        return s.org.rows;
      case Field::Column:
        return s.bursts_per_row;
    }
    return 1;
  }
  static int64_t get(const DramAddress& a, Field f) {
    switch (f) {
      case Field::Channel:
        return a.channel;
      case Field::Group:
        return a.group;
      case Field::Bank:
        return a.bank;
      case Field::Rank:
        return a.rank;
      case Field::Row:
        return a.row;
      case Field::Column:
        return a.column;
    }
    return 0;
  }

  int offset_bits_;
  std::vector<std::pair<Field, int>> fields_;  // least significant first
  std::array<int, 6> shift_{};                 // by Field: where it starts in the address
  std::array<uint64_t, 6> mask_{};
};

using F = Field;
// Least significant first; channel and bank group always lowest (see the contract).
const std::vector<Field>& order_of(MappingKind kind) {
  // A row's bursts stay in one bank (per bank group): streams are row hits.
  static const std::vector<Field> row_bank_col = {F::Channel, F::Group, F::Column,
                                                  F::Bank,    F::Rank,  F::Row};
  // Each bank owns one contiguous region: independent streams land in different banks.
  static const std::vector<Field> bank_row_col = {F::Channel, F::Group, F::Column,
                                                  F::Row,     F::Bank,  F::Rank};
  // Consecutive bursts spread over all banks: most bank parallelism, rows opened in all.
  static const std::vector<Field> row_col_bank = {F::Channel, F::Group,  F::Bank,
                                                  F::Rank,    F::Column, F::Row};
  switch (kind) {
    case MappingKind::BankRowCol:
      return bank_row_col;
    case MappingKind::RowColBank:
      return row_col_bank;
    case MappingKind::RowBankCol:
      break;
  }
  return row_bank_col;
}

}  // namespace

std::vector<std::string> mapping_names() {
  return models::names_of(kMappings);
}

std::unique_ptr<AddressMapping> make_mapping(MappingKind kind, const DramSpec& spec) {
  return std::make_unique<BitFieldMapping>(spec, order_of(kind));
}

}  // namespace trine::dram
