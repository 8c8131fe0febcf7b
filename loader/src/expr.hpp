// The integer expressions of the manifest's launch rules and `requires` (docs/contracts.md), e.g.
// "ceil_div(n, 128)" or "k_splits == 1 or k_splits * m < 4294967296". asmgen writes them with the
// variant's parameters already folded in (gen/asmgen_lib/problem_rules.py), so only the problem's
// values — kernel arguments by name — remain.
//
// The language is the Python subset asmgen allows: integer literals, names, + - * // % **
// (floor division and modulo as Python's), comparisons (chainable), and/or/not, `x if c else y`,
// and the calls ceil_div(a, b), min(...), max(...); with Python's precedence; string literals
// ('row') for comparisons with names whose value is a string (an op's choices, see string_id). Values are signed
// 64-bit: an overflow, a division by zero or an unknown name is an error (ExprError), never a
// wrapped or made-up value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asmk {

class ExprError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Expr {
 public:
  // The value of a name, or nullopt when the caller has none (then evaluation fails naming it).
  using Lookup = std::function<std::optional<std::int64_t>(std::string_view name)>;

  Expr() = default;  // the constant 0
  static Expr constant(std::int64_t value);
  // Throws ExprError ("at column N: ...") on a syntax error.
  static Expr parse(std::string_view text);

  std::int64_t evaluate(const Lookup& lookup) const;
  // The value a string literal ('row') has, and a name's lookup must return for a string value:
  // strings compare by identity (== and !=); they take no part in arithmetic that means anything.
  static std::int64_t string_id(std::string_view text);
  // The names it reads (not the functions), in first-use order.
  std::vector<std::string> names() const;
  const std::string& text() const { return text_; }

  struct Node {
    enum class Kind { number, name, unary, binary, compare, logical, ternary, call } kind;
    std::string op;                 // "-", "not", "+", "//", "<", "and", "ceil_div", ...
    std::int64_t number = 0;
    std::string name;
    std::vector<std::uint32_t> children;
  };

 private:
  std::int64_t eval(std::uint32_t node, const Lookup& lookup) const;

  std::string text_ = "0";
  std::vector<Node> nodes_{Node{Node::Kind::number, "", 0, "", {}}};
  std::uint32_t root_ = 0;

  friend class ExprParser;
};

}  // namespace asmk
