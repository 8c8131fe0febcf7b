#include "expr.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include <fmt/format.h>

namespace asmk {

// A recursive-descent parser, one function per Python precedence level (lowest first).
class ExprParser {
 public:
  explicit ExprParser(std::string_view text) : text_(text) {}

  Expr parse() {
    expr_.text_ = std::string(text_);
    expr_.nodes_.clear();
    expr_.root_ = ternary();
    skip_space();
    if (pos_ != text_.size()) error(fmt::format("unexpected '{}'", text_.substr(pos_)));
    return std::move(expr_);
  }

 private:
  using Kind = Expr::Node::Kind;

  [[noreturn]] void error(const std::string& what) const {
    throw ExprError(fmt::format("'{}' at column {}: {}", text_, pos_ + 1, what));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  static bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // Consumes `token` (a keyword must not run on into a name) and says whether it was there.
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    const std::size_t end = pos_ + token.size();
    if (word_char(token.back()) && end < text_.size() && word_char(text_[end])) return false;
    if (token == "*" && text_.substr(pos_, 2) == "**") return false;
    if ((token == "<" || token == ">") && end < text_.size() && text_[end] == '=') return false;
    pos_ = end;
    return true;
  }
  void expect(std::string_view token) {
    if (!accept(token)) error(fmt::format("expected '{}'", token));
  }

  std::uint32_t add(Kind kind, std::string op, std::vector<std::uint32_t> children, std::int64_t number = 0,
                    std::string name = {}) {
    expr_.nodes_.push_back({kind, std::move(op), number, std::move(name), std::move(children)});
    return static_cast<std::uint32_t>(expr_.nodes_.size() - 1);
  }

  std::uint32_t ternary() {
    const std::uint32_t body = logical_or();
    if (!accept("if")) return body;
    const std::uint32_t test = logical_or();
    expect("else");
    const std::uint32_t orelse = ternary();
    return add(Kind::ternary, "if", {test, body, orelse});
  }
  std::uint32_t logical_or() {
    std::uint32_t left = logical_and();
    while (accept("or")) left = add(Kind::logical, "or", {left, logical_and()});
    return left;
  }
  std::uint32_t logical_and() {
    std::uint32_t left = logical_not();
    while (accept("and")) left = add(Kind::logical, "and", {left, logical_not()});
    return left;
  }
  std::uint32_t logical_not() {
    if (accept("not")) return add(Kind::unary, "not", {logical_not()});
    return comparison();
  }
  // a < b <= c: one node holding the operands, the operators in `op` separated by spaces.
  std::uint32_t comparison() {
    std::vector<std::uint32_t> operands{sum()};
    std::string ops;
    for (;;) {
      std::string_view found;
      for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"})
        if (accept(op)) {
          found = op;
          break;
        }
      if (found.empty()) break;
      ops += (ops.empty() ? "" : " ") + std::string(found);
      operands.push_back(sum());
    }
    return operands.size() == 1 ? operands[0] : add(Kind::compare, ops, operands);
  }
  std::uint32_t sum() {
    std::uint32_t left = term();
    for (;;) {
      if (accept("+")) left = add(Kind::binary, "+", {left, term()});
      else if (accept("-")) left = add(Kind::binary, "-", {left, term()});
      else return left;
    }
  }
  std::uint32_t term() {
    std::uint32_t left = factor();
    for (;;) {
      if (accept("//")) left = add(Kind::binary, "//", {left, factor()});
      else if (accept("*")) left = add(Kind::binary, "*", {left, factor()});
      else if (accept("%")) left = add(Kind::binary, "%", {left, factor()});
      else return left;
    }
  }
  std::uint32_t factor() {
    if (accept("-")) return add(Kind::unary, "-", {factor()});
    return power();
  }
  std::uint32_t power() {
    const std::uint32_t base = atom();
    if (accept("**")) return add(Kind::binary, "**", {base, factor()});
    return base;
  }
  std::uint32_t atom() {
    skip_space();
    if (pos_ >= text_.size()) error("unexpected end");
    const char c = text_[pos_];
    if (accept("(")) {
      const std::uint32_t inner = ternary();
      expect(")");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::int64_t value = 0;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, text_[pos_] - '0', &value)) {
          pos_ = start;
          error("integer literal out of the 64-bit range");
        }
        ++pos_;
      }
      return add(Kind::number, "", {}, value);
    }
    if (c == '\'' || c == '"') {  // a string: compares by identity with a name's string value
      const std::size_t end = text_.find(c, pos_ + 1);
      if (end == std::string_view::npos) error("unterminated string");
      const std::string_view text = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return add(Kind::number, "", {}, Expr::string_id(text), std::string(text));
    }
    if (word_char(c)) {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && word_char(text_[pos_])) ++pos_;
      std::string word(text_.substr(start, pos_ - start));
      for (std::string_view keyword : {"and", "or", "not", "if", "else"})
        if (word == keyword) {
          pos_ = start;
          error(fmt::format("unexpected '{}'", word));
        }
      if (!accept("(")) return add(Kind::name, "", {}, 0, std::move(word));
      if (word != "ceil_div" && word != "min" && word != "max") {
        pos_ = start;
        error(fmt::format("unknown function '{}' (functions: ceil_div, min, max)", word));
      }
      std::vector<std::uint32_t> args{ternary()};
      while (accept(",")) args.push_back(ternary());
      expect(")");
      if (word == "ceil_div" && args.size() != 2) error("ceil_div takes 2 arguments");
      return add(Kind::call, word, args);
    }
    error(fmt::format("unexpected '{}'", c));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  Expr expr_;
};

namespace {

[[noreturn]] void overflow(const std::string& text, std::string_view op, std::int64_t a, std::int64_t b) {
  throw ExprError(fmt::format("'{}': {} {} {} overflows 64 bits", text, a, op, b));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

Expr Expr::constant(std::int64_t value) {
  Expr e;
  e.nodes_[0].number = value;
  e.text_ = std::to_string(value);
  return e;
}

Expr Expr::parse(std::string_view text) { return ExprParser(text).parse(); }

std::int64_t Expr::string_id(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a, kept in the negative half: no small integer equals it
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return static_cast<std::int64_t>(hash | 0x8000000000000000ull);
}

std::int64_t Expr::evaluate(const Lookup& lookup) const { return eval(root_, lookup); }

std::vector<std::string> Expr::names() const {
  std::vector<std::string> out;
  for (const Node& n : nodes_)
    if (n.kind == Node::Kind::name && std::find(out.begin(), out.end(), n.name) == out.end()) out.push_back(n.name);
  return out;
}

std::int64_t Expr::eval(std::uint32_t index, const Lookup& lookup) const {
  const Node& n = nodes_[index];
  const auto child = [&](std::size_t i) { return eval(n.children[i], lookup); };
  switch (n.kind) {
    case Node::Kind::number:
      return n.number;
    case Node::Kind::name: {
      if (auto v = lookup(n.name)) return *v;
      throw ExprError(fmt::format("'{}': no value for '{}'", text_, n.name));
    }
    case Node::Kind::unary: {
      const std::int64_t v = child(0);
      if (n.op == "not") return v == 0;
      if (v == std::numeric_limits<std::int64_t>::min()) overflow(text_, "-", 0, v);
      return -v;
    }
    case Node::Kind::logical: {  // Python: the deciding operand's value
      const std::int64_t left = child(0);
      if (n.op == "and") return left == 0 ? left : child(1);
      return left != 0 ? left : child(1);
    }
    case Node::Kind::ternary:
      return child(0) != 0 ? child(1) : child(2);
    case Node::Kind::compare: {
      std::int64_t left = child(0);
      std::size_t i = 1, start = 0;
      while (start <= n.op.size() && i < n.children.size()) {
        const std::size_t end = std::min(n.op.find(' ', start), n.op.size());
        const std::string_view op = std::string_view(n.op).substr(start, end - start);
        const std::int64_t right = child(i++);
        const bool holds = op == "==" ? left == right : op == "!=" ? left != right : op == "<" ? left < right
                         : op == "<=" ? left <= right : op == ">" ? left > right : left >= right;
        if (!holds) return 0;
        left = right;
        start = end + 1;
      }
      return 1;
    }
    case Node::Kind::call: {
      std::vector<std::int64_t> args;
      for (std::size_t i = 0; i < n.children.size(); ++i) args.push_back(child(i));
      if (n.op == "min") return *std::min_element(args.begin(), args.end());
      if (n.op == "max") return *std::max_element(args.begin(), args.end());
      if (args[1] == 0) throw ExprError(fmt::format("'{}': ceil_div({}, 0) divides by zero", text_, args[0]));
      if (args[0] == std::numeric_limits<std::int64_t>::min()) overflow(text_, "ceil_div", args[0], args[1]);
      if (args[1] == -1) overflow(text_, "ceil_div", args[0], args[1]);
      return -floor_div(-args[0], args[1]);
    }
    case Node::Kind::binary: {
      const std::int64_t a = child(0), b = child(1);
      std::int64_t r = 0;
      if (n.op == "+") {
        if (__builtin_add_overflow(a, b, &r)) overflow(text_, "+", a, b);
      } else if (n.op == "-") {
        if (__builtin_sub_overflow(a, b, &r)) overflow(text_, "-", a, b);
      } else if (n.op == "*") {
        if (__builtin_mul_overflow(a, b, &r)) overflow(text_, "*", a, b);
      } else if (n.op == "//" || n.op == "%") {
        if (b == 0) throw ExprError(fmt::format("'{}': {} {} 0 divides by zero", text_, a, n.op));
        if (a == std::numeric_limits<std::int64_t>::min() && b == -1) overflow(text_, n.op, a, b);
        r = n.op == "//" ? floor_div(a, b) : a - floor_div(a, b) * b;
      } else {  // **
        if (b < 0) throw ExprError(fmt::format("'{}': {} ** {} has a negative exponent", text_, a, b));
        r = 1;
        for (std::int64_t i = 0; i < b; ++i)
          if (__builtin_mul_overflow(r, a, &r)) overflow(text_, "**", a, b);
          else if (r == 0 || r == 1) break;  // 0 and 1 stay; -1 alternates (handled by continuing)
        if (a == -1) r = (b % 2 == 0) ? 1 : -1;
      }
      return r;
    }
  }
  return 0;
}

}  // namespace asmk
