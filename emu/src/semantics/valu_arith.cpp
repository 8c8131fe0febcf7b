// Vector ALU arithmetic (VOP1/VOP2/VOP3 forms share one entry): f32, f64, f16, 32/64-bit integer,
// bit operations, carries, and the division macro helpers (div_scale/div_fmas/div_fixup).
#include <algorithm>
#include <bit>
#include <climits>

#include "common.hpp"

namespace asmk::emu::detail {
namespace {

/// v_bitop3: bit i of the result is bit {S0[i], S1[i], S2[i]} (S0 the most significant) of the
/// truth-table byte.
inline uint32_t bitop3(uint32_t table, uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d = 0;
  for (int k = 0; k < 8; k++)
    if ((table >> k) & 1) d |= ((k & 4) ? a : ~a) & ((k & 2) ? b : ~b) & ((k & 1) ? c : ~c);
  return d;
}

constexpr SemanticsEntry valu(SemanticsFn fn, int8_t ndst = 1) { return {fn, InstrClass::valu, ndst, 0}; }

int exponent32(float f) { return int((b32(f) >> 23) & 0xff); }
int exponent64(double d) { return int((b64(d) >> 52) & 0x7ff); }
bool is_denorm32(float f) { return std::fpclassify(f) == FP_SUBNORMAL; }
bool is_denorm64(double d) { return std::fpclassify(d) == FP_SUBNORMAL; }

/// Writes a lane mask (carry-out, compare result) to an SGPR pair; inactive lanes read as 0.
void write_lane_mask(Wave& w, const Operand& dst, uint64_t bits) { swrite64(w, dst, bits); }

/// Lanes of a lane-mask source (VCC or an SGPR pair) as a 64-bit value.
uint64_t lane_mask_source(const Wave& w, const Operand& o) { return sread64(w, o); }

float fract32(float x) {
  if (std::isinf(x)) return std::numeric_limits<float>::quiet_NaN();
  return std::fmin(x - std::floor(x), 0x1.fffffep-1f);
}
double fract64(double x) {
  if (std::isinf(x)) return std::numeric_limits<double>::quiet_NaN();
  return std::fmin(x - std::floor(x), 0x1.fffffffffffffp-1);
}
template <class T>
T med3(T a, T b, T c) {
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}
float fmed3(float a, float b, float c) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(c)) return std::fmin(std::fmin(a, b), c);
  return std::fmax(std::fmin(a, b), std::fmin(std::fmax(a, b), c));
}

// ---- carries: D = S0 op S1 (op carry-in), carry-out per lane to sdst (op[1])
/// `saturate_high`: with clamp, an overflowing add gives 0xffffffff (a borrowing subtract gives 0).
template <class F>
void carry_op(Wave& w, const Instr& in, bool has_carry_in, F f, bool saturate_high = true) {
  Sources s(w, in, 2);
  const uint64_t exec = w.exec();
  const uint64_t cin = has_carry_in ? lane_mask_source(w, in.op[4]) : 0;
  uint32_t out[kLanes];
  uint64_t carry = 0;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    bool c = false;
    out[l] = f(s.p[0][l], s.p[1][l], uint32_t((cin >> l) & 1), c);
    if (c) carry |= 1ull << l;
    if (c && in.m.clamp) out[l] = saturate_high ? 0xffffffffu : 0u;  // clamp saturates instead of wrapping
  }
  vector_write32(w, in, in.op[0], out, exec);
  write_lane_mask(w, in.op[1], carry);
}

void div_scale_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  const uint64_t exec = w.exec();
  uint32_t out[kLanes];
  uint64_t vcc = 0;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    float s0 = fmod32(f32(s.p[0][l]), src_op(in, 0));
    float s1 = fmod32(f32(s.p[1][l]), src_op(in, 1));
    float s2 = fmod32(f32(s.p[2][l]), src_op(in, 2));
    float d = s0;
    bool v = false;
    double q = double(s2) / double(s1);
    bool q_denorm = q != 0 && std::fabs(q) < double(std::numeric_limits<float>::min());
    bool r_denorm = is_denorm64(1.0 / double(s1));
    if (s2 == 0.0f || s1 == 0.0f) {
      d = std::numeric_limits<float>::quiet_NaN();
    } else if (exponent32(s2) - exponent32(s1) >= 96) {
      v = true;
      if (s0 == s1) d = std::ldexp(s0, 64);
    } else if (is_denorm32(s1)) {
      d = std::ldexp(s0, 64);
    } else if (r_denorm && q_denorm) {
      v = true;
      if (s0 == s1) d = std::ldexp(s0, 64);
    } else if (r_denorm) {
      d = std::ldexp(s0, -64);
    } else if (q_denorm) {
      v = true;
      if (s0 == s2) d = std::ldexp(s0, 64);
    } else if (exponent32(s2) <= 23) {
      d = std::ldexp(s0, 64);
    }
    out[l] = b32(d);
    if (v) vcc |= 1ull << l;
  }
  vector_write32(w, in, in.op[0], out, exec);
  write_lane_mask(w, in.op[1], vcc);
}

void div_scale_f64(Wave& w, const Instr& in) {
  const uint64_t exec = w.exec();
  Src64 a(w, src_op(in, 0), true), b(w, src_op(in, 1), true), c(w, src_op(in, 2), true);
  uint64_t vcc = 0;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    double s0 = fmod64(f64(a[l]), src_op(in, 0));
    double s1 = fmod64(f64(b[l]), src_op(in, 1));
    double s2 = fmod64(f64(c[l]), src_op(in, 2));
    double d = s0;
    bool v = false;
    long double q = (long double)s2 / s1;
    bool q_denorm = q != 0 && fabsl(q) < (long double)std::numeric_limits<double>::min();
    bool r_denorm = is_denorm64(1.0 / s1);
    if (s2 == 0.0 || s1 == 0.0) {
      d = std::numeric_limits<double>::quiet_NaN();
    } else if (exponent64(s2) - exponent64(s1) >= 768) {
      v = true;
      if (s0 == s1) d = std::ldexp(s0, 128);
    } else if (is_denorm64(s1)) {
      d = std::ldexp(s0, 128);
    } else if (r_denorm && q_denorm) {
      v = true;
      if (s0 == s1) d = std::ldexp(s0, 128);
    } else if (r_denorm) {
      d = std::ldexp(s0, -128);
    } else if (q_denorm) {
      v = true;
      if (s0 == s2) d = std::ldexp(s0, 128);
    } else if (exponent64(s2) <= 53) {
      d = std::ldexp(s0, 128);
    }
    write64(w, in.op[0], l, b64(d));
    if (v) vcc |= 1ull << l;
  }
  write_lane_mask(w, in.op[1], vcc);
}

float div_fixup32(float s0, float s1, float s2) {
  bool sign_out = std::signbit(s1) != std::signbit(s2);
  if (std::isnan(s2)) return quiet(s2);
  if (std::isnan(s1)) return quiet(s1);
  if (s1 == 0.0f && s2 == 0.0f) return f32(0xffc00000u);
  if (std::isinf(s1) && std::isinf(s2)) return f32(0xffc00000u);
  if (s1 == 0.0f || std::isinf(s2)) return sign_out ? -INFINITY : INFINITY;
  if (std::isinf(s1) || s2 == 0.0f) return sign_out ? -0.0f : 0.0f;
  if (exponent32(s2) - exponent32(s1) < -150) return sign_out ? -0.0f : 0.0f;
  if (exponent32(s1) == 255) return sign_out ? -INFINITY : INFINITY;
  if (std::isnan(s0)) return sign_out ? -INFINITY : INFINITY;  // the macro's quotient overflowed
  return sign_out ? -std::fabs(s0) : std::fabs(s0);
}
double div_fixup64(double s0, double s1, double s2) {
  bool sign_out = std::signbit(s1) != std::signbit(s2);
  if (std::isnan(s2)) return f64(b64(s2) | (1ull << 51));
  if (std::isnan(s1)) return f64(b64(s1) | (1ull << 51));
  if (s1 == 0.0 && s2 == 0.0) return f64(0xfff8000000000000ull);
  if (std::isinf(s1) && std::isinf(s2)) return f64(0xfff8000000000000ull);
  if (s1 == 0.0 || std::isinf(s2)) return sign_out ? -INFINITY : INFINITY;
  if (std::isinf(s1) || s2 == 0.0) return sign_out ? -0.0 : 0.0;
  if (exponent64(s2) - exponent64(s1) < -1075) return sign_out ? -0.0 : 0.0;
  if (exponent64(s1) == 2047) return sign_out ? -INFINITY : INFINITY;
  if (std::isnan(s0)) return sign_out ? -INFINITY : INFINITY;
  return sign_out ? -std::fabs(s0) : std::fabs(s0);
}

void div_fmas_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  const uint64_t exec = w.exec(), vcc = w.vcc();
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    float r = std::fma(fmod32(f32(s.p[0][l]), src_op(in, 0)), fmod32(f32(s.p[1][l]), src_op(in, 1)),
                       fmod32(f32(s.p[2][l]), src_op(in, 2)));
    // The published pseudocode says "2^32 * fma(...)", which cannot undo div_scale's 2^64 scaling
    // (a divisor of 1e-38 comes out 2^32 off). The post-scale undoes whichever operand div_scale
    // scaled: up by 2^64 when the quotient estimate S2 is large (denominator was scaled), else down.
    if ((vcc >> l) & 1) {
      // Fused in double, scaled, then one rounding to f32: rounding the fma to f32 first and then
      // scaling into the denormal range would round twice.
      double fused = std::fma(double(fmod32(f32(s.p[0][l]), src_op(in, 0))), double(fmod32(f32(s.p[1][l]), src_op(in, 1))),
                              double(fmod32(f32(s.p[2][l]), src_op(in, 2))));
      r = float(fused * (exponent32(f32(s.p[2][l])) > 127 ? 0x1p64 : 0x1p-64));
    }
    out[l] = b32(omod_clamp<float>(r, in.m));
  }
  vector_write32(w, in, in.op[0], out, exec);
}

void div_fmas_f64(Wave& w, const Instr& in) {
  const uint64_t exec = w.exec(), vcc = w.vcc();
  Src64 a(w, src_op(in, 0), true), b(w, src_op(in, 1), true), c(w, src_op(in, 2), true);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    double r = std::fma(fmod64(f64(a[l]), src_op(in, 0)), fmod64(f64(b[l]), src_op(in, 1)),
                        fmod64(f64(c[l]), src_op(in, 2)));
    if ((vcc >> l) & 1) r = exponent64(f64(c[l])) > 1023 ? std::ldexp(r, 128) : std::ldexp(r, -128);
    write64(w, in.op[0], l, b64(r));
  }
}

/// v_mac/v_fmac: D = S0 * S1 + D.
template <bool Fused>
void mac_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const uint32_t* d = w.vreg(in.op[0]);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float a = fmod32(f32(s.p[0][l]), src_op(in, 0)), b = fmod32(f32(s.p[1][l]), src_op(in, 1));
    float r = Fused ? std::fma(a, b, f32(d[l])) : a * b + f32(d[l]);
    out[l] = b32(omod_clamp<float>(r, in.m));
  }
  vector_write32(w, in, in.op[0], out, mask);
}

uint32_t u24(uint32_t v) { return v & 0xffffffu; }
int64_t i24(uint32_t v) { return int32_t(v << 8) >> 8; }
// Bytes 0-3 from S1, 4-7 from S0; selectors 8-11 give sign bits, 12 gives 0, 13+ give 0xff.
uint32_t perm_b32(uint32_t s0, uint32_t s1, uint32_t sel) {
  uint64_t v = (uint64_t(s0) << 32) | s1;
  uint32_t d = 0;
  for (int i = 0; i < 4; i++) {
    uint32_t k = (sel >> (8 * i)) & 0xff;
    uint32_t byte;
    if (k < 8) {
      byte = (v >> (8 * k)) & 0xff;
    } else if (k < 12) {
      static const int src_byte[] = {1, 3, 5, 7};
      byte = ((v >> (8 * src_byte[k - 8] + 7)) & 1) ? 0xff : 0x00;
    } else {
      byte = k == 12 ? 0 : 0xff;
    }
    d |= byte << (8 * i);
  }
  return d;
}
uint32_t bfe_i32(uint32_t s0, uint32_t offset, uint32_t width) {
  if (width == 0) return 0;
  uint32_t field = uint32_t(int32_t(s0) >> offset) & ((1u << width) - 1);
  return uint32_t(int32_t(field << (32 - width)) >> (32 - width));
}
uint32_t ffbh(uint32_t v) { return v ? std::countl_zero(v) : ~0u; }

}  // namespace

// One function compiled for hosts with and without FMA instructions (chosen at load time), so
// the fused multiply-add does not go through a libm call per lane on common hosts.
__attribute__((target_clones("arch=x86-64-v3", "default")))
void fma_lanes(uint32_t* d, const uint32_t* a, const uint32_t* b, const uint32_t* c, bool ftz_src, bool ftz_dst) {
  if (!ftz_src && !ftz_dst) {
    for (int l = 0; l < kLanes; l++) d[l] = b32(std::fma(f32(a[l]), f32(b[l]), f32(c[l])));
    return;
  }
  // Separate simple loops so each one vectorises.
  uint32_t x[3][kLanes];
  const uint32_t* src[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    if (ftz_src) {
      for (int l = 0; l < kLanes; l++) x[i][l] = ftz_bits(src[i][l]);
      src[i] = x[i];
    }
  }
  for (int l = 0; l < kLanes; l++) d[l] = b32(std::fma(f32(src[0][l]), f32(src[1][l]), f32(src[2][l])));
  if (ftz_dst)
    for (int l = 0; l < kLanes; l++) d[l] = ftz_bits(d[l]);
}

namespace {

// ---- sums of absolute differences and byte interpolation (VOP3, CDNA3 ISA §VOP3A pseudocode)
uint32_t byte_of(uint32_t v, int i) { return (v >> (8 * i)) & 0xffu; }
uint32_t half_of(uint32_t v, int i) { return (v >> (16 * i)) & 0xffffu; }
uint32_t absdiff(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }

/// D = sad + S2; with clamp the 32-bit sum saturates instead of wrapping.
template <class Sad>
void sad_op(Wave& w, const Instr& in, Sad sad) {
  const bool clamp = in.m.clamp;
  valu_u32<3>(w, in, [sad, clamp](uint32_t a, uint32_t b, uint32_t c) {
    uint64_t sum = uint64_t(sad(a, b)) + c;
    return clamp && sum > 0xffffffffull ? 0xffffffffu : uint32_t(sum);
  });
}
uint32_t sad_bytes(uint32_t a, uint32_t b) {
  uint32_t s = 0;
  for (int i = 0; i < 4; i++) s += absdiff(byte_of(a, i), byte_of(b, i));
  return s;
}
/// v_msad_u8: like sad_bytes, but bytes where the reference S1 is 0 are left out (masked).
uint32_t msad_bytes(uint32_t a, uint32_t b) {
  uint32_t s = 0;
  for (int i = 0; i < 4; i++)
    if (byte_of(b, i) != 0) s += absdiff(byte_of(a, i), byte_of(b, i));
  return s;
}
uint32_t sad_halves(uint32_t a, uint32_t b) { return absdiff(half_of(a, 0), half_of(b, 0)) + absdiff(half_of(a, 1), half_of(b, 1)); }
/// Per byte: (S0 + S1 + rounding bit) / 2, the rounding bit being bit 0 of S2's byte.
uint32_t lerp_bytes(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d = 0;
  for (int i = 0; i < 4; i++) d |= ((byte_of(a, i) + byte_of(b, i) + (byte_of(c, i) & 1)) >> 1) << (8 * i);
  return d;
}

void fma_f32(Wave& w, const Instr& in) {
  if (w.exec() == ~0ull && plain_float_op(in, 3) && in.m.dpp == DppCtrl::none) {
    Sources s(w, in, 3);
    fma_lanes(w.vreg(in.op[0]), s.p[0], s.p[1], s.p[2], w.flush_src32, w.flush_dst32);
    return;
  }
  valu_f32<3>(w, in, [](float a, float b, float c) { return std::fma(a, b, c); });
}
}  // namespace

void register_valu_arith(Registry& r) {
  // ---- f32
  r.add("v_add_f32", valu([](Wave& w, const Instr& in) { valu_f32<2>(w, in, [](float a, float b, float) { return a + b; }); }));
  r.add("v_sub_f32", valu([](Wave& w, const Instr& in) { valu_f32<2>(w, in, [](float a, float b, float) { return a - b; }); }));
  r.add("v_subrev_f32", valu([](Wave& w, const Instr& in) { valu_f32<2>(w, in, [](float a, float b, float) { return b - a; }); }));
  r.add("v_mul_f32", valu([](Wave& w, const Instr& in) { valu_f32<2>(w, in, [](float a, float b, float) { return a * b; }); }));
  r.add("v_mul_legacy_f32", valu([](Wave& w, const Instr& in) {
          valu_f32<2>(w, in, [](float a, float b, float) { return (a == 0.0f || b == 0.0f) ? 0.0f : a * b; });
        }));
  r.add("v_min_f32", valu([](Wave& w, const Instr& in) { valu_f32<2>(w, in, [](float a, float b, float) { return min_ieee(a, b); }); }));
  r.add("v_max_f32", valu([](Wave& w, const Instr& in) { valu_f32<2>(w, in, [](float a, float b, float) { return max_ieee(a, b); }); }));
  r.add("v_fma_f32", valu(fma_f32));
  r.add("v_mad_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float b, float c) { return a * b + c; }); }));
  r.add("v_mac_f32", valu(mac_f32<false>));
  r.add("v_fmac_f32", valu(mac_f32<true>));
  r.add("v_madmk_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float k, float b) { return a * k + b; }); }));
  r.add("v_madak_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float b, float k) { return a * b + k; }); }));
  r.add("v_fmamk_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float k, float b) { return std::fma(a, k, b); }); }));
  r.add("v_fmaak_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float b, float k) { return std::fma(a, b, k); }); }));
  r.add("v_min3_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float b, float c) { return min_ieee(min_ieee(a, b), c); }); }));
  r.add("v_max3_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float b, float c) { return max_ieee(max_ieee(a, b), c); }); }));
  r.add("v_med3_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, [](float a, float b, float c) { return fmed3(a, b, c); }); }));
  // Transcendentals: the hardware approximates (about 1 ulp); the emulator computes the correctly rounded value
  // (departure "transcendental-rounding", asmk/emu/departures.hpp).
  r.add("v_rcp_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return 1.0f / a; }); }));
  r.add("v_rcp_iflag_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return 1.0f / a; }); }));
  r.add("v_rsq_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return float(1.0 / std::sqrt(double(a))); }); }));
  r.add("v_sqrt_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::sqrt(a); }); }));
  r.add("v_exp_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::exp2(a); }); }));
  r.add("v_log_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::log2(a); }); }));
  r.add("v_sin_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return float(std::sin(double(a) * 2 * M_PI)); }); }));
  r.add("v_cos_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return float(std::cos(double(a) * 2 * M_PI)); }); }));
  r.add("v_floor_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::floor(a); }); }));
  r.add("v_ceil_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::ceil(a); }); }));
  r.add("v_trunc_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::trunc(a); }); }));
  r.add("v_rndne_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return std::nearbyint(a); }); }));
  r.add("v_fract_f32", valu([](Wave& w, const Instr& in) { valu_f32<1>(w, in, [](float a, float, float) { return fract32(a); }); }));
  r.add("v_frexp_mant_f32", valu([](Wave& w, const Instr& in) {
          valu_f32<1>(w, in, [](float a, float, float) { int e; return (std::isnan(a) || std::isinf(a)) ? a : std::frexp(a, &e); });
        }));
  r.add("v_frexp_exp_i32_f32", valu([](Wave& w, const Instr& in) {
          valu_u32<1>(w, in, [](uint32_t a, uint32_t, uint32_t) {
            float f = f32(a);
            int e = 0;
            if (std::isnan(f) || std::isinf(f)) return 0u;
            std::frexp(f, &e);
            return uint32_t(e);
          });
        }));
  r.add("v_ldexp_f32", valu([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t mask = write_mask(w, in);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++)
            if (lane_on(mask, l))
              out[l] = b32(omod_clamp<float>(std::ldexp(fmod32(f32(s.p[0][l]), src_op(in, 0)), int32_t(s.p[1][l])), in.m));
          vector_write32(w, in, in.op[0], out, mask);
        }));
  r.add("v_div_scale_f32", valu(div_scale_f32, 2));
  r.add("v_div_fmas_f32", valu(div_fmas_f32));  // departs: post-scale ("div-fmas-post-scale")
  r.add("v_div_fixup_f32", valu([](Wave& w, const Instr& in) { valu_f32<3>(w, in, div_fixup32); }));

  // ---- f64
  r.add("v_add_f64", valu([](Wave& w, const Instr& in) { valu_f64<2>(w, in, [](double a, double b, double) { return a + b; }); }));
  r.add("v_mul_f64", valu([](Wave& w, const Instr& in) { valu_f64<2>(w, in, [](double a, double b, double) { return a * b; }); }));
  r.add("v_fma_f64", valu([](Wave& w, const Instr& in) { valu_f64<3>(w, in, [](double a, double b, double c) { return std::fma(a, b, c); }); }));
  r.add("v_min_f64", valu([](Wave& w, const Instr& in) { valu_f64<2>(w, in, [](double a, double b, double) { return std::fmin(a, b); }); }));
  r.add("v_max_f64", valu([](Wave& w, const Instr& in) { valu_f64<2>(w, in, [](double a, double b, double) { return std::fmax(a, b); }); }));
  r.add("v_rcp_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return 1.0 / a; }); }));
  r.add("v_rsq_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return 1.0 / std::sqrt(a); }); }));
  r.add("v_sqrt_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return std::sqrt(a); }); }));
  r.add("v_floor_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return std::floor(a); }); }));
  r.add("v_ceil_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return std::ceil(a); }); }));
  r.add("v_trunc_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return std::trunc(a); }); }));
  r.add("v_rndne_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return std::nearbyint(a); }); }));
  r.add("v_fract_f64", valu([](Wave& w, const Instr& in) { valu_f64<1>(w, in, [](double a, double, double) { return fract64(a); }); }));
  r.add("v_fmac_f64", valu([](Wave& w, const Instr& in) {  // D = S0 * S1 + D
          const uint64_t exec = write_mask(w, in);
          Src64 a(w, in, 0, true), b(w, in, 1, true), d(w, in.op[0], true);
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l))
              write64(w, in.op[0], l, b64(omod_clamp<double>(std::fma(fmod64(f64(a[l]), src_op(in, 0)),
                                                                  fmod64(f64(b[l]), src_op(in, 1)), f64(d[l])), in.m)));
        }));
  r.add("v_div_scale_f64", valu(div_scale_f64, 2));
  r.add("v_div_fmas_f64", valu(div_fmas_f64));  // departs: post-scale ("div-fmas-post-scale")
  r.add("v_div_fixup_f64", valu([](Wave& w, const Instr& in) { valu_f64<3>(w, in, div_fixup64); }));
  r.add("v_ldexp_f64", valu([](Wave& w, const Instr& in) {
          const uint64_t exec = w.exec();
          Src64 a(w, src_op(in, 0), true);
          uint32_t scratch[2 * kLanes];
          const uint32_t* e = lanes32(w, src_op(in, 1), scratch);
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) write64(w, in.op[0], l, b64(std::ldexp(fmod64(f64(a[l]), src_op(in, 0)), int32_t(e[l]))));
        }));

  // ---- 32-bit integer and bitwise
#define U32_2(name, expr) \
  r.add(name, valu([](Wave& w, const Instr& in) { valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return uint32_t(expr); }); }))
#define U32_1(name, expr) \
  r.add(name, valu([](Wave& w, const Instr& in) { valu_u32<1>(w, in, [](uint32_t a, uint32_t, uint32_t) { return uint32_t(expr); }); }))
#define U32_3(name, expr) \
  r.add(name, valu([](Wave& w, const Instr& in) { valu_u32<3>(w, in, [](uint32_t a, uint32_t b, uint32_t c) { return uint32_t(expr); }); }))
  r.add("v_nop", valu([](Wave&, const Instr&) {}, 0));  // V_NOP: no operation; issue time not modeled ("timing-only")
  U32_1("v_mov_b32", a);
  U32_1("v_not_b32", ~a);
  U32_1("v_bfrev_b32", [](uint32_t v) { uint32_t d = 0; for (int i = 0; i < 32; i++) d |= ((v >> i) & 1u) << (31 - i); return d; }(a));
  U32_1("v_ffbh_u32", ffbh(a));
  U32_1("v_ffbl_b32", a ? std::countr_zero(a) : ~0u);
  U32_1("v_ffbh_i32", (a == 0 || a == ~0u) ? ~0u : uint32_t(std::countl_zero(int32_t(a) < 0 ? ~a : a)));
  // Integer add/sub: `clamp` saturates (unsigned to [0, 2^32-1], signed to the i32 range).
  r.add("v_add_u32", valu([](Wave& w, const Instr& in) {
          if (in.m.clamp) valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return uint32_t(std::min<uint64_t>(uint64_t(a) + b, 0xffffffffu)); });
          else valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return a + b; });
        }));
  r.add("v_sub_u32", valu([](Wave& w, const Instr& in) {
          if (in.m.clamp) valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return a > b ? a - b : 0u; });
          else valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return a - b; });
        }));
  r.add("v_subrev_u32", valu([](Wave& w, const Instr& in) {
          if (in.m.clamp) valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return b > a ? b - a : 0u; });
          else valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) { return b - a; });
        }));
  r.add("v_add_i32", valu([](Wave& w, const Instr& in) {
          valu_u32<2>(w, in, [&](uint32_t a, uint32_t b, uint32_t) {
            int64_t t = int64_t(int32_t(a)) + int32_t(b);
            return in.m.clamp ? uint32_t(int32_t(std::clamp<int64_t>(t, INT32_MIN, INT32_MAX))) : uint32_t(t);
          });
        }));
  r.add("v_sub_i32", valu([](Wave& w, const Instr& in) {
          valu_u32<2>(w, in, [&](uint32_t a, uint32_t b, uint32_t) {
            int64_t t = int64_t(int32_t(a)) - int32_t(b);
            return in.m.clamp ? uint32_t(int32_t(std::clamp<int64_t>(t, INT32_MIN, INT32_MAX))) : uint32_t(t);
          });
        }));
  U32_2("v_and_b32", a & b);
  U32_2("v_or_b32", a | b);
  U32_2("v_xor_b32", a ^ b);
  U32_2("v_xnor_b32", ~(a ^ b));
  U32_2("v_lshlrev_b32", b << (a & 31));
  U32_2("v_lshrrev_b32", b >> (a & 31));
  U32_2("v_ashrrev_i32", int32_t(b) >> (a & 31));
  U32_2("v_lshl_b32", a << (b & 31));
  U32_2("v_lshr_b32", a >> (b & 31));
  U32_2("v_ashr_i32", int32_t(a) >> (b & 31));
  U32_2("v_min_i32", std::min(int32_t(a), int32_t(b)));
  U32_2("v_max_i32", std::max(int32_t(a), int32_t(b)));
  U32_2("v_min_u32", std::min(a, b));
  U32_2("v_max_u32", std::max(a, b));
  U32_2("v_mul_lo_u32", a * b);
  U32_2("v_mul_hi_u32", (uint64_t(a) * b) >> 32);
  U32_2("v_mul_hi_i32", uint64_t(int64_t(int32_t(a)) * int32_t(b)) >> 32);
  U32_2("v_mul_u32_u24", u24(a) * u24(b));
  U32_2("v_mul_hi_u32_u24", (uint64_t(u24(a)) * u24(b)) >> 32);
  U32_2("v_mul_i32_i24", i24(a) * i24(b));
  U32_2("v_mul_hi_i32_i24", uint64_t(i24(a) * i24(b)) >> 32);
  U32_2("v_bcnt_u32_b32", std::popcount(a) + b);
  U32_2("v_bfm_b32", ((1u << (a & 31)) - 1) << (b & 31));
  U32_3("v_mad_u32_u24", u24(a) * u24(b) + c);
  U32_3("v_mad_i32_i24", uint32_t(i24(a) * i24(b)) + c);
  U32_3("v_add3_u32", a + b + c);
  U32_3("v_xad_u32", (a ^ b) + c);
  U32_3("v_lshl_add_u32", (a << (b & 31)) + c);
  U32_3("v_add_lshl_u32", (a + b) << (c & 31));
  U32_3("v_lshl_or_b32", (a << (b & 31)) | c);
  U32_3("v_and_or_b32", (a & b) | c);
  U32_3("v_or3_b32", a | b | c);
  U32_3("v_bfi_b32", (a & b) | (~a & c));
  U32_3("v_bfe_u32", (c & 31) == 0 ? 0u : (a >> (b & 31)) & ((c & 31) == 32 ? ~0u : ((1u << (c & 31)) - 1)));
  // v_bfe_i32: the shift is arithmetic (S0.i32 >> offset), so a field running past bit 31 is
  // filled with S0's sign before it is sign-extended from bit width-1.
  U32_3("v_bfe_i32", bfe_i32(a, b & 31, c & 31));
  U32_3("v_alignbit_b32", uint32_t(((uint64_t(a) << 32) | b) >> (c & 31)));
  U32_3("v_alignbyte_b32", uint32_t(((uint64_t(a) << 32) | b) >> (8 * (c & 3))));
  U32_3("v_min3_i32", std::min(std::min(int32_t(a), int32_t(b)), int32_t(c)));
  U32_3("v_max3_i32", std::max(std::max(int32_t(a), int32_t(b)), int32_t(c)));
  U32_3("v_med3_i32", med3(int32_t(a), int32_t(b), int32_t(c)));
  U32_3("v_min3_u32", std::min(std::min(a, b), c));
  U32_3("v_max3_u32", std::max(std::max(a, b), c));
  U32_3("v_med3_u32", med3(a, b, c));
  U32_3("v_perm_b32", perm_b32(a, b, c));
  r.add("v_cndmask_b32", valu([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t mask = write_mask(w, in);
          const uint64_t sel = lane_mask_source(w, in.op[3]);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(mask, l)) continue;
            // VOP3 float modifiers apply to the selected value.
            uint32_t a = s.p[0][l], b = s.p[1][l];
            if (src_op(in, 0).abs) a &= 0x7fffffffu;
            if (src_op(in, 0).neg) a ^= 0x80000000u;
            if (src_op(in, 1).abs) b &= 0x7fffffffu;
            if (src_op(in, 1).neg) b ^= 0x80000000u;
            out[l] = ((sel >> l) & 1) ? b : a;
          }
          vector_write32(w, in, in.op[0], out, mask);
        }));
  r.add("v_swap_b32", valu([](Wave& w, const Instr& in) {
          uint32_t* a = w.vreg(in.op[0]);
          uint32_t* b = w.vreg(in.op[1]);
          const uint64_t exec = w.exec();
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) std::swap(a[l], b[l]);
        }, 2));

  // ---- carries (VOP2 writes VCC explicitly as op[1] in the printed form)
  r.add("v_add_co_u32", valu([](Wave& w, const Instr& in) {
          carry_op(w, in, false, [](uint32_t a, uint32_t b, uint32_t, bool& c) { uint64_t t = uint64_t(a) + b; c = t >> 32; return uint32_t(t); });
        }, 2));
  r.add("v_sub_co_u32", valu([](Wave& w, const Instr& in) {
          carry_op(w, in, false, [](uint32_t a, uint32_t b, uint32_t, bool& c) { c = b > a; return a - b; }, false);
        }, 2));
  r.add("v_subrev_co_u32", valu([](Wave& w, const Instr& in) {
          carry_op(w, in, false, [](uint32_t a, uint32_t b, uint32_t, bool& c) { c = a > b; return b - a; }, false);
        }, 2));
  r.add("v_addc_co_u32", valu([](Wave& w, const Instr& in) {
          carry_op(w, in, true, [](uint32_t a, uint32_t b, uint32_t ci, bool& c) { uint64_t t = uint64_t(a) + b + ci; c = t >> 32; return uint32_t(t); });
        }, 2));
  r.add("v_subb_co_u32", valu([](Wave& w, const Instr& in) {
          carry_op(w, in, true, [](uint32_t a, uint32_t b, uint32_t ci, bool& c) { c = uint64_t(b) + ci > a; return a - b - ci; }, false);
        }, 2));
  r.add("v_subbrev_co_u32", valu([](Wave& w, const Instr& in) {
          carry_op(w, in, true, [](uint32_t a, uint32_t b, uint32_t ci, bool& c) { c = uint64_t(a) + ci > b; return b - a - ci; }, false);
        }, 2));
  // { D1.u1, D0.u64 } = S0.u32 * S1.u32 + S2.u64 (and the signed form).
  r.add("v_mad_u64_u32", valu([](Wave& w, const Instr& in) {
          const uint64_t exec = w.exec();
          uint32_t sa[kLanes], sb[kLanes];
          const uint32_t* a = lanes32(w, src_op(in, 0), sa);
          const uint32_t* b = lanes32(w, src_op(in, 1), sb);
          Src64 c(w, src_op(in, 2), false);
          uint64_t carry = 0;
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(exec, l)) continue;
            unsigned __int128 t = (unsigned __int128)(uint64_t(a[l]) * b[l]) + c[l];
            write64(w, in.op[0], l, uint64_t(t));
            if (t >> 64) carry |= 1ull << l;
          }
          write_lane_mask(w, in.op[1], carry);
        }, 2));
  r.add("v_mad_i64_i32", valu([](Wave& w, const Instr& in) {
          const uint64_t exec = w.exec();
          uint32_t sa[kLanes], sb[kLanes];
          const uint32_t* a = lanes32(w, src_op(in, 0), sa);
          const uint32_t* b = lanes32(w, src_op(in, 1), sb);
          Src64 c(w, src_op(in, 2), false);
          uint64_t carry = 0;
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(exec, l)) continue;
            __int128 t = __int128(static_cast<int64_t>(static_cast<int32_t>(a[l])) * static_cast<int32_t>(b[l])) + static_cast<int64_t>(c[l]);
            write64(w, in.op[0], l, uint64_t(t));
            if ((t >> 64) & 1) carry |= 1ull << l;
          }
          write_lane_mask(w, in.op[1], carry);
        }, 2));

  // ---- 64-bit integer
  r.add("v_lshlrev_b64", valu([](Wave& w, const Instr& in) {
          valu_u64<2>(w, in, [](uint64_t a, uint64_t b, uint64_t) { return b << (a & 63); });
        }));
  r.add("v_lshrrev_b64", valu([](Wave& w, const Instr& in) {
          valu_u64<2>(w, in, [](uint64_t a, uint64_t b, uint64_t) { return b >> (a & 63); });
        }));
  r.add("v_ashrrev_i64", valu([](Wave& w, const Instr& in) {
          valu_u64<2>(w, in, [](uint64_t a, uint64_t b, uint64_t) { return uint64_t(int64_t(b) >> (a & 63)); });
        }));
  r.add("v_lshl_add_u64", valu([](Wave& w, const Instr& in) {
          valu_u64<3>(w, in, [](uint64_t a, uint64_t b, uint64_t c) { return (a << (b & 7)) + c; });
        }));
  r.add("v_mov_b64", valu([](Wave& w, const Instr& in) {
          valu_u64<1>(w, in, [](uint64_t a, uint64_t, uint64_t) { return a; });
        }));

  // v_bitop3 (gfx950): each result bit is TTBL[{S0, S1, S2} bits] of the truth table byte.
  r.add("v_bitop3_b32", valu([](Wave& w, const Instr& in) {
          valu_u32<3>(w, in, [t = in.m.bitop3](uint32_t a, uint32_t b, uint32_t c) { return bitop3(t, a, b, c); });
        }));
  // The 16-bit form: op_sel picks source halves and the destination half, as other VOP3 16-bit ops.
  r.add("v_bitop3_b16", valu([](Wave& w, const Instr& in) {
          valu_u16<3>(w, in, [t = in.m.bitop3](uint16_t a, uint16_t b, uint16_t c) { return uint16_t(bitop3(t, a, b, c)); });
        }));
  // v_mad_legacy_*16: op_sel[3] = 0 writes the low half and zeroes the high half (legacy rule).
  r.add("v_mad_legacy_u16", valu([](Wave& w, const Instr& in) { valu_u16<3>(w, in, [](uint16_t a, uint16_t b, uint16_t c) { return uint32_t(a) * b + c; }); }));
  r.add("v_mad_legacy_i16", valu([](Wave& w, const Instr& in) { valu_u16<3>(w, in, [](uint16_t a, uint16_t b, uint16_t c) { return int16_t(a) * int16_t(b) + int16_t(c); }); }));
  r.add("v_mad_legacy_f16", valu([](Wave& w, const Instr& in) { valu_f16<3>(w, in, [](float a, float b, float c) { return h2f(f2h(a * b)) + c; }); }));
  r.add("v_fma_legacy_f16", valu([](Wave& w, const Instr& in) { valu_f16<3>(w, in, [](float a, float b, float c) { return float(std::fma(double(a), double(b), double(c))); }); }));

  // ---- f16 (VOP1/VOP2/VOP3 16-bit)
  r.add("v_add_f16", valu([](Wave& w, const Instr& in) { valu_f16<2>(w, in, [](float a, float b, float) { return a + b; }); }));
  r.add("v_sub_f16", valu([](Wave& w, const Instr& in) { valu_f16<2>(w, in, [](float a, float b, float) { return a - b; }); }));
  r.add("v_subrev_f16", valu([](Wave& w, const Instr& in) { valu_f16<2>(w, in, [](float a, float b, float) { return b - a; }); }));
  r.add("v_mul_f16", valu([](Wave& w, const Instr& in) { valu_f16<2>(w, in, [](float a, float b, float) { return a * b; }); }));
  r.add("v_max_f16", valu([](Wave& w, const Instr& in) { valu_f16<2>(w, in, [](float a, float b, float) { return std::fmax(a, b); }); }));
  r.add("v_min_f16", valu([](Wave& w, const Instr& in) { valu_f16<2>(w, in, [](float a, float b, float) { return std::fmin(a, b); }); }));
  // f16 fma: the product and sum are exact in double, so one rounding to f16 at the end is fused.
  r.add("v_fma_f16", valu([](Wave& w, const Instr& in) { valu_f16<3>(w, in, [](float a, float b, float c) { return float(std::fma(double(a), double(b), double(c))); }); }));
  r.add("v_mad_f16", valu([](Wave& w, const Instr& in) { valu_f16<3>(w, in, [](float a, float b, float c) { return h2f(f2h(a * b)) + c; }); }));
  r.add("v_rcp_f16", valu([](Wave& w, const Instr& in) { valu_f16<1>(w, in, [](float a, float, float) { return 1.0f / a; }); }));
  r.add("v_sqrt_f16", valu([](Wave& w, const Instr& in) { valu_f16<1>(w, in, [](float a, float, float) { return std::sqrt(a); }); }));
  r.add("v_exp_f16", valu([](Wave& w, const Instr& in) { valu_f16<1>(w, in, [](float a, float, float) { return std::exp2(a); }); }));
  r.add("v_log_f16", valu([](Wave& w, const Instr& in) { valu_f16<1>(w, in, [](float a, float, float) { return std::log2(a); }); }));
  r.add("v_max3_f16", valu([](Wave& w, const Instr& in) { valu_f16<3>(w, in, [](float a, float b, float c) { return std::fmax(std::fmax(a, b), c); }); }));
  r.add("v_min3_f16", valu([](Wave& w, const Instr& in) { valu_f16<3>(w, in, [](float a, float b, float c) { return std::fmin(std::fmin(a, b), c); }); }));
  r.add("v_add_u16", valu([](Wave& w, const Instr& in) {
          valu_u16<2>(w, in, [&](uint16_t a, uint16_t b, uint16_t) { return in.m.clamp ? std::min(a + b, 0xffff) : a + b; });
        }));
  r.add("v_sub_u16", valu([](Wave& w, const Instr& in) {
          valu_u16<2>(w, in, [&](uint16_t a, uint16_t b, uint16_t) { return in.m.clamp ? std::max(a - b, 0) : a - b; });
        }));
  r.add("v_mul_lo_u16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return uint32_t(a) * b; }); }));
  r.add("v_lshlrev_b16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return b << (a & 15); }); }));
  r.add("v_lshrrev_b16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return b >> (a & 15); }); }));
  r.add("v_ashrrev_i16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return int16_t(b) >> (a & 15); }); }));
  r.add("v_max_u16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::max(a, b); }); }));
  r.add("v_min_u16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::min(a, b); }); }));
  r.add("v_max_i16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::max(int16_t(a), int16_t(b)); }); }));
  r.add("v_min_i16", valu([](Wave& w, const Instr& in) { valu_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::min(int16_t(a), int16_t(b)); }); }));

  // ---- SAD / lerp
  r.add("v_sad_u8", valu([](Wave& w, const Instr& in) { sad_op(w, in, sad_bytes); }));
  r.add("v_sad_hi_u8", valu([](Wave& w, const Instr& in) { sad_op(w, in, [](uint32_t a, uint32_t b) { return sad_bytes(a, b) << 16; }); }));
  r.add("v_msad_u8", valu([](Wave& w, const Instr& in) { sad_op(w, in, msad_bytes); }));
  r.add("v_sad_u16", valu([](Wave& w, const Instr& in) { sad_op(w, in, sad_halves); }));
  r.add("v_sad_u32", valu([](Wave& w, const Instr& in) { sad_op(w, in, absdiff); }));
  r.add("v_lerp_u8", valu([](Wave& w, const Instr& in) { valu_u32<3>(w, in, lerp_bytes); }));
}

}  // namespace asmk::emu::detail
