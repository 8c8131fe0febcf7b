// Scalar ALU: SOP1, SOP2, SOPK, SOPC (ISA pseudocode, 32- and 64-bit forms).
#include <bit>

#include "common.hpp"

namespace asmk::emu::detail {
namespace {

constexpr SemanticsEntry salu(SemanticsFn fn, int8_t ndst = 1) { return {fn, InstrClass::salu, ndst, 0}; }

uint32_t S0(const Wave& w, const Instr& in) { return sread32(w, in.op[1]); }
uint32_t S1(const Wave& w, const Instr& in) { return sread32(w, in.op[2]); }
uint64_t S0_64(const Wave& w, const Instr& in) { return sread64(w, in.op[1]); }
uint64_t S1_64(const Wave& w, const Instr& in) { return sread64(w, in.op[2]); }

// D = f(S0, S1); SCC = (D != 0) for the bitwise ops that define it that way.
template <class F>
void op32(Wave& w, const Instr& in, F f, bool scc_nonzero) {
  uint32_t d = f(S0(w, in), S1(w, in));
  swrite32(w, in.op[0], d);
  if (scc_nonzero) w.scc = d != 0;
}
template <class F>
void op64(Wave& w, const Instr& in, F f, bool scc_nonzero) {
  uint64_t d = f(S0_64(w, in), S1_64(w, in));
  swrite64(w, in.op[0], d);
  if (scc_nonzero) w.scc = d != 0;
}

constexpr uint32_t kHwRegMode = 1;

struct HwRegField {
  uint32_t id, offset, mask;
  explicit HwRegField(int64_t simm16)
      : id(uint32_t(simm16) & 0x3f), offset((uint32_t(simm16) >> 6) & 31) {
    const uint32_t size = ((uint32_t(simm16) >> 11) & 31) + 1;
    mask = size >= 32 ? ~0u : (1u << size) - 1;
  }
};

/// s_setreg: writes the field of MODE (other hardware registers are not modelled).
void set_hwreg(Wave& w, const HwRegField& f, uint32_t value) {
  if (f.id != kHwRegMode) return;
  w.set_mode((w.mode & ~(f.mask << f.offset)) | (value & f.mask) << f.offset);
}

#define SOP2_32(name, expr) \
  r.add(name, salu([](Wave& w, const Instr& in) { op32(w, in, [](uint32_t a, uint32_t b) { return uint32_t(expr); }, true); }))
#define SOP2_64(name, expr)                                                                         \
  r.add(name, salu([](Wave& w, const Instr& in) {                                                   \
          op64(w, in, [](uint64_t a, uint64_t b) { return uint64_t(expr); }, true);                 \
        }))
#define SOP2_32_NOSCC(name, expr) \
  r.add(name, salu([](Wave& w, const Instr& in) { op32(w, in, [](uint32_t a, uint32_t b) { return uint32_t(expr); }, false); }))

// SOPC compare: SCC = f(S0, S1). Operands: op[0], op[1].
#define SOPC32(name, type, cmp)                                                              \
  r.add(name, salu([](Wave& w, const Instr& in) {                                            \
          type a = type(sread32(w, in.op[0])), b = type(sread32(w, in.op[1]));               \
          w.scc = a cmp b;                                                                   \
        }, 0))

// saveexec: D = EXEC; EXEC = f(S0, EXEC); SCC = EXEC != 0
#define SAVEEXEC(name, expr)                                                                 \
  r.add(name, salu([](Wave& w, const Instr& in) {                                            \
          uint64_t s = S0_64(w, in), e = w.exec();                                           \
          swrite64(w, in.op[0], e);                                                          \
          uint64_t n = (expr);                                                               \
          w.set_exec(n);                                                                     \
          w.scc = n != 0;                                                                    \
        }))
// wrexec: EXEC = f(S0, EXEC); D = EXEC (new); SCC = EXEC != 0
#define WREXEC(name, expr)                                                                   \
  r.add(name, salu([](Wave& w, const Instr& in) {                                            \
          uint64_t s = S0_64(w, in), e = w.exec();                                           \
          uint64_t n = (expr);                                                               \
          w.set_exec(n);                                                                     \
          swrite64(w, in.op[0], n);                                                          \
          w.scc = n != 0;                                                                    \
        }))

int32_t i32(uint32_t v) { return int32_t(v); }

}  // namespace

void register_salu(Registry& r) {
  // ---- SOP1
  r.add("s_mov_b32", salu([](Wave& w, const Instr& in) { swrite32(w, in.op[0], S0(w, in)); }));
  r.add("s_mov_b64", salu([](Wave& w, const Instr& in) { swrite64(w, in.op[0], S0_64(w, in)); }));
  r.add("s_cmov_b32", salu([](Wave& w, const Instr& in) { if (w.scc) swrite32(w, in.op[0], S0(w, in)); }));
  r.add("s_cmov_b64", salu([](Wave& w, const Instr& in) { if (w.scc) swrite64(w, in.op[0], S0_64(w, in)); }));
  r.add("s_not_b32", salu([](Wave& w, const Instr& in) { uint32_t d = ~S0(w, in); swrite32(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_not_b64", salu([](Wave& w, const Instr& in) { uint64_t d = ~S0_64(w, in); swrite64(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_brev_b32", salu([](Wave& w, const Instr& in) {
          uint32_t v = S0(w, in), d = 0;
          for (int i = 0; i < 32; i++) d |= ((v >> i) & 1u) << (31 - i);
          swrite32(w, in.op[0], d);
        }));
  r.add("s_bcnt1_i32_b32", salu([](Wave& w, const Instr& in) { uint32_t d = std::popcount(S0(w, in)); swrite32(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_bcnt1_i32_b64", salu([](Wave& w, const Instr& in) { uint32_t d = std::popcount(S0_64(w, in)); swrite32(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_bcnt0_i32_b32", salu([](Wave& w, const Instr& in) { uint32_t d = 32 - std::popcount(S0(w, in)); swrite32(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_bcnt0_i32_b64", salu([](Wave& w, const Instr& in) { uint32_t d = 64 - std::popcount(S0_64(w, in)); swrite32(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_ff1_i32_b32", salu([](Wave& w, const Instr& in) { uint32_t v = S0(w, in); swrite32(w, in.op[0], v ? std::countr_zero(v) : ~0u); }));
  r.add("s_ff1_i32_b64", salu([](Wave& w, const Instr& in) { uint64_t v = S0_64(w, in); swrite32(w, in.op[0], v ? std::countr_zero(v) : ~0u); }));
  r.add("s_ff0_i32_b32", salu([](Wave& w, const Instr& in) { uint32_t v = ~S0(w, in); swrite32(w, in.op[0], v ? std::countr_zero(v) : ~0u); }));
  r.add("s_ff0_i32_b64", salu([](Wave& w, const Instr& in) { uint64_t v = ~S0_64(w, in); swrite32(w, in.op[0], v ? std::countr_zero(v) : ~0u); }));
  r.add("s_flbit_i32_b32", salu([](Wave& w, const Instr& in) { uint32_t v = S0(w, in); swrite32(w, in.op[0], v ? std::countl_zero(v) : ~0u); }));
  r.add("s_flbit_i32_b64", salu([](Wave& w, const Instr& in) { uint64_t v = S0_64(w, in); swrite32(w, in.op[0], v ? std::countl_zero(v) : ~0u); }));
  r.add("s_flbit_i32", salu([](Wave& w, const Instr& in) {
          uint32_t v = S0(w, in);
          if (v == 0 || v == ~0u) { swrite32(w, in.op[0], ~0u); return; }
          swrite32(w, in.op[0], std::countl_zero(int32_t(v) < 0 ? ~v : v));
        }));
  r.add("s_sext_i32_i8", salu([](Wave& w, const Instr& in) { swrite32(w, in.op[0], uint32_t(int32_t(int8_t(S0(w, in))))); }));
  r.add("s_sext_i32_i16", salu([](Wave& w, const Instr& in) { swrite32(w, in.op[0], uint32_t(int32_t(int16_t(S0(w, in))))); }));
  r.add("s_bitset0_b32", salu([](Wave& w, const Instr& in) { w.s[in.op[0].reg] &= ~(1u << (S0(w, in) & 31)); }));
  r.add("s_bitset1_b32", salu([](Wave& w, const Instr& in) { w.s[in.op[0].reg] |= 1u << (S0(w, in) & 31); }));
  r.add("s_abs_i32", salu([](Wave& w, const Instr& in) {
          int32_t v = i32(S0(w, in));
          uint32_t d = v < 0 ? uint32_t(0) - uint32_t(v) : uint32_t(v);
          swrite32(w, in.op[0], d);
          w.scc = d != 0;
        }));
  r.add("s_getpc_b64", salu([](Wave& w, const Instr& in) {
          swrite64(w, in.op[0], w.ctx->code_address + uint64_t(int64_t(in.pc) + in.size));
        }));
  SAVEEXEC("s_and_saveexec_b64", s & e);
  SAVEEXEC("s_or_saveexec_b64", s | e);
  SAVEEXEC("s_xor_saveexec_b64", s ^ e);
  SAVEEXEC("s_andn2_saveexec_b64", s & ~e);
  SAVEEXEC("s_orn2_saveexec_b64", s | ~e);
  SAVEEXEC("s_nand_saveexec_b64", ~(s & e));
  SAVEEXEC("s_nor_saveexec_b64", ~(s | e));
  SAVEEXEC("s_xnor_saveexec_b64", ~(s ^ e));
  SAVEEXEC("s_andn1_saveexec_b64", ~s & e);
  SAVEEXEC("s_orn1_saveexec_b64", ~s | e);
  WREXEC("s_andn1_wrexec_b64", ~s & e);
  WREXEC("s_andn2_wrexec_b64", s & ~e);

  // ---- SOP2
  r.add("s_add_u32", salu([](Wave& w, const Instr& in) {
          uint64_t t = uint64_t(S0(w, in)) + S1(w, in);
          swrite32(w, in.op[0], uint32_t(t));
          w.scc = t >> 32;
        }));
  r.add("s_sub_u32", salu([](Wave& w, const Instr& in) {
          uint32_t a = S0(w, in), b = S1(w, in);
          swrite32(w, in.op[0], a - b);
          w.scc = b > a;
        }));
  r.add("s_addc_u32", salu([](Wave& w, const Instr& in) {
          uint64_t t = uint64_t(S0(w, in)) + S1(w, in) + w.scc;
          swrite32(w, in.op[0], uint32_t(t));
          w.scc = t >> 32;
        }));
  r.add("s_subb_u32", salu([](Wave& w, const Instr& in) {
          uint64_t a = S0(w, in), b = uint64_t(S1(w, in)) + w.scc;
          swrite32(w, in.op[0], uint32_t(a - b));
          w.scc = b > a;
        }));
  r.add("s_add_i32", salu([](Wave& w, const Instr& in) {
          int32_t a = i32(S0(w, in)), b = i32(S1(w, in));
          int32_t d = int32_t(uint32_t(a) + uint32_t(b));
          swrite32(w, in.op[0], uint32_t(d));
          w.scc = ((a >= 0) == (b >= 0)) && ((d >= 0) != (a >= 0));  // signed overflow
        }));
  r.add("s_sub_i32", salu([](Wave& w, const Instr& in) {
          int32_t a = i32(S0(w, in)), b = i32(S1(w, in));
          int32_t d = int32_t(uint32_t(a) - uint32_t(b));
          swrite32(w, in.op[0], uint32_t(d));
          w.scc = ((a >= 0) != (b >= 0)) && ((d >= 0) != (a >= 0));
        }));
  r.add("s_min_i32", salu([](Wave& w, const Instr& in) { int32_t a = i32(S0(w, in)), b = i32(S1(w, in)); w.scc = a < b; swrite32(w, in.op[0], uint32_t(a < b ? a : b)); }));
  r.add("s_max_i32", salu([](Wave& w, const Instr& in) { int32_t a = i32(S0(w, in)), b = i32(S1(w, in)); w.scc = a > b; swrite32(w, in.op[0], uint32_t(a > b ? a : b)); }));
  r.add("s_min_u32", salu([](Wave& w, const Instr& in) { uint32_t a = S0(w, in), b = S1(w, in); w.scc = a < b; swrite32(w, in.op[0], a < b ? a : b); }));
  r.add("s_max_u32", salu([](Wave& w, const Instr& in) { uint32_t a = S0(w, in), b = S1(w, in); w.scc = a > b; swrite32(w, in.op[0], a > b ? a : b); }));
  r.add("s_cselect_b32", salu([](Wave& w, const Instr& in) { swrite32(w, in.op[0], w.scc ? S0(w, in) : S1(w, in)); }));
  r.add("s_cselect_b64", salu([](Wave& w, const Instr& in) { swrite64(w, in.op[0], w.scc ? S0_64(w, in) : S1_64(w, in)); }));
  SOP2_32("s_and_b32", a & b);
  SOP2_32("s_or_b32", a | b);
  SOP2_32("s_xor_b32", a ^ b);
  SOP2_32("s_andn2_b32", a & ~b);
  SOP2_32("s_orn2_b32", a | ~b);
  SOP2_32("s_nand_b32", ~(a & b));
  SOP2_32("s_nor_b32", ~(a | b));
  SOP2_32("s_xnor_b32", ~(a ^ b));
  SOP2_64("s_and_b64", a & b);
  SOP2_64("s_or_b64", a | b);
  SOP2_64("s_xor_b64", a ^ b);
  SOP2_64("s_andn2_b64", a & ~b);
  SOP2_64("s_orn2_b64", a | ~b);
  SOP2_64("s_nand_b64", ~(a & b));
  SOP2_64("s_nor_b64", ~(a | b));
  SOP2_64("s_xnor_b64", ~(a ^ b));
  SOP2_32("s_lshl_b32", a << (b & 31));
  SOP2_32("s_lshr_b32", a >> (b & 31));
  SOP2_32("s_ashr_i32", int32_t(a) >> (b & 31));
  r.add("s_lshl_b64", salu([](Wave& w, const Instr& in) { uint64_t d = S0_64(w, in) << (S1(w, in) & 63); swrite64(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_lshr_b64", salu([](Wave& w, const Instr& in) { uint64_t d = S0_64(w, in) >> (S1(w, in) & 63); swrite64(w, in.op[0], d); w.scc = d != 0; }));
  r.add("s_ashr_i64", salu([](Wave& w, const Instr& in) { uint64_t d = uint64_t(int64_t(S0_64(w, in)) >> (S1(w, in) & 63)); swrite64(w, in.op[0], d); w.scc = d != 0; }));
  SOP2_32_NOSCC("s_bfm_b32", ((1u << (a & 31)) - 1) << (b & 31));
  r.add("s_bfm_b64", salu([](Wave& w, const Instr& in) {
          uint32_t a = S0(w, in) & 63, b = S1(w, in) & 63;
          swrite64(w, in.op[0], ((a == 0 ? 0 : (a == 64 ? ~0ull : (1ull << a) - 1))) << b);
        }));
  SOP2_32_NOSCC("s_mul_i32", uint32_t(int32_t(a) * int64_t(int32_t(b))));
  SOP2_32_NOSCC("s_mul_hi_u32", (uint64_t(a) * b) >> 32);
  SOP2_32_NOSCC("s_mul_hi_i32", uint64_t(int64_t(int32_t(a)) * int32_t(b)) >> 32);
  // s_bfe: S1[4:0] = offset, S1[22:16] = width.
  r.add("s_bfe_u32", salu([](Wave& w, const Instr& in) {
          uint32_t s1 = S1(w, in), off = s1 & 31, width = (s1 >> 16) & 0x7f;
          uint32_t d = width == 0 ? 0 : (S0(w, in) >> off) & (width >= 32 ? ~0u : (1u << width) - 1);
          swrite32(w, in.op[0], d);
          w.scc = d != 0;
        }));
  r.add("s_bfe_i32", salu([](Wave& w, const Instr& in) {
          uint32_t s1 = S1(w, in), off = s1 & 31, width = (s1 >> 16) & 0x7f;
          int32_t d = 0;
          if (width) {
            uint32_t f = (S0(w, in) >> off) & (width >= 32 ? ~0u : (1u << width) - 1);
            d = width >= 32 ? int32_t(f) : int32_t(f << (32 - width)) >> (32 - width);
          }
          swrite32(w, in.op[0], uint32_t(d));
          w.scc = d != 0;
        }));
  r.add("s_bfe_u64", salu([](Wave& w, const Instr& in) {
          uint32_t s1 = S1(w, in), off = s1 & 63, width = (s1 >> 16) & 0x7f;
          uint64_t d = width == 0 ? 0 : (S0_64(w, in) >> off) & (width >= 64 ? ~0ull : (1ull << width) - 1);
          swrite64(w, in.op[0], d);
          w.scc = d != 0;
        }));
  r.add("s_bfe_i64", salu([](Wave& w, const Instr& in) {
          uint32_t s1 = S1(w, in), off = s1 & 63, width = (s1 >> 16) & 0x7f;
          int64_t d = 0;
          if (width) {
            uint64_t f = (S0_64(w, in) >> off) & (width >= 64 ? ~0ull : (1ull << width) - 1);
            d = width >= 64 ? int64_t(f) : int64_t(f << (64 - width)) >> (64 - width);
          }
          swrite64(w, in.op[0], uint64_t(d));
          w.scc = d != 0;
        }));
  r.add("s_absdiff_i32", salu([](Wave& w, const Instr& in) {
          int64_t d = int64_t(i32(S0(w, in))) - i32(S1(w, in));
          uint32_t v = uint32_t(d < 0 ? -d : d);
          swrite32(w, in.op[0], v);
          w.scc = v != 0;
        }));
  for (int n = 1; n <= 4; n++) {
    static const char* names[] = {"", "s_lshl1_add_u32", "s_lshl2_add_u32", "s_lshl3_add_u32", "s_lshl4_add_u32"};
    static const SemanticsFn fns[] = {
        nullptr,
        [](Wave& w, const Instr& in) { uint64_t t = (uint64_t(S0(w, in)) << 1) + S1(w, in); swrite32(w, in.op[0], uint32_t(t)); w.scc = t >> 32; },
        [](Wave& w, const Instr& in) { uint64_t t = (uint64_t(S0(w, in)) << 2) + S1(w, in); swrite32(w, in.op[0], uint32_t(t)); w.scc = t >> 32; },
        [](Wave& w, const Instr& in) { uint64_t t = (uint64_t(S0(w, in)) << 3) + S1(w, in); swrite32(w, in.op[0], uint32_t(t)); w.scc = t >> 32; },
        [](Wave& w, const Instr& in) { uint64_t t = (uint64_t(S0(w, in)) << 4) + S1(w, in); swrite32(w, in.op[0], uint32_t(t)); w.scc = t >> 32; },
    };
    r.add(names[n], salu(fns[n]));
  }
  SOP2_32_NOSCC("s_pack_ll_b32_b16", (a & 0xffff) | (b << 16));
  SOP2_32_NOSCC("s_pack_lh_b32_b16", (a & 0xffff) | (b & 0xffff0000u));
  SOP2_32_NOSCC("s_pack_hh_b32_b16", (a >> 16) | (b & 0xffff0000u));

  // ---- SOPK (op[1] is the 16-bit immediate as printed)
  r.add("s_movk_i32", salu([](Wave& w, const Instr& in) { swrite32(w, in.op[0], uint32_t(int32_t(int16_t(in.op[1].k32)))); }));
  r.add("s_cmovk_i32", salu([](Wave& w, const Instr& in) { if (w.scc) swrite32(w, in.op[0], uint32_t(int32_t(int16_t(in.op[1].k32)))); }));
  r.add("s_addk_i32", salu([](Wave& w, const Instr& in) {
          int32_t a = i32(w.s[in.op[0].reg]), b = int16_t(in.op[1].k32);
          int32_t d = int32_t(uint32_t(a) + uint32_t(b));
          w.s[in.op[0].reg] = uint32_t(d);
          w.scc = ((a >= 0) == (b >= 0)) && ((d >= 0) != (a >= 0));
        }));
  r.add("s_mulk_i32", salu([](Wave& w, const Instr& in) {
          w.s[in.op[0].reg] = uint32_t(int64_t(i32(w.s[in.op[0].reg])) * int16_t(in.op[1].k32));
        }));
#define SOPK_CMP(name, type, cmp, ext)                                                                    \
  r.add(name, salu([](Wave& w, const Instr& in) {                                                         \
          w.scc = type(sread32(w, in.op[0])) cmp type(ext(in.op[1].k32));                                 \
        }, 0))
#define SX(v) int32_t(int16_t(v))
#define ZX(v) uint32_t(uint16_t(v))
  SOPK_CMP("s_cmpk_eq_i32", int32_t, ==, SX);
  SOPK_CMP("s_cmpk_lg_i32", int32_t, !=, SX);
  SOPK_CMP("s_cmpk_gt_i32", int32_t, >, SX);
  SOPK_CMP("s_cmpk_ge_i32", int32_t, >=, SX);
  SOPK_CMP("s_cmpk_lt_i32", int32_t, <, SX);
  SOPK_CMP("s_cmpk_le_i32", int32_t, <=, SX);
  SOPK_CMP("s_cmpk_eq_u32", uint32_t, ==, ZX);
  SOPK_CMP("s_cmpk_lg_u32", uint32_t, !=, ZX);
  SOPK_CMP("s_cmpk_gt_u32", uint32_t, >, ZX);
  SOPK_CMP("s_cmpk_ge_u32", uint32_t, >=, ZX);
  SOPK_CMP("s_cmpk_lt_u32", uint32_t, <, ZX);
  SOPK_CMP("s_cmpk_le_u32", uint32_t, <=, ZX);
#undef SX
#undef ZX
  // Hardware registers (simm16 = id [5:0], offset [10:6], size - 1 [15:11]): MODE is the wave's
  // (as the descriptor initialises it); other registers read 0 and ignore writes.
  // Only MODE is modeled (departure table: "hwreg-other-registers").
  r.add("s_getreg_b32", salu([](Wave& w, const Instr& in) {
          const HwRegField f(in.imm);
          swrite32(w, in.op[0], f.id == kHwRegMode ? (w.mode >> f.offset) & f.mask : 0u);
        }));
  r.add("s_setreg_b32", salu([](Wave& w, const Instr& in) { set_hwreg(w, HwRegField(in.imm), sread32(w, in.op[1])); }, 0));
  r.add("s_setreg_imm32_b32", salu([](Wave& w, const Instr& in) { set_hwreg(w, HwRegField(in.imm), sread32(w, in.op[1])); }, 0));

  // GPR indexing mode (CDNA has no v_movrel*): M0[7:0] holds the index, M0[15:12] the operands
  // it applies to (src0, src1, src2, dst), MODE[27] enables it; see gpr_indexed().
  r.add("s_set_gpr_idx_on", salu([](Wave& w, const Instr& in) {
          w.s[kM0] = (w.s[kM0] & ~0xf0ffu) | (sread32(w, in.op[0]) & 0xff) | (sread32(w, in.op[1]) & 0xf) << 12;
          w.set_mode(w.mode | Wave::kModeGprIdxEn);
        }, 0));
  r.add("s_set_gpr_idx_off", salu([](Wave& w, const Instr&) {
          w.set_mode(w.mode & ~Wave::kModeGprIdxEn);
        }, 0));
  r.add("s_set_gpr_idx_idx", salu([](Wave& w, const Instr& in) {
          w.s[kM0] = (w.s[kM0] & ~0xffu) | (sread32(w, in.op[0]) & 0xff);
        }, 0));
  r.add("s_set_gpr_idx_mode", salu([](Wave& w, const Instr& in) {
          w.s[kM0] = (w.s[kM0] & ~0xf000u) | (uint32_t(in.imm) & 0xf) << 12;
        }, 0));

  // ---- SOPC
  SOPC32("s_cmp_eq_i32", int32_t, ==);
  SOPC32("s_cmp_lg_i32", int32_t, !=);
  SOPC32("s_cmp_gt_i32", int32_t, >);
  SOPC32("s_cmp_ge_i32", int32_t, >=);
  SOPC32("s_cmp_lt_i32", int32_t, <);
  SOPC32("s_cmp_le_i32", int32_t, <=);
  SOPC32("s_cmp_eq_u32", uint32_t, ==);
  SOPC32("s_cmp_lg_u32", uint32_t, !=);
  SOPC32("s_cmp_gt_u32", uint32_t, >);
  SOPC32("s_cmp_ge_u32", uint32_t, >=);
  SOPC32("s_cmp_lt_u32", uint32_t, <);
  SOPC32("s_cmp_le_u32", uint32_t, <=);
  r.add("s_cmp_eq_u64", salu([](Wave& w, const Instr& in) { w.scc = sread64(w, in.op[0]) == sread64(w, in.op[1]); }, 0));
  r.add("s_cmp_lg_u64", salu([](Wave& w, const Instr& in) { w.scc = sread64(w, in.op[0]) != sread64(w, in.op[1]); }, 0));
  // S_SETVSKIP: VSKIP = S0[S1[4:0]] (departure table: "setvskip"). With VSKIP set the hardware skips vector instructions
  // (VALU, memory, export) until it is cleared; the emulator does not model the skipping, so
  // setting it faults with a clear message (clearing it, the common use, is exact).
  r.add("s_setvskip", salu([](Wave& w, const Instr& in) {
          if ((sread32(w, in.op[0]) >> (sread32(w, in.op[1]) & 31)) & 1)
            w.fault(FaultKind::bad_instruction, in, -1, 0,
                    "s_setvskip enables VSKIP (vector instructions skipped), which the emulator does not model");
        }, 0));
  r.add("s_bitcmp0_b32", salu([](Wave& w, const Instr& in) { w.scc = !((sread32(w, in.op[0]) >> (sread32(w, in.op[1]) & 31)) & 1); }, 0));
  r.add("s_bitcmp1_b32", salu([](Wave& w, const Instr& in) { w.scc = (sread32(w, in.op[0]) >> (sread32(w, in.op[1]) & 31)) & 1; }, 0));
  r.add("s_bitcmp0_b64", salu([](Wave& w, const Instr& in) { w.scc = !((sread64(w, in.op[0]) >> (sread32(w, in.op[1]) & 63)) & 1); }, 0));
  r.add("s_bitcmp1_b64", salu([](Wave& w, const Instr& in) { w.scc = (sread64(w, in.op[0]) >> (sread32(w, in.op[1]) & 63)) & 1; }, 0));
}

}  // namespace asmk::emu::detail
