// Helpers shared by the semantics files: bit casts, half precision, source modifiers,
// output modifiers, and lane loops for the common VALU shapes.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "../exec/wave.hpp"
#include "registry.hpp"

namespace asmk::emu::detail {

inline float f32(uint32_t b) { return std::bit_cast<float>(b); }
inline uint32_t b32(float f) { return std::bit_cast<uint32_t>(f); }
inline double f64(uint64_t b) { return std::bit_cast<double>(b); }
inline uint64_t b64(double d) { return std::bit_cast<uint64_t>(d); }
inline float h2f(uint16_t h) { return float(std::bit_cast<_Float16>(h)); }
inline uint16_t f2h(float f) { return std::bit_cast<uint16_t>(_Float16(f)); }  // round to nearest even

inline bool is_nan32(uint32_t b) { return (b & 0x7fffffffu) > 0x7f800000u; }
inline float quiet(float f) { return std::isnan(f) ? f32(b32(f) | 0x00400000u) : f; }

/// IEEE-mode max/min: a NaN operand yields the other operand; -0 orders below +0. Inline (no
/// libm call) because they sit in hot lane loops.
inline float max_ieee(float a, float b) {
  if (a != a) return b;
  if (b != b) return a;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
inline float min_ieee(float a, float b) {
  if (a != a) return b;
  if (b != b) return a;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

/// abs then neg, as the ISA applies input modifiers to float operands.
inline float fmod32(float v, const Operand& o) {
  if (o.abs) v = std::fabs(v);
  if (o.neg) v = -v;
  return v;
}
inline double fmod64(double v, const Operand& o) {
  if (o.abs) v = std::fabs(v);
  if (o.neg) v = -v;
  return v;
}
inline uint16_t hmod(uint16_t h, const Operand& o) {
  if (o.abs) h &= 0x7fff;
  if (o.neg) h ^= 0x8000;
  return h;
}

/// Output modifier then clamp (to [0, 1]; NaN clamps to 0), for float and double results.
template <class T>
inline T omod_clamp(T r, const Modifiers& m) {
  switch (m.omod) {
    case 1: r *= T(2); break;
    case 2: r *= T(4); break;
    case 3: r *= T(0.5); break;
    default: break;
  }
  if (m.clamp) r = std::isnan(r) ? T(0) : std::fmin(std::fmax(r, T(0)), T(1));
  return r;
}

struct Sources {
  uint32_t scratch[3][2 * kLanes];
  const uint32_t* p[3] = {nullptr, nullptr, nullptr};
  Sources(Wave& w, const Instr& in, int n, Width width = Width::b32) {
    for (int i = 0; i < n && in.num_dst + i < in.num_ops; i++) p[i] = vector_source(w, in, in.num_dst + i, scratch[i], width);
  }
};

inline const Operand& src_op(const Instr& in, int i) { return in.op[in.num_dst + i]; }

/// True when no source of `in` has float input modifiers and there is no omod/clamp/SDWA:
/// the lane loop can then run without per-lane modifier logic.
inline bool plain_float_op(const Instr& in, int nsrc) {
  if (in.m.omod || in.m.clamp || in.m.sdwa || in.op[0].kind != OpKind::vgpr) return false;
  for (int i = 0; i < nsrc; i++) {
    const Operand& o = in.op[in.num_dst + i];
    if (o.abs || o.neg) return false;
  }
  return true;
}

/// d[l] = fma(a[l], b[l], c[l]) for all 64 lanes, using the host's FMA unit when it has one;
/// with `ftz_src`/`ftz_dst`, denormal inputs/results are flushed.
void fma_lanes(uint32_t* d, const uint32_t* a, const uint32_t* b, const uint32_t* c, bool ftz_src, bool ftz_dst);

/// Denormal flushing (to a zero of the same sign) per the kernel's f32 denormal mode; branch-free
/// on the bits so lane loops stay vectorisable.
inline uint32_t ftz_bits(uint32_t u) { return u & ((u & 0x7f800000u) ? ~0u : 0x80000000u); }
inline float flush32(float v) { return f32(ftz_bits(b32(v))); }

/// f16 and f64 denormal flushing (MODE.FP_DENORM[3:2]) to a zero of the same sign.
inline uint16_t flush16(uint16_t h) { return (h & 0x7c00) ? h : uint16_t(h & 0x8000); }
inline double flush64(double v) { return std::fpclassify(v) == FP_SUBNORMAL ? std::copysign(0.0, v) : v; }

/// f32 VALU op with n sources: result = f(a, b, c) after input modifiers, then omod/clamp.
template <int N, class F>
void valu_f32(Wave& w, const Instr& in, F f) {
  Sources s(w, in, N);
  const uint64_t mask = write_mask(w, in);
  const bool flush_src = w.flush_src32, flush_dst = w.flush_dst32;
  if (mask == ~0ull && plain_float_op(in, N) && (flush_src || flush_dst)) {  // fast path with flushing
    uint32_t* d = w.vreg(in.op[0]);
    uint32_t x[N][kLanes];  // separate simple loops so each one vectorises
    const uint32_t* p[3] = {s.p[0], s.p[1], s.p[2]};
    if (flush_src)
      for (int i = 0; i < N; i++) {
        for (int l = 0; l < kLanes; l++) x[i][l] = ftz_bits(s.p[i][l]);
        p[i] = x[i];
      }
    for (int l = 0; l < kLanes; l++)
      d[l] = b32(f(f32(p[0][l]), N > 1 ? f32(p[1][l]) : 0.0f, N > 2 ? f32(p[2][l]) : 0.0f));
    if (flush_dst)
      for (int l = 0; l < kLanes; l++) d[l] = ftz_bits(d[l]);
    return;
  }
  if (flush_src || flush_dst) {
    uint32_t out[kLanes];
    for (int l = 0; l < kLanes; l++) {
      if (!lane_on(mask, l)) continue;
      float x[3] = {0.0f, 0.0f, 0.0f};
      for (int i = 0; i < N; i++) {
        x[i] = fmod32(f32(s.p[i][l]), src_op(in, i));
        if (flush_src) x[i] = flush32(x[i]);
      }
      float r = omod_clamp<float>(f(x[0], x[1], x[2]), in.m);
      out[l] = b32(flush_dst ? flush32(r) : r);
    }
    vector_write32(w, in, in.op[0], out, mask);
    return;
  }
  if (mask == ~0ull && plain_float_op(in, N)) {  // fast path: whole wave, no modifiers
    uint32_t* d = w.vreg(in.op[0]);
    for (int l = 0; l < kLanes; l++)
      d[l] = b32(f(f32(s.p[0][l]), N > 1 ? f32(s.p[1][l]) : 0.0f, N > 2 ? f32(s.p[2][l]) : 0.0f));
    return;
  }
  uint32_t out[kLanes];
  const Operand& o0 = src_op(in, 0);
  const Operand& o1 = src_op(in, N > 1 ? 1 : 0);
  const Operand& o2 = src_op(in, N > 2 ? 2 : 0);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float a = fmod32(f32(s.p[0][l]), o0);
    float b = N > 1 ? fmod32(f32(s.p[1][l]), o1) : 0.0f;
    float c = N > 2 ? fmod32(f32(s.p[2][l]), o2) : 0.0f;
    out[l] = b32(omod_clamp<float>(f(a, b, c), in.m));
  }
  vector_write32(w, in, in.op[0], out, mask);
}

/// 32-bit integer/bitwise VALU op with n sources.
template <int N, class F>
void valu_u32(Wave& w, const Instr& in, F f) {
  Sources s(w, in, N);
  const uint64_t mask = write_mask(w, in);
  if (mask == ~0ull && !in.m.sdwa && in.op[0].kind == OpKind::vgpr) {  // fast path: whole wave
    uint32_t* d = w.vreg(in.op[0]);
    for (int l = 0; l < kLanes; l++) d[l] = f(s.p[0][l], N > 1 ? s.p[1][l] : 0u, N > 2 ? s.p[2][l] : 0u);
    return;
  }
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    out[l] = f(s.p[0][l], N > 1 ? s.p[1][l] : 0u, N > 2 ? s.p[2][l] : 0u);
  }
  vector_write32(w, in, in.op[0], out, mask);
}

/// 64-bit source lanes (lo, hi) of source i; `fp` widens constants as doubles.
struct Src64 {
  uint32_t scratch[2][2 * kLanes];
  const uint32_t* lo;
  const uint32_t* hi;
  Src64(Wave& w, const Operand& o, bool fp) {
    Width wd = fp ? Width::f64 : Width::b64;
    lo = lanes32(w, o, scratch[0], 0, wd);
    hi = lanes32(w, o, scratch[1], 1, wd);
  }
  /// Source `src` of `in`, with DPP applied to src0 (gfx90a+ DP ALU DPP allows row_newbcast).
  Src64(Wave& w, const Instr& in, int src, bool fp) {
    Width wd = fp ? Width::f64 : Width::b64;
    lo = vector_source64(w, in, in.num_dst + src, scratch[0], wd, 0);
    hi = vector_source64(w, in, in.num_dst + src, scratch[1], wd, 1);
  }
  uint64_t operator[](int l) const { return uint64_t(lo[l]) | uint64_t(hi[l]) << 32; }
};

inline void write64(Wave& w, const Operand& dst, int lane, uint64_t v) {
  if (dst.kind != OpKind::vgpr && dst.kind != OpKind::agpr) return;
  uint32_t* d = w.vreg(dst);
  d[lane] = uint32_t(v);
  d[kLanes + lane] = uint32_t(v >> 32);
}

template <int N, class F>
void valu_f64(Wave& w, const Instr& in, F f) {
  const uint64_t mask = write_mask(w, in);
  Src64 a(w, in, 0, true);
  Src64 b(w, in, N > 1 ? 1 : 0, true);
  Src64 c(w, in, N > 2 ? 2 : 0, true);
  const Operand& o0 = src_op(in, 0);
  const Operand& o1 = src_op(in, N > 1 ? 1 : 0);
  const Operand& o2 = src_op(in, N > 2 ? 2 : 0);
  const bool flush_src = w.flush_src64, flush_dst = w.flush_dst64;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    double x = fmod64(f64(a[l]), o0);
    double y = N > 1 ? fmod64(f64(b[l]), o1) : 0.0;
    double z = N > 2 ? fmod64(f64(c[l]), o2) : 0.0;
    if (flush_src) {
      x = flush64(x);
      y = flush64(y);
      z = flush64(z);
    }
    const double r = omod_clamp<double>(f(x, y, z), in.m);
    write64(w, in.op[0], l, b64(flush_dst ? flush64(r) : r));
  }
}

template <int N, class F>
void valu_u64(Wave& w, const Instr& in, F f) {
  const uint64_t mask = write_mask(w, in);
  Src64 a(w, in, 0, false);
  Src64 b(w, in, N > 1 ? 1 : 0, false);
  Src64 c(w, in, N > 2 ? 2 : 0, false);
  for (int l = 0; l < kLanes; l++)
    if (lane_on(mask, l)) write64(w, in.op[0], l, f(a[l], N > 1 ? b[l] : 0, N > 2 ? c[l] : 0));
}

/// f16 VALU op (VOP1/2/3 16-bit: sources and result in the low half; op_sel picks halves in VOP3).
template <int N, class F>
void valu_f16(Wave& w, const Instr& in, F f) {
  Sources s(w, in, N, Width::b16);
  const uint64_t mask = write_mask(w, in);
  uint32_t out[kLanes];
  const uint32_t* old = (in.op[0].kind == OpKind::vgpr) ? w.vreg(in.op[0]) : nullptr;
  const bool flush_src = w.flush_src64, flush_dst = w.flush_dst64;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float x[3] = {0, 0, 0};
    for (int i = 0; i < N; i++) {
      uint16_t h = hmod(uint16_t(s.p[i][l] >> (((in.m.op_sel >> i) & 1) ? 16 : 0)), src_op(in, i));
      x[i] = h2f(flush_src ? flush16(h) : h);
    }
    uint16_t r = f2h(omod_clamp<float>(f(x[0], x[1], x[2]), in.m));
    if (flush_dst) r = flush16(r);
    bool hi = (in.m.op_sel >> 3) & 1;  // op_sel[3] writes the high half, keeping the low one
    // gfx9: a 16-bit result zeroes the high half unless op_sel selects it (then the low half is kept).
    out[l] = hi ? ((old ? old[l] & 0xffffu : 0u) | uint32_t(r) << 16) : uint32_t(r);
  }
  vector_write32(w, in, in.op[0], out, mask);
}

template <int N, class F>
void valu_u16(Wave& w, const Instr& in, F f) {
  Sources s(w, in, N, Width::b16);
  const uint64_t mask = write_mask(w, in);
  uint32_t out[kLanes];
  const uint32_t* old = (in.op[0].kind == OpKind::vgpr) ? w.vreg(in.op[0]) : nullptr;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    uint16_t x[3] = {0, 0, 0};
    for (int i = 0; i < N; i++) x[i] = uint16_t(s.p[i][l] >> (((in.m.op_sel >> i) & 1) ? 16 : 0));
    uint16_t r = uint16_t(f(x[0], x[1], x[2]));
    bool hi = (in.m.op_sel >> 3) & 1;
    out[l] = hi ? ((old ? old[l] & 0xffffu : 0u) | uint32_t(r) << 16) : uint32_t(r);
  }
  vector_write32(w, in, in.op[0], out, mask);
}

}  // namespace asmk::emu::detail
