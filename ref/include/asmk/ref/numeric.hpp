// The numeric formats of CDNA3/CDNA4 kernels: decode (code -> exact value) and encode
// (value -> code, round-to-nearest-even, chosen overflow behaviour).
//
// This is the one place the formats are defined. The emulator implements the conversion
// instructions (v_cvt_pk_fp8_f32, v_cvt_f32_fp8, v_cvt_scalef32_*, ...) and the MFMA operand
// decoding with these functions; the references and the tests use them too.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "asmk/ref/arch.hpp"

namespace asmk::ref {

// The unit roundoff of fp32 (half an ulp at 1): every tolerance rule's rounding term is a multiple of it.
inline constexpr double kFp32UnitRoundoff = 0x1p-24;

using asmk::Arch;

enum class Format : std::uint8_t {
  bf16,      // IEEE-like, 8-bit exponent (bias 127), 7-bit mantissa
  fp16,      // IEEE binary16
  e4m3fnuz,  // gfx942 fp8: bias 8, 0x80 is the only NaN, no Inf, no -0, max 240
  e5m2fnuz,  // gfx942 bf8: bias 16, 0x80 is the only NaN, no Inf, no -0, max 57344
  e4m3fn,    // OCP fp8 (gfx950): bias 7, S.1111.111 is NaN, no Inf, max 448
  e5m2,      // OCP bf8 (gfx950): bias 15, IEEE-like Inf/NaN, max 57344
  e2m1,      // OCP MX fp4: bias 1, all codes finite, max 6
  e2m3,      // OCP MX fp6: bias 1, all codes finite, max 7.5
  e3m2,      // OCP MX bf6: bias 3, all codes finite, max 28
  e8m0,      // OCP MX scale: unsigned 2^(code-127), 0xFF is NaN, no zero
};

inline constexpr std::array<Format, 10> all_formats = {
    Format::bf16,   Format::fp16, Format::e4m3fnuz, Format::e5m2fnuz, Format::e4m3fn,
    Format::e5m2,   Format::e2m1, Format::e2m3,     Format::e3m2,     Format::e8m0};

// How a format uses the codes at the top of its range.
enum class Specials : std::uint8_t {
  ieee,  // exponent all ones: mantissa 0 is ±Inf, anything else NaN (bf16, fp16, e5m2)
  fn,    // only S.1111.111 is NaN, no Inf; the rest of the top binade is finite (e4m3fn)
  fnuz,  // 1.000...0 (the would-be -0) is the only NaN; no Inf, no -0 (e4m3fnuz, e5m2fnuz)
  none,  // every code is a finite number (e2m1, e2m3, e3m2)
  e8m0,  // unsigned, no mantissa: code c is 2^(c-127), 0xFF is NaN
};

struct FormatInfo {
  std::string_view name;
  int bits;           // storage width of one code
  int exponent_bits;
  int mantissa_bits;
  int bias;
  bool has_sign;      // false only for e8m0
  bool has_subnormals;
  Specials specials;
  bool has_inf;
  bool has_nan;
  bool has_negative_zero;
  double max_finite;     // largest finite value
  double min_normal;     // smallest positive normal value
  double min_subnormal;  // smallest positive value (== min_normal without subnormals)
  std::uint32_t max_code;  // code of +max_finite
  std::uint32_t nan_code;  // the NaN code encode() returns (0 if the format has no NaN)
};

const FormatInfo& format_info(Format format);
std::string_view format_name(Format format);
std::optional<Format> parse_format(std::string_view name);  // by FormatInfo::name

// What encode() does with a finite value whose rounded magnitude exceeds max_finite, and with ±Inf.
enum class Overflow : std::uint8_t {
  saturate,    // -> ±max_finite (the ISA's clamp / saturating conversions)
  inf_or_nan,  // -> ±Inf if the format has Inf, else NaN; formats with neither saturate
};

// Exact value of a code (bits above FormatInfo::bits are ignored). NaN codes give a quiet NaN
// with the code's sign.
float decode(Format format, std::uint32_t code);

// Round `value` to the format (nearest, ties to even), then apply `overflow` if the rounded
// magnitude exceeds max_finite. The value is a double so that callers can pass exact intermediate
// values (e.g. x / 2^k for the scaled conversions) without a second rounding; floats convert exactly.
//   - ±0 -> ±0 where the format has -0, else +0; values that round to zero likewise.
//   - ±Inf -> as an overflow: ±max_finite (saturate), or ±Inf / NaN (inf_or_nan).
//   - NaN -> nan_code, with the input's sign where the format has signed NaNs (fn, ieee).
//     Formats without NaN (e2m1, e2m3, e3m2; the OCP MX spec leaves this implementation-defined)
//     give ±max_finite, so a NaN stays visible as an extreme value rather than a silent zero.
//   - e8m0 has no sign, no zero and no mantissa: positive values round to the nearer power of two
//     (the midpoint 1.5 * 2^e rounds up), values below 2^-127 give code 0 (2^-127), zero, negative
//     values and NaN give the NaN code 0xFF.
std::uint32_t encode(Format format, double value, Overflow overflow);

// 256-entry decode table of a format of at most 8 bits (entries past 2^bits repeat the low codes),
// for hot loops such as MFMA operand decoding; nullptr for the 16-bit formats.
const std::array<float, 256>* decode_table(Format format);

// The gfx950 scaled conversions (v_cvt_scalef32_*): the scale operand contributes only its f32
// exponent field e (0..255, read as `(bits >> 23) & 0xff`). Narrowing conversions encode x / 2^(e-127)
// (one rounding: the division is exact in double); widening ones give decode(code) * 2^(e-127),
// which the caller rounds to its destination type (f32, f16 or bf16).
inline std::uint32_t encode_scaled(Format format, float value, std::uint8_t scale_exponent, Overflow overflow) {
  return encode(format, std::ldexp(double(value), 127 - int(scale_exponent)), overflow);
}
inline double decode_scaled(Format format, std::uint32_t code, std::uint8_t scale_exponent) {
  return std::ldexp(double(decode(format, code)), int(scale_exponent) - 127);
}

// Per-arch fp8 choices: gfx942 uses the FNUZ variants, gfx950 the OCP ones.
constexpr Format fp8_format(Arch arch) { return arch == Arch::gfx942 ? Format::e4m3fnuz : Format::e4m3fn; }
constexpr Format bf8_format(Arch arch) { return arch == Arch::gfx942 ? Format::e5m2fnuz : Format::e5m2; }
constexpr float fp8_max(Arch arch) { return arch == Arch::gfx942 ? 240.0f : 448.0f; }

// ---------------------------------------------------------------------------------------------
// bf16 / fp16 <-> f32, inline for hot loops. Results equal decode() / encode(.., inf_or_nan) of the
// same format, except that these keep a NaN's payload (quieted) where encode() returns nan_code.

enum class Rounding : std::uint8_t {
  nearest_even,  // RNE (v_cvt_pk_bf16_f32, the default rounding mode)
  nearest_away,  // ties away from zero ("rtna")
  toward_zero,   // truncation ("rtz")
};

inline float bf16_to_f32(std::uint16_t bits) { return std::bit_cast<float>(std::uint32_t{bits} << 16); }

// f32 -> bf16. NaN stays NaN (quieted, sign kept); overflow goes to ±Inf except under truncation,
// which never rounds up in magnitude (so it gives ±max finite, like IEEE round-toward-zero).
inline std::uint16_t f32_to_bf16(float value, Rounding rounding = Rounding::nearest_even) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x0040u);
  std::uint32_t increment = 0;
  switch (rounding) {
    case Rounding::nearest_even: increment = 0x7fffu + ((u >> 16) & 1u); break;
    case Rounding::nearest_away: increment = 0x8000u; break;
    case Rounding::toward_zero: increment = 0; break;
  }
  return static_cast<std::uint16_t>((u + increment) >> 16);  // a carry into the exponent is right
}

inline float fp16_to_f32(std::uint16_t bits) {
  const std::uint32_t sign = std::uint32_t{bits & 0x8000u} << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Subnormal: mantissa * 2^-24, exact in f32.
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

// f32 -> fp16, IEEE round-to-nearest-even; overflow -> ±Inf; NaN -> quiet NaN (sign kept).
inline std::uint16_t f32_to_fp16(float value) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
  if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520 rounds to Inf
  if (a >= 0x38800000u) {  // normal result (>= 2^-14)
    const std::uint32_t rebased = a - (112u << 23);
    const std::uint32_t rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
    return static_cast<std::uint16_t>(sign | (rounded >> 13));
  }
  // Subnormal or zero result: value / 2^-24 rounded to an integer, nearest-even.
  if (a < 0x33000000u) return sign;  // below 2^-25: rounds to zero (2^-25 itself ties to even 0)
  const std::uint32_t exponent = a >> 23;  // biased f32 exponent, 102..112
  const std::uint32_t significand = (a & 0x7fffffu) | 0x800000u;
  const std::uint32_t shift = 126u - exponent;  // significand * 2^(exponent-150) / 2^-24
  const std::uint32_t kept = significand >> shift;
  const std::uint32_t rest = significand & ((1u << shift) - 1u);
  const std::uint32_t half = 1u << (shift - 1u);
  const std::uint32_t rounded = kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
  return static_cast<std::uint16_t>(sign | rounded);
}

// ---------------------------------------------------------------------------------------------
// e8m0 (MX scale) helpers.

// 2^(code-127) as f32 (code 0 is the f32 subnormal 2^-127); 0xFF -> NaN.
inline float e8m0_to_f32(std::uint8_t code) {
  if (code == 0xff) return std::bit_cast<float>(0x7fc00000u);
  if (code == 0) return std::bit_cast<float>(0x00400000u);  // 2^-127
  return std::bit_cast<float>(std::uint32_t{code} << 23);
}

// The e8m0 code of 2^exponent, with the exponent clamped to the representable [-127, 127].
inline std::uint8_t e8m0_from_exponent(int exponent) {
  if (exponent < -127) exponent = -127;
  if (exponent > 127) exponent = 127;
  return static_cast<std::uint8_t>(exponent + 127);
}

// ---------------------------------------------------------------------------------------------
// OCP MX blocks: mx_block_size consecutive elements along K share one e8m0 scale.
inline constexpr std::uint32_t mx_block_size = 32;

// Packed 4-bit storage (e2m1): two elements per byte, element 2j in the low nibble of byte j.

inline std::uint8_t pack_nibbles(std::uint32_t even, std::uint32_t odd) {
  return static_cast<std::uint8_t>((even & 0xfu) | ((odd & 0xfu) << 4));
}

// The 4-bit code of element `index` of a packed row.
inline std::uint32_t packed_nibble(const std::uint8_t* row, std::size_t index) {
  return (row[index / 2] >> (4 * (index % 2))) & 0xfu;
}

}  // namespace asmk::ref
