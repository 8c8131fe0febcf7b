// Conversions: integer <-> float, f16/f32/f64, bf16 packs, and the fp8/bf8 conversions
// (e4m3fnuz/e5m2fnuz on gfx942, OCP e4m3fn/e5m2 on gfx950) through the numeric module asmk::ref.
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
/// out-of-range values become the format's Inf/NaN.
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
#endif
}

}  // namespace asmk::emu::detail
