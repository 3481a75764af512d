#include "sim/cost/sram_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "sim/config/yaml_util.hpp"
#include "sim/util/error.hpp"

namespace trine::cost {

namespace {

constexpr const char* kColumns[] = {"cell_type", "capacity_kib",   "word_bits",       "banks",
                                    "ports",     "read_energy_pj", "write_energy_pj", "leakage_mw",
                                    "area_mm2",  "access_time_ns"};
constexpr int kColumnCount = 10;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) {
    const size_t a = field.find_first_not_of(" \t\r");
    const size_t b = field.find_last_not_of(" \t\r");
    out.push_back(a == std::string::npos ? "" : field.substr(a, b - a + 1));
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

double number(const std::string& text, const std::string& where) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
    throw InputError(where + "expected a number >= 0, got '" + text + "'");
  return v;
}

// "512 B", "16 KiB", "4 MiB": the design point's way of writing sizes.
std::string kib_text(double kib) {
  return yaml::bytes_text(std::llround(kib * 1024));
}

// The two grid values around `x` (equal when x is one), or false outside.
bool bracket(const std::vector<double>& grid, double x, double& lo, double& hi) {
  if (grid.empty() || x < grid.front() || x > grid.back()) return false;
  const auto it = std::lower_bound(grid.begin(), grid.end(), x);
  hi = *it;
  lo = (*it == x || it == grid.begin()) ? *it : *(it - 1);
  return true;
}

double lerp(double a, double b, double t) {
  return a + (b - a) * t;
}

}  // namespace

SramTable SramTable::parse(const std::string& text, const std::string& file) {
  SramTable t;
  t.file_ = file;
  std::istringstream in(text);
  std::string line;
  int number_of_line = 0;
  int column[kColumnCount];
  // One-bank points seen, so that a repeat is found in log time (a table may be 16 MiB).
  std::set<std::tuple<std::string, double, double, int>> points;
  bool header = false;
  size_t header_fields = 0;
  while (std::getline(in, line)) {
    ++number_of_line;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const std::vector<std::string> f = split(line);
    const std::string at = file + ":" + std::to_string(number_of_line) + ": ";
    if (!header) {
      for (int c = 0; c < kColumnCount; ++c) {
        const auto it = std::find(f.begin(), f.end(), kColumns[c]);
        if (it == f.end()) throw InputError(at + "the header has no column '" + kColumns[c] + "'");
        column[c] = static_cast<int>(it - f.begin());
      }
      header = true;
      header_fields = f.size();
      continue;
    }
    if (f.size() != header_fields)
      throw InputError(at + "expected as many fields as the header, got " +
                       std::to_string(f.size()));
    auto num = [&](int c) { return number(f[column[c]], at + kColumns[c] + ": "); };
    Row r;
    r.cell = f[column[0]];
    r.kib = num(1);
    r.word_bits = num(2);
    const double banks = num(3);
    if (banks != std::floor(banks) || banks < 1 || banks > 4096)
      throw InputError(at + "banks: expected a whole number in [1, 4096], got '" + f[column[3]] +
                       "'");
    r.banks = static_cast<int>(banks);
    const std::string& ports = f[column[4]];
    if (ports != "1RW" && ports != "1R1W")
      throw InputError(at + "ports: expected 1RW or 1R1W, got '" + ports + "'");
    r.ports = ports == "1RW" ? 1 : 2;
    r.read_pj = num(5);
    r.write_pj = num(6);
    r.leakage_mw = num(7);
    r.area_mm2 = num(8);
    r.access_ns = num(9);
    if (r.cell.empty() || !(r.kib > 0) || !(r.word_bits > 0) || r.kib > 1 << 30 ||
        r.word_bits > 1 << 20)
      throw InputError(at +
                       "a row needs a cell type, a capacity in (0, 2^30] KiB and a word width "
                       "in (0, 2^20] bits");
    if (r.banks == 1 && !points.emplace(r.cell, r.kib, r.word_bits, r.ports).second)
      throw InputError(at + "repeats the point " + r.cell + ", " + kib_text(r.kib) + ", " +
                       std::to_string(static_cast<int>(r.word_bits)) + "-bit words");
    t.rows_.push_back(r);
  }
  if (!header || t.rows_.empty())
    throw InputError(file + ": an SRAM table needs a header and rows");
  return t;
}

const SramTable::Row* SramTable::find(const std::string& cell, double kib, double word_bits,
                                      int ports) const {
  for (const Row& r : rows_)
    if (r.banks == 1 && r.ports == ports && r.cell == cell && r.kib == kib &&
        r.word_bits == word_bits)
      return &r;
  return nullptr;
}

bool SramTable::has_cell(const std::string& cell) const {
  return std::any_of(rows_.begin(), rows_.end(), [&](const Row& r) { return r.cell == cell; });
}

std::string SramTable::range(const std::string& cell, int ports) const {
  double kib_lo = 1e300, kib_hi = 0, bits_lo = 1e300, bits_hi = 0;
  for (const Row& r : rows_) {
    if (r.banks != 1 || r.ports != ports || r.cell != cell) continue;
    kib_lo = std::min(kib_lo, r.kib);
    kib_hi = std::max(kib_hi, r.kib);
    bits_lo = std::min(bits_lo, r.word_bits);
    bits_hi = std::max(bits_hi, r.word_bits);
  }
  const std::string port_text = ports == 1 ? "one read-write port" : "one read and one write port";
  if (kib_hi == 0) return "no " + cell + " macros with " + port_text;
  std::ostringstream s;
  s << kib_text(kib_lo) << " to " << kib_text(kib_hi) << " per bank, " << bits_lo;
  if (bits_hi > bits_lo) s << " to " << bits_hi;
  s << "-bit words, " << port_text;
  return s.str();
}

SramMacro SramTable::macro(const std::string& cell, double bytes, double word_bits,
                           int ports) const {
  std::vector<double> kibs, widths;
  for (const Row& r : rows_) {
    if (r.banks != 1 || r.ports != ports || r.cell != cell) continue;
    kibs.push_back(r.kib);
    widths.push_back(r.word_bits);
  }
  for (auto* g : {&kibs, &widths}) {
    std::sort(g->begin(), g->end());
    g->erase(std::unique(g->begin(), g->end()), g->end());
  }
  const double kib = bytes / 1024.0;
  double k0 = 0, k1 = 0, w0 = 0, w1 = 0;
  const std::string outside = "outside the SRAM table " + file_ + " (" + range(cell, ports) + ")";
  if (!bracket(kibs, kib, k0, k1) || !bracket(widths, word_bits, w0, w1))
    throw std::out_of_range(outside);
  const Row* c[4] = {find(cell, k0, w0, ports), find(cell, k1, w0, ports),
                     find(cell, k0, w1, ports), find(cell, k1, w1, ports)};
  for (const Row* r : c)
    if (!r) throw std::out_of_range(outside + ": the table lacks a point around it");
  const double tk = k1 > k0 ? std::log2(kib / k0) / std::log2(k1 / k0) : 0.0;
  const double tw = w1 > w0 ? (word_bits - w0) / (w1 - w0) : 0.0;
  auto at = [&](double Row::*field) {
    return lerp(lerp(c[0]->*field, c[1]->*field, tk), lerp(c[2]->*field, c[3]->*field, tk), tw);
  };
  SramMacro m;
  m.read_pj = at(&Row::read_pj);
  m.write_pj = at(&Row::write_pj);
  m.leakage_uw = at(&Row::leakage_mw) * 1000.0;
  m.area_um2 = at(&Row::area_mm2) * 1e6;
  m.access_ns = at(&Row::access_ns);
  std::ostringstream basis;
  if (tk == 0 && tw == 0)
    basis << "table point " << kib_text(k0) << " x " << w0 << " b";
  else
    basis << "interpolated between " << kib_text(k0) << (k1 > k0 ? " and " + kib_text(k1) : "")
          << " x " << w0 << (w1 > w0 ? " and " : "") << (w1 > w0 ? std::to_string(int(w1)) : "")
          << " b";
  m.basis = basis.str();
  return m;
}

}  // namespace trine::cost
