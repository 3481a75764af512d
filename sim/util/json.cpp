#include "sim/util/json.hpp"

#include <cmath>
#include <cstdio>

#include "sim/util/error.hpp"

namespace trine::json {

std::string escape(std::string_view s) {
  std::string r = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        r += "\\\"";
        break;
      case '\\':
        r += "\\\\";
        break;
      case '\n':
        r += "\\n";
        break;
      case '\r':
        r += "\\r";
        break;
      case '\t':
        r += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          r += buf;
        } else {
          r += ch;
        }
    }
  }
  return r + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

void Writer::newline() {
  if (!pretty_) return;
  out_ << '\n' << std::string(2 * stack_.size(), ' ');
}

void Writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  TRINE_ASSERT(!stack_.back().object, "JSON value inside an object needs a key");
  if (!stack_.back().empty) out_ << ',';
  stack_.back().empty = false;
  newline();
}

Writer& Writer::key(std::string_view k) {
  TRINE_ASSERT(!stack_.empty() && stack_.back().object && !after_key_, "JSON key outside object");
  if (!stack_.back().empty) out_ << ',';
  stack_.back().empty = false;
  newline();
  out_ << escape(k) << (pretty_ ? ": " : ":");
  after_key_ = true;
  return *this;
}

Writer& Writer::begin_object() {
  before_value();
  out_ << '{';
  stack_.push_back({true});
  return *this;
}

Writer& Writer::begin_array() {
  before_value();
  out_ << '[';
  stack_.push_back({false});
  return *this;
}

Writer& Writer::end_object() {
  TRINE_ASSERT(!stack_.empty() && stack_.back().object && !after_key_, "unbalanced JSON object");
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_ << '}';
  return *this;
}

Writer& Writer::end_array() {
  TRINE_ASSERT(!stack_.empty() && !stack_.back().object, "unbalanced JSON array");
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_ << ']';
  return *this;
}

Writer& Writer::value(std::string_view v) {
  before_value();
  out_ << escape(v);
  return *this;
}

Writer& Writer::value(double v) {
  before_value();
  out_ << number(v);
  return *this;
}

Writer& Writer::value(int64_t v) {
  before_value();
  out_ << v;
  return *this;
}

Writer& Writer::value(bool v) {
  before_value();
  out_ << (v ? "true" : "false");
  return *this;
}

Writer& Writer::null() {
  before_value();
  out_ << "null";
  return *this;
}

void Writer::finish() {
  TRINE_ASSERT(stack_.empty() && !after_key_, "JSON document left open");
  out_ << '\n';
}

}  // namespace trine::json
