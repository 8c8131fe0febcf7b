// The generic `requires` checker (ops/requirements.hpp) and launch-rule evaluation
// (ops/launch_rule.hpp): rules keyed by argument names, messages naming the rule, the value and
// the nearest valid values; launch dimensions outside 1..2^32-1 refused instead of wrapped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "ops/launch_rule.hpp"
#include "ops/requirements.hpp"

namespace asmk {
namespace {

Requirement expr_rule(const std::string& text, const std::string& reason) {
  Requirement r;
  r.kind = Requirement::Kind::expr;
  r.name = "tile_offsets_32bit";
  r.expr = Expr::parse(text);
  r.reason = reason;
  return r;
}

std::string check(const Requirement& rule, const std::vector<KernargValue>& values) {
  return ops::violated_requirement(std::vector<Requirement>{rule}, values);
}

TEST(Requirements, MultipleOfASizeNamesTheNearestValues) {
  const auto rule = ops::multiple_rule("k_multiple", "k", 64);
  EXPECT_EQ(check(rule, {{"k", std::uint32_t{128}}}), "");
  EXPECT_EQ(check(rule, {{"k", std::uint32_t{100}}}), "k=100 is not a positive multiple of 64 (k_multiple; nearest: 64 or 128)");
  EXPECT_EQ(check(rule, {{"k", std::uint32_t{0}}}), "k=0 is not a positive multiple of 64 (k_multiple; nearest: 64)");
}

TEST(Requirements, MultipleOfAStrideIsDivisibility) {
  const auto rule = ops::multiple_rule("c_stride_multiple", "stride_c", 4, "elements");
  EXPECT_EQ(check(rule, {{"stride_c", std::uint32_t{516}}}), "");
  EXPECT_EQ(check(rule, {{"stride_c", std::uint32_t{513}}}),
            "stride_c=513 elements is not a multiple of 4 (c_stride_multiple); nearest: 512 or 516");
}

TEST(Requirements, AlignmentOfPointersNullPasses) {
  const auto rule = ops::align_rule("c_align_bytes", "c", 8);
  EXPECT_EQ(check(rule, {{"c", static_cast<const void*>(nullptr)}}), "");
  EXPECT_EQ(check(rule, {{"c", reinterpret_cast<const void*>(0x1000)}}), "");
  EXPECT_NE(check(rule, {{"c", reinterpret_cast<const void*>(0x1004)}}).find("is not 8-byte aligned (c_align_bytes)"),
            std::string::npos);
}

TEST(Requirements, ExpressionRulesNameTheValuesAndTheReason) {
  const auto rule = expr_rule("64 * stride_a < 4294967296", "offsets inside a tile are 32-bit");
  EXPECT_EQ(check(rule, {{"stride_a", std::uint32_t{4096}}}), "");
  EXPECT_EQ(check(rule, {{"stride_a", std::uint32_t{1u << 27}}}),
            "64 * stride_a < 4294967296 does not hold for stride_a=134217728 (tile_offsets_32bit; offsets inside a "
            "tile are 32-bit)");
}

TEST(Requirements, EqualsValueRules) {
  Requirement r;
  r.kind = Requirement::Kind::equals;
  r.name = r.subject = "scale_block_k";
  r.value = 128;
  EXPECT_EQ(check(r, {{"scale_block_k", std::uint32_t{128}}}), "");
  EXPECT_EQ(check(r, {{"scale_block_k", std::uint32_t{32}}}), "scale_block_k=32 differs from the kernel's 128 (scale_block_k)");
}

TEST(Requirements, UnknownFormsAndMissingValuesMakeTheKernelIneligible) {
  Requirement unknown;
  unknown.reason = "'swizzle_bytes'=128";
  EXPECT_NE(check(unknown, {}).find("requires 'swizzle_bytes'=128, a rule this libasmk does not know"), std::string::npos);
  EXPECT_NE(check(ops::multiple_rule("k_multiple", "k", 64), {{"n", std::uint32_t{64}}}).find("does not supply"),
            std::string::npos);
  EXPECT_NE(check(ops::align_rule("a_align_bytes", "a", 16), {{"a", std::uint32_t{64}}}).find("does not supply"),
            std::string::npos);  // a scalar where a pointer is needed
}

TEST(Requirements, TheFirstViolatedRuleIsReported) {
  const std::vector<Requirement> rules{ops::multiple_rule("k_multiple", "k", 64),
                                       ops::multiple_rule("n_multiple", "n", 4)};
  EXPECT_EQ(ops::violated_requirement(rules, std::vector<KernargValue>{{"k", std::uint32_t{64}}, {"n", std::uint32_t{6}}}),
            "n=6 is not a positive multiple of 4 (n_multiple; nearest: 4 or 8)");
  EXPECT_EQ(ops::multiple_of(rules, "n", 1), 4);
  EXPECT_EQ(ops::multiple_of(rules, "m", 7), 7);
}

Kernel kernel_with_launch(const char* x, const char* y, const char* z) {
  Kernel k;
  k.name = "toy";
  k.launch.present = true;
  k.launch.grid = {Expr::parse(x), Expr::parse(y), Expr::parse(z)};
  k.launch.block = {Expr::constant(256), Expr::constant(1), Expr::constant(1)};
  return k;
}

asmk_status status_of(const Kernel& k, const std::vector<KernargValue>& values) {
  try {
    ops::launch_dims(k, values);
  } catch (const Error& e) {
    return e.status();
  }
  return ASMK_SUCCESS;
}

TEST(LaunchRule, EvaluatesGridAndBlock) {
  const Kernel k = kernel_with_launch("ceil_div(n, 128)", "ceil_div(m, 64)", "k_splits");
  const auto dims = ops::launch_dims(
      k, std::vector<KernargValue>{{"m", std::uint32_t{65}}, {"n", std::uint32_t{4096}}, {"k_splits", std::uint32_t{2}}});
  EXPECT_EQ(dims.grid.x, 32u);
  EXPECT_EQ(dims.grid.y, 2u);
  EXPECT_EQ(dims.grid.z, 2u);
  EXPECT_EQ(dims.block.x, 256u);
  EXPECT_EQ(dims.block.y, 1u);
}

TEST(LaunchRule, RefusesWhatCannotBeLaunched) {
  EXPECT_EQ(status_of(Kernel{}, {}), ASMK_ERROR_BAD_REPOSITORY);  // no rule in the manifest
  const Kernel k = kernel_with_launch("n * n", "1", "k_splits");
  EXPECT_EQ(status_of(k, {{"n", std::uint32_t{1u << 20}}, {"k_splits", std::uint32_t{1}}}), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_EQ(status_of(k, {{"n", std::uint32_t{4}}, {"k_splits", std::uint32_t{0}}}), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_EQ(status_of(kernel_with_launch("a * b", "1", "1"),
                      {{"a", std::uint64_t{1} << 40}, {"b", std::uint64_t{1} << 40}}), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_EQ(status_of(k, {{"n", static_cast<const void*>(nullptr)}, {"k_splits", std::uint32_t{1}}}),
            ASMK_ERROR_BAD_REPOSITORY);  // the rule reads a pointer
}

}  // namespace
}  // namespace asmk
