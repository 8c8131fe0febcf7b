// Small-float formats for the corpus' host references, written from their definitions:
// fp16 (IEEE binary16), bf16, and the fp8 formats (gfx942: e4m3fnuz/e5m2fnuz; gfx950: OCP
// e4m3fn/e5m2). Independent of ref/ and emu/ on purpose.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "asmk/emu/code_object.hpp"

namespace asmk::corpus {

/// A binary floating-point format with `man_bits` stored mantissa bits.
struct SmallFloat {
  int exp_bits, man_bits, bias;
  enum class Specials { ieee, fnuz, ocp_e4m3, none } specials;  // none: every code is finite
  double max_finite;

  int emin() const { return 1 - bias; }  // exponent of the smallest normal

  double decode(uint32_t code) const {
    const uint32_t sign = code >> (exp_bits + man_bits) & 1;
    const uint32_t exp = code >> man_bits & ((1u << exp_bits) - 1);
    const uint32_t man = code & ((1u << man_bits) - 1);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    switch (specials) {
      case Specials::fnuz:
        if (sign && exp == 0 && man == 0) return nan;  // the only NaN; no negative zero
        break;
      case Specials::ocp_e4m3:
        if (exp == (1u << exp_bits) - 1 && man == (1u << man_bits) - 1) return nan;
        break;
      case Specials::ieee:
        if (exp == (1u << exp_bits) - 1) return man ? nan : (sign ? -INFINITY : INFINITY);
        break;
      case Specials::none:
        break;
    }
    double magnitude = exp == 0 ? std::ldexp(double(man), emin() - man_bits)
                                : std::ldexp(double((1u << man_bits) | man), int(exp) - bias - man_bits);
    return sign ? -magnitude : magnitude;
  }

  /// Rounds `x` (finite, |x| within range after rounding for formats without infinity) to the
  /// nearest representable value, ties to even. Returns the code.
  uint32_t encode(double x) const {
    const uint32_t sign_bit = 1u << (exp_bits + man_bits);
    if (std::isnan(x)) {
      if (specials == Specials::fnuz) return sign_bit;
      if (specials == Specials::ocp_e4m3) return (1u << (exp_bits + man_bits)) - 1;
      return ((1u << exp_bits) - 1) << man_bits | 1u << (man_bits - 1);  // quiet NaN
    }
    const bool negative = std::signbit(x);
    double a = std::fabs(x);
    uint32_t magnitude;
    if (a == 0) {
      magnitude = 0;
    } else {
      int e = std::ilogb(a);
      if (e < emin()) e = emin();
      double units = std::nearbyint(std::ldexp(a, man_bits - e));  // ties to even (default rounding mode)
      double rounded = std::ldexp(units, e - man_bits);
      if (rounded > max_finite) {
        magnitude = ((1u << exp_bits) - 1) << man_bits;  // infinity (only formats that have one get here)
      } else if (rounded < std::ldexp(1.0, emin())) {
        magnitude = uint32_t(units);  // subnormal (or zero)
      } else {
        int re = std::ilogb(rounded);
        magnitude = uint32_t(re + bias) << man_bits | (uint32_t(std::ldexp(rounded, man_bits - re)) & ((1u << man_bits) - 1));
      }
    }
    if (magnitude == 0 && specials == Specials::fnuz) return 0;  // no negative zero
    return negative ? (magnitude | sign_bit) : magnitude;
  }
};

inline const SmallFloat kHalf{5, 10, 15, SmallFloat::Specials::ieee, 65504.0};
inline const SmallFloat kE4M3Fnuz{4, 3, 8, SmallFloat::Specials::fnuz, 240.0};
inline const SmallFloat kE5M2Fnuz{5, 2, 16, SmallFloat::Specials::fnuz, 57344.0};
inline const SmallFloat kE4M3Ocp{4, 3, 7, SmallFloat::Specials::ocp_e4m3, 448.0};
inline const SmallFloat kE5M2Ocp{5, 2, 15, SmallFloat::Specials::ieee, 57344.0};
inline const SmallFloat kE2M1{2, 1, 1, SmallFloat::Specials::none, 6.0};  // fp4 (gfx950 MX)

/// The fp8 ("fp8", e4m3) and bf8 (e5m2) formats of an arch.
inline const SmallFloat& fp8_format(emu::Arch arch) { return arch == emu::Arch::gfx950 ? kE4M3Ocp : kE4M3Fnuz; }
inline const SmallFloat& bf8_format(emu::Arch arch) { return arch == emu::Arch::gfx950 ? kE5M2Ocp : kE5M2Fnuz; }

inline uint16_t half_bits(double x) { return uint16_t(kHalf.encode(x)); }
inline double half_value(uint16_t bits) { return kHalf.decode(bits); }

/// bf16: the upper half of an fp32, rounded to nearest even; NaNs stay quiet NaNs.
inline uint16_t bf16_bits(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  if (std::isnan(f)) return uint16_t((u >> 16) | 0x40);
  uint32_t lower = u & 0xffff, upper = u >> 16;
  if (lower > 0x8000 || (lower == 0x8000 && (upper & 1))) upper++;
  return uint16_t(upper);
}
inline float bf16_value(uint16_t bits) { return std::bit_cast<float>(uint32_t(bits) << 16); }

}  // namespace asmk::corpus
