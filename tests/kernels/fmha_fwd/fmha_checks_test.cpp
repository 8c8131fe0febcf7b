// Issue 12's checks that the variant sweep (fmha_fwd_test.cpp) does not make: bad input through the ops fmha_fwd /
// fmha_fwd_varlen is a named error and writes nothing (unsupported head dims, h_q % h_k != 0, a negative window, varlen
// without cu_seqlens, cu_seqlens not increasing, a tensor smaller than its shape), and the online softmax's stability
// over one 8192-key sequence of one head whose running maximum moves on almost every tile (against the fp64
// reference in ref/, strict mode). The list of checks and where each is made: templates/fmha_fwd/README.md.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "asmk/ref/attention.hpp"
#include "asmk/ref/numeric.hpp"
#include "kernel_harness.hpp"

namespace {

namespace ref = asmk::ref;
using asmk::test::Buffer;
using asmk::test::OpArgs;
using asmk::test::Session;

constexpr uint16_t kSentinel = 0x7fc1;  // a NaN code in both bf16 and fp16: never a valid output

class FmhaChecks : public ::testing::TestWithParam<asmk::test::TestDevice> {};

// A small valid problem (b 2, s_q 4, s_k 64, h 4 / 2, hd 128, bf16, causal bottom-right, lse), each case breaking one
// thing; the call must fail with the status and name the argument, o and lse keep their sentinels.
TEST_P(FmhaChecks, BadInputIsANamedErrorAndNothingIsWritten) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  constexpr uint32_t b = 2, s_q = 4, s_k = 64, h_q = 4, h_k = 2, d = 128;
  Buffer q = s.upload(std::vector<uint16_t>(b * s_q * h_q * d, 0x3f80));
  Buffer kv = s.upload(std::vector<uint16_t>(b * s_k * h_k * d, 0x3f80));
  Buffer cu_q = s.upload(std::vector<int32_t>{0, 4, 8}), cu_k = s.upload(std::vector<int32_t>{0, 64, 128});
  Buffer cu_bad = s.upload(std::vector<int32_t>{0, 70, 64});  // decreasing (and past total_k on the way)
  struct Case {
    const char* what;
    bool varlen;
    asmk_status status;
    const char* names;  // the message names it
  };
  const Case cases[] = {
      {"unsupported head dims", false, ASMK_ERROR_UNSUPPORTED_SHAPE, "head_dims"},
      {"h_q % h_k != 0", false, ASMK_ERROR_UNSUPPORTED_SHAPE, "heads_grouped"},
      {"a negative window", false, ASMK_ERROR_UNSUPPORTED_SHAPE, "window_left"},
      {"varlen without cu_seqlens", true, ASMK_ERROR_NULL_BUFFER, "cu_seqlens_q"},
      {"cu_seqlens not increasing", true, ASMK_ERROR_INVALID_ARGUMENT, "cu_seqlens_k"},
      {"q smaller than its shape", false, ASMK_ERROR_BUFFER_TOO_SMALL, "q"},
      {"o smaller than its shape", true, ASMK_ERROR_BUFFER_TOO_SMALL, "o"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string what = c.what;
    Buffer o = s.upload(std::vector<uint16_t>(b * s_q * h_q * d, kSentinel));
    Buffer lse = s.upload(std::vector<float>(b * s_q * h_q, 12345.f));
    OpArgs a;
    a.choice("head_dims", what == "unsupported head dims" ? "96" : "128").choice("mask", "window");
    a.u32("batch", b).u32("seqlen_q", s_q).u32("seqlen_k", s_k);
    a.u32("num_heads_q", what == "h_q % h_k != 0" ? 3 : h_q).u32("num_heads_k", h_k);
    if (c.varlen) a.u32("total_q", b * s_q).u32("total_k", b * s_k);
    a.f32("scale", 0.088f).i32("window_left", what == "a negative window" ? -2 : -1).i32("window_right", 0);
    a.u32("bottom_right", 1);
    a.ptr("q", q.get(), what == "q smaller than its shape" ? q.bytes() - 2 : q.bytes());
    a.ptr("k", kv).ptr("v", kv);
    a.ptr("o", o.get(), what == "o smaller than its shape" ? o.bytes() - 256 : o.bytes()).ptr("lse", lse);
    if (c.varlen && what != "varlen without cu_seqlens")
      a.ptr("cu_seqlens_q", cu_q).ptr("cu_seqlens_k", what == "cu_seqlens not increasing" ? cu_bad : cu_k);
    const asmk_status st = asmk_run_op(s.get(), c.varlen ? "fmha_fwd_varlen" : "fmha_fwd", a.data(), a.size(), nullptr, nullptr);
    const std::string message = asmk_last_error();
    if (c.status == ASMK_ERROR_INVALID_ARGUMENT && !asmk::test::checks_elements(s.get())) {
      // A GPU backend cannot read cu_seqlens before the launch: the kernel runs on them and must stay
      // inside the buffers (strict mode faults any access outside), whatever it writes.
      EXPECT_EQ(st, ASMK_SUCCESS) << message;
      EXPECT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
      continue;
    }
    EXPECT_EQ(st, c.status) << message;
    EXPECT_NE(message.find(c.names), std::string::npos) << message;
    ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    size_t written = 0;
    for (uint16_t x : o.download<uint16_t>()) written += x != kSentinel;
    for (float x : lse.download<float>()) written += x != 12345.f;
    EXPECT_EQ(written, 0u) << "nothing is written";
  }
}

// The online softmax over 8192 keys of one head (256 tiles, one wave of 32 queries, no mask). Scores ~90 (e^90 is
// past fp32's range: only the running maximum keeps exp finite) plus noise (std ~0.4) plus a drift of +3 from the first
// key to the last, so every key weighs (the first ones e^-3 of the last) and the running maximum keeps moving: O is
// rescaled on many tiles, and a wrong or skipped rescale shifts the result by up to e^3. Against the fp64 reference (two
// passes, no online softmax), o and lse.
TEST_P(FmhaChecks, OnlineSoftmaxOver8192Keys) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  constexpr uint32_t s_q = 32, s_k = 8192, d = 128;
  std::mt19937 rng(8192);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> u(d);  // the direction q and k share: q·k ≈ 8 · (1 + j / (30 · s_k)) · |u|² ≈ 1024 (· scale ≈ 90)
  for (float& x : u) x = normal(rng);
  std::vector<uint16_t> q(s_q * d), k(s_k * d), v(s_k * d);
  for (uint32_t i = 0; i < s_q; ++i)
    for (uint32_t c = 0; c < d; ++c) q[i * d + c] = ref::f32_to_bf16(8.f * u[c] + 0.3f * normal(rng));
  for (uint32_t j = 0; j < s_k; ++j)
    for (uint32_t c = 0; c < d; ++c) {
      k[j * d + c] = ref::f32_to_bf16((1.f + float(j) / (30.f * s_k)) * u[c] + 0.05f * normal(rng));
      v[j * d + c] = ref::f32_to_bf16(normal(rng));
    }
  ref::AttentionArgs ra;
  ra.in_format = ref::Format::bf16;
  ra.q = q.data(), ra.k = k.data(), ra.v = v.data();
  ra.seqlen_q = s_q, ra.seqlen_k = s_k, ra.head_dim_qk = d, ra.head_dim_v = d;
  ra.q_stride_token = ra.k_stride_token = ra.v_stride_token = d;
  ra.q_stride_batch = s_q * d, ra.k_stride_batch = ra.v_stride_batch = s_k * d;
  ra.scale = 1.0 / std::sqrt(double(d));
  ref::AttentionRef expected;
  ASSERT_TRUE(ref::attention(ra, expected).ok());
  double top = 0;
  for (double x : expected.max_score) top = std::max(top, x);
  EXPECT_GT(top, 88.8) << "scores whose exp overflows fp32 (a naive softmax)";

  Buffer qb = s.upload(q), kb = s.upload(k), vb = s.upload(v);
  Buffer ob = s.upload(std::vector<uint16_t>(s_q * d, kSentinel));
  Buffer lb = s.upload(std::vector<float>(s_q, 12345.f));
  OpArgs a;
  a.choice("head_dims", "128").choice("mask", "none");
  a.u32("batch", 1).u32("seqlen_q", s_q).u32("seqlen_k", s_k).u32("num_heads_q", 1).u32("num_heads_k", 1);
  a.f32("scale", float(ra.scale));
  a.ptr("q", qb).ptr("k", kb).ptr("v", vb).ptr("o", ob).ptr("lse", lb);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_run_op(s.get(), "fmha_fwd_single", a.data(), a.size(), nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(sel.grid.x * sel.grid.y * sel.grid.z, 1u) << "one workgroup, one busy wave over all 256 tiles";
  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
  const std::vector<uint16_t> o = ob.download<uint16_t>();
  const std::vector<float> lse_dev = lb.download<float>();
  std::vector<double> got(s_q * d), lse(s_q);
  for (size_t i = 0; i < got.size(); ++i) got[i] = ref::bf16_to_f32(o[i]);
  for (size_t i = 0; i < s_q; ++i) lse[i] = lse_dev[i];
  const ref::ErrorSummary summary = ref::compare_attention(expected, ref::OutType::bf16, ref::Format::bf16, got, &lse);
  EXPECT_TRUE(summary.ok()) << summary.describe() << " (row " << summary.worst_row << ", col " << summary.worst_col << ")";
}

INSTANTIATE_TEST_SUITE_P(Devices, FmhaChecks, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
