// The formats as the specs define them, written independently of ref/src/numeric.cpp, and the two
// oracles the tests compare the library with:
//   expected_value(spec, code)      the value of a code, from sign / exponent / mantissa fields;
//   expected_encode(spec, x, sat)   the nearest code by search over all values, ties to the even code.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "asmk/ref/numeric.hpp"

namespace asmk::ref::test {

enum class Kind { ieee, fn, fnuz, none, e8m0 };

struct Spec {
  Format format;
  std::string_view name;
  int bits, exponent_bits, mantissa_bits, bias;
  Kind kind;
};

// Sources: IEEE 754 (fp16, bf16 = IEEE-like with binary32's exponent), OCP 8-bit FP spec v1.0
// (e4m3fn, e5m2), OCP MX spec v1.0 (e2m1, e2m3, e3m2, e8m0), AMD CDNA3 ISA guide (FNUZ fp8/bf8).
inline constexpr Spec specs[] = {
    {Format::bf16, "bf16", 16, 8, 7, 127, Kind::ieee},
    {Format::fp16, "fp16", 16, 5, 10, 15, Kind::ieee},
    {Format::e4m3fnuz, "e4m3fnuz", 8, 4, 3, 8, Kind::fnuz},
    {Format::e5m2fnuz, "e5m2fnuz", 8, 5, 2, 16, Kind::fnuz},
    {Format::e4m3fn, "e4m3fn", 8, 4, 3, 7, Kind::fn},
    {Format::e5m2, "e5m2", 8, 5, 2, 15, Kind::ieee},
    {Format::e2m1, "e2m1", 4, 2, 1, 1, Kind::none},
    {Format::e2m3, "e2m3", 6, 2, 3, 1, Kind::none},
    {Format::e3m2, "e3m2", 6, 3, 2, 3, Kind::none},
    {Format::e8m0, "e8m0", 8, 8, 0, 127, Kind::e8m0},
};

inline const Spec& spec_of(Format format) {
  for (const Spec& s : specs) {
    if (s.format == format) return s;
  }
  return specs[0];
}

// Value of a code; nullopt for NaN codes.
inline std::optional<double> expected_value(const Spec& s, std::uint32_t code) {
  if (s.kind == Kind::e8m0) {
    if (code == 0xFF) return std::nullopt;
    return std::ldexp(1.0, int(code) - s.bias);
  }
  const bool negative = (code >> (s.bits - 1)) & 1u;
  const std::uint32_t e = (code >> s.mantissa_bits) & ((1u << s.exponent_bits) - 1u);
  const std::uint32_t m = code & ((1u << s.mantissa_bits) - 1u);
  const std::uint32_t e_max = (1u << s.exponent_bits) - 1u;
  const std::uint32_t m_max = (1u << s.mantissa_bits) - 1u;
  if (s.kind == Kind::ieee && e == e_max) {
    if (m != 0) return std::nullopt;
    return negative ? -HUGE_VAL : HUGE_VAL;
  }
  if (s.kind == Kind::fn && e == e_max && m == m_max) return std::nullopt;
  if (s.kind == Kind::fnuz && negative && e == 0 && m == 0) return std::nullopt;
  const double fraction = double(m) / double(1u << s.mantissa_bits);
  const double magnitude = e == 0 ? std::ldexp(fraction, 1 - s.bias)        // subnormal: 0.m * 2^(1-bias)
                                  : std::ldexp(1.0 + fraction, int(e) - s.bias);  // normal: 1.m * 2^(e-bias)
  return negative ? -magnitude : magnitude;
}

// All finite non-negative values with their codes, ascending (positive zero only).
inline std::vector<std::pair<double, std::uint32_t>> positive_values(const Spec& s) {
  std::vector<std::pair<double, std::uint32_t>> values;
  const std::uint32_t count = s.kind == Kind::e8m0 ? 256u : 1u << (s.bits - 1);  // sign bit clear
  for (std::uint32_t code = 0; code < count; ++code) {
    const auto v = expected_value(s, code);
    if (v && std::isfinite(*v)) values.emplace_back(*v, code);
  }
  std::sort(values.begin(), values.end());
  return values;
}

// The code of the largest finite value (cached: the list of a 16-bit format is long).
inline std::uint32_t max_code_of(const Spec& s) {
  static thread_local std::uint32_t cache[16] = {};
  static thread_local bool known[16] = {};
  const int i = static_cast<int>(s.format);
  if (!known[i]) {
    cache[i] = positive_values(s).back().second;
    known[i] = true;
  }
  return cache[i];
}

inline std::uint32_t sign_of(const Spec& s) { return s.kind == Kind::e8m0 ? 0u : 1u << (s.bits - 1); }

// Round-to-nearest-even by search: the nearest representable value; on a tie the code whose last
// bit is 0. Above the largest value the next (unrepresentable) value is max + its spacing, with
// code max_code + 1, so an overflow is decided by the same rule. Finite, non-NaN, non-e8m0 input.
struct Rounded {
  bool overflow;
  std::uint32_t code;  // valid when !overflow: sign included (no sign on zero for FNUZ)
};

inline Rounded expected_round(const Spec& s, double x) {
  static thread_local std::vector<std::pair<double, std::uint32_t>> cache;
  static thread_local Format cached_format = Format::e8m0;
  if (cache.empty() || cached_format != s.format) {
    cache = positive_values(s);
    cached_format = s.format;
  }
  const auto& values = cache;
  const double a = std::fabs(x);
  const std::uint32_t sign = std::signbit(x) ? sign_of(s) : 0u;
  const auto [max_value, max_code] = values.back();
  const double spacing_at_max = max_value - values[values.size() - 2].first;
  const double beyond = max_value + spacing_at_max;

  auto upper = std::upper_bound(values.begin(), values.end(), std::make_pair(a, ~0u));
  double lo_v, hi_v;
  std::uint32_t lo_c, hi_c;
  bool hi_is_overflow = false;
  if (upper == values.end()) {
    if (a >= beyond) return {true, 0};
    lo_v = max_value;
    lo_c = max_code;
    hi_v = beyond;
    hi_c = max_code + 1;
    hi_is_overflow = true;
  } else {
    hi_v = upper->first;
    hi_c = upper->second;
    lo_v = std::prev(upper)->first;
    lo_c = std::prev(upper)->second;
  }
  bool pick_hi;
  if (a - lo_v < hi_v - a) {
    pick_hi = false;
  } else if (a - lo_v > hi_v - a) {
    pick_hi = true;
  } else {
    pick_hi = (hi_c & 1u) == 0;
  }
  if (pick_hi && hi_is_overflow) return {true, 0};
  const std::uint32_t code = pick_hi ? hi_c : lo_c;
  const bool zero = (pick_hi ? hi_v : lo_v) == 0.0;
  if (zero && s.kind == Kind::fnuz) return {false, 0};
  return {false, sign | code};
}

}  // namespace asmk::ref::test
