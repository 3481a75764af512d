#include "sim/net/weights.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "sim/util/bytes.hpp"
#include "sim/util/error.hpp"

namespace trine::net {

namespace {
const char* kFormNames[] = {"dense8", "ternary", "nk", "colcomb", "lowbit"};

// Fails with an InputError about an encoder's input (not representable in the form).
[[noreturn]] void not_representable(const char* form, const std::string& why) {
  throw InputError(std::string(form) + " weights: " + why);
}

int lowbit_max(int bits) {
  return bits == 1 ? 1 : (1 << (bits - 1)) - 1;
}

Weights shaped_like(WeightForm form, const WeightMatrix& w) {
  Weights out;
  out.form = form;
  out.rows = w.rows;
  out.cols = w.cols;
  return out;
}

// Groups must partition the columns, each with 1..alpha columns; `bad` reports a violation.
template <class Fail>
void check_groups(const std::vector<std::vector<int32_t>>& groups, int64_t cols, int alpha,
                  Fail bad) {
  std::vector<int> seen(static_cast<size_t>(cols), 0);
  for (size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].empty() || static_cast<int>(groups[g].size()) > alpha)
      bad("group " + std::to_string(g) + " has " + std::to_string(groups[g].size()) +
          " columns (alpha " + std::to_string(alpha) + ")");
    for (int32_t c : groups[g])
      if (c < 0 || c >= cols || seen[c]++)
        bad("column " + std::to_string(c) + " is out of range or in two groups");
  }
  for (int64_t c = 0; c < cols; ++c)
    if (!seen[c]) bad("column " + std::to_string(c) + " is in no group");
}
}  // namespace

const char* form_name(WeightForm f) {
  return kFormNames[static_cast<int>(f)];
}

WeightForm form_from_name(const std::string& name) {
  for (int i = 0; i < 5; ++i)
    if (name == kFormNames[i]) return static_cast<WeightForm>(i);
  throw InputError("unknown weight form '" + name +
                   "' (expected dense8, ternary, nk, colcomb or lowbit)");
}

int64_t WeightMatrix::nonzeros() const {
  return std::count_if(values.begin(), values.end(), [](int8_t v) { return v != 0; });
}

int bits_for(int64_t values) {
  int b = 0;
  while ((int64_t{1} << b) < values) ++b;
  return b;
}

int ColCombCode::select_bits() const {
  return bits_for(alpha);
}

// ---- (N,k) table --------------------------------------------------------------------------

int64_t nk_table_rows(int n, int k) {
  int64_t total = 0, choose = 1;  // C(n, i)
  for (int i = 0; i <= k && i <= n; ++i) {
    total += choose * (int64_t{1} << i);
    choose = choose * (n - i) / (i + 1);
  }
  return total;
}

std::vector<int8_t> nk_table(int n, int k) {
  std::vector<int8_t> table;
  for (int count = 0; count <= std::min(n, k); ++count) {
    // positions: lexicographic combinations of `count` out of n
    std::vector<int> pos(count);
    std::iota(pos.begin(), pos.end(), 0);
    while (true) {
      for (int signs = 0; signs < (1 << count); ++signs) {
        std::vector<int8_t> row(n, 0);
        for (int j = 0; j < count; ++j) row[pos[j]] = ((signs >> j) & 1) ? -1 : 1;
        table.insert(table.end(), row.begin(), row.end());
      }
      int j = count - 1;
      while (j >= 0 && pos[j] == n - count + j) --j;
      if (j < 0) break;
      ++pos[j];
      for (int m = j + 1; m < count; ++m) pos[m] = pos[m - 1] + 1;
    }
  }
  return table;
}

// ---- encoders -----------------------------------------------------------------------------

Weights encode_dense8(const WeightMatrix& w) {
  Weights out = shaped_like(WeightForm::Dense8, w);
  out.dense = w.values;
  return out;
}

static void check_ternary(const WeightMatrix& w, const char* form) {
  for (int8_t v : w.values)
    if (v < -1 || v > 1) not_representable(form, "value " + std::to_string(v) + " is not ternary");
}

static TernaryCode ternary_stream(const WeightMatrix& w, int run_bits) {
  TernaryCode code;
  code.run_bits = run_bits;
  BitWriter bw;
  const uint32_t pad = (1u << run_bits) - 1;
  for (int64_t r = 0; r < w.rows; ++r) {
    code.row_start.push_back(bw.bit_count());
    int64_t next = 0;  // first column not yet covered
    for (int64_t c = 0; c < w.cols; ++c) {
      const int8_t v = w.at(r, c);
      if (v == 0) continue;
      int64_t run = c - next;
      while (run >= pad) bw.put(pad, run_bits), run -= pad;
      bw.put(static_cast<uint32_t>(run), run_bits);
      bw.put(v < 0 ? 1 : 0, 1);
      next = c + 1;
    }
  }
  code.row_start.push_back(bw.bit_count());
  code.stream = bw.bytes();
  return code;
}

Weights encode_ternary(const WeightMatrix& w, int run_bits) {
  check_ternary(w, "ternary");
  if (run_bits < 0 || run_bits > 16) not_representable("ternary", "run_bits must be in [1, 16]");
  Weights out = shaped_like(WeightForm::Ternary, w);
  if (run_bits > 0) {
    out.ternary = ternary_stream(w, run_bits);
    return out;
  }
  for (int b = 1; b <= 16; ++b) {
    TernaryCode c = ternary_stream(w, b);
    if (b == 1 || c.row_start.back() < out.ternary.row_start.back()) out.ternary = std::move(c);
  }
  return out;
}

Weights encode_nk(const WeightMatrix& w, int n, int k) {
  if (n < 1 || n > 32 || k < 1 || k > n)
    not_representable(
        "nk", "need 1 <= k <= N <= 32, got N=" + std::to_string(n) + " k=" + std::to_string(k));
  check_ternary(w, "nk");
  Weights out = shaped_like(WeightForm::NK, w);
  NKCode& c = out.nk;
  c.n = n;
  c.k = k;
  c.table = nk_table(n, k);
  c.table_rows = nk_table_rows(n, k);
  c.code_bits = bits_for(c.table_rows);
  std::map<std::vector<int8_t>, uint32_t> index;
  for (int64_t i = 0; i < c.table_rows; ++i)
    index.emplace(std::vector<int8_t>(c.table.begin() + i * n, c.table.begin() + (i + 1) * n),
                  static_cast<uint32_t>(i));
  BitWriter bw;
  const int64_t groups = c.groups_per_row(w.cols);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      std::vector<int8_t> pattern(n, 0);
      for (int j = 0; j < n && g * n + j < w.cols; ++j) pattern[j] = w.at(r, g * n + j);
      auto it = index.find(pattern);
      if (it == index.end())
        not_representable("nk", "row " + std::to_string(r) + " group " + std::to_string(g) +
                                    " has more than " + std::to_string(k) + " nonzeros");
      bw.put(it->second, c.code_bits);
    }
  c.codes = bw.bytes();
  return out;
}

std::vector<std::vector<int32_t>> group_columns(const std::vector<uint8_t>& nonzero, int64_t rows,
                                                int64_t cols, int alpha, int64_t max_conflicts) {
  // Row sets as bitsets: a conflict count is a popcount of an AND.
  const size_t words = static_cast<size_t>((rows + 63) / 64);
  std::vector<uint64_t> colbits(static_cast<size_t>(cols) * words, 0);
  std::vector<int64_t> density(static_cast<size_t>(cols), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      if (nonzero[static_cast<size_t>(r * cols + c)]) {
        colbits[static_cast<size_t>(c) * words + static_cast<size_t>(r / 64)] |= uint64_t{1}
                                                                                 << (r % 64);
        ++density[static_cast<size_t>(c)];
      }
  std::vector<int32_t> order(static_cast<size_t>(cols));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return density[a] > density[b]; });
  std::vector<std::vector<int32_t>> groups;
  std::vector<uint64_t> occupied;  // groups x words
  for (int32_t c : order) {
    const uint64_t* col = &colbits[static_cast<size_t>(c) * words];
    size_t g = 0;
    for (; g < groups.size(); ++g) {
      if (static_cast<int>(groups[g].size()) >= alpha) continue;
      int64_t conflicts = 0;
      const uint64_t* occ = &occupied[g * words];
      for (size_t i = 0; i < words && conflicts <= max_conflicts; ++i)
        conflicts += __builtin_popcountll(occ[i] & col[i]);
      if (conflicts <= max_conflicts) break;
    }
    if (g == groups.size()) {
      groups.emplace_back();
      occupied.resize(occupied.size() + words, 0);
    }
    groups[g].push_back(c);
    for (size_t i = 0; i < words; ++i) occupied[g * words + i] |= col[i];
  }
  for (auto& grp : groups) std::sort(grp.begin(), grp.end());
  return groups;
}

const std::vector<std::string>& column_grouping_names() {
  static const std::vector<std::string> names = {"merge", "first-fit"};
  return names;
}

namespace {

// Groups being merged: each one's columns, nonzero count and occupied rows (a bitset).
struct Packing {
  size_t words;
  std::vector<std::vector<int32_t>> columns;
  std::vector<int64_t> nonzeros;
  std::vector<uint64_t> rows;  // groups x words
  std::vector<bool> alive;
  const uint64_t* occupied(size_t g) const { return &rows[g * words]; }
  int64_t joint(size_t a, size_t b) const {  // |rows(a) | rows(b)|
    int64_t n = 0;
    for (size_t i = 0; i < words; ++i) n += __builtin_popcountll(occupied(a)[i] | occupied(b)[i]);
    return n;
  }
  void merge(size_t a, size_t b) {
    columns[a].insert(columns[a].end(), columns[b].begin(), columns[b].end());
    nonzeros[a] += nonzeros[b];
    for (size_t i = 0; i < words; ++i) rows[a * words + i] |= rows[b * words + i];
    alive[b] = false;
  }
};

Packing single_columns(const std::vector<uint8_t>& nonzero, int64_t rows, int64_t cols,
                       std::vector<int32_t>& empty) {
  Packing p;
  p.words = static_cast<size_t>((rows + 63) / 64);
  std::vector<int64_t> count(static_cast<size_t>(cols), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      count[static_cast<size_t>(c)] += nonzero[static_cast<size_t>(r * cols + c)] != 0;
  std::vector<int64_t> slot(static_cast<size_t>(cols), -1);
  for (int64_t c = 0; c < cols; ++c) {
    if (!count[static_cast<size_t>(c)]) {
      empty.push_back(static_cast<int32_t>(c));
      continue;
    }
    slot[static_cast<size_t>(c)] = static_cast<int64_t>(p.columns.size());
    p.columns.push_back({static_cast<int32_t>(c)});
    p.nonzeros.push_back(count[static_cast<size_t>(c)]);
  }
  p.rows.assign(p.columns.size() * p.words, 0);
  p.alive.assign(p.columns.size(), true);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      if (nonzero[static_cast<size_t>(r * cols + c)])
        p.rows[static_cast<size_t>(slot[static_cast<size_t>(c)]) * p.words +
               static_cast<size_t>(r / 64)] |= uint64_t{1} << (r % 64);
  return p;
}

}  // namespace

std::vector<std::vector<int32_t>> merge_columns(const std::vector<uint8_t>& nonzero, int64_t rows,
                                                int64_t cols, int alpha, int64_t budget) {
  std::vector<int32_t> empty;
  Packing p = single_columns(nonzero, rows, cols, empty);
  for (size_t a = 0; a < p.columns.size(); ++a) {
    if (!p.alive[a]) continue;
    for (;;) {  // a's best legal partner: the largest joint occupancy (fewest empty rows)
      size_t best = a;
      int64_t best_joint = -1;
      for (size_t b = a + 1; b < p.columns.size(); ++b) {
        if (!p.alive[b] || p.columns[a].size() + p.columns[b].size() > static_cast<size_t>(alpha))
          continue;
        const int64_t joint = p.joint(a, b);
        if (p.nonzeros[a] + p.nonzeros[b] - joint <= budget && joint > best_joint)
          best = b, best_joint = joint;
      }
      if (best == a) break;
      p.merge(a, best);
    }
  }
  std::vector<std::vector<int32_t>> groups;
  for (size_t g = 0; g < p.columns.size(); ++g)
    if (p.alive[g]) groups.push_back(std::move(p.columns[g]));
  for (int32_t c : empty) {
    auto room = std::find_if(groups.begin(), groups.end(), [&](const std::vector<int32_t>& g) {
      return g.size() < static_cast<size_t>(alpha);
    });
    if (room == groups.end()) room = groups.insert(groups.end(), std::vector<int32_t>{});
    room->push_back(c);
  }
  for (auto& g : groups) std::sort(g.begin(), g.end());
  return groups;
}

std::vector<std::vector<int32_t>> combine_columns(ColumnGrouping grouping,
                                                  const std::vector<uint8_t>& nonzero, int64_t rows,
                                                  int64_t cols, int alpha, double gamma) {
  const int64_t budget = static_cast<int64_t>(gamma * static_cast<double>(rows));
  return grouping == ColumnGrouping::Merge ? merge_columns(nonzero, rows, cols, alpha, budget)
                                           : group_columns(nonzero, rows, cols, alpha, budget);
}

Weights encode_colcomb(const WeightMatrix& w, int alpha, std::vector<std::vector<int32_t>> groups) {
  if (alpha < 1 || alpha > 256) not_representable("colcomb", "alpha must be in [1, 256]");
  if (groups.empty()) {
    std::vector<uint8_t> nonzero(w.values.size());
    for (size_t i = 0; i < nonzero.size(); ++i) nonzero[i] = w.values[i] != 0;
    groups = group_columns(nonzero, w.rows, w.cols, alpha, 0);
  }
  Weights out = shaped_like(WeightForm::ColComb, w);
  ColCombCode& cc = out.colcomb;
  cc.alpha = alpha;
  cc.groups = std::move(groups);
  const int64_t G = static_cast<int64_t>(cc.groups.size());
  cc.values.assign(static_cast<size_t>(w.rows * G), 0);
  cc.select.assign(static_cast<size_t>(w.rows * G), 0);
  check_groups(cc.groups, w.cols, alpha,
               [](const std::string& why) { not_representable("colcomb", why); });
  for (int64_t g = 0; g < G; ++g) {
    const auto& cols = cc.groups[g];
    for (int64_t r = 0; r < w.rows; ++r)
      for (size_t j = 0; j < cols.size(); ++j) {
        const int8_t v = w.at(r, cols[j]);
        if (v == 0) continue;
        const size_t at = static_cast<size_t>(r * G + g);
        if (cc.values[at] != 0)
          not_representable("colcomb", "row " + std::to_string(r) + " has two weights in group " +
                                           std::to_string(g));
        cc.values[at] = v;
        cc.select[at] = static_cast<uint8_t>(j);
      }
  }
  return out;
}

Weights encode_lowbit(const WeightMatrix& w, int bits, int block) {
  if (bits < 1 || bits > 8) not_representable("lowbit", "bits must be in [1, 8]");
  if (block < 1 || block > 256) not_representable("lowbit", "block must be in [1, 256]");
  Weights out = shaped_like(WeightForm::LowBit, w);
  LowBitCode& lb = out.lowbit;
  lb.bits = bits;
  lb.block = block;
  const int64_t br = (w.rows + block - 1) / block, bc = (w.cols + block - 1) / block;
  const int hi = lowbit_max(bits);
  BitWriter kept, codes;
  for (int64_t i = 0; i < br; ++i)
    for (int64_t j = 0; j < bc; ++j) {
      bool any = false;
      for (int64_t r = i * block; r < std::min(w.rows, (i + 1) * block); ++r)
        for (int64_t c = j * block; c < std::min(w.cols, (j + 1) * block); ++c)
          any |= w.at(r, c) != 0;
      kept.put(any ? 1 : 0, 1);
      if (!any) continue;
      ++lb.kept_tiles;
      for (int64_t r = i * block; r < (i + 1) * block; ++r)
        for (int64_t c = j * block; c < (j + 1) * block; ++c) {
          const bool inside = r < w.rows && c < w.cols;
          const int v = inside ? w.at(r, c) : 0;
          if (inside && (v < -hi || v > hi || (bits == 1 && v == 0)))
            not_representable("lowbit", "value " + std::to_string(v) + " at (" + std::to_string(r) +
                                            ", " + std::to_string(c) + ") is not a " +
                                            std::to_string(bits) + "-bit code of a kept block");
          const uint32_t code =
              bits == 1 ? (v > 0 ? 1u : 0u) : static_cast<uint32_t>(v) & ((1u << bits) - 1);
          codes.put(code, bits);
        }
    }
  lb.kept = kept.bytes();
  lb.codes = codes.bytes();
  return out;
}

// ---- decoding -----------------------------------------------------------------------------

WeightMatrix Weights::decode() const {
  WeightMatrix m(rows, cols);
  switch (form) {
    case WeightForm::Dense8:
      m.values = dense;
      break;
    case WeightForm::Ternary: {
      const uint32_t pad = (1u << ternary.run_bits) - 1;
      for (int64_t r = 0; r < rows; ++r) {
        BitReader br(ternary.stream, ternary.row_start[r]);
        int64_t c = 0;
        while (br.position() < ternary.row_start[r + 1]) {
          const uint32_t run = br.get(ternary.run_bits);
          c += run;
          if (run == pad) continue;
          const bool negative = br.get(1);
          m.at(r, c) = negative ? -1 : 1;
          ++c;
        }
      }
      break;
    }
    case WeightForm::NK: {
      BitReader br(nk.codes);
      const int64_t groups = nk.groups_per_row(cols);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t g = 0; g < groups; ++g) {
          const uint32_t code = br.get(nk.code_bits);
          for (int j = 0; j < nk.n && g * nk.n + j < cols; ++j)
            m.at(r, g * nk.n + j) = nk.table[code * nk.n + j];
        }
      break;
    }
    case WeightForm::ColComb: {
      const int64_t G = static_cast<int64_t>(colcomb.groups.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t g = 0; g < G; ++g) {
          const size_t at = static_cast<size_t>(r * G + g);
          if (colcomb.values[at] != 0)
            m.at(r, colcomb.groups[g][colcomb.select[at]]) = colcomb.values[at];
        }
      break;
    }
    case WeightForm::LowBit: {
      const int b = lowbit.block, bits = lowbit.bits;
      const int64_t br = (rows + b - 1) / b, bc = (cols + b - 1) / b;
      BitReader kept(lowbit.kept), codes(lowbit.codes);
      for (int64_t i = 0; i < br; ++i)
        for (int64_t j = 0; j < bc; ++j) {
          if (!kept.get(1)) continue;
          for (int64_t r = i * b; r < (i + 1) * b; ++r)
            for (int64_t c = j * b; c < (j + 1) * b; ++c) {
              const uint32_t code = codes.get(bits);
              if (r >= rows || c >= cols) continue;
              int v;
              if (bits == 1)
                v = code ? 1 : -1;
              else
                v = (code & (1u << (bits - 1))) ? static_cast<int>(code) - (1 << bits)
                                                : static_cast<int>(code);
              m.at(r, c) = static_cast<int8_t>(v);
            }
        }
      break;
    }
  }
  return m;
}

int64_t Weights::storage_bits() const {
  switch (form) {
    case WeightForm::Dense8:
      return 8 * rows * cols;
    case WeightForm::Ternary: {
      // The stream plus a row pointer per row, each as wide as the stream's length needs.
      const int64_t stream_bits = static_cast<int64_t>(ternary.row_start.back());
      return stream_bits + rows * bits_for(stream_bits + 1);
    }
    case WeightForm::NK:
      return rows * nk.groups_per_row(cols) * nk.code_bits;  // the table is table_bits()
    case WeightForm::ColComb: {
      // Packed weights with their channel-select index, plus the column list of the groups.
      const int64_t G = static_cast<int64_t>(colcomb.groups.size());
      return rows * G * (8 + colcomb.select_bits()) + cols * bits_for(cols);
    }
    case WeightForm::LowBit: {
      const int64_t b = lowbit.block;
      const int64_t tiles = ((rows + b - 1) / b) * ((cols + b - 1) / b);
      return lowbit.kept_tiles * b * b * lowbit.bits + tiles;
    }
  }
  return 0;
}

int64_t Weights::table_bits() const {
  return form == WeightForm::NK ? nk.table_rows * nk.n * 2 : 0;  // 2 bits per trit
}

bool Weights::operator==(const Weights& o) const {
  if (form != o.form || rows != o.rows || cols != o.cols) return false;
  switch (form) {
    case WeightForm::Dense8:
      return dense == o.dense;
    case WeightForm::Ternary:
      return ternary.run_bits == o.ternary.run_bits && ternary.row_start == o.ternary.row_start &&
             ternary.stream == o.ternary.stream;
    case WeightForm::NK:
      return nk.n == o.nk.n && nk.k == o.nk.k && nk.table == o.nk.table && nk.codes == o.nk.codes;
    case WeightForm::ColComb:
      return colcomb.alpha == o.colcomb.alpha && colcomb.groups == o.colcomb.groups &&
             colcomb.values == o.colcomb.values && colcomb.select == o.colcomb.select;
    case WeightForm::LowBit:
      return lowbit.bits == o.lowbit.bits && lowbit.block == o.lowbit.block &&
             lowbit.kept == o.lowbit.kept && lowbit.codes == o.lowbit.codes;
  }
  return false;
}

// ---- validation of what a file holds ------------------------------------------------------

void validate(const Weights& w, const std::string& what) {
  auto bad = [&](const std::string& msg) { throw InputError(what, msg); };
  switch (w.form) {
    case WeightForm::Dense8:
      if (static_cast<int64_t>(w.dense.size()) != w.rows * w.cols) bad("wrong number of weights");
      break;
    case WeightForm::Ternary: {
      const TernaryCode& t = w.ternary;
      const uint32_t pad = (1u << t.run_bits) - 1;
      for (int64_t r = 0; r < w.rows; ++r) {
        if (t.row_start[r + 1] < t.row_start[r]) bad("row pointers are not increasing");
        if (t.row_start[r + 1] > t.stream.size() * 8) bad("row pointer beyond the stream");
        BitReader br(t.stream, t.row_start[r]);
        int64_t c = 0;
        while (br.position() < t.row_start[r + 1]) {
          if (br.position() + t.run_bits > t.row_start[r + 1])
            bad("row " + std::to_string(r) + " ends inside an entry");
          const uint32_t run = br.get(t.run_bits);
          c += run;
          if (run == pad) continue;
          if (br.position() + 1 > t.row_start[r + 1])
            bad("row " + std::to_string(r) + " ends inside an entry");
          br.get(1);
          if (c >= w.cols)
            bad("row " + std::to_string(r) + " has a weight beyond column " +
                std::to_string(w.cols - 1));
          ++c;
        }
      }
      break;
    }
    case WeightForm::NK: {
      const NKCode& c = w.nk;
      if (c.table_rows > (int64_t{1} << c.code_bits))
        bad("table has more rows than codes can index");
      for (int64_t i = 0; i < c.table_rows; ++i) {
        int nonzero = 0;
        for (int j = 0; j < c.n; ++j) {
          const int8_t v = c.table[i * c.n + j];
          if (v < -1 || v > 1) bad("table row " + std::to_string(i) + " holds a non-ternary value");
          nonzero += v != 0;
        }
        if (nonzero > c.k) bad("table row " + std::to_string(i) + " has more than k nonzeros");
      }
      BitReader br(c.codes);
      const int64_t groups = c.groups_per_row(w.cols);
      for (int64_t r = 0; r < w.rows; ++r)
        for (int64_t g = 0; g < groups; ++g) {
          const uint32_t code = br.get(c.code_bits);
          if (code >= c.table_rows) bad("code " + std::to_string(code) + " beyond the table");
          for (int j = 0; j < c.n; ++j)
            if (g * c.n + j >= w.cols && c.table[code * c.n + j] != 0)
              bad("row " + std::to_string(r) + ": a padding position of the last group is nonzero");
        }
      break;
    }
    case WeightForm::ColComb: {
      const ColCombCode& cc = w.colcomb;
      check_groups(cc.groups, w.cols, cc.alpha, bad);
      const size_t G = cc.groups.size();
      for (size_t i = 0; i < cc.select.size(); ++i)
        if (cc.select[i] >= cc.groups[i % G].size()) bad("select index beyond its group");
      break;
    }
    case WeightForm::LowBit: {
      const LowBitCode& lb = w.lowbit;
      const int64_t b = lb.block;
      const int64_t tiles = ((w.rows + b - 1) / b) * ((w.cols + b - 1) / b);
      BitReader kept(lb.kept);
      int64_t count = 0;
      for (int64_t i = 0; i < tiles; ++i) count += kept.get(1);
      if (count != lb.kept_tiles) bad("block bitmap does not match the kept block count");
      if (lb.bits >= 2) {  // the most negative code is not a value of a symmetric k-bit code
        BitReader codes(lb.codes);
        for (int64_t i = 0; i < lb.kept_tiles * b * b; ++i)
          if (codes.get(lb.bits) == (1u << (lb.bits - 1))) bad("code -2^(bits-1) is not allowed");
      }
      break;
    }
  }
}

}  // namespace trine::net
