#include "asmk/ref/tolerance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace asmk::ref {
namespace {

struct OutFormat {
  int mantissa_bits;
  int min_exponent;   // exponent of the smallest normal
  double overflow;    // magnitudes at or above this round to Inf: max finite + half its ulp
};

OutFormat out_format(OutType type) {
  switch (type) {
    case OutType::bf16: return {7, -126, 0x1.ffp127};        // 0x1.fep127 + 2^119
    case OutType::fp16: return {10, -14, 65520.0};
    case OutType::f32: return {23, -126, 0x1.ffffffp127};
  }
  return {23, -126, 0x1.ffffffp127};
}

// Accumulation in fp32 over K terms, plus the epilogue's scale multiplications and bias addition:
// each rounding is at most 2^-24 relative to the running magnitude (see TOLERANCE.md).
constexpr int epilogue_roundings = 3;

}  // namespace

double output_ulp(OutType type, double x) {
  const OutFormat f = out_format(type);
  const int exponent = x > 0.0 && std::isfinite(x) ? std::max(std::ilogb(x), f.min_exponent) : f.min_exponent;
  return std::ldexp(1.0, exponent - f.mantissa_bits);
}

double gemm_tolerance(OutType type, double ref, double magnitude, std::uint32_t k) {
  const double accumulation = (double(k) + epilogue_roundings) * kFp32UnitRoundoff * magnitude;
  return accumulation + 0.5 * output_ulp(type, std::fabs(ref) + accumulation);
}

ErrorSummary compare_output(const GemmRef& ref, OutType type, const void* c, std::uint32_t stride_c) {
  ErrorSummary summary;
  double worst_ratio = -1.0;
  for (std::uint32_t i = 0; i < ref.m; ++i) {
    for (std::uint32_t j = 0; j < ref.n; ++j) {
      const double expected = ref.at(i, j);
      const double got = load_output(type, c, stride_c, i, j);
      const double tolerance = gemm_tolerance(type, expected, ref.magnitude[std::size_t{i} * ref.n + j], ref.k);
      const double error = std::fabs(got - expected);
      bool pass;
      if (std::isnan(got) || std::isnan(expected)) {
        pass = std::isnan(got) && std::isnan(expected);
      } else if (std::isinf(got)) {
        // The kernel may overflow only where the reference, moved by the accumulation error, does.
        pass = std::signbit(got) == std::signbit(expected) &&
               std::fabs(expected) + tolerance >= out_format(type).overflow;
      } else {
        pass = error <= tolerance;
      }
      ++summary.count;
      if (!pass) ++summary.violations;
      if (std::isfinite(error)) {
        summary.max_abs_error = std::max(summary.max_abs_error, error);
        if (expected != 0.0) summary.max_rel_error = std::max(summary.max_rel_error, error / std::fabs(expected));
      }
      // Rank elements by error / tolerance; a failure without a finite ratio (NaN, wrong Inf) ranks highest.
      double ratio = std::isfinite(error) ? error / tolerance : 0.0;
      if (!pass && !(ratio > 1.0)) ratio = HUGE_VAL;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        summary.worst_row = i;
        summary.worst_col = j;
        summary.worst_ref = expected;
        summary.worst_got = got;
        summary.worst_tolerance = tolerance;
      }
    }
  }
  return summary;
}

std::string ErrorSummary::describe() const {
  char text[320];
  std::snprintf(text, sizeof text,
                "%zu of %zu elements outside tolerance; max abs error %.6g, max rel error %.6g; "
                "worst at [%u, %u]: got %.9g, reference %.9g, tolerance %.6g",
                violations, count, max_abs_error, max_rel_error, worst_row, worst_col, worst_got, worst_ref,
                worst_tolerance);
  return text;
}

}  // namespace asmk::ref
