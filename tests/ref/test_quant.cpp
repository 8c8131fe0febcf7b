// quant_fp8 (docs/contracts.md) and quant_mxfp4 (OCP MX v1.0) on small cases whose codes and
// scales are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "asmk/ref/quant.hpp"

namespace asmk::ref {
namespace {

std::uint16_t bf16(float x) { return f32_to_bf16(x); }

struct Fp8Run {
  std::vector<std::uint8_t> y;
  std::vector<float> scale;
  Status status;
};

Fp8Run run_fp8(Arch arch, QuantGranularity granularity, const std::vector<float>& row_values, std::uint32_t m,
               std::uint32_t n, Format in = Format::bf16) {
  std::vector<std::uint16_t> x(std::size_t{m} * n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = in == Format::bf16 ? f32_to_bf16(row_values[i]) : f32_to_fp16(row_values[i]);
  }
  Fp8Run run;
  run.y.assign(x.size(), 0xAA);
  run.scale.assign(granularity == QuantGranularity::row ? m : m * (n / 128), -1.0f);
  QuantFp8Args args;
  args.arch = arch;
  args.in_format = in;
  args.granularity = granularity;
  args.x = x.data();
  args.y = run.y.data();
  args.scale = run.scale.data();
  args.m = m;
  args.n = n;
  args.stride_x = n;
  args.stride_y = n;
  run.status = quant_fp8(args);
  return run;
}

TEST(QuantFp8, Gfx942RowWithAmax240HasScaleOne) {
  // amax 240 = FP8_MAX: scale 1, inverse 1, so every code is the plain e4m3fnuz (bias 8) encoding.
  std::vector<float> x(128, 0.0f);
  x[0] = 240.0f;   // 1.111b * 2^7: exponent field 15, mantissa 7 -> 0x7F
  x[1] = -240.0f;  // 0xFF
  x[2] = 1.0f;     // exponent field 8 -> 0x40
  x[3] = 0.5f;     // 0x38
  x[4] = 3.25f;    // 1.101b * 2^1: field 9, mantissa 5 -> 0x4D
  x[5] = 3.3f;     // bf16 3.296875, between 3.25 and 3.5, nearer 3.25 -> 0x4D
  x[6] = -0.0f;    // no -0 in FNUZ -> 0x00
  x[7] = 0x1p-10f; // smallest subnormal -> 0x01
  const Fp8Run run = run_fp8(Arch::gfx942, QuantGranularity::row, x, 1, 128);
  ASSERT_TRUE(run.status.ok()) << run.status.error;
  EXPECT_EQ(run.scale[0], 1.0f);
  const std::uint8_t expected[8] = {0x7F, 0xFF, 0x40, 0x38, 0x4D, 0x4D, 0x00, 0x01};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(run.y[i], expected[i]) << i;
  for (int i = 8; i < 128; ++i) EXPECT_EQ(run.y[i], 0x00) << i;
}

TEST(QuantFp8, Gfx950RowWithAmax448HasScaleOne) {
  std::vector<float> x(128, 0.0f);
  x[0] = 448.0f;  // OCP e4m3fn max, 0x7E
  x[1] = 1.0f;    // bias 7: exponent field 7 -> 0x38
  x[2] = -0.0f;   // OCP has -0: 0x80
  x[3] = -2.0f;   // 0xC0
  const Fp8Run run = run_fp8(Arch::gfx950, QuantGranularity::row, x, 1, 128);
  ASSERT_TRUE(run.status.ok()) << run.status.error;
  EXPECT_EQ(run.scale[0], 1.0f);
  EXPECT_EQ(run.y[0], 0x7E);
  EXPECT_EQ(run.y[1], 0x38);
  EXPECT_EQ(run.y[2], 0x80);
  EXPECT_EQ(run.y[3], 0xC0);
}

TEST(QuantFp8, ScalesOfSeveralRows) {
  // Row 0: amax 480 -> scale 2, inverse 0.5: 480 -> 240 (0x7F), 3 -> 1.5 (0x44).
  // Row 1: amax 1 -> scale 1/240, inverse 240: 1 -> 240 (0x7F), 0.5 -> 120 = 1.111b*2^6 (0x77).
  // Row 2: all zero -> amax floored to 2^-32, scale 2^-32/240, codes 0.
  std::vector<float> x(3 * 128, 0.0f);
  x[0] = 480.0f;
  x[1] = 3.0f;
  x[128] = 1.0f;
  x[129] = 0.5f;
  const Fp8Run run = run_fp8(Arch::gfx942, QuantGranularity::row, x, 3, 128);
  ASSERT_TRUE(run.status.ok()) << run.status.error;
  EXPECT_EQ(run.scale[0], 2.0f);
  EXPECT_EQ(run.scale[1], 1.0f / 240.0f);  // correctly rounded f32 division, as the contract says
  EXPECT_EQ(run.scale[2], 0x1p-32f / 240.0f);
  EXPECT_EQ(run.y[0], 0x7F);
  EXPECT_EQ(run.y[1], 0x44);
  EXPECT_EQ(run.y[128], 0x7F);
  EXPECT_EQ(run.y[129], 0x77);
  for (int i = 256; i < 384; ++i) EXPECT_EQ(run.y[i], 0x00);
}

TEST(QuantFp8, GroupsOf128HaveTheirOwnScales) {
  // Group 0: amax 240 -> scale 1. Group 1: amax 24 -> scale 0.1f, inverse 10 exactly:
  // 24 -> 240 (0x7F); bf16(2.4) = 2.40625 -> 24.0625 -> 24 = 1.1b*2^4, field 12 -> 0x64.
  std::vector<float> x(2 * 256, 0.0f);
  x[0] = 240.0f;
  x[128] = 24.0f;
  x[129] = 2.4f;
  x[256 + 200] = -1.0f;  // row 1, group 1: amax 1, scale 1/240; -1 -> -240 -> 0xFF
  const Fp8Run run = run_fp8(Arch::gfx942, QuantGranularity::group, x, 2, 256);
  ASSERT_TRUE(run.status.ok()) << run.status.error;
  ASSERT_EQ(run.scale.size(), 4u);
  EXPECT_EQ(run.scale[0], 1.0f);
  EXPECT_EQ(run.scale[1], 24.0f / 240.0f);
  EXPECT_EQ(run.scale[2], 0x1p-32f / 240.0f);
  EXPECT_EQ(run.scale[3], 1.0f / 240.0f);
  EXPECT_EQ(run.y[0], 0x7F);
  EXPECT_EQ(run.y[128], 0x7F);
  EXPECT_EQ(run.y[129], 0x64);
  EXPECT_EQ(run.y[256 + 200], 0xFF);
}

TEST(QuantFp8, ProductAboveMaxSaturates) {
  // Find an amax where amax * (240 / amax) rounds above 240 in f32: its element must saturate to
  // 0x7F (not become NaN 0x80, which the non-saturating conversion would give at >= 248).
  float found = 0.0f;
  for (std::uint32_t bits = 0x3F80; bits < 0x4780 && found == 0.0f; ++bits) {
    const float amax = bf16_to_f32(static_cast<std::uint16_t>(bits));
    if (amax * (240.0f / amax) > 240.0f) found = amax;
  }
  ASSERT_NE(found, 0.0f) << "no bf16 amax with a product above 240; the case cannot be built";
  std::vector<float> x(128, 0.0f);
  x[0] = found;
  x[1] = -found;
  const Fp8Run run = run_fp8(Arch::gfx942, QuantGranularity::row, x, 1, 128);
  ASSERT_TRUE(run.status.ok());
  EXPECT_EQ(run.y[0], 0x7F);
  EXPECT_EQ(run.y[1], 0xFF);
}

TEST(QuantFp8, EveryBf16InTheRowUsesTheInverseMultiply) {
  // amax 1.015625 (a bf16) on gfx942: inverse = 240/amax (rounded f32). The contract multiplies by
  // the inverse; dividing by the scale gives a different code for 16 of the bf16 inputs (found by
  // search), so this test tells the two apart.
  const float amax = 1.015625f;
  std::vector<float> values;
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float v = bf16_to_f32(static_cast<std::uint16_t>(bits));
    if (std::fabs(v) <= amax) values.push_back(v);
  }
  while (values.size() % 128 != 0) values.push_back(0.0f);
  const std::uint32_t n = 128, m = static_cast<std::uint32_t>(values.size() / n);
  // Every row needs the same amax: its last element is amax (overwriting one input per row).
  for (std::uint32_t r = 0; r < m; ++r) values[r * n + n - 1] = amax;
  const Fp8Run run = run_fp8(Arch::gfx942, QuantGranularity::row, values, m, n);
  ASSERT_TRUE(run.status.ok());
  const float inverse = 240.0f / amax, scale = amax / 240.0f;
  int differs_from_division = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto by_inverse = encode(Format::e4m3fnuz, values[i] * inverse, Overflow::saturate);
    ASSERT_EQ(run.y[i], by_inverse) << values[i];
    differs_from_division += by_inverse != encode(Format::e4m3fnuz, values[i] / scale, Overflow::saturate);
  }
  EXPECT_GT(differs_from_division, 0) << "no input separates x * inverse from x / scale";
  for (float s : run.scale) EXPECT_EQ(s, scale);
}

TEST(QuantFp8, Fp16InputAndStrides) {
  // fp16 x with row stride 136 (8 padding elements holding 60000, which must not count in amax),
  // y with row stride 130 (padding bytes must stay untouched).
  const std::uint32_t m = 2, n = 128, stride_x = 136, stride_y = 130;
  std::vector<std::uint16_t> x(m * stride_x, f32_to_fp16(60000.0f));
  std::vector<std::uint8_t> y(m * stride_y, 0xAA);
  std::vector<float> scale(m, -1.0f);
  for (std::uint32_t r = 0; r < m; ++r) {
    for (std::uint32_t i = 0; i < n; ++i) x[r * stride_x + i] = f32_to_fp16(0.0f);
  }
  x[0] = f32_to_fp16(240.0f);
  x[1] = f32_to_fp16(-1.0f);
  x[stride_x + 5] = f32_to_fp16(480.0f);
  x[stride_x + 6] = f32_to_fp16(2.0f);
  QuantFp8Args args;
  args.arch = Arch::gfx942;
  args.in_format = Format::fp16;
  args.x = x.data();
  args.y = y.data();
  args.scale = scale.data();
  args.m = m;
  args.n = n;
  args.stride_x = stride_x;
  args.stride_y = stride_y;
  ASSERT_TRUE(quant_fp8(args).ok());
  EXPECT_EQ(scale[0], 1.0f);
  EXPECT_EQ(scale[1], 2.0f);
  EXPECT_EQ(y[0], 0x7F);
  EXPECT_EQ(y[1], 0xC0);              // -1: sign | field 8 -> 0xC0
  EXPECT_EQ(y[stride_y + 5], 0x7F);   // 480 * 0.5 = 240
  EXPECT_EQ(y[stride_y + 6], 0x40);   // 2 * 0.5 = 1
  EXPECT_EQ(y[128], 0xAA);
  EXPECT_EQ(y[129], 0xAA);
  EXPECT_EQ(y[stride_y + 128], 0xAA);
}

TEST(QuantFp8, RejectsBadArgumentsWithoutWriting) {
  std::vector<std::uint16_t> x(200, bf16(1.0f));
  std::vector<std::uint8_t> y(200, 0xAA);
  std::vector<float> scale(4, -1.0f);
  QuantFp8Args args;
  args.x = x.data();
  args.y = y.data();
  args.scale = scale.data();
  args.m = 1;
  args.n = 192;
  args.stride_x = 192;
  args.stride_y = 192;
  args.granularity = QuantGranularity::group;
  Status s = quant_fp8(args);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("192"), std::string::npos) << s.error;
  args.granularity = QuantGranularity::row;
  args.in_format = Format::e4m3fn;
  EXPECT_FALSE(quant_fp8(args).ok());
  args.in_format = Format::bf16;
  args.stride_y = 100;
  EXPECT_FALSE(quant_fp8(args).ok());
  args.stride_y = 192;
  args.scale = nullptr;
  EXPECT_FALSE(quant_fp8(args).ok());
  for (auto b : y) ASSERT_EQ(b, 0xAA);
  for (auto v : scale) ASSERT_EQ(v, -1.0f);
}

// ------------------------------------------------------------------------------------------------

struct MxRun {
  std::vector<std::uint8_t> y, scale;
  Status status;
};

MxRun run_mx(const std::vector<float>& values, std::uint32_t m, std::uint32_t n) {
  std::vector<std::uint16_t> x(values.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = bf16(values[i]);
  MxRun run;
  run.y.assign(std::size_t{m} * n / 2, 0xAA);
  run.scale.assign(std::size_t{m} * n / 32, 0xAA);
  QuantMxfp4Args args;
  args.x = x.data();
  args.y = run.y.data();
  args.scale = run.scale.data();
  args.m = m;
  args.n = n;
  args.stride_x = n;
  args.stride_y = n / 2;
  args.stride_scale = n / 32;
  run.status = quant_mxfp4(args);
  return run;
}

std::uint32_t nibble(const std::vector<std::uint8_t>& y, std::size_t i) { return (y[i / 2] >> (4 * (i % 2))) & 0xF; }

TEST(QuantMxfp4, AmaxSixGivesScaleOneAndTheTableCodes) {
  // floor(log2 6) - 2 = 0: scale 2^0, code 127. The e2m1 table 0, .5, 1, 1.5, 2, 3, 4, 6 and its
  // negatives (codes 8..15) map to their own codes.
  const float table[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = table[i % 16];
  const MxRun run = run_mx(x, 1, 32);
  ASSERT_TRUE(run.status.ok()) << run.status.error;
  EXPECT_EQ(run.scale[0], 127);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(nibble(run.y, i), std::uint32_t(i % 16)) << i;
  // Element 0 is the low nibble: byte 0 holds codes 0 (low) and 1 (high), byte 1 codes 2 and 3.
  EXPECT_EQ(run.y[0], 0x10);
  EXPECT_EQ(run.y[1], 0x32);
}

TEST(QuantMxfp4, RoundingSaturationAndScaleRange) {
  std::vector<float> x(5 * 32, 0.0f);
  // Block 0: amax 1 -> exponent 0 - 2 = -2 (code 125), elements x * 4:
  //   1 -> 4 (code 6); bf16(0.3) = 0.30078125 -> 1.203125 -> nearer 1 (code 2);
  //   0.875 -> 3.5, a tie between 3 (code 5) and 4 (code 6) -> even code 6; -0.125 -> -0.5 (code 9).
  x[0] = 1.0f;
  x[1] = 0.3f;
  x[2] = 0.875f;
  x[3] = -0.125f;
  // Block 1: amax 7 -> floor(log2 7) - 2 = 0 (code 127): 7 is beyond 6 and saturates (code 7).
  x[32] = 7.0f;
  x[33] = -7.0f;
  // Block 2: all zeros -> code 0 (2^-127), elements 0.
  // Block 3: amax 2^-130 -> exponent -132 clamps to -127 (code 0); 2^-130 / 2^-127 = 0.125 -> 0.
  x[96] = 0x1p-130f;
  // Block 4: amax 2^100 * 1.5 -> exponent 100 - 2 = 98 (code 225); 1.5 * 2^100 / 2^98 = 6 (code 7).
  x[128] = 0x1.8p100f;
  x[129] = 0x1p98f;  // -> 1 (code 2)
  const MxRun run = run_mx(x, 1, 5 * 32);
  ASSERT_TRUE(run.status.ok()) << run.status.error;
  EXPECT_EQ(run.scale[0], 125);
  EXPECT_EQ(nibble(run.y, 0), 6u);
  EXPECT_EQ(nibble(run.y, 1), 2u);
  EXPECT_EQ(nibble(run.y, 2), 6u);
  EXPECT_EQ(nibble(run.y, 3), 9u);
  EXPECT_EQ(nibble(run.y, 4), 0u);
  EXPECT_EQ(run.scale[1], 127);
  EXPECT_EQ(nibble(run.y, 32), 7u);
  EXPECT_EQ(nibble(run.y, 33), 15u);
  EXPECT_EQ(run.scale[2], 0);
  for (int i = 64; i < 96; ++i) EXPECT_EQ(nibble(run.y, i), 0u);
  EXPECT_EQ(run.scale[3], 0);
  EXPECT_EQ(nibble(run.y, 96), 0u);
  EXPECT_EQ(run.scale[4], 225);
  EXPECT_EQ(nibble(run.y, 128), 7u);
  EXPECT_EQ(nibble(run.y, 129), 2u);
}

TEST(QuantMxfp4, ScaleCodeRule) {
  EXPECT_EQ(mxfp4_scale_code(6.0f), 127);
  EXPECT_EQ(mxfp4_scale_code(4.0f), 127);
  EXPECT_EQ(mxfp4_scale_code(3.99f), 126);
  EXPECT_EQ(mxfp4_scale_code(0.0f), 0);
  EXPECT_EQ(mxfp4_scale_code(0x1p-125f), 0);  // -127 exactly
  EXPECT_EQ(mxfp4_scale_code(0x1p-124f), 1);
  EXPECT_EQ(mxfp4_scale_code(0x1.fffffep127f), 252);  // 127 - 2
}

TEST(QuantMxfp4, RejectsBadArguments) {
  std::vector<std::uint16_t> x(64, bf16(1.0f));
  std::vector<std::uint8_t> y(32, 0xAA), scale(2, 0xAA);
  QuantMxfp4Args args;
  args.x = x.data();
  args.y = y.data();
  args.scale = scale.data();
  args.m = 1;
  args.n = 48;
  args.stride_x = 48;
  args.stride_y = 24;
  args.stride_scale = 2;
  EXPECT_FALSE(quant_mxfp4(args).ok());
  args.n = 64;
  args.stride_x = 64;
  args.stride_y = 16;  // needs 32
  EXPECT_FALSE(quant_mxfp4(args).ok());
  for (auto b : y) ASSERT_EQ(b, 0xAA);
}

}  // namespace
}  // namespace asmk::ref
