// Issue 10's instructions and modifiers (kernels/new_instrs.s): DPP row_newbcast (32- and 64-bit,
// row mask, inactive source lanes with and without bound_ctrl), v_nop, s_setvskip, v_cvt_pk_u8_f32,
// v_cvt_off_f32_i4, v_pack_b32_f16, the stochastic-rounding conversions and the gfx950 f16/bf16
// conversions. Expected values are written from the ISA descriptions and the format definitions
// (bias, NaN codes), lane by lane, not from the emulator or the numeric module.
#include <cmath>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
constexpr uint32_t kPreset = 0x11223344u;

class NewInstrs : public ::testing::TestWithParam<std::string> {
 protected:
  bool gfx950() const { return GetParam() == "gfx950"; }
  float fp8_max() const { return gfx950() ? 448.0f : 240.0f; }
  float fp8_over() const { return gfx950() ? 460.0f : 250.0f; }
  float min_sub() const { return gfx950() ? std::ldexp(1.0f, -9) : std::ldexp(1.0f, -10); }

  // v1: values, v2: random words, v3: scale (exponent 126..128) | byte select, v4: 1.0 scale | pattern.
  std::vector<uint32_t> in() const {
    std::vector<uint32_t> v(4 * 64);
    const float x[16] = {1.0625f, 1.0625f, 1.0f, -1.0625f, 1.0625f, NAN, fp8_max(), fp8_over(), fp8_over(),
                         1.5f * min_sub(), 0.25f * min_sub(), -0.0f, 65520.0f, std::ldexp(1.0f, -24), 65504.0f, 0};
    const uint32_t random[16] = {0x7ffff, 0x80000, 0xffffffffu, 0x80000, 0xfff80000u, 0, 0xfffff, 0xfffff, 0,
                                 0x80000, 0xc0000, 0x12345, 0x1000, 0, 0, 0x8000};
    for (int l = 0; l < 64; l++) {
      v[l] = l < 15 ? bits(x[l]) : l == 15 ? 0x3f808000u : bits(float(l) * 0.75f + 0.5f);
      v[64 + l] = l < 16 ? random[l] : uint32_t(l) * 0x9e3779b9u;
      v[128 + l] = uint32_t(126 + l % 3) << 23 | uint32_t(l & 3);
      v[192 + l] = 127u << 23 | ((uint32_t(l) * 0x10101u) & 0x7fffffu);
    }
    return v;
  }
  std::vector<uint32_t> run() {
    auto co = load_kernel_file("new_instrs", GetParam());
    EXPECT_TRUE(co && co->coverage().empty());
    Device dev;
    uint64_t din = upload(dev, in()), dout = upload(dev, std::vector<uint32_t>(24 * 64, 0));
    Dispatch d;
    d.kernel = *co->find("new_instrs");
    d.block = {64, 1, 1};
    d.kernargs = Kernargs().add(din).add(dout).bytes();
    auto r = launch(dev, d, {.strict = true});
    EXPECT_TRUE(r.ok()) << describe(r);
    return download<uint32_t>(dev, dout, 24 * 64);
  }
  static uint32_t at(const std::vector<uint32_t>& out, int reg, int lane) {
    const int n = reg < 30 ? reg - 10 : reg - 11;  // v30 is the address, not stored
    return out[n * 64 + lane];
  }
};

TEST_P(NewInstrs, DppRowNewbcastReadsLaneNOfEachRow) {
  const auto v = in();
  const auto out = run();
  for (int l = 0; l < 64; l++) {
    const int row = l & ~15;
    EXPECT_EQ(at(out, 10, l), v[row | 5]) << "row_newbcast:5 lane " << l;
    const bool row_on = ((l >> 4) & 1) == 0;  // row_mask 0x5: rows 0 and 2 are written
    EXPECT_EQ(at(out, 11, l), row_on ? v[row | 15] : kPreset) << "row_newbcast:15 row_mask:0x5 lane " << l;
    EXPECT_EQ(at(out, 12, l), v[row] + v[64 + l]) << "v_add_u32_dpp row_newbcast:0 lane " << l;
    EXPECT_EQ(at(out, 14, l), v[row | 3]) << "v_mov_b64_dpp low dword lane " << l;
    EXPECT_EQ(at(out, 15, l), v[192 + (row | 3)]) << "v_mov_b64_dpp high dword lane " << l;
    // EXEC without lane 3: row 0 reads an inactive lane. bound_ctrl:0 leaves those lanes
    // unwritten, bound_ctrl:1 writes 0; lane 3 itself is never written.
    const uint32_t other_rows = v[row | 3];
    EXPECT_EQ(at(out, 13, l), l == 3 || l < 16 ? kPreset : other_rows) << "inactive source lane " << l;
    EXPECT_EQ(at(out, 16, l), l == 3 ? kPreset : l < 16 ? 0u : other_rows) << "bound_ctrl:1 lane " << l;
  }
}

TEST_P(NewInstrs, PackAndIntegerConversions) {
  const auto v = in();
  const auto out = run();
  // f32_to_u8: truncation, NaN and negatives 0, saturation at 255.
  const uint32_t u8_942[16] = {1, 1, 1, 0, 1, 0, 240, 250, 250, 0, 0, 0, 255, 0, 255, 1};
  const uint32_t u8_950[16] = {1, 1, 1, 0, 1, 0, 255, 255, 255, 0, 0, 0, 255, 0, 255, 1};
  const float i4[16] = {0, 0.0625f, 0.125f, 0.1875f, 0.25f, 0.3125f, 0.375f, 0.4375f,
                        -0.5f, -0.4375f, -0.375f, -0.3125f, -0.25f, -0.1875f, -0.125f, -0.0625f};
  for (int l = 0; l < 64; l++) {
    const int shift = 8 * (l & 3);
    if (l < 16) {
      const uint32_t u8 = gfx950() ? u8_950[l] : u8_942[l];
      EXPECT_EQ(at(out, 17, l), (v[192 + l] & ~(0xffu << shift)) | u8 << shift) << "v_cvt_pk_u8_f32 lane " << l;
    }
    EXPECT_EQ(at(out, 18, l), bits(i4[l & 15])) << "v_cvt_off_f32_i4 lane " << l;
    EXPECT_EQ(at(out, 19, l), bits(2 * i4[l & 15])) << "v_cvt_off_f32_i4 mul:2 lane " << l;
    EXPECT_EQ(at(out, 20, l), (v[l] >> 16) | (v[64 + l] & 0xffff) << 16) << "v_pack_b32_f16 op_sel:[1,0] lane " << l;
    EXPECT_EQ(at(out, 21, l), ((v[l] & 0xffff) ^ 0x8000) | ((v[64 + l] >> 16) & 0x7fff) << 16)
        << "v_pack_b32_f16 -lo, |hi| lane " << l;
    EXPECT_EQ(at(out, 24, l), 7u) << "v_nop and a clearing s_setvskip let the wave go on";
  }
}

// The random word's low (source mantissa bits - destination mantissa bits) bits are added to the
// bits cut off below the destination's precision; a carry rounds the magnitude up.
TEST_P(NewInstrs, StochasticRoundingToFp8AndBf8) {
  const auto out = run();
  // e4m3fnuz: bias 8, NaN 0x80, max 240 = 0x7f, no -0. e4m3fn: bias 7, NaN 0x7f, max 448 = 0x7e.
  const uint32_t fnuz[12] = {0x40, 0x41, 0x40, 0xc1, 0x41, 0x80, 0x7f, 0x80, 0x7f, 0x02, 0x01, 0x00};
  const uint32_t ocp[12] = {0x38, 0x39, 0x38, 0xb9, 0x39, 0x7f, 0x7e, 0x7f, 0x7e, 0x02, 0x01, 0x80};
  for (int l = 0; l < 12; l++)
    EXPECT_EQ(at(out, 22, l), (kPreset & 0x00ffffffu) | (gfx950() ? ocp : fnuz)[l] << 24) << "v_cvt_sr_fp8_f32 byte 3, lane " << l;
  // e5m2: 1.0 is 0x40 (fnuz, bias 16) / 0x3c (OCP, bias 15), 1.25 the next code. 1.0625 is a
  // quarter ulp above 1.0: 0x80000 of 2^21; only the 0x180000 of lane 4's word carries.
  const uint32_t one = gfx950() ? 0x3c : 0x40;
  const uint32_t bf8[5] = {one, one, one, 0, one + 1};
  for (int l : {0, 1, 2, 4})
    EXPECT_EQ(at(out, 23, l), (kPreset & 0xffffff00u) | bf8[l]) << "v_cvt_sr_bf8_f32 byte 0, lane " << l;
}

TEST_P(NewInstrs, Gfx950HalfPrecisionAndScaledConversions) {
  if (!gfx950()) GTEST_SKIP() << "gfx950 instructions";
  const auto v = in();
  const auto out = run();
  // v_cvt_pk_f16_f32: round to nearest even; 65520 is the midpoint to 65536 and rounds to Inf.
  EXPECT_EQ(at(out, 25, 0) & 0xffff, 0x3c40u);
  EXPECT_EQ(at(out, 25, 12) & 0xffff, 0x7c00u);
  EXPECT_EQ(at(out, 25, 13) & 0xffff, 0x0001u);
  EXPECT_EQ(at(out, 25, 14) & 0xffff, 0x7bffu);
  EXPECT_EQ(at(out, 25, 0) >> 16, 0x0000u) << "a denormal f32 (0x7ffff) flushes to +0 in f16";
  EXPECT_EQ((at(out, 25, 2) >> 16) & 0x7c00, 0x7c00u) << "NaN stays NaN";
  EXPECT_NE((at(out, 25, 2) >> 16) & 0x3ff, 0u);
  for (int l = 0; l < 64; l++) {
    EXPECT_EQ(at(out, 26, l), v[l] & 0xffff0000u) << "v_cvt_f32_bf16 WORD_1 lane " << l;
    EXPECT_EQ(at(out, 27, l), v[l] << 16) << "v_cvt_f32_bf16 lane " << l;
  }
  // v_cvt_scalef32_pk_bf16_fp8, word 1 of v1: lane 0 bytes 0x88 (-2^-6), 0x3f (1.875), scale 0.5;
  // lane 1 the same bytes, scale 1; lane 2 bytes 0x80 (-0), 0x3f, scale 2.
  EXPECT_EQ(at(out, 28, 0), 0x3f70bc00u);
  EXPECT_EQ(at(out, 28, 1), 0x3ff0bc80u);
  EXPECT_EQ(at(out, 28, 2), 0x40708000u);
  // v_cvt_sr_f16_f32 into the high half: 65520 + a carry of the 0x1000 cut bits -> Inf.
  EXPECT_EQ(at(out, 29, 12), 0x7c000000u | (kPreset & 0xffff));
  EXPECT_EQ(at(out, 29, 13), 0x00010000u | (kPreset & 0xffff));
  EXPECT_EQ(at(out, 29, 14), 0x7bff0000u | (kPreset & 0xffff));
  EXPECT_EQ(at(out, 29, 0), 0x3c400000u | (kPreset & 0xffff));
  // v_cvt_scalef32_sr_fp8_f32 into byte 1: lane 0 2.125 (1.0625 / 0.5) half an ulp above 2.0 with
  // 0x7ffff -> 2.0 (0x40); lane 1 1.0625 with 0x80000 -> 1.125 (0x39); lane 2 0.5 exactly (0x30).
  EXPECT_EQ(at(out, 31, 0), 0x11224044u);
  EXPECT_EQ(at(out, 31, 1), 0x11223944u);
  EXPECT_EQ(at(out, 31, 2), 0x11223044u);
  // v_cvt_sr_bf16_f32 into the low half: 1 + 2^-8 is half a bf16 ulp above 1.0; 0x8000 carries.
  EXPECT_EQ(at(out, 32, 15), 0x11223f81u);
  EXPECT_EQ(at(out, 32, 0), 0x11223f88u);
  EXPECT_EQ(at(out, 32, 5) & 0x7f80u, 0x7f80u) << "NaN";
  EXPECT_NE(at(out, 32, 5) & 0x7fu, 0u) << "NaN";
  EXPECT_EQ(at(out, 32, 5) >> 16, kPreset >> 16);
  // v_cvt_scalef32_sr_pk_fp4_f32 (v1, v4) into byte 2: 240 saturates to 6 (0x7), -1.0625 with no
  // carry -> -1 (0xa), v4 (about 1.0) -> 1 (0x2).
  EXPECT_EQ(at(out, 33, 6), 0x11273344u);
  EXPECT_EQ(at(out, 33, 3), 0x112a3344u);
  // v_cvt_scalef32_pk_f16_fp8, word 0 of v1, scale 1: lane 15 bytes 0x00, 0x80 (-0); lane 12
  // bytes 0x00, 0xf0 (-128).
  EXPECT_EQ(at(out, 34, 15), 0x80000000u);
  EXPECT_EQ(at(out, 34, 12), 0xd8000000u);
}

TEST_P(NewInstrs, SetvskipEnableFaults) {
  auto co = load_kernel_file("setvskip", GetParam());
  ASSERT_TRUE(co && co->coverage().empty());
  Device dev;
  Dispatch d;
  d.kernel = *co->find("setvskip");
  d.block = {64, 1, 1};
  auto r = launch(dev, d, {});
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.faults.size(), 1u) << describe(r);
  EXPECT_NE(r.faults[0].message.find("VSKIP"), std::string::npos) << describe(r);
  EXPECT_EQ(r.faults[0].pc, 4) << "the s_setvskip after the 4-byte s_mov_b32";
}

INSTANTIATE_TEST_SUITE_P(Arches, NewInstrs, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
