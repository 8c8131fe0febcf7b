// Every MFMA instruction of gfx942 and gfx950 on random inputs, against the independent
// element-wise reference (layouts as documented in mfma_reference.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mfma_compare.hpp"

namespace mfma_test {
namespace {

struct Case {
  Arch arch;
  std::string mnemonic;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (Arch arch : {Arch::gfx942, Arch::gfx950})
    for (const MfmaOp& op : asmk::mfma::all_mfma(arch)) cases.push_back({arch, std::string(op.mnemonic)});
  return cases;
}

class EveryInstruction : public ::testing::TestWithParam<Case> {};

TEST_P(EveryInstruction, MatchesElementwiseReference) {
  const MfmaOp* op = asmk::mfma::find_mfma(GetParam().mnemonic, GetParam().arch);
  ASSERT_NE(op, nullptr);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Problem p = make_problem(*op, op->a_type, op->b_type, seed);
    RunOptions options;
    if (op->scaled) {  // neutral scales: 2^0 in byte 0
      options.scales.enabled = true;
      options.scales.a_words.assign(kLanes, 127u);
      options.scales.b_words.assign(kLanes, 127u);
    }
    EXPECT_TRUE(run_and_compare(p, options)) << "seed " << seed;
  }
}

TEST_P(EveryInstruction, ShapeFactsAreConsistent) {
  const MfmaOp* op = asmk::mfma::find_mfma(GetParam().mnemonic, GetParam().arch);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->flops, 2ull * op->m * op->n * op->k * op->blocks);
  EXPECT_EQ(op->passes * 4, op->cycles);
  EXPECT_EQ(op->arch, GetParam().arch);
  // The mnemonic spells the shape: ..._MxNxK[_Bb]_...
  std::string shape = std::to_string(op->m) + "x" + std::to_string(op->n) + "x" + std::to_string(op->k);
  EXPECT_NE(std::string(op->mnemonic).find(shape), std::string::npos) << shape;
  if (op->blocks > 1) {
    EXPECT_NE(std::string(op->mnemonic).find("_" + std::to_string(op->blocks) + "b_"), std::string::npos);
  }
}

TEST_P(EveryInstruction, PlaceQueriesAgreeWithTheDocumentedLayouts) {
  const MfmaOp* op = asmk::mfma::find_mfma(GetParam().mnemonic, GetParam().arch);
  ASSERT_NE(op, nullptr);
  const std::vector<std::uint32_t> formats = op->f8f6f4 ? std::vector<std::uint32_t>{0, 1, 2, 3, 4}
                                                        : std::vector<std::uint32_t>{0};
  for (std::uint32_t format : formats) {
    DataType type = op->a_type;
    if (op->f8f6f4) asmk::mfma::f8f6f4_format(format, type);
    const int width = bits_of(type);
    for (int lane = 0; lane < kLanes; ++lane)
      for (int t = 0; t < op->m * op->k * op->blocks / kLanes; ++t) {
        const InputElement e = input_element(*op, op->m, type, lane, t);
        const auto a = asmk::mfma::a_place(*op, e.block, e.row, e.k, format);
        ASSERT_EQ(a.lane, lane);
        ASSERT_EQ(a.reg * 32 + a.bit, t * width) << "A lane " << lane << " item " << t;
        const InputElement f = input_element(*op, op->n, type, lane, t);
        const auto b = asmk::mfma::b_place(*op, f.block, f.k, f.row, format);
        ASSERT_EQ(b.lane, lane);
        ASSERT_EQ(b.reg * 32 + b.bit, t * width) << "B lane " << lane << " item " << t;
      }
  }
  const int out_width = bits_of(op->out_type);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int s = 0; s < op->cd_regs * 32 / out_width; ++s) {
      const OutputElement e = output_element(*op, lane, s);
      const auto d = asmk::mfma::d_place(*op, e.block, e.row, e.col);
      ASSERT_EQ(d.lane, lane);
      ASSERT_EQ(d.reg * 32 + d.bit, s * out_width);
    }
}

INSTANTIATE_TEST_SUITE_P(Mfma, EveryInstruction, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(asmk::arch_name(info.param.arch)) + "_" + info.param.mnemonic;
                         });

TEST(MfmaTable, CountsPerArch) {
  // 28 shared + 4 gfx942-only (f64 x2, xf32 x2) and 28 + 12 gfx950-only.
  EXPECT_EQ(asmk::mfma::all_mfma(Arch::gfx942).size(), 32u);
  EXPECT_EQ(asmk::mfma::all_mfma(Arch::gfx950).size(), 40u);
}

TEST(MfmaTable, LookupIsPerArch) {
  EXPECT_NE(asmk::mfma::find_mfma("v_mfma_f32_16x16x8_xf32", Arch::gfx942), nullptr);
  EXPECT_EQ(asmk::mfma::find_mfma("v_mfma_f32_16x16x8_xf32", Arch::gfx950), nullptr);
  EXPECT_EQ(asmk::mfma::find_mfma("v_mfma_f32_32x32x16_bf16", Arch::gfx942), nullptr);
  EXPECT_NE(asmk::mfma::find_mfma("v_mfma_f32_32x32x16_bf16", Arch::gfx950), nullptr);
  EXPECT_EQ(asmk::mfma::find_mfma("v_mfma_f32_32x32x8bf16_1k", Arch::gfx942), nullptr);  // legacy spelling
  const std::string message = asmk::mfma::unknown_mfma_message("v_mfma_nope", Arch::gfx942);
  EXPECT_NE(message.find("v_mfma_nope"), std::string::npos);
  EXPECT_NE(message.find("gfx942"), std::string::npos);
  EXPECT_NE(message.find("v_mfma_f32_32x32x8_f16"), std::string::npos);
}

TEST(MfmaTable, PublishedCosts) {
  // AMD matrix instruction calculator (CDNA3) and the ROCm CDNA3/CDNA4 matrix-core article.
  auto cycles = [](const char* name, Arch arch) { return asmk::mfma::find_mfma(name, arch)->cycles; };
  EXPECT_EQ(cycles("v_mfma_f32_32x32x8_f16", Arch::gfx942), 32);
  EXPECT_EQ(cycles("v_mfma_f32_16x16x16_bf16", Arch::gfx942), 16);
  EXPECT_EQ(cycles("v_mfma_f32_32x32x2_f32", Arch::gfx942), 64);
  EXPECT_EQ(cycles("v_mfma_f32_16x16x4_f32", Arch::gfx942), 32);
  EXPECT_EQ(cycles("v_mfma_f32_32x32x4_xf32", Arch::gfx942), 32);
  EXPECT_EQ(cycles("v_mfma_f32_16x16x32_fp8_fp8", Arch::gfx942), 16);
  EXPECT_EQ(cycles("v_mfma_f32_32x32x16_f16", Arch::gfx950), 32);
  EXPECT_EQ(cycles("v_mfma_f32_16x16x32_bf16", Arch::gfx950), 16);
  EXPECT_EQ(cycles("v_mfma_f64_16x16x4_f64", Arch::gfx950), 64);
  const MfmaOp* f4 = asmk::mfma::find_mfma("v_mfma_f32_32x32x64_f8f6f4", Arch::gfx950);
  EXPECT_EQ(asmk::mfma::cycles_for(*f4, 0, 0), 64);  // fp8 x fp8
  EXPECT_EQ(asmk::mfma::cycles_for(*f4, 4, 0), 64);  // fp4 x fp8: the fp8 side sets the rate
  EXPECT_EQ(asmk::mfma::cycles_for(*f4, 4, 4), 32);  // fp4 x fp4
  EXPECT_EQ(asmk::mfma::cycles_for(*f4, 2, 3), 32);  // fp6 x bf6
  const MfmaOp* f4s = asmk::mfma::find_mfma("v_mfma_scale_f32_16x16x128_f8f6f4", Arch::gfx950);
  EXPECT_EQ(asmk::mfma::cycles_for(*f4s, 4, 4), 16);
  EXPECT_EQ(asmk::mfma::cycles_for(*f4s, 1, 4), 32);
}

}  // namespace
}  // namespace mfma_test
