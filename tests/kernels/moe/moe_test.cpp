// The MoE ops by name (tools/op_runner.hpp) on both devices: every variant through a problem that
// selects it, demo-like model shapes scaled down (DeepSeek-V3-like E 256 k 8, Mixtral-like E 8 k 2),
// tokens 1, 3, 64, and bad input refused by the op's rules (both sides of each rule).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include <string>

#include "asmk/ref/moe.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/tolerance.hpp"
#include "kernel_harness.hpp"
#include "op_runner.hpp"

namespace {

using asmk::op_runner::Problem;
using asmk::test::Session;
namespace ref = asmk::ref;

std::string arch_suffix(const char* arch) { return std::string("_") + arch + "_"; }

// Runs `problem` and expects every output to match its reference.
asmk::op_runner::Result run_ok(Session& s, const std::string& op, const std::string& problem, std::uint32_t seed) {
  SCOPED_TRACE(op + " " + problem);
  asmk::op_runner::Options options;
  options.seed = seed;
  auto r = asmk::op_runner::run(s.get(), op, Problem::parse(problem), options);
  EXPECT_EQ(r.status, ASMK_SUCCESS) << r.error;
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.comparisons.empty());
  for (const auto& c : r.comparisons) EXPECT_TRUE(c.ok()) << r.selection.kernel_name << ": " << c.tensor << ": " << c.detail;
  return r;
}

class Moe : public ::testing::TestWithParam<asmk::test::TestDevice> {};

// E 64, 128, 256, 512 select experts_per_lane 1, 2, 4, 8 (no masked logit): every variant runs.
TEST_P(Moe, TopkSoftmaxEveryVariant) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* problem; const char* variant; } cases[] = {
      {"tokens=3 experts=64 k=4", "e1"},
      {"tokens=64 experts=128 k=8 renormalize=1", "e2"},
      {"tokens=1 experts=256 k=8", "e4"},
      {"tokens=5 experts=512 k=16 renormalize=1", "e8"},
      {"tokens=3 experts=8 k=2", "e1"},  // Mixtral-like: 56 masked lanes
      {"tokens=7 experts=200 k=1", "e4"},
  };
  std::uint32_t seed = 10;
  for (const auto& c : cases) {
    const auto r = run_ok(s, "moe_topk_softmax", c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name),
              "moe_topk_softmax" + arch_suffix(GetParam().arch) + c.variant) << c.problem;
    ASSERT_EQ(r.comparisons.size(), 2u);
    EXPECT_EQ(r.comparisons[0].tensor, "topk_ids");
    EXPECT_EQ(r.comparisons[0].count, std::stoul(r.values.at("tokens")) * std::stoul(r.values.at("k")));
  }
}

// The fill makes equal logits common (odd tokens are rounded to quarters): a reference that breaks
// ties toward the higher id must then disagree with the kernel, which proves ties were exercised.
TEST_P(Moe, TopkSoftmaxTiesGoToTheLowerId) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_topk_softmax");
  ref::OpReference higher_first = saved;
  higher_first.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    // The same problem with the experts' order reversed: ties then go to the higher original id.
    const std::uint32_t tokens = p.u32("tokens"), experts = p.u32("experts"), k = p.u32("k");
    ref::OpTensors reversed = t;
    float* logits = reversed.at("logits").as<float>();
    for (std::uint32_t token = 0; token < tokens; ++token) std::reverse(logits + token * experts, logits + (token + 1) * experts);
    ref::Status status = saved.compute(p, reversed, expected);
    ref::OpTensor& ids = expected.at("topk_ids").exact;
    for (std::uint32_t i = 0; i < tokens * k; ++i) ids.as<std::int32_t>()[i] = std::int32_t(experts) - 1 - ids.as<std::int32_t>()[i];
    return status;
  };
  ref::register_op_reference("moe_topk_softmax", higher_first);
  auto r = asmk::op_runner::run(s.get(), "moe_topk_softmax", Problem::parse("tokens=16 experts=64 k=8"));
  ref::register_op_reference("moe_topk_softmax", saved);
  ASSERT_EQ(r.comparisons.size(), 2u) << r.error;
  EXPECT_FALSE(r.comparisons[0].ok()) << "no tie changed the choice: the tie rule was not exercised";
  run_ok(s, "moe_topk_softmax", "tokens=16 experts=64 k=8", 1);  // the same problem with the right rule
}

TEST_P(Moe, TopkSoftmaxRefusesBadInputByRule) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* bad; const char* rule; const char* good; } cases[] = {
      {"tokens=2 experts=8 k=9", "k_at_most_experts", "tokens=2 experts=8 k=8"},
      {"tokens=2 experts=64 k=17", "k_at_most_16", "tokens=2 experts=64 k=16"},
      {"tokens=2 experts=513 k=2", "experts_at_most_512", "tokens=2 experts=512 k=2"},
      {"tokens=2 experts=8 k=2 renormalize=2", "renormalize_flag", "tokens=2 experts=8 k=2 renormalize=1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bad);
    const auto r = asmk::op_runner::run(s.get(), "moe_topk_softmax", Problem::parse(c.bad));
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
    EXPECT_NE(r.error.find(c.rule), std::string::npos) << r.error;
    run_ok(s, "moe_topk_softmax", c.good, 3);
  }
}

// The sorted layout bit for bit: tokens 1, 3, 64; every M tile; Mixtral-like and DeepSeek-V3-like
// routing (most of the 256 experts receive no token at 1 token); expert parallelism with half the
// experts remote (a map) and without a map (experts >= local_experts remote).
TEST_P(Moe, SortLayoutsMatchTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const char* problems[] = {
      "tokens=1 k=8 experts=256 local_experts=256 block_m=16",
      "tokens=3 k=2 experts=8 local_experts=8 block_m=16",
      "tokens=64 k=2 experts=8 local_experts=8 block_m=128",
      "tokens=64 k=8 experts=256 local_experts=256 block_m=32",
      "tokens=64 k=8 experts=256 local_experts=128 expert_map block_m=64",
      "tokens=3 k=4 experts=16 local_experts=8 block_m=16",
  };
  std::uint32_t seed = 40;
  for (const char* problem : problems) {
    const auto r = run_ok(s, "moe_sort", problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_sort" + arch_suffix(GetParam().arch) + "x512");
    ASSERT_EQ(r.comparisons.size(), 4u);
  }
}

// All tokens to one expert (its list spans many blocks), and ids outside [0, E) skipped.
TEST_P(Moe, SortAllTokensToOneExpertAndIdsOutOfRange) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  asmk::op_runner::Options options;
  std::vector<std::int32_t> ids(64 * 2, 5);
  ids[7] = 8, ids[9] = -1;  // skipped
  options.inputs["topk_ids"].resize(ids.size() * 4);
  std::memcpy(options.inputs["topk_ids"].data(), ids.data(), ids.size() * 4);
  const auto r = asmk::op_runner::run(s.get(), "moe_sort", Problem::parse("tokens=64 k=2 experts=8 local_experts=8 block_m=16"), options);
  ASSERT_EQ(r.status, ASMK_SUCCESS) << r.error;
  for (const auto& c : r.comparisons) EXPECT_TRUE(c.ok()) << c.tensor << ": " << c.detail;
  // 126 slots to expert 5: 8 blocks of 16, 128 entries.
  std::int32_t total;
  std::memcpy(&total, r.tensors.at("total_padded").bytes.data(), 4);
  EXPECT_EQ(total, 128);
}

TEST_P(Moe, SortRefusesBadInputByRule) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* bad; const char* rule; const char* good; } cases[] = {
      {"tokens=2 k=2 experts=8 local_experts=9", "local_at_most_experts", "tokens=2 k=2 experts=8 local_experts=8"},
      {"tokens=2 k=2 experts=8 local_experts=8 block_m=8", "block_m_tile", "tokens=2 k=2 experts=8 local_experts=8 block_m=16"},
      {"tokens=2 k=2 experts=600 local_experts=513", "local_experts_at_most_512", "tokens=2 k=2 experts=600 local_experts=512"},
      {"tokens=2 k=17 experts=32 local_experts=32", "tokens_and_k", "tokens=2 k=16 experts=32 local_experts=32"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bad);
    const auto r = asmk::op_runner::run(s.get(), "moe_sort", Problem::parse(c.bad));
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
    EXPECT_NE(r.error.find(c.rule), std::string::npos) << r.error;
    run_ok(s, "moe_sort", c.good, 5);
  }
}

// Every moe_gemm variant: stage 1 with each activation and M tile (bias on some), stage 2 with each
// M tile; model-like shapes scaled down (DeepSeek-V3-like E 256 k 8, Mixtral-like E 8 k 2, a
// gpt-oss-like layer with SwiGLU and biases).
TEST_P(Moe, GemmStagesEveryVariant) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* problem; const char* variant; } cases[] = {
      {"moe_gemm1", "tokens=1 k=8 experts=256 hidden=128 inter=64 block_m=16", "s1_silu_bf16_m16"},
      {"moe_gemm1", "tokens=64 k=2 experts=8 hidden=128 inter=128 block_m=64", "s1_silu_bf16_m64"},
      {"moe_gemm1", "tokens=64 k=8 experts=32 hidden=64 inter=64 block_m=128", "s1_silu_bf16_m128"},
      {"moe_gemm1", "tokens=3 k=2 experts=8 hidden=64 inter=128 block_m=16 activation=gelu", "s1_gelu_bf16_m16"},
      {"moe_gemm1", "tokens=64 k=2 experts=8 hidden=64 inter=64 block_m=64 activation=gelu bias", "s1_gelu_bf16_m64"},
      {"moe_gemm1", "tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=128 activation=gelu", "s1_gelu_bf16_m128"},
      {"moe_gemm1", "tokens=3 k=4 experts=16 hidden=64 inter=64 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16"},
      {"moe_gemm1", "tokens=64 k=4 experts=16 hidden=64 inter=64 block_m=64 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m64"},
      {"moe_gemm1", "tokens=3 k=4 experts=16 hidden=64 inter=64 block_m=128 activation=swiglu_oai", "s1_swiglu_oai_bf16_m128"},
      {"moe_gemm2", "tokens=3 k=2 experts=8 hidden=128 inter=64 block_m=16", "s2_none_f32_m16"},
      {"moe_gemm2", "tokens=64 k=8 experts=32 hidden=128 inter=64 block_m=64 bias", "s2_none_f32_m64"},
      {"moe_gemm2", "tokens=64 k=2 experts=8 hidden=192 inter=128 block_m=128", "s2_none_f32_m128"},
  };
  std::uint32_t seed = 60;
  for (const auto& c : cases) {
    const auto r = run_ok(s, c.op, c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant) << c.problem;
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_GT(r.comparisons[0].count, 0u);
  }
}

// The stage-1 comparison has teeth: a reference with SiLU where the kernel computes GELU fails.
TEST_P(Moe, GemmStage1WrongActivationIsCaught) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_gemm1");
  ref::OpReference wrong = saved;
  wrong.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpProblem silu = p;
    silu.values["activation"] = "silu";
    return saved.compute(silu, t, expected);
  };
  ref::register_op_reference("moe_gemm1", wrong);
  const auto r = asmk::op_runner::run(s.get(), "moe_gemm1", Problem::parse("tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=16 activation=gelu"));
  ref::register_op_reference("moe_gemm1", saved);
  ASSERT_EQ(r.comparisons.size(), 1u) << r.error;
  EXPECT_FALSE(r.comparisons[0].ok());
}

TEST_P(Moe, SumIsBitExactInSlotOrder) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 80;
  for (const char* problem : {"tokens=1 k=8 experts=256 local_experts=256 hidden=128", "tokens=3 k=2 experts=8 local_experts=8 hidden=320",
                              "tokens=64 k=8 experts=256 local_experts=128 hidden=64 expert_map",
                              "tokens=3 k=4 experts=16 local_experts=8 hidden=64"}) {
    const auto r = run_ok(s, "moe_sum", problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_sum" + arch_suffix(GetParam().arch) + "n256");
  }
}

TEST_P(Moe, GemmAndSumRefuseBadInputByRule) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* bad; const char* rule; const char* good; } cases[] = {
      {"moe_gemm1", "tokens=2 k=2 experts=8 hidden=64 inter=64 block_m=32", "block_m_tile", "tokens=2 k=2 experts=8 hidden=64 inter=64 block_m=16"},
      {"moe_gemm1", "tokens=2 k=2 experts=8 hidden=96 inter=64 block_m=16", "sizes_64", "tokens=2 k=2 experts=8 hidden=128 inter=64 block_m=16"},
      {"moe_gemm2", "tokens=2 k=9 experts=8 hidden=64 inter=64 block_m=16", "k_range", "tokens=2 k=8 experts=8 hidden=64 inter=64 block_m=16"},
      {"moe_sum", "tokens=2 k=2 experts=8 local_experts=9 hidden=64", "local_at_most_experts", "tokens=2 k=2 experts=8 local_experts=8 hidden=64"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bad);
    const auto r = asmk::op_runner::run(s.get(), c.op, Problem::parse(c.bad));
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
    EXPECT_NE(r.error.find(c.rule), std::string::npos) << r.error;
    run_ok(s, c.op, c.good, 7);
  }
}

// The whole layer as a chain of the ops, each one's outputs the next one's inputs (on the host
// between launches): routing, sorting, stage 1, stage 2, sum. Each op is checked against its
// reference on the way; the end result against ref/moe.hpp's stage 2 summed over the slots, from
// the kernel's intermediate (so the bound is stage 2's: ref/TOLERANCE.md with K = inter + k).
void run_chain(Session& s, std::uint32_t tokens, std::uint32_t experts, std::uint32_t k, std::uint32_t hidden, std::uint32_t inter,
               std::uint32_t block_m, const std::string& activation, std::uint32_t seed) {
  const std::string T = std::to_string(tokens), E = std::to_string(experts), K = std::to_string(k);
  const std::string H = std::to_string(hidden), I = std::to_string(inter), B = std::to_string(block_m);
  SCOPED_TRACE("tokens " + T + " experts " + E + " k " + K + " " + activation);
  auto take = [](const asmk::op_runner::Result& from, const char* tensor, asmk::op_runner::Options& to, const char* as) {
    to.inputs[as] = from.tensors.at(tensor).bytes;
  };
  const auto routing = run_ok(s, "moe_topk_softmax", "tokens=" + T + " experts=" + E + " k=" + K + " renormalize=1", seed);
  asmk::op_runner::Options sort_in;
  take(routing, "topk_ids", sort_in, "topk_ids");
  take(routing, "topk_weights", sort_in, "topk_weights");
  sort_in.seed = seed + 1;
  const std::string sizes = "tokens=" + T + " k=" + K + " experts=" + E;
  const auto sorted = asmk::op_runner::run(s.get(), "moe_sort", Problem::parse(sizes + " local_experts=" + E + " block_m=" + B), sort_in);
  ASSERT_TRUE(sorted.ok()) << sorted.error << sorted.summary();
  asmk::op_runner::Options stage1_in;
  for (const char* name : {"sorted_ids", "block_expert", "total_padded"}) take(sorted, name, stage1_in, name);
  stage1_in.seed = seed + 2;
  const auto stage1 = asmk::op_runner::run(s.get(), "moe_gemm1",
                                           Problem::parse(sizes + " hidden=" + H + " inter=" + I + " block_m=" + B + " activation=" + activation), stage1_in);
  ASSERT_TRUE(stage1.ok()) << stage1.error << stage1.summary();
  asmk::op_runner::Options stage2_in;
  for (const char* name : {"sorted_ids", "sorted_weights", "block_expert", "total_padded"}) take(sorted, name, stage2_in, name);
  take(stage1, "out", stage2_in, "a");
  stage2_in.seed = seed + 3;
  const auto stage2 = asmk::op_runner::run(s.get(), "moe_gemm2", Problem::parse(sizes + " hidden=" + H + " inter=" + I + " block_m=" + B), stage2_in);
  ASSERT_TRUE(stage2.ok()) << stage2.error << stage2.summary();
  asmk::op_runner::Options sum_in;
  take(stage2, "out", sum_in, "partial");
  take(routing, "topk_ids", sum_in, "topk_ids");
  const auto summed = asmk::op_runner::run(s.get(), "moe_sum", Problem::parse(sizes + " local_experts=" + E + " hidden=" + H), sum_in);
  ASSERT_TRUE(summed.ok()) << summed.error << summed.summary();

  // The layer's output against the reference composition from the kernels' own intermediate.
  ref::MoeSorted layout;
  {
    ref::MoeSortArgs a;
    a.ids = routing.tensors.at("topk_ids").as<std::int32_t>(), a.weights = routing.tensors.at("topk_weights").as<float>();
    a.tokens = tokens, a.k = k, a.experts = experts, a.local_experts = experts, a.block_m = block_m;
    ASSERT_TRUE(ref::moe_sort(a, layout).ok());
  }
  ref::MoeStage2Args a;
  a.inter = stage1.tensors.at("out").as<std::uint16_t>(), a.w2 = stage2.tensors.at("w").as<std::uint16_t>(), a.sorted = &layout;
  a.tokens = tokens, a.k = k, a.hidden = hidden, a.inter_size = inter, a.local_experts = experts;
  ref::GemmRef want;
  ASSERT_TRUE(ref::moe_stage2(a, want).ok());
  const std::uint16_t* got = summed.tensors.at("out").as<std::uint16_t>();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < want.value.size(); ++i) {
    const double v = ref::bf16_to_f32(got[i]);
    if (!(std::abs(v - want.value[i]) <= ref::gemm_tolerance(ref::OutType::bf16, want.value[i], want.magnitude[i], want.k)) && bad++ == 0)
      ADD_FAILURE() << "out[" << i / hidden << ", " << i % hidden << "]: kernels " << v << ", ref " << want.value[i];
  }
  EXPECT_EQ(bad, 0u);
}

TEST_P(Moe, TheLayerAsAChainOfTheOps) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  run_chain(s, 3, 8, 2, 128, 128, 16, "silu", 200);       // Mixtral-like
  run_chain(s, 64, 256, 8, 128, 64, 64, "silu", 210);     // DeepSeek-V3-like (softmax routing), prefill tile
  run_chain(s, 1, 256, 8, 64, 64, 16, "silu", 220);       // decode: most experts receive no token
  run_chain(s, 3, 16, 4, 64, 64, 16, "swiglu_oai", 230);  // gpt-oss-like activation
}

INSTANTIATE_TEST_SUITE_P(Devices, Moe, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
