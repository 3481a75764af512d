#include <catch2/catch.hpp>

#include <random>

#include "sim/net/weights.hpp"
#include "sim/util/error.hpp"
#include "tests/support/builders.hpp"

using namespace trine;
using net::WeightForm;

static const WeightForm kForms[] = {WeightForm::Dense8, WeightForm::Ternary, WeightForm::NK,
                                    WeightForm::ColComb, WeightForm::LowBit};

TEST_CASE("every weight form decodes back to the matrix it encoded", "[weights]") {
  std::mt19937 rng(7);
  for (WeightForm form : kForms)
    for (auto [rows, cols] : {std::pair{1, 1}, {3, 7}, {16, 64}, {10, 37}, {5, 200}}) {
      INFO(net::form_name(form) << " " << rows << "x" << cols);
      const net::WeightMatrix w = testing::random_matrix(form, rows, cols, rng);
      const net::Weights enc = testing::encode_as(form, w);
      CHECK(enc.decode() == w);
      CHECK_NOTHROW(net::validate(enc, "test"));
    }
}

TEST_CASE("(N,k) table: P(N,k) rows, canonical order, at most k nonzeros", "[weights]") {
  CHECK(net::nk_table_rows(8, 2) == 129);
  CHECK(net::nk_table_rows(4, 1) == 9);
  CHECK(net::nk_table_rows(3, 3) == 27);
  const auto t = net::nk_table(8, 2);
  REQUIRE(t.size() == 129u * 8);
  for (int j = 0; j < 8; ++j) CHECK(t[j] == 0);  // row 0: all zero
  CHECK(t[8] == 1);                              // row 1: +1 at position 0
  CHECK(t[16] == -1);                            // row 2: -1 at position 0
  CHECK(t[24 + 1] == 1);                         // row 3: +1 at position 1
  CHECK(net::bits_for(129) == 8);
  // (8,2) stores 8 bits per 8 weights: 1 bit per weight (plus the shared table).
  std::mt19937 rng(1);
  const auto w = testing::random_matrix(WeightForm::NK, 64, 256, rng);
  const auto enc = net::encode_nk(w, 8, 2);
  CHECK(enc.storage_bits() == 64 * 256);
  CHECK(enc.table_bits() == 129 * 8 * 2);
  CHECK(enc.nk.codes.size() == 64u * 256 / 8);
}

TEST_CASE("(N,k) encoding rejects groups with more than k nonzeros", "[weights]") {
  net::WeightMatrix w(1, 8);
  w.at(0, 0) = w.at(0, 3) = w.at(0, 5) = 1;
  CHECK_THROWS_WITH(net::encode_nk(w, 8, 2), "nk weights: row 0 group 0 has more than 2 nonzeros");
  CHECK_NOTHROW(net::encode_nk(w, 8, 3));
}

TEST_CASE("sparse ternary: run-length entries, pads for long runs, optimal run width",
          "[weights]") {
  net::WeightMatrix w(2, 40);
  w.at(0, 0) = 1;
  w.at(0, 39) = -1;  // a 38-zero run
  w.at(1, 5) = -1;
  const auto enc = net::encode_ternary(w, 3);  // pads skip 7 zeros
  // row 0: entry(0)+, then 38 zeros = 5 pads (35) + entry(3)-; row 1: entry(5)-
  CHECK(enc.ternary.row_start == std::vector<uint64_t>{0, 4 + 5 * 3 + 4, 4 + 5 * 3 + 4 + 4});
  CHECK(enc.decode() == w);
  const auto best = net::encode_ternary(w);
  CHECK(best.ternary.row_start.back() <= enc.ternary.row_start.back());
  CHECK(best.decode() == w);
  w.at(1, 1) = 2;
  CHECK_THROWS_WITH(net::encode_ternary(w), "ternary weights: value 2 is not ternary");
}

TEST_CASE("column combining: at most one weight per row and group, groups of at most alpha",
          "[weights]") {
  std::mt19937 rng(3);
  const auto w = testing::random_matrix(WeightForm::ColComb, 32, 64, rng);
  for (int alpha : {1, 2, 4, 8}) {
    const auto enc = net::encode_colcomb(w, alpha);
    for (const auto& g : enc.colcomb.groups) CHECK(static_cast<int>(g.size()) <= alpha);
    CHECK(enc.decode() == w);
    if (alpha == 1) CHECK(enc.colcomb.groups.size() == 64u);
    if (alpha == 8) CHECK(enc.colcomb.groups.size() < 32u);  // combining packs columns
  }
  net::WeightMatrix c(2, 2);
  c.at(0, 0) = c.at(0, 1) = 5;
  CHECK_THROWS_WITH(net::encode_colcomb(c, 2, {{0, 1}}),
                    "colcomb weights: row 0 has two weights in group 0");
  CHECK(net::encode_colcomb(c, 2).colcomb.groups.size() == 2u);  // greedy avoids the conflict
}

TEST_CASE("low-bit blocks: kept blocks hold k-bit codes, dropped blocks are all zero",
          "[weights]") {
  net::WeightMatrix w(8, 8);
  w.at(0, 0) = -3;
  w.at(7, 7) = 3;
  const auto enc = net::encode_lowbit(w, 3, 4);
  CHECK(enc.lowbit.kept_tiles == 2);
  CHECK(enc.storage_bits() == 2 * 16 * 3 + 4);
  CHECK(enc.decode() == w);
  w.at(0, 1) = 4;
  CHECK_THROWS_WITH(net::encode_lowbit(w, 3, 4),
                    "lowbit weights: value 4 at (0, 1) is not a 3-bit code of a kept block");
  // Binary (k = 1): kept blocks are +-1 everywhere, so a zero inside one is not representable.
  net::WeightMatrix b(2, 2);
  b.at(0, 0) = 1;
  CHECK_THROWS(net::encode_lowbit(b, 1, 2));
  b.at(0, 1) = b.at(1, 0) = -1;
  b.at(1, 1) = 1;
  CHECK(net::encode_lowbit(b, 1, 2).decode() == b);
}

TEST_CASE("merge grouping: the partner with the fewest jointly empty rows wins", "[weights]") {
  using G = std::vector<std::vector<int32_t>>;
  // Rows of columns 0, 1, 2: {0}, {1}, {1, 2}. Group 0's legal partners: 1 (2 rows occupied
  // together, 2 empty) and 2 (3 occupied, 1 empty): 2 wins though 1 has the lower index; then
  // 1 conflicts with {0, 2} in row 1 and stays alone. First-fit (densest first) pairs 2 and 0
  // too, but from column 2's side.
  const std::vector<uint8_t> nz = {1, 0, 0,  //
                                   0, 1, 1,  //
                                   0, 0, 1,  //
                                   0, 0, 0};
  CHECK(net::merge_columns(nz, 4, 3, 4, 0) == G{{0, 2}, {1}});
  // Ties go to the lower index: columns 1 and 2 both fill row 0's group equally.
  const std::vector<uint8_t> tie = {1, 0, 0,  //
                                    0, 1, 0,  //
                                    0, 0, 1};
  CHECK(net::merge_columns(tie, 3, 3, 2, 0) == G{{0, 1}, {2}});
}

TEST_CASE("merge grouping: the budget counts every weight a group loses", "[weights]") {
  using G = std::vector<std::vector<int32_t>>;
  // Columns 0 and 1 both in rows 0 and 1 (merging them loses 2 weights), column 2 in row 2.
  const std::vector<uint8_t> nz = {1, 1, 0,  //
                                   1, 1, 0,  //
                                   0, 0, 1,  //
                                   0, 0, 0};
  // Budget 1: {0, 1} is refused, {0, 2} merges; then 1 would cost 3 + 2 - 3 = 2: refused.
  CHECK(net::merge_columns(nz, 4, 3, 4, 1) == G{{0, 2}, {1}});
  // Budget 2: 2 is still the better partner first, then 1 joins within the budget.
  CHECK(net::merge_columns(nz, 4, 3, 4, 2) == G{{0, 1, 2}});
  // Earlier conflicts count: three columns in row 0 only, budget 1: {0, 1} loses one weight,
  // adding 2 would make it two.
  const std::vector<uint8_t> row0 = {1, 1, 1,  //
                                     0, 0, 0};
  CHECK(net::merge_columns(row0, 2, 3, 4, 1) == G{{0, 1}, {2}});
  // gamma x rows, truncated, is the budget: 0.5 x 4 = 2; 0.49 x 4 = 1.96 -> 1.
  CHECK(net::combine_columns(net::ColumnGrouping::Merge, nz, 4, 3, 4, 0.5) == G{{0, 1, 2}});
  CHECK(net::combine_columns(net::ColumnGrouping::Merge, nz, 4, 3, 4, 0.49) == G{{0, 2}, {1}});
  CHECK(net::combine_columns(net::ColumnGrouping::FirstFit, nz, 4, 3, 4, 0.5) ==
        net::group_columns(nz, 4, 3, 4, 2));
}

TEST_CASE("merge grouping: alpha bounds a group, all-zero columns fill groups with room",
          "[weights]") {
  using G = std::vector<std::vector<int32_t>>;
  const std::vector<uint8_t> nz = {1, 0, 0, 0, 0,  //
                                   0, 0, 1, 0, 1};
  // 0 and 2 fill a group of two (2 and 4 tie as partners: the lower index); 4 cannot join it
  // (alpha) and stays alone; then the all-zero column 1 fills the first group with room ({4}),
  // and 3 a new one.
  CHECK(net::merge_columns(nz, 2, 5, 2, 0) == G{{0, 2}, {1, 4}, {3}});
  CHECK(net::merge_columns(nz, 2, 5, 1, 0) == G{{0}, {2}, {4}, {1}, {3}});
}

TEST_CASE("column grouping: densest first, alpha, conflicts allowed up to a limit", "[weights]") {
  // 4 rows x 4 columns; column 0 dense in rows 0-1, 1 in row 2, 2 in rows 0 and 3, 3 in row 1.
  const std::vector<uint8_t> nz = {1, 0, 1, 0,  //
                                   1, 0, 0, 1,  //
                                   0, 1, 0, 0,  //
                                   0, 0, 1, 0};
  using G = std::vector<std::vector<int32_t>>;
  // Without conflicts: 0 starts a group; 2 conflicts with 0 (row 0) -> new group; 1 joins 0;
  // 3 conflicts with {0,1} (row 1) -> joins {2}.
  CHECK(net::group_columns(nz, 4, 4, 4, 0) == G{{0, 1}, {2, 3}});
  CHECK(net::group_columns(nz, 4, 4, 1, 0) == G{{0}, {2}, {1}, {3}});
  // One conflict allowed: everything fits in one group of four.
  CHECK(net::group_columns(nz, 4, 4, 4, 1) == G{{0, 1, 2, 3}});
}
