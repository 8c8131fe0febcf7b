// Reference GEMMs on hand-computed cases, the int8 property, output rounding, and the tolerance rule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "asmk/ref/gemm.hpp"
#include "asmk/ref/tolerance.hpp"

namespace asmk::ref {
namespace {

std::uint8_t i8(int v) { return static_cast<std::uint8_t>(static_cast<std::int8_t>(v)); }

TEST(GemmA8W8, Int8HandComputed) {
  // A = [[1, 2, 3], [-1, 0, 4]] (row stride 4, padding 99), B = [[1, 1, 1], [2, -3, 5]],
  // scale_a = [1, 0.5], scale_b = [2, 1], bias = [0.25, -1]:
  //   dots: [[6, 11], [3, 18]] -> C = [[6*2+.25, 11-1], [3*.5*2+.25, 18*.5-1]] = [[12.25, 10], [3.25, 8]]
  //   Σ|a·b|: [[6, 23], [5, 22]] -> magnitude = [[12.25, 24], [5.25, 12]]
  const std::vector<std::uint8_t> a = {i8(1), i8(2), i8(3), i8(99), i8(-1), i8(0), i8(4), i8(99)};
  const std::vector<std::uint8_t> b = {i8(1), i8(1), i8(1), i8(2), i8(-3), i8(5)};
  const float sa[] = {1.0f, 0.5f}, sb[] = {2.0f, 1.0f}, bias[] = {0.25f, -1.0f};
  GemmA8W8Args args;
  args.type = Elem8::int8();
  args.a = a.data();
  args.b = b.data();
  args.scale_a = sa;
  args.scale_b = sb;
  args.bias = bias;
  args.m = 2;
  args.n = 2;
  args.k = 3;
  args.stride_a = 4;
  args.stride_b = 3;
  GemmRef ref;
  ASSERT_TRUE(gemm_a8w8(args, ref).ok());
  EXPECT_EQ(ref.value, (std::vector<double>{12.25, 10.0, 3.25, 8.0}));
  EXPECT_EQ(ref.magnitude, (std::vector<double>{12.25, 24.0, 5.25, 12.0}));
  EXPECT_EQ(ref.k, 3u);
}

TEST(GemmA8W8, Fp8BothArchFormats) {
  // e4m3fnuz (bias 8): 0x40 = 1, 0x48 = 2, 0x38 = 0.5, 0xC0 = -1: [1, 2]·[0.5, -1] = -1.5.
  // e4m3fn (bias 7): 0x38 = 1, 0x40 = 2, 0x30 = 0.5, 0xB8 = -1: same value.
  const float one = 1.0f;
  for (auto [format, codes_a, codes_b] :
       {std::tuple{Format::e4m3fnuz, std::vector<std::uint8_t>{0x40, 0x48}, std::vector<std::uint8_t>{0x38, 0xC0}},
        std::tuple{Format::e4m3fn, std::vector<std::uint8_t>{0x38, 0x40}, std::vector<std::uint8_t>{0x30, 0xB8}}}) {
    GemmA8W8Args args;
    args.type = Elem8::fp8(format);
    args.a = codes_a.data();
    args.b = codes_b.data();
    args.scale_a = &one;
    args.scale_b = &one;
    args.m = args.n = 1;
    args.k = args.stride_a = args.stride_b = 2;
    GemmRef ref;
    ASSERT_TRUE(gemm_a8w8(args, ref).ok());
    EXPECT_EQ(ref.value[0], -1.5) << format_name(format);
    EXPECT_EQ(ref.magnitude[0], 2.5) << format_name(format);
  }
}

TEST(GemmA8W8, Int8WithUnitScalesIsTheIntegerMatmul) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> value(-128, 127);
  const std::uint32_t m = 7, n = 5, k = 67;
  std::vector<std::uint8_t> a(m * k), b(n * k);
  for (auto& x : a) x = i8(value(rng));
  for (auto& x : b) x = i8(value(rng));
  const std::vector<float> ones_m(m, 1.0f), ones_n(n, 1.0f);
  GemmA8W8Args args;
  args.type = Elem8::int8();
  args.a = a.data();
  args.b = b.data();
  args.scale_a = ones_m.data();
  args.scale_b = ones_n.data();
  args.m = m;
  args.n = n;
  args.k = args.stride_a = args.stride_b = k;
  GemmRef ref;
  ASSERT_TRUE(gemm_a8w8(args, ref).ok());
  for (std::uint32_t i = 0; i < m; ++i) {
    for (std::uint32_t j = 0; j < n; ++j) {
      std::int64_t sum = 0;
      for (std::uint32_t t = 0; t < k; ++t) {
        sum += std::int64_t{static_cast<std::int8_t>(a[i * k + t])} * static_cast<std::int8_t>(b[j * k + t]);
      }
      EXPECT_EQ(ref.at(i, j), double(sum)) << i << "," << j;
    }
  }
}

TEST(GemmA8W8, RejectsBadArguments) {
  GemmRef ref;
  GemmA8W8Args args;
  args.type = Elem8::fp8(Format::bf16);
  EXPECT_FALSE(gemm_a8w8(args, ref).ok());
  args.type = Elem8::int8();
  args.m = args.n = 1;
  args.k = 16;
  args.stride_a = 8;
  args.stride_b = 16;
  const Status s = gemm_a8w8(args, ref);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("K=16"), std::string::npos) << s.error;
}

TEST(GemmA8W8Blockscale, ScalesPerBlock) {
  // A, B all 1.0 (e4m3fnuz 0x40), M = 2, N = 256, K = 256: two K blocks, two N blocks.
  // scale_a = [[1, 2], [3, 4]], scale_b = [[0.5, 0.25], [1, 2]]:
  //   C[0][n<128] = 128·(1·0.5 + 2·0.25) = 128    C[0][n>=128] = 128·(1·1 + 2·2) = 640
  //   C[1][n<128] = 128·(3·0.5 + 4·0.25) = 320    C[1][n>=128] = 128·(3·1 + 4·2) = 1408
  const std::uint32_t m = 2, n = 256, k = 256;
  const std::vector<std::uint8_t> a(m * k, 0x40), b(n * k, 0x40);
  const float sa[] = {1, 2, 3, 4}, sb[] = {0.5f, 0.25f, 1, 2};
  GemmA8W8BlockscaleArgs args;
  args.type = Elem8::fp8(Format::e4m3fnuz);
  args.a = a.data();
  args.b = b.data();
  args.scale_a = sa;
  args.scale_b = sb;
  args.m = m;
  args.n = n;
  args.k = args.stride_a = args.stride_b = k;
  GemmRef ref;
  ASSERT_TRUE(gemm_a8w8_blockscale(args, ref).ok());
  for (std::uint32_t j = 0; j < n; ++j) {
    EXPECT_EQ(ref.at(0, j), j < 128 ? 128.0 : 640.0) << j;
    EXPECT_EQ(ref.at(1, j), j < 128 ? 320.0 : 1408.0) << j;
  }
}

TEST(GemmA4W4, ScalesAndNibbleOrder) {
  // Row 0 of A: every element 1.0 (code 2, bytes 0x22), scales [127, 128] = [1, 2].
  // Row 0 of B: every element 2.0 (code 4, bytes 0x44), scales [126, 127] = [0.5, 1].
  //   C = 32·(1·1)·(2·0.5) + 32·(1·2)·(2·1) = 32 + 128 = 160.
  // Row 1 of A: element 0 = 6 (code 7, low nibble of byte 0), the rest 0; scales 127.
  // Row 1 of B: element 0 = 1 (code 2), element 1 = 4 (code 6): byte 0 = 0x62; scales 127.
  //   C[1][1] = 6·1 = 6. (The order within a byte cannot change a dot product — both operands use
  //   it — so PackedNibbles below and the quantizer tests pin it.)
  const std::uint32_t k = 64;
  std::vector<std::uint8_t> a(2 * k / 2, 0x00), b(2 * k / 2, 0x00);
  std::fill(a.begin(), a.begin() + k / 2, 0x22);
  std::fill(b.begin(), b.begin() + k / 2, 0x44);
  a[k / 2] = 0x07;
  b[k / 2] = 0x62;
  const std::uint8_t sa[] = {127, 128, 127, 127}, sb[] = {126, 127, 127, 127};
  GemmA4W4Args args;
  args.a = a.data();
  args.b = b.data();
  args.scale_a = sa;
  args.scale_b = sb;
  args.m = args.n = 2;
  args.k = k;
  args.stride_a = args.stride_b = k / 2;
  args.stride_scale_a = args.stride_scale_b = 2;
  GemmRef ref;
  ASSERT_TRUE(gemm_a4w4(args, ref).ok()) << gemm_a4w4(args, ref).error;
  EXPECT_EQ(ref.at(0, 0), 160.0);
  EXPECT_EQ(ref.at(1, 1), 6.0);
  EXPECT_EQ(ref.at(1, 0), 6.0 * (2.0 * 0.5));  // A row 1 · B row 0 (2.0, first block scale 0.5)
  EXPECT_EQ(ref.at(0, 1), 1.0 * 1.0 + 1.0 * 4.0);  // A row 0 (1.0, scale 1) · B row 1 (1, 4, 0...)
  args.k = 48;
  EXPECT_FALSE(gemm_a4w4(args, ref).ok());
}

TEST(PackedNibbles, EvenElementIsTheLowNibble) {
  EXPECT_EQ(pack_nibbles(0x3, 0xA), 0xA3);
  const std::uint8_t row[] = {0xA3, 0x5C};
  EXPECT_EQ(packed_nibble(row, 0), 0x3u);
  EXPECT_EQ(packed_nibble(row, 1), 0xAu);
  EXPECT_EQ(packed_nibble(row, 2), 0xCu);
  EXPECT_EQ(packed_nibble(row, 3), 0x5u);
}

TEST(GemmBf16, HandComputedWithBias) {
  // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]: A·Bᵀ = [[17, 23], [39, 53]]; bias [0.5, -3].
  for (Format format : {Format::bf16, Format::fp16}) {
    auto enc = [&](float x) {
      return static_cast<std::uint16_t>(format == Format::bf16 ? f32_to_bf16(x) : f32_to_fp16(x));
    };
    const std::vector<std::uint16_t> a = {enc(1), enc(2), enc(3), enc(4)}, b = {enc(5), enc(6), enc(7), enc(8)};
    const float bias[] = {0.5f, -3.0f};
    GemmBf16Args args;
    args.in_format = format;
    args.a = a.data();
    args.b = b.data();
    args.bias = bias;
    args.m = args.n = args.k = args.stride_a = args.stride_b = 2;
    GemmRef ref;
    ASSERT_TRUE(gemm_bf16(args, ref).ok());
    EXPECT_EQ(ref.value, (std::vector<double>{17.5, 20.0, 39.5, 50.0})) << format_name(format);
    EXPECT_EQ(ref.magnitude, (std::vector<double>{17.5, 26.0, 39.5, 56.0})) << format_name(format);
  }
}

GemmRef single(double value, double magnitude, std::uint32_t k) {
  GemmRef r;
  r.m = r.n = 1;
  r.k = k;
  r.value = {value};
  r.magnitude = {magnitude};
  return r;
}

TEST(GemmOutput, RoundsOnceToNearestEven) {
  // bf16 spacing at 1 is 2^-7. 1 + 2^-8 is a tie -> 1 (even); 1 + 3·2^-8 a tie -> 1 + 2^-6 (even);
  // 1 + 2^-8 + 2^-30 is just above the tie -> 1 + 2^-7 (rounding through f32 first would give 1).
  const double values[] = {1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-8 + 0x1p-30, -65520.0};
  const std::uint16_t expected_bf16[] = {0x3F80, 0x3F82, 0x3F81, 0xC780};  // -65536 = -1.0·2^16
  for (int i = 0; i < 4; ++i) {
    std::uint16_t out = 0;
    ASSERT_TRUE(store_output(single(values[i], 1, 1), OutType::bf16, &out, 1).ok());
    EXPECT_EQ(out, expected_bf16[i]) << i;
  }
  std::uint16_t half = 0;
  ASSERT_TRUE(store_output(single(-65520.0, 1, 1), OutType::fp16, &half, 1).ok());
  EXPECT_EQ(half, 0xFC00);  // rounds to -Inf
  float f = 0;
  ASSERT_TRUE(store_output(single(1 + 0x1p-24 + 0x1p-40, 1, 1), OutType::f32, &f, 1).ok());
  EXPECT_EQ(f, 1 + 0x1p-23f);
  ASSERT_TRUE(store_output(single(1e300, 1, 1), OutType::f32, &f, 1).ok());
  EXPECT_EQ(f, HUGE_VALF);
}

TEST(Tolerance, TheRuleOnHandValues) {
  // K = 100, magnitude 1, ref 1: accumulation 103·2^-24; bf16 half-ulp at 1 is 2^-8; f32 2^-24.
  EXPECT_EQ(gemm_tolerance(OutType::bf16, 1.0, 1.0, 100), 103 * 0x1p-24 + 0x1p-8);
  EXPECT_EQ(gemm_tolerance(OutType::f32, 1.0, 1.0, 100), 104 * 0x1p-24);
  EXPECT_EQ(gemm_tolerance(OutType::fp16, 0.0, 0.0, 100), 0x1p-25);  // half the smallest subnormal
  // Cancellation: ref 0 but magnitude 1000 -> the allowance comes from the magnitude.
  // 8·2^-24·1000 ≈ 4.77e-4 lies in [2^-12, 2^-11): its f32 half-ulp is 2^-36.
  EXPECT_EQ(gemm_tolerance(OutType::f32, 0.0, 1000.0, 5), 8 * 0x1p-24 * 1000 + 0x1p-36);
  EXPECT_EQ(output_ulp(OutType::bf16, 3.0), 0x1p-6);
  EXPECT_EQ(output_ulp(OutType::fp16, 1e-9), 0x1p-24);
}

TEST(Tolerance, CompareCountsViolations) {
  GemmRef ref;
  ref.m = 2;
  ref.n = 2;
  ref.k = 100;
  ref.value = {1.0, 1.0, 1.0, 65519.0};
  ref.magnitude = {1.0, 1.0, 1.0, 65519.0};
  // f32 output: tolerance at 1 is 104·2^-24.
  const float got[] = {1.0f + 104 * 0x1p-24f,  // exactly at the tolerance: pass
                       1.0f + 106 * 0x1p-24f,  // beyond: violation
                       std::nanf(""),          // NaN: violation
                       65519.0f};
  const ErrorSummary s = compare_output(ref, OutType::f32, got, 2);
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.violations, 2u);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.max_abs_error, 106 * 0x1p-24);
  EXPECT_NE(s.describe().find("2 of 4"), std::string::npos) << s.describe();
  EXPECT_EQ(s.worst_col, 0u);  // the NaN ranks first
  EXPECT_EQ(s.worst_row, 1u);

  // fp16 output: 65519 ± (103·2^-24·65519 ≈ 0.4) may round to Inf only if ref + tolerance >= 65520.
  const std::uint16_t inf16[] = {0x3C00, 0x3C00, 0x3C00, 0x7C00};
  EXPECT_EQ(compare_output(ref, OutType::fp16, inf16, 2).violations, 0u);
  ref.value[3] = 65000.0;
  EXPECT_EQ(compare_output(ref, OutType::fp16, inf16, 2).violations, 1u);
}

TEST(Tolerance, Fp32AccumulatedKernelPassesAndAPerturbedOneFails) {
  // A "kernel" computed the way a GPU would: fp32 products and sums in k order, fp32 epilogue,
  // bf16 output. The rule must accept it; moving one output by 2 bf16 ulps must be caught.
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> code(0, 255);
  const std::uint32_t m = 16, n = 16, k = 512;
  std::vector<std::uint8_t> a(m * k), b(n * k);
  for (auto* v : {&a, &b}) {
    for (auto& x : *v) {
      x = static_cast<std::uint8_t>(code(rng));
      if (x == 0x80) x = 0;  // the e4m3fnuz NaN
    }
  }
  std::vector<float> sa(m), sb(n);
  std::uniform_real_distribution<float> scale(0.001f, 0.01f);
  for (auto& s : sa) s = scale(rng);
  for (auto& s : sb) s = scale(rng);
  GemmA8W8Args args;
  args.type = Elem8::fp8(Format::e4m3fnuz);
  args.a = a.data();
  args.b = b.data();
  args.scale_a = sa.data();
  args.scale_b = sb.data();
  args.m = m;
  args.n = n;
  args.k = args.stride_a = args.stride_b = k;
  GemmRef ref;
  ASSERT_TRUE(gemm_a8w8(args, ref).ok());

  const auto* table = decode_table(Format::e4m3fnuz);
  std::vector<std::uint16_t> c(m * n);
  for (std::uint32_t i = 0; i < m; ++i) {
    for (std::uint32_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (std::uint32_t t = 0; t < k; ++t) acc += (*table)[a[i * k + t]] * (*table)[b[j * k + t]];
      c[i * n + j] = f32_to_bf16(acc * sa[i] * sb[j]);
    }
  }
  const ErrorSummary ok = compare_output(ref, OutType::bf16, c.data(), n);
  EXPECT_TRUE(ok.ok()) << ok.describe();
  // Find the element with the smallest magnitude-to-value ratio (least accumulation slack) and move it.
  std::size_t target = 0;
  double best = HUGE_VAL;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double ratio = ref.magnitude[i] / std::fabs(ref.value[i]);
    if (ref.value[i] != 0.0 && ratio < best) best = ratio, target = i;
  }
  c[target] = static_cast<std::uint16_t>(c[target] + 2);
  const ErrorSummary bad = compare_output(ref, OutType::bf16, c.data(), n);
  EXPECT_EQ(bad.violations, 1u) << bad.describe();
}

}  // namespace
}  // namespace asmk::ref
