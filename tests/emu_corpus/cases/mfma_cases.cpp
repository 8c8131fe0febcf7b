// Host references for the MFMA kernels: plain matrix products. The kernels place the operands in
// the registers as the ISA lays them out, so a layout mistake in the emulator shows as a wrong
// element. Inputs are chosen so every product and partial sum is exact in fp32: the result is
// then the same for any summation order and compared exactly.
#include "corpus.hpp"
#include "host_numerics.hpp"

namespace asmk::corpus {
namespace {

/// D[b][i][j] = C[b][i][j] + sum_k A[b][i][k] * Bt[b][j][k], in double (exact here).
std::vector<float> matmul(const std::vector<double>& a, const std::vector<double>& bt, const std::vector<double>& c,
                          uint32_t batch, uint32_t m, uint32_t nn, uint32_t k) {
  std::vector<float> d(size_t(batch) * m * nn);
  for (uint32_t b = 0; b < batch; b++)
    for (uint32_t i = 0; i < m; i++)
      for (uint32_t j = 0; j < nn; j++) {
        double sum = c.empty() ? 0.0 : c[(size_t(b) * m + i) * nn + j];
        for (uint32_t kk = 0; kk < k; kk++) sum += a[(size_t(b) * m + i) * k + kk] * bt[(size_t(b) * nn + j) * k + kk];
        d[(size_t(b) * m + i) * nn + j] = float(sum);
      }
  return d;
}

std::function<std::string(size_t)> where_in(uint32_t m, uint32_t nn) {
  return [=](size_t at) {
    return "batch " + std::to_string(at / (m * nn)) + " row " + std::to_string(at / nn % m) + " col " +
           std::to_string(at % nn);
  };
}

}  // namespace

CORPUS_CASE(mfma_bf16_32x32x8) {
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{1, 8}, {3, 32}}) {
    Rng rng(batch * 100 + k);
    const size_t count = size_t(batch) * 32 * k;
    std::vector<uint16_t> a(count), bt(count);
    std::vector<double> av(count), bv(count);
    for (size_t x = 0; x < count; x++) {
      av[x] = double(rng.range(-16, 16)) / 4;  // multiples of 1/4 in [-4, 4]: exact in bf16
      bv[x] = double(rng.range(-16, 16)) / 4;
      a[x] = bf16_bits(float(av[x]));
      bt[x] = bf16_bits(float(bv[x]));
    }
    uint64_t d = ctx.zeros<float>(size_t(batch) * 1024);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 1024), matmul(av, bv, {}, batch, 32, 32, k),
                    "v_mfma_f32_32x32x8_bf16 D", where_in(32, 32));
  }
}

CORPUS_CASE(mfma_f16_16x16x16) {
  // Four waves per workgroup, one batch entry each; batch 6 leaves two waves of the second workgroup idle.
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{6, 32}, {1, 16}}) {
    Rng rng(batch * 100 + k + 1);
    const size_t count = size_t(batch) * 16 * k;
    std::vector<uint16_t> a(count), bt(count);
    std::vector<double> av(count), bv(count), cv(size_t(batch) * 256);
    for (size_t x = 0; x < count; x++) {
      av[x] = double(rng.range(-32, 32)) / 8;
      bv[x] = double(rng.range(-32, 32)) / 8;
      a[x] = half_bits(av[x]);
      bt[x] = half_bits(bv[x]);
    }
    std::vector<float> c(cv.size());
    for (size_t x = 0; x < cv.size(); x++) c[x] = float(cv[x] = double(rng.range(-100, 100)) / 4);
    uint64_t d = ctx.zeros<float>(size_t(batch) * 256);
    ctx.launch({cover(batch, 4), 1, 1}, {256, 1, 1}, ctx.upload(a), ctx.upload(bt), ctx.upload(c), d, k, batch);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 256), matmul(av, bv, cv, batch, 16, 16, k),
                    "v_mfma_f32_16x16x16_f16 D", where_in(16, 16));
  }
}

CORPUS_CASE(mfma_f32_16x16x4) {
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{2, 4}, {1, 16}}) {
    Rng rng(batch * 100 + k + 2);
    const size_t count = size_t(batch) * 16 * k;
    std::vector<float> a(count), bt(count);
    std::vector<double> av(count), bv(count);
    for (size_t x = 0; x < count; x++) {
      a[x] = float(av[x] = double(rng.range(-50, 50)));
      bt[x] = float(bv[x] = double(rng.range(-50, 50)) / 2);
    }
    uint64_t d = ctx.zeros<float>(size_t(batch) * 256);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 256), matmul(av, bv, {}, batch, 16, 16, k),
                    "v_mfma_f32_16x16x4_f32 D", where_in(16, 16));
  }
}

CORPUS_CASE(mfma_i8_16x16x32) {
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{1, 32}, {2, 64}}) {
    Rng rng(batch * 100 + k + 3);
    const size_t count = size_t(batch) * 16 * k;
    std::vector<int8_t> a(count), bt(count);
    for (size_t x = 0; x < count; x++) {
      a[x] = int8_t(rng.u32());
      bt[x] = int8_t(rng.u32());
    }
    std::vector<int32_t> want(size_t(batch) * 256);
    const int32_t init[4] = {1, -2, 3, -4};  // the accumulator's start, by register (row % 4)
    for (uint32_t b = 0; b < batch; b++)
      for (uint32_t i = 0; i < 16; i++)
        for (uint32_t j = 0; j < 16; j++) {
          int32_t sum = init[i % 4];
          for (uint32_t kk = 0; kk < k; kk++)
            sum += int32_t(a[(size_t(b) * 16 + i) * k + kk]) * int32_t(bt[(size_t(b) * 16 + j) * k + kk]);
          want[(size_t(b) * 16 + i) * 16 + j] = sum;
        }
    uint64_t d = ctx.zeros<int32_t>(size_t(batch) * 256);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<int32_t>(d, size_t(batch) * 256), want, "v_mfma_i32_16x16x32_i8 D", where_in(16, 16));
  }
}

namespace {

/// Random values of an fp8/bf8 format, each ±(1 + m/2^man_bits) * 2^e with e in [emin, emax]:
/// representable in both the fnuz and OCP variants; returns the values, `codes` gets their codes.
std::vector<double> small_float_values(Rng& rng, const SmallFloat& format, int emin, int emax, size_t count,
                                       std::vector<uint8_t>& codes) {
  std::vector<double> values(count);
  codes.resize(count);
  const int m = format.man_bits;
  for (size_t x = 0; x < count; x++) {
    double v = std::ldexp(1.0 + double(rng.range(0, (1 << m) - 1)) / (1 << m), int(rng.range(emin, emax)));
    if (rng.u32() & 1) v = -v;
    if (x % 17 == 0) v = 0;
    values[x] = v;
    codes[x] = uint8_t(format.encode(v));
  }
  return values;
}

}  // namespace

CORPUS_CASE(mfma_fp8_16x16x32) {
  const SmallFloat& fp8 = fp8_format(ctx.arch);
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{1, 32}, {2, 64}}) {
    Rng rng(batch * 100 + k + 4);
    const size_t count = size_t(batch) * 16 * k;
    std::vector<uint8_t> a, bt;
    std::vector<double> av = small_float_values(rng, fp8, -2, 2, count, a);
    std::vector<double> bv = small_float_values(rng, fp8, -2, 2, count, bt);
    uint64_t d = ctx.zeros<float>(size_t(batch) * 256);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 256), matmul(av, bv, {}, batch, 16, 16, k),
                    "v_mfma_f32_16x16x32_fp8_fp8 D", where_in(16, 16));
  }
}

CORPUS_CASE(mfma_bf8_32x32x16) {
  const SmallFloat& bf8 = bf8_format(ctx.arch);
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{1, 16}, {2, 48}}) {
    Rng rng(batch * 100 + k + 5);
    const size_t count = size_t(batch) * 32 * k;
    std::vector<uint8_t> a, bt;
    std::vector<double> av = small_float_values(rng, bf8, -3, 3, count, a);
    std::vector<double> bv = small_float_values(rng, bf8, -3, 3, count, bt);
    uint64_t d = ctx.zeros<float>(size_t(batch) * 1024);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 1024), matmul(av, bv, {}, batch, 32, 32, k),
                    "v_mfma_f32_32x32x16_bf8_bf8 D", where_in(32, 32));
  }
}

}  // namespace asmk::corpus

namespace asmk::corpus {

CORPUS_CASE_ON_ARCHS(mfma_scale_fp4_16x16x128, Arch::gfx950) {
  // A[16][128] and Bt[16][128] as fp4 codes (8 per word, element e of a word at bits 4e), e8m0
  // scales per (row, 32-wide k block) placed in the lane that holds that block: A's in byte 1 of
  // the lane's word, B's in byte 2 (the other bytes hold decoys).
  for (uint32_t batch : {1u, 2u}) {
    Rng rng(batch + 7);
    std::vector<uint32_t> a(batch * 256, 0), bt(batch * 256, 0), scale_a(batch * 64), scale_b(batch * 64);
    std::vector<double> av(batch * 16 * 128), bv(batch * 16 * 128);
    for (size_t x = 0; x < av.size(); x++) {
      const uint32_t ca = uint32_t(rng.range(0, 15)), cb = uint32_t(rng.range(0, 15));
      av[x] = kE2M1.decode(ca);
      bv[x] = kE2M1.decode(cb);
      a[x / 8] |= ca << (4 * (x % 8));
      bt[x / 8] |= cb << (4 * (x % 8));
    }
    // Scale exponents 127 +- 4 (2^-4 .. 2^4).
    std::vector<int> ea(batch * 64), eb(batch * 64);  // [g][kb][row] exponent - 127
    for (uint32_t g = 0; g < batch; g++)
      for (uint32_t l = 0; l < 64; l++) {
        const size_t at = size_t(g) * 64 + l;
        ea[at] = int(rng.range(-4, 4));
        eb[at] = int(rng.range(-4, 4));
        scale_a[at] = 0x11u | uint32_t(127 + ea[at]) << 8 | 0x22u << 16 | 0x33u << 24;  // byte 1 is A's
        scale_b[at] = 0x44u | 0x55u << 8 | uint32_t(127 + eb[at]) << 16 | 0x66u << 24;   // byte 2 is B's
      }
    std::vector<float> want(batch * 256);
    for (uint32_t g = 0; g < batch; g++)
      for (uint32_t i = 0; i < 16; i++)
        for (uint32_t j = 0; j < 16; j++) {
          double sum = 0;
          for (uint32_t kb = 0; kb < 4; kb++) {
            double block = 0;
            for (uint32_t k = 32 * kb; k < 32 * kb + 32; k++)
              block += av[(size_t(g) * 16 + i) * 128 + k] * bv[(size_t(g) * 16 + j) * 128 + k];
            // The lane holding row i (column j) of k block kb is i + 16 * kb.
            sum += std::ldexp(block, ea[size_t(g) * 64 + i + 16 * kb] + eb[size_t(g) * 64 + j + 16 * kb]);
          }
          want[(size_t(g) * 16 + i) * 16 + j] = float(sum);
        }
    uint64_t d = ctx.zeros<float>(batch * 256);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), ctx.upload(scale_a), ctx.upload(scale_b), d);
    ctx.expect_same(ctx.download<float>(d, batch * 256), want, "v_mfma_scale_f32_16x16x128_f8f6f4 (fp4 x fp4) D",
                    where_in(16, 16));
  }
}

}  // namespace asmk::corpus

namespace asmk::corpus {

CORPUS_CASE_ON_ARCHS(mfma_xf32_16x16x8, Arch::gfx942) {
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{1, 8}, {2, 24}}) {
    Rng rng(batch * 100 + k + 6);
    const size_t count = size_t(batch) * 16 * k;
    std::vector<float> a(count), bt(count);
    std::vector<double> av(count), bv(count);
    for (size_t x = 0; x < count; x++) {
      // Multiples of 1/64 below 8: at most 9 significant bits, exact in xf32.
      a[x] = float(av[x] = double(rng.range(-511, 511)) / 64);
      bt[x] = float(bv[x] = double(rng.range(-64, 64)) / 16);
    }
    uint64_t d = ctx.zeros<float>(size_t(batch) * 256);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 256), matmul(av, bv, {}, batch, 16, 16, k),
                    "v_mfma_f32_16x16x8_xf32 D", where_in(16, 16));
  }
}

CORPUS_CASE_ON_ARCHS(mfma_bf16_16x16x32, Arch::gfx950) {
  for (auto [batch, k] : {std::pair<uint32_t, uint32_t>{1, 32}, {3, 64}}) {
    Rng rng(batch * 100 + k + 8);
    const size_t count = size_t(batch) * 16 * k;
    std::vector<uint16_t> a(count), bt(count);
    std::vector<double> av(count), bv(count);
    for (size_t x = 0; x < count; x++) {
      av[x] = double(rng.range(-16, 16)) / 4;
      bv[x] = double(rng.range(-16, 16)) / 4;
      a[x] = bf16_bits(float(av[x]));
      bt[x] = bf16_bits(float(bv[x]));
    }
    uint64_t d = ctx.zeros<float>(size_t(batch) * 256);
    ctx.launch({batch, 1, 1}, {64, 1, 1}, ctx.upload(a), ctx.upload(bt), d, k);
    ctx.expect_same(ctx.download<float>(d, size_t(batch) * 256), matmul(av, bv, {}, batch, 16, 16, k),
                    "v_mfma_f32_16x16x32_bf16 D", where_in(16, 16));
  }
}

}  // namespace asmk::corpus
