// Wait-state data against the figures LLVM 22's GCNHazardRecognizer states for gfx940/gfx950
// (its comment tables, e.g. "xdl def cycles | gfx942 | gfx950 / 8 pass | 11 | 12").
#include <gtest/gtest.h>

#include <string>

#include "asmk/mfma/mfma.hpp"
#include "mfma_reference.hpp"

namespace {

using asmk::Arch;
using asmk::mfma::DependencyKind;
using asmk::mfma::MfmaOp;

using mfma_test::get;

int waits(const char* producer, Arch arch, DependencyKind kind, const char* consumer = nullptr) {
  asmk::mfma::HazardQuery q;
  q.producer = &get(producer, arch);
  q.kind = kind;
  if (consumer != nullptr) q.consumer = &get(consumer, arch);
  return asmk::mfma::required_wait_states(q);
}

TEST(MfmaHazards, XdlReadAfterWrite) {
  // XDL producer, VALU / SrcA-B / memory reads: 2 pass 5|5, 4 pass 7|8, 8 pass 11|12, 16 pass 19|20.
  for (DependencyKind kind : {DependencyKind::valu_read, DependencyKind::srcab_overlap, DependencyKind::mem_read,
                              DependencyKind::valu_write_waw}) {
    EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_f16", Arch::gfx942, kind), 5);
    EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_f16", Arch::gfx950, kind), 5);
    EXPECT_EQ(waits("v_mfma_f32_16x16x16_f16", Arch::gfx942, kind), 7);
    EXPECT_EQ(waits("v_mfma_f32_16x16x16_f16", Arch::gfx950, kind), 8);
    EXPECT_EQ(waits("v_mfma_f32_32x32x8_bf16", Arch::gfx942, kind), 11);
    EXPECT_EQ(waits("v_mfma_f32_32x32x8_bf16", Arch::gfx950, kind), 12);
    EXPECT_EQ(waits("v_mfma_f32_32x32x4_2b_f16", Arch::gfx942, kind), 19);
    EXPECT_EQ(waits("v_mfma_f32_32x32x64_f8f6f4", Arch::gfx950, kind), 20);  // fp8: 16 passes
  }
}

TEST(MfmaHazards, XdlSrcC) {
  // Overlapping SrcC, XDL -> XDL: 2 pass 3|4, 4 pass 5|6, 8 pass 9|10, 16 pass 17|18.
  EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_bf16", Arch::gfx942, DependencyKind::srcc_overlap), 3);
  EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_bf16", Arch::gfx950, DependencyKind::srcc_overlap), 4);
  EXPECT_EQ(waits("v_mfma_f32_32x32x8_f16", Arch::gfx942, DependencyKind::srcc_overlap), 9);
  EXPECT_EQ(waits("v_mfma_f32_32x32x8_f16", Arch::gfx950, DependencyKind::srcc_overlap), 10);
  // XDL -> SGEMM/DGEMM consumer: 2 pass 3|3, 8 pass 9|10.
  EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_f16", Arch::gfx950, DependencyKind::srcc_overlap, "v_mfma_f32_32x32x2_f32"), 3);
  EXPECT_EQ(waits("v_mfma_f32_32x32x8_f16", Arch::gfx950, DependencyKind::srcc_overlap, "v_mfma_f64_16x16x4_f64"), 10);
  // Exactly the same SrcC registers (back-to-back accumulation): only 2-pass producers wait (2).
  EXPECT_EQ(waits("v_mfma_f32_32x32x8_f16", Arch::gfx942, DependencyKind::srcc_same), 0);
  EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_f16", Arch::gfx942, DependencyKind::srcc_same), 2);
  // VALU writing a register an XDL MFMA reads as SrcC: 2 pass 1, 4 pass 3, 8 pass 7, 16 pass 15.
  EXPECT_EQ(waits("v_mfma_f32_4x4x4_16b_f16", Arch::gfx942, DependencyKind::valu_write_war_srcc), 1);
  EXPECT_EQ(waits("v_mfma_f32_16x16x16_f16", Arch::gfx942, DependencyKind::valu_write_war_srcc), 3);
  EXPECT_EQ(waits("v_mfma_f32_32x32x8_f16", Arch::gfx942, DependencyKind::valu_write_war_srcc), 7);
  EXPECT_EQ(waits("v_mfma_f32_32x32x16_fp8_fp8", Arch::gfx950, DependencyKind::valu_write_war_srcc), 7);
}

TEST(MfmaHazards, SgemmProducer) {
  // f32-input MFMAs are not XDL on gfx94x: reads P + 2 (16 pass -> 18), SrcC overlap P (16).
  EXPECT_EQ(waits("v_mfma_f32_32x32x2_f32", Arch::gfx942, DependencyKind::valu_read), 18);
  EXPECT_EQ(waits("v_mfma_f32_16x16x4_f32", Arch::gfx942, DependencyKind::srcab_overlap), 10);
  EXPECT_EQ(waits("v_mfma_f32_32x32x2_f32", Arch::gfx942, DependencyKind::srcc_overlap), 16);
  EXPECT_EQ(waits("v_mfma_f32_32x32x2_f32", Arch::gfx942, DependencyKind::srcc_overlap, "v_mfma_f32_32x32x8_f16"), 0);
  EXPECT_EQ(waits("v_mfma_f32_4x4x1_16b_f32", Arch::gfx942, DependencyKind::srcc_same), 2);
  EXPECT_EQ(waits("v_mfma_f32_32x32x2_f32", Arch::gfx942, DependencyKind::valu_write_war_srcc), 0);
  EXPECT_EQ(asmk::mfma::hazard_class(get("v_mfma_f32_32x32x2_f32", Arch::gfx942)), "sgemm");
  EXPECT_EQ(asmk::mfma::hazard_class(get("v_mfma_f32_16x16x8_xf32", Arch::gfx942)), "xdl");
}

TEST(MfmaHazards, DgemmProducer) {
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx942, DependencyKind::valu_read), 11);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx950, DependencyKind::valu_read), 19);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx942, DependencyKind::mem_read), 18);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx950, DependencyKind::srcab_overlap), 19);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx942, DependencyKind::srcc_overlap), 9);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx950, DependencyKind::srcc_overlap), 17);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx942, DependencyKind::valu_write_waw), 11);
  EXPECT_EQ(waits("v_mfma_f64_4x4x4_4b_f64", Arch::gfx942, DependencyKind::valu_read), 6);
  EXPECT_EQ(waits("v_mfma_f64_4x4x4_4b_f64", Arch::gfx942, DependencyKind::mem_read), 9);
  EXPECT_EQ(waits("v_mfma_f64_4x4x4_4b_f64", Arch::gfx942, DependencyKind::srcc_same), 4);
  EXPECT_EQ(waits("v_mfma_f64_4x4x4_4b_f64", Arch::gfx942, DependencyKind::srcc_same, "v_mfma_f64_16x16x4_f64"), 0);
  EXPECT_EQ(waits("v_mfma_f64_16x16x4_f64", Arch::gfx942, DependencyKind::srcc_overlap, "v_mfma_f32_32x32x8_f16"), 0);
}

TEST(MfmaHazards, F8f6f4PassesFollowTheFormats) {
  asmk::mfma::HazardQuery q;
  q.producer = &get("v_mfma_f32_32x32x64_f8f6f4", Arch::gfx950);
  q.kind = DependencyKind::valu_read;
  q.producer_cbsz = 4;  // fp4 x fp4: 32 cycles = 8 passes
  q.producer_blgp = 4;
  EXPECT_EQ(asmk::mfma::required_wait_states(q), 12);
  q.producer_blgp = 0;  // fp4 x fp8: 16 passes
  EXPECT_EQ(asmk::mfma::required_wait_states(q), 20);
  q.producer = &get("v_mfma_scale_f32_16x16x128_f8f6f4", Arch::gfx950);
  q.producer_cbsz = 2;  // fp6 x bf6: 4 passes
  q.producer_blgp = 3;
  EXPECT_EQ(asmk::mfma::required_wait_states(q), 8);
}

TEST(MfmaHazards, FixedRules) {
  EXPECT_EQ(asmk::mfma::required_wait_states(asmk::mfma::FixedHazard::valu_write_then_mfma_read), 2);
  EXPECT_EQ(asmk::mfma::required_wait_states(asmk::mfma::FixedHazard::valu_write_exec_then_mfma), 4);
  EXPECT_EQ(asmk::mfma::required_wait_states(asmk::mfma::FixedHazard::dgemm_then_fma64), 2);
}

}  // namespace
