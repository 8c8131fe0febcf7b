// The manifest's expression language (loader/src/expr.hpp): Python's values and precedence for the
// subset asmgen writes, and an error — never a wrapped value — on overflow, division by zero,
// unknown names and bad syntax.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>

#include "expr.hpp"

namespace asmk {
namespace {

std::int64_t eval(const std::string& text, const std::map<std::string, std::int64_t>& names = {}) {
  return Expr::parse(text).evaluate([&](std::string_view name) -> std::optional<std::int64_t> {
    const auto it = names.find(std::string(name));
    if (it == names.end()) return std::nullopt;
    return it->second;
  });
}

std::string error_of(const std::string& text, const std::map<std::string, std::int64_t>& names = {}) {
  try {
    eval(text, names);
  } catch (const ExprError& e) {
    return e.what();
  }
  return "";
}

TEST(Expr, ArithmeticFollowsPython) {
  EXPECT_EQ(eval("1 + 2 * 3"), 7);
  EXPECT_EQ(eval("(1 + 2) * 3"), 9);
  EXPECT_EQ(eval("7 // 2"), 3);
  EXPECT_EQ(eval("-7 // 2"), -4);  // floor division
  EXPECT_EQ(eval("-7 % 3"), 2);    // the sign of the divisor
  EXPECT_EQ(eval("7 % -3"), -2);
  EXPECT_EQ(eval("2 ** 3 ** 2"), 512);  // right-associative
  EXPECT_EQ(eval("-2 ** 2"), -4);       // unary minus binds looser than **
  EXPECT_EQ(eval("2 ** 0"), 1);
  EXPECT_EQ(eval("(-1) ** 5"), -1);
  EXPECT_EQ(eval("2**32"), 4294967296);
  EXPECT_EQ(eval("10 - 3 - 2"), 5);     // left-associative
}

TEST(Expr, FunctionsAndNames) {
  EXPECT_EQ(eval("ceil_div(n, 128)", {{"n", 129}}), 2);
  EXPECT_EQ(eval("ceil_div(n, 128)", {{"n", 128}}), 1);
  EXPECT_EQ(eval("ceil_div(n, 64)", {{"n", 1}}), 1);
  EXPECT_EQ(eval("min(m, 4, k)", {{"m", 9}, {"k", 3}}), 3);
  EXPECT_EQ(eval("max(m, 2 * k)", {{"m", 9}, {"k", 7}}), 14);
  EXPECT_EQ(Expr::parse("ceil_div(n, n_tile) + max(m, n)").names(), (std::vector<std::string>{"n", "n_tile", "m"}));
}

TEST(Expr, ComparisonsLogicAndTernary) {
  EXPECT_EQ(eval("1 < 2 < 3"), 1);
  EXPECT_EQ(eval("1 < 3 < 2"), 0);  // chained like Python, not (1 < 3) < 2
  EXPECT_EQ(eval("3 >= 3 and 2 != 2"), 0);
  EXPECT_EQ(eval("0 or 5"), 5);      // Python returns the deciding operand
  EXPECT_EQ(eval("not 0"), 1);
  EXPECT_EQ(eval("not 1 == 1"), 0);  // not binds looser than ==
  EXPECT_EQ(eval("k_splits == 1 or k_splits * m < 2**32", {{"k_splits", 1}, {"m", 1}}), 1);
  EXPECT_EQ(eval("1 if m > 4 else 2", {{"m", 5}}), 1);
  EXPECT_EQ(eval("1 if m > 4 else 2 if m > 2 else 3", {{"m", 3}}), 2);
  // Short-circuit: the untaken side is not evaluated (it would divide by zero).
  EXPECT_EQ(eval("k == 0 or 10 // k > 1", {{"k", 0}}), 1);
  EXPECT_EQ(eval("1 if k == 0 else 10 // k", {{"k", 0}}), 1);
}

TEST(Expr, OverflowIsAnErrorNotAWrap) {
  EXPECT_NE(error_of("a * b", {{"a", 1LL << 40}, {"b", 1LL << 40}}).find("overflows 64 bits"), std::string::npos);
  EXPECT_NE(error_of("9223372036854775807 + 1").find("overflows"), std::string::npos);
  EXPECT_NE(error_of("-9223372036854775807 - 2").find("overflows"), std::string::npos);
  EXPECT_NE(error_of("2 ** 63").find("overflows"), std::string::npos);
  EXPECT_EQ(eval("2 ** 62"), std::int64_t(1) << 62);
  EXPECT_NE(error_of("99999999999999999999").find("64-bit range"), std::string::npos);
  EXPECT_NE(error_of("ceil_div(n, 0)", {{"n", 3}}).find("divides by zero"), std::string::npos);
  EXPECT_NE(error_of("n % 0", {{"n", 3}}).find("divides by zero"), std::string::npos);
  EXPECT_NE(error_of("2 ** -1").find("negative exponent"), std::string::npos);
}

TEST(Expr, ErrorsNameTheProblem) {
  EXPECT_NE(error_of("ceil_div(n, 64)").find("no value for 'n'"), std::string::npos);
  EXPECT_NE(error_of("1 +").find("column"), std::string::npos);
  EXPECT_NE(error_of("(1 + 2").find("expected ')'"), std::string::npos);
  EXPECT_NE(error_of("abs(3)").find("unknown function 'abs'"), std::string::npos);
  EXPECT_NE(error_of("1 / 2").find("unexpected"), std::string::npos);  // true division is not in the language
  EXPECT_NE(error_of("1 2").find("unexpected"), std::string::npos);
  EXPECT_NE(error_of("ceil_div(1)").find("2 arguments"), std::string::npos);
  EXPECT_NE(error_of("'row").find("unterminated string"), std::string::npos);
  EXPECT_NE(error_of("1 if 2").find("expected 'else'"), std::string::npos);
  EXPECT_NE(error_of("").find("unexpected end"), std::string::npos);
}

// An op's choices are strings: a name whose value is Expr::string_id(text) equals the literal 'text'
// and nothing else (op specs compare them: "b_layout != 'shuffled' or stride_b == k").
TEST(Expr, StringsCompareByIdentity) {
  const std::map<std::string, std::int64_t> row{{"granularity", Expr::string_id("row")}, {"n", 1024}};
  EXPECT_EQ(eval("granularity == 'row'", row), 1);
  EXPECT_EQ(eval("granularity == \"row\"", row), 1);
  EXPECT_EQ(eval("granularity != 'group'", row), 1);
  EXPECT_EQ(eval("1 if granularity == 'row' else n // 128", row), 1);
  const std::map<std::string, std::int64_t> group{{"granularity", Expr::string_id("group")}, {"n", 1024}};
  EXPECT_EQ(eval("1 if granularity == 'row' else n // 128", group), 8);
  EXPECT_NE(Expr::string_id("row"), Expr::string_id("rows"));
  EXPECT_LT(Expr::string_id(""), 0);  // never a small integer a size could have
}

}  // namespace
}  // namespace asmk
