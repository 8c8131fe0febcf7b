// The GEMM families (gemm_bf16, gemm_a8w8, gemm_splitk_reduce) through the C ABI, against the
// references in ref/ (gemm.hpp) with the tolerance rule of ref/TOLERANCE.md. Every variant of the
// manifests runs on small problems with ragged M (1, 17, 129), minimal N and K, N and K of a few tiles
// and padded row strides (K and strides follow the variant's `requires`), in strict mode (ctest sets
// ASMK_EMU_STRICT=1: a missing s_waitcnt, hazard or out-of-range access fails the launch).
// Beyond the tolerance check: C's padding columns keep a sentinel (nothing is written outside
// [0, M) x [0, N)), and C has no slack after its last row (a stray store past it would fault).
// Split-K: every partial in the workspace is checked against the reference of its K chunk (the
// contract in docs/contracts.md), then the reduced C against the full reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "asmk/ref/gemm.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/shuffle.hpp"
#include "asmk/ref/tolerance.hpp"
#include "kernel_harness.hpp"

namespace {

namespace ref = asmk::ref;
using asmk::test::Arg;
using asmk::test::Buffer;
using asmk::test::kTestDevices;
using asmk::test::Session;
using asmk::test::Variant;

constexpr uint8_t kSentinel = 0xA5;

uint32_t round_up(uint32_t x, uint32_t to) { return (x + to - 1) / to * to; }
uint32_t ceil_div(uint32_t x, uint32_t y) { return (x + y - 1) / y; }

struct Problem {
  uint32_t m, n, k, stride_a, stride_b, stride_c;
};

// ---------------------------------------------------------------------------------------------
// Inputs

// Random 8-bit codes: fp8 of `format` (normal(0, 2) saturated to the format) or int8 (uniform
// [-128, 127]). Padding columns past K hold the largest value, which would spoil any sum that read them.
std::vector<uint8_t> random_elem8(const ref::Elem8& type, uint32_t rows, uint32_t cols, uint32_t stride,
                                  std::mt19937& rng) {
  std::normal_distribution<double> normal(0.0, 2.0);
  std::uniform_int_distribution<int> int8(-128, 127);
  std::vector<uint8_t> out(size_t(rows) * stride);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < stride; ++c) {
      uint8_t code = 0;
      if (type.is_int8) code = c < cols ? uint8_t(int8(rng)) : uint8_t(127);
      else code = uint8_t(ref::encode(type.format, c < cols ? normal(rng) : 1e9, ref::Overflow::saturate));
      out[size_t(r) * stride + c] = code;
    }
  return out;
}

std::vector<float> random_floats(uint32_t count, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> out(count);
  for (float& x : out) x = uniform(rng);
  return out;
}

// Rows of random bf16 values: normal(0, 1) and a few larger ones, so sums cancel and vary in size.
std::vector<uint16_t> random_bf16(uint32_t rows, uint32_t cols, uint32_t stride, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<uint16_t> out(size_t(rows) * stride);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < stride; ++c) {
      float v = normal(rng);
      if (c % 13 == 5) v *= 64.f;
      out[size_t(r) * stride + c] = ref::f32_to_bf16(c < cols ? v : 3e38f);  // padding: huge
    }
  return out;
}

ref::OutType out_type_of(const std::string& dtype) {
  if (dtype == "bf16") return ref::OutType::bf16;
  if (dtype == "fp16") return ref::OutType::fp16;
  return ref::OutType::f32;
}
size_t bytes_of(ref::OutType t) { return t == ref::OutType::f32 ? 4 : 2; }

// Counts bytes of C's padding columns [N, stride_c) that lost their sentinel.
size_t padding_written(const std::vector<uint8_t>& c, uint32_t m, uint32_t n, uint32_t stride_c, size_t es) {
  size_t touched = 0;
  for (uint32_t row = 0; row < m; ++row)
    for (size_t byte = size_t(n) * es; byte < size_t(stride_c) * es; ++byte)
      touched += c[size_t(row) * stride_c * es + byte] != kSentinel;
  return touched;
}

// The K chunk of split z (docs/contracts.md): kc = ceil(K / (k_splits·KSTEP))·KSTEP, [z·kc, min(K, (z+1)·kc)).
struct Chunk {
  uint32_t begin, length;
};
Chunk k_chunk(uint32_t k, uint32_t k_splits, uint32_t kstep, uint32_t z) {
  const uint32_t kc = ceil_div(k, k_splits * kstep) * kstep;
  const uint32_t begin = std::min(k, z * kc);
  return {begin, std::min(k, begin + kc) - begin};
}

// ---------------------------------------------------------------------------------------------
// One GEMM problem of either family: the operands on the host, the reference of any K range.

struct GemmCase {
  std::string family;
  ref::Elem8 elem8;                  // gemm_a8w8
  std::vector<uint8_t> a8, b8;       // gemm_a8w8 operands
  std::vector<uint16_t> a16, b16;    // gemm_bf16 operands
  std::vector<float> scale_a, scale_b, bias;
  bool with_bias = false;
  Problem p{};

  size_t elem_bytes() const { return family == "gemm_bf16" ? 2 : 1; }

  // The reference over K elements [k0, k0 + k): the full problem (scaled) or a split's partials (unscaled).
  ref::GemmRef reference(uint32_t k0, uint32_t k, bool scaled) const {
    ref::GemmRef out;
    ref::Status status;
    if (family == "gemm_bf16") {
      ref::GemmBf16Args r;
      r.a = a16.data() + k0;
      r.b = b16.data() + k0;
      r.m = p.m, r.n = p.n, r.k = k, r.stride_a = p.stride_a, r.stride_b = p.stride_b;
      status = ref::gemm_bf16(r, out);
    } else {
      const std::vector<float> ones_m(p.m, 1.f), ones_n(p.n, 1.f);
      ref::GemmA8W8Args r;
      r.type = elem8;
      r.a = a8.data() + k0;
      r.b = b8.data() + k0;
      r.scale_a = scaled ? scale_a.data() : ones_m.data();
      r.scale_b = scaled ? scale_b.data() : ones_n.data();
      r.bias = scaled && with_bias ? bias.data() : nullptr;
      r.m = p.m, r.n = p.n, r.k = k, r.stride_a = p.stride_a, r.stride_b = p.stride_b;
      status = ref::gemm_a8w8(r, out);
    }
    EXPECT_TRUE(status.ok()) << status.error;
    return out;
  }
};

GemmCase make_case(const Variant& v, const Problem& p, bool with_bias, uint32_t seed) {
  GemmCase g;
  g.family = v.family;
  g.p = p;
  g.with_bias = with_bias;
  std::mt19937 rng(seed);
  if (v.family == "gemm_bf16") {
    g.a16 = random_bf16(p.m, p.k, p.stride_a, rng);
    g.b16 = random_bf16(p.n, p.k, p.stride_b, rng);
  } else {
    g.elem8 = v.param_str("in_dtype") == "int8"
                  ? ref::Elem8::int8()
                  : ref::Elem8::fp8(ref::fp8_format(v.arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950));
    g.a8 = random_elem8(g.elem8, p.m, p.k, p.stride_a, rng);
    g.b8 = random_elem8(g.elem8, p.n, p.k, p.stride_b, rng);
    // int8 sums are up to ~2^14 · K: smaller scales keep C in bf16/fp16 range.
    const float top = g.elem8.is_int8 ? 1e-3f : 0.1f;
    g.scale_a = random_floats(p.m, top / 10, top, rng);
    g.scale_b = random_floats(p.n, top / 10, top, rng);
    g.bias = random_floats(p.n, -4.f, 4.f, rng);
  }
  return g;
}

// ---------------------------------------------------------------------------------------------

class GemmKernels : public ::testing::TestWithParam<asmk::test::TestDevice> {
 protected:
  const char* arch() const { return GetParam().arch; }

  std::vector<Variant> of(const char* family) { return asmk::test::variants(arch(), family); }

  // The reduce kernel for `out_dtype` (fails the test when there is none).
  std::string reduce_kernel(const std::string& out_dtype) {
    for (const Variant& r : of("gemm_splitk_reduce"))
      if (r.param_str("out_dtype") == out_dtype) return r.name;
    ADD_FAILURE() << "no gemm_splitk_reduce kernel for " << out_dtype;
    return {};
  }

  // Runs `v` on case `g` with `k_splits` (> 1: through the workspace and gemm_splitk_reduce) and checks
  // C (and each split's partials) against the reference.
  void run(Session& s, const Variant& v, const GemmCase& g, uint32_t k_splits) {
    const Problem& p = g.p;
    SCOPED_TRACE(::testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " strides "
                                      << p.stride_a << "/" << p.stride_b << "/" << p.stride_c
                                      << (g.with_bias ? " bias" : "") << " k_splits=" << k_splits);
    const bool a8w8 = v.family == "gemm_a8w8";
    const std::string out_dtype = v.param_str("out_dtype");
    const ref::OutType out_type = out_type_of(out_dtype);
    const size_t es = bytes_of(out_type);
    const uint32_t kstep = v.requirement("k_multiple", 0);
    ASSERT_GT(kstep, 0u) << "the manifest gives no k_multiple";
    ASSERT_EQ(p.k % kstep, 0u);

    Buffer a = a8w8 ? s.upload(g.a8) : s.upload(g.a16);
    Buffer b;
    if (a8w8 && v.param_str("b_layout") == "shuffled") {
      std::vector<uint8_t> shuffled(size_t(p.n) * p.k);
      ASSERT_TRUE(ref::shuffle_b(g.b8.data(), p.n, p.k, p.stride_b, shuffled.data()).ok());
      b = s.upload(shuffled);
    } else {
      b = a8w8 ? s.upload(g.b8) : s.upload(g.b16);
    }
    Buffer c = s.filled(size_t(p.m) * p.stride_c * es, kSentinel);  // no slack after the last row
    Buffer sa, sb, bias;
    if (a8w8) {
      sa = s.upload(g.scale_a);
      sb = s.upload(g.scale_b);
      if (g.with_bias) bias = s.upload(g.bias);
    }
    Buffer ws;
    if (k_splits > 1) ws = s.filled(size_t(k_splits) * p.m * p.n * 4, kSentinel);

    if (a8w8) {
      ASSERT_TRUE(s.launch(v.name,
                           {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", c), Arg::ptr("scale_a", sa),
                            Arg::ptr("scale_b", sb), Arg::ptr("bias", bias.get()), Arg::u32("m", p.m),
                            Arg::u32("n", p.n), Arg::u32("k", p.k), Arg::u32("stride_a", p.stride_a),
                            Arg::u32("stride_b", p.stride_b), Arg::u32("stride_c", p.stride_c),
                            Arg::ptr("workspace", ws.get()), Arg::u32("k_splits", k_splits)}));
    } else {
      ASSERT_TRUE(s.launch(v.name,
                           {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", c), Arg::u32("m", p.m),
                            Arg::u32("n", p.n), Arg::u32("k", p.k), Arg::u32("stride_a", p.stride_a),
                            Arg::u32("stride_b", p.stride_b), Arg::u32("stride_c", p.stride_c),
                            Arg::ptr("workspace", ws.get()), Arg::u32("k_splits", k_splits)}));
    }

    if (k_splits > 1) {
      EXPECT_EQ(padding_written(c.download<uint8_t>(), p.m, 0, p.stride_c, es), 0u)
          << "a split-K launch wrote C (it must write only the workspace)";
      // Every split's partials: unscaled sums over its K chunk (an empty chunk: zeros).
      const std::vector<float> partials = ws.download<float>();
      for (uint32_t z = 0; z < k_splits; ++z) {
        const Chunk chunk = k_chunk(p.k, k_splits, kstep, z);
        const float* slice = partials.data() + size_t(z) * p.m * p.n;
        if (chunk.length == 0) {
          size_t nonzero = 0;
          for (size_t i = 0; i < size_t(p.m) * p.n; ++i) nonzero += slice[i] != 0.f;
          EXPECT_EQ(nonzero, 0u) << "split " << z << " has an empty K chunk and must write zeros";
          continue;
        }
        const ref::ErrorSummary summary =
            ref::compare_output(g.reference(chunk.begin, chunk.length, false), ref::OutType::f32, slice, p.n);
        EXPECT_TRUE(summary.ok()) << "split " << z << " (K " << chunk.begin << " +" << chunk.length
                                  << "): " << summary.describe();
      }
      const std::string reduce = reduce_kernel(out_dtype);
      ASSERT_FALSE(reduce.empty());
      ASSERT_TRUE(s.launch(reduce,
                           {Arg::ptr("workspace", ws), Arg::ptr("c", c), Arg::ptr("scale_a", sa.get()),
                            Arg::ptr("scale_b", sb.get()), Arg::ptr("bias", bias.get()), Arg::u32("m", p.m),
                            Arg::u32("n", p.n), Arg::u32("k_splits", k_splits), Arg::u32("stride_c", p.stride_c)}));
    }

    const std::vector<uint8_t> result = c.download<uint8_t>();
    const ref::ErrorSummary summary = ref::compare_output(g.reference(0, p.k, true), out_type, result.data(), p.stride_c);
    EXPECT_TRUE(summary.ok()) << summary.describe();
    EXPECT_EQ(padding_written(result, p.m, p.n, p.stride_c, es), 0u) << "bytes written in C's padding columns";
  }

  // The small problems every variant runs: ragged M, minimal N and K, N % 4 != 0, padded strides,
  // 3 K steps (both LDS buffers), full M tiles with an N tail.
  static std::vector<Problem> small_problems(const Variant& v) {
    const uint32_t m_tile = v.param_int("m_tile"), n_tile = v.param_int("n_tile");
    const uint32_t ks = v.requirement("k_multiple", 0);
    const uint32_t row_elems = v.requirement("row_align_bytes") / (v.family == "gemm_bf16" ? 2 : 1);
    const uint32_t cs = v.requirement("c_stride_multiple");
    const uint32_t nm = v.requirement("n_multiple");  // (pre-shuffled B: N % 64 == 0)
    const uint32_t n1 = round_up(1, nm), n2 = round_up(n_tile + 3, nm), n4 = round_up(n_tile - 4, nm);
    return {
        {1, n1, ks, ks, ks, round_up(n1, cs)},                                    // minimal everything
        {17, n2, 2 * ks, 2 * ks + row_elems, 2 * ks, round_up(n2, cs) + cs},      // N % 4 != 0, padding
        {129, 2 * n_tile, 3 * ks, 3 * ks, 3 * ks + row_elems, 2 * n_tile},        // 3 K steps
        {2 * m_tile, n4, 4 * ks, 4 * ks + row_elems, 4 * ks, round_up(n4, cs)},   // full M tiles, N tail
    };
  }
};

// Every gemm_bf16 variant on the small problems.
TEST_P(GemmKernels, Bf16EveryVariantMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = of("gemm_bf16");
  ASSERT_EQ(variants.size(), 14u) << "expected 2 out dtypes x 7 tiles";
  uint32_t seed = 1;
  for (const Variant& v : variants)
    for (const Problem& p : small_problems(v)) run(s, v, make_case(v, p, false, seed++), 1);
}

// Every gemm_a8w8 variant on the small problems, with and without bias. To keep the suite fast, the
// fp16-output variants (the data path of the bf16 ones but for the final conversion) run the first
// two problems, the pre-shuffled-B ones the first three (all with several K steps except the first).
TEST_P(GemmKernels, A8W8EveryVariantMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = of("gemm_a8w8");
  ASSERT_EQ(variants.size(), 56u) << "expected 2 in dtypes x 2 out dtypes x 2 B layouts x 7 tiles";
  uint32_t seed = 1000;
  for (const Variant& v : variants) {
    bool with_bias = false;
    std::vector<Problem> problems = small_problems(v);
    if (v.param_str("out_dtype") != "bf16") problems.resize(2);
    else if (v.param_str("b_layout") != "row") problems.resize(3);
    for (const Problem& p : problems) {
      run(s, v, make_case(v, p, with_bias, seed++), 1);
      with_bias = !with_bias;
    }
  }
}

// Split-K on one tile of every (family, dtype) combination: K of 5 steps in 2, 3 and 4 splits (chunks
// of 3+2, 2+2+1 and 2+2+1+empty steps), ragged M and N, with the reduce kernel's scales and bias.
TEST_P(GemmKernels, SplitKMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  uint32_t seed = 5000;
  size_t tested = 0;
  for (const char* family : {"gemm_bf16", "gemm_a8w8"})
    for (const Variant& v : of(family)) {
      if (v.param_int("m_tile") != 64 || v.param_int("n_tile") != 128) continue;
      const uint32_t ks = v.requirement("k_multiple", 0);
      const uint32_t n = round_up(133, v.requirement("n_multiple"));
      const Problem p{37, n, 5 * ks, 5 * ks + 16, 5 * ks, round_up(n, 4) + 4};
      for (uint32_t k_splits : {2u, 3u, 4u}) run(s, v, make_case(v, p, k_splits % 2 == 0, seed++), k_splits);
      ++tested;
    }
  EXPECT_EQ(tested, 2u + 8u) << "expected m64n128 variants: gemm_bf16 x 2 out dtypes, gemm_a8w8 x 2 x 2 x 2";
}

// gemm_splitk_reduce alone, against its definition: the partials summed in order z = 0, 1, ... in fp32,
// times scale_a, fma with scale_b and bias, one rounding (bit-exact); null scales = 1, null bias = 0.
TEST_P(GemmKernels, SplitKReduceIsTheDefinedSum) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = of("gemm_splitk_reduce");
  ASSERT_EQ(variants.size(), 3u) << "expected out dtypes bf16, fp16, f32";
  const uint32_t m = 3, n = 300, max_splits = 7, stride_c = 304;
  std::mt19937 rng(77);
  std::vector<float> ws = random_floats(max_splits * m * n, -1000.f, 1000.f, rng);
  ws[7] = 1e30f, ws[m * n + 7] = -1e30f, ws[2 * m * n + 7] = 1.f;  // the order decides: (1e30 - 1e30) + 1 = 1
  ws[9] = 7e4f;                                                     // beyond fp16: rounds to Inf
  const std::vector<float> sa = random_floats(m, 0.5f, 2.f, rng), sb = random_floats(n, 0.5f, 2.f, rng);
  const std::vector<float> bias = random_floats(n, -8.f, 8.f, rng);
  Buffer d_ws = s.upload(ws), d_sa = s.upload(sa), d_sb = s.upload(sb), d_bias = s.upload(bias);
  // k_splits 1, 5 = 1 + a group of 4 loads, 7 = 1 + 4 + 2 single ones (the kernel's unrolling)
  for (const Variant& v : variants)
    for (auto [k_splits, with_params] : {std::pair{1u, true}, std::pair{5u, false}, std::pair{7u, true}}) {
      SCOPED_TRACE(::testing::Message() << v.name << " k_splits=" << k_splits
                                        << (with_params ? " with scales and bias" : " null scales and bias"));
      const ref::OutType type = out_type_of(v.param_str("out_dtype"));
      const size_t es = bytes_of(type);
      Buffer c = s.filled(size_t(m) * stride_c * es, kSentinel);
      ASSERT_TRUE(s.launch(v.name,
                           {Arg::ptr("workspace", d_ws), Arg::ptr("c", c),
                            Arg::ptr("scale_a", with_params ? d_sa.get() : nullptr),
                            Arg::ptr("scale_b", with_params ? d_sb.get() : nullptr),
                            Arg::ptr("bias", with_params ? d_bias.get() : nullptr), Arg::u32("m", m), Arg::u32("n", n),
                            Arg::u32("k_splits", k_splits), Arg::u32("stride_c", stride_c)}));
      const std::vector<uint8_t> got = c.download<uint8_t>();
      size_t mismatches = 0;
      for (uint32_t row = 0; row < m; ++row)
        for (uint32_t col = 0; col < n; ++col) {
          float sum = ws[size_t(row) * n + col];
          for (uint32_t z = 1; z < k_splits; ++z) sum += ws[(size_t(z) * m + row) * n + col];
          const float value = std::fma(sum * (with_params ? sa[row] : 1.f), with_params ? sb[col] : 1.f,
                                       with_params ? bias[col] : 0.f);
          const size_t at = (size_t(row) * stride_c + col) * es;
          uint32_t want = 0, have = 0;
          if (type == ref::OutType::f32) want = std::bit_cast<uint32_t>(value);
          else if (type == ref::OutType::bf16) want = ref::f32_to_bf16(value);
          else want = ref::f32_to_fp16(value);
          std::memcpy(&have, got.data() + at, es);
          if (want != have && mismatches++ < 5)
            ADD_FAILURE() << "c[" << row << "][" << col << "] = 0x" << std::hex << have << ", expected 0x" << want;
        }
      EXPECT_EQ(mismatches, 0u);
      EXPECT_EQ(padding_written(got, m, n, stride_c, es), 0u) << "bytes written in C's padding columns";
    }
}

// A and C rows 64 MiB apart (8 GiB tensors): the tile bases pass 2^32 bytes, so 32-bit address
// arithmetic anywhere would read or write the wrong rows. Only the rows' used parts are written
// (the emulator's memory is sparse); C keeps a sentinel in 8 elements past N of every row. The
// 32-row tiles keep m_tile · row bytes < 2^32 (the documented limit). gemm_bf16 and gemm_a8w8 write
// C themselves; gemm_a8w8 with k_splits = 2 has gemm_splitk_reduce write it.
TEST_P(GemmKernels, TensorsBeyond4GiB) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  struct Case {
    const char* family;
    uint32_t k_splits;
  };
  size_t tested = 0;
  for (const Case& c : {Case{"gemm_bf16", 1}, Case{"gemm_a8w8", 1}, Case{"gemm_a8w8", 2}})
    for (const Variant& v : of(c.family)) {
      if (v.param_int("m_tile") != 32 || v.param_str("out_dtype") != "bf16") continue;
      if (v.family == "gemm_a8w8" && (v.param_str("in_dtype") != "fp8" || v.param_str("b_layout") != "row")) continue;
      ++tested;
      const bool a8w8 = v.family == "gemm_a8w8";
      const uint32_t es_a = a8w8 ? 1 : 2, kPad = 8;
      const Problem p{129, 40, 128, (1u << 26) / es_a, 128, 1u << 25};  // A rows 64 MiB apart, C rows too
      SCOPED_TRACE(::testing::Message() << v.name << " M=129 N=40 K=128, row strides of A and C: 64 MiB, k_splits="
                                        << c.k_splits);
      const GemmCase g = make_case(v, Problem{p.m, p.n, p.k, p.k, p.stride_b, p.n + kPad}, a8w8, 7000);  // compact A
      Buffer a = s.alloc(uint64_t(p.m) * p.stride_a * es_a), cbuf = s.alloc(uint64_t(p.m) * p.stride_c * 2);
      Buffer b = a8w8 ? s.upload(g.b8) : s.upload(g.b16);
      const std::vector<uint8_t> sentinel_row((p.n + kPad) * 2, kSentinel);
      for (uint32_t row = 0; row < p.m; ++row) {
        auto* a_row = static_cast<char*>(a.get()) + uint64_t(row) * p.stride_a * es_a;
        auto* c_row = static_cast<char*>(cbuf.get()) + uint64_t(row) * p.stride_c * 2;
        const void* host_a = a8w8 ? static_cast<const void*>(&g.a8[size_t(row) * p.k]) : &g.a16[size_t(row) * p.k];
        ASSERT_EQ(asmk_memcpy(s.get(), a_row, host_a, p.k * es_a, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
        ASSERT_EQ(asmk_memcpy(s.get(), c_row, sentinel_row.data(), sentinel_row.size(), ASMK_COPY_HOST_TO_DEVICE),
                  ASMK_SUCCESS);
      }
      Buffer ws, sa, sb, bias;
      if (c.k_splits > 1) ws = s.alloc(size_t(c.k_splits) * p.m * p.n * 4);
      if (a8w8) {
        sa = s.upload(g.scale_a), sb = s.upload(g.scale_b), bias = s.upload(g.bias);
        ASSERT_TRUE(s.launch(v.name,
                             {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", cbuf), Arg::ptr("scale_a", sa),
                              Arg::ptr("scale_b", sb), Arg::ptr("bias", bias), Arg::u32("m", p.m), Arg::u32("n", p.n),
                              Arg::u32("k", p.k), Arg::u32("stride_a", p.stride_a), Arg::u32("stride_b", p.stride_b),
                              Arg::u32("stride_c", p.stride_c), Arg::ptr("workspace", ws.get()),
                              Arg::u32("k_splits", c.k_splits)}));
      } else {
        ASSERT_TRUE(s.launch(v.name,
                             {Arg::ptr("a", a), Arg::ptr("b", b), Arg::ptr("c", cbuf), Arg::u32("m", p.m),
                              Arg::u32("n", p.n), Arg::u32("k", p.k), Arg::u32("stride_a", p.stride_a),
                              Arg::u32("stride_b", p.stride_b), Arg::u32("stride_c", p.stride_c),
                              Arg::ptr("workspace", ws.get()), Arg::u32("k_splits", c.k_splits)}));
      }
      if (c.k_splits > 1)
        ASSERT_TRUE(s.launch(reduce_kernel("bf16"),
                             {Arg::ptr("workspace", ws), Arg::ptr("c", cbuf), Arg::ptr("scale_a", sa),
                              Arg::ptr("scale_b", sb), Arg::ptr("bias", bias), Arg::u32("m", p.m), Arg::u32("n", p.n),
                              Arg::u32("k_splits", c.k_splits), Arg::u32("stride_c", p.stride_c)}));
      std::vector<uint8_t> got(size_t(p.m) * (p.n + kPad) * 2);  // compact: row stride n + kPad
      for (uint32_t row = 0; row < p.m; ++row) {
        const auto* c_row = static_cast<const char*>(cbuf.get()) + uint64_t(row) * p.stride_c * 2;
        ASSERT_EQ(asmk_memcpy(s.get(), &got[size_t(row) * (p.n + kPad) * 2], c_row, (p.n + kPad) * 2,
                              ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
      }
      const ref::ErrorSummary summary =
          ref::compare_output(g.reference(0, p.k, true), ref::OutType::bf16, got.data(), p.n + kPad);
      EXPECT_TRUE(summary.ok()) << summary.describe();
      EXPECT_EQ(padding_written(got, p.m, p.n, p.n + kPad, 2), 0u) << "bytes written past column N";
    }
  EXPECT_EQ(tested, 3u) << "expected m32 bf16-output variants: gemm_bf16, gemm_a8w8 fp8 row (twice)";
}

// shuffle_b against ref::shuffle_b: every byte of the shuffled tensor, nothing written past it.
TEST_P(GemmKernels, ShuffleBMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::vector<Variant> variants = of("shuffle_b");
  ASSERT_FALSE(variants.empty());
  for (const Variant& v : variants)
    for (auto [n, k, stride] : {std::tuple<uint32_t, uint32_t, uint32_t>{64, 64, 64}, {192, 128, 144}}) {
      SCOPED_TRACE(::testing::Message() << v.name << " N=" << n << " K=" << k << " stride_src=" << stride);
      std::mt19937 rng(n + k);
      std::vector<uint8_t> src(size_t(n) * stride);
      for (uint8_t& byte : src) byte = uint8_t(rng());
      std::vector<uint8_t> want(size_t(n) * k);
      ASSERT_TRUE(ref::shuffle_b(src.data(), n, k, stride, want.data()).ok());
      Buffer d_src = s.upload(src), d_dst = s.filled(want.size(), kSentinel);  // no slack: a stray store faults
      ASSERT_TRUE(s.launch(v.name,
                           {Arg::ptr("src", d_src), Arg::ptr("dst", d_dst), Arg::u32("n", n), Arg::u32("k", k),
                            Arg::u32("stride_src", stride)}));
      EXPECT_EQ(d_dst.download<uint8_t>(), want);
    }
}

// The manifest's `requires` of each family (what the selector checks) matches the documented contract.
TEST_P(GemmKernels, ManifestDeclaresTheProblemRules) {
  for (const Variant& v : of("gemm_a8w8")) {
    EXPECT_EQ(v.requirement("k_multiple", 0), 64u) << v.name;
    EXPECT_EQ(v.requirement("row_align_bytes", 0), 16u) << v.name;
    EXPECT_EQ(v.requirement("c_stride_multiple", 0), 4u) << v.name;
  }
  for (const Variant& v : of("gemm_bf16")) {
    EXPECT_EQ(v.requirement("k_multiple", 0), 32u) << v.name;
    EXPECT_EQ(v.requirement("row_align_bytes", 0), 16u) << v.name;
    EXPECT_EQ(v.requirement("c_align_bytes", 0), v.param_str("out_dtype") == "f32" ? 16u : 8u) << v.name;
  }
}

// The templates' 32-bit in-tile offset limits (docs/contracts.md; issue 17) are `requires` rules:
// a stride just inside the limit selects a kernel whose tile fits, one past it is refused naming
// the rule — before, the op returned SUCCESS with most of C unwritten.
TEST_P(GemmKernels, InTileOffsetLimitsAreRefusedByName) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  asmk_gemm_bf16_args g = ASMK_INIT(asmk_gemm_bf16_args);
  g.m = 64, g.n = 64, g.k = 32, g.out_dtype = ASMK_DTYPE_FP32;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  g.stride_a = 1u << 26;  // 16 rows x 128 MiB: only m_tile 16 stays below 2^32 bytes
  ASSERT_EQ(asmk_select_gemm_bf16(s.get(), &g, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_NE(std::string(sel.kernel_name).find("_m16_"), std::string::npos) << sel.kernel_name;
  g.stride_a = 1u << 27;  // no tile fits
  EXPECT_EQ(asmk_select_gemm_bf16(s.get(), &g, &sel), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(std::string(asmk_last_error()).find("tile_offsets_32bit"), std::string::npos) << asmk_last_error();

  asmk_shuffle_b_args sh = ASMK_INIT(asmk_shuffle_b_args);
  sh.n = 64, sh.k = 64;
  sh.stride_src = 1u << 25;  // 64 rows x 32 MiB = 2^31 bytes
  EXPECT_EQ(asmk_select_shuffle_b(s.get(), &sh, &sel), ASMK_SUCCESS) << asmk_last_error();
  sh.stride_src = 1u << 26;  // 64 rows x 64 MiB = 2^32 bytes
  EXPECT_EQ(asmk_select_shuffle_b(s.get(), &sh, &sel), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(std::string(asmk_last_error()).find("tile_offsets_32bit"), std::string::npos) << asmk_last_error();

  asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
  a.m = 64, a.n = 64, a.k = 64, a.in_dtype = ASMK_DTYPE_FP8, a.out_dtype = ASMK_DTYPE_BF16;
  a.stride_b = 1u << 26;  // n_tile 64 x 64 MiB = 2^32 bytes: every tile of B is too tall
  EXPECT_EQ(asmk_select_gemm_a8w8(s.get(), &a, &sel), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(std::string(asmk_last_error()).find("tile_offsets_32bit"), std::string::npos) << asmk_last_error();
  a.stride_b = 1u << 25;
  EXPECT_EQ(asmk_select_gemm_a8w8(s.get(), &a, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_NE(std::string(sel.kernel_name).find("_n64"), std::string::npos) << sel.kernel_name;

  asmk_gemm_a8w8_blockscale_args bs = ASMK_INIT(asmk_gemm_a8w8_blockscale_args);
  bs.m = 64, bs.n = 64, bs.k = 128, bs.in_dtype = ASMK_DTYPE_FP8, bs.out_dtype = ASMK_DTYPE_BF16;
  bs.stride_a = 1u << 26;  // max(m_tile, 32) rows: m16/m32 give 2^31 bytes, m64 2^32
  ASSERT_EQ(asmk_select_gemm_a8w8_blockscale(s.get(), &bs, &sel), ASMK_SUCCESS) << asmk_last_error();
  const std::string bs_name = sel.kernel_name;
  EXPECT_TRUE(bs_name.find("_m16_") != std::string::npos || bs_name.find("_m32_") != std::string::npos) << bs_name;
  bs.stride_a = 1u << 27;
  EXPECT_EQ(asmk_select_gemm_a8w8_blockscale(s.get(), &bs, &sel), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(std::string(asmk_last_error()).find("tile_offsets_32bit"), std::string::npos) << asmk_last_error();

  if (std::string(arch()) != "gfx950") return;  // gemm_a4w4 is gfx950-only
  asmk_gemm_a4w4_args f4 = ASMK_INIT(asmk_gemm_a4w4_args);
  f4.m = 64, f4.n = 64, f4.k = 128, f4.out_dtype = ASMK_DTYPE_BF16;
  f4.stride_a = 1u << 27;  // one wave's rows: 16 (m16) give 2^31 bytes, 32 (m32 and up) 2^32
  ASSERT_EQ(asmk_select_gemm_a4w4(s.get(), &f4, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_NE(std::string(sel.kernel_name).find("_m16_"), std::string::npos) << sel.kernel_name;
  f4.stride_a = 1u << 28;
  EXPECT_EQ(asmk_select_gemm_a4w4(s.get(), &f4, &sel), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(std::string(asmk_last_error()).find("wave_offsets_32bit"), std::string::npos) << asmk_last_error();
}

INSTANTIATE_TEST_SUITE_P(Devices, GemmKernels, ::testing::ValuesIn(kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
