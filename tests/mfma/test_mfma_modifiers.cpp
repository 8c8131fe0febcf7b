// CBSZ/ABID broadcast, BLGP lane patterns, f64 neg, inline-constant SrcC, D aliasing C, and the
// rejection of modifiers an instruction does not define.
#include <gtest/gtest.h>

#include <string>

#include "mfma_compare.hpp"

namespace mfma_test {
namespace {

TEST(MfmaBroadcast, EveryCbszAndAbidOfBlockForms) {
  for (Arch arch : {Arch::gfx942, Arch::gfx950})
    for (const char* name : {"v_mfma_f32_32x32x1_2b_f32", "v_mfma_f32_16x16x1_4b_f32", "v_mfma_f32_4x4x1_16b_f32",
                             "v_mfma_f32_32x32x4_2b_f16", "v_mfma_f32_16x16x4_4b_bf16", "v_mfma_f32_4x4x4_16b_f16",
                             "v_mfma_i32_16x16x4_4b_i8", "v_mfma_i32_4x4x4_16b_i8", "v_mfma_f64_4x4x4_4b_f64"}) {
      const MfmaOp& op = get(name, arch);
      for (std::uint32_t cbsz = 1; (1 << cbsz) <= op.blocks; ++cbsz)
        for (std::uint32_t abid = 0; abid < (1u << cbsz); abid += (cbsz > 2 ? 3 : 1)) {
          Problem p = make_problem(op, op.a_type, op.b_type, 100 + cbsz * 16 + abid);
          p.mods.cbsz = cbsz;
          p.mods.abid = abid;
          EXPECT_TRUE(run_and_compare(p)) << name << " cbsz " << cbsz << " abid " << abid;
        }
    }
}

TEST(MfmaBlgp, AllLanePatterns) {
  for (Arch arch : {Arch::gfx942, Arch::gfx950})
    for (const char* name : {"v_mfma_f32_32x32x8_f16", "v_mfma_f32_16x16x16_bf16", "v_mfma_f32_32x32x2_f32",
                             "v_mfma_i32_16x16x32_i8", "v_mfma_f32_16x16x32_fp8_bf8", "v_mfma_f32_4x4x4_16b_f16",
                             "v_mfma_f32_32x32x1_2b_f32"}) {
      const MfmaOp& op = get(name, arch);
      for (std::uint32_t blgp = 1; blgp < 8; ++blgp) {
        Problem p = make_problem(op, op.a_type, op.b_type, 200 + blgp);
        p.mods.blgp = blgp;
        reload_b(p, apply_blgp_to_b(p.b, blgp));  // what each lane sees after the pattern
        EXPECT_TRUE(run_and_compare(p)) << name << " blgp " << blgp;
      }
    }
}

TEST(MfmaBlgp, GfxNineFiftyDoubleRateForms) {
  const MfmaOp& op = get("v_mfma_f32_32x32x16_bf16", Arch::gfx950);
  for (std::uint32_t blgp : {1u, 3u, 6u}) {
    Problem p = make_problem(op, op.a_type, op.b_type, 300 + blgp);
    p.mods.blgp = blgp;
    reload_b(p, apply_blgp_to_b(p.b, blgp));
    EXPECT_TRUE(run_and_compare(p)) << "blgp " << blgp;
  }
}

TEST(MfmaNeg, F64NegatesEachOperand) {
  for (Arch arch : {Arch::gfx942, Arch::gfx950})
    for (const char* name : {"v_mfma_f64_16x16x4_f64", "v_mfma_f64_4x4x4_4b_f64"})
      for (std::uint32_t neg = 1; neg < 8; ++neg) {
        const MfmaOp& op = get(name, arch);
        Problem p = make_problem(op, op.a_type, op.b_type, 400 + neg);
        p.mods.neg = neg;
        EXPECT_TRUE(run_and_compare(p)) << name << " neg " << neg;
      }
}

TEST(MfmaSrcC, InlineConstant) {
  {
    const MfmaOp& op = get("v_mfma_f32_32x32x8_f16");
    Problem p = make_problem(op, op.a_type, op.b_type, 7);
    RunOptions options;
    options.c_inline = true;
    options.c_constant = 0x3f800000u;  // 1.0
    EXPECT_TRUE(run_and_compare(p, options));
    options.c_constant = 0;
    EXPECT_TRUE(run_and_compare(p, options));
  }
  {
    const MfmaOp& op = get("v_mfma_i32_32x32x16_i8");
    Problem p = make_problem(op, op.a_type, op.b_type, 8);
    RunOptions options;
    options.c_inline = true;
    options.c_constant = 0xfffffff0u;  // -16
    EXPECT_TRUE(run_and_compare(p, options));
  }
  {
    const MfmaOp& op = get("v_mfma_f64_16x16x4_f64");
    Problem p = make_problem(op, op.a_type, op.b_type, 9);
    RunOptions options;
    options.c_inline = true;
    options.c_constant = std::bit_cast<std::uint64_t>(-2.0);
    EXPECT_TRUE(run_and_compare(p, options));
  }
}

TEST(MfmaSrcC, DestinationMayAliasC) {
  for (const char* name : {"v_mfma_f32_32x32x8_bf16", "v_mfma_f32_32x32x1_2b_f32", "v_mfma_f64_16x16x4_f64",
                           "v_mfma_i32_4x4x4_16b_i8"}) {
    const MfmaOp& op = get(name);
    Problem p = make_problem(op, op.a_type, op.b_type, 10);
    RunOptions options;
    options.d_aliases_c = true;
    EXPECT_TRUE(run_and_compare(p, options)) << name;
  }
}

// Each call must fail, name the instruction, and leave D untouched.
void expect_rejected(const MfmaOp& op, asmk::mfma::MfmaOperands ops, const std::string& needle) {
  Regs d(op.cd_regs > 0 ? op.cd_regs : 1);
  for (auto& w : d.words) w = 0xdeadbeefu;
  if (ops.d != nullptr) ops.d = d.words.data();
  const asmk::mfma::MfmaResult result = asmk::mfma::execute(op, ops);
  ASSERT_FALSE(result.ok()) << needle;
  EXPECT_NE(result.error.find(std::string(op.mnemonic)), std::string::npos) << result.error;
  EXPECT_NE(result.error.find(needle), std::string::npos) << result.error;
  for (auto w : d.words) ASSERT_EQ(w, 0xdeadbeefu);
}

TEST(MfmaErrors, ModifiersOutsideTheInstructionsDefinition) {
  Regs big(32);  // large enough for any operand
  asmk::mfma::MfmaOperands base;
  base.a = base.b = base.c = big.words.data();
  base.d = big.words.data();

  auto with = [&](auto change) { asmk::mfma::MfmaOperands o = base; change(o); return o; };
  const MfmaOp& two_blocks = get("v_mfma_f32_32x32x4_2b_f16");
  expect_rejected(two_blocks, with([](auto& o) { o.cbsz = 2; }), "cbsz");
  expect_rejected(two_blocks, with([](auto& o) { o.cbsz = 1; o.abid = 2; }), "abid");
  const MfmaOp& one_block = get("v_mfma_f32_32x32x8_f16");
  expect_rejected(one_block, with([](auto& o) { o.cbsz = 1; }), "broadcast");
  expect_rejected(one_block, with([](auto& o) { o.blgp = 8; }), "blgp");
  expect_rejected(one_block, with([](auto& o) { o.neg = 1; }), "neg");
  const MfmaOp& f64 = get("v_mfma_f64_16x16x4_f64");
  expect_rejected(f64, with([](auto& o) { o.blgp = 1; }), "blgp");
  const MfmaOp& f8f6f4 = get("v_mfma_f32_32x32x64_f8f6f4", Arch::gfx950);
  expect_rejected(f8f6f4, with([](auto& o) { o.cbsz = 5; }), "cbsz");
  expect_rejected(f8f6f4, with([](auto& o) { o.blgp = 7; }), "blgp");
  expect_rejected(f8f6f4, with([](auto& o) { o.abid = 1; }), "abid");
  const MfmaOp& scaled = get("v_mfma_scale_f32_16x16x128_f8f6f4", Arch::gfx950);
  expect_rejected(scaled, base, "scale");
  expect_rejected(one_block, with([](auto& o) { o.b = nullptr; }), "required");
}

}  // namespace
}  // namespace mfma_test
