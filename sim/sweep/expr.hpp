#pragma once
// The filter expressions of sweep specs: which combinations of axis values to skip.
//   array.rows >= array.cols && dram.preset != "DDR3-1600"
//   buffers.weight.size >= 32 KiB || model == "nets/a.tnet"
// Numbers (with an optional size or frequency unit: B KiB MiB GiB Hz kHz MHz GHz), strings in
// single or double quotes, dotted names, + - * / %, comparisons, && || ! (or and, or, not),
// parentheses. Names are looked up when evaluated; comparing a number with a string is an
// error, as is an unknown name.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace trine::sweep {

struct Value {
  bool is_text = false;
  double number = 0;
  std::string text;
  static Value of(double v) { return {false, v, ""}; }
  static Value of(std::string s) { return {true, 0, std::move(s)}; }
};

// Returns the value of a name, or nothing if the name is unknown.
using Lookup = std::function<std::optional<Value>(const std::string& name)>;

class Expr {
 public:
  // Throws std::invalid_argument("column N: message") on a syntax error.
  static Expr parse(const std::string& text);
  // Throws std::invalid_argument on an unknown name or mixed types.
  Value eval(const Lookup& lookup) const;
  bool test(const Lookup& lookup) const;
  // Every name the expression refers to.
  std::vector<std::string> names() const;
  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace trine::sweep
