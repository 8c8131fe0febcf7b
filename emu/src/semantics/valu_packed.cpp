// Packed math (VOP3P): v_pk_* on 2 x 16-bit and (gfx940+) 2 x 32-bit lanes, mixed-precision
// fma (v_fma_mix*), and dot products. For source i, op_sel[i] picks the half (dword) feeding the
// low result and op_sel_hi[i] the one feeding the high result; neg_lo/neg_hi negate float halves.
// An inline constant applies to both halves.
#include "common.hpp"

namespace asmk::emu::detail {
namespace {

constexpr SemanticsEntry pk(SemanticsFn fn) { return {fn, InstrClass::valu, 1, 0}; }

/// Sources of a packed op: for constants both halves hold the 16-bit constant.
struct PackedSources {
  uint32_t scratch[3][2 * kLanes];
  const uint32_t* p[3] = {};
  PackedSources(Wave& w, const Instr& in, int n) {
    for (int i = 0; i < n; i++) {
      const Operand& o = src_op(in, i);
      if (o.kind == OpKind::constant) {
        std::fill_n(scratch[i], kLanes, uint32_t(o.k16) | uint32_t(o.k16) << 16);
        p[i] = scratch[i];
      } else {
        p[i] = vector_source(w, in, in.num_dst + i, scratch[i]);
      }
    }
  }
};

uint16_t half_of(uint32_t v, bool hi) { return uint16_t(hi ? v >> 16 : v); }

template <int N, class F>
void pk_f16(Wave& w, const Instr& in, F f) {
  PackedSources s(w, in, N);
  const uint64_t mask = write_mask(w, in);
  uint32_t out[kLanes];
  const bool flush_src = w.flush_src64, flush_dst = w.flush_dst64;  // MODE.FP_DENORM[3:2] covers f16
  auto in16 = [flush_src](uint16_t h) { return h2f(flush_src ? flush16(h) : h); };
  auto out16 = [flush_dst](float r) { return uint32_t(flush_dst ? flush16(f2h(r)) : f2h(r)); };
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float lo[3] = {}, hi[3] = {};
    for (int i = 0; i < N; i++) {
      uint16_t a = half_of(s.p[i][l], (in.m.op_sel >> i) & 1), b = half_of(s.p[i][l], (in.m.op_sel_hi >> i) & 1);
      if ((in.m.neg_lo >> i) & 1) a ^= 0x8000;
      if ((in.m.neg_hi >> i) & 1) b ^= 0x8000;
      lo[i] = in16(a);
      hi[i] = in16(b);
    }
    Modifiers m = in.m;
    m.omod = 0;
    out[l] = out16(omod_clamp<float>(f(lo[0], lo[1], lo[2]), m)) | out16(omod_clamp<float>(f(hi[0], hi[1], hi[2]), m)) << 16;
  }
  vector_write32(w, in, in.op[0], out, mask);
}

template <int N, class F>
void pk_u16(Wave& w, const Instr& in, F f) {
  PackedSources s(w, in, N);
  const uint64_t mask = write_mask(w, in);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    uint16_t lo[3] = {}, hi[3] = {};
    for (int i = 0; i < N; i++) {
      lo[i] = half_of(s.p[i][l], (in.m.op_sel >> i) & 1);
      hi[i] = half_of(s.p[i][l], (in.m.op_sel_hi >> i) & 1);
    }
    out[l] = uint32_t(uint16_t(f(lo[0], lo[1], lo[2]))) | uint32_t(uint16_t(f(hi[0], hi[1], hi[2]))) << 16;
  }
  vector_write32(w, in, in.op[0], out, mask);
}

/// 2 x f32 (gfx940+): each operand is a 64-bit register pair; op_sel picks the dword.
template <int N, class F>
void pk_f32(Wave& w, const Instr& in, F f) {
  const uint64_t exec = w.exec();
  uint32_t scratch[3][2][kLanes];
  const uint32_t* p[3][2] = {};
  for (int i = 0; i < N; i++) {
    const Operand& o = src_op(in, i);
    p[i][0] = lanes32(w, o, scratch[i][0], 0);
    p[i][1] = o.kind == OpKind::constant ? p[i][0] : lanes32(w, o, scratch[i][1], 1);
  }
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    float lo[3] = {}, hi[3] = {};
    for (int i = 0; i < N; i++) {
      lo[i] = f32(p[i][(in.m.op_sel >> i) & 1][l]);
      hi[i] = f32(p[i][(in.m.op_sel_hi >> i) & 1][l]);
      if ((in.m.neg_lo >> i) & 1) lo[i] = -lo[i];
      if ((in.m.neg_hi >> i) & 1) hi[i] = -hi[i];
    }
    float rl = f(lo[0], lo[1], lo[2]), rh = f(hi[0], hi[1], hi[2]);
    if (in.m.clamp) { rl = omod_clamp<float>(rl, in.m); rh = omod_clamp<float>(rh, in.m); }
    d[l] = b32(rl);
    d[kLanes + l] = b32(rh);
  }
}

/// v_fma_mix*: source i is f16 (half op_sel[i]) when op_sel_hi[i] is set, else f32.
template <int Out>  // 0: f32, 1: f16 low half, 2: f16 high half
void fma_mix(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  const uint64_t mask = write_mask(w, in);
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float x[3];
    for (int i = 0; i < 3; i++) {
      uint32_t v = s.p[i][l];
      x[i] = ((in.m.op_sel_hi >> i) & 1) ? h2f(half_of(v, (in.m.op_sel >> i) & 1)) : f32(v);
      x[i] = fmod32(x[i], src_op(in, i));
    }
    if (Out == 0) {  // f16 inputs widen exactly: one f32 rounding of the fused result
      d[l] = b32(omod_clamp<float>(std::fma(x[0], x[1], x[2]), in.m));
      continue;
    }
    // f16 result: fused in double, then rounded to f16 (a second rounding; exact for f16 inputs).
    float r = omod_clamp<float>(float(std::fma(double(x[0]), double(x[1]), double(x[2]))), in.m);
    if (Out == 1) {
      d[l] = (d[l] & 0xffff0000u) | f2h(r);
    } else {
      d[l] = (d[l] & 0xffffu) | uint32_t(f2h(r)) << 16;
    }
  }
}

int32_t s8(uint32_t v, int i) { return int8_t(v >> (8 * i)); }
uint32_t u8(uint32_t v, int i) { return (v >> (8 * i)) & 0xff; }

}  // namespace

void register_valu_packed(Registry& r) {
  r.add("v_pk_add_f16", pk([](Wave& w, const Instr& in) { pk_f16<2>(w, in, [](float a, float b, float) { return a + b; }); }));
  r.add("v_pk_mul_f16", pk([](Wave& w, const Instr& in) { pk_f16<2>(w, in, [](float a, float b, float) { return a * b; }); }));
  r.add("v_pk_fma_f16", pk([](Wave& w, const Instr& in) { pk_f16<3>(w, in, [](float a, float b, float c) { return float(std::fma(double(a), double(b), double(c))); }); }));
  r.add("v_pk_max_f16", pk([](Wave& w, const Instr& in) { pk_f16<2>(w, in, [](float a, float b, float) { return max_ieee(a, b); }); }));
  r.add("v_pk_min_f16", pk([](Wave& w, const Instr& in) { pk_f16<2>(w, in, [](float a, float b, float) { return min_ieee(a, b); }); }));
  r.add("v_pk_add_u16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return a + b; }); }));
  r.add("v_pk_add_i16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return a + b; }); }));
  r.add("v_pk_sub_u16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return a - b; }); }));
  r.add("v_pk_sub_i16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return a - b; }); }));
  r.add("v_pk_mul_lo_u16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return uint32_t(a) * b; }); }));
  r.add("v_pk_mad_u16", pk([](Wave& w, const Instr& in) { pk_u16<3>(w, in, [](uint16_t a, uint16_t b, uint16_t c) { return uint32_t(a) * b + c; }); }));
  r.add("v_pk_mad_i16", pk([](Wave& w, const Instr& in) { pk_u16<3>(w, in, [](uint16_t a, uint16_t b, uint16_t c) { return int16_t(a) * int16_t(b) + int16_t(c); }); }));
  r.add("v_pk_lshlrev_b16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return b << (a & 15); }); }));
  r.add("v_pk_lshrrev_b16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return b >> (a & 15); }); }));
  r.add("v_pk_ashrrev_i16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return int16_t(b) >> (a & 15); }); }));
  r.add("v_pk_max_u16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::max(a, b); }); }));
  r.add("v_pk_min_u16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::min(a, b); }); }));
  r.add("v_pk_max_i16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::max(int16_t(a), int16_t(b)); }); }));
  r.add("v_pk_min_i16", pk([](Wave& w, const Instr& in) { pk_u16<2>(w, in, [](uint16_t a, uint16_t b, uint16_t) { return std::min(int16_t(a), int16_t(b)); }); }));
  r.add("v_pk_fma_f32", pk([](Wave& w, const Instr& in) { pk_f32<3>(w, in, [](float a, float b, float c) { return std::fma(a, b, c); }); }));
  r.add("v_pk_mul_f32", pk([](Wave& w, const Instr& in) { pk_f32<2>(w, in, [](float a, float b, float) { return a * b; }); }));
  r.add("v_pk_add_f32", pk([](Wave& w, const Instr& in) { pk_f32<2>(w, in, [](float a, float b, float) { return a + b; }); }));
  r.add("v_pk_mov_b32", pk([](Wave& w, const Instr& in) {
          // D.lo = S0[op_sel[0]], D.hi = S1[op_sel[1]] (dwords of the two 64-bit sources).
          const uint64_t exec = w.exec();
          uint32_t s[2][2][kLanes];
          const uint32_t* a[2] = {lanes32(w, src_op(in, 0), s[0][0], 0), lanes32(w, src_op(in, 0), s[0][1], 1)};
          const uint32_t* b[2] = {lanes32(w, src_op(in, 1), s[1][0], 0), lanes32(w, src_op(in, 1), s[1][1], 1)};
          uint32_t* d = w.vreg(in.op[0]);
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(exec, l)) continue;
            uint32_t lo = a[in.m.op_sel & 1][l], hi = b[(in.m.op_sel >> 1) & 1][l];
            d[l] = lo;
            d[kLanes + l] = hi;
          }
        }));
  r.add("v_fma_mix_f32", pk(fma_mix<0>));
  r.add("v_fma_mixlo_f16", pk(fma_mix<1>));
  r.add("v_fma_mixhi_f16", pk(fma_mix<2>));
  r.add("v_mad_mix_f32", pk(fma_mix<0>));
  r.add("v_mad_mixlo_f16", pk(fma_mix<1>));
  r.add("v_mad_mixhi_f16", pk(fma_mix<2>));
  // Dot products: D = sum(a_i * b_i) + c, products and sum exact (f16 products fit in f64).
  r.add("v_dot2_f32_f16", pk([](Wave& w, const Instr& in) {
          valu_u32<3>(w, in, [](uint32_t a, uint32_t b, uint32_t c) {
            double s = double(h2f(uint16_t(a))) * h2f(uint16_t(b)) + double(h2f(uint16_t(a >> 16))) * h2f(uint16_t(b >> 16));
            return b32(float(s + double(f32(c))));
          });
        }));
  r.add("v_dot2c_f32_f16", pk([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t mask = write_mask(w, in);
          uint32_t* d = w.vreg(in.op[0]);
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(mask, l)) continue;
            uint32_t a = s.p[0][l], b = s.p[1][l];
            double sum = double(h2f(uint16_t(a))) * h2f(uint16_t(b)) + double(h2f(uint16_t(a >> 16))) * h2f(uint16_t(b >> 16));
            d[l] = b32(float(sum + double(f32(d[l]))));
          }
        }));
  r.add("v_dot4_i32_i8", pk([](Wave& w, const Instr& in) {
          valu_u32<3>(w, in, [](uint32_t a, uint32_t b, uint32_t c) {
            uint32_t s = c;  // the sum wraps modulo 2^32 (no clamp): unsigned, so no C++ signed overflow
            for (int i = 0; i < 4; i++) s += uint32_t(s8(a, i) * s8(b, i));
            return s;
          });
        }));
  r.add("v_dot4_u32_u8", pk([](Wave& w, const Instr& in) {
          valu_u32<3>(w, in, [](uint32_t a, uint32_t b, uint32_t c) {
            uint32_t s = c;
            for (int i = 0; i < 4; i++) s += u8(a, i) * u8(b, i);
            return s;
          });
        }));
  r.add("v_dot2_i32_i16", pk([](Wave& w, const Instr& in) {
          valu_u32<3>(w, in, [](uint32_t a, uint32_t b, uint32_t c) {
            return c + uint32_t(int16_t(a) * int16_t(b)) + uint32_t(int16_t(a >> 16) * int16_t(b >> 16));
          });
        }));
  r.add("v_dot2_u32_u16", pk([](Wave& w, const Instr& in) {
          valu_u32<3>(w, in, [](uint32_t a, uint32_t b, uint32_t c) {
            return c + (a & 0xffff) * (b & 0xffff) + (a >> 16) * (b >> 16);
          });
        }));
}

}  // namespace asmk::emu::detail
