// gemm_a4w4 on the device the C ABI opens (the emulator by default), against ref::gemm_a4w4 with the
// tolerance rule of ref/TOLERANCE.md: every variant with ragged M (1, 17, 129), minimal N and K, padded
// strides (padding bytes that would spoil any sum or scale that read them), C's padding columns keeping
// a sentinel, C allocated with no slack after its last row; then the chain quant_mxfp4 -> gemm_a4w4
// against the reference chain ref::quant_mxfp4 -> ref::gemm_a4w4. Split-K (k_splits 2, 3; docs/contracts.md):
// every split's fp32 partials in the workspace against the reference of its K chunk (an empty chunk must
// write zeros, C must stay untouched), then gemm_splitk_reduce (null scales and bias) -> C against the full
// reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "asmk/ref/gemm.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/quant.hpp"
#include "asmk/ref/tolerance.hpp"
#include "kernel_harness.hpp"

namespace {

namespace ref = asmk::ref;
using asmk::test::Arg;
using asmk::test::Buffer;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint8_t kSentinel = 0xA5;
constexpr uint8_t kSpoilingCodes = 0x77;  // two e2m1 6.0s: a padding byte read into a sum shows
constexpr uint8_t kNanScale = 0xFF;        // e8m0 NaN: a padding scale read into a sum makes it NaN

struct Problem {
  uint32_t m, n, k;
  uint32_t stride_a, stride_b, stride_c, stride_sa, stride_sb;  // bytes, bytes, elements, bytes, bytes
};

// Problem with the tightest strides plus the given padding.
Problem shape(uint32_t m, uint32_t n, uint32_t k, uint32_t pad_ab = 0, uint32_t pad_c = 0, uint32_t pad_s = 0) {
  return {m, n, k, k / 2 + pad_ab, k / 2 + 2 * pad_ab, n + pad_c, k / 32 + pad_s, k / 32 + 3 * pad_s};
}

// Bytes of `rows` rows of `used` bytes at `stride`, ending right after the last row's used bytes (no slack:
// a read past it faults), padding filled with `pad`.
std::vector<uint8_t> tight_rows(uint32_t rows, uint32_t used, uint32_t stride, uint8_t pad) {
  return std::vector<uint8_t>(size_t(rows - 1) * stride + used, pad);
}

// Rows of random e2m1 bytes (every code is finite) with spoiling padding.
std::vector<uint8_t> random_fp4(uint32_t rows, uint32_t k, uint32_t stride, std::mt19937& rng) {
  std::vector<uint8_t> out = tight_rows(rows, k / 2, stride, kSpoilingCodes);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < k / 2; ++c) out[size_t(r) * stride + c] = uint8_t(rng());
  return out;
}

// e8m0 scales around 1 (2^-9 .. 2^9) with NaN padding.
std::vector<uint8_t> random_scales(uint32_t rows, uint32_t k, uint32_t stride, std::mt19937& rng) {
  std::vector<uint8_t> out = tight_rows(rows, k / 32, stride, kNanScale);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < k / 32; ++c) out[size_t(r) * stride + c] = uint8_t(118 + rng() % 19);
  return out;
}

// C's bytes: every row's stride, the last row ending at column N (a store past it faults).
size_t c_bytes(const Problem& p) { return (size_t(p.m - 1) * p.stride_c + p.n) * 2; }

size_t padding_written(const std::vector<uint16_t>& c, const Problem& p) {
  size_t touched = 0;
  for (uint32_t row = 0; row + 1 < p.m; ++row)
    for (uint32_t col = p.n; col < p.stride_c; ++col) touched += c[size_t(row) * p.stride_c + col] != 0xA5A5;
  return touched;
}

// k_splits 1 (the default): C, no workspace; > 1: the fp32 partials into `workspace`.
::testing::AssertionResult launch_gemm(Session& s, const Variant& v, const Problem& p, const Buffer& a,
                                       const Buffer& b, const Buffer& c, const Buffer& sa, const Buffer& sb,
                                       const void* workspace = nullptr, uint32_t k_splits = 1) {
  return s.launch(v.name,
                  {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", c), Arg::ptr("scale_a", sa),
                   Arg::ptr("scale_b", sb), Arg::u32("m", p.m), Arg::u32("n", p.n), Arg::u32("k", p.k),
                   Arg::u32("stride_a", p.stride_a), Arg::u32("stride_b", p.stride_b),
                   Arg::u32("stride_c", p.stride_c), Arg::u32("stride_scale_a", p.stride_sa),
                   Arg::u32("stride_scale_b", p.stride_sb), Arg::ptr("workspace", workspace),
                   Arg::u32("k_splits", k_splits)});
}

// ref::gemm_a4w4 over K [k_begin, k_begin + k_length) of the host inputs (k_begin a multiple of 32).
ref::GemmRef reference(const Problem& p, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
                       const std::vector<uint8_t>& sa, const std::vector<uint8_t>& sb, uint32_t k_begin,
                       uint32_t k_length) {
  ref::GemmA4W4Args r;
  r.a = a.data() + k_begin / 2; r.b = b.data() + k_begin / 2;
  r.scale_a = sa.data() + k_begin / 32; r.scale_b = sb.data() + k_begin / 32;
  r.m = p.m; r.n = p.n; r.k = k_length;
  r.stride_a = p.stride_a; r.stride_b = p.stride_b; r.stride_scale_a = p.stride_sa; r.stride_scale_b = p.stride_sb;
  ref::GemmRef expected;
  const ref::Status status = ref::gemm_a4w4(r, expected);
  EXPECT_TRUE(status.ok()) << status.error;
  return expected;
}

// Checks C (with its padding) against the reference result.
void expect_matches(const ref::GemmRef& expected, const std::vector<uint16_t>& c, const Problem& p) {
  const ref::ErrorSummary summary = ref::compare_output(expected, ref::OutType::bf16, c.data(), p.stride_c);
  EXPECT_TRUE(summary.ok()) << summary.describe();
  EXPECT_EQ(padding_written(c, p), 0u) << "elements written in C's padding columns";
}

void run_problem(Session& s, const Variant& v, const Problem& p, uint32_t seed) {
  SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " strides a/b/c/sa/sb "
                                  << p.stride_a << "/" << p.stride_b << "/" << p.stride_c << "/" << p.stride_sa << "/"
                                  << p.stride_sb);
  std::mt19937 rng(seed);
  const std::vector<uint8_t> a = random_fp4(p.m, p.k, p.stride_a, rng);
  const std::vector<uint8_t> b = random_fp4(p.n, p.k, p.stride_b, rng);
  const std::vector<uint8_t> sa = random_scales(p.m, p.k, p.stride_sa, rng);
  const std::vector<uint8_t> sb = random_scales(p.n, p.k, p.stride_sb, rng);
  Buffer da = s.upload(a), db = s.upload(b), dsa = s.upload(sa), dsb = s.upload(sb);
  Buffer dc = s.filled(c_bytes(p), kSentinel);
  ASSERT_TRUE(launch_gemm(s, v, p, da, db, dc, dsa, dsb));

  ref::GemmA4W4Args r;
  r.a = a.data(); r.b = b.data(); r.scale_a = sa.data(); r.scale_b = sb.data();
  r.m = p.m; r.n = p.n; r.k = p.k;
  r.stride_a = p.stride_a; r.stride_b = p.stride_b; r.stride_scale_a = p.stride_sa; r.stride_scale_b = p.stride_sb;
  ref::GemmRef expected;
  const ref::Status status = ref::gemm_a4w4(r, expected);
  ASSERT_TRUE(status.ok()) << status.error;
  expect_matches(expected, dc.download<uint16_t>(), p);
}

// Split-K run of `v` on `p`: the partials of every split, then the reduce and C.
void run_split_k(Session& s, const Variant& v, const std::string& reduce, const Problem& p, uint32_t k_splits,
                 uint32_t seed) {
  SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " k_splits=" << k_splits);
  std::mt19937 rng(seed);
  const std::vector<uint8_t> a = random_fp4(p.m, p.k, p.stride_a, rng);
  const std::vector<uint8_t> b = random_fp4(p.n, p.k, p.stride_b, rng);
  const std::vector<uint8_t> sa = random_scales(p.m, p.k, p.stride_sa, rng);
  const std::vector<uint8_t> sb = random_scales(p.n, p.k, p.stride_sb, rng);
  Buffer da = s.upload(a), db = s.upload(b), dsa = s.upload(sa), dsb = s.upload(sb);
  Buffer dc = s.filled(c_bytes(p), kSentinel);
  Buffer ws = s.filled(size_t(k_splits) * p.m * p.n * 4, kSentinel);  // dense [k_splits, M, N], no slack
  ASSERT_TRUE(launch_gemm(s, v, p, da, db, dc, dsa, dsb, ws.get(), k_splits));
  const std::vector<uint8_t> c_after = dc.download<uint8_t>();
  EXPECT_EQ(size_t(std::count(c_after.begin(), c_after.end(), kSentinel)), c_after.size())
      << "a split-K launch wrote C (it must write only the workspace)";

  // The chunks (docs/contracts.md): kc = ceil(K / (k_splits·128))·128, split z: [z·kc, min(K, (z+1)·kc)).
  const uint32_t kc = (p.k + 128 * k_splits - 1) / (128 * k_splits) * 128;
  const std::vector<float> partials = ws.download<float>();
  for (uint32_t z = 0; z < k_splits; ++z) {
    const uint32_t begin = std::min(p.k, z * kc), length = std::min(p.k, begin + kc) - begin;
    const float* slice = partials.data() + size_t(z) * p.m * p.n;
    if (length == 0) {
      size_t nonzero = 0;
      for (size_t i = 0; i < size_t(p.m) * p.n; ++i) nonzero += slice[i] != 0.f;  // also catches the sentinel
      EXPECT_EQ(nonzero, 0u) << "split " << z << " has an empty K chunk and must write zeros";
      continue;
    }
    const ref::ErrorSummary summary =
        ref::compare_output(reference(p, a, b, sa, sb, begin, length), ref::OutType::f32, slice, p.n);
    EXPECT_TRUE(summary.ok()) << "split " << z << " (K " << begin << " +" << length << "): " << summary.describe();
  }
  ASSERT_TRUE(s.launch(reduce,
                       {Arg::ptr("workspace", ws), Arg::ptr("c", dc), Arg::ptr("scale_a", nullptr),
                        Arg::ptr("scale_b", nullptr), Arg::ptr("bias", nullptr), Arg::u32("m", p.m),
                        Arg::u32("n", p.n), Arg::u32("k_splits", k_splits), Arg::u32("stride_c", p.stride_c)}));
  expect_matches(reference(p, a, b, sa, sb, 0, p.k), dc.download<uint16_t>(), p);
}

class GemmA4W4 : public ::testing::Test {
 protected:
  Session session_{"MI355X"};
  std::vector<Variant> variants_ = asmk::test::variants("gfx950", "gemm_a4w4");
};

TEST_F(GemmA4W4, EveryVariantRaggedM) {
  ASSERT_TRUE(session_.ok());
  uint32_t seed = 10;
  for (const Variant& v : variants_) {
    EXPECT_EQ(v.requirement("k_multiple"), 128u) << v.name;
    for (uint32_t m : {1u, 17u, 129u}) run_problem(session_, v, shape(m, 68, 512, 16, 6, 3), seed++);
  }
}

TEST_F(GemmA4W4, EveryVariantMinimalNAndK) {
  ASSERT_TRUE(session_.ok());
  uint32_t seed = 30;
  for (const Variant& v : variants_) {
    run_problem(session_, v, shape(3, 4, 128), seed++);            // tight strides, one K step, one column group
    run_problem(session_, v, shape(2, 4, 128, 1, 1, 1), seed++);   // odd padding: unaligned rows
  }
}

// A scaled-down model shape: several tiles in both directions and a longer K loop (both buffers, both exits).
TEST_F(GemmA4W4, EveryVariantScaledDownShape) {
  ASSERT_TRUE(session_.ok());
  uint32_t seed = 50;
  for (const Variant& v : variants_) {
    run_problem(session_, v, shape(40, 264, 640, 0, 8, 0), seed++);   // K / 128 = 5 steps (odd)
    run_problem(session_, v, shape(9, 132, 512, 32, 4, 4), seed++);   // 4 steps (even)
    run_problem(session_, v, shape(5, 36, 4096, 16, 4, 2), seed++);   // 32 steps: a long K loop
  }
}

// Split-K on every variant: K of 2 steps with 3 splits (one empty chunk), K of 5 steps (uneven chunks),
// ragged M, padded strides.
TEST_F(GemmA4W4, EveryVariantSplitK) {
  ASSERT_TRUE(session_.ok());
  std::string reduce;
  for (const Variant& r : asmk::test::variants("gfx950", "gemm_splitk_reduce"))
    if (r.param_str("out_dtype") == "bf16") reduce = r.name;
  ASSERT_FALSE(reduce.empty()) << "no gemm_splitk_reduce kernel with out_dtype bf16";
  uint32_t seed = 70;
  for (const Variant& v : variants_) {
    run_split_k(session_, v, reduce, shape(17, 68, 256, 16, 4, 2), 3, seed++);  // chunks 128, 128, 0
    run_split_k(session_, v, reduce, shape(33, 132, 640, 0, 8, 1), 2, seed++);  // chunks 384, 256
    run_split_k(session_, v, reduce, shape(33, 132, 640, 0, 8, 1), 3, seed++);  // chunks 256, 256, 128
  }
}

// A and C rows 32 MiB apart: the second row tile starts past 4 GiB, so 32-bit row arithmetic anywhere would
// read or write the wrong rows. Only the rows' used parts are written (the emulator's memory is sparse).
TEST_F(GemmA4W4, EveryVariantRowBasesPast4GiB) {
  ASSERT_TRUE(session_.ok());
  const uint32_t m = 129, n = 68, k = 256, row_bytes = 1u << 25;
  const Problem compact = shape(m, n, k);
  Problem p = compact;
  p.stride_a = row_bytes;
  p.stride_sa = row_bytes;
  p.stride_c = row_bytes / 2;
  std::mt19937 rng(99);
  const std::vector<uint8_t> a = random_fp4(m, k, compact.stride_a, rng), b = random_fp4(n, k, compact.stride_b, rng);
  const std::vector<uint8_t> sa = random_scales(m, k, compact.stride_sa, rng), sb = random_scales(n, k, compact.stride_sb, rng);
  ref::GemmA4W4Args r;
  r.a = a.data(); r.b = b.data(); r.scale_a = sa.data(); r.scale_b = sb.data();
  r.m = m; r.n = n; r.k = k;
  r.stride_a = compact.stride_a; r.stride_b = compact.stride_b;
  r.stride_scale_a = compact.stride_sa; r.stride_scale_b = compact.stride_sb;
  ref::GemmRef expected;
  ASSERT_TRUE(ref::gemm_a4w4(r, expected).ok());

  asmk_context* ctx = session_.get();
  auto at = [](const Buffer& buffer, uint64_t offset) { return static_cast<char*>(buffer.get()) + offset; };
  Buffer da = session_.alloc(uint64_t(m - 1) * row_bytes + k / 2), dsa = session_.alloc(uint64_t(m - 1) * row_bytes + k / 32);
  Buffer dc = session_.alloc(uint64_t(m - 1) * row_bytes + 2 * (n + 8));
  Buffer db = session_.upload(b), dsb = session_.upload(sb);
  const std::vector<uint16_t> sentinel_row(n + 8, 0xA5A5);
  for (uint32_t row = 0; row < m; ++row) {
    ASSERT_EQ(asmk_memcpy(ctx, at(da, uint64_t(row) * row_bytes), &a[size_t(row) * compact.stride_a], k / 2,
                          ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(asmk_memcpy(ctx, at(dsa, uint64_t(row) * row_bytes), &sa[size_t(row) * compact.stride_sa], k / 32,
                          ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS) << asmk_last_error();
  }
  for (const Variant& v : variants_) {
    SCOPED_TRACE(v.name);
    for (uint32_t row = 0; row < m; ++row)
      ASSERT_EQ(asmk_memcpy(ctx, at(dc, uint64_t(row) * row_bytes), sentinel_row.data(), 2 * (n + 8),
                            ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_TRUE(launch_gemm(session_, v, p, da, db, dc, dsa, dsb));
    std::vector<uint16_t> c(size_t(m) * (n + 8));  // compact: row stride n + 8, 8 sentinel columns per row
    for (uint32_t row = 0; row < m; ++row)
      ASSERT_EQ(asmk_memcpy(ctx, &c[size_t(row) * (n + 8)], at(dc, uint64_t(row) * row_bytes), 2 * (n + 8),
                            ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS) << asmk_last_error();
    Problem seen = compact;
    seen.stride_c = n + 8;
    expect_matches(expected, c, seen);
  }
}

// quant_mxfp4 (activations and weights) -> gemm_a4w4 on the device, against the reference chain.
TEST_F(GemmA4W4, ChainFromQuantMxfp4MatchesReferenceChain) {
  ASSERT_TRUE(session_.ok());
  std::vector<Variant> quants;
  for (const Variant& q : asmk::test::variants("gfx950", "quant_mxfp4"))
    if (q.param_str("in_dtype") == "bf16") quants.push_back(q);
  ASSERT_FALSE(quants.empty());
  const Variant& quant = quants.front();

  const uint32_t m = 19, n = 72, k = 384;
  std::mt19937 rng(77);
  std::normal_distribution<float> normal(0.f, 1.f);
  auto bf16_matrix = [&](uint32_t rows, float spread) {
    std::vector<uint16_t> out(size_t(rows) * k);
    for (size_t i = 0; i < out.size(); ++i) out[i] = ref::f32_to_bf16(normal(rng) * (i % 37 == 3 ? spread : 1.f));
    return out;
  };
  const std::vector<uint16_t> x = bf16_matrix(m, 30.f), w = bf16_matrix(n, 0.05f);

  // Quantize both on the device.
  auto quantize = [&](const std::vector<uint16_t>& src, uint32_t rows, Buffer& codes, Buffer& scales) {
    Buffer dsrc = session_.upload(src);
    codes = session_.filled(size_t(rows) * k / 2, kSentinel);
    scales = session_.filled(size_t(rows) * k / 32, kSentinel);
    return session_.launch(quant.name,
                           {Arg::ptr("x", dsrc), Arg::ptr("y", codes), Arg::ptr("scale", scales), Arg::u32("m", rows),
                            Arg::u32("n", k), Arg::u32("stride_x", k), Arg::u32("stride_y", k / 2),
                            Arg::u32("stride_scale", k / 32)});
  };
  Buffer da, dsa, db, dsb;
  ASSERT_TRUE(quantize(x, m, da, dsa));
  ASSERT_TRUE(quantize(w, n, db, dsb));

  // The reference chain.
  std::vector<uint8_t> a(size_t(m) * k / 2), sa(size_t(m) * k / 32), b(size_t(n) * k / 2), sb(size_t(n) * k / 32);
  auto ref_quant = [&](const std::vector<uint16_t>& src, uint32_t rows, std::vector<uint8_t>& y, std::vector<uint8_t>& s) {
    ref::QuantMxfp4Args q;
    q.x = src.data(); q.y = y.data(); q.scale = s.data();
    q.m = rows; q.n = k; q.stride_x = k; q.stride_y = k / 2; q.stride_scale = k / 32;
    return ref::quant_mxfp4(q).ok();
  };
  ASSERT_TRUE(ref_quant(x, m, a, sa));
  ASSERT_TRUE(ref_quant(w, n, b, sb));
  EXPECT_EQ(da.download<uint8_t>(), a) << "activation codes";
  EXPECT_EQ(dsa.download<uint8_t>(), sa) << "activation scales";
  EXPECT_EQ(db.download<uint8_t>(), b) << "weight codes";
  EXPECT_EQ(dsb.download<uint8_t>(), sb) << "weight scales";
  ref::GemmA4W4Args r;
  r.a = a.data(); r.b = b.data(); r.scale_a = sa.data(); r.scale_b = sb.data();
  r.m = m; r.n = n; r.k = k; r.stride_a = k / 2; r.stride_b = k / 2; r.stride_scale_a = k / 32; r.stride_scale_b = k / 32;
  ref::GemmRef expected;
  ASSERT_TRUE(ref::gemm_a4w4(r, expected).ok());

  const Problem p = shape(m, n, k);
  for (const Variant& v : variants_) {
    SCOPED_TRACE(v.name);
    Buffer dc = session_.filled(c_bytes(p), kSentinel);
    ASSERT_TRUE(launch_gemm(session_, v, p, da, db, dc, dsa, dsb));
    expect_matches(expected, dc.download<uint16_t>(), p);
  }
}

// The same chain through the op functions (selection, requirements, argument binding by libasmk).
TEST_F(GemmA4W4, ChainThroughTheOpFunctions) {
  ASSERT_TRUE(session_.ok());
  const uint32_t m = 33, n = 100, k = 256;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<uint16_t> x(size_t(m) * k), w(size_t(n) * k);
  for (uint16_t& v : x) v = ref::f32_to_bf16(normal(rng) * 3.f);
  for (uint16_t& v : w) v = ref::f32_to_bf16(normal(rng) * 0.1f);
  asmk_context* ctx = session_.get();

  Buffer dx = session_.upload(x), dw = session_.upload(w);
  Buffer da = session_.alloc(size_t(m) * k / 2), dsa = session_.alloc(size_t(m) * k / 32);
  Buffer db = session_.alloc(size_t(n) * k / 2), dsb = session_.alloc(size_t(n) * k / 32);
  Buffer dc = session_.filled(size_t(m) * n * 2, kSentinel);
  auto quantize = [&](const Buffer& src, uint32_t rows, const Buffer& codes, const Buffer& scales) {
    asmk_quant_mxfp4_args q = ASMK_INIT(asmk_quant_mxfp4_args);
    q.m = rows; q.n = k; q.in_dtype = ASMK_DTYPE_BF16;
    q.x = src.get(); q.y = codes.get(); q.scale = static_cast<uint8_t*>(scales.get());
    q.x_bytes = src.bytes(); q.y_bytes = codes.bytes(); q.scale_bytes = scales.bytes();
    asmk_selection selection = ASMK_INIT(asmk_selection);
    EXPECT_EQ(asmk_quant_mxfp4(ctx, &q, nullptr, &selection), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(asmk_synchronize(ctx, nullptr), ASMK_SUCCESS) << asmk_last_error();
  };
  quantize(dx, m, da, dsa);
  quantize(dw, n, db, dsb);
  asmk_gemm_a4w4_args g = ASMK_INIT(asmk_gemm_a4w4_args);
  g.m = m; g.n = n; g.k = k; g.out_dtype = ASMK_DTYPE_BF16;
  g.a = da.get(); g.b = db.get(); g.c = dc.get();
  g.scale_a = static_cast<const uint8_t*>(dsa.get()); g.scale_b = static_cast<const uint8_t*>(dsb.get());
  g.a_bytes = da.bytes(); g.b_bytes = db.bytes(); g.c_bytes = dc.bytes();
  g.scale_a_bytes = dsa.bytes(); g.scale_b_bytes = dsb.bytes();
  asmk_selection selection = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_gemm_a4w4(ctx, &g, nullptr, &selection), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(ctx, nullptr), ASMK_SUCCESS) << asmk_last_error();
  SCOPED_TRACE(selection.kernel_name);

  std::vector<uint8_t> a(size_t(m) * k / 2), sa(size_t(m) * k / 32), b(size_t(n) * k / 2), sb(size_t(n) * k / 32);
  for (auto [src, rows, y, sc] : {std::tuple{&x, m, &a, &sa}, std::tuple{&w, n, &b, &sb}}) {
    ref::QuantMxfp4Args q;
    q.x = src->data(); q.y = y->data(); q.scale = sc->data();
    q.m = rows; q.n = k; q.stride_x = k; q.stride_y = k / 2; q.stride_scale = k / 32;
    ASSERT_TRUE(ref::quant_mxfp4(q).ok());
  }
  EXPECT_EQ(da.download<uint8_t>(), a);
  EXPECT_EQ(dsb.download<uint8_t>(), sb);
  ref::GemmA4W4Args r;
  r.a = a.data(); r.b = b.data(); r.scale_a = sa.data(); r.scale_b = sb.data();
  r.m = m; r.n = n; r.k = k; r.stride_a = k / 2; r.stride_b = k / 2; r.stride_scale_a = k / 32; r.stride_scale_b = k / 32;
  ref::GemmRef expected;
  ASSERT_TRUE(ref::gemm_a4w4(r, expected).ok());
  expect_matches(expected, dc.download<uint16_t>(), shape(m, n, k));
}

}  // namespace
