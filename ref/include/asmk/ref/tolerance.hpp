// The rule for comparing a kernel's GEMM output with a reference (derivation in ref/TOLERANCE.md):
//
//   acc  = (K + 3) · 2^-24 · magnitude          fp32 accumulation of K terms + 3 epilogue roundings
//   tol  = acc + ½ · ulp_out(|ref| + acc)        + rounding of the result to the output type
//   pass ⇔ |got − ref| ≤ tol                     (NaN never passes; ±Inf passes only if equal to ref)
//
// where magnitude = Σ_k |a·b|·|scales| + |bias| (GemmRef::magnitude) and ulp_out(x) is the spacing of
// the output format at x (bf16: 2^(⌊log2 x⌋−7), fp16: 2^(⌊log2 x⌋−10), f32: 2^(⌊log2 x⌋−23), never
// below the format's smallest subnormal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "asmk/ref/gemm.hpp"

namespace asmk::ref {

// Spacing of the output format's values at magnitude x (x >= 0).
double output_ulp(OutType type, double x);

// The allowed |got − ref| for one element.
double gemm_tolerance(OutType type, double ref, double magnitude, std::uint32_t k);

struct ErrorSummary {
  std::size_t count = 0;       // elements compared
  std::size_t violations = 0;  // elements outside the tolerance
  double max_abs_error = 0.0;  // over all elements
  double max_rel_error = 0.0;  // |got − ref| / |ref| over elements with ref != 0
  // The element with the largest error / tolerance ratio (the first violation's neighbourhood).
  std::uint32_t worst_row = 0, worst_col = 0;
  double worst_ref = 0.0, worst_got = 0.0, worst_tolerance = 0.0;

  bool ok() const { return violations == 0; }
  std::string describe() const;  // one line for test failure messages and `asmk --check`
};

// Compares c [m, n] (row stride stride_c elements, of `type`) with the reference.
ErrorSummary compare_output(const GemmRef& ref, OutType type, const void* c, std::uint32_t stride_c);

inline bool within_tolerance(const GemmRef& ref, OutType type, const void* c, std::uint32_t stride_c) {
  return compare_output(ref, type, c, stride_c).ok();
}

}  // namespace asmk::ref
