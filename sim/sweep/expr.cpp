#include "sim/sweep/expr.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "sim/util/limits.hpp"

namespace trine::sweep {

struct Expr::Node {
  enum Kind { Number, Text, Name, Unary, Binary } kind = Number;
  Value value;       // Number, Text
  std::string name;  // Name; the operator of Unary and Binary
  std::shared_ptr<const Node> a, b;
  int depth = 1;  // of the tree below and including this node
};

namespace {

using NodeP = std::shared_ptr<const Expr::Node>;

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {
    if (s.size() > static_cast<size_t>(limits::kFilterBytes))
      throw std::invalid_argument("the filter is " + std::to_string(s.size()) +
                                  " characters; the longest accepted is " +
                                  std::to_string(limits::kFilterBytes) + " (docs/inputs.md)");
  }

  NodeP parse() {
    NodeP n = disjunction();
    skip();
    if (at_ < s_.size()) fail("unexpected '" + s_.substr(at_, 1) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const {
    throw std::invalid_argument("column " + std::to_string(at_ + 1) + ": " + msg);
  }
  void skip() {
    while (at_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[at_]))) ++at_;
  }
  // Matches an operator or a keyword (keywords must end at a word boundary).
  bool eat(const std::string& tok) {
    skip();
    if (s_.compare(at_, tok.size(), tok) != 0) return false;
    const bool word = std::isalpha(static_cast<unsigned char>(tok[0]));
    const size_t end = at_ + tok.size();
    if (word && end < s_.size() &&
        (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_' || s_[end] == '.'))
      return false;
    at_ = end;
    return true;
  }
  // Evaluation, names() and the nodes' destructors recurse as deep as the tree: both the
  // parser's own nesting and the depth of the tree it builds are bounded.
  void deeper(int depth) const {
    if (depth > limits::kFilterDepth)
      fail("nested deeper than " + std::to_string(limits::kFilterDepth) +
           " levels (the limit; docs/inputs.md)");
  }
  struct Nesting {
    Parser& p;
    explicit Nesting(Parser& parser) : p(parser) { p.deeper(++p.nesting_); }
    ~Nesting() { --p.nesting_; }
  };
  NodeP binary(const std::string& op, NodeP a, NodeP b) const {
    auto n = std::make_shared<Expr::Node>();
    n->depth = 1 + std::max(a->depth, b->depth);
    deeper(n->depth);
    n->kind = Expr::Node::Binary, n->name = op, n->a = std::move(a), n->b = std::move(b);
    return n;
  }
  NodeP unary_node(const char* op, NodeP a) const {
    auto n = std::make_shared<Expr::Node>();
    n->depth = 1 + a->depth;
    deeper(n->depth);
    n->kind = Expr::Node::Unary, n->name = op, n->a = std::move(a);
    return n;
  }
  NodeP disjunction() {
    NodeP n = conjunction();
    while (eat("||") || eat("or")) n = binary("||", n, conjunction());
    return n;
  }
  NodeP conjunction() {
    NodeP n = negation();
    while (eat("&&") || eat("and")) n = binary("&&", n, negation());
    return n;
  }
  NodeP negation() {
    skip();
    if ((s_.compare(at_, 1, "!") == 0 && s_.compare(at_, 2, "!=") != 0 && eat("!")) || eat("not")) {
      Nesting guard(*this);
      return unary_node("!", negation());
    }
    return comparison();
  }
  NodeP comparison() {
    NodeP n = sum();
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"})
      if (eat(op)) return binary(op, n, sum());
    return n;
  }
  NodeP sum() {
    NodeP n = product();
    for (;;) {
      if (eat("+"))
        n = binary("+", n, product());
      else if (eat("-"))
        n = binary("-", n, product());
      else
        return n;
    }
  }
  NodeP product() {
    NodeP n = unary();
    for (;;) {
      if (eat("*"))
        n = binary("*", n, unary());
      else if (eat("/"))
        n = binary("/", n, unary());
      else if (eat("%"))
        n = binary("%", n, unary());
      else
        return n;
    }
  }
  NodeP unary() {
    if (eat("-")) {
      Nesting guard(*this);
      return unary_node("-", unary());
    }
    return atom();
  }
  NodeP atom() {
    skip();
    if (at_ >= s_.size()) fail("expression ends too soon");
    auto n = std::make_shared<Expr::Node>();
    const char c = s_[at_];
    if (eat("(")) {
      Nesting guard(*this);
      NodeP inner = disjunction();
      if (!eat(")")) fail("expected ')'");
      return inner;
    }
    if (c == '"' || c == '\'') {
      const size_t end = s_.find(c, at_ + 1);
      if (end == std::string::npos) fail("unterminated string");
      n->kind = Expr::Node::Text, n->value = Value::of(s_.substr(at_ + 1, end - at_ - 1));
      at_ = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(s_.substr(at_), &used);
      } catch (const std::exception&) {
        fail("bad number");
      }
      at_ += used;
      static const std::pair<const char*, double> units[] = {
          {"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0}, {"GHz", 1e9},
          {"MHz", 1e6},          {"kHz", 1e3},       {"Hz", 1.0},     {"B", 1.0}};
      for (const auto& [unit, scale] : units)
        if (eat(unit)) {
          v *= scale;
          break;
        }
      n->kind = Expr::Node::Number, n->value = Value::of(v);
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = at_;
      while (at_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[at_])) ||
                                 s_[at_] == '_' || s_[at_] == '.'))
        ++at_;
      n->kind = Expr::Node::Name, n->name = s_.substr(start, at_ - start);
      return n;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  const std::string& s_;
  size_t at_ = 0;
  int nesting_ = 0;
};

bool truth(const Value& v) {
  return v.is_text ? !v.text.empty() : v.number != 0;
}

Value eval_node(const Expr::Node& n, const Lookup& lookup) {
  switch (n.kind) {
    case Expr::Node::Number:
    case Expr::Node::Text:
      return n.value;
    case Expr::Node::Name: {
      const std::optional<Value> v = lookup(n.name);
      if (!v) throw std::invalid_argument("unknown name '" + n.name + "'");
      return *v;
    }
    case Expr::Node::Unary: {
      const Value a = eval_node(*n.a, lookup);
      if (n.name == "!") return Value::of(truth(a) ? 0.0 : 1.0);
      if (a.is_text) throw std::invalid_argument("cannot negate the text '" + a.text + "'");
      return Value::of(-a.number);
    }
    case Expr::Node::Binary:
      break;
  }
  const std::string& op = n.name;
  if (op == "&&")
    return Value::of(truth(eval_node(*n.a, lookup)) && truth(eval_node(*n.b, lookup)));
  if (op == "||")
    return Value::of(truth(eval_node(*n.a, lookup)) || truth(eval_node(*n.b, lookup)));
  const Value a = eval_node(*n.a, lookup), b = eval_node(*n.b, lookup);
  if (a.is_text != b.is_text)
    throw std::invalid_argument("'" + op + "' between a number and the text '" +
                                (a.is_text ? a.text : b.text) + "'");
  if (a.is_text) {
    if (op == "==") return Value::of(a.text == b.text);
    if (op == "!=") return Value::of(a.text != b.text);
    if (op == "<") return Value::of(a.text < b.text);
    if (op == "<=") return Value::of(a.text <= b.text);
    if (op == ">") return Value::of(a.text > b.text);
    if (op == ">=") return Value::of(a.text >= b.text);
    if (op == "+") return Value::of(a.text + b.text);
    throw std::invalid_argument("'" + op + "' does not apply to text");
  }
  const double x = a.number, y = b.number;
  if (op == "==") return Value::of(x == y);
  if (op == "!=") return Value::of(x != y);
  if (op == "<") return Value::of(x < y);
  if (op == "<=") return Value::of(x <= y);
  if (op == ">") return Value::of(x > y);
  if (op == ">=") return Value::of(x >= y);
  if (op == "+") return Value::of(x + y);
  if (op == "-") return Value::of(x - y);
  if (op == "*") return Value::of(x * y);
  if ((op == "/" || op == "%") && y == 0) throw std::invalid_argument("division by zero");
  if (op == "/") return Value::of(x / y);
  return Value::of(std::fmod(x, y));
}

void collect(const Expr::Node& n, std::vector<std::string>& out) {
  if (n.kind == Expr::Node::Name) out.push_back(n.name);
  if (n.a) collect(*n.a, out);
  if (n.b) collect(*n.b, out);
}

}  // namespace

Expr Expr::parse(const std::string& text) {
  Expr e;
  e.root_ = Parser(text).parse();
  return e;
}

Value Expr::eval(const Lookup& lookup) const {
  return eval_node(*root_, lookup);
}

bool Expr::test(const Lookup& lookup) const {
  return truth(eval(lookup));
}

std::vector<std::string> Expr::names() const {
  std::vector<std::string> out;
  collect(*root_, out);
  return out;
}

}  // namespace trine::sweep
