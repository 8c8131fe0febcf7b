// The attention reference on hand-checkable cases (uniform scores, causal rows, bottom-right and
// sliding windows, GQA head mapping, varlen with an empty sequence, soft-cap, strided layouts) and the
// attention tolerance rule (ref/TOLERANCE.md, "Attention").
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "asmk/ref/attention.hpp"

namespace asmk::ref {
namespace {

std::vector<std::uint16_t> bf16s(const std::vector<float>& values) {
  std::vector<std::uint16_t> out;
  for (float v : values) out.push_back(f32_to_bf16(v));
  return out;
}

// One batch, one head, contiguous [s, d] tensors.
AttentionArgs single_head(const std::vector<std::uint16_t>& q, const std::vector<std::uint16_t>& k,
                          const std::vector<std::uint16_t>& v, std::uint32_t s_q, std::uint32_t s_k, std::uint32_t d) {
  AttentionArgs a;
  a.q = q.data(), a.k = k.data(), a.v = v.data();
  a.seqlen_q = s_q, a.seqlen_k = s_k, a.head_dim_qk = a.head_dim_v = d;
  a.q_stride_token = a.k_stride_token = a.v_stride_token = d;
  a.q_stride_batch = std::uint64_t{s_q} * d;
  a.k_stride_batch = a.v_stride_batch = std::uint64_t{s_k} * d;
  return a;
}

TEST(Attention, UniformScoresGiveTheMeanOfV) {
  // q = 0: every score is 0, every weight equal: o = mean of V's rows, lse = ln(s_k).
  const auto q = bf16s({0, 0}), k = bf16s({1, 2, 3, 4, 5, 6}), v = bf16s({1, 10, 2, 20, 6, 60});
  AttentionRef r;
  ASSERT_TRUE(attention(single_head(q, k, v, 1, 3, 2), r).ok());
  EXPECT_DOUBLE_EQ(r.at(0, 0), 3.0);
  EXPECT_DOUBLE_EQ(r.at(0, 1), 30.0);
  EXPECT_DOUBLE_EQ(r.lse[0], std::log(3.0));
  EXPECT_EQ(r.visible[0], 3u);
}

TEST(Attention, TwoKeysHandComputed) {
  // q = [1, 0], k0 = [0, 0], k1 = [2, 0], scale 0.5: scores 0 and 1, weights 1/(1+e), e/(1+e).
  const auto q = bf16s({1, 0}), k = bf16s({0, 0, 2, 0}), v = bf16s({4, 0, 8, 1});
  AttentionArgs a = single_head(q, k, v, 1, 2, 2);
  a.scale = 0.5;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  const double e = std::exp(1.0);
  EXPECT_NEAR(r.at(0, 0), (4.0 + 8.0 * e) / (1.0 + e), 1e-12);
  EXPECT_NEAR(r.at(0, 1), e / (1.0 + e), 1e-12);
  EXPECT_NEAR(r.lse[0], std::log(1.0 + e), 1e-12);
  EXPECT_DOUBLE_EQ(r.max_score[0], 1.0);
  EXPECT_DOUBLE_EQ(r.score_mag[0], 1.0);  // 0.5 · |1·2|
}

TEST(Attention, CausalTopLeftRowZeroSeesOnlyKeyZero) {
  const auto q = bf16s({1, 2, 3, 4, 5, 6}), k = bf16s({1, 1, 2, 2, 3, 3}), v = bf16s({7, 8, 9, 10, 11, 12});
  AttentionArgs a = single_head(q, k, v, 3, 3, 2);
  a.window_left = -1, a.window_right = 0, a.bottom_right = false;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  EXPECT_DOUBLE_EQ(r.at(0, 0), 7.0);
  EXPECT_DOUBLE_EQ(r.at(0, 1), 8.0);
  EXPECT_EQ(r.visible[0], 1u);
  EXPECT_EQ(r.visible[1], 2u);
  EXPECT_EQ(r.visible[2], 3u);
}

TEST(Attention, CausalBottomRightAlignsTheLastQueryWithTheLastKey) {
  // s_q 2, s_k 4: query 0 sees keys 0..2, query 1 sees 0..3. Top-left would give 1 and 2 keys.
  const std::vector<std::uint16_t> q(4, 0), k(8, 0), v = bf16s({1, 0, 2, 0, 3, 0, 10, 0});
  AttentionArgs a = single_head(q, k, v, 2, 4, 2);
  a.window_right = 0, a.bottom_right = true;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  EXPECT_EQ(r.visible[0], 3u);
  EXPECT_EQ(r.visible[1], 4u);
  EXPECT_DOUBLE_EQ(r.at(0, 0), 2.0);  // mean of 1, 2, 3
  EXPECT_DOUBLE_EQ(r.at(1, 0), 4.0);  // mean of 1, 2, 3, 10
  a.bottom_right = false;
  ASSERT_TRUE(attention(a, r).ok());
  EXPECT_EQ(r.visible[0], 1u);
  EXPECT_EQ(r.visible[1], 2u);
}

TEST(Attention, BatchModeAddressesEachSequenceThroughItsBatchStride) {
  // batch 2, s_q 2, s_k 1, d 1, batch strides 5 (q) and 3 (k, v): sequence 1's query rows are rows 2, 3
  // of the result and read q[5], q[6]; its only key reads v[3].
  const auto q = bf16s({0, 0, 9, 9, 9, 0, 0, 9, 9}), k = bf16s({1, 9, 9, 1}), v = bf16s({7, 9, 9, 11});
  AttentionArgs a;
  a.q = q.data(), a.k = k.data(), a.v = v.data();
  a.batch = 2, a.seqlen_q = 2, a.seqlen_k = 1, a.head_dim_qk = a.head_dim_v = 1;
  a.q_stride_batch = 5, a.q_stride_token = 1, a.k_stride_batch = a.v_stride_batch = 3;
  a.k_stride_token = a.v_stride_token = 1;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  ASSERT_EQ(r.rows, 4u);
  EXPECT_DOUBLE_EQ(r.at(0, 0), 7.0);
  EXPECT_DOUBLE_EQ(r.at(2, 0), 11.0);
  EXPECT_DOUBLE_EQ(r.at(3, 0), 11.0);
  EXPECT_DOUBLE_EQ(r.score_mag[2], 0.0);  // q[5] = 0 (rows counted into the address would read q[7] = 9)
}

TEST(Attention, RowWithoutVisibleKeysIsZeroWithLseMinusInfinity) {
  // s_q 3 > s_k 1, bottom-right causal: queries 0 and 1 see nothing.
  const std::vector<std::uint16_t> q(6, 0), k(2, 0), v = bf16s({5, 6});
  AttentionArgs a = single_head(q, k, v, 3, 1, 2);
  a.window_right = 0;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  EXPECT_EQ(r.visible[0], 0u);
  EXPECT_EQ(r.at(0, 0), 0.0);
  EXPECT_EQ(r.lse[0], -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(r.at(2, 1), 6.0);
}

TEST(Attention, SlidingWindowVisibility) {
  // flash-attention window (left 1, right 0) bottom-right, s_q = s_k = 5: query 3 sees keys 2, 3.
  EXPECT_FALSE(attention_visible(3, 1, 5, 5, 1, 0, true));
  EXPECT_TRUE(attention_visible(3, 2, 5, 5, 1, 0, true));
  EXPECT_TRUE(attention_visible(3, 3, 5, 5, 1, 0, true));
  EXPECT_FALSE(attention_visible(3, 4, 5, 5, 1, 0, true));
  // (3, 2) with s_k 20 > s_q 4: the diagonal of query 0 is s_k - s_q = 16, keys 13..18 are visible.
  EXPECT_FALSE(attention_visible(0, 12, 4, 20, 3, 2, true));
  EXPECT_TRUE(attention_visible(0, 13, 4, 20, 3, 2, true));
  EXPECT_TRUE(attention_visible(0, 18, 4, 20, 3, 2, true));
  EXPECT_FALSE(attention_visible(0, 19, 4, 20, 3, 2, true));
  EXPECT_FALSE(attention_visible(3, 20, 4, 20, 3, 2, true));  // j >= s_k, though inside the window
  EXPECT_TRUE(attention_visible(0, 2, 4, 20, 3, 2, false));  // top-left: diagonal 0, keys 0..2
  EXPECT_FALSE(attention_visible(0, 3, 4, 20, 3, 2, false));
  EXPECT_TRUE(attention_visible(0, 0, 4, 14, -1, -1, true));
}

TEST(Attention, GqaQueryHeadsShareTheirKvHead) {
  // heads_q 4, heads_k 2, q = 0: o of query head h is the mean of V of kv head h / 2.
  const std::vector<std::uint16_t> q(4 * 2, 0), k(2 * 2 * 2, 0);
  const auto v = bf16s({1, 1, 100, 100, 3, 3, 300, 300});  // [token 2][head 2][d 2]
  AttentionArgs a;
  a.q = q.data(), a.k = k.data(), a.v = v.data();
  a.heads_q = 4, a.heads_k = 2, a.seqlen_q = 1, a.seqlen_k = 2, a.head_dim_qk = a.head_dim_v = 2;
  a.q_stride_token = 8, a.q_stride_head = 2, a.k_stride_token = a.v_stride_token = 4;
  a.k_stride_head = a.v_stride_head = 2;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  EXPECT_DOUBLE_EQ(r.at(0, 0), 2.0);
  EXPECT_DOUBLE_EQ(r.at(1, 0), 2.0);
  EXPECT_DOUBLE_EQ(r.at(2, 0), 200.0);
  EXPECT_DOUBLE_EQ(r.at(3, 1), 200.0);
  a.heads_k = 3;
  EXPECT_FALSE(attention(a, r).ok());
}

TEST(Attention, VarlenWithAnEmptySequence) {
  // sequences: (q 1, k 2), (q 0, k 1), (q 1, k 0): rows are tokens 0 and 1.
  const std::vector<std::uint16_t> q(2 * 2, 0), k(3 * 2, 0), v = bf16s({2, 0, 4, 0, 9, 9});
  const std::int32_t cu_q[] = {0, 1, 1, 2}, cu_k[] = {0, 2, 3, 3};
  AttentionArgs a;
  a.q = q.data(), a.k = k.data(), a.v = v.data();
  a.batch = 3, a.head_dim_qk = a.head_dim_v = 2;
  a.q_stride_token = a.k_stride_token = a.v_stride_token = 2;
  a.cu_seqlens_q = cu_q, a.cu_seqlens_k = cu_k;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  ASSERT_EQ(r.rows, 2u);
  EXPECT_DOUBLE_EQ(r.at(0, 0), 3.0);
  EXPECT_EQ(r.visible[1], 0u);
  EXPECT_EQ(r.at(1, 0), 0.0);
  const std::int32_t bad[] = {0, 2, 1, 2};
  a.cu_seqlens_q = bad;
  EXPECT_FALSE(attention(a, r).ok());
}

TEST(Attention, SoftcapBoundsTheScores) {
  // scores 0 and 100 with cap 1: capped to 0 and tanh(100) ≈ 1.
  const auto q = bf16s({10}), k = bf16s({0, 10}), v = bf16s({0, 1});
  AttentionArgs a = single_head(q, k, v, 1, 2, 1);
  a.softcap = 1.0;
  AttentionRef r;
  ASSERT_TRUE(attention(a, r).ok());
  const double e = std::exp(std::tanh(100.0));
  EXPECT_NEAR(r.at(0, 0), e / (1.0 + e), 1e-12);
  EXPECT_NEAR(r.max_score[0], std::tanh(100.0), 1e-15);
}

TEST(AttentionTolerance, BoundsScaleWithTheWeightedMagnitudeAndPRounding) {
  const auto q = bf16s({0, 0}), k = bf16s({1, 2, 3, 4}), v = bf16s({64, -64, 64, -64});
  AttentionRef r;
  ASSERT_TRUE(attention(single_head(q, k, v, 1, 2, 2), r).ok());
  // W = 64: the bf16 P rounding alone allows 64 · 2^-8 = 0.25, fp16 P 64 · 2^-11.
  const double bf = attention_tolerance(r, 0, 0, OutType::bf16, Format::bf16);
  const double fp = attention_tolerance(r, 0, 0, OutType::fp16, Format::fp16);
  EXPECT_GT(bf, 0.25);
  EXPECT_LT(bf, 0.25 + 0.5 + 0.01);  // + ½ ulp of bf16 at 64 (0.25) and the small terms
  EXPECT_GT(fp, 64 * 0x1p-11);
  EXPECT_LT(fp, 64 * 0x1p-11 + 0.03125 + 0.001);
  // compare_attention: the reference passes, a value off by twice the tolerance does not, nor a NaN.
  std::vector<double> got = r.out, lse = r.lse;
  EXPECT_TRUE(compare_attention(r, OutType::bf16, Format::bf16, got, &lse).ok());
  got[0] += 2 * bf;
  EXPECT_EQ(compare_attention(r, OutType::bf16, Format::bf16, got, &lse).violations, 1u);
  got = r.out;
  lse[0] = std::nan("");
  EXPECT_EQ(compare_attention(r, OutType::bf16, Format::bf16, got, &lse).violations, 1u);
  lse[0] = r.lse[0] + 2 * attention_lse_tolerance(r, 0);
  EXPECT_EQ(compare_attention(r, OutType::bf16, Format::bf16, got, &lse).violations, 1u);
}

}  // namespace
}  // namespace asmk::ref
