#include "asmk/ref/quant.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace asmk::ref {
namespace {

float widen(Format format, std::uint16_t bits) {
  return format == Format::bf16 ? bf16_to_f32(bits) : fp16_to_f32(bits);
}

bool is_16bit_float(Format format) { return format == Format::bf16 || format == Format::fp16; }

std::string dims(std::uint32_t m, std::uint32_t n) {
  std::string text = "[";
  text += std::to_string(m);
  text += ", ";
  text += std::to_string(n);
  text += "]";
  return text;
}

}  // namespace

Fp8GroupScale quant_fp8_group_scale(float amax, float fp8_max) {
  const float floored = std::max(amax, quant_amax_floor);
  return {floored / fp8_max, fp8_max / floored};
}

Status quant_fp8(const QuantFp8Args& a) {
  if (!is_16bit_float(a.in_format)) {
    return Status::failure("quant_fp8: input format " + std::string(format_name(a.in_format)) +
                           " is not supported; use bf16 or fp16");
  }
  const bool group = a.granularity == QuantGranularity::group;
  if (group && a.n % quant_group_size != 0) {
    return Status::failure("quant_fp8: group granularity needs n % 128 == 0, got n = " + std::to_string(a.n));
  }
  if (a.stride_x < a.n || a.stride_y < a.n) {
    return Status::failure("quant_fp8: strides (x " + std::to_string(a.stride_x) + ", y " +
                           std::to_string(a.stride_y) + ") must be >= n = " + std::to_string(a.n));
  }
  if (std::uint64_t{a.m} * a.n == 0) return Status::success();
  if (!a.x || !a.y || !a.scale) {
    return Status::failure("quant_fp8: x, y and scale must be non-null for " + dims(a.m, a.n));
  }

  const Format out = fp8_format(a.arch);
  const float max_value = fp8_max(a.arch);
  const std::uint32_t width = group ? quant_group_size : a.n;
  const std::uint32_t groups = a.n / width;
  for (std::uint32_t row = 0; row < a.m; ++row) {
    const std::uint16_t* x = a.x + std::uint64_t{row} * a.stride_x;
    std::uint8_t* y = a.y + std::uint64_t{row} * a.stride_y;
    for (std::uint32_t g = 0; g < groups; ++g) {
      const std::uint32_t begin = g * width;
      float amax = 0.0f;
      for (std::uint32_t i = begin; i < begin + width; ++i) {
        amax = std::max(amax, std::fabs(widen(a.in_format, x[i])));
      }
      const Fp8GroupScale s = quant_fp8_group_scale(amax, max_value);
      a.scale[std::uint64_t{row} * groups + g] = s.scale;
      for (std::uint32_t i = begin; i < begin + width; ++i) {
        const float scaled = widen(a.in_format, x[i]) * s.inverse;  // one f32 rounding, like v_mul_f32
        y[i] = static_cast<std::uint8_t>(encode(out, scaled, Overflow::saturate));
      }
    }
  }
  return Status::success();
}

std::uint8_t mxfp4_scale_code(float amax) {
  if (std::isnan(amax)) return 0xff;  // outside the contract; the NaN scale keeps it visible
  if (std::isinf(amax)) return e8m0_from_exponent(127);
  if (amax == 0.0f) return 0;
  constexpr int e2m1_emax = 2;  // largest e2m1 value 6 = 1.5 * 2^2
  return e8m0_from_exponent(std::ilogb(amax) - e2m1_emax);
}

std::uint8_t mxfp4_element(float x, std::uint8_t scale_code) {
  // x / 2^(code-127) is exact in double, so the only rounding is the one to e2m1.
  const double scaled = std::ldexp(double(x), 127 - int(scale_code));
  return static_cast<std::uint8_t>(encode(Format::e2m1, scaled, Overflow::saturate));
}

Status quant_mxfp4(const QuantMxfp4Args& a) {
  if (!is_16bit_float(a.in_format)) {
    return Status::failure("quant_mxfp4: input format " + std::string(format_name(a.in_format)) +
                           " is not supported; use bf16 or fp16");
  }
  if (a.n % mx_block_size != 0) {
    return Status::failure("quant_mxfp4: n must be a multiple of 32, got n = " + std::to_string(a.n));
  }
  if (a.stride_x < a.n || a.stride_y < a.n / 2 || a.stride_scale < a.n / mx_block_size) {
    return Status::failure("quant_mxfp4: strides too small for n = " + std::to_string(a.n) +
                           " (need x >= n, y >= n/2 bytes, scale >= n/32)");
  }
  if (std::uint64_t{a.m} * a.n == 0) return Status::success();
  if (!a.x || !a.y || !a.scale) {
    return Status::failure("quant_mxfp4: x, y and scale must be non-null for " + dims(a.m, a.n));
  }

  for (std::uint32_t row = 0; row < a.m; ++row) {
    const std::uint16_t* x = a.x + std::uint64_t{row} * a.stride_x;
    std::uint8_t* y = a.y + std::uint64_t{row} * a.stride_y;
    std::uint8_t* scale = a.scale + std::uint64_t{row} * a.stride_scale;
    for (std::uint32_t block = 0; block < a.n / mx_block_size; ++block) {
      const std::uint32_t begin = block * mx_block_size;
      float amax = 0.0f;
      for (std::uint32_t i = begin; i < begin + mx_block_size; ++i) {
        amax = std::max(amax, std::fabs(widen(a.in_format, x[i])));
      }
      const std::uint8_t code = mxfp4_scale_code(amax);
      scale[block] = code;
      for (std::uint32_t i = begin; i < begin + mx_block_size; i += 2) {
        y[i / 2] = pack_nibbles(mxfp4_element(widen(a.in_format, x[i]), code),
                                mxfp4_element(widen(a.in_format, x[i + 1]), code));
      }
    }
  }
  return Status::success();
}

}  // namespace asmk::ref
