// Decoding: every code of every format against the value computed here from the format's definition
// (sign, exponent field, mantissa field), plus literal values quoted from the specs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "asmk/ref/numeric.hpp"
#include "format_spec.hpp"

namespace asmk::ref {
namespace {

using test::expected_value;
using test::Spec;
using test::specs;

TEST(NumericDecode, EveryCodeMatchesTheDefinition) {
  for (const Spec& spec : specs) {
    SCOPED_TRACE(spec.name);
    const std::uint32_t count = 1u << spec.bits;
    for (std::uint32_t code = 0; code < count; ++code) {
      const auto expected = expected_value(spec, code);
      const float got = decode(spec.format, code);
      if (!expected) {
        EXPECT_TRUE(std::isnan(got)) << "code 0x" << std::hex << code;
        continue;
      }
      // The values are exact in f32, so equality (including the sign of zero) is the right test.
      EXPECT_EQ(double(got), *expected) << "code 0x" << std::hex << code;
      EXPECT_EQ(std::signbit(got), std::signbit(*expected)) << "code 0x" << std::hex << code;
    }
  }
}

TEST(NumericDecode, HighBitsOfTheCodeAreIgnored) {
  EXPECT_EQ(decode(Format::e2m1, 0xF3), decode(Format::e2m1, 0x3));
  EXPECT_EQ(decode(Format::e4m3fn, 0x138), decode(Format::e4m3fn, 0x38));
}

TEST(NumericDecode, SpecValuesFnuz) {
  // gfx942 fp8 (e4m3fnuz): bias 8, max 240, 0x80 the only NaN, no -0.
  EXPECT_EQ(decode(Format::e4m3fnuz, 0x7F), 240.0f);
  EXPECT_EQ(decode(Format::e4m3fnuz, 0xFF), -240.0f);
  EXPECT_TRUE(std::isnan(decode(Format::e4m3fnuz, 0x80)));
  EXPECT_EQ(decode(Format::e4m3fnuz, 0x40), 1.0f);
  EXPECT_EQ(decode(Format::e4m3fnuz, 0x08), 0x1p-7f);   // smallest normal
  EXPECT_EQ(decode(Format::e4m3fnuz, 0x01), 0x1p-10f);  // smallest subnormal
  EXPECT_EQ(decode(Format::e4m3fnuz, 0x07), 7 * 0x1p-10f);
  // gfx942 bf8 (e5m2fnuz): bias 16, max 57344.
  EXPECT_EQ(decode(Format::e5m2fnuz, 0x7F), 57344.0f);
  EXPECT_TRUE(std::isnan(decode(Format::e5m2fnuz, 0x80)));
  EXPECT_EQ(decode(Format::e5m2fnuz, 0x40), 1.0f);
  EXPECT_EQ(decode(Format::e5m2fnuz, 0x04), 0x1p-15f);
  EXPECT_EQ(decode(Format::e5m2fnuz, 0x01), 0x1p-17f);
}

TEST(NumericDecode, SpecValuesOcpFp8) {
  // OCP e4m3fn: bias 7, max 448 = S.1111.110, S.1111.111 NaN, exponent 15 otherwise finite.
  EXPECT_EQ(decode(Format::e4m3fn, 0x7E), 448.0f);
  EXPECT_EQ(decode(Format::e4m3fn, 0x78), 256.0f);
  EXPECT_TRUE(std::isnan(decode(Format::e4m3fn, 0x7F)));
  EXPECT_TRUE(std::isnan(decode(Format::e4m3fn, 0xFF)));
  EXPECT_EQ(decode(Format::e4m3fn, 0x38), 1.0f);
  EXPECT_TRUE(std::signbit(decode(Format::e4m3fn, 0x80)));
  EXPECT_EQ(decode(Format::e4m3fn, 0x80), 0.0f);
  EXPECT_EQ(decode(Format::e4m3fn, 0x08), 0x1p-6f);
  EXPECT_EQ(decode(Format::e4m3fn, 0x01), 0x1p-9f);
  // OCP e5m2: bias 15, IEEE-like.
  EXPECT_EQ(decode(Format::e5m2, 0x7B), 57344.0f);
  EXPECT_EQ(decode(Format::e5m2, 0x7C), std::numeric_limits<float>::infinity());
  EXPECT_EQ(decode(Format::e5m2, 0xFC), -std::numeric_limits<float>::infinity());
  for (std::uint32_t code : {0x7Du, 0x7Eu, 0x7Fu, 0xFDu, 0xFEu, 0xFFu}) {
    EXPECT_TRUE(std::isnan(decode(Format::e5m2, code))) << code;
  }
  EXPECT_EQ(decode(Format::e5m2, 0x3C), 1.0f);
  EXPECT_EQ(decode(Format::e5m2, 0x04), 0x1p-14f);
  EXPECT_EQ(decode(Format::e5m2, 0x01), 0x1p-16f);
}

TEST(NumericDecode, SpecValuesMx) {
  // e2m1: the OCP MX table of the eight magnitudes.
  const float e2m1[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
  for (std::uint32_t code = 0; code < 8; ++code) {
    EXPECT_EQ(decode(Format::e2m1, code), e2m1[code]);
    EXPECT_EQ(decode(Format::e2m1, code | 8u), -e2m1[code]);
  }
  EXPECT_TRUE(std::signbit(decode(Format::e2m1, 0x8)));
  // e2m3: max 7.5, smallest subnormal 0.125. e3m2: max 28, smallest subnormal 0.0625.
  EXPECT_EQ(decode(Format::e2m3, 0x1F), 7.5f);
  EXPECT_EQ(decode(Format::e2m3, 0x01), 0.125f);
  EXPECT_EQ(decode(Format::e2m3, 0x08), 1.0f);
  EXPECT_EQ(decode(Format::e2m3, 0x3F), -7.5f);
  EXPECT_EQ(decode(Format::e3m2, 0x1F), 28.0f);
  EXPECT_EQ(decode(Format::e3m2, 0x01), 0.0625f);
  EXPECT_EQ(decode(Format::e3m2, 0x0C), 1.0f);
  // e8m0: 2^(code-127), 0xFF NaN.
  EXPECT_EQ(decode(Format::e8m0, 127), 1.0f);
  EXPECT_EQ(decode(Format::e8m0, 0), 0x1p-127f);
  EXPECT_EQ(decode(Format::e8m0, 254), 0x1p127f);
  EXPECT_TRUE(std::isnan(decode(Format::e8m0, 0xFF)));
}

TEST(NumericDecode, SpecValues16Bit) {
  EXPECT_EQ(decode(Format::fp16, 0x3C00), 1.0f);
  EXPECT_EQ(decode(Format::fp16, 0x7BFF), 65504.0f);
  EXPECT_EQ(decode(Format::fp16, 0x0400), 0x1p-14f);
  EXPECT_EQ(decode(Format::fp16, 0x0001), 0x1p-24f);
  EXPECT_EQ(decode(Format::fp16, 0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(decode(Format::fp16, 0x7E00)));
  EXPECT_EQ(decode(Format::bf16, 0x3F80), 1.0f);
  EXPECT_EQ(decode(Format::bf16, 0x7F7F), 0x1.FEp127f);
  EXPECT_EQ(decode(Format::bf16, 0x0001), 0x1p-133f);
  EXPECT_EQ(decode(Format::bf16, 0xFF80), -std::numeric_limits<float>::infinity());
}

TEST(NumericDecode, InlineHelpersAgreeOnEvery16BitCode) {
  const Spec& bf16 = test::spec_of(Format::bf16);
  const Spec& fp16 = test::spec_of(Format::fp16);
  for (std::uint32_t code = 0; code < 65536; ++code) {
    const auto b = expected_value(bf16, code);
    const float got_b = bf16_to_f32(static_cast<std::uint16_t>(code));
    if (b) {
      EXPECT_EQ(double(got_b), *b) << code;
      EXPECT_EQ(std::signbit(got_b), std::signbit(*b)) << code;
    } else {
      EXPECT_TRUE(std::isnan(got_b)) << code;
    }
    const auto h = expected_value(fp16, code);
    const float got_h = fp16_to_f32(static_cast<std::uint16_t>(code));
    if (h) {
      EXPECT_EQ(double(got_h), *h) << code;
      EXPECT_EQ(std::signbit(got_h), std::signbit(*h)) << code;
    } else {
      EXPECT_TRUE(std::isnan(got_h)) << code;
    }
  }
}

TEST(NumericDecode, E8m0Helper) {
  for (std::uint32_t code = 0; code < 255; ++code) {
    EXPECT_EQ(double(e8m0_to_f32(static_cast<std::uint8_t>(code))), std::ldexp(1.0, int(code) - 127));
  }
  EXPECT_TRUE(std::isnan(e8m0_to_f32(0xFF)));
  EXPECT_EQ(e8m0_from_exponent(0), 127);
  EXPECT_EQ(e8m0_from_exponent(-127), 0);
  EXPECT_EQ(e8m0_from_exponent(-500), 0);
  EXPECT_EQ(e8m0_from_exponent(127), 254);
  EXPECT_EQ(e8m0_from_exponent(128), 254);
}

TEST(NumericDecode, DecodeTables) {
  for (const Spec& spec : specs) {
    const auto* table = decode_table(spec.format);
    if (spec.bits > 8) {
      EXPECT_EQ(table, nullptr) << spec.name;
      continue;
    }
    ASSERT_NE(table, nullptr) << spec.name;
    for (std::uint32_t code = 0; code < 256; ++code) {
      const auto expected = expected_value(spec, code & ((1u << spec.bits) - 1u));
      if (expected) {
        EXPECT_EQ(double((*table)[code]), *expected) << spec.name << " " << code;
      } else {
        EXPECT_TRUE(std::isnan((*table)[code])) << spec.name << " " << code;
      }
    }
  }
}

TEST(NumericInfo, RangesFromTheSpecs) {
  struct Expected {
    Format format;
    double max_finite, min_normal, min_subnormal;
    bool inf, nan, negative_zero;
  };
  const Expected table[] = {
      {Format::bf16, 0x1.FEp127, 0x1p-126, 0x1p-133, true, true, true},
      {Format::fp16, 65504.0, 0x1p-14, 0x1p-24, true, true, true},
      {Format::e4m3fnuz, 240.0, 0x1p-7, 0x1p-10, false, true, false},
      {Format::e5m2fnuz, 57344.0, 0x1p-15, 0x1p-17, false, true, false},
      {Format::e4m3fn, 448.0, 0x1p-6, 0x1p-9, false, true, true},
      {Format::e5m2, 57344.0, 0x1p-14, 0x1p-16, true, true, true},
      {Format::e2m1, 6.0, 1.0, 0.5, false, false, true},
      {Format::e2m3, 7.5, 1.0, 0.125, false, false, true},
      {Format::e3m2, 28.0, 0.25, 0.0625, false, false, true},
      {Format::e8m0, 0x1p127, 0x1p-127, 0x1p-127, false, true, false},
  };
  for (const Expected& e : table) {
    const FormatInfo& info = format_info(e.format);
    SCOPED_TRACE(info.name);
    EXPECT_EQ(info.max_finite, e.max_finite);
    EXPECT_EQ(info.min_normal, e.min_normal);
    EXPECT_EQ(info.min_subnormal, e.min_subnormal);
    EXPECT_EQ(info.has_inf, e.inf);
    EXPECT_EQ(info.has_nan, e.nan);
    EXPECT_EQ(info.has_negative_zero, e.negative_zero);
    EXPECT_EQ(double(decode(e.format, info.max_code)), e.max_finite);
    if (info.has_nan) {
      EXPECT_TRUE(std::isnan(decode(e.format, info.nan_code)));
    }
    EXPECT_EQ(parse_format(info.name), e.format);
  }
  EXPECT_EQ(parse_format("fp32"), std::nullopt);
}

TEST(NumericInfo, PerArchFp8) {
  EXPECT_EQ(fp8_format(Arch::gfx942), Format::e4m3fnuz);
  EXPECT_EQ(fp8_format(Arch::gfx950), Format::e4m3fn);
  EXPECT_EQ(bf8_format(Arch::gfx942), Format::e5m2fnuz);
  EXPECT_EQ(bf8_format(Arch::gfx950), Format::e5m2);
  EXPECT_EQ(fp8_max(Arch::gfx942), 240.0f);
  EXPECT_EQ(fp8_max(Arch::gfx950), 448.0f);
  EXPECT_EQ(arch_name(Arch::gfx950), "gfx950");
  EXPECT_EQ(parse_arch("gfx942"), Arch::gfx942);
  EXPECT_EQ(parse_arch("gfx90a"), std::nullopt);
}

}  // namespace
}  // namespace asmk::ref
