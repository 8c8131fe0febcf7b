// Encoding: round trips of every code, the midpoints between every pair of adjacent values (and the
// values just either side), overflow in both modes, NaN, zeros and subnormal boundaries; plus random
// f32 inputs. The expected codes come from test::expected_round, a search over all values of the
// format (see format_spec.hpp), not from the library's arithmetic.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "asmk/ref/numeric.hpp"
#include "format_spec.hpp"

namespace asmk::ref {
namespace {

using test::expected_round;
using test::expected_value;
using test::Kind;
using test::Spec;
using test::specs;

constexpr double inf = std::numeric_limits<double>::infinity();

// What an overflow gives under each mode, from the spec tables: saturation is ±max; otherwise IEEE
// formats give ±Inf, e4m3fn S.1111.111, FNUZ 0x80, and NaN-less formats still saturate.
std::uint32_t expected_overflow(const Spec& s, bool negative, Overflow overflow) {
  const std::uint32_t sign = negative ? test::sign_of(s) : 0u;
  const std::uint32_t max_code = test::max_code_of(s);
  if (overflow == Overflow::saturate) return sign | max_code;
  switch (s.kind) {
    case Kind::ieee: return sign | (((1u << s.exponent_bits) - 1u) << s.mantissa_bits);
    case Kind::fn: return sign | 0x7Fu;
    case Kind::fnuz: return 0x80u;
    case Kind::none: return sign | max_code;
    case Kind::e8m0: return 0xFFu;
  }
  return 0;
}

// Checks encode(x) in both overflow modes against the oracle.
void expect_encodes_like_oracle(const Spec& s, double x) {
  const auto rounded = expected_round(s, x);
  for (Overflow mode : {Overflow::saturate, Overflow::inf_or_nan}) {
    const std::uint32_t expected = rounded.overflow ? expected_overflow(s, std::signbit(x), mode) : rounded.code;
    ASSERT_EQ(encode(s.format, x, mode), expected)
        << s.name << " x=" << x << " (" << std::hexfloat << x << std::defaultfloat << ") mode "
        << int(mode);
  }
}

TEST(NumericEncode, EveryCodeRoundTrips) {
  for (const Spec& s : specs) {
    SCOPED_TRACE(s.name);
    for (std::uint32_t code = 0; code < (1u << s.bits); ++code) {
      const auto value = expected_value(s, code);
      if (!value) continue;  // NaN codes: see NanInput
      const Overflow mode = std::isinf(*value) ? Overflow::inf_or_nan : Overflow::saturate;
      EXPECT_EQ(encode(s.format, *value, mode), code) << "code 0x" << std::hex << code;
      EXPECT_EQ(encode(s.format, decode(s.format, code), mode), code) << "code 0x" << std::hex << code;
    }
  }
}

TEST(NumericEncode, MidpointsRoundToTheEvenCode) {
  for (const Spec& s : specs) {
    if (s.kind == Kind::e8m0) continue;  // no mantissa: see E8m0
    SCOPED_TRACE(s.name);
    const auto values = test::positive_values(s);
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
      const auto [lo, lo_code] = values[i];
      const auto [hi, hi_code] = values[i + 1];
      const double mid = 0.5 * (lo + hi);  // exact in double
      const std::uint32_t even = (lo_code & 1u) == 0 ? lo_code : hi_code;
      // The tie rule stated directly, then the neighbourhood against the oracle.
      EXPECT_EQ(encode(s.format, mid, Overflow::saturate), even) << "mid " << mid;
      EXPECT_EQ(encode(s.format, std::nextafter(mid, 0.0), Overflow::saturate), lo_code) << "below " << mid;
      EXPECT_EQ(encode(s.format, std::nextafter(mid, inf), Overflow::saturate), hi_code) << "above " << mid;
      // The same through f32 inputs (midpoints of these formats are exact in f32).
      const float mid_f = static_cast<float>(mid);
      ASSERT_EQ(double(mid_f), mid);
      EXPECT_EQ(encode(s.format, std::nextafter(mid_f, 0.0f), Overflow::saturate), lo_code);
      EXPECT_EQ(encode(s.format, std::nextafter(mid_f, HUGE_VALF), Overflow::saturate), hi_code);
      for (double x : {lo, mid, hi, std::nextafter(mid, 0.0), std::nextafter(mid, inf), lo + 0.25 * (hi - lo),
                       lo + 0.75 * (hi - lo)}) {
        expect_encodes_like_oracle(s, x);
        expect_encodes_like_oracle(s, -x);
      }
    }
  }
}

TEST(NumericEncode, OverflowSaturatesOrBecomesNanOrInf) {
  for (const Spec& s : specs) {
    if (s.kind == Kind::e8m0) continue;
    SCOPED_TRACE(s.name);
    const auto values = test::positive_values(s);
    const auto [max, max_code] = values.back();
    const double spacing = max - values[values.size() - 2].first;
    const double mid = max + 0.5 * spacing;  // halfway to the first unrepresentable value
    // Which side the tie goes: to max if max's code is even (e4m3fn's S.1111.110), else overflow.
    const bool tie_overflows = (max_code & 1u) != 0;
    for (bool negative : {false, true}) {
      const double sign = negative ? -1.0 : 1.0;
      const std::uint32_t sign_code = negative ? test::sign_of(s) : 0u;
      for (Overflow mode : {Overflow::saturate, Overflow::inf_or_nan}) {
        const std::uint32_t over = expected_overflow(s, negative, mode);
        EXPECT_EQ(encode(s.format, sign * std::nextafter(mid, 0.0), mode), sign_code | max_code);
        EXPECT_EQ(encode(s.format, sign * mid, mode), tie_overflows ? over : (sign_code | max_code));
        EXPECT_EQ(encode(s.format, sign * std::nextafter(mid, inf), mode), over);
        EXPECT_EQ(encode(s.format, sign * 2.0 * max, mode), over);
        EXPECT_EQ(encode(s.format, sign * 1e300, mode), over);
        EXPECT_EQ(encode(s.format, sign * inf, mode), over);
      }
    }
  }
}

TEST(NumericEncode, OverflowSpecValues) {
  // gfx942 fp8: 248 is the midpoint of 240 and (virtual) 256: ties away from 240's odd code.
  EXPECT_EQ(encode(Format::e4m3fnuz, 247.99, Overflow::inf_or_nan), 0x7Fu);
  EXPECT_EQ(encode(Format::e4m3fnuz, 248.0, Overflow::inf_or_nan), 0x80u);
  EXPECT_EQ(encode(Format::e4m3fnuz, 1000.0, Overflow::saturate), 0x7Fu);
  EXPECT_EQ(encode(Format::e4m3fnuz, -1000.0, Overflow::saturate), 0xFFu);
  // OCP e4m3fn: 464 ties to 448 (even code 0x7E); anything above is NaN or saturates.
  EXPECT_EQ(encode(Format::e4m3fn, 464.0, Overflow::inf_or_nan), 0x7Eu);
  EXPECT_EQ(encode(Format::e4m3fn, 464.01, Overflow::inf_or_nan), 0x7Fu);
  EXPECT_EQ(encode(Format::e4m3fn, -464.01, Overflow::inf_or_nan), 0xFFu);
  EXPECT_EQ(encode(Format::e4m3fn, -464.01, Overflow::saturate), 0xFEu);
  // OCP e5m2: IEEE-like, 61440 rounds to Inf.
  EXPECT_EQ(encode(Format::e5m2, 61440.0, Overflow::inf_or_nan), 0x7Cu);
  EXPECT_EQ(encode(Format::e5m2, 61439.0, Overflow::inf_or_nan), 0x7Bu);
  // fp16: 65520 rounds to Inf, just below stays 65504.
  EXPECT_EQ(encode(Format::fp16, 65520.0, Overflow::inf_or_nan), 0x7C00u);
  EXPECT_EQ(encode(Format::fp16, 65519.99, Overflow::inf_or_nan), 0x7BFFu);
  // e2m1: 7 ties between 6 (code 7, odd) and the virtual 8: overflow, which saturates to 6 anyway.
  EXPECT_EQ(encode(Format::e2m1, 7.0, Overflow::inf_or_nan), 0x7u);
  EXPECT_EQ(encode(Format::e2m1, -100.0, Overflow::inf_or_nan), 0xFu);
}

TEST(NumericEncode, NanInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(encode(Format::e4m3fnuz, nan, Overflow::saturate), 0x80u);
  EXPECT_EQ(encode(Format::e4m3fnuz, -nan, Overflow::saturate), 0x80u);
  EXPECT_EQ(encode(Format::e5m2fnuz, nan, Overflow::inf_or_nan), 0x80u);
  EXPECT_EQ(encode(Format::e4m3fn, nan, Overflow::saturate), 0x7Fu);
  EXPECT_EQ(encode(Format::e4m3fn, -nan, Overflow::saturate), 0xFFu);
  EXPECT_TRUE(std::isnan(decode(Format::e5m2, encode(Format::e5m2, nan, Overflow::saturate))));
  EXPECT_TRUE(std::isnan(decode(Format::e5m2, encode(Format::e5m2, -nan, Overflow::saturate))));
  EXPECT_TRUE(std::isnan(decode(Format::fp16, encode(Format::fp16, nan, Overflow::saturate))));
  EXPECT_TRUE(std::isnan(decode(Format::bf16, encode(Format::bf16, nan, Overflow::saturate))));
  EXPECT_EQ(encode(Format::e8m0, nan, Overflow::saturate), 0xFFu);
  // No NaN code: ±max (documented choice).
  EXPECT_EQ(encode(Format::e2m1, nan, Overflow::saturate), 0x7u);
  EXPECT_EQ(encode(Format::e2m1, -nan, Overflow::saturate), 0xFu);
  EXPECT_EQ(encode(Format::e2m3, nan, Overflow::saturate), 0x1Fu);
  EXPECT_EQ(encode(Format::e3m2, -nan, Overflow::saturate), 0x3Fu);
}

TEST(NumericEncode, ZerosAndSubnormalBoundaries) {
  for (const Spec& s : specs) {
    if (s.kind == Kind::e8m0) continue;
    SCOPED_TRACE(s.name);
    const std::uint32_t negative_zero = s.kind == Kind::fnuz ? 0u : test::sign_of(s);
    const double min_sub = test::positive_values(s)[1].first;
    EXPECT_EQ(encode(s.format, 0.0, Overflow::saturate), 0u);
    EXPECT_EQ(encode(s.format, -0.0, Overflow::saturate), negative_zero);
    // Half the smallest subnormal ties to zero (even); a hair more rounds up.
    EXPECT_EQ(encode(s.format, 0.5 * min_sub, Overflow::saturate), 0u);
    EXPECT_EQ(encode(s.format, -0.5 * min_sub, Overflow::saturate), negative_zero);
    EXPECT_EQ(encode(s.format, std::nextafter(0.5 * min_sub, 1.0), Overflow::saturate), 1u);
    EXPECT_EQ(encode(s.format, 1e-300, Overflow::saturate), 0u);
    EXPECT_EQ(encode(s.format, -1e-300, Overflow::saturate), negative_zero);
    EXPECT_EQ(encode(s.format, min_sub, Overflow::saturate), 1u);
    // The largest subnormal and the smallest normal are adjacent codes.
    const std::uint32_t first_normal = 1u << s.mantissa_bits;
    EXPECT_EQ(encode(s.format, std::ldexp(1.0, 1 - s.bias), Overflow::saturate), first_normal);
    EXPECT_EQ(encode(s.format, std::ldexp(1.0, 1 - s.bias) - min_sub, Overflow::saturate), first_normal - 1);
  }
  // gfx942 fp8 smallest subnormal 2^-10; a negative value that rounds to zero is +0 (no -0).
  EXPECT_EQ(encode(Format::e4m3fnuz, 0x1p-10, Overflow::saturate), 0x01u);
  EXPECT_EQ(encode(Format::e4m3fnuz, -0x1p-12, Overflow::saturate), 0x00u);
  EXPECT_EQ(encode(Format::e4m3fn, -0x1p-12, Overflow::saturate), 0x80u);
  EXPECT_EQ(encode(Format::e4m3fn, 0x1.8p-9, Overflow::saturate), 0x02u);  // 1.5 ulp ties to 2 (even)
}

TEST(NumericEncode, RandomF32AgainstOracle) {
  std::mt19937 rng(12345);
  for (const Spec& s : specs) {
    if (s.kind == Kind::e8m0) continue;
    SCOPED_TRACE(s.name);
    // Exponents from well below the subnormals to well above max.
    const int lowest = 1 - s.bias - s.mantissa_bits - 3;
    const int highest = int(std::ilogb(test::positive_values(s).back().first)) + 3;
    std::uniform_int_distribution<int> exponent(lowest, highest);
    std::uniform_int_distribution<std::uint32_t> bits(0, 0xFFFFFFFFu);
    const int samples = s.bits == 16 ? 200000 : 50000;
    for (int i = 0; i < samples; ++i) {
      const std::uint32_t r = bits(rng);
      const float x = std::ldexp(1.0f + float(r & 0x7FFFFFu) * 0x1p-23f, exponent(rng)) * ((r >> 31) ? -1.0f : 1.0f);
      expect_encodes_like_oracle(s, x);
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(NumericEncode, E8m0) {
  for (int e = -127; e <= 127; ++e) {
    const auto code = static_cast<std::uint32_t>(e + 127);
    EXPECT_EQ(encode(Format::e8m0, std::ldexp(1.0, e), Overflow::saturate), code);
    // Documented rule: the midpoint 1.5 * 2^e rounds up, anything below it down.
    if (e < 127) {
      EXPECT_EQ(encode(Format::e8m0, std::ldexp(1.5, e), Overflow::saturate), code + 1);
      EXPECT_EQ(encode(Format::e8m0, std::ldexp(std::nextafter(1.5, 0.0), e), Overflow::saturate), code);
    }
  }
  EXPECT_EQ(encode(Format::e8m0, 0x1p-130, Overflow::saturate), 0u);
  EXPECT_EQ(encode(Format::e8m0, 0x1p-128, Overflow::saturate), 0u);
  EXPECT_EQ(encode(Format::e8m0, 0x1.8p127, Overflow::saturate), 0xFEu);  // rounds to 2^128: overflow
  EXPECT_EQ(encode(Format::e8m0, 0x1.8p127, Overflow::inf_or_nan), 0xFFu);
  EXPECT_EQ(encode(Format::e8m0, inf, Overflow::saturate), 0xFEu);
  EXPECT_EQ(encode(Format::e8m0, inf, Overflow::inf_or_nan), 0xFFu);
  EXPECT_EQ(encode(Format::e8m0, 0.0, Overflow::saturate), 0xFFu);
  EXPECT_EQ(encode(Format::e8m0, -1.0, Overflow::saturate), 0xFFu);
}

// ---- the inline bf16 / fp16 helpers ----

TEST(NumericInline, Bf16NearestEvenAgainstOracle) {
  const Spec& s = test::spec_of(Format::bf16);
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> bits(0, 0xFFFFFFFFu);
  for (int i = 0; i < 300000; ++i) {
    std::uint32_t u = bits(rng);
    if (i % 3 == 0) u = (u & 0xFFFF0000u) | 0x8000u;  // exact ties
    const float x = std::bit_cast<float>(u);
    if (std::isnan(x)) continue;
    const auto rounded = expected_round(s, x);
    const std::uint32_t expected = rounded.overflow ? ((u & 0x80000000u) >> 16) | 0x7F80u : rounded.code;
    ASSERT_EQ(f32_to_bf16(x), expected) << std::hexfloat << x;
    ASSERT_EQ(encode(Format::bf16, x, Overflow::inf_or_nan), expected) << std::hexfloat << x;
  }
}

TEST(NumericInline, Bf16OtherRoundingModes) {
  const Spec& s = test::spec_of(Format::bf16);
  std::mt19937 rng(8);
  std::uniform_int_distribution<std::uint32_t> bits(0, 0x7F7FFFFFu);  // finite positive magnitudes
  for (int i = 0; i < 100000; ++i) {
    std::uint32_t u = bits(rng);
    if (i % 2 == 0) u = (u & 0xFFFF0000u) | 0x8000u;
    const bool negative = i % 4 >= 2;
    const float x = std::bit_cast<float>(u | (negative ? 0x80000000u : 0u));
    const double a = std::fabs(double(x));
    const std::uint16_t z = f32_to_bf16(x, Rounding::toward_zero);
    const std::uint16_t n = f32_to_bf16(x, Rounding::nearest_away);
    // Toward zero: the largest magnitude not above |x|.
    const double z_mag = std::fabs(*expected_value(s, z));
    EXPECT_LE(z_mag, a);
    EXPECT_GT(std::fabs(*expected_value(s, (z & 0x7FFFu) + 1u)), a);
    // Nearest, ties away: no magnitude is nearer, and on a tie the larger one wins.
    // Above the largest finite value the next magnitude is 2^128, which rounds to Inf.
    const double n_mag = std::fabs(*expected_value(s, n));
    const double below = z_mag;
    const std::uint32_t above_code = (z & 0x7FFFu) + 1u;
    const double above = above_code == 0x7F80u ? 0x1p128 : std::fabs(*expected_value(s, above_code));
    double expected_mag = (a - below < above - a) ? below : above;
    if (expected_mag == 0x1p128) expected_mag = HUGE_VAL;
    EXPECT_EQ(n_mag, expected_mag) << std::hexfloat << x;
    EXPECT_EQ((z & 0x8000u) != 0, negative);
    EXPECT_EQ((n & 0x8000u) != 0, negative);
  }
  // Truncation never rounds up to Inf.
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max(), Rounding::toward_zero), 0x7F7Fu);
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max(), Rounding::nearest_even), 0x7F80u);
}

TEST(NumericInline, Bf16NanStaysNan) {
  for (std::uint32_t u : {0x7F800001u, 0x7FC00000u, 0xFF800001u, 0x7FFFFFFFu}) {
    const float x = std::bit_cast<float>(u);
    for (Rounding r : {Rounding::nearest_even, Rounding::nearest_away, Rounding::toward_zero}) {
      const std::uint16_t b = f32_to_bf16(x, r);
      EXPECT_TRUE(std::isnan(bf16_to_f32(b))) << std::hex << u;
      EXPECT_EQ(b & 0x8000u, (u >> 16) & 0x8000u);
    }
  }
}

TEST(NumericInline, Fp16AgainstOracle) {
  const Spec& s = test::spec_of(Format::fp16);
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> exponent(-28, 18);
  std::uniform_int_distribution<std::uint32_t> bits(0, 0xFFFFFFFFu);
  for (int i = 0; i < 300000; ++i) {
    const std::uint32_t r = bits(rng);
    float x = std::ldexp(1.0f + float(r & 0x7FFFFFu) * 0x1p-23f, exponent(rng));
    if (i % 3 == 0) x = std::ldexp(std::round(std::ldexp(x, 11)) + 0.5f, -11);  // near ties
    if (r >> 31) x = -x;
    const auto rounded = expected_round(s, x);
    const std::uint32_t expected = rounded.overflow ? (std::signbit(x) ? 0xFC00u : 0x7C00u) : rounded.code;
    ASSERT_EQ(f32_to_fp16(x), expected) << std::hexfloat << x;
  }
  // Every midpoint between adjacent fp16 values, and its neighbours.
  const auto values = test::positive_values(s);
  for (std::size_t i = 0; i + 1 < values.size(); ++i) {
    const float mid = static_cast<float>(0.5 * (values[i].first + values[i + 1].first));
    const std::uint32_t even = (values[i].second & 1u) == 0 ? values[i].second : values[i + 1].second;
    ASSERT_EQ(f32_to_fp16(mid), even) << mid;
    ASSERT_EQ(f32_to_fp16(std::nextafter(mid, 0.0f)), values[i].second) << mid;
    ASSERT_EQ(f32_to_fp16(std::nextafter(mid, HUGE_VALF)), values[i + 1].second) << mid;
    ASSERT_EQ(f32_to_fp16(-mid), even | 0x8000u) << mid;
  }
  EXPECT_EQ(f32_to_fp16(HUGE_VALF), 0x7C00u);
  EXPECT_EQ(f32_to_fp16(-HUGE_VALF), 0xFC00u);
  EXPECT_EQ(f32_to_fp16(-0.0f), 0x8000u);
  EXPECT_EQ(f32_to_fp16(0x1p-149f), 0x0000u);  // f32 subnormal -> 0
  EXPECT_TRUE(std::isnan(fp16_to_f32(f32_to_fp16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(f32_to_fp16(-std::numeric_limits<float>::quiet_NaN()) & 0x8000u, 0x8000u);
}

}  // namespace
}  // namespace asmk::ref

namespace asmk::ref {
namespace {

TEST(NumericScaled, ScaleExponentDividesOnEncodeAndMultipliesOnDecode) {
  // Scale exponent field 129 = 2^2: 24 / 4 = 6 -> e2m1 code 7; 26 / 4 = 6.5 -> saturates to 6.
  EXPECT_EQ(encode_scaled(Format::e2m1, 24.0f, 129, Overflow::saturate), 7u);
  EXPECT_EQ(encode_scaled(Format::e2m1, -26.0f, 129, Overflow::saturate), 15u);
  // Field 127 = 2^0 is the plain conversion; field 120 = 2^-7: 1.0 * 2^7 = 128 -> e4m3fn 0x70.
  EXPECT_EQ(encode_scaled(Format::e4m3fn, 448.0f, 127, Overflow::saturate), 0x7Eu);
  EXPECT_EQ(encode_scaled(Format::e4m3fn, 1.0f, 120, Overflow::saturate), 0x70u);
  // A quotient below f32's range is still exact: 2^-140 / 2^-10 = 2^-130 would be an f32
  // subnormal but rounds correctly here -> 0 in e4m3fn; 2^-140 / 2^-140 = 1 -> 0x38.
  EXPECT_EQ(encode_scaled(Format::e4m3fn, 0x1p-140f, 117, Overflow::saturate), 0x00u);
  EXPECT_EQ(encode_scaled(Format::e4m3fn, 0x1p-126f, 1, Overflow::saturate), 0x38u);
  // Decoding multiplies: e2m1 code 7 (6) with field 130 (2^3) = 48; e8m0-range extremes stay exact.
  EXPECT_EQ(decode_scaled(Format::e2m1, 7, 130), 48.0);
  EXPECT_EQ(decode_scaled(Format::e4m3fnuz, 0x01, 0), 0x1p-137);
}

}  // namespace
}  // namespace asmk::ref
