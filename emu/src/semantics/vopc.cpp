// Vector compares (VOPC, and VOP3 with an explicit SGPR-pair destination): one bit per lane,
// inactive lanes write 0. v_cmpx_* also write EXEC. v_cmp_class_* tests IEEE classes.
#include "common.hpp"

namespace asmk::emu::detail {
namespace {

constexpr SemanticsEntry cmp(SemanticsFn fn) { return {fn, InstrClass::valu, 1, 0}; }

template <bool Exec, class Pred>
void compare32(Wave& w, const Instr& in, Pred p) {
  Sources s(w, in, 2);
  const uint64_t exec = w.exec();
  uint64_t bits = 0;
  for (int l = 0; l < kLanes; l++)
    if (lane_on(exec, l) && p(s.p[0][l], s.p[1][l], in)) bits |= 1ull << l;
  swrite64(w, in.op[0], bits);
  if (Exec) w.set_exec(bits);
}
template <bool Exec, class Pred>
void compare64(Wave& w, const Instr& in, bool fp, Pred p) {
  Src64 a(w, src_op(in, 0), fp), b(w, src_op(in, 1), fp);
  const uint64_t exec = w.exec();
  uint64_t bits = 0;
  for (int l = 0; l < kLanes; l++)
    if (lane_on(exec, l) && p(a[l], b[l], in)) bits |= 1ull << l;
  swrite64(w, in.op[0], bits);
  if (Exec) w.set_exec(bits);
}

// IEEE class mask bits: 0 sNaN, 1 qNaN, 2 -inf, 3 -normal, 4 -denorm, 5 -0, 6 +0, 7 +denorm, 8 +normal, 9 +inf.
/// Classifies in the operand's own precision (a f32 denormal is a normal double).
template <class T>
int class_bit(T v, bool is_snan) {
  if (std::isnan(v)) return is_snan ? 0 : 1;
  bool neg = std::signbit(v);
  switch (std::fpclassify(v)) {
    case FP_INFINITE: return neg ? 2 : 9;
    case FP_NORMAL: return neg ? 3 : 8;
    case FP_SUBNORMAL: return neg ? 4 : 7;
    default: return neg ? 5 : 6;
  }
}

// Float predicates by name: (a, b) -> bool. The "n" forms are true on unordered inputs.
#define FCMP_LIST(X)                                                                  \
  X(f, false) X(lt, a < b) X(eq, a == b) X(le, a <= b) X(gt, a > b) X(lg, a < b || a > b) \
  X(ge, a >= b) X(o, !std::isnan(a) && !std::isnan(b)) X(u, std::isnan(a) || std::isnan(b)) \
  X(nge, !(a >= b)) X(nlg, !(a < b || a > b)) X(ngt, !(a > b)) X(nle, !(a <= b)) X(neq, !(a == b)) \
  X(nlt, !(a < b)) X(tru, true)
#define ICMP_LIST(X) X(f, false) X(lt, a < b) X(eq, a == b) X(le, a <= b) X(gt, a > b) X(ne, a != b) X(lg, a != b) X(ge, a >= b) X(t, true)

}  // namespace

void register_vopc(Registry& r) {
#define REG_F32(name, expr)                                                                                      \
  r.add("v_cmp_" #name "_f32", cmp([](Wave& w, const Instr& in) {                                              \
          compare32<false>(w, in, [](uint32_t x, uint32_t y, const Instr& i) {                                  \
            float a = fmod32(f32(x), src_op(i, 0)), b = fmod32(f32(y), src_op(i, 1)); (void)a; (void)b;        \
            return bool(expr); });                                                                              \
        }));                                                                                                    \
  r.add("v_cmpx_" #name "_f32", cmp([](Wave& w, const Instr& in) {                                             \
          compare32<true>(w, in, [](uint32_t x, uint32_t y, const Instr& i) {                                   \
            float a = fmod32(f32(x), src_op(i, 0)), b = fmod32(f32(y), src_op(i, 1)); (void)a; (void)b;        \
            return bool(expr); });                                                                              \
        }));                                                                                                    \
  r.add("v_cmp_" #name "_f16", cmp([](Wave& w, const Instr& in) {                                              \
          compare32<false>(w, in, [](uint32_t x, uint32_t y, const Instr& i) {                                  \
            float a = h2f(hmod(uint16_t(x), src_op(i, 0))), b = h2f(hmod(uint16_t(y), src_op(i, 1)));          \
            (void)a; (void)b; return bool(expr); });                                                            \
        }));                                                                                                    \
  r.add("v_cmpx_" #name "_f16", cmp([](Wave& w, const Instr& in) {                                             \
          compare32<true>(w, in, [](uint32_t x, uint32_t y, const Instr& i) {                                   \
            float a = h2f(hmod(uint16_t(x), src_op(i, 0))), b = h2f(hmod(uint16_t(y), src_op(i, 1)));          \
            (void)a; (void)b; return bool(expr); });                                                            \
        }));                                                                                                    \
  r.add("v_cmp_" #name "_f64", cmp([](Wave& w, const Instr& in) {                                              \
          compare64<false>(w, in, true, [](uint64_t x, uint64_t y, const Instr& i) {                            \
            double a = fmod64(f64(x), src_op(i, 0)), b = fmod64(f64(y), src_op(i, 1)); (void)a; (void)b;       \
            return bool(expr); });                                                                              \
        }));                                                                                                    \
  r.add("v_cmpx_" #name "_f64", cmp([](Wave& w, const Instr& in) {                                             \
          compare64<true>(w, in, true, [](uint64_t x, uint64_t y, const Instr& i) {                             \
            double a = fmod64(f64(x), src_op(i, 0)), b = fmod64(f64(y), src_op(i, 1)); (void)a; (void)b;       \
            return bool(expr); });                                                                              \
        }));
  FCMP_LIST(REG_F32)
#undef REG_F32

#define REG_INT(name, expr)                                                                                     \
  r.add("v_cmp_" #name "_i32", cmp([](Wave& w, const Instr& in) {                                             \
          compare32<false>(w, in, [](uint32_t x, uint32_t y, const Instr&) { int32_t a = int32_t(x), b = int32_t(y); (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmpx_" #name "_i32", cmp([](Wave& w, const Instr& in) {                                            \
          compare32<true>(w, in, [](uint32_t x, uint32_t y, const Instr&) { int32_t a = int32_t(x), b = int32_t(y); (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmp_" #name "_u32", cmp([](Wave& w, const Instr& in) {                                             \
          compare32<false>(w, in, [](uint32_t a, uint32_t b, const Instr&) { (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmpx_" #name "_u32", cmp([](Wave& w, const Instr& in) {                                            \
          compare32<true>(w, in, [](uint32_t a, uint32_t b, const Instr&) { (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmp_" #name "_i16", cmp([](Wave& w, const Instr& in) {                                             \
          compare32<false>(w, in, [](uint32_t x, uint32_t y, const Instr&) { int16_t a = int16_t(x), b = int16_t(y); (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmp_" #name "_u16", cmp([](Wave& w, const Instr& in) {                                             \
          compare32<false>(w, in, [](uint32_t x, uint32_t y, const Instr&) { uint16_t a = uint16_t(x), b = uint16_t(y); (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmp_" #name "_i64", cmp([](Wave& w, const Instr& in) {                                             \
          compare64<false>(w, in, false, [](uint64_t x, uint64_t y, const Instr&) { int64_t a = int64_t(x), b = int64_t(y); (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmpx_" #name "_i64", cmp([](Wave& w, const Instr& in) {                                            \
          compare64<true>(w, in, false, [](uint64_t x, uint64_t y, const Instr&) { int64_t a = int64_t(x), b = int64_t(y); (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmp_" #name "_u64", cmp([](Wave& w, const Instr& in) {                                             \
          compare64<false>(w, in, false, [](uint64_t a, uint64_t b, const Instr&) { (void)a; (void)b; return bool(expr); }); })); \
  r.add("v_cmpx_" #name "_u64", cmp([](Wave& w, const Instr& in) {                                            \
          compare64<true>(w, in, false, [](uint64_t a, uint64_t b, const Instr&) { (void)a; (void)b; return bool(expr); }); }));
  ICMP_LIST(REG_INT)
#undef REG_INT

  r.add("v_cmp_class_f32", cmp([](Wave& w, const Instr& in) {
          compare32<false>(w, in, [](uint32_t x, uint32_t m, const Instr& i) {
            float a = fmod32(f32(x), src_op(i, 0));
            bool snan = std::isnan(a) && !(b32(a) & 0x00400000u);
            return bool((m >> class_bit(a, snan)) & 1);
          });
        }));
  r.add("v_cmpx_class_f32", cmp([](Wave& w, const Instr& in) {
          compare32<true>(w, in, [](uint32_t x, uint32_t m, const Instr& i) {
            float a = fmod32(f32(x), src_op(i, 0));
            bool snan = std::isnan(a) && !(b32(a) & 0x00400000u);
            return bool((m >> class_bit(a, snan)) & 1);
          });
        }));
  r.add("v_cmp_class_f16", cmp([](Wave& w, const Instr& in) {
          compare32<false>(w, in, [](uint32_t x, uint32_t m, const Instr& i) {
            uint16_t h = hmod(uint16_t(x), src_op(i, 0));
            bool snan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) && !(h & 0x200);
            int bit;
            if ((h & 0x7fff) > 0x7c00) bit = snan ? 0 : 1;
            else if ((h & 0x7fff) == 0x7c00) bit = (h & 0x8000) ? 2 : 9;
            else if ((h & 0x7c00) == 0) bit = (h & 0x3ff) ? ((h & 0x8000) ? 4 : 7) : ((h & 0x8000) ? 5 : 6);
            else bit = (h & 0x8000) ? 3 : 8;  // f16 denormals are classified as f16 denormals
            return bool((m >> bit) & 1);
          });
        }));
  r.add("v_cmp_class_f64", cmp([](Wave& w, const Instr& in) {
          Src64 a(w, src_op(in, 0), true);
          uint32_t scratch[2 * kLanes];
          const uint32_t* m = lanes32(w, src_op(in, 1), scratch);
          const uint64_t exec = w.exec();
          uint64_t bits = 0;
          for (int l = 0; l < kLanes; l++) {
            if (!lane_on(exec, l)) continue;
            double v = fmod64(f64(a[l]), src_op(in, 0));
            bool snan = std::isnan(v) && !(b64(v) & (1ull << 51));
            if ((m[l] >> class_bit(v, snan)) & 1) bits |= 1ull << l;
          }
          swrite64(w, in.op[0], bits);
        }));
}

}  // namespace asmk::emu::detail
