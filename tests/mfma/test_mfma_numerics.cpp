// Arithmetic corner cases: int8 wrap-around, NaN/Inf propagation, the fnuz/OCP fp8 NaN codes,
// xf32 input rounding, fp16 subnormal inputs, f64 fused accumulation.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "mfma_compare.hpp"

namespace mfma_test {
namespace {

// Runs op with every A/B element set to the given code (written through the documented layout,
// here trivially: every item of every lane) and C from a callback; returns D registers.
Regs run_uniform(const MfmaOp& op, int bits, std::uint64_t a_code, std::uint64_t b_code, std::uint32_t c_word) {
  Regs a(op.a_regs), b(op.b_regs), c(op.cd_regs), d(op.cd_regs);
  for (int lane = 0; lane < kLanes; ++lane) {
    for (int t = 0; t < op.a_regs * 32 / bits; ++t) a.put_bits(lane, t * bits, bits, a_code);
    for (int t = 0; t < op.b_regs * 32 / bits; ++t) b.put_bits(lane, t * bits, bits, b_code);
  }
  for (auto& w : c.words) w = c_word;
  asmk::mfma::MfmaOperands ops;
  ops.a = a.words.data();
  ops.b = b.words.data();
  ops.c = c.words.data();
  ops.d = d.words.data();
  const auto result = asmk::mfma::execute(op, ops);
  EXPECT_TRUE(result.ok()) << result.error;
  return d;
}

TEST(MfmaInt8, AccumulationWrapsModulo2To32) {
  for (Arch arch : {Arch::gfx942, Arch::gfx950}) {
    const MfmaOp& op = get("v_mfma_i32_32x32x16_i8", arch);
    // (-128) * (-128) * 16 = 262144 added to INT32_MAX - 100000 overflows.
    const std::uint32_t c = 0x7fffffffu - 100000u;
    const Regs d = run_uniform(op, 8, 0x80, 0x80, c);
    const std::uint32_t want = c + 262144u;  // unsigned arithmetic wraps
    EXPECT_EQ(static_cast<std::int32_t>(want), -2147321505);
    for (auto w : d.words) ASSERT_EQ(w, want);
  }
  const MfmaOp& op = get("v_mfma_i32_32x32x32_i8", Arch::gfx950);  // -128 * 127 * 32 below INT32_MIN + 100
  const Regs d = run_uniform(op, 8, 0x80, 0x7f, 0x80000000u + 100u);
  for (auto w : d.words) ASSERT_EQ(w, 0x80000000u + 100u - 128u * 127u * 32u);
}

TEST(MfmaNan, F16NanInOneRowPoisonsOnlyThatRow) {
  const MfmaOp& op = get("v_mfma_f32_32x32x8_f16");
  Problem p = make_problem(op, op.a_type, op.b_type, 11);
  // A[3][5]: lane 3 + 32 * (5 / 4), element 5 % 4 -> register 0, high half.
  p.a.put_bits(35, 16, 16, 0x7e00);
  p.a_at(0, 3, 5) = 0x7e00;
  EXPECT_TRUE(run_and_compare(p));
  Regs d(op.cd_regs);
  ASSERT_TRUE(asmk::mfma::execute(op, operands_for(p, {}, d)).ok());
  int nan_rows = 0;
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < op.cd_regs; ++s) {
      const bool is_nan = std::isnan(std::bit_cast<float>(d.at(s, lane)));
      EXPECT_EQ(is_nan, output_element(op, lane, s).row == 3);
      nan_rows += is_nan;
    }
  EXPECT_EQ(nan_rows, 32);
}

TEST(MfmaNan, InfinityTimesZeroIsNan) {
  const MfmaOp& op = get("v_mfma_f32_16x16x16_bf16");
  const Regs d = run_uniform(op, 16, 0x7f80 /* +Inf */, 0x0000, 0);
  for (auto w : d.words) ASSERT_TRUE(std::isnan(std::bit_cast<float>(w)));
}

TEST(MfmaNan, Fp8NanCodesPerArch) {
  // gfx942 fnuz: 0x80 is NaN; gfx950 OCP e4m3: 0x80 is -0 and 0x7f is NaN.
  const Regs fnuz = run_uniform(get("v_mfma_f32_16x16x32_fp8_fp8", Arch::gfx942), 8, 0x80, 0x38, 0);
  for (auto w : fnuz.words) ASSERT_TRUE(std::isnan(std::bit_cast<float>(w)));
  const Regs ocp_zero = run_uniform(get("v_mfma_f32_16x16x32_fp8_fp8", Arch::gfx950), 8, 0x80, 0x38, 0x3f800000u);
  for (auto w : ocp_zero.words) ASSERT_EQ(std::bit_cast<float>(w), 1.0f);
  const Regs ocp_nan = run_uniform(get("v_mfma_f32_16x16x32_fp8_fp8", Arch::gfx950), 8, 0x7f, 0x38, 0);
  for (auto w : ocp_nan.words) ASSERT_TRUE(std::isnan(std::bit_cast<float>(w)));
  // gfx942 e4m3fnuz 0x38 = 0.5 (bias 8), gfx950 e4m3fn 0x38 = 1.0 (bias 7): 32 products.
  const Regs fnuz_half = run_uniform(get("v_mfma_f32_16x16x32_fp8_fp8", Arch::gfx942), 8, 0x38, 0x38, 0);
  for (auto w : fnuz_half.words) ASSERT_EQ(std::bit_cast<float>(w), 32 * 0.25f);
  const Regs ocp_one = run_uniform(get("v_mfma_f32_16x16x32_fp8_fp8", Arch::gfx950), 8, 0x38, 0x38, 0);
  for (auto w : ocp_one.words) ASSERT_EQ(std::bit_cast<float>(w), 32.0f);
}

TEST(MfmaXf32, InputsKeepTenMantissaBits) {
  const MfmaOp& op = get("v_mfma_f32_16x16x8_xf32");
  // 1 + 2^-12 rounds to 1 at 10 mantissa bits; 1 + 3 * 2^-11 rounds (tie) to even 1 + 2^-9.
  const Regs d = run_uniform(op, 32, std::bit_cast<std::uint32_t>(1.0f + 0x1p-12f), std::bit_cast<std::uint32_t>(1.0f), 0);
  for (auto w : d.words) ASSERT_EQ(std::bit_cast<float>(w), 8.0f);
  const Regs tie = run_uniform(op, 32, std::bit_cast<std::uint32_t>(1.0f + 3 * 0x1p-11f), std::bit_cast<std::uint32_t>(1.0f), 0);
  for (auto w : tie.words) ASSERT_EQ(std::bit_cast<float>(w), 8.0f * (1.0f + 0x1p-9f));
}

TEST(MfmaF16, SubnormalInputsAreNotFlushed) {
  const MfmaOp& op = get("v_mfma_f32_16x16x16_f16");
  const Regs d = run_uniform(op, 16, 0x0001 /* 2^-24 */, 0x3c00 /* 1.0 */, 0);
  for (auto w : d.words) ASSERT_EQ(std::bit_cast<float>(w), 16 * 0x1p-24f);
}

TEST(MfmaF64, AccumulatesWithFusedMultiplyAdd) {
  const MfmaOp& op = get("v_mfma_f64_16x16x4_f64");
  // A = B = x = 1 + 2^-30 for k = 0 (lanes 0-15 hold k = 0), B = 0 for k = 1..3, C = -(1 + 2^-29).
  // x * x = 1 + 2^-29 + 2^-60 exactly; a fused multiply-add leaves 2^-60, a rounded product 0.
  const double x = 1.0 + 0x1p-30;
  Regs a(op.a_regs), b(op.b_regs), c(op.cd_regs), d(op.cd_regs);
  for (int lane = 0; lane < kLanes; ++lane) {
    a.put_bits(lane, 0, 64, std::bit_cast<std::uint64_t>(x));
    b.put_bits(lane, 0, 64, std::bit_cast<std::uint64_t>(lane < 16 ? x : 0.0));
    for (int s = 0; s < 4; ++s) c.put_bits(lane, 64 * s, 64, std::bit_cast<std::uint64_t>(-(1.0 + 0x1p-29)));
  }
  asmk::mfma::MfmaOperands ops;
  ops.a = a.words.data();
  ops.b = b.words.data();
  ops.c = c.words.data();
  ops.d = d.words.data();
  ASSERT_TRUE(asmk::mfma::execute(op, ops).ok());
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < 4; ++s) ASSERT_EQ(std::bit_cast<double>(d.get_bits(lane, 64 * s, 64)), 0x1p-60);
}

}  // namespace
}  // namespace mfma_test
