// Host references for the small-float kernels (fp16, packed fp16, bf16, fp8/bf8 conversions)
// and for vector types and structs.
#include "corpus.hpp"
#include "host_numerics.hpp"

namespace asmk::corpus {
namespace {

std::vector<double> decode_halves(const std::vector<uint16_t>& bits) {
  std::vector<double> v(bits.size());
  for (size_t i = 0; i < bits.size(); i++) v[i] = half_value(bits[i]);
  return v;
}

/// A random half in [2^lo, 2^hi) with a random sign.
uint16_t random_half(Rng& rng, int lo, int hi) {
  double v = std::ldexp(1.0 + double(rng.range(0, 1023)) / 1024.0, int(rng.range(lo, hi - 1)));
  return half_bits(rng.u32() & 1 ? -v : v);
}

}  // namespace

CORPUS_CASE(half_convert) {
  for (uint32_t n : {500u, 129u}) {
    Rng rng(n + 10);
    std::vector<float> a(n), fwant(n);
    std::vector<uint16_t> hb(n), hwant(3 * n);
    const float specials[] = {65504.0f, 65519.0f, 65520.0f, 1e6f, -INFINITY, NAN, 5.9604645e-8f, 2.9802322e-8f,
                              2.9802326e-8f, -0.0f, 6.1035156e-5f, 1.0009766f, 1.0004883f};
    for (uint32_t i = 0; i < n; i++) {
      a[i] = i % 7 == 3 ? specials[(i / 7) % std::size(specials)]
                        : std::ldexp(rng.uniform(-1.0f, 1.0f), int(rng.range(-26, 17)));
      hb[i] = i % 11 == 5 ? uint16_t(rng.u32()) : random_half(rng, -14, 8);  // any pattern, NaNs included
      const double h = half_value(half_bits(a[i])), g = half_value(hb[i]);
      const uint16_t p = half_bits(h * g);  // exact in double, one rounding to half
      hwant[3 * i + 0] = half_bits(a[i]);
      hwant[3 * i + 1] = p;
      hwant[3 * i + 2] = half_bits(half_value(p) + g);  // exact in double, one rounding
      fwant[i] = float(g);
    }
    uint64_t hout = ctx.zeros<uint16_t>(3 * n), fout = ctx.zeros<float>(n);
    ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(hb), hout, fout, n);
    // Compared as values so that any NaN matches any NaN (payloads are not specified here).
    ctx.expect_same(decode_halves(ctx.download<uint16_t>(hout, 3 * n)), decode_halves(hwant),
                    "half conversions and arithmetic", [&](size_t k) {
                      const char* ops[] = {"(half)a", "h*g", "h*g+g"};
                      return std::string(ops[k % 3]) + " a=" + std::to_string(a[k / 3]) + " g=" +
                             std::to_string(half_value(hb[k / 3]));
                    });
    ctx.expect_same(ctx.download<float>(fout, n), fwant, "(float)half");
  }
}

CORPUS_CASE(half2_packed) {
  for (uint32_t n : {300u, 64u}) {
    Rng rng(n + 11);
    std::vector<uint32_t> a(n), b(n), c(n);
    std::vector<uint16_t> want(6 * n);
    for (uint32_t i = 0; i < n; i++) {
      // Magnitudes in [2^-4, 2^4): products and sums below stay exact in double before one rounding.
      uint16_t x[2], y[2], z[2];
      for (int h = 0; h < 2; h++) {
        x[h] = random_half(rng, -4, 4);
        y[h] = random_half(rng, -4, 4);
        z[h] = random_half(rng, -4, 4);
        const double xv = half_value(x[h]), yv = half_value(y[h]), zv = half_value(z[h]);
        want[6 * i + 0 + h] = half_bits(xv * yv);
        want[6 * i + 2 + h] = half_bits(xv + zv);
        want[6 * i + 4 + h] = half_bits(xv * yv + zv);
      }
      a[i] = x[0] | uint32_t(x[1]) << 16;
      b[i] = y[0] | uint32_t(y[1]) << 16;
      c[i] = z[0] | uint32_t(z[1]) << 16;
    }
    uint64_t out = ctx.zeros<uint32_t>(3 * n);
    ctx.launch({cover(n, 128), 1, 1}, {128, 1, 1}, ctx.upload(a), ctx.upload(b), ctx.upload(c), out, n);
    std::vector<uint32_t> got = ctx.download<uint32_t>(out, 3 * n);
    std::vector<uint16_t> got_halves(6 * n);
    for (size_t k = 0; k < got.size(); k++) {
      got_halves[2 * k] = uint16_t(got[k]);
      got_halves[2 * k + 1] = uint16_t(got[k] >> 16);
    }
    ctx.expect_same(got_halves, want, "half2 x*y, x+z, fma(x,y,z) (lo, hi)");
  }
}

CORPUS_CASE(bf16_bits) {
  for (uint32_t n : {400u, 70u}) {
    Rng rng(n + 12);
    std::vector<float> a(n);
    std::vector<uint32_t> packed(n);
    std::vector<uint16_t> want(3 * n);
    const float specials[] = {NAN, INFINITY, -INFINITY, 3.3895314e38f, 3.39e38f, 1e-40f, -0.0f, 1.00390625f, 1.01171875f};
    for (uint32_t i = 0; i < n; i++) {
      a[i] = i % 6 == 1 ? specials[(i / 6) % std::size(specials)]
                        : std::ldexp(rng.uniform(-1.0f, 1.0f), int(rng.range(-130, 127)));
      const uint16_t lo = bf16_bits(std::ldexp(rng.uniform(-1.0f, 1.0f), int(rng.range(-60, 60))));
      const uint16_t hi = bf16_bits(std::ldexp(rng.uniform(-1.0f, 1.0f), int(rng.range(-60, 60))));
      packed[i] = lo | uint32_t(hi) << 16;
      want[3 * i + 0] = bf16_bits(a[i]);
      want[3 * i + 1] = bf16_bits(bf16_value(lo) * bf16_value(hi));
      want[3 * i + 2] = bf16_bits(bf16_value(lo) + bf16_value(hi) + a[i]);
    }
    uint64_t out = ctx.zeros<uint16_t>(3 * n);
    ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(packed), out, n);
    ctx.expect_same(ctx.download<uint16_t>(out, 3 * n), want, "bf16 round/multiply/add");
  }
}

CORPUS_CASE(fp8_convert) {
  const SmallFloat& fp8 = fp8_format(ctx.arch);
  const SmallFloat& bf8 = bf8_format(ctx.arch);
  // Inputs stay within the fp8 format's range (overflow handling is not covered here): every
  // representable fp8 value, midpoints between neighbours (ties to even), random values,
  // tiny values that round to (signed) zero.
  std::vector<float> values;
  for (uint32_t code = 0; code < 256; code++) {
    double v = fp8.decode(code);
    if (std::isnan(v)) continue;
    values.push_back(float(v));
    double next = fp8.decode(code + 1);
    if ((code & 0x7f) < 0x7e && !std::isnan(next) && std::fabs(next) <= fp8.max_finite) values.push_back(float((v + next) / 2));
  }
  Rng rng(13);
  while (values.size() % 4 != 0 || values.size() < 1024)
    values.push_back(std::ldexp(rng.uniform(-1.0f, 1.0f), int(rng.range(-12, fp8.max_finite > 300 ? 8 : 7))));
  values[1] = -1e-30f;
  values[2] = 1e-40f;
  const uint32_t n = uint32_t(values.size() / 4);
  std::vector<uint32_t> want_packed(2 * n), codes(n);
  std::vector<float> want_decoded(8 * n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t f = 0, b = 0;
    for (int k = 0; k < 4; k++) {
      f |= fp8.encode(values[4 * i + k]) << (8 * k);
      b |= bf8.encode(values[4 * i + k]) << (8 * k);
    }
    want_packed[2 * i + 0] = f;
    want_packed[2 * i + 1] = b;
    const uint32_t c = (4 * i) & 0xfc;  // every code once per 64 items
    codes[i] = c | (c + 1) << 8 | (c + 2) << 16 | (c + 3) << 24;
    for (int k = 0; k < 4; k++) {
      want_decoded[8 * i + k] = float(fp8.decode((codes[i] >> (8 * k)) & 0xff));
      want_decoded[8 * i + 4 + k] = float(bf8.decode((codes[i] >> (8 * k)) & 0xff));
    }
  }
  uint64_t packed = ctx.zeros<uint32_t>(2 * n), decoded = ctx.zeros<float>(8 * n);
  ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(values), ctx.upload(codes), packed, decoded, n);
  std::vector<uint32_t> got = ctx.download<uint32_t>(packed, 2 * n);
  // Compare byte by byte so a mismatch names the input value.
  std::vector<uint8_t> got_bytes(8 * n), want_bytes(8 * n);
  for (uint32_t k = 0; k < 8 * n; k++) {
    got_bytes[k] = uint8_t(got[k / 4] >> (8 * (k % 4)));
    want_bytes[k] = uint8_t(want_packed[k / 4] >> (8 * (k % 4)));
  }
  ctx.expect_same(got_bytes, want_bytes, "v_cvt_pk_fp8_f32 / v_cvt_pk_bf8_f32 codes", [&](size_t k) {
    const size_t item = k / 8, which = (k % 8) / 4, byte = k % 4;
    return std::string(which ? "bf8" : "fp8") + " of " + std::to_string(values[4 * item + byte]);
  });
  ctx.expect_same(ctx.download<float>(decoded, 8 * n), want_decoded, "v_cvt_f32_fp8 / v_cvt_f32_bf8", [&](size_t k) {
    return std::string(k % 8 < 4 ? "fp8" : "bf8") + " code " + std::to_string((codes[k / 8] >> (8 * (k % 4))) & 0xff);
  });
}

CORPUS_CASE(vector_types) {
  struct Float4 {
    float v[4];
  };
  struct Int2 {
    int32_t v[2];
  };
  for (uint32_t n : {333u, 64u}) {
    Rng rng(n + 14);
    std::vector<float> a(4 * n), b(4 * n), fwant(8 * n);
    std::vector<int32_t> c(2 * n), iwant(4 * n);
    for (auto& x : a) x = rng.uniform(-50.0f, 50.0f);
    for (auto& x : b) x = rng.uniform(-50.0f, 50.0f);
    for (auto& x : c) x = int32_t(rng.range(-1000000, 1000000));
    for (uint32_t i = 0; i < n; i++) {
      const float* x = &a[4 * i];
      const float* y = &b[4 * i];
      const float add[4] = {1.0f, 2.0f, 3.0f, 4.0f};
      for (int k = 0; k < 4; k++) fwant[8 * i + k] = x[3 - k] * y[k] + add[k];
      fwant[8 * i + 4] = x[0] - y[2];
      fwant[8 * i + 5] = x[1] - y[3];
      fwant[8 * i + 6] = x[0] + x[1] + x[2];
      fwant[8 * i + 7] = y[3];
      const int32_t zx = c[2 * i], zy = c[2 * i + 1];
      const int32_t qx = zy * 3 + zx, qy = zx * -5 + zy;
      iwant[4 * i + 0] = qx;
      iwant[4 * i + 1] = qy;
      iwant[4 * i + 2] = zx > zy ? 1 : 0;
      iwant[4 * i + 3] = (qx ^ qy) >> 3;
    }
    uint64_t fout = ctx.zeros<float>(8 * n), iout = ctx.zeros<int32_t>(4 * n);
    ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(b), ctx.upload(c), fout, iout, n);
    ctx.expect_same(ctx.download<float>(fout, 8 * n), fwant, "float4 swizzles and arithmetic");
    ctx.expect_same(ctx.download<int32_t>(iout, 4 * n), iwant, "int2 arithmetic");
  }
}

CORPUS_CASE(struct_aos) {
  struct Particle {
    float x, y;
    int32_t id;
    uint32_t flags;
  };
  struct Result {
    float dist2;
    int32_t tag;
  };
  struct Params {
    float cx, cy;
    int32_t offset;
    uint32_t n;
  };
  for (uint32_t n : {250u, 1u}) {
    Rng rng(n + 15);
    std::vector<Particle> in(n);
    std::vector<float> want_d(n);
    std::vector<int32_t> want_t(n);
    const Params p{1.25f, -3.5f, 1000, n};
    for (uint32_t i = 0; i < n; i++) {
      in[i] = {rng.uniform(-10, 10), rng.uniform(-10, 10), int32_t(rng.range(-5000, 5000)), rng.u32()};
      const float dx = in[i].x - p.cx, dy = in[i].y - p.cy;
      want_d[i] = std::fma(dx, dx, dy * dy);
      want_t[i] = (in[i].flags & 1u) ? in[i].id + p.offset : -in[i].id;
    }
    uint64_t out = ctx.zeros<Result>(n);
    ctx.launch({cover(n, 64), 1, 1}, {64, 1, 1}, ctx.upload(in), out, p);
    std::vector<Result> got = ctx.download<Result>(out, n);
    std::vector<float> got_d(n);
    std::vector<int32_t> got_t(n);
    for (uint32_t i = 0; i < n; i++) {
      got_d[i] = got[i].dist2;
      got_t[i] = got[i].tag;
    }
    ctx.expect_same(got_d, want_d, "Result.dist2");
    ctx.expect_same(got_t, want_t, "Result.tag");
  }
}

}  // namespace asmk::corpus
