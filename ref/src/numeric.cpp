#include "asmk/ref/numeric.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace asmk::ref {
namespace {

// The defining parameters of each format, as the specs state them. Everything else in FormatInfo
// (ranges, special codes) is derived from these by complete_info() below.
struct Definition {
  Format format;
  std::string_view name;
  int bits, exponent_bits, mantissa_bits, bias;
  Specials specials;
};

constexpr Definition definitions[] = {
    //  format             name        bits  E   M  bias  specials
    {Format::bf16,     "bf16",      16, 8, 7,  127, Specials::ieee},
    {Format::fp16,     "fp16",      16, 5, 10, 15,  Specials::ieee},
    {Format::e4m3fnuz, "e4m3fnuz",  8,  4, 3,  8,   Specials::fnuz},
    {Format::e5m2fnuz, "e5m2fnuz",  8,  5, 2,  16,  Specials::fnuz},
    {Format::e4m3fn,   "e4m3fn",    8,  4, 3,  7,   Specials::fn},
    {Format::e5m2,     "e5m2",      8,  5, 2,  15,  Specials::ieee},
    {Format::e2m1,     "e2m1",      4,  2, 1,  1,   Specials::none},
    {Format::e2m3,     "e2m3",      6,  2, 3,  1,   Specials::none},
    {Format::e3m2,     "e3m2",      6,  3, 2,  3,   Specials::none},
    {Format::e8m0,     "e8m0",      8,  8, 0,  127, Specials::e8m0},
};

FormatInfo complete_info(const Definition& d) {
  FormatInfo info{};
  info.name = d.name;
  info.bits = d.bits;
  info.exponent_bits = d.exponent_bits;
  info.mantissa_bits = d.mantissa_bits;
  info.bias = d.bias;
  info.specials = d.specials;
  info.has_sign = d.specials != Specials::e8m0;
  info.has_subnormals = d.specials != Specials::e8m0;
  info.has_inf = d.specials == Specials::ieee;
  info.has_nan = d.specials != Specials::none;
  info.has_negative_zero = info.has_sign && d.specials != Specials::fnuz;

  const std::uint32_t exponent_ones = (1u << d.exponent_bits) - 1u;
  const std::uint32_t mantissa_ones = (1u << d.mantissa_bits) - 1u;
  // The largest finite code: IEEE formats lose the top binade to Inf/NaN, e4m3fn loses only
  // S.1111.111, FNUZ and NaN-less formats use every code.
  std::uint32_t top_exponent = exponent_ones;
  std::uint32_t top_mantissa = mantissa_ones;
  switch (d.specials) {
    case Specials::ieee: top_exponent = exponent_ones - 1u; break;
    case Specials::fn: top_mantissa = mantissa_ones - 1u; break;
    case Specials::e8m0: top_exponent = exponent_ones - 1u; break;
    case Specials::fnuz:
    case Specials::none: break;
  }
  info.max_code = (top_exponent << d.mantissa_bits) | top_mantissa;
  info.max_finite = std::ldexp(1.0 + std::ldexp(double(top_mantissa), -d.mantissa_bits),
                               int(top_exponent) - d.bias);
  if (d.specials == Specials::e8m0) {
    info.min_normal = std::ldexp(1.0, -d.bias);  // code 0 is 2^-127: no subnormals, no zero
    info.min_subnormal = info.min_normal;
  } else {
    info.min_normal = std::ldexp(1.0, 1 - d.bias);
    info.min_subnormal = std::ldexp(1.0, 1 - d.bias - d.mantissa_bits);
  }

  switch (d.specials) {
    case Specials::ieee:  // quiet NaN: exponent all ones, top mantissa bit set
      info.nan_code = (exponent_ones << d.mantissa_bits) | (1u << (d.mantissa_bits - 1));
      break;
    case Specials::fn: info.nan_code = (exponent_ones << d.mantissa_bits) | mantissa_ones; break;
    case Specials::fnuz: info.nan_code = 1u << (d.bits - 1); break;
    case Specials::e8m0: info.nan_code = 0xffu; break;
    case Specials::none: info.nan_code = 0; break;
  }
  return info;
}

struct InfoTable {
  FormatInfo infos[std::size(definitions)];
  InfoTable() {
    for (const Definition& d : definitions) infos[static_cast<int>(d.format)] = complete_info(d);
  }
};

const InfoTable& info_table() {
  static const InfoTable table;
  return table;
}

std::uint32_t sign_bit(const FormatInfo& info) { return info.has_sign ? 1u << (info.bits - 1) : 0u; }

// Round a non-negative double to an integer, ties to even, independent of the FP environment.
double round_half_even(double x) {
  const double lower = std::floor(x);
  const double fraction = x - lower;  // exact: x < 2^53 here
  if (fraction > 0.5) return lower + 1.0;
  if (fraction < 0.5) return lower;
  return std::fmod(lower, 2.0) == 0.0 ? lower : lower + 1.0;
}

std::uint32_t nan_result(const FormatInfo& info, std::uint32_t sign) {
  switch (info.specials) {
    case Specials::ieee:
    case Specials::fn: return sign | info.nan_code;
    case Specials::fnuz:
    case Specials::e8m0: return info.nan_code;
    case Specials::none: return sign | info.max_code;
  }
  return info.nan_code;
}

std::uint32_t overflow_result(const FormatInfo& info, std::uint32_t sign, Overflow overflow) {
  if (overflow == Overflow::saturate) return sign | info.max_code;
  if (info.has_inf) return sign | (((1u << info.exponent_bits) - 1u) << info.mantissa_bits);
  if (info.has_nan) return nan_result(info, sign);
  return sign | info.max_code;
}

// Code of a positive value that is exactly representable and at most max_finite.
std::uint32_t magnitude_code(const FormatInfo& info, double magnitude) {
  if (info.has_subnormals && magnitude < info.min_normal) {
    return static_cast<std::uint32_t>(magnitude / info.min_subnormal);  // exponent field 0
  }
  const int exponent = std::ilogb(magnitude);
  const double significand = std::ldexp(magnitude, info.mantissa_bits - exponent);  // in [2^M, 2^(M+1))
  const auto mantissa = static_cast<std::uint32_t>(significand) - (1u << info.mantissa_bits);
  const auto exponent_field = static_cast<std::uint32_t>(exponent + info.bias);
  return (exponent_field << info.mantissa_bits) | mantissa;
}

}  // namespace

const FormatInfo& format_info(Format format) { return info_table().infos[static_cast<int>(format)]; }

std::string_view format_name(Format format) { return format_info(format).name; }

std::optional<Format> parse_format(std::string_view name) {
  for (const Definition& d : definitions) {
    if (d.name == name) return d.format;
  }
  return std::nullopt;
}

float decode(Format format, std::uint32_t code) {
  const FormatInfo& info = format_info(format);
  code &= (1u << info.bits) - 1u;
  const bool negative = (code & sign_bit(info)) != 0;
  const std::uint32_t exponent_ones = (1u << info.exponent_bits) - 1u;
  const std::uint32_t mantissa_ones = (1u << info.mantissa_bits) - 1u;
  const std::uint32_t exponent = (code >> info.mantissa_bits) & exponent_ones;
  const std::uint32_t mantissa = code & mantissa_ones;

  const float quiet_nan = std::numeric_limits<float>::quiet_NaN();
  switch (info.specials) {
    case Specials::ieee:
      if (exponent == exponent_ones) {
        const float special = mantissa == 0 ? std::numeric_limits<float>::infinity() : quiet_nan;
        return negative ? -special : special;
      }
      break;
    case Specials::fn:
      if (exponent == exponent_ones && mantissa == mantissa_ones) return negative ? -quiet_nan : quiet_nan;
      break;
    case Specials::fnuz:
      if (code == info.nan_code) return quiet_nan;
      break;
    case Specials::e8m0:
      if (code == info.nan_code) return quiet_nan;
      return static_cast<float>(std::ldexp(1.0, int(code) - info.bias));
    case Specials::none: break;
  }

  // value = 0.mantissa * 2^(1-bias) for subnormals, 1.mantissa * 2^(exponent-bias) otherwise.
  const double magnitude =
      exponent == 0 ? std::ldexp(double(mantissa), 1 - info.bias - info.mantissa_bits)
                    : std::ldexp(double(mantissa | (1u << info.mantissa_bits)),
                                 int(exponent) - info.bias - info.mantissa_bits);
  const auto value = static_cast<float>(magnitude);  // exact: every format fits in f32
  return negative ? -value : value;
}

std::uint32_t encode(Format format, double value, Overflow overflow) {
  const FormatInfo& info = format_info(format);
  const std::uint32_t sign = std::signbit(value) ? sign_bit(info) : 0u;
  if (std::isnan(value)) return nan_result(info, sign);

  if (info.specials == Specials::e8m0) {
    if (!(value > 0.0)) return info.nan_code;  // zero and negative values are not representable
    if (std::isinf(value)) return overflow_result(info, 0, overflow);
    const int exponent = std::max(std::ilogb(value), -info.bias);
    // The two candidates are 2^exponent and 2^(exponent+1); n in {0, 1, 2} picks one (0 = below
    // the smallest code, which is also the nearest code).
    const double n = round_half_even(std::ldexp(value, -exponent));
    const int rounded_exponent = n >= 2.0 ? exponent + 1 : exponent;
    if (rounded_exponent > int(info.max_code) - info.bias) return overflow_result(info, 0, overflow);
    return static_cast<std::uint32_t>(rounded_exponent + info.bias);
  }

  const double magnitude = std::fabs(value);
  if (std::isinf(magnitude)) return overflow_result(info, sign, overflow);
  const std::uint32_t zero = info.has_negative_zero ? sign : 0u;
  if (magnitude == 0.0) return zero;

  // Round to a multiple of the spacing (quantum) of magnitude's binade; below the normal range the
  // quantum is the subnormal spacing. A carry into the next binade is exact at the new quantum.
  const int exponent = std::max(std::ilogb(magnitude), 1 - info.bias);
  const int quantum_exponent = exponent - info.mantissa_bits;
  const double rounded =
      std::ldexp(round_half_even(std::ldexp(magnitude, -quantum_exponent)), quantum_exponent);
  if (rounded > info.max_finite) return overflow_result(info, sign, overflow);
  if (rounded == 0.0) return zero;
  return sign | magnitude_code(info, rounded);
}

const std::array<float, 256>* decode_table(Format format) {
  struct Tables {
    std::array<float, 256> tables[std::size(definitions)];
    Tables() {
      for (const Definition& d : definitions) {
        if (d.bits > 8) continue;
        for (std::uint32_t code = 0; code < 256; ++code) {
          tables[static_cast<int>(d.format)][code] = decode(d.format, code);
        }
      }
    }
  };
  static const Tables tables;
  if (format_info(format).bits > 8) return nullptr;
  return &tables.tables[static_cast<int>(format)];
}

}  // namespace asmk::ref
