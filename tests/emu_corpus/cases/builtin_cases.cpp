// Host reference for valu_builtins: each instruction from its definition in the ISA guide.
#include <bit>

#include "corpus.hpp"

namespace asmk::corpus {
namespace {

uint32_t byte_of(uint32_t v, int k) { return (v >> (8 * k)) & 0xff; }

/// v_perm_b32: each selector byte picks a byte of {S0, S1} (S1 is bytes 0-3), a sign fill, 0 or 0xff.
uint32_t perm(uint32_t s0, uint32_t s1, uint32_t sel) {
  const uint64_t data = uint64_t(s0) << 32 | s1;
  uint32_t out = 0;
  for (int k = 0; k < 4; k++) {
    const uint32_t s = byte_of(sel, k);
    uint32_t b;
    if (s >= 13) b = 0xff;
    else if (s == 12) b = 0;
    else if (s >= 8) b = ((data >> (15 + 16 * (s - 8))) & 1) ? 0xff : 0;  // sign of bytes 1, 3, 5, 7
    else b = uint32_t(data >> (8 * s)) & 0xff;
    out |= b << (8 * k);
  }
  return out;
}

/// v_cmp_class_f32 bit index: 0 sNaN, 1 qNaN, 2 -inf, 3 -normal, 4 -denormal, 5 -0, 6 +0, 7 +denormal, 8 +normal, 9 +inf.
int class_index(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  const bool neg = u >> 31;
  if (std::isnan(f)) return (u & 0x400000) ? 1 : 0;
  if (std::isinf(f)) return neg ? 2 : 9;
  if (f == 0) return neg ? 5 : 6;
  if (std::fpclassify(f) == FP_SUBNORMAL) return neg ? 4 : 7;
  return neg ? 3 : 8;
}

int32_t sign_extend(uint32_t v, uint32_t width) {
  if (width == 0) return 0;
  const uint32_t shift = 32 - width;
  return int32_t(v << shift) >> shift;
}

}  // namespace

CORPUS_CASE(valu_builtins) {
  for (uint32_t n : {700u, 65u}) {
    Rng rng(n + 50);
    std::vector<uint32_t> a(n), b(n), c(n), want(7 * n);
    std::vector<float> f(n), g(n), h(n), fwant(4 * n);
    const float p_specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, 1.0f, -0.75f, 3.4e38f};
    const float q_specials[] = {NAN, std::bit_cast<float>(0x7f800001u), std::bit_cast<float>(0xffc00000u), 1e-40f, -1e-42f,
                                0.0f, -0.0f, INFINITY, -INFINITY, 1.17549435e-38f};
    for (uint32_t i = 0; i < n; i++) {
      a[i] = rng.u32();
      b[i] = rng.u32();
      c[i] = rng.u32();
      f[i] = i % 5 == 2 ? p_specials[(i / 5) % std::size(p_specials)] : std::ldexp(rng.uniform(-1, 1), int(rng.range(-100, 100)));
      g[i] = i % 3 == 1 ? q_specials[(i / 3) % std::size(q_specials)] : std::ldexp(rng.uniform(-1, 1), int(rng.range(-140, 120)));
      h[i] = i % 7 == 3 ? -1e-9f * float(1 + i % 4) : rng.uniform(-4, 4);
      if (h[i] == 0) h[i] = 0.5f;
      const uint32_t x = a[i], y = b[i], z = c[i];
      uint32_t* w = &want[7 * i];
      w[0] = uint32_t((uint64_t(x) << 32 | y) >> (8 * (z & 3)));
      w[1] = perm(x, y, z & 0x0f0f0f0fu);
      const uint32_t width = z & 31, swidth = (z >> 8) & 31, off = y & 31;
      w[2] = width == 0 ? 0 : (x >> off) & ((1u << width) - 1);
      w[3] = uint32_t(sign_extend(uint32_t(int32_t(x) >> off), swidth));
      int e = 0;
      const float mant = std::isfinite(f[i]) ? std::frexp(f[i], &e) : f[i];
      w[4] = uint32_t(e);
      w[5] = (z & 0x3ff) >> class_index(f[i]) & 1;
      w[6] = ((z >> 10) & 0x3ff) >> class_index(g[i]) & 1;
      const float p = f[i], r = h[i];
      fwant[4 * i + 0] = std::max(std::min(p, r), std::min(std::max(p, r), -r));  // median of p, r, -r
      fwant[4 * i + 1] = mant;
      fwant[4 * i + 2] = std::ldexp(g[i], int(x % 64) - 32);
      fwant[4 * i + 3] = std::min(r - std::floor(r), 0x1.fffffep-1f);
    }
    uint64_t out = ctx.zeros<uint32_t>(7 * n), fout = ctx.zeros<float>(4 * n);
    ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(b), ctx.upload(c), ctx.upload(f),
               ctx.upload(g), ctx.upload(h), out, fout, n);
    const char* ops[] = {"alignbyte", "perm", "bfe_u32", "bfe_i32", "frexp_exp", "class(f)", "class(g)"};
    ctx.expect_same(ctx.download<uint32_t>(out, 7 * n), want, "integer builtins", [&](size_t k) {
      std::ostringstream s;
      s << ops[k % 7] << std::hex << " a=0x" << a[k / 7] << " b=0x" << b[k / 7] << " c=0x" << c[k / 7] << std::hexfloat
        << " f=" << f[k / 7] << " g=" << g[k / 7];
      return s.str();
    });
    const char* fops[] = {"med3(f,h,-h)", "frexp_mant(f)", "ldexp(g)", "fract(h)"};
    ctx.expect_same(ctx.download<float>(fout, 4 * n), fwant, "float builtins", [&](size_t k) {
      std::ostringstream s;
      s << fops[k % 4] << std::hexfloat << " f=" << f[k / 4] << " g=" << g[k / 4] << " h=" << h[k / 4];
      return s.str();
    });
  }
}

CORPUS_CASE(sad_lerp) {
  const uint32_t n = 300;
  Rng rng(51);
  std::vector<uint32_t> a(n), b(n), c(n), want(3 * n);
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t x = a[i] = rng.u32(), y = b[i] = rng.u32(), z = c[i] = rng.u32();
    uint32_t* w = &want[3 * i];
    w[0] = z & 0xffff;  // v_sad_u8: accumulator plus the absolute byte differences
    for (int k = 0; k < 4; k++) w[0] += uint32_t(std::abs(int(byte_of(x, k)) - int(byte_of(y, k))));
    w[1] = (z & 0xffff) + uint32_t(std::abs(int(x & 0xffff) - int(y & 0xffff))) + uint32_t(std::abs(int(x >> 16) - int(y >> 16)));
    w[2] = 0;  // v_lerp_u8: per byte (a + b + (c & 1)) >> 1
    for (int k = 0; k < 4; k++) w[2] |= ((byte_of(x, k) + byte_of(y, k) + (byte_of(z, k) & 1)) >> 1) << (8 * k);
  }
  uint64_t out = ctx.zeros<uint32_t>(3 * n);
  ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(b), ctx.upload(c), out, n);
  ctx.expect_same(ctx.download<uint32_t>(out, 3 * n), want, "sad_u8 / sad_u16 / lerp_u8");
}

}  // namespace asmk::corpus
