#pragma once
// SRAM macros from a table of CACTI runs (configs/tech/sram-cacti7-40nm.csv): one row per cell
// type, capacity, word width, bank count and port kind, with read and write energy, leakage,
// area and access time. A buffer bank is priced as a one-bank macro of its own capacity and
// word width, interpolated between the table's points: linearly in log2(capacity) and in the
// word width, the two axes along which CACTI's figures are smooth. The table is never
// extrapolated: a bank outside its range is an error that names the range.
#include <string>
#include <vector>

namespace trine::cost {

// One macro's figures (one bank).
struct SramMacro {
  double read_pj = 0, write_pj = 0;  // one word
  double leakage_uw = 0;             // standby leakage
  double area_um2 = 0;
  double access_ns = 0;
  std::string basis;  // how it was found: "table point" or the corners interpolated between
};

class SramTable {
 public:
  // Parses the CSV (header by name, any column order); a bad row is an InputError
  // "FILE:LINE: COLUMN: message". `file` names the table in messages and reports.
  static SramTable parse(const std::string& text, const std::string& file);

  // The macro of `bytes` with `word_bits`-bit words and `ports` accesses per cycle (1: one
  // read-write port, 2: one read and one write port) in `cell` cells ("itrs-lop"). Outside the
  // table: std::out_of_range whose what() names the table's range for that cell and port kind.
  SramMacro macro(const std::string& cell, double bytes, double word_bits, int ports) const;
  // "1 KiB to 4 MiB per bank, 64 to 256-bit words" for one cell and port kind.
  std::string range(const std::string& cell, int ports) const;
  const std::string& file() const { return file_; }
  bool has_cell(const std::string& cell) const;

  struct Row {
    std::string cell;
    double kib = 0, word_bits = 0;
    int banks = 1;
    int ports = 1;  // 1: 1RW, 2: 1R1W
    double read_pj = 0, write_pj = 0, leakage_mw = 0, area_mm2 = 0, access_ns = 0;
  };

 private:
  const Row* find(const std::string& cell, double kib, double word_bits, int ports) const;
  std::vector<Row> rows_;
  std::string file_;
};

}  // namespace trine::cost
