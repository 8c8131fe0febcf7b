// Reference GEMMs for the GEMM kernel families. All compute C = A · Bᵀ (A [M, K], B [N, K], both
// K-contiguous, row strides in elements — in bytes for packed fp4) on decoded inputs with fp64
// accumulation, and keep the result unrounded in a GemmRef together with the magnitude that the
// accumulation error of a kernel scales with (see ref/TOLERANCE.md and tolerance.hpp).
// store_output() rounds a GemmRef to the kernel's output type.
#pragma once

#include <cstdint>
#include <vector>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/status.hpp"

namespace asmk::ref {

enum class OutType : std::uint8_t { bf16, fp16, f32 };

struct GemmRef {
  std::uint32_t m = 0, n = 0, k = 0;
  std::vector<double> value;      // [m * n] row-major: C exactly (up to fp64 rounding)
  std::vector<double> magnitude;  // [m * n] Σ_k |a·b| · |scales| + |bias|

  double at(std::uint32_t row, std::uint32_t col) const { return value[std::size_t{row} * n + col]; }
};

// The 8-bit element type of an a8w8 operand: int8 or an fp8/bf8 format.
struct Elem8 {
  bool is_int8 = false;
  Format format = Format::e4m3fnuz;  // when !is_int8: e4m3fnuz, e5m2fnuz, e4m3fn or e5m2

  static Elem8 int8() { return {true, Format::e4m3fnuz}; }
  static Elem8 fp8(Format format) { return {false, format}; }
};

// (a) a8w8 per-token × per-channel: C[m][n] = (Σ_k A[m][k]·B[n][k]) · scale_a[m] · scale_b[n] + bias[n].
struct GemmA8W8Args {
  Elem8 type;                       // the same for A and B
  const std::uint8_t* a = nullptr;  // [M, K], row stride stride_a
  const std::uint8_t* b = nullptr;  // [N, K], row stride stride_b
  const float* scale_a = nullptr;   // [M]
  const float* scale_b = nullptr;   // [N]
  const float* bias = nullptr;      // [N] or nullptr
  std::uint32_t m = 0, n = 0, k = 0, stride_a = 0, stride_b = 0;
};
Status gemm_a8w8(const GemmA8W8Args& args, GemmRef& out);

// (b) a8w8 block-scale: A scales per 1×128 (token, K-block), B scales per 128×128 (N-block, K-block):
// C[m][n] = Σ_kb scale_a[m][kb] · scale_b[n/128][kb] · Σ_{k in kb} A[m][k]·B[n][k].
inline constexpr std::uint32_t gemm_scale_block = 128;
struct GemmA8W8BlockscaleArgs {
  Elem8 type;
  const std::uint8_t* a = nullptr;  // [M, K], row stride stride_a
  const std::uint8_t* b = nullptr;  // [N, K], row stride stride_b
  const float* scale_a = nullptr;   // [M, ceil(K/128)] row-major
  const float* scale_b = nullptr;   // [ceil(N/128), ceil(K/128)] row-major
  std::uint32_t m = 0, n = 0, k = 0, stride_a = 0, stride_b = 0;
};
Status gemm_a8w8_blockscale(const GemmA8W8BlockscaleArgs& args, GemmRef& out);

// (c) a4w4 MXFP4: e2m1 elements packed two per byte (element 2j = low nibble of byte j), one e8m0
// scale per 32 elements of K: C[m][n] = Σ_k A[m][k]·2^(sa[m][k/32]-127) · B[n][k]·2^(sb[n][k/32]-127).
struct GemmA4W4Args {
  const std::uint8_t* a = nullptr;        // [M, K/2] bytes, row stride stride_a bytes
  const std::uint8_t* b = nullptr;        // [N, K/2] bytes, row stride stride_b bytes
  const std::uint8_t* scale_a = nullptr;  // e8m0 [M, K/32], row stride stride_scale_a
  const std::uint8_t* scale_b = nullptr;  // e8m0 [N, K/32], row stride stride_scale_b
  std::uint32_t m = 0, n = 0, k = 0;      // K % 32 == 0
  std::uint32_t stride_a = 0, stride_b = 0, stride_scale_a = 0, stride_scale_b = 0;
};
Status gemm_a4w4(const GemmA4W4Args& args, GemmRef& out);

// (d) 16-bit: C = A · Bᵀ ("NT" layout), A and B bf16 (or fp16).
struct GemmBf16Args {
  Format in_format = Format::bf16;   // bf16 or fp16, for both operands
  const std::uint16_t* a = nullptr;  // [M, K], row stride stride_a
  const std::uint16_t* b = nullptr;  // [N, K], row stride stride_b
  const float* bias = nullptr;       // [N] or nullptr
  std::uint32_t m = 0, n = 0, k = 0, stride_a = 0, stride_b = 0;
};
Status gemm_bf16(const GemmBf16Args& args, GemmRef& out);

// Rounds every value to `type` (round-to-nearest-even; overflow to ±Inf) and writes it to
// c [m, n] with row stride stride_c elements (uint16 codes for bf16/fp16, float for f32).
Status store_output(const GemmRef& ref, OutType type, void* c, std::uint32_t stride_c);

// Reads element (row, col) of a kernel output of `type` as a double.
double load_output(OutType type, const void* c, std::uint32_t stride_c, std::uint32_t row, std::uint32_t col);

}  // namespace asmk::ref
