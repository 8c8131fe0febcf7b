// Conversions: integer <-> float, f16/f32/f64, bf16 packs, and the fp8/bf8 conversions
// (e4m3fnuz/e5m2fnuz on gfx942, OCP e4m3fn/e5m2 on gfx950) through the numeric module asmk::ref.
#include <algorithm>

#include "common.hpp"

#ifdef ASMK_EMU_HAVE_REF
#include "asmk/ref/numeric.hpp"
#endif

namespace asmk::emu::detail {
namespace {

constexpr SemanticsEntry cvt(SemanticsFn fn) { return {fn, InstrClass::valu, 1, 0}; }

/// f32 -> integer with the ISA's saturation: NaN -> 0, out of range -> the nearest bound.
template <class I>
uint32_t f2i(double v) {
  if (std::isnan(v)) return 0;
  double t = std::trunc(v);
  if (t <= double(std::numeric_limits<I>::min())) return uint32_t(std::numeric_limits<I>::min());
  if (t >= double(std::numeric_limits<I>::max())) return uint32_t(std::numeric_limits<I>::max());
  return uint32_t(I(t));
}

template <class F>
void cvt_u32_in(Wave& w, const Instr& in, F f) {  // result from a 32-bit source, float modifiers on src
  Sources s(w, in, 1);
  const uint64_t mask = write_mask(w, in);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++)
    if (lane_on(mask, l)) out[l] = f(s.p[0][l], src_op(in, 0), in.m);
  vector_write32(w, in, in.op[0], out, mask);
}

#ifdef ASMK_EMU_HAVE_REF
ref::Format fp8_of(const Wave& w, bool bf8) {
  const Arch a = w.ctx->program->arch;
  return bf8 ? ref::bf8_format(a) : ref::fp8_format(a);
}

/// v_cvt_pk_{fp8,bf8}_f32 vdst, src0, src1: two codes into the low word (or the high word with
/// op_sel[3]), keeping the other word. Rounding to nearest even; clamp saturates, otherwise
/// out-of-range values become the format's Inf/NaN (departure table: "fp8-overflow").
template <bool Bf8>
void cvt_pk_f8_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  const ref::Overflow ovf = in.m.clamp ? ref::Overflow::saturate : ref::Overflow::inf_or_nan;
  uint32_t* d = w.vreg(in.op[0]);
  const bool hi = (in.m.op_sel >> 3) & 1;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float a = fmod32(f32(s.p[0][l]), src_op(in, 0)), b = fmod32(f32(s.p[1][l]), src_op(in, 1));
    uint32_t word = (ref::encode(fmt, a, ovf) & 0xff) | (ref::encode(fmt, b, ovf) & 0xff) << 8;
    d[l] = hi ? ((d[l] & 0xffffu) | word << 16) : ((d[l] & 0xffff0000u) | word);
  }
}

/// v_cvt_f32_{fp8,bf8}: the byte chosen by SDWA src0_sel (already applied) or VOP3 op_sel[1:0].
template <bool Bf8>
void cvt_f32_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 1);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  const int shift = in.m.sdwa ? 0 : 8 * (in.m.op_sel & 3);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++)
    if (lane_on(mask, l)) out[l] = b32(omod_clamp<float>(ref::decode(fmt, (s.p[0][l] >> shift) & 0xff), in.m));
  vector_write32(w, in, in.op[0], out, mask);
}

/// v_cvt_pk_f32_{fp8,bf8} vdst[2], src: bytes 0-1 (or 2-3 with WORD_1 / op_sel[0]) to two f32.
template <bool Bf8>
void cvt_pk_f32_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 1);
  const uint64_t exec = w.exec();
  const ref::Format fmt = fp8_of(w, Bf8);
  const int shift = in.m.sdwa ? 0 : ((in.m.op_sel & 1) ? 16 : 0);
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint32_t v = s.p[0][l] >> shift;
    d[l] = b32(ref::decode(fmt, v & 0xff));
    d[kLanes + l] = b32(ref::decode(fmt, (v >> 8) & 0xff));
  }
}

// ---- gfx950 scaled conversions: the scale operand contributes its f32 exponent field e; narrowing
// divides by 2^(e-127) before one rounding, widening multiplies the decoded value by 2^(e-127).
uint8_t scale_exponent(uint32_t scale_bits) { return uint8_t((scale_bits >> 23) & 0xff); }

/// v_cvt_scalef32_pk_{fp8,bf8}_f32 vdst, src0, src1, scale: two codes into the word op_sel[3] picks.
template <bool Bf8>
void cvt_scalef32_pk_f8_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  const ref::Overflow ovf = in.m.clamp ? ref::Overflow::saturate : ref::Overflow::inf_or_nan;
  uint32_t* d = w.vreg(in.op[0]);
  const bool hi = (in.m.op_sel >> 3) & 1;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    uint8_t e = scale_exponent(s.p[2][l]);
    uint32_t word = (ref::encode_scaled(fmt, f32(s.p[0][l]), e, ovf) & 0xff) |
                    (ref::encode_scaled(fmt, f32(s.p[1][l]), e, ovf) & 0xff) << 8;
    d[l] = hi ? ((d[l] & 0xffffu) | word << 16) : ((d[l] & 0xffff0000u) | word);
  }
}

/// v_cvt_scalef32_pk_f32_{fp8,bf8} vdst[2], src0, scale: the word op_sel[0] picks, to two f32.
template <bool Bf8>
void cvt_scalef32_pk_f32_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t exec = w.exec();
  const ref::Format fmt = fp8_of(w, Bf8);
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint32_t v = s.p[0][l] >> ((in.m.op_sel & 1) ? 16 : 0);
    uint8_t e = scale_exponent(s.p[1][l]);
    d[l] = b32(float(ref::decode_scaled(fmt, v & 0xff, e)));
    d[kLanes + l] = b32(float(ref::decode_scaled(fmt, (v >> 8) & 0xff, e)));
  }
}

/// v_cvt_scalef32_f32_{fp8,bf8} vdst, src0, scale: the byte op_sel[1:0] picks.
template <bool Bf8>
void cvt_scalef32_f32_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++)
    if (lane_on(mask, l))
      out[l] = b32(float(ref::decode_scaled(fmt, (s.p[0][l] >> (8 * (in.m.op_sel & 3))) & 0xff, scale_exponent(s.p[1][l]))));
  vector_write32(w, in, in.op[0], out, mask);
}

/// v_cvt_scalef32_pk_fp4_f32 vdst, src0, src1, scale: e2m1 codes (src0 low nibble) into the byte
/// op_sel[3:2] picks; the other bytes are kept.
void cvt_scalef32_pk_fp4_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  const uint64_t mask = write_mask(w, in);
  uint32_t* d = w.vreg(in.op[0]);
  const int shift = 8 * ((in.m.op_sel >> 2) & 3);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    uint8_t e = scale_exponent(s.p[2][l]);
    uint32_t byte = (ref::encode_scaled(ref::Format::e2m1, f32(s.p[0][l]), e, ref::Overflow::saturate) & 0xf) |
                    (ref::encode_scaled(ref::Format::e2m1, f32(s.p[1][l]), e, ref::Overflow::saturate) & 0xf) << 4;
    d[l] = (d[l] & ~(0xffu << shift)) | byte << shift;
  }
}

/// v_cvt_scalef32_pk_f32_fp4 vdst[2], src0, scale: the byte op_sel[1:0] picks, low nibble first.
void cvt_scalef32_pk_f32_fp4(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t exec = w.exec();
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint32_t byte = (s.p[0][l] >> (8 * (in.m.op_sel & 3))) & 0xff;
    uint8_t e = scale_exponent(s.p[1][l]);
    d[l] = b32(float(ref::decode_scaled(ref::Format::e2m1, byte & 0xf, e)));
    d[kLanes + l] = b32(float(ref::decode_scaled(ref::Format::e2m1, byte >> 4, e)));
  }
}

// ---- 16-bit float sources and results of the gfx950 conversions --------------------------------

enum class Half : uint8_t { f16, bf16 };
constexpr ref::Format format_of(Half h) { return h == Half::f16 ? ref::Format::fp16 : ref::Format::bf16; }
float half_value(Half h, uint32_t bits) {
  return h == Half::f16 ? h2f(uint16_t(bits)) : ref::bf16_to_f32(uint16_t(bits));
}
/// One round-to-nearest-even of an exact value to f16/bf16 (NaN -> the canonical quiet NaN).
uint32_t half_code(Half h, double value) { return ref::encode(format_of(h), value, ref::Overflow::inf_or_nan); }

/// v_cvt_scalef32_pk_{f16,bf16}_{fp8,bf8} vdst, src0, scale: the fp8 pair in the word op_sel[0]
/// picks, scaled by 2^(e-127), to two 16-bit floats (CDNA4 ISA, V_CVT_SCALEF32_PK_F16_FP8 family).
template <Half Out, bool Bf8>
void cvt_scalef32_pk_h_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const uint32_t v = s.p[0][l] >> ((in.m.op_sel & 1) ? 16 : 0);
    const uint8_t e = scale_exponent(s.p[1][l]);
    out[l] = half_code(Out, ref::decode_scaled(fmt, v & 0xff, e)) |
             half_code(Out, ref::decode_scaled(fmt, (v >> 8) & 0xff, e)) << 16;
  }
  vector_write32(w, in, in.op[0], out, mask);
}

/// v_cvt_scalef32_f16_{fp8,bf8} vdst, src0, scale: the byte op_sel[1:0] picks into the half
/// op_sel[3] picks; the other half is kept.
template <bool Bf8>
void cvt_scalef32_f16_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  uint32_t* d = w.vreg(in.op[0]);
  const int byte = in.m.op_sel & 3;
  const bool hi = (in.m.op_sel >> 3) & 1;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const uint32_t h = half_code(Half::f16, ref::decode_scaled(fmt, (s.p[0][l] >> (8 * byte)) & 0xff, scale_exponent(s.p[1][l])));
    d[l] = hi ? ((d[l] & 0xffffu) | h << 16) : ((d[l] & 0xffff0000u) | h);
  }
}

/// v_cvt_scalef32_pk_{fp8,bf8}_{f16,bf16} vdst, src0, scale: the two halves of src0 divided by
/// 2^(e-127), one rounding each, into the word op_sel[3] picks (the other word is kept).
template <Half In, bool Bf8>
void cvt_scalef32_pk_f8_h(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  const ref::Overflow ovf = in.m.clamp ? ref::Overflow::saturate : ref::Overflow::inf_or_nan;
  uint32_t* d = w.vreg(in.op[0]);
  const bool hi = (in.m.op_sel >> 3) & 1;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const uint8_t e = scale_exponent(s.p[1][l]);
    const uint32_t word = (ref::encode_scaled(fmt, half_value(In, s.p[0][l]), e, ovf) & 0xff) |
                          (ref::encode_scaled(fmt, half_value(In, s.p[0][l] >> 16), e, ovf) & 0xff) << 8;
    d[l] = hi ? ((d[l] & 0xffffu) | word << 16) : ((d[l] & 0xffff0000u) | word);
  }
}

/// v_cvt_scalef32_pk_{f16,bf16}_fp4 vdst, src0, scale: the byte op_sel[1:0] picks, low nibble first.
template <Half Out>
void cvt_scalef32_pk_h_fp4(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  uint32_t out[kLanes];
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const uint32_t byte = (s.p[0][l] >> (8 * (in.m.op_sel & 3))) & 0xff;
    const uint8_t e = scale_exponent(s.p[1][l]);
    out[l] = half_code(Out, ref::decode_scaled(ref::Format::e2m1, byte & 0xf, e)) |
             half_code(Out, ref::decode_scaled(ref::Format::e2m1, byte >> 4, e)) << 16;
  }
  vector_write32(w, in, in.op[0], out, mask);
}

/// v_cvt_scalef32_pk_fp4_{f16,bf16} vdst, src0, scale: the two halves of src0 to e2m1 (saturating)
/// into the byte op_sel[3:2] picks; the other bytes are kept.
template <Half In>
void cvt_scalef32_pk_fp4_h(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  uint32_t* d = w.vreg(in.op[0]);
  const int shift = 8 * ((in.m.op_sel >> 2) & 3);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const uint8_t e = scale_exponent(s.p[1][l]);
    const uint32_t byte =
        (ref::encode_scaled(ref::Format::e2m1, half_value(In, s.p[0][l]), e, ref::Overflow::saturate) & 0xf) |
        (ref::encode_scaled(ref::Format::e2m1, half_value(In, s.p[0][l] >> 16), e, ref::Overflow::saturate) & 0xf) << 4;
    d[l] = (d[l] & ~(0xffu << shift)) | byte << shift;
  }
}

// ---- stochastic rounding ---------------------------------------------------------------------
//
// The ISA pseudocode names the rounding (f32_to_fp8_sr(S0, S1) and kin) without spelling out how
// the random operand enters. We follow AMD's host model of these instructions (the software
// fallback of __builtin_amdgcn_cvt_sr_* in CK/HIP's fp8 conversion): the source magnitude is cut
// at the destination's precision (its ulp there, subnormal range included); the first
// `source_mantissa_bits - destination_mantissa_bits` bits below that cut are added to the low
// bits of the random word; a carry out rounds the magnitude up, otherwise it is truncated.
// Overflow then behaves as the round-to-nearest form of the same instruction. (Departure table:
// "stochastic-rounding-bits", "fp8-overflow".)

/// `value` (exact) to `fmt` with stochastic rounding by `random`; `source_bits` is the source
/// format's explicit mantissa width (23 for f32, 10 for f16, 7 for bf16).
uint32_t encode_stochastic(ref::Format fmt, double value, uint32_t random, int source_bits, ref::Overflow ovf) {
  if (!std::isfinite(value) || value == 0.0) return ref::encode(fmt, value, ovf);
  const ref::FormatInfo& f = ref::format_info(fmt);
  const double magnitude = std::fabs(value);
  const int exponent = std::max(std::ilogb(magnitude), 1 - f.bias);  // subnormals share the min exponent
  const int ulp_exponent = exponent - f.mantissa_bits;
  const double scaled = std::ldexp(magnitude, -ulp_exponent);  // exact: a power-of-two scaling
  const double kept = std::floor(scaled);
  const int dropped_bits = std::clamp(source_bits - f.mantissa_bits, 0, 32);
  const uint64_t dropped = uint64_t(std::ldexp(scaled - kept, dropped_bits));  // the cut-off bits, truncated
  const uint64_t noise = dropped_bits == 32 ? random : random & ((uint64_t{1} << dropped_bits) - 1);
  const bool up = dropped + noise >= (uint64_t{1} << dropped_bits);
  return ref::encode(fmt, std::copysign(std::ldexp(kept + (up ? 1.0 : 0.0), ulp_exponent), value), ovf);
}

/// gfx942/gfx950 v_cvt_sr_{fp8,bf8}_f32 vdst, src0, src1: src0 (with abs/neg) rounded with the
/// random word src1 into the byte op_sel[3:2] picks; the other bytes are kept.
template <bool Bf8>
void cvt_sr_f8_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  const ref::Overflow ovf = in.m.clamp ? ref::Overflow::saturate : ref::Overflow::inf_or_nan;
  uint32_t* d = w.vreg(in.op[0]);
  const int shift = 8 * ((in.m.op_sel >> 2) & 3);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const float x = fmod32(f32(s.p[0][l]), src_op(in, 0));
    const uint32_t code = encode_stochastic(fmt, x, s.p[1][l], 23, ovf) & 0xff;
    d[l] = (d[l] & ~(0xffu << shift)) | code << shift;
  }
}

/// gfx950 v_cvt_sr_{f16,bf16}_f32 vdst, src0, src1: into the half op_sel[3] picks, keeping the other
/// (departure table: "sr-f16-keeps-other-half").
template <Half Out>
void cvt_sr_h_f32(Wave& w, const Instr& in) {
  Sources s(w, in, 2);
  const uint64_t mask = write_mask(w, in);
  uint32_t* d = w.vreg(in.op[0]);
  const bool hi = (in.m.op_sel >> 3) & 1;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const float x = fmod32(f32(s.p[0][l]), src_op(in, 0));
    const uint32_t h = encode_stochastic(format_of(Out), x, s.p[1][l], 23, ref::Overflow::inf_or_nan) & 0xffff;
    d[l] = hi ? ((d[l] & 0xffffu) | h << 16) : ((d[l] & 0xffff0000u) | h);
  }
}

/// gfx950 v_cvt_scalef32_sr_{fp8,bf8}_{f32,f16,bf16} vdst, src0, src1 (random), src2 (scale):
/// src0 / 2^(e-127) rounded stochastically into the byte op_sel[3:2] picks.
template <int SourceBits, bool Bf8>
void cvt_scalef32_sr_f8(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  const uint64_t mask = write_mask(w, in);
  const ref::Format fmt = fp8_of(w, Bf8);
  const ref::Overflow ovf = in.m.clamp ? ref::Overflow::saturate : ref::Overflow::inf_or_nan;
  uint32_t* d = w.vreg(in.op[0]);
  const int shift = 8 * ((in.m.op_sel >> 2) & 3);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    const float x = SourceBits == 23 ? f32(s.p[0][l]) : half_value(SourceBits == 10 ? Half::f16 : Half::bf16, s.p[0][l]);
    const double scaled = std::ldexp(double(x), 127 - int(scale_exponent(s.p[2][l])));
    const uint32_t code = encode_stochastic(fmt, scaled, s.p[1][l], SourceBits, ovf) & 0xff;
    d[l] = (d[l] & ~(0xffu << shift)) | code << shift;
  }
}

/// gfx950 v_cvt_scalef32_sr_pk_fp4_{f32,f16,bf16} vdst, src0, src1 (random), src2 (scale): two
/// values (an f32 pair v[n:n+1], or the halves of src0) to e2m1, saturating, into the byte
/// op_sel[3:2] picks. Both use the same random word.
template <int SourceBits>
void cvt_scalef32_sr_pk_fp4(Wave& w, const Instr& in) {
  Sources s(w, in, 3);
  uint32_t hi_scratch[kLanes];
  const uint32_t* second = SourceBits == 23 ? lanes32(w, src_op(in, 0), hi_scratch, 1) : nullptr;
  const uint64_t mask = write_mask(w, in);
  uint32_t* d = w.vreg(in.op[0]);
  const int shift = 8 * ((in.m.op_sel >> 2) & 3);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    float x[2];
    if (SourceBits == 23) {
      x[0] = f32(s.p[0][l]);
      x[1] = f32(second[l]);
    } else {
      const Half h = SourceBits == 10 ? Half::f16 : Half::bf16;
      x[0] = half_value(h, s.p[0][l]);
      x[1] = half_value(h, s.p[0][l] >> 16);
    }
    const int e = scale_exponent(s.p[2][l]);
    uint32_t byte = 0;
    for (int i = 0; i < 2; i++)
      byte |= (encode_stochastic(ref::Format::e2m1, std::ldexp(double(x[i]), 127 - e), s.p[1][l], SourceBits,
                                 ref::Overflow::saturate) & 0xf) << (4 * i);
    d[l] = (d[l] & ~(0xffu << shift)) | byte << shift;
  }
}
#endif

uint16_t f32_to_bf16_rne(float f) {
  uint32_t u = b32(f);
  if (std::isnan(f)) return uint16_t((u >> 16) | 0x40);
  u += 0x7fff + ((u >> 16) & 1);
  return uint16_t(u >> 16);
}

}  // namespace

void register_valu_convert(Registry& r) {
  r.add("v_cvt_f32_i32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers& m) { return b32(omod_clamp<float>(float(int32_t(a)), m)); });
        }));
  r.add("v_cvt_f32_u32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers& m) { return b32(omod_clamp<float>(float(a), m)); });
        }));
  r.add("v_cvt_i32_f32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers&) { return f2i<int32_t>(fmod32(f32(a), o)); });
        }));
  r.add("v_cvt_u32_f32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers&) { return f2i<uint32_t>(fmod32(f32(a), o)); });
        }));
  r.add("v_cvt_rpi_i32_f32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers&) { return f2i<int32_t>(std::floor(double(fmod32(f32(a), o)) + 0.5)); });
        }));
  r.add("v_cvt_flr_i32_f32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers&) { return f2i<int32_t>(std::floor(fmod32(f32(a), o))); });
        }));
  r.add("v_cvt_f16_f32", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers& m) { return uint32_t(f2h(omod_clamp<float>(fmod32(f32(a), o), m))); });
        }));
  r.add("v_cvt_f32_f16", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers& m) { return b32(omod_clamp<float>(h2f(hmod(uint16_t(a), o)), m)); });
        }));
  r.add("v_cvt_f16_u16", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers&) { return uint32_t(f2h(float(uint16_t(a)))); });
        }));
  r.add("v_cvt_f16_i16", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers&) { return uint32_t(f2h(float(int16_t(a)))); });
        }));
  r.add("v_cvt_u16_f16", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers&) { return f2i<uint16_t>(h2f(hmod(uint16_t(a), o))); });
        }));
  r.add("v_cvt_i16_f16", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers&) { return f2i<int16_t>(h2f(hmod(uint16_t(a), o))) & 0xffffu; });
        }));
  for (int b = 0; b < 4; b++) {
    static const char* names[] = {"v_cvt_f32_ubyte0", "v_cvt_f32_ubyte1", "v_cvt_f32_ubyte2", "v_cvt_f32_ubyte3"};
    static const SemanticsFn fns[] = {
        [](Wave& w, const Instr& in) { cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers&) { return b32(float(a & 0xff)); }); },
        [](Wave& w, const Instr& in) { cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers&) { return b32(float((a >> 8) & 0xff)); }); },
        [](Wave& w, const Instr& in) { cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers&) { return b32(float((a >> 16) & 0xff)); }); },
        [](Wave& w, const Instr& in) { cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers&) { return b32(float(a >> 24)); }); },
    };
    r.add(names[b], cvt(fns[b]));
  }
  r.add("v_cvt_pkrtz_f16_f32", cvt([](Wave& w, const Instr& in) {
          valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) {
            auto rtz = [](float f) {  // round toward zero: truncate the f32->f16 conversion
              uint16_t h = f2h(f);
              if (!std::isnan(f) && std::fabs(h2f(h)) > std::fabs(f)) h = uint16_t(h - 1);
              return h;
            };
            return uint32_t(rtz(f32(a))) | uint32_t(rtz(f32(b))) << 16;
          });
        }));
  r.add("v_cvt_pk_bf16_f32", cvt([](Wave& w, const Instr& in) {
          valu_u32<2>(w, in, [](uint32_t a, uint32_t b, uint32_t) {
            return uint32_t(f32_to_bf16_rne(f32(a))) | uint32_t(f32_to_bf16_rne(f32(b))) << 16;
          });
        }));
  r.add("v_cvt_f64_f32", cvt([](Wave& w, const Instr& in) {
          Sources s(w, in, 1);
          const uint64_t exec = w.exec();
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) write64(w, in.op[0], l, b64(double(fmod32(f32(s.p[0][l]), src_op(in, 0)))));
        }));
  r.add("v_cvt_f64_i32", cvt([](Wave& w, const Instr& in) {
          Sources s(w, in, 1);
          const uint64_t exec = w.exec();
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) write64(w, in.op[0], l, b64(double(int32_t(s.p[0][l]))));
        }));
  r.add("v_cvt_f64_u32", cvt([](Wave& w, const Instr& in) {
          Sources s(w, in, 1);
          const uint64_t exec = w.exec();
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) write64(w, in.op[0], l, b64(double(s.p[0][l])));
        }));
  r.add("v_cvt_f32_f64", cvt([](Wave& w, const Instr& in) {
          const uint64_t exec = w.exec();
          Src64 a(w, src_op(in, 0), true);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) out[l] = b32(omod_clamp<float>(float(fmod64(f64(a[l]), src_op(in, 0))), in.m));
          vector_write32(w, in, in.op[0], out, exec);
        }));
  r.add("v_cvt_i32_f64", cvt([](Wave& w, const Instr& in) {
          const uint64_t exec = w.exec();
          Src64 a(w, src_op(in, 0), true);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) out[l] = f2i<int32_t>(fmod64(f64(a[l]), src_op(in, 0)));
          vector_write32(w, in, in.op[0], out, exec);
        }));
  r.add("v_cvt_u32_f64", cvt([](Wave& w, const Instr& in) {
          const uint64_t exec = w.exec();
          Src64 a(w, src_op(in, 0), true);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++)
            if (lane_on(exec, l)) out[l] = f2i<uint32_t>(fmod64(f64(a[l]), src_op(in, 0)));
          vector_write32(w, in, in.op[0], out, exec);
        }));
  // gfx950 V_CVT_PK_F16_F32: D.f16[0] = f32_to_f16(S0), D.f16[1] = f32_to_f16(S1), clamp per half.
  r.add("v_cvt_pk_f16_f32", cvt([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t mask = write_mask(w, in);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++)
            if (lane_on(mask, l))
              out[l] = uint32_t(f2h(omod_clamp<float>(fmod32(f32(s.p[0][l]), src_op(in, 0)), in.m))) |
                       uint32_t(f2h(omod_clamp<float>(fmod32(f32(s.p[1][l]), src_op(in, 1)), in.m))) << 16;
          vector_write32(w, in, in.op[0], out, mask);
        }));
  // gfx950 V_CVT_F32_BF16: D.f32 = {S0.bf16, 16'0} (SDWA WORD_1 reads the high half); exact.
  r.add("v_cvt_f32_bf16", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand& o, const Modifiers& m) {
            return b32(omod_clamp<float>(f32(uint32_t(hmod(uint16_t(a), o)) << 16), m));
          });
        }));
  // V_CVT_PK_U8_F32: byte S1[1:0] of S2 replaced by f32_to_u8(S0). The guide does not define
  // f32_to_u8; read here like its f32_to_u32: truncation, NaN -> 0, saturation to 0..255
  // (departure table: "cvt-pk-u8-rounding").
  r.add("v_cvt_pk_u8_f32", cvt([](Wave& w, const Instr& in) {
          Sources s(w, in, 3);
          const uint64_t mask = write_mask(w, in);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(mask, l)) continue;
            const uint32_t u8 = std::min<uint32_t>(f2i<uint32_t>(fmod32(f32(s.p[0][l]), src_op(in, 0))), 255u);
            const int shift = 8 * int(s.p[1][l] & 3);
            out[l] = (s.p[2][l] & ~(0xffu << shift)) | u8 << shift;
          }
          vector_write32(w, in, in.op[0], out, mask);
        }));
  // V_CVT_OFF_F32_I4: the signed 4-bit S0[3:0] as a fraction of 16 (0x8 -> -0.5, 0x7 -> 0.4375).
  r.add("v_cvt_off_f32_i4", cvt([](Wave& w, const Instr& in) {
          cvt_u32_in(w, in, [](uint32_t a, const Operand&, const Modifiers& m) {
            const int i4 = int(a & 0xf) - ((a & 0x8) ? 16 : 0);
            return b32(omod_clamp<float>(float(i4) / 16.0f, m));
          });
        }));
  // V_PACK_B32_F16: D[15:0] = S0.f16, D[31:16] = S1.f16; op_sel[0]/[1] read the high halves,
  // abs/neg act on the f16 sign bits. The halves move unchanged otherwise.
  r.add("v_pack_b32_f16", cvt([](Wave& w, const Instr& in) {
          Sources s(w, in, 2);
          const uint64_t mask = write_mask(w, in);
          uint32_t out[kLanes];
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(mask, l)) continue;
            const uint16_t lo = hmod(uint16_t(s.p[0][l] >> ((in.m.op_sel & 1) ? 16 : 0)), src_op(in, 0));
            const uint16_t hi = hmod(uint16_t(s.p[1][l] >> ((in.m.op_sel & 2) ? 16 : 0)), src_op(in, 1));
            out[l] = uint32_t(lo) | uint32_t(hi) << 16;
          }
          vector_write32(w, in, in.op[0], out, mask);
        }));
#ifdef ASMK_EMU_HAVE_REF
  r.add("v_cvt_pk_fp8_f32", cvt(cvt_pk_f8_f32<false>));
  r.add("v_cvt_pk_bf8_f32", cvt(cvt_pk_f8_f32<true>));
  r.add("v_cvt_f32_fp8", cvt(cvt_f32_f8<false>));
  r.add("v_cvt_f32_bf8", cvt(cvt_f32_f8<true>));
  r.add("v_cvt_pk_f32_fp8", cvt(cvt_pk_f32_f8<false>));
  r.add("v_cvt_pk_f32_bf8", cvt(cvt_pk_f32_f8<true>));
  r.add("v_cvt_scalef32_pk_fp8_f32", cvt(cvt_scalef32_pk_f8_f32<false>));
  r.add("v_cvt_scalef32_pk_bf8_f32", cvt(cvt_scalef32_pk_f8_f32<true>));
  r.add("v_cvt_scalef32_pk_f32_fp8", cvt(cvt_scalef32_pk_f32_f8<false>));
  r.add("v_cvt_scalef32_pk_f32_bf8", cvt(cvt_scalef32_pk_f32_f8<true>));
  r.add("v_cvt_scalef32_f32_fp8", cvt(cvt_scalef32_f32_f8<false>));
  r.add("v_cvt_scalef32_f32_bf8", cvt(cvt_scalef32_f32_f8<true>));
  r.add("v_cvt_scalef32_pk_fp4_f32", cvt(cvt_scalef32_pk_fp4_f32));
  r.add("v_cvt_scalef32_pk_f32_fp4", cvt(cvt_scalef32_pk_f32_fp4));
  // gfx950 scaled conversions between fp8/bf8/fp4 and f16/bf16 (CDNA4 ISA V_CVT_SCALEF32_*).
  r.add("v_cvt_scalef32_pk_f16_fp8", cvt(cvt_scalef32_pk_h_f8<Half::f16, false>));
  r.add("v_cvt_scalef32_pk_f16_bf8", cvt(cvt_scalef32_pk_h_f8<Half::f16, true>));
  r.add("v_cvt_scalef32_pk_bf16_fp8", cvt(cvt_scalef32_pk_h_f8<Half::bf16, false>));
  r.add("v_cvt_scalef32_pk_bf16_bf8", cvt(cvt_scalef32_pk_h_f8<Half::bf16, true>));
  r.add("v_cvt_scalef32_f16_fp8", cvt(cvt_scalef32_f16_f8<false>));
  r.add("v_cvt_scalef32_f16_bf8", cvt(cvt_scalef32_f16_f8<true>));
  r.add("v_cvt_scalef32_pk_fp8_f16", cvt(cvt_scalef32_pk_f8_h<Half::f16, false>));
  r.add("v_cvt_scalef32_pk_bf8_f16", cvt(cvt_scalef32_pk_f8_h<Half::f16, true>));
  r.add("v_cvt_scalef32_pk_fp8_bf16", cvt(cvt_scalef32_pk_f8_h<Half::bf16, false>));
  r.add("v_cvt_scalef32_pk_bf8_bf16", cvt(cvt_scalef32_pk_f8_h<Half::bf16, true>));
  r.add("v_cvt_scalef32_pk_f16_fp4", cvt(cvt_scalef32_pk_h_fp4<Half::f16>));
  r.add("v_cvt_scalef32_pk_bf16_fp4", cvt(cvt_scalef32_pk_h_fp4<Half::bf16>));
  r.add("v_cvt_scalef32_pk_fp4_f16", cvt(cvt_scalef32_pk_fp4_h<Half::f16>));
  r.add("v_cvt_scalef32_pk_fp4_bf16", cvt(cvt_scalef32_pk_fp4_h<Half::bf16>));
  // Stochastic rounding (see encode_stochastic): gfx942 and gfx950.
  r.add("v_cvt_sr_fp8_f32", cvt(cvt_sr_f8_f32<false>));
  r.add("v_cvt_sr_bf8_f32", cvt(cvt_sr_f8_f32<true>));
  r.add("v_cvt_sr_f16_f32", cvt(cvt_sr_h_f32<Half::f16>));
  r.add("v_cvt_sr_bf16_f32", cvt(cvt_sr_h_f32<Half::bf16>));
  r.add("v_cvt_scalef32_sr_fp8_f32", cvt(cvt_scalef32_sr_f8<23, false>));
  r.add("v_cvt_scalef32_sr_bf8_f32", cvt(cvt_scalef32_sr_f8<23, true>));
  r.add("v_cvt_scalef32_sr_fp8_f16", cvt(cvt_scalef32_sr_f8<10, false>));
  r.add("v_cvt_scalef32_sr_bf8_f16", cvt(cvt_scalef32_sr_f8<10, true>));
  r.add("v_cvt_scalef32_sr_fp8_bf16", cvt(cvt_scalef32_sr_f8<7, false>));
  r.add("v_cvt_scalef32_sr_bf8_bf16", cvt(cvt_scalef32_sr_f8<7, true>));
  r.add("v_cvt_scalef32_sr_pk_fp4_f32", cvt(cvt_scalef32_sr_pk_fp4<23>));
  r.add("v_cvt_scalef32_sr_pk_fp4_f16", cvt(cvt_scalef32_sr_pk_fp4<10>));
  r.add("v_cvt_scalef32_sr_pk_fp4_bf16", cvt(cvt_scalef32_sr_pk_fp4<7>));
#endif
}

}  // namespace asmk::emu::detail
