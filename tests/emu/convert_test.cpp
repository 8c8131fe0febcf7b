// fp8/bf8 conversions (fnuz on gfx942, OCP on gfx950), packed f16 math with op_sel, bf16/f16
// packing and med3: expected codes written from the format definitions (bias, NaN encoding,
// round-to-nearest-even), not from the emulator or the numeric module.
#include <cmath>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
uint16_t half(float f) { return std::bit_cast<uint16_t>(_Float16(f)); }
float from_half(uint16_t h) { return float(std::bit_cast<_Float16>(h)); }

struct Case {
  float x, y;
};

class Convert : public ::testing::TestWithParam<std::string> {
 protected:
  bool gfx950() const { return GetParam() == "gfx950"; }
  std::vector<uint32_t> run(const std::vector<Case>& cases) {
    auto co = load_kernel_file("convert", GetParam());
    EXPECT_TRUE(co && co->coverage().empty());
    std::vector<uint32_t> in(128, 0);
    for (size_t i = 0; i < cases.size(); i++) {
      in[2 * i] = bits(cases[i].x);
      in[2 * i + 1] = bits(cases[i].y);
    }
    // Lane 6: packed halves for the v_pk_* checks.
    in[12] = uint32_t(half(1.5f)) | uint32_t(half(-2.0f)) << 16;
    in[13] = uint32_t(half(0.25f)) | uint32_t(half(4.0f)) << 16;
    Device dev;
    uint64_t din = upload(dev, in), dout = upload(dev, std::vector<uint32_t>(8 * 64, 0));
    Dispatch d;
    d.kernel = *co->find("convert");
    d.block = {64, 1, 1};
    d.kernargs = Kernargs().add(din).add(dout).bytes();
    LaunchOptions opt;
    opt.strict = true;
    auto r = launch(dev, d, opt);
    EXPECT_TRUE(r.ok()) << describe(r);
    return download<uint32_t>(dev, dout, 8 * 64);
  }
};

TEST_P(Convert, Fp8CodesFollowTheArchFormat) {
  const float max = gfx950() ? 448.0f : 240.0f;
  const float min_sub = gfx950() ? std::ldexp(1.0f, -9) : std::ldexp(1.0f, -10);
  const float over = gfx950() ? 500.0f : 300.0f;  // rounds past the largest finite value
  std::vector<Case> cases = {{1.0f, -2.0f}, {max, 0.0f}, {0.5f, 3.0f}, {NAN, min_sub}, {1.0625f, 1.1875f}, {over, -over}};
  auto out = run(cases);
  // e4m3fnuz: bias 8, 0x80 the only NaN (also the overflow result without clamp).
  // e4m3fn (OCP): bias 7, S.1111.111 NaN; overflow without clamp gives NaN.
  const uint8_t fnuz[6][2] = {{0x40, 0xc8}, {0x7f, 0x00}, {0x38, 0x4c}, {0x80, 0x01}, {0x40, 0x42}, {0x80, 0x80}};
  const uint8_t ocp[6][2] = {{0x38, 0xc0}, {0x7e, 0x00}, {0x30, 0x44}, {0x7f, 0x01}, {0x38, 0x3a}, {0x7f, 0xff}};
  for (int l = 0; l < 6; l++) {
    const uint8_t* e = gfx950() ? ocp[l] : fnuz[l];
    EXPECT_EQ(out[l] & 0xff, e[0]) << "lane " << l;
    EXPECT_EQ((out[l] >> 8) & 0xff, e[1]) << "lane " << l;
    EXPECT_EQ(out[l] >> 16, 0u) << "lane " << l;  // the other word is kept (it was 0)
  }
  // Decoding the codes back (SDWA byte selects).
  const float back[6][2] = {{1.0f, -2.0f}, {max, 0.0f}, {0.5f, 3.0f}, {NAN, min_sub}, {1.0f, 1.25f}, {NAN, NAN}};
  for (int l = 0; l < 6; l++)
    for (int b = 0; b < 2; b++) {
      float got = std::bit_cast<float>(out[(2 + b) * 64 + l]);
      if (std::isnan(back[l][b])) EXPECT_TRUE(std::isnan(got)) << l << "," << b;
      else EXPECT_EQ(got, back[l][b]) << l << "," << b;
    }
  // bf8 into the high word (op_sel dst bit), the low word kept: e5m2fnuz bias 16 / e5m2 bias 15.
  const uint8_t bf8_fnuz[3][2] = {{0x40, 0xc4}, {0, 0}, {0x3c, 0x46}};
  const uint8_t bf8_ocp[3][2] = {{0x3c, 0xc0}, {0, 0}, {0x38, 0x42}};
  for (int l : {0, 2}) {
    const uint8_t* e = gfx950() ? bf8_ocp[l] : bf8_fnuz[l];
    EXPECT_EQ(out[64 + l] & 0xffff, out[l] & 0xffff) << l;
    EXPECT_EQ((out[64 + l] >> 16) & 0xff, e[0]) << l;
    EXPECT_EQ(out[64 + l] >> 24, e[1]) << l;
  }
}

TEST_P(Convert, PackedHalfMathWithOpSel) {
  auto out = run({});
  const uint32_t add = out[4 * 64 + 6], mul = out[5 * 64 + 6];
  EXPECT_EQ(from_half(uint16_t(add)), 1.75f);
  EXPECT_EQ(from_half(uint16_t(add >> 16)), 2.0f);
  EXPECT_EQ(from_half(uint16_t(mul)), -0.5f);  // x.hi * y.lo
  EXPECT_EQ(from_half(uint16_t(mul >> 16)), 6.0f);  // x.lo * y.hi
}

TEST_P(Convert, HalfAndBf16PackingAndMed3) {
  std::vector<Case> cases(8, Case{0.0f, 0.0f});
  cases[0] = {1.0f, -2.0f};
  cases[2] = {0.5f, 3.0f};
  cases[7] = {1.00390625f, -3.0f};  // 1 + 2^-8: a bf16 tie (rounds to even 1.0), exact in f16
  auto out = run(cases);
  if (gfx950()) EXPECT_EQ(out[6 * 64 + 7], 0x3f80u | 0xc040u << 16);
  else EXPECT_EQ(out[6 * 64 + 7], 0x3c04u);
  EXPECT_EQ(std::bit_cast<float>(out[7 * 64 + 7]), 1.0f);
  EXPECT_EQ(std::bit_cast<float>(out[7 * 64 + 2]), 0.5f);
  EXPECT_EQ(std::bit_cast<float>(out[7 * 64 + 1]), 0.0f);
}

TEST(ScaledConvert, Gfx950ScalesByTheExponentOfTheScaleOperand) {
  auto co = load_kernel_file("scaled", "gfx950");
  ASSERT_TRUE(co);
  ASSERT_TRUE(co->coverage().empty()) << co->coverage()[0].text;
  Device dev;
  uint64_t dout = upload(dev, std::vector<uint32_t>(9 * 64, 0xdeadbeef));
  Dispatch d;
  d.kernel = *co->find("scaled");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(dout).bytes();
  auto r = launch(dev, d);
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<uint32_t>(dev, dout, 9 * 64);
  // 8 / 4 = 2.0 -> e4m3fn 0x40; -1 / 4 = -0.25 -> 0xa8 (bias 7); the high word is kept (0).
  EXPECT_EQ(out[0], 0xa840u);
  EXPECT_EQ(std::bit_cast<float>(out[64]), 8.0f);    // decoded and scaled back
  EXPECT_EQ(std::bit_cast<float>(out[128]), -1.0f);
  // e2m1: 2.0 -> code 4; -0.25 is a tie between -0 and -0.5 -> even -> -0 (code 8); byte 1.
  EXPECT_EQ(out[192], 0x8400u);
  EXPECT_EQ(std::bit_cast<float>(out[256]), 8.0f);
  EXPECT_EQ(out[320], 0x80000000u);  // -0.0
  // v_cvt_scalef32_pk_bf16_fp4: the byte op_sel[1:0] picks, low nibble into the low half. e2m1 codes
  // 0..7 are 0, 0.5, 1, 1.5, 2, 3, 4, 6 (bit 3: sign). Byte 0 = 0x21 at scale 1: 0.5 (bf16 0x3f00),
  // 1.0 (0x3f80). Byte 2 = 0xc7 at scale 8: 6·8 = 48 (0x4240), −2·8 = −16 (0xc180). Byte 3 = 0x9f at
  // scale 8: −6·8 = −48 (0xc240), −0.5·8 = −4 (0xc080).
  EXPECT_EQ(out[384], 0x3f803f00u);
  EXPECT_EQ(out[448], 0xc1804240u);
  EXPECT_EQ(out[512], 0xc080c240u);
}

INSTANTIATE_TEST_SUITE_P(Archs, Convert, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
