// Host references for the integer and floating-point arithmetic kernels.
#include <limits>

#include "corpus.hpp"

namespace asmk::corpus {
namespace {

// (n, block) pairs: n is never a multiple of the block, so the last workgroup is partial.
const Size kArithSizes[] = {{1000, 64}, {777, 256}, {130, 128}};

/// Float inputs over the whole range: normals of every magnitude, denormals, zeros, infinities, NaN.
std::vector<float> wide_floats(Rng& rng, uint32_t n) {
  const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, 1e-45f, -3e-39f, 1.17549435e-38f,
                            3.4e38f, 0.1f, 2.5f, -7.0f};
  std::vector<float> v(n);
  for (uint32_t i = 0; i < n; i++) {
    if (i % 9 == 4) v[i] = specials[(i / 9) % std::size(specials)];
    else v[i] = std::ldexp(rng.uniform(-1.0f, 1.0f), int(rng.range(-140, 120)));
  }
  return v;
}

}  // namespace

CORPUS_CASE(vec_add_guarded) {
  for (Size s : kArithSizes) {
    Rng rng(s.n);
    std::vector<int32_t> a(s.n), b(s.n), want(s.n + 7, -77);
    for (uint32_t i = 0; i < s.n; i++) {
      a[i] = int32_t(rng.u32());
      b[i] = int32_t(rng.u32());
      want[i] = int32_t(uint32_t(a[i]) + uint32_t(b[i]) * 3u - i);
    }
    uint64_t c = ctx.filled<int32_t>(s.n + 7, -77);  // the guard must leave the tail alone
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), ctx.upload(b), c, s.n);
    ctx.expect_same(ctx.download<int32_t>(c, s.n + 7), want, "c = a + 3b - i");
  }
}

CORPUS_CASE(saxpy_fma) {
  for (Size s : kArithSizes) {
    Rng rng(s.n + 1);
    std::vector<float> x = wide_floats(rng, s.n), y = wide_floats(rng, s.n), want(s.n);
    const float a = -1.7f;
    for (uint32_t i = 0; i < s.n; i++) want[i] = std::fma(a, x[i], y[i]);
    uint64_t out = ctx.zeros<float>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(x), ctx.upload(y), out, a, s.n);
    ctx.expect_same(ctx.download<float>(out, s.n), want, "fma(a, x, y)");
  }
}

CORPUS_CASE(int_divrem) {
  for (Size s : kArithSizes) {
    Rng rng(s.n + 2);
    std::vector<int32_t> a(s.n), b(s.n), want(4 * s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      a[i] = int32_t(rng.u32());
      switch (i % 4) {
        case 0: b[i] = int32_t(rng.u32()); break;
        case 1: b[i] = int32_t(rng.range(-300, 300)); break;
        case 2: b[i] = int32_t(rng.range(1, 1 << 16)) * (i % 8 == 2 ? -1 : 1); break;
        default: b[i] = (i % 16 == 3) ? 1 : int32_t(0x80000000u | rng.u32()); break;
      }
      if (b[i] == 0) b[i] = 7;
      if (a[i] == INT32_MIN && b[i] == -1) b[i] = 3;
      want[4 * i + 0] = a[i] / b[i];
      want[4 * i + 1] = a[i] % b[i];
      want[4 * i + 2] = int32_t(uint32_t(a[i]) / uint32_t(b[i]));
      want[4 * i + 3] = int32_t(uint32_t(a[i]) % uint32_t(b[i]));
    }
    uint64_t out = ctx.zeros<int32_t>(4 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), ctx.upload(b), out, s.n);
    ctx.expect_same(ctx.download<int32_t>(out, 4 * s.n), want, "div/rem",
                    [&](size_t k) { return "a=" + std::to_string(a[k / 4]) + " b=" + std::to_string(b[k / 4]); });
  }
}

CORPUS_CASE(int64_arith) {
  for (Size s : {Size{300, 64}, Size{97, 128}}) {
    Rng rng(s.n + 3);
    std::vector<int64_t> a(s.n), b(s.n), want(6 * s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      a[i] = int64_t(rng.next());
      b[i] = i % 3 == 0 ? int64_t(rng.next()) : i % 3 == 1 ? rng.range(-100000, 100000) : int64_t(rng.next() >> (i % 60));
      if (b[i] == 0) b[i] = -5;
      if (i % 11 == 0) b[i] = a[i];
      if (a[i] == INT64_MIN && b[i] == -1) b[i] = 9;
      const uint64_t x = uint64_t(a[i]), y = uint64_t(b[i]);
      want[6 * i + 0] = int64_t(x * y);
      want[6 * i + 1] = a[i] / b[i];
      want[6 * i + 2] = int64_t(x % y);
      want[6 * i + 3] = int64_t(x << (y & 63));
      want[6 * i + 4] = a[i] >> (y & 63);
      want[6 * i + 5] = (x < y) + 2 * (a[i] < b[i]) + 4 * (a[i] == b[i]);
    }
    uint64_t out = ctx.zeros<int64_t>(6 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), ctx.upload(b), out, s.n);
    ctx.expect_same(ctx.download<int64_t>(out, 6 * s.n), want, "64-bit ops (mul, div, urem, shl, ashr, compares)");
  }
}

CORPUS_CASE(bit_ops) {
  for (Size s : kArithSizes) {
    Rng rng(s.n + 4);
    std::vector<uint32_t> a(s.n), want(8 * s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      a[i] = i < 4 ? uint32_t(0xffffffffu * (i & 1)) ^ (i << 30) : rng.u32() >> (i % 32);
      const uint32_t x = a[i], r = x & 31;
      want[8 * i + 0] = uint32_t(std::popcount(x));
      want[8 * i + 1] = uint32_t(std::countl_zero(x | 1u));
      want[8 * i + 2] = uint32_t(std::countr_zero(x | 0x80000000u));
      uint32_t rev = 0;
      for (int b = 0; b < 32; b++) rev |= ((x >> b) & 1u) << (31 - b);
      want[8 * i + 3] = rev;
      want[8 * i + 4] = (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
      want[8 * i + 5] = std::rotl(x, int(r));
      want[8 * i + 6] = (x >> 5) & 0x3ffu;
      want[8 * i + 7] = uint32_t(int32_t(x) >> (r ^ 7));
    }
    uint64_t out = ctx.zeros<uint32_t>(8 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), out, s.n);
    ctx.expect_same(ctx.download<uint32_t>(out, 8 * s.n), want, "bit ops");
  }
}

CORPUS_CASE(minmax_select) {
  for (Size s : kArithSizes) {
    Rng rng(s.n + 5);
    std::vector<int32_t> ia(s.n), ib(s.n), iwant(6 * s.n);
    std::vector<float> fa(s.n), fb(s.n), fwant(3 * s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      ia[i] = int32_t(rng.u32());
      ib[i] = i % 5 == 0 ? ia[i] : int32_t(rng.u32());
      if (ia[i] == INT32_MIN) ia[i] = 0;
      fa[i] = rng.uniform(-100.0f, 100.0f);
      fb[i] = i % 7 == 0 ? fa[i] : rng.uniform(-100.0f, 100.0f);
      if (i % 13 == 1) fa[i] = NAN;  // quiet NaN operands: unordered compares, min/max return the other
      if (i % 17 == 2) fb[i] = NAN;
      if (i % 19 == 3) fb[i] = -INFINITY;
      const int32_t x = ia[i], y = ib[i];
      const float f = fa[i], g = fb[i];
      iwant[6 * i + 0] = std::min(x, y);
      iwant[6 * i + 1] = std::max(x, y);
      iwant[6 * i + 2] = int32_t(std::min(uint32_t(x), uint32_t(y)));
      iwant[6 * i + 3] = (f < g) + 2 * (f >= g) + 4 * (f != g) + 8 * (f == f);
      iwant[6 * i + 4] = !(f <= g) ? x : y;
      iwant[6 * i + 5] = x >= 0 ? x : -x;
      fwant[3 * i + 0] = std::fmin(f, g);
      fwant[3 * i + 1] = std::fmax(f, g);
      fwant[3 * i + 2] = f > g ? f - g : g - f;
    }
    uint64_t iout = ctx.zeros<int32_t>(6 * s.n), fout = ctx.zeros<float>(3 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(ia), ctx.upload(ib), ctx.upload(fa),
               ctx.upload(fb), iout, fout, s.n);
    ctx.expect_same(ctx.download<int32_t>(iout, 6 * s.n), iwant, "integer min/max, compares, selects");
    ctx.expect_same(ctx.download<float>(fout, 3 * s.n), fwant, "fminf/fmaxf/|f-g|");
  }
}

CORPUS_CASE(float_arith) {
  for (Size s : kArithSizes) {
    Rng rng(s.n + 6);
    std::vector<float> a = wide_floats(rng, s.n), b = wide_floats(rng, s.n), want(6 * s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      if (i % 10 == 7) b[i] = std::ldexp(rng.uniform(0.5f, 1.0f), int(rng.range(-20, 20)));  // ordinary quotients
      const float x = a[i], y = b[i];
      want[6 * i + 0] = x + y;
      want[6 * i + 1] = x - y;
      want[6 * i + 2] = x * y;
      want[6 * i + 3] = x / y;
      want[6 * i + 4] = std::sqrt(std::fabs(x));
      want[6 * i + 5] = std::fma(x, y, -1.0f);
    }
    uint64_t out = ctx.zeros<float>(6 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), ctx.upload(b), out, s.n);
    const char* ops[] = {"x+y", "x-y", "x*y", "x/y", "sqrt|x|", "fma(x,y,-1)"};
    ctx.expect_same(ctx.download<float>(out, 6 * s.n), want, "fp32 add/sub/mul/div/sqrt/fma", [&](size_t k) {
      std::ostringstream s;
      s << ops[k % 6] << " x=" << std::hexfloat << a[k / 6] << " y=" << b[k / 6];
      return s.str();
    });
  }
}

CORPUS_CASE(float_rounding) {
  for (Size s : kArithSizes) {
    Rng rng(s.n + 7);
    std::vector<float> a(s.n), fwant(7 * s.n);
    std::vector<int32_t> iwant(3 * s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      // Values in int range after x*1000, with exact halves and integers among them.
      a[i] = i % 4 == 0 ? float(rng.range(-2000, 2000)) * 0.5f : rng.uniform(-2000.0f, 2000.0f);
      if (i % 29 == 5) a[i] = -0.0f;
      const float x = a[i];
      fwant[7 * i + 0] = std::floor(x);
      fwant[7 * i + 1] = std::ceil(x);
      fwant[7 * i + 2] = std::trunc(x);
      fwant[7 * i + 3] = std::nearbyint(x);
      fwant[7 * i + 4] = std::copysign(std::fabs(x) * 0.5f, -x);
      fwant[7 * i + 5] = float(int32_t(x * 1000.0f));
      fwant[7 * i + 6] = float(uint32_t(i * 16777259u));
      iwant[3 * i + 0] = int32_t(x);
      iwant[3 * i + 1] = int32_t(uint32_t(std::fabs(x * 3.0f)));
      iwant[3 * i + 2] = int32_t(float(int64_t(i) * 1000000007LL) * 1e-6f);
    }
    uint64_t fout = ctx.zeros<float>(7 * s.n), iout = ctx.zeros<int32_t>(3 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), fout, iout, s.n);
    const char* fops[] = {"floor", "ceil", "trunc", "rint", "copysign", "(float)(int)(x*1000)", "(float)uint"};
    ctx.expect_same(ctx.download<float>(fout, 7 * s.n), fwant, "rounding functions",
                    [&](size_t k) { return std::string(fops[k % 7]) + " x=" + std::to_string(a[k / 7]); });
    ctx.expect_same(ctx.download<int32_t>(iout, 3 * s.n), iwant, "float to integer conversions");
  }
}

CORPUS_CASE(double_math) {
  for (Size s : {Size{300, 64}, Size{65, 256}}) {
    Rng rng(s.n + 8);
    std::vector<double> a(s.n), b(s.n), want(6 * s.n);
    std::vector<float> fwant(s.n);
    for (uint32_t i = 0; i < s.n; i++) {
      a[i] = std::ldexp(double(rng.next() >> 11) * 0x1p-53 - 0.5, int(rng.range(-100, 100)));
      b[i] = std::ldexp(double(rng.next() >> 11) * 0x1p-53 + 0.01, int(rng.range(-100, 100)));
      if (i % 23 == 3) a[i] = 0.0;
      if (i % 31 == 4) b[i] = -b[i];
      const double x = a[i], y = b[i];
      want[6 * i + 0] = x + y;
      want[6 * i + 1] = x * y;
      want[6 * i + 2] = x / y;
      want[6 * i + 3] = std::sqrt(std::fabs(x));
      want[6 * i + 4] = std::fma(x, y, x);
      want[6 * i + 5] = double(float(x));
      fwant[i] = float(x * y);
    }
    uint64_t out = ctx.zeros<double>(6 * s.n), fout = ctx.zeros<float>(s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), ctx.upload(b), out, fout, s.n);
    const char* ops[] = {"x+y", "x*y", "x/y", "sqrt|x|", "fma(x,y,x)", "(double)(float)x"};
    ctx.expect_same(ctx.download<double>(out, 6 * s.n), want, "fp64 ops",
                    [&](size_t k) { return std::string(ops[k % 6]); });
    ctx.expect_same(ctx.download<float>(fout, s.n), fwant, "(float)(x*y)");
  }
}

CORPUS_CASE(packed_int16) {
  for (Size s : {Size{500, 64}, Size{70, 128}}) {
    Rng rng(s.n + 9);
    std::vector<int16_t> a(2 * s.n), b(2 * s.n), want(8 * s.n);
    std::vector<int8_t> c(4 * s.n), d(4 * s.n), cwant(8 * s.n);
    for (auto& v : a) v = int16_t(rng.u32());
    for (auto& v : b) v = int16_t(rng.u32());
    for (auto& v : c) v = int8_t(rng.u32());
    for (auto& v : d) v = int8_t(rng.u32());
    for (uint32_t i = 0; i < s.n; i++) {
      for (int h = 0; h < 2; h++) {
        const int16_t x = a[2 * i + h], y = b[2 * i + h];
        want[8 * i + 0 + h] = int16_t(x + y);
        want[8 * i + 2 + h] = int16_t(uint16_t(x) * uint16_t(y));
        want[8 * i + 4 + h] = std::max(x, y);
        want[8 * i + 6 + h] = int16_t(uint16_t(x) >> (uint16_t(y) & 15));
      }
      const int8_t* p = &c[4 * i];
      const int8_t* q = &d[4 * i];
      for (int k = 0; k < 4; k++) cwant[8 * i + k] = int8_t(p[k] + q[k] * (k + 1));
      cwant[8 * i + 4] = std::min(p[0], q[0]);
      cwant[8 * i + 5] = int8_t(p[1] >> 1);
      cwant[8 * i + 6] = int8_t(p[2] ^ q[3]);
      cwant[8 * i + 7] = int8_t(p[3] - q[2]);
    }
    uint64_t out = ctx.zeros<int16_t>(8 * s.n), cout = ctx.zeros<int8_t>(8 * s.n);
    ctx.launch({cover(s.n, s.block), 1, 1}, {s.block, 1, 1}, ctx.upload(a), ctx.upload(b), ctx.upload(c), ctx.upload(d),
               out, cout, s.n);
    const char* ops[] = {"add", "add", "mul", "mul", "max", "max", "lshr", "lshr"};
    ctx.expect_same(ctx.download<int16_t>(out, 8 * s.n), want, "short2 ops",
                    [&](size_t k) { return std::string(ops[k % 8]); });
    ctx.expect_same(ctx.download<int8_t>(cout, 8 * s.n), cwant, "char4 ops");
  }
}

}  // namespace asmk::corpus
