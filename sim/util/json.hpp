#pragma once
// A small streaming JSON writer for summaries and reports: keys in the order written, numbers
// formatted the same way on every run, pretty-printed with two-space indents (or on one line).
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace trine::json {

std::string escape(std::string_view s);  // the quoted JSON string
std::string number(double v);            // %.10g; NaN and infinities become null

class Writer {
 public:
  explicit Writer(std::ostream& out, bool pretty = true) : out_(out), pretty_(pretty) {}
  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view k);
  Writer& value(std::string_view v);
  Writer& value(const char* v) { return value(std::string_view(v)); }
  Writer& value(const std::string& v) { return value(std::string_view(v)); }
  Writer& value(double v);
  Writer& value(int64_t v);
  Writer& value(int v) { return value(static_cast<int64_t>(v)); }
  Writer& value(bool v);
  Writer& null();
  template <class T>
  Writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  // Ends the document with a newline; throws if objects or arrays are still open.
  void finish();

 private:
  void before_value();
  void newline();
  std::ostream& out_;
  bool pretty_;
  struct Level {
    bool object;
    bool empty = true;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace trine::json
