#include "asmk/ref/gemm.hpp"

#include <cmath>
#include <cstring>
#include <string>

namespace asmk::ref {
namespace {

// Operands decoded to doubles, row-major [rows, k].
struct Decoded {
  std::uint32_t rows = 0, k = 0;
  std::vector<double> values;
  const double* row(std::uint32_t r) const { return values.data() + std::size_t{r} * k; }
};

std::string shape(const char* name, std::uint32_t m, std::uint32_t n, std::uint32_t k) {
  std::string s = name;
  s += " (M=" + std::to_string(m);
  s += ", N=" + std::to_string(n);
  s += ", K=" + std::to_string(k);
  s += ")";
  return s;
}

bool is_fp8(Format f) {
  return f == Format::e4m3fnuz || f == Format::e5m2fnuz || f == Format::e4m3fn || f == Format::e5m2;
}

Status check_elem8(const char* name, const Elem8& type) {
  if (type.is_int8 || is_fp8(type.format)) return Status::success();
  return Status::failure(std::string(name) + ": element format " + std::string(format_name(type.format)) +
                         " is not 8-bit; use int8, e4m3fnuz, e5m2fnuz, e4m3fn or e5m2");
}

Status check_strides(const std::string& what, std::uint32_t stride_a, std::uint32_t stride_b,
                     std::uint32_t row_length) {
  if (stride_a < row_length || stride_b < row_length) {
    return Status::failure(what + ": row strides (a " + std::to_string(stride_a) + ", b " + std::to_string(stride_b) +
                           ") must be >= " + std::to_string(row_length));
  }
  return Status::success();
}

Decoded decode8(const Elem8& type, const std::uint8_t* data, std::uint32_t rows, std::uint32_t k,
                std::uint32_t stride) {
  Decoded d{rows, k, std::vector<double>(std::size_t{rows} * k)};
  const std::array<float, 256>* table = type.is_int8 ? nullptr : decode_table(type.format);
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::uint8_t* src = data + std::size_t{r} * stride;
    double* dst = d.values.data() + std::size_t{r} * k;
    for (std::uint32_t i = 0; i < k; ++i) {
      dst[i] = table ? double((*table)[src[i]]) : double(static_cast<std::int8_t>(src[i]));
    }
  }
  return d;
}

// out = A · Bᵀ and Σ|a·b|, unscaled.
void multiply_nt(const Decoded& a, const Decoded& b, GemmRef& out) {
  out.m = a.rows;
  out.n = b.rows;
  out.k = a.k;
  out.value.assign(std::size_t{out.m} * out.n, 0.0);
  out.magnitude.assign(std::size_t{out.m} * out.n, 0.0);
  for (std::uint32_t i = 0; i < out.m; ++i) {
    const double* x = a.row(i);
    for (std::uint32_t j = 0; j < out.n; ++j) {
      const double* y = b.row(j);
      double sum = 0.0, abs_sum = 0.0;
      for (std::uint32_t t = 0; t < out.k; ++t) {
        const double p = x[t] * y[t];
        sum += p;
        abs_sum += std::fabs(p);
      }
      out.value[std::size_t{i} * out.n + j] = sum;
      out.magnitude[std::size_t{i} * out.n + j] = abs_sum;
    }
  }
}

// double -> f32, nearest-even, ±Inf beyond the f32 range (a plain cast is undefined there). The
// midpoint between FLT_MAX and 2^128 rounds to the even 2^128, i.e. to Inf.
float to_f32(double v) {
  if (std::fabs(v) >= 0x1.ffffffp127) return std::signbit(v) ? -HUGE_VALF : HUGE_VALF;
  return static_cast<float>(v);
}

// One rounding from fp64 to bf16 / fp16 (rounding through f32 first could round twice).
std::uint16_t encode_16(Format format, double v) {
  return static_cast<std::uint16_t>(encode(format, v, Overflow::inf_or_nan));
}

}  // namespace

Status gemm_a8w8(const GemmA8W8Args& g, GemmRef& out) {
  const std::string what = shape("gemm_a8w8", g.m, g.n, g.k);
  if (Status s = check_elem8("gemm_a8w8", g.type); !s.ok()) return s;
  if (Status s = check_strides(what, g.stride_a, g.stride_b, g.k); !s.ok()) return s;
  if ((g.m && g.k && !g.a) || (g.n && g.k && !g.b) || (g.m && !g.scale_a) || (g.n && !g.scale_b)) {
    return Status::failure(what + ": a, b, scale_a and scale_b must be non-null");
  }
  multiply_nt(decode8(g.type, g.a, g.m, g.k, g.stride_a), decode8(g.type, g.b, g.n, g.k, g.stride_b), out);
  for (std::uint32_t i = 0; i < g.m; ++i) {
    for (std::uint32_t j = 0; j < g.n; ++j) {
      const std::size_t at = std::size_t{i} * g.n + j;
      const double scale = double(g.scale_a[i]) * double(g.scale_b[j]);
      const double bias = g.bias ? double(g.bias[j]) : 0.0;
      out.value[at] = out.value[at] * scale + bias;
      out.magnitude[at] = out.magnitude[at] * std::fabs(scale) + std::fabs(bias);
    }
  }
  return Status::success();
}

Status gemm_a8w8_blockscale(const GemmA8W8BlockscaleArgs& g, GemmRef& out) {
  const std::string what = shape("gemm_a8w8_blockscale", g.m, g.n, g.k);
  if (Status s = check_elem8("gemm_a8w8_blockscale", g.type); !s.ok()) return s;
  if (Status s = check_strides(what, g.stride_a, g.stride_b, g.k); !s.ok()) return s;
  if ((g.m && g.k && (!g.a || !g.scale_a)) || (g.n && g.k && (!g.b || !g.scale_b))) {
    return Status::failure(what + ": a, b, scale_a and scale_b must be non-null");
  }
  // Folding each scale into its operand gives the same sum: fp32 scale × fp8 value is exact in fp64.
  const std::uint32_t k_blocks = (g.k + gemm_scale_block - 1) / gemm_scale_block;
  Decoded a = decode8(g.type, g.a, g.m, g.k, g.stride_a);
  Decoded b = decode8(g.type, g.b, g.n, g.k, g.stride_b);
  for (std::uint32_t i = 0; i < g.m; ++i) {
    for (std::uint32_t t = 0; t < g.k; ++t) {
      a.values[std::size_t{i} * g.k + t] *= double(g.scale_a[std::size_t{i} * k_blocks + t / gemm_scale_block]);
    }
  }
  for (std::uint32_t j = 0; j < g.n; ++j) {
    const float* scale_row = g.scale_b + std::size_t{j / gemm_scale_block} * k_blocks;
    for (std::uint32_t t = 0; t < g.k; ++t) {
      b.values[std::size_t{j} * g.k + t] *= double(scale_row[t / gemm_scale_block]);
    }
  }
  multiply_nt(a, b, out);
  return Status::success();
}

Status gemm_a4w4(const GemmA4W4Args& g, GemmRef& out) {
  const std::string what = shape("gemm_a4w4", g.m, g.n, g.k);
  if (g.k % mx_block_size != 0) return Status::failure(what + ": K must be a multiple of 32");
  if (Status s = check_strides(what, g.stride_a, g.stride_b, g.k / 2); !s.ok()) return s;
  if (g.stride_scale_a < g.k / mx_block_size || g.stride_scale_b < g.k / mx_block_size) {
    return Status::failure(what + ": scale row strides must be >= K/32 = " + std::to_string(g.k / mx_block_size));
  }
  if ((g.m && g.k && (!g.a || !g.scale_a)) || (g.n && g.k && (!g.b || !g.scale_b))) {
    return Status::failure(what + ": a, b, scale_a and scale_b must be non-null");
  }
  const std::array<float, 256>& e2m1 = *decode_table(Format::e2m1);
  auto decode = [&](const std::uint8_t* data, std::uint32_t stride, const std::uint8_t* scales,
                    std::uint32_t scale_stride, std::uint32_t rows) {
    Decoded d{rows, g.k, std::vector<double>(std::size_t{rows} * g.k)};
    for (std::uint32_t r = 0; r < rows; ++r) {
      const std::uint8_t* row = data + std::size_t{r} * stride;
      const std::uint8_t* row_scales = scales + std::size_t{r} * scale_stride;
      for (std::uint32_t t = 0; t < g.k; ++t) {
        const double scale = std::ldexp(1.0, int(row_scales[t / mx_block_size]) - 127);  // 0xFF: outside the contract
        d.values[std::size_t{r} * g.k + t] = double(e2m1[packed_nibble(row, t)]) * scale;
      }
    }
    return d;
  };
  multiply_nt(decode(g.a, g.stride_a, g.scale_a, g.stride_scale_a, g.m),
              decode(g.b, g.stride_b, g.scale_b, g.stride_scale_b, g.n), out);
  return Status::success();
}

Status gemm_bf16(const GemmBf16Args& g, GemmRef& out) {
  const std::string what = shape("gemm_bf16", g.m, g.n, g.k);
  if (g.in_format != Format::bf16 && g.in_format != Format::fp16) {
    return Status::failure(what + ": input format " + std::string(format_name(g.in_format)) + " is not bf16 or fp16");
  }
  if (Status s = check_strides(what, g.stride_a, g.stride_b, g.k); !s.ok()) return s;
  if ((g.m && g.k && !g.a) || (g.n && g.k && !g.b)) return Status::failure(what + ": a and b must be non-null");
  auto decode = [&](const std::uint16_t* data, std::uint32_t stride, std::uint32_t rows) {
    Decoded d{rows, g.k, std::vector<double>(std::size_t{rows} * g.k)};
    for (std::uint32_t r = 0; r < rows; ++r) {
      for (std::uint32_t t = 0; t < g.k; ++t) {
        const std::uint16_t bits = data[std::size_t{r} * stride + t];
        d.values[std::size_t{r} * g.k + t] = g.in_format == Format::bf16 ? bf16_to_f32(bits) : fp16_to_f32(bits);
      }
    }
    return d;
  };
  multiply_nt(decode(g.a, g.stride_a, g.m), decode(g.b, g.stride_b, g.n), out);
  if (g.bias) {
    for (std::uint32_t i = 0; i < g.m; ++i) {
      for (std::uint32_t j = 0; j < g.n; ++j) {
        out.value[std::size_t{i} * g.n + j] += double(g.bias[j]);
        out.magnitude[std::size_t{i} * g.n + j] += std::fabs(double(g.bias[j]));
      }
    }
  }
  return Status::success();
}

Status store_output(const GemmRef& ref, OutType type, void* c, std::uint32_t stride_c) {
  if (stride_c < ref.n) {
    return Status::failure("store_output: row stride " + std::to_string(stride_c) + " < N = " + std::to_string(ref.n));
  }
  if (ref.m && ref.n && !c) return Status::failure("store_output: c must be non-null");
  for (std::uint32_t i = 0; i < ref.m; ++i) {
    for (std::uint32_t j = 0; j < ref.n; ++j) {
      const double v = ref.at(i, j);
      const std::size_t at = std::size_t{i} * stride_c + j;
      switch (type) {
        case OutType::bf16:
          static_cast<std::uint16_t*>(c)[at] = encode_16(Format::bf16, v);
          break;
        case OutType::fp16:
          static_cast<std::uint16_t*>(c)[at] = encode_16(Format::fp16, v);
          break;
        case OutType::f32: static_cast<float*>(c)[at] = to_f32(v); break;
      }
    }
  }
  return Status::success();
}

double load_output(OutType type, const void* c, std::uint32_t stride_c, std::uint32_t row, std::uint32_t col) {
  const std::size_t at = std::size_t{row} * stride_c + col;
  switch (type) {
    case OutType::bf16: return bf16_to_f32(static_cast<const std::uint16_t*>(c)[at]);
    case OutType::fp16: return fp16_to_f32(static_cast<const std::uint16_t*>(c)[at]);
    case OutType::f32: return static_cast<const float*>(c)[at];
  }
  return 0.0;
}

}  // namespace asmk::ref
