#pragma once
// Weight forms: how a layer's integer weight matrix W[rows][cols] is stored in the weight buffer
// and DRAM. rows are output channels (neurons), cols the reduction dimension (inputs, or
// in_channels x kh x kw for a convolution, channel-major). Every form decodes to the same
// int8 matrix, which is what the arithmetic uses; the forms differ in bits and in the decoder
// hardware they need. See docs/tnet.md for the byte layout and docs/methods.md for the methods.
#include <cstdint>
#include <string>
#include <vector>

namespace trine::net {

enum class WeightForm { Dense8, Ternary, NK, ColComb, LowBit };
const char* form_name(WeightForm f);
// Throws InputError listing the valid names.
WeightForm form_from_name(const std::string& name);

struct WeightMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<int8_t> values;  // row-major
  WeightMatrix() = default;
  WeightMatrix(int64_t r, int64_t c) : rows(r), cols(c), values(static_cast<size_t>(r * c), 0) {}
  int8_t at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
  int8_t& at(int64_t r, int64_t c) { return values[static_cast<size_t>(r * cols + c)]; }
  int64_t nonzeros() const;
  bool operator==(const WeightMatrix& o) const {
    return rows == o.rows && cols == o.cols && values == o.values;
  }
};

// Sparse ternary (Faraone et al.): per row, a bit stream of entries. An entry is a zero-run of
// `run_bits` bits followed by a sign bit (1 = -1); an all-ones run is a pad that skips
// 2^run_bits - 1 zeros and carries no weight. Rows start at row_start[r] (bit offsets).
struct TernaryCode {
  int run_bits = 0;
  std::vector<uint64_t> row_start;  // rows + 1 bit offsets into stream
  std::vector<uint8_t> stream;      // LSB-first bit stream
};

// Structured sparse ternary (N,k) codes (Boo & Sung): each group of n consecutive weights of a
// row is one code, an index into a table whose rows are the allowed patterns.
struct NKCode {
  int n = 0, k = 0;
  int64_t table_rows = 0;
  int code_bits = 0;
  std::vector<int8_t> table;   // table_rows x n trits
  std::vector<uint8_t> codes;  // rows x groups codes of code_bits, LSB-first
  int64_t groups_per_row(int64_t cols) const { return (cols + n - 1) / n; }
};

// Column combining (Kung et al.): columns are partitioned into groups of at most `alpha`; each
// (row, group) cell holds one int8 weight and the index, within the group, of its column.
struct ColCombCode {
  int alpha = 0;
  std::vector<std::vector<int32_t>> groups;  // column indices of each group
  std::vector<int8_t> values;                // rows x groups
  std::vector<uint8_t> select;               // rows x groups, index into the group
  int select_bits() const;
};

// Low-bit weights with block sparsity (Yin et al.): the matrix is tiled into block x block
// tiles; a bitmap says which are kept; kept tiles hold `bits`-bit codes (bits = 1: 0 -> -1,
// 1 -> +1; otherwise two's complement in [-(2^(bits-1) - 1), 2^(bits-1) - 1]).
struct LowBitCode {
  int bits = 0, block = 0;
  std::vector<uint8_t> kept;   // bitmap, one bit per tile, row-major, LSB-first
  std::vector<uint8_t> codes;  // kept tiles in order, block x block codes each, LSB-first
  int64_t kept_tiles = 0;
};

struct Weights {
  WeightForm form = WeightForm::Dense8;
  int64_t rows = 0, cols = 0;
  std::vector<int8_t> dense;  // Dense8: rows x cols
  TernaryCode ternary;
  NKCode nk;
  ColCombCode colcomb;
  LowBitCode lowbit;

  WeightMatrix decode() const;
  // Bits the weight memory holds for this layer (codes, indices, tables, pointers), without the
  // file's alignment padding. See docs/tnet.md for what each form counts.
  int64_t storage_bits() const;
  // Bits of decoder state the form needs besides the weight memory: the (N,k) table, which
  // layers with the same table share. 0 for the other forms.
  int64_t table_bits() const;
  int64_t nonzeros() const { return decode().nonzeros(); }
  bool operator==(const Weights& o) const;
};

// Encoders. Each throws InputError if the matrix is not representable in the form.
Weights encode_dense8(const WeightMatrix& w);
// run_bits 0 picks the width that minimises the stream.
Weights encode_ternary(const WeightMatrix& w, int run_bits = 0);
Weights encode_nk(const WeightMatrix& w, int n, int k);
// groups empty: greedy conflict-free grouping, densest column first, first group it fits.
Weights encode_colcomb(const WeightMatrix& w, int alpha,
                       std::vector<std::vector<int32_t>> groups = {});
Weights encode_lowbit(const WeightMatrix& w, int bits, int block);

// How column combining groups a layer's columns; names in enum order (`grouping=` of the
// colcomb method): one list for the method's parameter, the dispatch and the tests.
enum class ColumnGrouping { Merge, FirstFit };
const std::vector<std::string>& column_grouping_names();

// The authors' grouping (Kung et al.'s packing, docs/methods.md): every column with a nonzero
// starts as its own group; merging groups a and b loses nnz(a) + nnz(b) - |rows(a) | rows(b)|
// weights (the rows where both hold one, counted with multiplicity), and is legal when that is
// at most `budget` and the merged group has at most `alpha` columns. The lowest-index group
// with a legal partner merges with the partner with the fewest rows where both are zero (ties:
// the lower index), and so on until no merge is legal. Groups come out ordered by their first
// column, each sorted; all-zero columns then fill groups with room, in order, then new ones.
// A group that has no legal partner never gets one (merges only grow groups), so each group is
// finished in index order: O(groups^2 x rows / 64).
std::vector<std::vector<int32_t>> merge_columns(const std::vector<uint8_t>& nonzero, int64_t rows,
                                                int64_t cols, int alpha, int64_t budget);
// `grouping`'s groups with the conflict budget int(gamma x rows) (merge: weights a group may
// lose; first-fit: conflicting rows when a column joins a group).
std::vector<std::vector<int32_t>> combine_columns(ColumnGrouping grouping,
                                                  const std::vector<uint8_t>& nonzero, int64_t rows,
                                                  int64_t cols, int alpha, double gamma);

// Greedy column grouping (Kung et al.): columns in order of density, densest first (ties: lower
// index), each into the first group with fewer than `alpha` columns whose occupied rows meet the
// column's nonzero rows in at most `max_conflicts` rows, else into a new group. `nonzero` is
// rows x cols, row-major. Each group's columns come back sorted.
std::vector<std::vector<int32_t>> group_columns(const std::vector<uint8_t>& nonzero, int64_t rows,
                                                int64_t cols, int alpha, int64_t max_conflicts);

// The canonical (N,k) table: patterns ordered by nonzero count, then positions
// (lexicographic), then signs (binary, 1 = negative). P(N,k) = sum_i C(N,i) 2^i rows.
std::vector<int8_t> nk_table(int n, int k);
int64_t nk_table_rows(int n, int k);
int bits_for(int64_t values);  // ceil(log2(values)), 0 for values <= 1

// Checks a decoded form's internal consistency (used after reading a file). `what` names the
// payload in messages. Throws InputError.
void validate(const Weights& w, const std::string& what);

}  // namespace trine::net
