// gemm_a8w8_blockscale through the C ABI (by argument names), against ref::gemm_a8w8_blockscale with the
// tolerance rule of ref/TOLERANCE.md. Every variant of the generated manifests runs on both devices
// (MI300X = gfx942, MI355X = gfx950) with ragged M (1, 17, 129), minimal N and K, N % 4 != 0, padded row
// strides (A, B, C and scale_a) and scaled-down DeepSeek-V3 shapes; strict mode (ASMK_EMU_STRICT=1 in the
// ctest environment) fails a launch on a missing wait, a hazard or an out-of-range access.
// Beyond the tolerance check: C's padding columns keep a sentinel, C has no slack after its last row, and
// the padding of A, B (past K) and scale_a (past K/128) holds values that would spoil any sum that read them.
// A separate test puts A, C and scale_a rows 16 MiB apart so the tile bases pass 2^32 bytes.
// Split-K (k_splits 2, 3; docs/contracts.md): every split's fp32 partials in the workspace are checked
// against the reference of its K chunk (block scales applied), an empty chunk must write zeros, C must
// stay untouched; then gemm_splitk_reduce (null scales and bias) writes C, checked against the full reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/gemm.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/tolerance.hpp"
#include "kernel_harness.hpp"

namespace asmk::test {
// Test names and failure messages show the device by name.
inline void PrintTo(const TestDevice& device, std::ostream* out) { *out << device.name << " (" << device.arch << ")"; }
}  // namespace asmk::test

namespace {

namespace ref = asmk::ref;
using asmk::test::Arg;
using asmk::test::Buffer;
using asmk::test::Session;
using asmk::test::Variant;

constexpr const char* kFamily = "gemm_a8w8_blockscale";
constexpr uint32_t kBlock = ref::gemm_scale_block;  // 128: K-block of both scales, N-block of scale_b
constexpr uint8_t kSentinel = 0xA5;

uint32_t ceil_div(uint32_t x, uint32_t d) { return (x + d - 1) / d; }
uint32_t round_up(uint32_t x, uint32_t to) { return ceil_div(x, to) * to; }

struct Problem {
  uint32_t m, n, k, stride_a, stride_b, stride_c, stride_scale_a;
};

// The host side of one problem: inputs (with hostile padding) and the reference.
struct Inputs {
  std::vector<uint8_t> a, b;
  std::vector<float> scale_a, scale_b;
};

// fp8 codes of `format` from normal(0, 2), saturated; columns past `cols` hold the largest finite value.
std::vector<uint8_t> random_fp8(ref::Format format, uint32_t rows, uint32_t cols, uint32_t stride, std::mt19937& rng) {
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<uint8_t> out(size_t(rows) * stride);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < stride; ++c)
      out[size_t(r) * stride + c] = uint8_t(ref::encode(format, c < cols ? normal(rng) : 1e9, ref::Overflow::saturate));
  return out;
}

// Scales spread over 2^-6 .. 2^2 so every K-block weighs differently (a scale taken from the wrong block
// or row shows); columns past `cols` hold 1e30, which would overflow any result that used them.
std::vector<float> random_scales(uint32_t rows, uint32_t cols, uint32_t stride, std::mt19937& rng) {
  std::uniform_real_distribution<float> exponent(-6.f, 2.f);
  std::vector<float> out(size_t(rows) * stride);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < stride; ++c) out[size_t(r) * stride + c] = c < cols ? std::exp2(exponent(rng)) : 1e30f;
  return out;
}

Inputs make_inputs(const std::string& arch, const Problem& p, uint32_t seed) {
  const ref::Format format = ref::fp8_format(arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950);
  const uint32_t kb = ceil_div(p.k, kBlock);
  std::mt19937 rng(seed);
  Inputs in;
  in.a = random_fp8(format, p.m, p.k, p.stride_a, rng);
  in.b = random_fp8(format, p.n, p.k, p.stride_b, rng);
  in.scale_a = random_scales(p.m, kb, p.stride_scale_a, rng);
  in.scale_b = random_scales(ceil_div(p.n, kBlock), kb, kb, rng);
  return in;
}

// The reference on the compact views of the inputs (scale_a is given row by row: ref wants it dense),
// over K [k_begin, k_begin + k_length) (whole K-blocks; the default: all of K).
ref::GemmRef reference(const std::string& arch, const Problem& p, const Inputs& in, uint32_t k_begin = 0,
                       uint32_t k_length = 0) {
  if (k_length == 0) k_length = p.k;
  const uint32_t kb = ceil_div(p.k, kBlock), kb0 = k_begin / kBlock, kbn = ceil_div(k_length, kBlock);
  std::vector<float> dense_scale_a(size_t(p.m) * kbn), dense_scale_b(size_t(ceil_div(p.n, kBlock)) * kbn);
  for (uint32_t r = 0; r < p.m; ++r)
    for (uint32_t c = 0; c < kbn; ++c) dense_scale_a[size_t(r) * kbn + c] = in.scale_a[size_t(r) * p.stride_scale_a + kb0 + c];
  for (uint32_t r = 0; r < ceil_div(p.n, kBlock); ++r)
    for (uint32_t c = 0; c < kbn; ++c) dense_scale_b[size_t(r) * kbn + c] = in.scale_b[size_t(r) * kb + kb0 + c];
  ref::GemmA8W8BlockscaleArgs args;
  args.type = ref::Elem8::fp8(ref::fp8_format(arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950));
  args.a = in.a.data() + k_begin;
  args.b = in.b.data() + k_begin;
  args.scale_a = dense_scale_a.data();
  args.scale_b = dense_scale_b.data();
  args.m = p.m, args.n = p.n, args.k = k_length, args.stride_a = p.stride_a, args.stride_b = p.stride_b;
  ref::GemmRef out;
  const ref::Status status = ref::gemm_a8w8_blockscale(args, out);
  EXPECT_TRUE(status.ok()) << status.error;
  return out;
}

// The K chunk of split z (docs/contracts.md): kc = ceil(K / (k_splits·128))·128, [z·kc, min(K, (z+1)·kc)).
struct Chunk {
  uint32_t begin, length;
};
Chunk k_chunk(uint32_t k, uint32_t k_splits, uint32_t z) {
  const uint32_t kc = ceil_div(k, k_splits * kBlock) * kBlock;
  const uint32_t begin = std::min(k, z * kc);
  return {begin, std::min(k, begin + kc) - begin};
}

// Counts bytes of C's padding columns [N, stride_c) that lost their sentinel.
size_t padding_written(const std::vector<uint8_t>& c, uint32_t m, uint32_t n, uint32_t stride_c) {
  size_t touched = 0;
  for (uint32_t row = 0; row < m; ++row)
    for (size_t byte = size_t(n) * 2; byte < size_t(stride_c) * 2; ++byte) touched += c[size_t(row) * stride_c * 2 + byte] != kSentinel;
  return touched;
}

// A problem must satisfy the variant's declared requirements (the selector would refuse it otherwise).
void expect_meets_requirements(const Variant& v, const Problem& p) {
  EXPECT_EQ(p.k % v.requirement("k_multiple"), 0u);
  EXPECT_EQ(p.n % v.requirement("n_multiple"), 0u);
  EXPECT_EQ(p.stride_a % v.requirement("row_align_bytes"), 0u);
  EXPECT_EQ(p.stride_b % v.requirement("row_align_bytes"), 0u);
  EXPECT_EQ(p.stride_c % v.requirement("c_stride_multiple"), 0u);
  EXPECT_EQ(v.requirement("scale_block_k", 0), kBlock);
  EXPECT_EQ(v.requirement("scale_block_n", 0), kBlock);
}

void run_problem(Session& session, const Variant& v, const Problem& p, uint32_t seed) {
  SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " strides a/b/c/sa "
                                  << p.stride_a << "/" << p.stride_b << "/" << p.stride_c << "/" << p.stride_scale_a);
  expect_meets_requirements(v, p);
  const Inputs in = make_inputs(v.arch, p, seed);
  Buffer a = session.upload(in.a), b = session.upload(in.b);
  Buffer scale_a = session.upload(in.scale_a), scale_b = session.upload(in.scale_b);
  Buffer c = session.filled(size_t(p.m) * p.stride_c * 2, kSentinel);  // no slack after the last row
  ASSERT_TRUE(session.launch(v.name,
                             {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", c), Arg::ptr("scale_a", scale_a),
                              Arg::ptr("scale_b", scale_b), Arg::u32("m", p.m), Arg::u32("n", p.n), Arg::u32("k", p.k),
                              Arg::u32("stride_a", p.stride_a), Arg::u32("stride_b", p.stride_b),
                              Arg::u32("stride_c", p.stride_c), Arg::u32("stride_scale_a", p.stride_scale_a),
                              Arg::ptr("workspace", nullptr), Arg::u32("k_splits", 1)}));
  const std::vector<uint8_t> out = c.download<uint8_t>();
  const ref::ErrorSummary summary = ref::compare_output(reference(v.arch, p, in), ref::OutType::bf16, out.data(), p.stride_c);
  EXPECT_TRUE(summary.ok()) << summary.describe();
  EXPECT_EQ(padding_written(out, p.m, p.n, p.stride_c), 0u) << "bytes written in C's padding columns";
}

class GemmBlockscaleOnDevice : public ::testing::TestWithParam<asmk::test::TestDevice> {};

TEST_P(GemmBlockscaleOnDevice, EveryVariantMatchesTheReference) {
  Session session(GetParam().name);
  ASSERT_TRUE(session.ok());
  const std::vector<Variant> variants = asmk::test::variants(GetParam().arch, kFamily);
  ASSERT_EQ(variants.size(), 7u) << "expected 7 tile variants per arch (m16n64, m16n128, m32n128, m64n64, m64n128, m128n64, m128n128)";
  uint32_t seed = 1;
  for (const Variant& v : variants) {
    const uint32_t m_tile = v.param_int("m_tile"), n_tile = v.param_int("n_tile");
    const Problem problems[] = {
        {1, 1, 128, 128, 128, 4, 1},                                               // minimal everything
        {17, n_tile + 3, 256, 272, 256, round_up(n_tile + 3, 4) + 4, 5},           // N % 4 != 0, padded strides
        {129, 2 * n_tile, 384, 384, 400, 2 * n_tile, 3},                           // 3 K-blocks: both LDS buffers
        {2 * m_tile, 200, 256, 256, 256, 200, 2},                                  // full M tiles, ragged 2nd scale_b row
    };
    for (const Problem& p : problems) run_problem(session, v, p, seed++);
  }
}

// Scaled-down DeepSeek-V3 linear layers (decode M = 1 and a small prefill M = 33).
TEST_P(GemmBlockscaleOnDevice, DeepSeekShapes) {
  Session session(GetParam().name);
  ASSERT_TRUE(session.ok());
  const std::vector<Variant> variants = asmk::test::variants(GetParam().arch, kFamily);
  ASSERT_FALSE(variants.empty());
  uint32_t seed = 100;
  for (const Variant& v : variants) {
    for (uint32_t m : {1u, 33u}) {
      run_problem(session, v, {m, 256, 512, 512, 512, 256, 4}, seed++);
      run_problem(session, v, {m, 512, 256, 256, 256, 512, 2}, seed++);
    }
  }
}

// A, C and scale_a rows 16 MiB apart: rows 256.. of a 300-row problem start past 4 GiB, so a 32-bit tile
// base anywhere would read or write the wrong rows. Only the used part of each row is written (the
// emulator's memory is sparse); C keeps a sentinel in 8 elements past N of every row.
TEST_P(GemmBlockscaleOnDevice, TensorsBeyond4GiB) {
  Session session(GetParam().name);
  ASSERT_TRUE(session.ok());
  const std::vector<Variant> variants = asmk::test::variants(GetParam().arch, kFamily);
  constexpr uint32_t kRowBytes = 1u << 24, kPad = 8;
  const Problem p{300, 72, 256, kRowBytes, 256, kRowBytes / 2, kRowBytes / 4};
  const Problem compact{p.m, p.n, p.k, p.k, p.stride_b, p.n + kPad, 2};  // host copies, the reference's view
  size_t tested = 0;
  for (const Variant& v : variants) {
    if (v.param_int("m_tile") != 128 || v.param_int("n_tile") != 64) continue;  // the largest in-tile offsets
    ++tested;
    SCOPED_TRACE(v.name);
    const Inputs in = make_inputs(v.arch, compact, 4242);
    const size_t extent = size_t(p.m - 1) * kRowBytes + kRowBytes / 2;
    Buffer a = session.alloc(extent), c = session.alloc(extent), scale_a = session.alloc(extent);
    Buffer b = session.upload(in.b), scale_b = session.upload(in.scale_b);
    const std::vector<uint8_t> sentinel_row((p.n + kPad) * 2, kSentinel);
    auto at = [](const Buffer& buf, size_t offset) { return static_cast<char*>(buf.get()) + offset; };
    for (uint32_t row = 0; row < p.m; ++row) {
      const size_t offset = size_t(row) * kRowBytes;
      ASSERT_EQ(asmk_memcpy(session.get(), at(a, offset), &in.a[size_t(row) * p.k], p.k, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
      ASSERT_EQ(asmk_memcpy(session.get(), at(scale_a, offset), &in.scale_a[size_t(row) * 2], 8, ASMK_COPY_HOST_TO_DEVICE),
                ASMK_SUCCESS);
      ASSERT_EQ(asmk_memcpy(session.get(), at(c, offset), sentinel_row.data(), sentinel_row.size(), ASMK_COPY_HOST_TO_DEVICE),
                ASMK_SUCCESS);
    }
    ASSERT_TRUE(session.launch(v.name,
                               {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", c), Arg::ptr("scale_a", scale_a),
                                Arg::ptr("scale_b", scale_b), Arg::u32("m", p.m), Arg::u32("n", p.n), Arg::u32("k", p.k),
                                Arg::u32("stride_a", p.stride_a), Arg::u32("stride_b", p.stride_b),
                                Arg::u32("stride_c", p.stride_c), Arg::u32("stride_scale_a", p.stride_scale_a),
                              Arg::ptr("workspace", nullptr), Arg::u32("k_splits", 1)}));
    std::vector<uint8_t> out(size_t(p.m) * (p.n + kPad) * 2);
    for (uint32_t row = 0; row < p.m; ++row)
      ASSERT_EQ(asmk_memcpy(session.get(), &out[size_t(row) * (p.n + kPad) * 2], at(c, size_t(row) * kRowBytes),
                            (p.n + kPad) * 2, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
    const ref::ErrorSummary summary =
        ref::compare_output(reference(v.arch, compact, in), ref::OutType::bf16, out.data(), p.n + kPad);
    EXPECT_TRUE(summary.ok()) << summary.describe();
    EXPECT_EQ(padding_written(out, p.m, p.n, p.n + kPad), 0u) << "bytes written past column N";
  }
  EXPECT_EQ(tested, 1u) << "expected one m128 n64 variant";
}

// Split-K with k_splits 2 and 3 on every variant: ragged M and N, K of 2 K-blocks (3 splits: one empty
// chunk) and of 5 K-blocks (uneven chunks), padded strides.
TEST_P(GemmBlockscaleOnDevice, SplitKMatchesTheReference) {
  Session session(GetParam().name);
  ASSERT_TRUE(session.ok());
  const std::vector<Variant> variants = asmk::test::variants(GetParam().arch, kFamily);
  std::string reduce;
  for (const Variant& r : asmk::test::variants(GetParam().arch, "gemm_splitk_reduce"))
    if (r.param_str("out_dtype") == "bf16") reduce = r.name;
  ASSERT_FALSE(reduce.empty()) << "no gemm_splitk_reduce kernel with out_dtype bf16";
  uint32_t seed = 700;
  for (const Variant& v : variants) {
    const uint32_t n_tile = v.param_int("n_tile");
    const Problem problems[] = {
        {17, n_tile + 3, 256, 272, 256, round_up(n_tile + 3, 4) + 4, 3},  // 2 K-blocks
        {33, 2 * n_tile, 640, 640, 656, 2 * n_tile, 5},                   // 5 K-blocks
    };
    for (const Problem& p : problems) {
      for (uint32_t k_splits : {2u, 3u}) {
        SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " k_splits=" << k_splits);
        expect_meets_requirements(v, p);
        const Inputs in = make_inputs(v.arch, p, seed++);
        Buffer a = session.upload(in.a), b = session.upload(in.b);
        Buffer scale_a = session.upload(in.scale_a), scale_b = session.upload(in.scale_b);
        Buffer c = session.filled(size_t(p.m) * p.stride_c * 2, kSentinel);
        Buffer ws = session.filled(size_t(k_splits) * p.m * p.n * 4, kSentinel);  // no slack: dense [k_splits, M, N]
        ASSERT_TRUE(session.launch(v.name,
                                   {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", c), Arg::ptr("scale_a", scale_a),
                                    Arg::ptr("scale_b", scale_b), Arg::u32("m", p.m), Arg::u32("n", p.n),
                                    Arg::u32("k", p.k), Arg::u32("stride_a", p.stride_a),
                                    Arg::u32("stride_b", p.stride_b), Arg::u32("stride_c", p.stride_c),
                                    Arg::u32("stride_scale_a", p.stride_scale_a), Arg::ptr("workspace", ws),
                                    Arg::u32("k_splits", k_splits)}));
        EXPECT_EQ(padding_written(c.download<uint8_t>(), p.m, 0, p.stride_c), 0u)
            << "a split-K launch wrote C (it must write only the workspace)";
        const std::vector<float> partials = ws.download<float>();
        size_t empty_chunks = 0;
        for (uint32_t z = 0; z < k_splits; ++z) {
          const Chunk chunk = k_chunk(p.k, k_splits, z);
          const float* slice = partials.data() + size_t(z) * p.m * p.n;
          if (chunk.length == 0) {
            ++empty_chunks;
            size_t nonzero = 0;
            for (size_t i = 0; i < size_t(p.m) * p.n; ++i) nonzero += slice[i] != 0.f;  // also catches the sentinel
            EXPECT_EQ(nonzero, 0u) << "split " << z << " has an empty K chunk and must write zeros";
            continue;
          }
          const ref::ErrorSummary summary = ref::compare_output(reference(v.arch, p, in, chunk.begin, chunk.length),
                                                                ref::OutType::f32, slice, p.n);
          EXPECT_TRUE(summary.ok()) << "split " << z << " (K " << chunk.begin << " +" << chunk.length
                                    << "): " << summary.describe();
        }
        if (p.k == 256 && k_splits == 3) EXPECT_EQ(empty_chunks, 1u) << "the case meant to have an empty chunk";
        ASSERT_TRUE(session.launch(reduce,
                                   {Arg::ptr("workspace", ws), Arg::ptr("c", c), Arg::ptr("scale_a", nullptr),
                                    Arg::ptr("scale_b", nullptr), Arg::ptr("bias", nullptr), Arg::u32("m", p.m),
                                    Arg::u32("n", p.n), Arg::u32("k_splits", k_splits),
                                    Arg::u32("stride_c", p.stride_c)}));
        const std::vector<uint8_t> out = c.download<uint8_t>();
        const ref::ErrorSummary summary = ref::compare_output(reference(v.arch, p, in), ref::OutType::bf16, out.data(), p.stride_c);
        EXPECT_TRUE(summary.ok()) << "reduced C: " << summary.describe();
        EXPECT_EQ(padding_written(out, p.m, p.n, p.stride_c), 0u) << "bytes written in C's padding columns";
      }
    }
  }
}

// The op path: asmk_gemm_a8w8_blockscale validates, selects a variant by its `requires` and launches it.
TEST_P(GemmBlockscaleOnDevice, OpSelectsAndRuns) {
  Session session(GetParam().name);
  ASSERT_TRUE(session.ok());
  const Problem problems[] = {
      {1, 256, 512, 512, 512, 256, 4}, {33, 512, 256, 256, 256, 512, 2}, {129, 200, 384, 400, 384, 204, 3}};
  uint32_t seed = 500;
  for (const Problem& p : problems) {
    SCOPED_TRACE(testing::Message() << "M=" << p.m << " N=" << p.n << " K=" << p.k);
    const Inputs in = make_inputs(GetParam().arch, p, seed++);
    Buffer a = session.upload(in.a), b = session.upload(in.b);
    Buffer scale_a = session.upload(in.scale_a), scale_b = session.upload(in.scale_b);
    Buffer c = session.filled(size_t(p.m) * p.stride_c * 2, kSentinel);
    asmk_gemm_a8w8_blockscale_args args = ASMK_INIT(asmk_gemm_a8w8_blockscale_args);
    args.m = p.m, args.n = p.n, args.k = p.k;
    args.in_dtype = ASMK_DTYPE_FP8;
    args.out_dtype = ASMK_DTYPE_BF16;
    args.stride_a = p.stride_a, args.stride_b = p.stride_b, args.stride_c = p.stride_c;
    args.stride_scale_a = p.stride_scale_a;
    args.a = a.get(), args.b = b.get(), args.c = c.get();
    args.scale_a = static_cast<const float*>(scale_a.get());
    args.scale_b = static_cast<const float*>(scale_b.get());
    args.a_bytes = a.bytes(), args.b_bytes = b.bytes(), args.c_bytes = c.bytes();
    args.scale_a_bytes = scale_a.bytes(), args.scale_b_bytes = scale_b.bytes();
    asmk_selection selection = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_gemm_a8w8_blockscale(session.get(), &args, nullptr, &selection), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(asmk_synchronize(session.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    SCOPED_TRACE(selection.kernel_name);
    const std::vector<uint8_t> out = c.download<uint8_t>();
    const ref::ErrorSummary summary =
        ref::compare_output(reference(GetParam().arch, p, in), ref::OutType::bf16, out.data(), p.stride_c);
    EXPECT_TRUE(summary.ok()) << summary.describe();
    EXPECT_EQ(padding_written(out, p.m, p.n, p.stride_c), 0u) << "bytes written in C's padding columns";
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, GemmBlockscaleOnDevice, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
