// The fused-MoE references (ref/moe.hpp): routing on hand-worked cases (ties, renormalization, the
// grouped DeepSeek-V3 form), the sorted layout's invariants, and the whole layer against a naive
// dense formulation that sends every token through its k experts by plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "asmk/ref/moe.hpp"
#include "asmk/ref/numeric.hpp"

namespace asmk::ref {
namespace {

TEST(MoeTopkSoftmax, PicksTheLargestLogitsAndBreaksTiesByLowerId) {
  // logits 1, 3, 3, 0: experts 1 and 2 tie at the top (lower id first), then expert 0.
  const std::vector<float> logits{1, 3, 3, 0};
  TopkSoftmaxArgs a;
  a.logits = logits.data(), a.tokens = 1, a.experts = 4, a.k = 3;
  RoutingRef r;
  ASSERT_TRUE(topk_softmax(a, r).ok());
  EXPECT_EQ(r.ids, (std::vector<std::int32_t>{1, 2, 0}));
  // softmax: e^3 / (e + 2e^3 + 1) for the tied pair, e / (...) for expert 0.
  const double denominator = std::exp(1.0) + 2 * std::exp(3.0) + 1;
  EXPECT_NEAR(r.weights[0], std::exp(3.0) / denominator, 1e-15);
  EXPECT_NEAR(r.weights[1], std::exp(3.0) / denominator, 1e-15);
  EXPECT_NEAR(r.weights[2], std::exp(1.0) / denominator, 1e-15);
  a.renormalize = true;
  ASSERT_TRUE(topk_softmax(a, r).ok());
  const double chosen = 2 * std::exp(3.0) + std::exp(1.0);
  EXPECT_NEAR(r.weights[0], std::exp(3.0) / chosen, 1e-15);
  EXPECT_NEAR(r.weights[2], std::exp(1.0) / chosen, 1e-15);
}

TEST(MoeTopkSoftmax, RejectsKAboveExpertsOr16AndTooManyExperts) {
  const std::vector<float> logits(1024, 0.0f);
  TopkSoftmaxArgs a;
  a.logits = logits.data(), a.tokens = 1, a.experts = 4, a.k = 5;
  RoutingRef r;
  EXPECT_NE(topk_softmax(a, r).error.find("k must be in [1, min(16, experts)]"), std::string::npos);
  a.experts = 64, a.k = 17;
  EXPECT_FALSE(topk_softmax(a, r).ok());
  a.experts = 513, a.k = 2;
  EXPECT_NE(topk_softmax(a, r).error.find("experts must be in [1, 512]"), std::string::npos);
  a.experts = 512, a.k = 16;
  EXPECT_TRUE(topk_softmax(a, r).ok());
}

TEST(MoeGroupedTopk, KeepsTheBestGroupsThenTheBestBiasedExperts) {
  // 8 experts, 4 groups of 2, keep 2 groups, k = 2. Logits 0 everywhere (s = 0.5) but the biases:
  // group scores (sum of both biased scores) 1+{0,0}, 1+{.3,-.2}, 1+{.1,.05}, 1+{-.5,.4}:
  // groups 1 (1.1) and 2 (1.15) are kept; of experts 2..5 the largest biased are 2 (.8) and 4 (.6).
  // Group 3 holds expert 7 (bias .4, biased .9 > .8) but is not kept.
  const std::vector<float> logits(8, 0.0f);
  const std::vector<float> bias{0, 0, 0.3f, -0.2f, 0.1f, 0.05f, -0.5f, 0.4f};
  GroupedTopkArgs a;
  a.logits = logits.data(), a.correction_bias = bias.data();
  a.tokens = 1, a.experts = 8, a.k = 2, a.n_group = 4, a.topk_group = 2;
  a.renormalize = true, a.routed_scaling_factor = 2.5;
  RoutingRef r;
  ASSERT_TRUE(grouped_topk(a, r).ok()) << grouped_topk(a, r).error;
  EXPECT_EQ(r.ids, (std::vector<std::int32_t>{2, 4}));
  // The weights are the unbiased scores (0.5 each), renormalized (0.5) and scaled (1.25).
  EXPECT_DOUBLE_EQ(r.weights[0], 1.25);
  EXPECT_DOUBLE_EQ(r.weights[1], 1.25);
  a.renormalize = false;
  ASSERT_TRUE(grouped_topk(a, r).ok());
  EXPECT_DOUBLE_EQ(r.weights[0], 0.5 * 2.5);
}

TEST(MoeGroupedTopk, RejectsGroupsThatDoNotDivideAndKBeyondTheKeptExperts) {
  const std::vector<float> logits(8, 0.0f);
  GroupedTopkArgs a;
  a.logits = logits.data(), a.tokens = 1, a.experts = 8, a.k = 2, a.n_group = 3, a.topk_group = 1;
  RoutingRef r;
  EXPECT_NE(grouped_topk(a, r).error.find("multiple of n_group"), std::string::npos);
  a.n_group = 4, a.topk_group = 1, a.k = 3;  // one kept group holds 2 experts
  EXPECT_NE(grouped_topk(a, r).error.find("exceeds the experts of topk_group groups"), std::string::npos);
  a.k = 2;
  EXPECT_TRUE(grouped_topk(a, r).ok());
}

TEST(MoeSort, LaysOutEachExpertsSlotsPaddedToTheBlock) {
  // 3 tokens, k 2, 4 experts, block 2. Slots (t·k + j): 0→e2, 1→e0, 2→e2, 3→e2, 4→e0, 5→e3.
  const std::vector<std::int32_t> ids{2, 0, 2, 2, 0, 3};
  const std::vector<float> weights{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  MoeSortArgs a;
  a.ids = ids.data(), a.weights = weights.data(), a.tokens = 3, a.k = 2, a.experts = 4, a.local_experts = 4, a.block_m = 2;
  MoeSorted s;
  ASSERT_TRUE(moe_sort(a, s).ok());
  // e0: 1, 4 | e1: none | e2: 0, 2, 3, pad | e3: 5, pad  -> 8 entries, 4 blocks; capacity 3 + 4 = 7 blocks.
  EXPECT_EQ(s.padded_total, 8u);
  EXPECT_EQ(s.sentinel, 6u);
  ASSERT_EQ(s.sorted_ids.size(), 14u);
  EXPECT_EQ(s.sorted_ids, (std::vector<std::int32_t>{1, 4, 0, 2, 3, 6, 5, 6, 6, 6, 6, 6, 6, 6}));
  EXPECT_EQ(s.block_expert, (std::vector<std::int32_t>{0, 2, 2, 3, -1, -1, -1}));
  EXPECT_EQ(s.sorted_weights[1], 0.5f);
  EXPECT_EQ(s.sorted_weights[5], 0.0f);
  EXPECT_EQ(s.sorted_weights[6], 0.6f);
}

TEST(MoeSort, SkipsRemoteExpertsThroughTheMap) {
  // Expert parallelism: experts 0, 1 are another rank's; 2, 3 are local 0, 1.
  const std::vector<std::int32_t> ids{2, 0, 2, 2, 0, 3};
  const std::vector<std::int32_t> map{-1, -1, 0, 1};
  MoeSortArgs a;
  a.ids = ids.data(), a.expert_map = map.data(), a.tokens = 3, a.k = 2, a.experts = 4, a.local_experts = 2, a.block_m = 4;
  MoeSorted s;
  ASSERT_TRUE(moe_sort(a, s).ok());
  EXPECT_EQ(s.padded_total, 8u);
  EXPECT_EQ(std::vector<std::int32_t>(s.sorted_ids.begin(), s.sorted_ids.begin() + 8),
            (std::vector<std::int32_t>{0, 2, 3, 6, 5, 6, 6, 6}));
  EXPECT_EQ(s.block_expert[0], 0);
  EXPECT_EQ(s.block_expert[1], 1);
}

TEST(MoeSort, RejectsIdsAndMapEntriesOutOfRange) {
  std::vector<std::int32_t> ids{0, 4};
  MoeSortArgs a;
  a.ids = ids.data(), a.tokens = 1, a.k = 2, a.experts = 4, a.local_experts = 4, a.block_m = 16;
  MoeSorted s;
  EXPECT_NE(moe_sort(a, s).error.find("expert id 4 of token 0, slot 1 is outside [-1, experts)"), std::string::npos);
  ids[1] = -2;
  EXPECT_NE(moe_sort(a, s).error.find("expert id -2 of token 0, slot 1 is outside [-1, experts)"), std::string::npos);
  ids[1] = -1;  // no expert: the slot is skipped
  EXPECT_TRUE(moe_sort(a, s).ok());
  ids[1] = 3;
  EXPECT_TRUE(moe_sort(a, s).ok());
  const std::vector<std::int32_t> map{0, 1, 2, 2};
  a.expert_map = map.data(), a.local_experts = 2;
  EXPECT_NE(moe_sort(a, s).error.find("expert_map[2] = 2 is outside [-1, local experts)"), std::string::npos);
  a.expert_map = nullptr;
  EXPECT_NE(moe_sort(a, s).error.find("local experts must equal experts"), std::string::npos);
}

TEST(MoeActivation, MatchesTheFormulasAtKnownPoints) {
  // silu(1)·2 = 2 / (1 + e^-1); gelu(1)·1 = ½(1 + erf(1/√2)) = Φ(1) = 0.8413447460685429...
  EXPECT_DOUBLE_EQ(moe_activation(MoeActivation::silu, 1, 2, 0, 0), 2 / (1 + std::exp(-1.0)));
  EXPECT_NEAR(moe_activation(MoeActivation::gelu, 1, 1, 0, 0), 0.8413447460685429, 1e-15);
  // Deep in the negative tail GELU stays accurate relative to its (tiny) value: Φ(−8) = 6.22096057427178e-16
  // (½·erfc(8/√2); 1 + erf(−8/√2) would cancel to a few ulps of 1).
  EXPECT_NEAR(moe_activation(MoeActivation::gelu, -8, 1, 0, 0) / (-8 * 6.22096057427178e-16), 1.0, 1e-12);
  // gpt-oss: gate 10 clamps to 7, up 9 to 7: (7 + 1) · 7 · sigmoid(1.702 · 7); up −9 to −7.
  EXPECT_DOUBLE_EQ(moe_activation(MoeActivation::swiglu_oai, 10, 9, 1.702, 7), 8 * 7 / (1 + std::exp(-1.702 * 7)));
  EXPECT_DOUBLE_EQ(moe_activation(MoeActivation::swiglu_oai, 10, -9, 1.702, 7), -6 * 7 / (1 + std::exp(-1.702 * 7)));
}

// ------------------------------------------------------------------ the layer against naive loops

struct Layer {
  std::uint32_t tokens, experts, k, hidden, inter;
  std::vector<std::uint16_t> x, w1, w2;
  std::vector<float> b1, b2;
  std::vector<std::int32_t> ids;
  std::vector<float> weights;
};

Layer random_layer(std::uint32_t tokens, std::uint32_t experts, std::uint32_t k, std::uint32_t hidden, std::uint32_t inter,
                   std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  Layer l{tokens, experts, k, hidden, inter, {}, {}, {}, {}, {}, {}, {}};
  auto fill = [&](std::vector<std::uint16_t>& v, std::size_t n, float scale) {
    for (std::size_t i = 0; i < n; ++i) v.push_back(f32_to_bf16(normal(rng) * scale));
  };
  fill(l.x, std::size_t{tokens} * hidden, 1.0f);
  fill(l.w1, std::size_t{experts} * 2 * inter * hidden, 0.2f);
  fill(l.w2, std::size_t{experts} * hidden * inter, 0.2f);
  for (std::size_t i = 0; i < std::size_t{experts} * 2 * inter; ++i) l.b1.push_back(normal(rng) * 0.1f);
  for (std::size_t i = 0; i < std::size_t{experts} * hidden; ++i) l.b2.push_back(normal(rng) * 0.1f);
  // Each token's k distinct experts by a shuffle; the weights positive.
  std::vector<std::int32_t> order(experts);
  for (std::uint32_t t = 0; t < tokens; ++t) {
    for (std::uint32_t e = 0; e < experts; ++e) order[e] = static_cast<std::int32_t>(e);
    std::shuffle(order.begin(), order.end(), rng);
    for (std::uint32_t j = 0; j < k; ++j) {
      l.ids.push_back(order[j]);
      l.weights.push_back(std::abs(normal(rng)) + 0.1f);
    }
  }
  return l;
}

double naive_activation(MoeActivation act, double g, double u) {
  switch (act) {
    case MoeActivation::silu: return g / (1 + std::exp(-g)) * u;
    case MoeActivation::gelu: return 0.5 * g * std::erfc(-g / std::sqrt(2.0)) * u;
    case MoeActivation::swiglu_oai: {
      const double gc = g > 7 ? 7 : g, uc = u > 7 ? 7 : (u < -7 ? -7 : u);
      return (uc + 1) * gc / (1 + std::exp(-double{swiglu_oai_alpha} * gc));
    }
  }
  return 0;
}

// out[t] = Σ_j w_j · (bf16(act(x W1[e_j]ᵀ + b1)) · W2[e_j]ᵀ + b2) for local experts (map), by loops.
std::vector<double> naive_moe(const Layer& l, MoeActivation act, bool bias, const std::vector<std::int32_t>* map) {
  std::vector<double> out(std::size_t{l.tokens} * l.hidden, 0.0);
  std::vector<double> h(l.inter);
  const auto f = [](std::uint16_t v) { return double{bf16_to_f32(v)}; };
  for (std::uint32_t t = 0; t < l.tokens; ++t) {
    for (std::uint32_t j = 0; j < l.k; ++j) {
      std::int32_t e = l.ids[t * l.k + j];
      if (map != nullptr) e = (*map)[static_cast<std::size_t>(e)];
      if (e < 0) continue;
      for (std::uint32_t i = 0; i < l.inter; ++i) {
        double g = bias ? l.b1[e * 2 * l.inter + i] : 0.0, u = bias ? l.b1[e * 2 * l.inter + l.inter + i] : 0.0;
        for (std::uint32_t c = 0; c < l.hidden; ++c) {
          g += f(l.x[t * l.hidden + c]) * f(l.w1[(std::size_t(e) * 2 * l.inter + i) * l.hidden + c]);
          u += f(l.x[t * l.hidden + c]) * f(l.w1[(std::size_t(e) * 2 * l.inter + l.inter + i) * l.hidden + c]);
        }
        h[i] = f(f32_to_bf16(static_cast<float>(naive_activation(act, g, u))));
      }
      for (std::uint32_t c = 0; c < l.hidden; ++c) {
        double y = bias ? l.b2[e * l.hidden + c] : 0.0;
        for (std::uint32_t i = 0; i < l.inter; ++i) y += h[i] * f(l.w2[(std::size_t(e) * l.hidden + c) * l.inter + i]);
        out[t * l.hidden + c] += l.weights[t * l.k + j] * y;
      }
    }
  }
  return out;
}

void expect_layer_matches_naive(const Layer& l, MoeActivation act, bool bias, std::uint32_t block_m,
                                const std::vector<std::int32_t>* map, std::uint32_t local_experts) {
  FusedMoeArgs a;
  a.x = l.x.data(), a.w1 = l.w1.data(), a.w2 = l.w2.data();
  a.bias1 = bias ? l.b1.data() : nullptr, a.bias2 = bias ? l.b2.data() : nullptr;
  a.ids = l.ids.data(), a.weights = l.weights.data(), a.expert_map = map != nullptr ? map->data() : nullptr;
  a.tokens = l.tokens, a.k = l.k, a.experts = l.experts, a.local_experts = local_experts;
  a.hidden = l.hidden, a.inter = l.inter, a.block_m = block_m, a.activation = act;
  FusedMoeRef r;
  const Status s = fused_moe(a, r);
  ASSERT_TRUE(s.ok()) << s.error;
  const std::vector<double> expected = naive_moe(l, act, bias, map);
  ASSERT_EQ(r.out.value.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    ASSERT_NEAR(r.out.value[i], expected[i], 1e-12 * (1 + r.out.magnitude[i])) << "element " << i;
  // The stage-1 allowance is positive for rows that have a value and the magnitude of stage 2 bounds it.
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_GE(r.out.magnitude[i], std::abs(r.out.value[i]) * (1 - 1e-12));
}

TEST(FusedMoe, MatchesNaiveLoopsForEveryActivation) {
  const Layer l = random_layer(5, 8, 2, 48, 24, 1);
  for (MoeActivation act : {MoeActivation::silu, MoeActivation::gelu, MoeActivation::swiglu_oai})
    for (bool bias : {false, true})
      for (std::uint32_t block_m : {1u, 4u, 32u}) {
        SCOPED_TRACE(testing::Message() << "activation " << int(act) << " bias " << bias << " block_m " << block_m);
        expect_layer_matches_naive(l, act, bias, block_m, nullptr, 8);
      }
}

TEST(FusedMoe, MatchesNaiveLoopsWithHalfTheExpertsRemote) {
  const Layer l = random_layer(7, 16, 4, 32, 16, 2);
  std::vector<std::int32_t> map(16, -1);
  for (std::int32_t e = 0; e < 8; ++e) map[static_cast<std::size_t>(2 * e + 1)] = e;  // odd experts are local
  expect_layer_matches_naive(l, MoeActivation::silu, false, 16, &map, 8);
  // A broken map (everything remote) gives zeros, which the naive loops do not: the check has teeth.
  FusedMoeArgs a;
  std::vector<std::int32_t> none(16, -1);
  a.x = l.x.data(), a.w1 = l.w1.data(), a.w2 = l.w2.data(), a.ids = l.ids.data(), a.weights = l.weights.data();
  a.expert_map = none.data(), a.tokens = 7, a.k = 4, a.experts = 16, a.local_experts = 8, a.hidden = 32, a.inter = 16;
  FusedMoeRef r;
  ASSERT_TRUE(fused_moe(a, r).ok());
  EXPECT_EQ(r.sorted.padded_total, 0u);
  EXPECT_TRUE(std::all_of(r.out.value.begin(), r.out.value.end(), [](double v) { return v == 0; }));
}

TEST(FusedMoe, AllTokensToOneExpert) {
  Layer l = random_layer(9, 4, 1, 16, 8, 3);
  std::fill(l.ids.begin(), l.ids.end(), 3);
  expect_layer_matches_naive(l, MoeActivation::silu, true, 4, nullptr, 4);
}

TEST(MoeStage1, TheAllowanceGrowsWithTheMagnitudes) {
  // One token, one expert, hidden 2: gate = 1·1 + 1·(−1) = 0 (cancels), up = 2. The allowance is
  // not zero although the value is (silu(0) = 0): it comes from the magnitudes (2 each).
  const std::vector<std::uint16_t> x{f32_to_bf16(1), f32_to_bf16(1)};
  const std::vector<std::uint16_t> w1{f32_to_bf16(1), f32_to_bf16(-1), f32_to_bf16(1), f32_to_bf16(1)};
  const std::vector<std::int32_t> ids{0};
  MoeSortArgs sa;
  sa.ids = ids.data(), sa.tokens = 1, sa.k = 1, sa.experts = 1, sa.local_experts = 1, sa.block_m = 1;
  MoeSorted sorted;
  ASSERT_TRUE(moe_sort(sa, sorted).ok());
  MoeStage1Args a;
  a.x = x.data(), a.w1 = w1.data(), a.sorted = &sorted, a.tokens = 1, a.k = 1, a.hidden = 2, a.inter = 1, a.local_experts = 1;
  MoeStage1Ref r;
  ASSERT_TRUE(moe_stage1(a, r).ok());
  EXPECT_EQ(r.value[0], 0.0);
  EXPECT_GT(r.error_bound[0], 0.0);
  EXPECT_LT(r.error_bound[0], 1e-5);
  EXPECT_EQ(r.valid[0], 1);
}

// ------------------------------------------------------------------ fp8 block scales (DeepSeek-V3)

// Stage 1 and stage 2 with 1x128 activation and 128x128 weight block scales against the dense
// formulation: every fp8 code dequantized with its block's scale first, then plain dot products
// (the reference instead sums each K-block and scales the partial sums).
TEST(MoeBlockScale, StagesMatchTheDequantizedDenseProducts) {
  const Format fp8 = Format::e4m3fn;
  const std::uint32_t tokens = 3, k = 2, experts = 3, hidden = 256, inter = 128, kb1 = hidden / 128, kb2 = inter / 128;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> factor(0.25f, 2.0f);
  auto codes = [&](std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& c : v) c = static_cast<std::uint8_t>(encode(fp8, normal(rng), Overflow::saturate));
    return v;
  };
  auto scales = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& f : v) f = factor(rng);
    return v;
  };
  const auto x = codes(std::size_t{tokens} * hidden), w1 = codes(std::size_t{experts} * 2 * inter * hidden);
  const auto inter_codes = codes(std::size_t{tokens} * k * inter), w2 = codes(std::size_t{experts} * hidden * inter);
  const auto sx = scales(std::size_t{tokens} * kb1), sw1 = scales(std::size_t{experts} * (2 * inter / 128) * kb1);
  const auto si = scales(std::size_t{tokens} * k * kb2), sw2 = scales(std::size_t{experts} * (hidden / 128) * kb2);
  const std::vector<std::int32_t> ids{2, 0, 0, 2, 2, 0};  // expert 1 receives no token
  const std::vector<float> weights{0.5f, 0.25f, 1.0f, 0.75f, 0.125f, 2.0f};
  MoeSortArgs sa;
  sa.ids = ids.data(), sa.weights = weights.data(), sa.tokens = tokens, sa.k = k, sa.experts = experts, sa.local_experts = experts, sa.block_m = 4;
  MoeSorted sorted;
  ASSERT_TRUE(moe_sort(sa, sorted).ok());

  MoeStage1Args a1;
  a1.in_format = fp8, a1.x = x.data(), a1.w1 = w1.data(), a1.scale_x = sx.data(), a1.scale_w1 = sw1.data(), a1.scale_block = 128;
  a1.sorted = &sorted, a1.tokens = tokens, a1.k = k, a1.hidden = hidden, a1.inter = inter, a1.local_experts = experts;
  MoeStage1Ref r1;
  ASSERT_TRUE(moe_stage1(a1, r1).ok());
  MoeStage2Args a2;
  a2.in_format = fp8, a2.inter = inter_codes.data(), a2.w2 = w2.data(), a2.scale_inter = si.data(), a2.scale_w2 = sw2.data(), a2.scale_block = 128;
  a2.sorted = &sorted, a2.tokens = tokens, a2.k = k, a2.hidden = hidden, a2.inter_size = inter, a2.local_experts = experts;
  GemmRef r2;
  std::vector<std::uint8_t> valid;
  ASSERT_TRUE(moe_stage2_rows(a2, r2, valid).ok());

  for (std::uint32_t slot = 0; slot < tokens * k; ++slot) {
    const auto t = slot / k;
    const auto e = static_cast<std::size_t>(ids[slot]);
    ASSERT_EQ(r1.valid[slot], 1);
    for (std::uint32_t i = 0; i < inter; ++i) {
      double g = 0, u = 0;
      for (std::uint32_t c = 0; c < hidden; ++c) {
        const double xd = double{decode(fp8, x[t * hidden + c])} * sx[t * kb1 + c / 128];
        const std::size_t gr = e * 2 * inter + i, ur = gr + inter;
        g += xd * double{decode(fp8, w1[gr * hidden + c])} * sw1[(gr / 128) * kb1 + c / 128];
        u += xd * double{decode(fp8, w1[ur * hidden + c])} * sw1[(ur / 128) * kb1 + c / 128];
      }
      ASSERT_NEAR(r1.value[std::size_t{slot} * inter + i], naive_activation(MoeActivation::silu, g, u), 1e-9) << slot << " " << i;
    }
    for (std::uint32_t h = 0; h < hidden; ++h) {
      double y = 0;
      for (std::uint32_t c = 0; c < inter; ++c) {
        const std::size_t wr = e * hidden + h;
        y += double{decode(fp8, inter_codes[std::size_t{slot} * inter + c])} * si[slot * kb2 + c / 128] * decode(fp8, w2[wr * inter + c]) *
             sw2[(wr / 128) * kb2 + c / 128];
      }
      ASSERT_NEAR(r2.value[std::size_t{slot} * hidden + h], weights[slot] * y, 1e-9) << slot << " " << h;
    }
  }
  // With one scale per row the same codes give other values: the blocks' scales were used.
  a1.scale_block = 0;
  MoeStage1Ref row_scaled;
  ASSERT_TRUE(moe_stage1(a1, row_scaled).ok());
  EXPECT_NE(row_scaled.value, r1.value);
}

TEST(MoeBlockScale, RejectsOtherBlocksAndPartialKBlocks) {
  const std::vector<std::int32_t> ids{0};
  MoeSortArgs sa;
  sa.ids = ids.data(), sa.tokens = 1, sa.k = 1, sa.experts = 1, sa.local_experts = 1, sa.block_m = 1;
  MoeSorted sorted;
  ASSERT_TRUE(moe_sort(sa, sorted).ok());
  const std::vector<std::uint8_t> codes(2 * 192 * 192, 0x38);
  const std::vector<float> ones(64, 1.0f);
  MoeStage1Args a;
  a.in_format = Format::e4m3fn, a.x = codes.data(), a.w1 = codes.data(), a.scale_x = ones.data(), a.scale_w1 = ones.data();
  a.sorted = &sorted, a.tokens = 1, a.k = 1, a.local_experts = 1, a.hidden = 192, a.inter = 128, a.scale_block = 128;
  MoeStage1Ref r;
  Status s = moe_stage1(a, r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("multiples of 128"), std::string::npos) << s.error;
  a.hidden = 128, a.scale_block = 64;
  s = moe_stage1(a, r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("scale_block 64"), std::string::npos) << s.error;
  a.scale_block = 128;
  EXPECT_TRUE(moe_stage1(a, r).ok());
}

// MXFP4 stages against dense loops over values decoded by hand: e2m1 from its table (sign bit 3,
// magnitudes 0, ½, 1, 1½, 2, 3, 4, 6), the low nibble first, times 2^(e8m0 − 127) per 32 of K.
TEST(MoeMxfp4, StagesMatchTheDequantizedDenseProducts) {
  const std::uint32_t tokens = 2, k = 2, experts = 3, hidden = 64, inter = 32;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255), exponent(120, 130);
  auto bytes = [&](std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(byte(rng));
    return v;
  };
  auto exponents = [&](std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& e : v) e = static_cast<std::uint8_t>(exponent(rng));
    return v;
  };
  const auto x = bytes(tokens * hidden / 2), w1 = bytes(std::size_t{experts} * 2 * inter * hidden / 2);
  const auto inter_codes = bytes(tokens * k * inter / 2), w2 = bytes(std::size_t{experts} * hidden * inter / 2);
  const auto sx = exponents(tokens * hidden / 32), sw1 = exponents(std::size_t{experts} * 2 * inter * hidden / 32);
  const auto si = exponents(tokens * k * inter / 32), sw2 = exponents(std::size_t{experts} * hidden * inter / 32);
  auto value = [](const std::vector<std::uint8_t>& codes, const std::vector<std::uint8_t>& scales, std::size_t row, std::uint32_t n,
                  std::uint32_t i) {
    static const double magnitude[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
    const unsigned nibble = (codes[row * n / 2 + i / 2] >> (i % 2 ? 4 : 0)) & 0xf;
    return (nibble & 8 ? -1 : 1) * magnitude[nibble & 7] * std::ldexp(1.0, int(scales[row * n / 32 + i / 32]) - 127);
  };
  const std::vector<std::int32_t> ids{2, 0, 0, 2};  // expert 1 receives no token
  const std::vector<float> weights{0.5f, 0.25f, 1.0f, 0.75f};
  MoeSortArgs sa;
  sa.ids = ids.data(), sa.weights = weights.data(), sa.tokens = tokens, sa.k = k, sa.experts = experts, sa.local_experts = experts, sa.block_m = 4;
  MoeSorted sorted;
  ASSERT_TRUE(moe_sort(sa, sorted).ok());
  MoeStage1Args a1;
  a1.in_format = Format::e2m1, a1.x = x.data(), a1.w1 = w1.data(), a1.mx_scale_x = sx.data(), a1.mx_scale_w1 = sw1.data();
  a1.sorted = &sorted, a1.tokens = tokens, a1.k = k, a1.hidden = hidden, a1.inter = inter, a1.local_experts = experts;
  a1.activation = MoeActivation::swiglu_oai;
  MoeStage1Ref r1;
  ASSERT_TRUE(moe_stage1(a1, r1).ok());
  MoeStage2Args a2;
  a2.in_format = Format::e2m1, a2.inter = inter_codes.data(), a2.w2 = w2.data(), a2.mx_scale_inter = si.data(), a2.mx_scale_w2 = sw2.data();
  a2.sorted = &sorted, a2.tokens = tokens, a2.k = k, a2.hidden = hidden, a2.inter_size = inter, a2.local_experts = experts;
  GemmRef r2;
  std::vector<std::uint8_t> valid;
  ASSERT_TRUE(moe_stage2_rows(a2, r2, valid).ok());
  for (std::uint32_t slot = 0; slot < tokens * k; ++slot) {
    const std::size_t t = slot / k, e = static_cast<std::size_t>(ids[slot]);
    for (std::uint32_t i = 0; i < inter; ++i) {
      double g = 0, u = 0;
      for (std::uint32_t c = 0; c < hidden; ++c) {
        g += value(x, sx, t, hidden, c) * value(w1, sw1, e * 2 * inter + i, hidden, c);
        u += value(x, sx, t, hidden, c) * value(w1, sw1, e * 2 * inter + inter + i, hidden, c);
      }
      ASSERT_NEAR(r1.value[slot * inter + i], naive_activation(MoeActivation::swiglu_oai, g, u), 1e-12 * (1 + std::abs(g) + std::abs(u)));
    }
    for (std::uint32_t h = 0; h < hidden; ++h) {
      double y = 0;
      for (std::uint32_t c = 0; c < inter; ++c) y += value(inter_codes, si, slot, inter, c) * value(w2, sw2, e * hidden + h, inter, c);
      ASSERT_NEAR(r2.value[slot * hidden + h], weights[slot] * y, 1e-12 * (1 + std::abs(y)));
    }
  }
  // Missing scales or a K that is not whole 32-blocks: refused by name.
  a1.mx_scale_w1 = nullptr;
  const Status s = moe_stage1(a1, r1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("mx_scale_w1"), std::string::npos) << s.error;
}

// MXFP4 weights against bf16 activations (a16w4): the stages against dense loops over bf16 x / inter and
// weights decoded by hand as in the test above.
TEST(MoeA16w4, StagesMatchTheDequantizedDenseProducts) {
  const std::uint32_t tokens = 2, k = 2, experts = 3, hidden = 64, inter = 32;
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> byte(0, 255), exponent(120, 130);
  std::normal_distribution<float> normal(0.f, 1.f);
  auto bytes = [&](std::size_t n, auto& dist) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(dist(rng));
    return v;
  };
  auto bf16s = [&](std::size_t n) {
    std::vector<std::uint16_t> v(n);
    for (auto& b : v) b = f32_to_bf16(normal(rng));
    return v;
  };
  const auto x = bf16s(tokens * hidden), inter_rows = bf16s(tokens * k * inter);
  const auto w1 = bytes(std::size_t{experts} * 2 * inter * hidden / 2, byte), w2 = bytes(std::size_t{experts} * hidden * inter / 2, byte);
  const auto sw1 = bytes(std::size_t{experts} * 2 * inter * hidden / 32, exponent), sw2 = bytes(std::size_t{experts} * hidden * inter / 32, exponent);
  auto w_value = [](const std::vector<std::uint8_t>& codes, const std::vector<std::uint8_t>& scales, std::size_t row, std::uint32_t n,
                    std::uint32_t i) {
    static const double magnitude[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
    const unsigned nibble = (codes[row * n / 2 + i / 2] >> (i % 2 ? 4 : 0)) & 0xf;
    return (nibble & 8 ? -1 : 1) * magnitude[nibble & 7] * std::ldexp(1.0, int(scales[row * n / 32 + i / 32]) - 127);
  };
  const std::vector<std::int32_t> ids{2, 0, 0, 2};  // expert 1 receives no token
  const std::vector<float> weights{0.5f, 0.25f, 1.0f, 0.75f};
  MoeSortArgs sa;
  sa.ids = ids.data(), sa.weights = weights.data(), sa.tokens = tokens, sa.k = k, sa.experts = experts, sa.local_experts = experts, sa.block_m = 4;
  MoeSorted sorted;
  ASSERT_TRUE(moe_sort(sa, sorted).ok());
  MoeStage1Args a1;
  a1.weights = MoeWeights::e2m1, a1.x = x.data(), a1.w1 = w1.data(), a1.mx_scale_w1 = sw1.data();
  a1.sorted = &sorted, a1.tokens = tokens, a1.k = k, a1.hidden = hidden, a1.inter = inter, a1.local_experts = experts;
  a1.activation = MoeActivation::swiglu_oai;
  MoeStage1Ref r1;
  ASSERT_TRUE(moe_stage1(a1, r1).ok());
  MoeStage2Args a2;
  a2.weights = MoeWeights::e2m1, a2.inter = inter_rows.data(), a2.w2 = w2.data(), a2.mx_scale_w2 = sw2.data();
  a2.sorted = &sorted, a2.tokens = tokens, a2.k = k, a2.hidden = hidden, a2.inter_size = inter, a2.local_experts = experts;
  GemmRef r2;
  std::vector<std::uint8_t> valid;
  ASSERT_TRUE(moe_stage2_rows(a2, r2, valid).ok());
  for (std::uint32_t slot = 0; slot < tokens * k; ++slot) {
    const std::size_t t = slot / k, e = static_cast<std::size_t>(ids[slot]);
    for (std::uint32_t i = 0; i < inter; ++i) {
      double g = 0, u = 0;
      for (std::uint32_t c = 0; c < hidden; ++c) {
        const double xv = bf16_to_f32(x[t * hidden + c]);
        g += xv * w_value(w1, sw1, e * 2 * inter + i, hidden, c);
        u += xv * w_value(w1, sw1, e * 2 * inter + inter + i, hidden, c);
      }
      ASSERT_NEAR(r1.value[slot * inter + i], naive_activation(MoeActivation::swiglu_oai, g, u), 1e-12 * (1 + std::abs(g) + std::abs(u)));
    }
    for (std::uint32_t h = 0; h < hidden; ++h) {
      double y = 0;
      for (std::uint32_t c = 0; c < inter; ++c) y += bf16_to_f32(inter_rows[slot * inter + c]) * w_value(w2, sw2, e * hidden + h, inter, c);
      ASSERT_NEAR(r2.value[slot * hidden + h], weights[slot] * y, 1e-12 * (1 + std::abs(y)));
    }
  }
  // MXFP4 weights without their scales, or against fp8 activations: refused.
  a1.mx_scale_w1 = nullptr;
  EXPECT_FALSE(moe_stage1(a1, r1).ok());
  a1.mx_scale_w1 = sw1.data(), a1.in_format = Format::e4m3fn;
  const Status s = moe_stage1(a1, r1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("MXFP4 weights take bf16 activations"), std::string::npos) << s.error;
}

// int4 weights against fp8 activations (a8w4, Grok-1): the stages against dense loops over fp8 values and
// int4 codes decoded by hand (two's complement nibbles, the low one first) with their row / channel scales.
TEST(MoeA8w4, StagesMatchTheDequantizedDenseProducts) {
  const std::uint32_t tokens = 2, k = 2, experts = 3, hidden = 64, inter = 32;
  const Format fp8 = Format::e4m3fnuz;
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> factor(0.5f, 1.5f);
  auto bytes = [&](std::size_t n, bool fp8_codes) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v)
      do b = static_cast<std::uint8_t>(byte(rng));
      while (fp8_codes && b == 0x80);  // e4m3fnuz's NaN
    return v;
  };
  auto scales = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& f : v) f = factor(rng);
    return v;
  };
  const auto x = bytes(tokens * hidden, true), inter_codes = bytes(tokens * k * inter, true);
  const auto w1 = bytes(std::size_t{experts} * 2 * inter * hidden / 2, false), w2 = bytes(std::size_t{experts} * hidden * inter / 2, false);
  const auto sx = scales(tokens), si = scales(tokens * k), sw1 = scales(std::size_t{experts} * 2 * inter), sw2 = scales(std::size_t{experts} * hidden);
  auto int4 = [](const std::vector<std::uint8_t>& codes, std::size_t row, std::uint32_t n, std::uint32_t i) {
    const int nibble = (codes[row * n / 2 + i / 2] >> (i % 2 ? 4 : 0)) & 0xf;
    return double(nibble >= 8 ? nibble - 16 : nibble);
  };
  const std::vector<std::int32_t> ids{2, 0, 0, 2};  // expert 1 receives no token
  const std::vector<float> weights{0.5f, 0.25f, 1.0f, 0.75f};
  MoeSortArgs sa;
  sa.ids = ids.data(), sa.weights = weights.data(), sa.tokens = tokens, sa.k = k, sa.experts = experts, sa.local_experts = experts, sa.block_m = 4;
  MoeSorted sorted;
  ASSERT_TRUE(moe_sort(sa, sorted).ok());
  MoeStage1Args a1;
  a1.in_format = fp8, a1.weights = MoeWeights::int4, a1.x = x.data(), a1.w1 = w1.data(), a1.scale_x = sx.data(), a1.scale_w1 = sw1.data();
  a1.sorted = &sorted, a1.tokens = tokens, a1.k = k, a1.hidden = hidden, a1.inter = inter, a1.local_experts = experts;
  a1.activation = MoeActivation::gelu;
  MoeStage1Ref r1;
  ASSERT_TRUE(moe_stage1(a1, r1).ok());
  MoeStage2Args a2;
  a2.in_format = fp8, a2.weights = MoeWeights::int4, a2.inter = inter_codes.data(), a2.w2 = w2.data(), a2.scale_inter = si.data();
  a2.scale_w2 = sw2.data(), a2.sorted = &sorted, a2.tokens = tokens, a2.k = k, a2.hidden = hidden, a2.inter_size = inter;
  a2.local_experts = experts;
  GemmRef r2;
  std::vector<std::uint8_t> valid;
  ASSERT_TRUE(moe_stage2_rows(a2, r2, valid).ok());
  for (std::uint32_t slot = 0; slot < tokens * k; ++slot) {
    const std::size_t t = slot / k, e = static_cast<std::size_t>(ids[slot]);
    for (std::uint32_t i = 0; i < inter; ++i) {
      const std::size_t gate = e * 2 * inter + i, up = gate + inter;
      double g = 0, u = 0;
      for (std::uint32_t c = 0; c < hidden; ++c) {
        const double xv = decode(fp8, x[t * hidden + c]) * double{sx[t]};
        g += xv * int4(w1, gate, hidden, c) * sw1[gate];
        u += xv * int4(w1, up, hidden, c) * sw1[up];
      }
      const double want = naive_activation(MoeActivation::gelu, g, u);  // fp8 codes up to 240: products large
      ASSERT_NEAR(r1.value[slot * inter + i], want, 1e-12 * (1 + std::abs(want) + std::abs(g) + std::abs(u)));
    }
    for (std::uint32_t h = 0; h < hidden; ++h) {
      double y = 0;
      for (std::uint32_t c = 0; c < inter; ++c)
        y += decode(fp8, inter_codes[slot * inter + c]) * double{si[slot]} * int4(w2, e * hidden + h, inter, c) * sw2[e * hidden + h];
      ASSERT_NEAR(r2.value[slot * hidden + h], weights[slot] * y, 1e-12 * (1 + std::abs(y)));
    }
  }
  // int4 weights with block scales, or against bf16 activations: refused.
  a1.scale_block = 128;
  EXPECT_FALSE(moe_stage1(a1, r1).ok());
  a1.scale_block = 0, a1.in_format = Format::bf16;
  const Status s = moe_stage1(a1, r1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("int4 weights take fp8 activations"), std::string::npos) << s.error;
}

}  // namespace
}  // namespace asmk::ref
