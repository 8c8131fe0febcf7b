// Reference quantizations.
//
// quant_fp8: the `quant_fp8` kernel contract of docs/contracts.md, bit for bit (same codes, same
// scales): dynamic per-row or per-1x128-group fp8 quantization of bf16/fp16 activations.
// quant_mxfp4: OCP MX v1.0 quantization of activations to e2m1 with one e8m0 scale per 32 elements.
#pragma once

#include <cstdint>

#include "asmk/ref/arch.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/status.hpp"

namespace asmk::ref {

enum class QuantGranularity : std::uint8_t {
  row,    // one scale per row: scale [m]
  group,  // one scale per 1 x quant_group_size group: scale [m, n / 128] row-major
};

inline constexpr std::uint32_t quant_group_size = 128;
inline constexpr float quant_amax_floor = 0x1p-32f;  // an all-zero group gets a tiny, finite scale

struct QuantFp8Args {
  Arch arch = Arch::gfx942;      // output format fp8_format(arch): e4m3fnuz (max 240) / e4m3fn (448)
  Format in_format = Format::bf16;  // bf16 or fp16
  QuantGranularity granularity = QuantGranularity::row;
  const std::uint16_t* x = nullptr;  // [m, n], row stride stride_x elements
  std::uint8_t* y = nullptr;         // [m, n] fp8 codes, row stride stride_y elements
  float* scale = nullptr;            // see QuantGranularity
  std::uint32_t m = 0, n = 0, stride_x = 0, stride_y = 0;
};

// Checks the arguments (formats, n % 128 == 0 for groups, strides >= n, non-null buffers when
// m * n > 0), then quantizes. Nothing is written when the arguments are rejected.
Status quant_fp8(const QuantFp8Args& args);

// The arithmetic for one row or group, given amax = max |x_i| (in f32):
//   amax' = max(amax, 2^-32); scale = amax' / fp8_max; inverse = fp8_max / amax'
// (both correctly rounded f32 divisions) and y_i = encode(fp8, x_i * inverse (f32 multiply), saturate).
struct Fp8GroupScale {
  float scale;
  float inverse;
};
Fp8GroupScale quant_fp8_group_scale(float amax, float fp8_max);

// ------------------------------------------------------------------------------------------------

struct QuantMxfp4Args {
  Format in_format = Format::bf16;   // bf16 or fp16
  const std::uint16_t* x = nullptr;  // [m, n], row stride stride_x elements
  std::uint8_t* y = nullptr;         // [m, n / 2] bytes of packed e2m1 (element 2j = low nibble of byte j),
                                     // row stride stride_y bytes
  std::uint8_t* scale = nullptr;     // e8m0 [m, n / 32], row stride stride_scale bytes
  std::uint32_t m = 0, n = 0, stride_x = 0, stride_y = 0, stride_scale = 0;
};

// n % 32 == 0, stride_x >= n, stride_y >= n / 2, stride_scale >= n / 32.
Status quant_mxfp4(const QuantMxfp4Args& args);

// OCP MX v1.0 shared scale of a block: 2^(floor(log2 amax) - 2) (2 = emax of e2m1), exponent
// clamped to e8m0's [-127, 127]; amax = 0 gives 2^-127 (code 0). Returns the e8m0 code.
std::uint8_t mxfp4_scale_code(float amax);

// One element of a block: x / 2^(code - 127), rounded to e2m1 nearest-even with saturation to ±6.
std::uint8_t mxfp4_element(float x, std::uint8_t scale_code);

}  // namespace asmk::ref
