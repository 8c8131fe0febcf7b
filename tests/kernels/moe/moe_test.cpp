// The MoE ops by name (tools/op_runner.hpp) on both devices: every variant through a problem that
// selects it, demo-like model shapes scaled down (DeepSeek-V3-like E 256 k 8, Mixtral-like E 8 k 2),
// tokens 1, 3, 64, and bad input refused by the op's rules (both sides of each rule).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cmath>
#include <cstring>
#include <map>
#include <vector>
#include <string>

#include "asmk/ref/moe.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/tolerance.hpp"
#include "asmk/ref/shuffle.hpp"
#include "kernel_harness.hpp"
#include "moe_test_support.hpp"
#include "op_runner.hpp"

namespace {

using asmk::op_runner::Problem;
using asmk::test::checks_elements;
using asmk::test::OpArgs;
using asmk::test::Session;
namespace ref = asmk::ref;
using asmk::test::moe::expect_caught;
using asmk::test::moe::launches_of;
using asmk::test::moe::run_ok;
using asmk::test::moe::with_w2_scales_flattened;

std::string arch_suffix(const char* arch) { return std::string("_") + arch + "_"; }

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

// A routing reference (logits [tokens, experts] -> topk_ids) run on each token's experts in reverse
// order, its ids mapped back: ties then go to the higher original id. For problems without a
// correction bias (it would have to be reversed too).
ref::OpReference with_ties_to_the_higher_id(const ref::OpReference& saved) {
  ref::OpReference higher_first = saved;
  higher_first.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    const std::uint32_t tokens = p.u32("tokens"), experts = p.u32("experts"), k = p.u32("k");
    ref::OpTensors reversed = t;
    float* logits = reversed.at("logits").as<float>();
    for (std::uint32_t token = 0; token < tokens; ++token) std::reverse(logits + token * experts, logits + (token + 1) * experts);
    ref::Status status = saved.compute(p, reversed, expected);
    ref::OpTensor& ids = expected.at("topk_ids").exact;
    for (std::uint32_t i = 0; i < tokens * k; ++i) ids.as<std::int32_t>()[i] = std::int32_t(experts) - 1 - ids.as<std::int32_t>()[i];
    return status;
  };
  return higher_first;
}

// The fill makes equal logits common (odd tokens are rounded to quarters): a reference that breaks
// ties toward the higher id must then disagree with the kernel, which proves ties were exercised.
TEST_P(Moe, TopkSoftmaxTiesGoToTheLowerId) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_topk_softmax");
  const ref::OpReference higher_first = with_ties_to_the_higher_id(saved);
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

// DeepSeek-V3's grouped routing: both variants, with and without the correction bias, one group
// (plain sigmoid top-k, Kimi-K2-like E 384), 32 groups.
TEST_P(Moe, GroupedTopkMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* problem; const char* variant; } cases[] = {
      {"tokens=3 experts=256 k=8 n_group=8 topk_group=4 routed_scaling_factor=2.5 correction_bias", "e4"},
      {"tokens=64 experts=256 k=8 n_group=8 topk_group=4 routed_scaling_factor=2.5", "e4"},
      {"tokens=5 experts=384 k=8 renormalize=0", "e8"},
      {"tokens=7 experts=64 k=4 n_group=32 topk_group=3 correction_bias", "e4"},
      {"tokens=1 experts=512 k=16 n_group=16 topk_group=16 correction_bias", "e8"},
      // group sizes 64, 8 (a group is an aligned span of lanes: all groups reduce at once) and 20
      // (DeepSeek-V2's 160 / 8: one group at a time)
      {"tokens=5 experts=128 k=6 n_group=2 topk_group=1 correction_bias", "e4"},
      {"tokens=9 experts=128 k=8 n_group=16 topk_group=5", "e4"},
      {"tokens=5 experts=160 k=6 n_group=8 topk_group=3 correction_bias", "e4"},
  };
  std::uint32_t seed = 20;
  for (const auto& c : cases) {
    const auto r = run_ok(s, "moe_grouped_topk", c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_grouped_topk" + arch_suffix(GetParam().arch) + c.variant) << c.problem;
    ASSERT_EQ(r.comparisons.size(), 2u);
  }
}

// The group restriction is exercised: a reference that keeps every group disagrees with the kernel.
TEST_P(Moe, GroupedTopkKeepsOnlyTheBestGroups) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_grouped_topk");
  ref::OpReference all_groups = saved;
  all_groups.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpProblem ungrouped = p;
    ungrouped.values["n_group"] = "1", ungrouped.values["topk_group"] = "1";
    return saved.compute(ungrouped, t, expected);
  };
  ref::register_op_reference("moe_grouped_topk", all_groups);
  const auto r = asmk::op_runner::run(s.get(), "moe_grouped_topk", Problem::parse("tokens=16 experts=256 k=8 n_group=8 topk_group=2 correction_bias"));
  ref::register_op_reference("moe_grouped_topk", saved);
  ASSERT_EQ(r.comparisons.size(), 2u) << r.error;
  EXPECT_FALSE(r.comparisons[0].ok());
}

// Ties in the grouped routing go to the lower group and the lower expert id: a reference on the
// experts in reverse order (ties then go to the higher original id) must disagree with the kernel on
// the fill's equal scores, and the right rule agrees.
TEST_P(Moe, GroupedTopkTiesGoToTheLowerId) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_grouped_topk");
  const ref::OpReference higher_first = with_ties_to_the_higher_id(saved);
  const char* problem = "tokens=32 experts=256 k=8 n_group=8 topk_group=4";
  ref::register_op_reference("moe_grouped_topk", higher_first);
  const auto r = asmk::op_runner::run(s.get(), "moe_grouped_topk", Problem::parse(problem));
  ref::register_op_reference("moe_grouped_topk", saved);
  ASSERT_EQ(r.comparisons.size(), 2u) << r.error;
  EXPECT_FALSE(r.comparisons[0].ok()) << "no tie changed the choice: the tie rule was not exercised";
  run_ok(s, "moe_grouped_topk", problem, 1);
}

TEST_P(Moe, GroupedTopkRefusesBadInputByRule) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* bad; const char* rule; const char* good; } cases[] = {
      {"tokens=2 experts=256 k=8 n_group=6 topk_group=2", "groups", "tokens=2 experts=256 k=8 n_group=8 topk_group=2"},
      {"tokens=2 experts=256 k=8 n_group=8 topk_group=9", "topk_group_at_most_n_group", "tokens=2 experts=256 k=8 n_group=8 topk_group=8"},
      {"tokens=2 experts=256 k=8 n_group=64 topk_group=1", "groups", "tokens=2 experts=256 k=8 n_group=32 topk_group=1"},
      {"tokens=2 experts=64 k=5 n_group=16 topk_group=1", "k_at_most_kept_experts", "tokens=2 experts=64 k=4 n_group=16 topk_group=1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bad);
    const auto r = asmk::op_runner::run(s.get(), "moe_grouped_topk", Problem::parse(c.bad));
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
    EXPECT_NE(r.error.find(c.rule), std::string::npos) << r.error;
    run_ok(s, "moe_grouped_topk", c.good, 9);
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

// All tokens to one expert (its list spans many blocks: the highest id, E − 1), and −1 (no expert)
// skipped, as the reference does.
TEST_P(Moe, SortAllTokensToTheLastExpertAndNoExpertSlots) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  asmk::op_runner::Options options;
  std::vector<std::int32_t> ids(64 * 2, 7);
  ids[9] = -1, ids[100] = -1;  // no expert
  options.inputs["topk_ids"].resize(ids.size() * 4);
  std::memcpy(options.inputs["topk_ids"].data(), ids.data(), ids.size() * 4);
  const auto r = asmk::op_runner::run(s.get(), "moe_sort", Problem::parse("tokens=64 k=2 experts=8 local_experts=8 block_m=16"), options);
  ASSERT_EQ(r.status, ASMK_SUCCESS) << r.error;
  ASSERT_EQ(r.comparisons.size(), 4u);
  for (const auto& c : r.comparisons) EXPECT_TRUE(c.ok()) << c.tensor << ": " << c.detail;
  // 126 slots to expert 7: 8 blocks of 16, 128 entries.
  std::int32_t total;
  std::memcpy(&total, r.tensors.at("total_padded").bytes.data(), 4);
  EXPECT_EQ(total, 128);
}

// moe_sort_chunked (count + scatter over chunks of slots): the single-wave layout bit for bit, from
// 1 token to 65,536 tokens × k 16 — chunks of 64, 128, 256, 1024 and 4096 slots (the last one partial), 1 to 256 chunks,
// experts that receive nothing, 512 experts, expert parallelism with and without a map.
TEST_P(Moe, ChunkedSortMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string arch = arch_suffix(GetParam().arch);
  const struct { const char* problem; std::uint32_t workgroups; } cases[] = {
      {"tokens=1 k=8 experts=256 local_experts=256 block_m=16", 1},     // most experts receive nothing
      {"tokens=3 k=2 experts=8 local_experts=8 block_m=16", 1},
      {"tokens=64 k=8 experts=256 local_experts=128 expert_map block_m=64", 8},   // 512 slots: chunks of 64
      {"tokens=1000 k=8 experts=256 local_experts=256 block_m=32", 32},   // 8000 slots: the last chunk partial
      {"tokens=1000 k=4 experts=512 local_experts=512 block_m=128", 32},  // 4000 slots: chunks of 128, the last partial
      {"tokens=3 k=4 experts=16 local_experts=8 block_m=16", 1},       // no map: experts >= 8 remote
      {"tokens=65536 k=2 experts=64 local_experts=64 block_m=128", 128},  // 65,536 tokens: chunks of 1024 slots
      {"tokens=65536 k=16 experts=512 local_experts=512 block_m=128", 256},  // the largest: 2^20 slots, chunks of 4096
      {"tokens=20000 k=8 experts=256 local_experts=128 expert_map block_m=64", 157},  // the last chunk partial
      // 301 experts (not a multiple of the scatter's 4 per lane: two rounds of 256, the last lane's partly past
      // E_local) over 36 chunks of 256 (the counts summed 16 rows a batch: chunks before a workgroup's own span
      // the batch boundary)
      {"tokens=3000 k=3 experts=301 local_experts=301 block_m=16", 36},
  };
  std::uint32_t seed = 700;
  for (const auto& c : cases) {
    const auto r = run_ok(s, "moe_sort_chunked", c.problem, seed++);
    ASSERT_EQ(r.comparisons.size(), 4u);
    ASSERT_EQ(r.selection.launch_count, 2u);
    EXPECT_EQ(std::string(r.selection.launches[0].kernel_name), "moe_sort_chunked" + arch + "count_x512");
    EXPECT_EQ(std::string(r.selection.launches[1].kernel_name), "moe_sort_chunked" + arch + "scatter_x512");
    EXPECT_EQ(r.selection.launches[1].grid.x, c.workgroups) << c.problem;
  }
}

// moe_sort_onepass (one launch: every workgroup counts all slots, scatters its chunk; the padding by
// the lane of each expert's last slot, the entries past the total by every workgroup's share): the
// single-wave layout bit for bit — one chunk and many, chunks of 64 to 4096 (the last partial), experts
// that receive nothing, 301 and 512 experts, expert parallelism with and without a map, block_m 16 to 128.
TEST_P(Moe, OnepassSortMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string arch = arch_suffix(GetParam().arch);
  const struct { const char* problem; std::uint32_t workgroups; } cases[] = {
      {"tokens=1 k=8 experts=256 local_experts=256 block_m=16 chunk=64", 1},      // most experts receive nothing
      {"tokens=3 k=2 experts=8 local_experts=8 block_m=16 chunk=64", 1},
      {"tokens=64 k=8 experts=256 local_experts=256 block_m=16 chunk=64", 8},     // DeepSeek-V3 at 64 tokens
      {"tokens=64 k=8 experts=256 local_experts=128 expert_map block_m=64 chunk=64", 8},
      {"tokens=3 k=4 experts=16 local_experts=8 block_m=16 chunk=64", 1},          // no map: experts >= 8 remote
      {"tokens=1000 k=4 experts=512 local_experts=512 block_m=128 chunk=128", 32}, // two rounds of 256 experts
      {"tokens=700 k=3 experts=301 local_experts=301 block_m=32 chunk=256", 9},    // a lane past E_local
      {"tokens=2000 k=2 experts=64 local_experts=64 block_m=128 chunk=4096", 1},   // one chunk of many id batches
  };
  std::uint32_t seed = 900;
  for (const auto& c : cases) {
    const auto r = run_ok(s, "moe_sort_onepass", c.problem, seed++);
    ASSERT_EQ(r.comparisons.size(), 4u);
    ASSERT_EQ(r.selection.launch_count, 1u);
    EXPECT_EQ(std::string(r.selection.launches[0].kernel_name), "moe_sort_chunked" + arch + "onepass_x512");
    EXPECT_EQ(r.selection.launches[0].grid.x, c.workgroups) << c.problem;
  }
}

// The same ids through the three sorts: the outputs are the same bytes (one expert takes every slot but
// the −1 ones, so its list spans many blocks and every chunk; the other experts receive nothing).
TEST_P(Moe, ChunkedSortGivesTheSingleWaveBytes) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::uint32_t tokens = 1500, k = 2;
  std::vector<std::int32_t> ids(tokens * k, 5);
  for (std::size_t i = 3; i < ids.size(); i += 97) ids[i] = -1;  // no expert
  ids[2999] = 0, ids[0] = 7;                                      // the first and last slot elsewhere
  asmk::op_runner::Options options;
  options.seed = 77;
  options.inputs["topk_ids"].resize(ids.size() * 4);
  std::memcpy(options.inputs["topk_ids"].data(), ids.data(), ids.size() * 4);
  const auto problem = Problem::parse("tokens=1500 k=2 experts=8 local_experts=8 block_m=16");
  const auto wave = asmk::op_runner::run(s.get(), "moe_sort", problem, options);
  const auto chunked = asmk::op_runner::run(s.get(), "moe_sort_chunked", problem, options);
  const auto onepass = asmk::op_runner::run(s.get(), "moe_sort_onepass", Problem::parse("tokens=1500 k=2 experts=8 local_experts=8 block_m=16 chunk=128"), options);
  ASSERT_TRUE(wave.ok()) << wave.error << wave.summary();
  ASSERT_TRUE(chunked.ok()) << chunked.error << chunked.summary();
  ASSERT_TRUE(onepass.ok()) << onepass.error << onepass.summary();
  for (const char* name : {"sorted_ids", "sorted_weights", "block_expert", "total_padded"}) {
    EXPECT_EQ(wave.tensors.at(name).bytes, chunked.tensors.at(name).bytes) << name;
    EXPECT_EQ(wave.tensors.at(name).bytes, onepass.tensors.at(name).bytes) << name;
  }
  std::int32_t total;
  std::memcpy(&total, chunked.tensors.at("total_padded").bytes.data(), 4);
  const std::size_t routed = std::count(ids.begin(), ids.end(), 5);
  EXPECT_EQ(total, static_cast<std::int32_t>((routed + 15) / 16 * 16 + 16 + 16));  // expert 5, and 0 and 7 a block each
}

// moe_sort through asmk_run_op with device buffers, so that "nothing written" can be seen: the
// outputs hold 0xee before each call and must still hold it after a refusal.
class SortCall {
 public:
  static constexpr std::uint32_t kTokens = 4, kK = 2, kExperts = 8, kBlockM = 16;
  static constexpr std::uint32_t kBlocks = (kTokens * kK + kBlockM - 1) / kBlockM + kExperts;

  explicit SortCall(asmk_context* ctx) : ctx_(ctx) {
    for (const char* name : {"topk_ids", "topk_weights", "expert_map", "sorted_ids", "sorted_weights", "block_expert", "total_padded"})
      buffers_.emplace(name, asmk::test::Buffer(ctx, bytes_of(name)));
    std::vector<float> weights(kTokens * kK);
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 0.125f * float(i + 1);
    put("topk_weights", weights);
  }

  static std::size_t bytes_of(const std::string& name) {
    if (name == "topk_ids" || name == "topk_weights") return kTokens * kK * 4;
    if (name == "expert_map") return kExperts * 4;
    if (name == "block_expert") return kBlocks * 4;
    if (name == "total_padded") return 4;
    return std::size_t{kBlocks} * kBlockM * 4;
  }

  template <class T>
  void put(const std::string& name, const std::vector<T>& host) {
    ASSERT_EQ(asmk_memcpy(ctx_, buffers_.at(name).get(), host.data(), host.size() * sizeof(T), ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  }
  void poison_outputs() {
    for (const char* name : {"sorted_ids", "sorted_weights", "block_expert", "total_padded"})
      put(name, std::vector<std::uint8_t>(bytes_of(name), 0xee));
  }
  bool outputs_untouched() const {
    for (const char* name : {"sorted_ids", "sorted_weights", "block_expert", "total_padded"})
      for (const std::uint8_t b : buffers_.at(name).download<std::uint8_t>())
        if (b != 0xee) return false;
    return true;
  }
  std::vector<std::int32_t> sorted_ids() const { return buffers_.at("sorted_ids").download<std::int32_t>(); }

  // ids given; the map given when `with_map` (local experts = kExperts either way).
  asmk_status run(const std::vector<std::int32_t>& ids, bool with_map) {
    put("topk_ids", ids);
    OpArgs args;
    args.u32("tokens", kTokens).u32("k", kK).u32("experts", kExperts).u32("local_experts", kExperts).u32("block_m", kBlockM);
    for (const char* name : {"topk_ids", "topk_weights", "expert_map", "sorted_ids", "sorted_weights", "block_expert", "total_padded"}) {
      if (std::string(name) == "expert_map" && !with_map) continue;
      args.ptr(name, buffers_.at(name).get(), bytes_of(name));
    }
    asmk_status status = asmk_run_op(ctx_, "moe_sort", args.data(), args.size(), nullptr, nullptr);
    message_ = asmk_last_error();
    if (status == ASMK_SUCCESS) status = asmk_synchronize(ctx_, nullptr);
    return status;
  }
  const std::string& message() const { return message_; }

 private:
  asmk_context* ctx_;
  std::map<std::string, asmk::test::Buffer> buffers_;
  std::string message_;
};

// The sorted ids the independent reference gives for `ids` (no map: every expert local).
std::vector<std::int32_t> reference_sorted_ids(const std::vector<std::int32_t>& ids) {
  std::vector<float> weights(ids.size(), 1.0f);
  ref::MoeSortArgs a;
  a.ids = ids.data(), a.weights = weights.data();
  a.tokens = SortCall::kTokens, a.k = SortCall::kK, a.experts = SortCall::kExperts, a.local_experts = SortCall::kExperts;
  a.block_m = SortCall::kBlockM;
  ref::MoeSorted sorted;
  EXPECT_TRUE(ref::moe_sort(a, sorted).ok());
  return sorted.sorted_ids;
}

// Issue 14: a caller's expert id out of range is a named error with nothing written — on warm calls
// too (the same problem, so the selection cache serves it; only the ids changed). Both sides of the
// range: E − 1 and −1 are accepted (and sorted as the reference does), E and −2 refused.
TEST_P(Moe, SortRefusesExpertIdsOutOfRangeWithNothingWritten) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  SortCall call(s.get());
  const std::vector<std::int32_t> good = {7, 0, 3, -1, 7, 2, 5, 7};  // E − 1 and the no-expert sentinel
  call.poison_outputs();
  ASSERT_EQ(call.run(good, false), ASMK_SUCCESS) << call.message();
  EXPECT_EQ(call.sorted_ids(), reference_sorted_ids(good));

  const struct { std::size_t at; std::int32_t value; const char* words; } bad[] = {
      {5, 8, "topk_ids[2, 1] (element 5) is 8, outside [-1, experts) = [-1, 8)"},
      {0, -2, "topk_ids[0, 0] (element 0) is -2, outside [-1, experts) = [-1, 8)"},
      {7, 1 << 30, "topk_ids[3, 1] (element 7) is 1073741824"},
  };
  for (const auto& b : bad) {
    std::vector<std::int32_t> ids = good;
    ids[b.at] = b.value;
    call.poison_outputs();
    if (!checks_elements(s.get())) {
      // Unchecked: the kernel skips the entry as it skips −1 (no slot for it, no access outside).
      ASSERT_EQ(call.run(ids, false), ASMK_SUCCESS) << call.message();
      std::vector<std::int32_t> skipped = ids;
      skipped[b.at] = -1;
      EXPECT_EQ(call.sorted_ids(), reference_sorted_ids(skipped)) << "id " << b.value;
      continue;
    }
    EXPECT_EQ(call.run(ids, false), ASMK_ERROR_INVALID_ARGUMENT) << "id " << b.value << " accepted";
    EXPECT_NE(call.message().find(b.words), std::string::npos) << call.message();
    EXPECT_NE(call.message().find("nothing was launched"), std::string::npos) << call.message();
    EXPECT_TRUE(call.outputs_untouched()) << "a refused call wrote its outputs";
  }
  // And the valid ids again, warm: accepted and sorted.
  std::vector<std::int32_t> other = good;
  other[5] = 6;
  ASSERT_EQ(call.run(other, false), ASMK_SUCCESS) << call.message();
  EXPECT_EQ(call.sorted_ids(), reference_sorted_ids(other));

  // The expert map's entries: in [-1, local_experts).
  std::vector<std::int32_t> map = {0, 1, 2, 3, 4, 5, 6, 7};
  call.put("expert_map", map);
  ASSERT_EQ(call.run(good, true), ASMK_SUCCESS) << call.message();
  if (!checks_elements(s.get())) return;  // a map entry out of range: its expert's slots are skipped
  map[3] = 8;
  call.put("expert_map", map);
  call.poison_outputs();
  EXPECT_EQ(call.run(good, true), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(call.message().find("expert_map[3] (element 3) is 8, outside [-1, local_experts) = [-1, 8)"), std::string::npos)
      << call.message();
  EXPECT_TRUE(call.outputs_untouched());
}

// The record backend (a dry run: host memory, nothing executes) refuses the same call the same way.
TEST(MoeElementRules, TheRecordBackendChecksToo) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = "MI300X";
  options.backend = "record";
  asmk_context* ctx = nullptr;
  ASSERT_EQ(asmk_open(asmk::test::hsaco_dir().c_str(), &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
  {
    SortCall call(ctx);
    EXPECT_EQ(call.run({7, 0, 3, -1, 7, 2, 5, 7}, false), ASMK_SUCCESS) << call.message();
    EXPECT_EQ(call.run({7, 0, 3, -1, 7, 8, 5, 7}, false), ASMK_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(call.message().find("topk_ids[2, 1] (element 5) is 8"), std::string::npos) << call.message();
  }
  asmk_close(ctx);
}

// moe_sum and the GEMM stages carry their rules too: an id or a sorted slot out of range is refused.
TEST_P(Moe, SumAndStagesRefuseIndicesOutOfRange) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  // Unchecked backends: the launches must still run without a fault (the entries are skipped).
  const asmk_status refused = checks_elements(s.get()) ? ASMK_ERROR_INVALID_ARGUMENT : ASMK_SUCCESS;
  auto given = [](std::size_t count, std::size_t at, std::int32_t value, std::int32_t fill) {
    std::vector<std::int32_t> v(count, fill);
    v[at] = value;
    std::vector<std::uint8_t> bytes(count * 4);
    std::memcpy(bytes.data(), v.data(), bytes.size());
    return bytes;
  };
  {
    asmk::op_runner::Options o;
    o.inputs["topk_ids"] = given(3 * 2, 4, 8, 1);
    const auto r = asmk::op_runner::run(s.get(), "moe_sum", Problem::parse("tokens=3 k=2 experts=8 local_experts=8 hidden=64"), o);
    EXPECT_EQ(r.status, refused) << r.error;
    if (refused != ASMK_SUCCESS)
      EXPECT_NE(r.error.find("moe_sum: topk_ids[2, 0] (element 4) is 8, outside [-1, experts) = [-1, 8)"), std::string::npos) << r.error;
    o.inputs["topk_ids"] = given(3 * 2, 4, -1, 7);  // −1 and E − 1: summed as the reference does
    const auto ok = asmk::op_runner::run(s.get(), "moe_sum", Problem::parse("tokens=3 k=2 experts=8 local_experts=8 hidden=64"), o);
    ASSERT_EQ(ok.status, ASMK_SUCCESS) << ok.error;
    for (const auto& c : ok.comparisons) EXPECT_TRUE(c.ok()) << c.tensor << ": " << c.detail;
  }
  {
    // tokens 3, k 2, block_m 16: 6 slots; a sorted entry of 7 is neither a slot nor the padding (6).
    asmk::op_runner::Options o;
    const std::size_t entries = (1 + 8) * 16;
    o.inputs["sorted_ids"] = given(entries, 2, 7, 6);
    const auto r = asmk::op_runner::run(s.get(), "moe_gemm1", Problem::parse("tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=16"), o);
    EXPECT_EQ(r.status, refused) << r.error;
    if (refused != ASMK_SUCCESS)
      EXPECT_NE(r.error.find("sorted_ids[2] (element 2) is 7, outside [0, tokens * k] = [0, 6]"), std::string::npos) << r.error;
    asmk::op_runner::Options b;
    b.inputs["block_expert"] = given(1 + 8, 0, 8, -1);
    const auto r2 = asmk::op_runner::run(s.get(), "moe_gemm2", Problem::parse("tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=16"), b);
    EXPECT_EQ(r2.status, refused) << r2.error;
    if (refused != ASMK_SUCCESS)
      EXPECT_NE(r2.error.find("block_expert[0] (element 0) is 8, outside [-1, experts) = [-1, 8)"), std::string::npos) << r2.error;
  }
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
// M tile, each with bf16 inputs (moe_gemm1, moe_gemm2) and fp8 inputs (moe_gemm1_fp8, moe_gemm2_fp8);
// model-like shapes scaled down (DeepSeek-V3-like E 256 k 8, Mixtral-like E 8 k 2, a gpt-oss-like
// layer with SwiGLU and biases).
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
    for (const bool fp8 : {false, true}) {
      // the same problem with fp8 inputs (per-row and per-channel scales): the _infp8 variant
      const std::string op = std::string(c.op) + (fp8 ? "_fp8" : "");
      const std::string variant = std::string(c.variant) + (fp8 ? "_infp8_rowcol" : "_inbf16_none");
      const auto r = run_ok(s, op, c.problem, seed++);
      EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + variant) << op << " " << c.problem;
      ASSERT_EQ(r.comparisons.size(), 1u);
      EXPECT_GT(r.comparisons[0].count, 0u);
    }
  }
}

// fp8 with DeepSeek-V3's block scales (moe_gemm1_blockscale, moe_gemm2_blockscale): every variant
// (stage 1 × activation × M tile, stage 2 × M tile) on DeepSeek-V3-like shapes scaled down (E 256,
// k 8, TP8 inter 256; hidden several 128-deep K-blocks), tokens 1, 3 and 64; with E 256 and a token or
// three, most experts receive no token. The reference scales each K-block's partial sum by its own
// block scales (the fill gives every block a different one).
TEST_P(Moe, GemmStagesBlockScaleEveryVariant) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* problem; const char* variant; } cases[] = {
      {"moe_gemm1_blockscale", "tokens=1 k=8 experts=256 hidden=384 inter=256 block_m=16", "s1_silu_bf16_m16"},
      {"moe_gemm1_blockscale", "tokens=64 k=4 experts=32 hidden=256 inter=128 block_m=64 bias", "s1_silu_bf16_m64"},
      {"moe_gemm1_blockscale", "tokens=64 k=2 experts=8 hidden=256 inter=128 block_m=128", "s1_silu_bf16_m128"},
      {"moe_gemm1_blockscale", "tokens=3 k=8 experts=256 hidden=256 inter=256 block_m=16 activation=gelu", "s1_gelu_bf16_m16"},
      {"moe_gemm1_blockscale", "tokens=3 k=2 experts=8 hidden=128 inter=128 block_m=64 activation=gelu", "s1_gelu_bf16_m64"},
      {"moe_gemm1_blockscale", "tokens=3 k=2 experts=8 hidden=256 inter=128 block_m=128 activation=gelu", "s1_gelu_bf16_m128"},
      {"moe_gemm1_blockscale", "tokens=3 k=4 experts=16 hidden=256 inter=128 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16"},
      {"moe_gemm1_blockscale", "tokens=3 k=4 experts=16 hidden=128 inter=128 block_m=64 activation=swiglu_oai", "s1_swiglu_oai_bf16_m64"},
      {"moe_gemm1_blockscale", "tokens=3 k=4 experts=16 hidden=128 inter=128 block_m=128 activation=swiglu_oai", "s1_swiglu_oai_bf16_m128"},
      {"moe_gemm2_blockscale", "tokens=1 k=8 experts=256 hidden=384 inter=256 block_m=16", "s2_none_f32_m16"},
      {"moe_gemm2_blockscale", "tokens=64 k=4 experts=32 hidden=128 inter=256 block_m=64 bias", "s2_none_f32_m64"},
      {"moe_gemm2_blockscale", "tokens=64 k=2 experts=8 hidden=256 inter=384 block_m=128", "s2_none_f32_m128"},
  };
  std::uint32_t seed = 600;
  for (const auto& c : cases) {
    const auto r = run_ok(s, c.op, c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant + "_infp8_block128")
        << c.op << " " << c.problem;
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_GT(r.comparisons[0].count, 0u);
  }
}

// The NT main loop with three staging sets (moe_gemm.s.j2's SETS: stage 1 at m_tile 16, stage 2 at m_tile
// 64 without block scales) is unrolled six times and may leave it after any step: K of 1 to 7 steps of 64
// bytes (fp8: hidden or inter 64·s) leaves it at every position and runs the prologue's steps past K; the
// block-scale stage 1 (two steps per K-block) at 1 to 4 K-blocks. With four (a16w4, gfx950: unrolled four
// times; its K steps of 32 bf16 come in pairs, hidden and inter multiples of 64) at 2, 4, 6, 8 steps.
// The direct K loop (stage 2 at m_tile 16: bf16 and a16w4 with 3 K-blocks of two steps in flight, the
// block scales with 2, a8w4 and fp8 per-row with 6 of one step (gfx950's fp8: 4); the first ones peeled, the
// rest unrolled as many times):
// 1 to 7 K-blocks (block scales 1 to 4), so it is left at every position, with loads past K in flight.
TEST_P(Moe, GemmDeeperStagingEveryLoopExit) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 700;
  for (int steps = 1; steps <= 7; ++steps) {
    const std::string k = std::to_string(64 * steps);
    const struct { const char* op; std::string problem; const char* variant; } cases[] = {
        {"moe_gemm1_fp8", "tokens=3 k=2 experts=8 hidden=" + k + " inter=64 block_m=16", "s1_silu_bf16_m16_infp8_rowcol"},
        {"moe_gemm2_fp8", "tokens=40 k=2 experts=4 hidden=64 inter=" + k + " block_m=64", "s2_none_f32_m64_infp8_rowcol"},
        {"moe_gemm1_blockscale", "tokens=3 k=2 experts=8 hidden=" + std::to_string(128 * ((steps + 1) / 2)) + " inter=128 block_m=16",
         "s1_silu_bf16_m16_infp8_block128"},
        // a16w4: 2·steps K steps of 32 bf16 (steps 1..4)
        {"moe_gemm1_a16w4", "tokens=3 k=2 experts=8 hidden=" + k + " inter=64 block_m=16 activation=swiglu_oai k_waves=1", "s1_swiglu_oai_bf16_m16_ina16w4_mx32"},
        {"moe_gemm2_a16w4", "tokens=3 k=2 experts=8 hidden=128 inter=" + k + " block_m=16", "s2_none_f32_m16_ina16w4_mx32"},
        {"moe_gemm2", "tokens=3 k=2 experts=8 hidden=64 inter=" + k + " block_m=16", "s2_none_f32_m16_inbf16_none"},
        // a8w4: K-blocks of one 64-byte step, 6 in flight
        {"moe_gemm2_a8w4", "tokens=3 k=2 experts=8 hidden=64 inter=" + k + " block_m=16", "s2_none_f32_m16_ina8w4_rowcol"},
        // fp8 per-row scales: K-blocks of one step, 6 in flight (gfx950's two B blocks per wave: 4); hidden 192:
        // gfx950's 128-column tile runs a last tile whose second half is past hidden
        {"moe_gemm2_fp8", "tokens=3 k=2 experts=8 hidden=192 inter=" + k + " block_m=16", "s2_none_f32_m16_infp8_rowcol"},
        {"moe_gemm2_blockscale", "tokens=3 k=2 experts=8 hidden=128 inter=" + std::to_string(128 * ((steps + 1) / 2)) + " block_m=16",
         "s2_none_f32_m16_infp8_block128"},
    };
    for (const auto& c : cases) {
      if ((std::string(c.op) == "moe_gemm1_blockscale" || std::string(c.op) == "moe_gemm2_blockscale") && steps % 2 == 0) continue;   // K-blocks 1..4 once each
      if (std::string(c.op).find("a16w4") != std::string::npos && std::string(GetParam().arch) != "gfx950") continue;
      if (std::string(c.op) == "moe_gemm1_a16w4" && steps > 4) continue;
      SCOPED_TRACE(std::string(c.op) + " " + c.problem);
      const auto r = run_ok(s, c.op, c.problem, seed++);
      EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant);
      ASSERT_EQ(r.comparisons.size(), 1u);
      EXPECT_GT(r.comparisons[0].count, 0u);
    }
  }
}

// Stage 1's decode tile with K split over the waves (space.yaml k_split 4; moe_gemm1's rule picks it where the
// 64-column tiles leave CUs idle and hidden >= 2048, the upcast forms' wherever it exists): bf16, fp8 block and
// per-row scales, a8w4 (gfx942), a16w4 (gfx950), each activation, biases, a DeepSeek-V3-like E 64 k 8 at one
// token, K-blocks in unequal quarters. Then k_waves=4 at every per-wave K-block count that leaves the direct
// loop at each position (bf16: 3 K-blocks in flight, 1..6 per wave; block scales: 2, 1..4; fp8 per-row: 6),
// with the padding rows and the K-blocks past each wave's quarter read as nothing.
TEST_P(Moe, GemmStage1KSplitMatchesTheReference) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; std::string problem; const char* variant; } chosen[] = {
      {"moe_gemm1", "tokens=3 k=4 experts=16 hidden=2048 inter=64 block_m=16", "s1_silu_bf16_m16_inbf16_none_ks4"},
      {"moe_gemm1", "tokens=1 k=4 experts=16 hidden=2048 inter=64 block_m=16 activation=gelu bias", "s1_gelu_bf16_m16_inbf16_none_ks4"},
      {"moe_gemm1", "tokens=3 k=2 experts=8 hidden=2048 inter=64 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16_inbf16_none_ks4"},
      {"moe_gemm1_blockscale", "tokens=1 k=8 experts=64 hidden=2048 inter=256 block_m=16", "s1_silu_bf16_m16_infp8_block128_ks4"},
      {"moe_gemm1_blockscale", "tokens=3 k=2 experts=8 hidden=2048 inter=128 block_m=16 activation=gelu", "s1_gelu_bf16_m16_infp8_block128_ks4"},
      {"moe_gemm1_blockscale", "tokens=3 k=4 experts=16 hidden=2048 inter=128 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16_infp8_block128_ks4"},
      {"moe_gemm1_fp8", "tokens=1 k=4 experts=16 hidden=2048 inter=64 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16_infp8_rowcol_ks4"},
      // K-blocks that 4 does not divide: quarters of 2, 1, 1, 1 (bf16, fp8 per-row: 5 K-blocks of 64) and of 1, 2, 1, 2
      // (block scales: 6 of 128); the upcast forms split wherever the kernel exists (a8w4: gfx942, a16w4: gfx950)
      {"moe_gemm1", "tokens=3 k=2 experts=8 hidden=320 inter=64 block_m=16 k_waves=4", "s1_silu_bf16_m16_inbf16_none_ks4"},
      {"moe_gemm1_fp8", "tokens=3 k=2 experts=8 hidden=320 inter=64 block_m=16 activation=gelu k_waves=4", "s1_gelu_bf16_m16_infp8_rowcol_ks4"},
      {"moe_gemm1_blockscale", "tokens=2 k=2 experts=4 hidden=768 inter=128 block_m=16 k_waves=4", "s1_silu_bf16_m16_infp8_block128_ks4"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=320 inter=64 block_m=16 activation=gelu bias", "s1_gelu_bf16_m16_ina8w4_rowcol_ks4"},
      {"moe_gemm1_a16w4", "tokens=3 k=4 experts=16 hidden=320 inter=128 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16_ina16w4_mx32_ks4"},
      // k_waves=1: the unsplit tile all the same
      {"moe_gemm1_blockscale", "tokens=1 k=2 experts=8 hidden=2048 inter=128 block_m=16 k_waves=1", "s1_silu_bf16_m16_infp8_block128"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=320 inter=64 block_m=16 k_waves=1", "s1_silu_bf16_m16_ina8w4_rowcol"},
  };
  std::uint32_t seed = 1400;
  const bool gfx950 = std::string(GetParam().arch) == "gfx950";
  for (const auto& c : chosen) {
    SCOPED_TRACE(std::string(c.op) + " " + c.problem);
    const std::string name = c.variant;
    if (name.find("a16w4") != std::string::npos && !gfx950) continue;   // MXFP4: gfx950 only
    if (name.find("a8w4_rowcol_ks4") != std::string::npos && gfx950) {   // the int4 K split: gfx942 only (space.yaml)
      const auto r = run_ok(s, c.op, c.problem, seed++);
      EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm_gfx950_" + name.substr(0, name.size() - 4));
      continue;
    }
    const auto r = run_ok(s, c.op, c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant);
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_GT(r.comparisons[0].count, 0u);
  }
  for (int per_wave = 1; per_wave <= 6; ++per_wave) {
    const struct { const char* op; std::string problem; const char* variant; } exits[] = {
        {"moe_gemm1", "tokens=2 k=2 experts=4 hidden=" + std::to_string(256 * per_wave) + " inter=64 block_m=16 k_waves=4",
         "s1_silu_bf16_m16_inbf16_none_ks4"},
        {"moe_gemm1_blockscale", "tokens=2 k=2 experts=4 hidden=" + std::to_string(512 * per_wave) + " inter=128 block_m=16 k_waves=4",
         "s1_silu_bf16_m16_infp8_block128_ks4"},
        // fp8 per-row scales: K-blocks of one 64-byte step, 6 in flight
        {"moe_gemm1_fp8", "tokens=2 k=2 experts=4 hidden=" + std::to_string(256 * per_wave) + " inter=64 block_m=16 k_waves=4",
         "s1_silu_bf16_m16_infp8_rowcol_ks4"},
    };
    for (const auto& c : exits) {
      if (std::string(c.op) == "moe_gemm1_blockscale" && per_wave > 4) continue;
      SCOPED_TRACE(std::string(c.op) + " " + c.problem);
      const auto r = run_ok(s, c.op, c.problem, seed++);
      EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant);
    }
  }
  // fewer than 4 K-blocks: the unsplit tile even with k_waves=4 (rule k_split_kblocks; 4 of them split above)
  const auto r = run_ok(s, "moe_gemm1", "tokens=3 k=2 experts=8 hidden=192 inter=64 block_m=16 k_waves=4", seed++);
  EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + "s1_silu_bf16_m16_inbf16_none");
  const auto b = run_ok(s, "moe_gemm1_blockscale", "tokens=3 k=2 experts=8 hidden=384 inter=128 block_m=16 k_waves=4", seed++);
  EXPECT_EQ(std::string(b.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + "s1_silu_bf16_m16_infp8_block128");
}

// The block-scale comparison has teeth: a reference with one scale per row (the rowcol op's) where
// the kernel applies a scale per K-block fails.
TEST_P(Moe, GemmBlockScaleComparisonCatchesRowScales) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_gemm2_blockscale");
  ref::OpReference wrong = *ref::find_op_reference("moe_gemm2_fp8");
  wrong.fill = saved.fill;
  expect_caught(s, "moe_gemm2_blockscale", "tokens=3 k=2 experts=8 hidden=128 inter=256 block_m=16", wrong);
}

// The MXFP4 comparison has teeth: a reference that reads every weight scale one step (a factor 2)
// larger than the kernel does fails (gfx950; gfx942 has no such kernel).
TEST_P(Moe, GemmMxfp4ComparisonCatchesAScaleOffByOne) {
  if (std::string(GetParam().arch) != "gfx950") GTEST_SKIP() << "MXFP4 stages exist on gfx950 only";
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const ref::OpReference saved = *ref::find_op_reference("moe_gemm2_mxfp4");
  ref::OpReference wrong = saved;
  wrong.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpTensors doubled = t;
    for (std::uint8_t& e : doubled.at("scale_w").bytes) ++e;
    return saved.compute(p, doubled, expected);
  };
  expect_caught(s, "moe_gemm2_mxfp4", "tokens=3 k=2 experts=8 hidden=128 inter=256 block_m=16", wrong);
  run_ok(s, "moe_gemm2_mxfp4", "tokens=3 k=2 experts=8 hidden=128 inter=256 block_m=16", 1);  // the right reference
}

// A block-scaled stage through asmk_run_op with device buffers: a scale_a sized for per-row scales
// (what moe_gemm2_fp8 takes) is refused, naming the tensor, with nothing written; the right size runs.
TEST_P(Moe, GemmBlockScaleRefusesAScaleOfTheWrongShape) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  asmk::op_runner::OpView op;
  std::string error;
  ASSERT_EQ(asmk::op_runner::describe_op(s.get(), "moe_gemm2_blockscale", op, error), ASMK_SUCCESS) << error;
  asmk::op_runner::Call call;
  ASSERT_EQ(call.build(s.get(), op, Problem::parse("tokens=3 k=2 experts=8 hidden=128 inter=256 block_m=16"), error), ASMK_SUCCESS) << error;
  std::map<std::string, asmk::test::Buffer> buffers;
  for (const auto& t : call.tensors) {
    buffers.emplace(t.name, asmk::test::Buffer(s.get(), t.bytes));
    std::vector<std::uint8_t> fill(t.bytes, 0);
    if (std::string(t.name) == "out") fill.assign(t.bytes, 0xee);
    if (std::string(t.name) == "block_expert") fill.assign(t.bytes, 0xff);  // -1: no block
    ASSERT_EQ(asmk_memcpy(s.get(), buffers.at(t.name).get(), fill.data(), fill.size(), ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
    call.set_pointer(t.name, buffers.at(t.name).get(), t.bytes);
  }
  auto untouched = [&] {
    for (const std::uint8_t b : buffers.at("out").download<std::uint8_t>())
      if (b != 0xee) return false;
    return true;
  };
  call.set_pointer("scale_a", buffers.at("scale_a").get(), 3 * 2 * 4);  // [tokens·k]: per-row scales
  asmk_status status = asmk_run_op(s.get(), "moe_gemm2_blockscale", call.args().data(), call.args().size(), nullptr, nullptr);
  const std::string message = asmk_last_error();
  EXPECT_NE(status, ASMK_SUCCESS);
  EXPECT_NE(message.find("scale_a"), std::string::npos) << message;
  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
  EXPECT_TRUE(untouched()) << "a refused call wrote its output";
  call.set_pointer("scale_a", buffers.at("scale_a").get(), 3 * 2 * 2 * 4);  // [tokens·k, inter / 128]
  status = asmk_run_op(s.get(), "moe_gemm2_blockscale", call.args().data(), call.args().size(), nullptr, nullptr);
  EXPECT_EQ(status, ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
  EXPECT_TRUE(untouched()) << "no block: nothing to write";
}

// MXFP4 (gfx950: moe_gemm1_mxfp4, moe_gemm2_mxfp4): every variant on gpt-oss-like shapes scaled down
// (E 128, k 4, SwiGLU with alpha / limit and per-expert biases; hidden = inter as in the model),
// tokens 1, 3 and 64, most experts receiving no token at 1 and 3. gfx942 has no MXFP4 MFMA: there the
// same calls are refused with a named error (and nothing runs).
TEST_P(Moe, GemmStagesMxfp4EveryVariantOrRefusedWithoutTheMfma) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* problem; const char* variant; } cases[] = {
      {"moe_gemm1_mxfp4", "tokens=1 k=4 experts=128 hidden=256 inter=256 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16"},
      {"moe_gemm1_mxfp4", "tokens=64 k=4 experts=16 hidden=256 inter=128 block_m=64 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m64"},
      {"moe_gemm1_mxfp4", "tokens=64 k=2 experts=8 hidden=128 inter=128 block_m=128 activation=swiglu_oai", "s1_swiglu_oai_bf16_m128"},
      {"moe_gemm1_mxfp4", "tokens=3 k=4 experts=128 hidden=384 inter=128 block_m=16", "s1_silu_bf16_m16"},
      {"moe_gemm1_mxfp4", "tokens=3 k=2 experts=8 hidden=128 inter=128 block_m=64", "s1_silu_bf16_m64"},
      {"moe_gemm1_mxfp4", "tokens=3 k=2 experts=8 hidden=256 inter=128 block_m=128 bias", "s1_silu_bf16_m128"},
      {"moe_gemm1_mxfp4", "tokens=3 k=2 experts=8 hidden=128 inter=128 block_m=16 activation=gelu", "s1_gelu_bf16_m16"},
      {"moe_gemm1_mxfp4", "tokens=3 k=2 experts=8 hidden=128 inter=256 block_m=64 activation=gelu", "s1_gelu_bf16_m64"},
      {"moe_gemm1_mxfp4", "tokens=3 k=2 experts=8 hidden=128 inter=128 block_m=128 activation=gelu", "s1_gelu_bf16_m128"},
      {"moe_gemm2_mxfp4", "tokens=1 k=4 experts=128 hidden=256 inter=256 block_m=16 bias", "s2_none_f32_m16"},
      {"moe_gemm2_mxfp4", "tokens=64 k=4 experts=16 hidden=128 inter=256 block_m=64 bias", "s2_none_f32_m64"},
      {"moe_gemm2_mxfp4", "tokens=64 k=2 experts=8 hidden=256 inter=128 block_m=128", "s2_none_f32_m128"},
  };
  std::uint32_t seed = 700;
  for (const auto& c : cases) {
    if (std::string(GetParam().arch) == "gfx942") {
      SCOPED_TRACE(std::string(c.op) + " " + c.problem);
      const auto r = asmk::op_runner::run(s.get(), c.op, Problem::parse(c.problem));
      // the error names the arch and the variants that exist there: bf16 and fp8 inputs, no fp4
      EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_DTYPE) << asmk_status_string(r.status);
      EXPECT_NE(r.error.find("no kernel of family moe_gemm for gfx942"), std::string::npos) << r.error;
      EXPECT_NE(r.error.find("in_dtype=fp8"), std::string::npos) << r.error;
      EXPECT_EQ(r.error.find("in_dtype=fp4"), std::string::npos) << r.error;
      EXPECT_TRUE(r.comparisons.empty());
      continue;
    }
    const auto r = run_ok(s, c.op, c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant + "_infp4_mx32")
        << c.op << " " << c.problem;
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
  expect_caught(s, "moe_gemm1", "tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=16 activation=gelu", wrong);
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
      {"moe_gemm1_blockscale", "tokens=2 k=2 experts=8 hidden=192 inter=128 block_m=16", "sizes_128", "tokens=2 k=2 experts=8 hidden=256 inter=128 block_m=16"},
      {"moe_gemm2_blockscale", "tokens=2 k=2 experts=8 hidden=128 inter=64 block_m=16", "sizes_128", "tokens=2 k=2 experts=8 hidden=128 inter=128 block_m=16"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bad);
    const auto r = asmk::op_runner::run(s.get(), c.op, Problem::parse(c.bad));
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
    EXPECT_NE(r.error.find(c.rule), std::string::npos) << r.error;
    run_ok(s, c.op, c.good, 7);
  }
}

// moe_shuffle_weight (templates/shuffle_b/op.moe_shuffle_weight.yaml): every weight dtype, byte for byte
// against ref::shuffle_experts (each expert's rows shuffled into its own bytes); the check has teeth (a
// reference that swaps two experts fails); shapes the layout does not cover are refused by name.
TEST_P(Moe, ShuffleWeightIsShuffleBOfEveryExpert) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 900;
  for (const char* problem : {"experts=3 n=128 k=192", "experts=2 n=64 k=96 w_dtype=bf16", "experts=4 n=64 k=256 w_dtype=fp4",
                              "experts=2 n=192 k=128 w_dtype=int4"}) {
    const auto r = run_ok(s, "moe_shuffle_weight", problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "shuffle_b" + arch_suffix(GetParam().arch) + "r64");
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_EQ(r.comparisons[0].tensor, "dst");
  }
  ref::OpReference wrong = *ref::find_op_reference("moe_shuffle_weight");
  wrong.compute = [](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpTensor dst = t.at("dst");
    const std::uint32_t n = p.u32("n"), row = p.u32("k"), bytes = n * row;  // fp8: a row is k bytes
    std::vector<std::uint8_t> swapped(t.at("src").bytes.begin(), t.at("src").bytes.begin() + 2 * bytes);
    std::rotate(swapped.begin(), swapped.begin() + bytes, swapped.end());  // experts 1, 0
    if (ref::Status st = ref::shuffle_experts(swapped.data(), 2, n, row, dst.bytes.data()); !st.ok()) return st;
    expected["dst"] = ref::Expected::bits(std::move(dst));
    return ref::Status::success();
  };
  expect_caught(s, "moe_shuffle_weight", "experts=2 n=64 k=64", wrong);
  const struct { const char* bad; const char* rule; } bad[] = {
      {"experts=2 n=96 k=128", "rows_64"},
      {"experts=2 n=64 k=96", "row_bytes_64"},
      {"experts=2 n=64 k=160 w_dtype=fp4", "row_bytes_64"},
  };
  for (const auto& c : bad) {
    SCOPED_TRACE(c.bad);
    const auto r = asmk::op_runner::run(s.get(), "moe_shuffle_weight", Problem::parse(c.bad));
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
    EXPECT_NE(r.error.find(c.rule), std::string::npos) << r.error;
    EXPECT_TRUE(r.comparisons.empty());
  }
}

// The whole layer as a chain of the ops, each one's outputs the next one's inputs (on the host
// between launches): routing, sorting, stage 1, stage 2, sum. Each op is checked against its
// reference on the way; the end result against ref/moe.hpp's stage 2 summed over the slots, from
// the kernel's intermediate (so the bound is stage 2's: ref/TOLERANCE.md with K = inter + k).
void run_chain(Session& s, std::uint32_t tokens, std::uint32_t experts, std::uint32_t k, std::uint32_t hidden, std::uint32_t inter,
               std::uint32_t block_m, const std::string& activation, std::uint32_t seed, const std::string& grouped = "") {
  const std::string T = std::to_string(tokens), E = std::to_string(experts), K = std::to_string(k);
  const std::string H = std::to_string(hidden), I = std::to_string(inter), B = std::to_string(block_m);
  SCOPED_TRACE("tokens " + T + " experts " + E + " k " + K + " " + activation);
  auto take = [](const asmk::op_runner::Result& from, const char* tensor, asmk::op_runner::Options& to, const char* as) {
    to.inputs[as] = from.tensors.at(tensor).bytes;
  };
  // routing: softmax, or the grouped form with `grouped` its group arguments
  const std::string routing_sizes = "tokens=" + T + " experts=" + E + " k=" + K;
  const auto routing = grouped.empty() ? run_ok(s, "moe_topk_softmax", routing_sizes + " renormalize=1", seed)
                                       : run_ok(s, "moe_grouped_topk", routing_sizes + " " + grouped, seed);
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

// The fp8 layer: x quantized per token (quant_fp8, granularity row), stage 1 in fp8, its output
// quantized per slot (quant_fp8 again), stage 2 in fp8, the sum. The end result against ref/'s stage 2
// from the kernels' quantized intermediate and its scales.
// The quantized layer's formats: fp8 per row (quant_fp8 granularity row, the _fp8 stages), fp8 with
// DeepSeek-V3's block scales (quant_fp8 granularity group, the _blockscale stages), MXFP4 (quant_mxfp4,
// the _mxfp4 stages, gfx950).
enum class Quant { fp8_row, fp8_block, mxfp4 };
void run_fp8_chain(Session& s, const std::string& arch, std::uint32_t tokens, std::uint32_t experts, std::uint32_t k, std::uint32_t hidden,
                   std::uint32_t inter, std::uint32_t block_m, std::uint32_t seed, Quant quant = Quant::fp8_row,
                   const std::string& activation = "silu") {
  const bool block = quant == Quant::fp8_block, mx = quant == Quant::mxfp4;
  const std::string quant_op = mx ? "quant_mxfp4" : "quant_fp8";
  const std::string granularity = mx ? "" : block ? " granularity=group" : " granularity=row";
  const std::string suffix = mx ? "_mxfp4" : block ? "_blockscale" : "_fp8";
  const std::string stage1_op = "moe_gemm1" + suffix, stage2_op = "moe_gemm2" + suffix;
  const std::string T = std::to_string(tokens), E = std::to_string(experts), K = std::to_string(k);
  const std::string H = std::to_string(hidden), I = std::to_string(inter), B = std::to_string(block_m);
  const std::string slots = std::to_string(tokens * k);
  SCOPED_TRACE(stage1_op + " tokens " + T + " experts " + E + " k " + K);
  auto take = [](const asmk::op_runner::Result& from, const char* tensor, asmk::op_runner::Options& to, const char* as) {
    to.inputs[as] = from.tensors.at(tensor).bytes;
  };
  auto must = [](const asmk::op_runner::Result& r) {
    EXPECT_TRUE(r.ok()) << r.selection.kernel_name << ": " << r.error << r.summary() << (r.comparisons.empty() ? "" : " " + r.comparisons[0].detail);
    return r.ok();
  };
  const auto routing = run_ok(s, "moe_topk_softmax", "tokens=" + T + " experts=" + E + " k=" + K + " renormalize=1", seed);
  asmk::op_runner::Options sort_in;
  take(routing, "topk_ids", sort_in, "topk_ids");
  take(routing, "topk_weights", sort_in, "topk_weights");
  const std::string sizes = "tokens=" + T + " k=" + K + " experts=" + E;
  const auto sorted = asmk::op_runner::run(s.get(), "moe_sort", Problem::parse(sizes + " local_experts=" + E + " block_m=" + B), sort_in);
  if (!must(sorted)) return;
  asmk::op_runner::Options quant_x_in;
  quant_x_in.seed = seed + 1;
  const auto quant_x = asmk::op_runner::run(s.get(), quant_op, Problem::parse("m=" + T + " n=" + H + granularity), quant_x_in);
  if (!must(quant_x)) return;
  asmk::op_runner::Options stage1_in;
  for (const char* name : {"sorted_ids", "block_expert", "total_padded"}) take(sorted, name, stage1_in, name);
  take(quant_x, "y", stage1_in, "a");
  take(quant_x, "scale", stage1_in, "scale_a");
  stage1_in.seed = seed + 2;
  const auto stage1 = asmk::op_runner::run(s.get(), stage1_op, Problem::parse(sizes + " hidden=" + H + " inter=" + I + " block_m=" + B + " activation=" + activation), stage1_in);
  if (!must(stage1)) return;
  asmk::op_runner::Options quant_inter_in;
  take(stage1, "out", quant_inter_in, "x");
  const auto quant_inter = asmk::op_runner::run(s.get(), quant_op, Problem::parse("m=" + slots + " n=" + I + granularity), quant_inter_in);
  if (!must(quant_inter)) return;
  asmk::op_runner::Options stage2_in;
  for (const char* name : {"sorted_ids", "sorted_weights", "block_expert", "total_padded"}) take(sorted, name, stage2_in, name);
  take(quant_inter, "y", stage2_in, "a");
  take(quant_inter, "scale", stage2_in, "scale_a");
  stage2_in.seed = seed + 3;
  const auto stage2 = asmk::op_runner::run(s.get(), stage2_op, Problem::parse(sizes + " hidden=" + H + " inter=" + I + " block_m=" + B), stage2_in);
  if (!must(stage2)) return;
  asmk::op_runner::Options sum_in;
  take(stage2, "out", sum_in, "partial");
  take(routing, "topk_ids", sum_in, "topk_ids");
  const auto summed = asmk::op_runner::run(s.get(), "moe_sum", Problem::parse(sizes + " local_experts=" + E + " hidden=" + H), sum_in);
  if (!must(summed)) return;

  ref::MoeSorted layout;
  ref::MoeSortArgs sa;
  sa.ids = routing.tensors.at("topk_ids").as<std::int32_t>(), sa.weights = routing.tensors.at("topk_weights").as<float>();
  sa.tokens = tokens, sa.k = k, sa.experts = experts, sa.local_experts = experts, sa.block_m = block_m;
  ASSERT_TRUE(ref::moe_sort(sa, layout).ok());
  ref::MoeStage2Args a;
  a.in_format = mx ? ref::Format::e2m1 : ref::fp8_format(arch == "gfx942" ? ref::Arch::gfx942 : ref::Arch::gfx950);
  a.inter = quant_inter.tensors.at("y").bytes.data(), a.w2 = stage2.tensors.at("w").bytes.data();
  if (mx) {
    a.mx_scale_inter = quant_inter.tensors.at("scale").bytes.data(), a.mx_scale_w2 = stage2.tensors.at("scale_w").bytes.data();
  } else {
    a.scale_inter = quant_inter.tensors.at("scale").as<float>(), a.scale_w2 = stage2.tensors.at("scale_w").as<float>();
  }
  a.sorted = &layout, a.tokens = tokens, a.k = k, a.hidden = hidden, a.inter_size = inter, a.local_experts = experts;
  a.scale_block = block ? 128 : 0;
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
  run_chain(s, 64, 256, 8, 128, 64, 64, "silu", 210,      // DeepSeek-V3-like (grouped routing), prefill tile
            "n_group=8 topk_group=4 routed_scaling_factor=2.5 correction_bias");
  run_chain(s, 1, 256, 8, 64, 64, 16, "silu", 220);       // decode: most experts receive no token
  run_chain(s, 3, 16, 4, 64, 64, 16, "swiglu_oai", 230);  // gpt-oss-like activation
  run_fp8_chain(s, GetParam().arch, 3, 8, 2, 128, 128, 16, 240);
  run_fp8_chain(s, GetParam().arch, 64, 32, 4, 128, 128, 64, 250);
  // DeepSeek-V3-like with block scales: decode (one token, E 256 k 8: 248 experts without a token) and prefill
  run_fp8_chain(s, GetParam().arch, 1, 256, 8, 256, 256, 16, 260, Quant::fp8_block);
  run_fp8_chain(s, GetParam().arch, 64, 32, 4, 256, 128, 64, 270, Quant::fp8_block);
  // gpt-oss-like in MXFP4 (gfx950): SwiGLU, E 128 k 4 (one token: 124 experts without a token), then prefill
  if (std::string(GetParam().arch) == "gfx950") {
    run_fp8_chain(s, GetParam().arch, 1, 128, 4, 256, 256, 16, 280, Quant::mxfp4, "swiglu_oai");
    run_fp8_chain(s, GetParam().arch, 64, 16, 4, 256, 128, 64, 290, Quant::mxfp4, "swiglu_oai");
  }
}

// fused_moe: the pipeline op of the five stages (one plan, temporaries in one workspace) against the
// reference layer; Mixtral-like, a 64-token prefill tile, decode with gpt-oss's activation.
TEST_P(Moe, FusedMoeRunsTheLayerAsOnePlan) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 300;
  for (const char* problem : {"tokens=3 experts=8 k=2 hidden=128 inter=128 block_m=16",
                              "tokens=64 experts=64 k=8 hidden=128 inter=64 block_m=64",
                              "tokens=1 experts=256 k=8 hidden=64 inter=64 block_m=16 activation=swiglu_oai"}) {
    const auto r = run_ok(s, "fused_moe", problem, seed++);
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_EQ(r.comparisons[0].count, std::stoul(r.values.at("tokens")) * std::stoul(r.values.at("hidden")));
    EXPECT_GT(r.selection.workspace_bytes, 0u);
  }
  // The comparison has teeth: the reference with GELU where the kernels run SiLU disagrees.
  const ref::OpReference saved = *ref::find_op_reference("fused_moe");
  ref::OpReference wrong = saved;
  wrong.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpProblem gelu = p;
    gelu.values["activation"] = "gelu";
    return saved.compute(gelu, t, expected);
  };
  expect_caught(s, "fused_moe", "tokens=3 experts=8 k=2 hidden=128 inter=128 block_m=16", wrong);
}

// The atomic sum (templates/moe_gemm/README.md "The atomic sum"): at the prefill tile fused_moe's default
// sum_mode=fast zeroes an fp32 accumulator, lets stage 2 add every weighted row into its token's row
// (buffer_atomic_add_f32) and rounds it to out — within the same tolerance as the deterministic plan (tokens 1 / 3
// / 64, experts without tokens, expert parallelism with half the experts remote). sum_mode=deterministic keeps
// the per-slot rows and moe_sum: the same bits on every run. The stage op alone adds into what out held
// (moe_gemm2's reference starts the accumulator at nonzero values: a store instead of an add is caught).
TEST_P(Moe, FusedMoeAtomicSumAtThePrefillTile) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 1200;
  for (const char* problem : {"tokens=1 experts=8 k=2 hidden=128 inter=64 block_m=128",
                              "tokens=3 experts=16 k=4 hidden=192 inter=128 block_m=128",
                              "tokens=64 experts=8 k=2 hidden=128 inter=64 block_m=128 activation=gelu",
                              "tokens=16 experts=16 k=4 hidden=128 inter=64 local_experts=8 expert_map block_m=128"}) {
    const auto r = run_ok(s, "fused_moe", problem, seed++);
    EXPECT_EQ(launches_of(r, "moe_acc", "_zero"), 1u) << problem;
    EXPECT_EQ(launches_of(r, "moe_gemm", "_s2_none_f32_m128_inbf16_none_atomic"), 1u) << problem;
    EXPECT_EQ(launches_of(r, "moe_acc", "_bf16"), 1u) << problem;
    EXPECT_EQ(launches_of(r, "moe_sum"), 0u) << problem;
  }
  run_ok(s, "fused_moe_routed", "tokens=3 experts=8 k=2 hidden=64 inter=64 local_experts=4 block_m=128", seed++);
  // deterministic: moe_sum, and the same bits twice
  const char* det = "tokens=64 experts=8 k=4 hidden=128 inter=64 block_m=128 sum_mode=deterministic";
  const auto first = run_ok(s, "fused_moe", det, 1300), second = run_ok(s, "fused_moe", det, 1300);
  EXPECT_EQ(launches_of(first, "moe_sum"), 1u);
  EXPECT_EQ(launches_of(first, "moe_acc"), 0u);
  EXPECT_EQ(launches_of(first, "moe_gemm", "_atomic"), 0u);
  EXPECT_TRUE(first.tensors.at("out").bytes == second.tensors.at("out").bytes) << "sum_mode=deterministic changed bits";
  // below the prefill tile the plan keeps the deterministic sum whatever sum_mode says
  const auto tile64 = run_ok(s, "fused_moe", "tokens=64 experts=64 k=8 hidden=128 inter=64 block_m=64", seed++);
  EXPECT_EQ(launches_of(tile64, "moe_sum"), 1u);
  // the stage ops: an accumulator that already holds values, bf16 and block-scale fp8; the accumulator's ops
  const auto stage = run_ok(s, "moe_gemm2", "tokens=64 k=4 experts=16 hidden=192 inter=64 block_m=128 sum=atomic bias", seed++);
  EXPECT_EQ(std::string(stage.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + "s2_none_f32_m128_inbf16_none_atomic");
  EXPECT_EQ(stage.comparisons.at(0).count, 64u * 192u);
  run_ok(s, "moe_gemm2_blockscale", "tokens=3 k=8 experts=64 hidden=256 inter=256 block_m=128 sum=atomic", seed++);
  const ref::OpReference saved = *ref::find_op_reference("moe_gemm2");
  ref::OpReference slots = saved;  // the accumulator's start forgotten: the kernel's adds are seen as wrong
  slots.fill = [saved](const ref::OpProblem& p, ref::OpTensors& t, std::mt19937& rng) {
    saved.fill(p, t, rng);
    std::fill(t.at("out").bytes.begin(), t.at("out").bytes.end(), std::uint8_t{0});
  };
  expect_caught(s, "moe_gemm2", "tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=128 sum=atomic", slots);
  const auto refused = asmk::op_runner::run(s.get(), "moe_gemm2", Problem::parse("tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=64 sum=atomic"));
  EXPECT_EQ(refused.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(refused.error.find("atomic_sum_tile_128"), std::string::npos) << refused.error;
  run_ok(s, "moe_acc_zero", "tokens=3 hidden=128", seed++);
  run_ok(s, "moe_acc_bf16", "tokens=5 hidden=4160", seed++);  // 20800 elements: a ragged last workgroup
}

// moe_route_sort (templates/moe_route_sort): routing and sorting of up to 4 tokens in one launch, against ref/ (the
// routing's ids bit for bit and weights under its allowance, the sorted layout of those ids bit for bit, each sorted
// weight under its slot's allowance): softmax with ties (every other token's logits on quarters) and E 8 / 128 / 512,
// k up to 16; DeepSeek-V3's grouped form with and without the bias; expert parallelism with half the experts remote.
// fused_moe plans it up to 4 tokens (one launch where the pair was two), the pair from 5.
TEST_P(Moe, RouteSortInOneLaunch) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 1400;
  for (const char* problem : {"tokens=1 experts=8 k=2 local_experts=8",
                              "tokens=3 experts=128 k=8 local_experts=128 renormalize=1",
                              "tokens=4 experts=512 k=16 local_experts=512 block_m=64",
                              "tokens=1 experts=256 k=8 local_experts=256 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 renormalize=1 correction_bias",
                              "tokens=4 experts=256 k=8 local_experts=256 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 renormalize=1 block_m=128",
                              "tokens=4 experts=64 k=8 local_experts=32 expert_map block_m=16"}) {
    const auto r = run_ok(s, "moe_route_sort", problem, seed++);
    EXPECT_EQ(r.comparisons.size(), 6u) << problem;
    EXPECT_EQ(r.selection.launch_count, 1u) << problem;
  }
  const auto refused = asmk::op_runner::run(s.get(), "moe_route_sort", Problem::parse("tokens=5 experts=8 k=2 local_experts=8"));
  EXPECT_EQ(refused.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_NE(refused.error.find("tokens_at_most_4"), std::string::npos) << refused.error;
  const auto four = run_ok(s, "fused_moe", "tokens=4 experts=64 k=4 hidden=64 inter=64 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 correction_bias", seed++);
  EXPECT_EQ(launches_of(four, "moe_route_sort"), 1u);
  EXPECT_EQ(launches_of(four, "moe_grouped_topk"), 0u);
  EXPECT_EQ(launches_of(four, "moe_sort"), 0u);
  const auto five = run_ok(s, "fused_moe", "tokens=5 experts=8 k=2 hidden=64 inter=64", seed++);
  EXPECT_EQ(launches_of(five, "moe_route_sort"), 0u);
  EXPECT_EQ(launches_of(five, "moe_topk_softmax"), 1u);
  EXPECT_EQ(launches_of(five, "moe_sort_chunked", "_onepass"), 1u);
}

// moe_acc_bf16 keeps a NaN in the accumulator a NaN on both archs (gfx942 rounds with an integer add, which alone
// carries 0x7fffffff into -0 and rounds 0x7f800001 up to Inf): ref/'s f32_to_bf16 bits (quieted, sign kept),
// Inf stays Inf, the largest finite values round up to Inf.
TEST_P(Moe, AccToBf16KeepsNaN) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  static constexpr std::uint32_t kSpecial[] = {0x7fffffffu, 0xffffffffu, 0x7f800001u, 0xff800001u, 0x7fc00000u, 0x7fa00000u,
                                               0x7f800000u, 0xff800000u, 0x7f7fffffu, 0x3f808000u, 0x3f818000u};
  const ref::OpReference saved = *ref::find_op_reference("moe_acc_bf16");
  ref::OpReference special = saved;
  special.fill = [](const ref::OpProblem&, ref::OpTensors& t, std::mt19937&) {
    auto* acc = t.at("acc").as<std::uint32_t>();
    for (std::size_t i = 0; i < std::size(kSpecial); ++i) acc[3 * i + 1] = kSpecial[i];  // both halves of a pair
  };
  ref::register_op_reference("moe_acc_bf16", special);
  const auto r = run_ok(s, "moe_acc_bf16", "tokens=2 hidden=64", 77);
  ref::register_op_reference("moe_acc_bf16", saved);
  const auto* out = r.tensors.at("out").as<std::uint16_t>();
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint16_t b = out[3 * i + 1];
    EXPECT_TRUE((b & 0x7f80u) == 0x7f80u && (b & 0x7fu) != 0) << "acc 0x" << std::hex << kSpecial[i] << " -> bf16 0x" << b;
    EXPECT_EQ(b & 0x8000u, (kSpecial[i] >> 16) & 0x8000u);
  }
}

// fused_moe with DeepSeek-V3's grouped routing (routing=grouped: moe_grouped_topk as its first stage)
// against the reference layer, scaled down (E 256, k 8, 8 groups keep 4, scaling 2.5, with and
// without the correction bias); a reference that routes by softmax instead disagrees.
TEST_P(Moe, FusedMoeWithGroupedRouting) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const char* problems[] = {
      "tokens=3 experts=256 k=8 hidden=64 inter=64 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 correction_bias",
      "tokens=64 experts=256 k=8 hidden=128 inter=64 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5",
  };
  std::uint32_t seed = 600;
  for (const char* problem : problems) {
    const auto r = run_ok(s, "fused_moe", problem, seed++);
    ASSERT_GT(r.selection.launch_count, 0u);
    const char* first = std::stoul(r.values.at("tokens")) <= 4 ? "moe_route_sort" : "moe_grouped_topk";  // routing + sort in one launch up to 4 tokens
    EXPECT_EQ(std::string(r.selection.launches[0].kernel_name).rfind(first, 0), 0u) << r.selection.launches[0].kernel_name;
  }
  const ref::OpReference saved = *ref::find_op_reference("fused_moe");
  ref::OpReference softmax = saved;
  softmax.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpProblem other = p;
    other.values["routing"] = "softmax";
    return saved.compute(other, t, expected);
  };
  expect_caught(s, "fused_moe", problems[0], softmax);
}

// A stage's rule refuses the pipeline's call (k > experts: moe_route_sort's rule, as moe_topk_softmax's), naming it.
TEST_P(Moe, FusedMoeRefusesBadInputThroughItsStages) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const auto r = asmk::op_runner::run(s.get(), "fused_moe", Problem::parse("tokens=3 experts=8 k=9 hidden=128 inter=128 block_m=16"));
  EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.error;
  EXPECT_NE(r.error.find("k_at_most_experts"), std::string::npos) << r.error;
  const auto tile = asmk::op_runner::run(s.get(), "fused_moe", Problem::parse("tokens=3 experts=8 k=2 hidden=128 inter=128 block_m=32"));
  EXPECT_EQ(tile.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << tile.error;
  EXPECT_NE(tile.error.find("block_m_tile"), std::string::npos) << tile.error;
  run_ok(s, "fused_moe", "tokens=3 experts=8 k=8 hidden=64 inter=64 block_m=16", 11);
}

// block_m 0 (the default): the M tile from the rows per expert, tokens·k / experts — 16 for decode,
// 64 and 128 as the rows grow; a given block_m wins. Selection only (no data), then one run of an
// automatic prefill tile against the reference.
TEST_P(Moe, FusedMoeChoosesItsTileFromTheRowsPerExpert) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* problem; const char* tile; } cases[] = {
      {"fused_moe", "tokens=1 experts=256 k=8 hidden=7168 inter=256", "_m16_"},       // DeepSeek-V3 decode (TP8)
      {"fused_moe", "tokens=64 experts=128 k=8 hidden=4096 inter=192", "_m16_"},      // Qwen3 at 64 tokens: 4 rows
      {"fused_moe", "tokens=256 experts=64 k=8 hidden=128 inter=64", "_m64_"},        // 32 rows per expert
      {"fused_moe_routed", "tokens=4096 experts=8 k=2 hidden=4096 inter=14336", "_m128_"},  // Mixtral prefill
      {"fused_moe_routed", "tokens=1 experts=8 k=2 hidden=128 inter=64 block_m=128", "_m128_"},  // given
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.op) + " " + c.problem);
    asmk::op_runner::OpView view;
    std::string error;
    ASSERT_EQ(asmk::op_runner::describe_op(s.get(), c.op, view, error), ASMK_SUCCESS) << error;
    asmk::op_runner::Call call;
    asmk_selection plan = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk::op_runner::select(s.get(), view, Problem::parse(c.problem), {}, call, plan, error), ASMK_SUCCESS) << error;
    std::size_t gemms = 0;
    for (std::size_t i = 0; i < plan.launch_count; ++i) {
      const std::string kernel = plan.launches[i].kernel_name;
      if (kernel.find("moe_gemm") == std::string::npos) continue;
      ++gemms;
      EXPECT_NE(kernel.find(c.tile), std::string::npos) << kernel;
    }
    EXPECT_EQ(gemms, 2u);
  }
  const auto r = run_ok(s, "fused_moe", "tokens=64 experts=4 k=2 hidden=64 inter=64", 500);  // 32 rows: tile 64
  for (std::size_t i = 0; i < r.selection.launch_count; ++i)
    if (std::string(r.selection.launches[i].kernel_name).find("moe_gemm") != std::string::npos)
      EXPECT_NE(std::string(r.selection.launches[i].kernel_name).find("_m64_"), std::string::npos);
}

// fused_moe_routed: the layer from the caller's routing (one plan of sort, both stages and the sum)
// against the reference layer; slots with −1 (no expert) and ids E − 1 included; an id out of
// range refused before anything runs, the output untouched.
TEST_P(Moe, FusedMoeRoutedRunsTheCallersRouting) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 400;
  for (const char* problem : {"tokens=3 experts=8 k=2 hidden=128 inter=128 block_m=16",
                              "tokens=64 experts=64 k=8 hidden=128 inter=64 block_m=64 activation=gelu"}) {
    const auto r = run_ok(s, "fused_moe_routed", problem, seed++);
    EXPECT_GT(r.selection.workspace_bytes, 0u);
  }
  // tokens 3, k 2, E 8: token 0 to experts 7 and none, token 1 to none twice (out row 0), token 2 to 7 and 0.
  asmk::op_runner::Options o;
  const std::vector<std::int32_t> ids = {7, -1, -1, -1, 7, 0};
  o.inputs["topk_ids"].resize(ids.size() * 4);
  std::memcpy(o.inputs["topk_ids"].data(), ids.data(), ids.size() * 4);
  const auto r = asmk::op_runner::run(s.get(), "fused_moe_routed", Problem::parse("tokens=3 experts=8 k=2 hidden=64 inter=64 block_m=16"), o);
  ASSERT_EQ(r.status, ASMK_SUCCESS) << r.error;
  ASSERT_EQ(r.comparisons.size(), 1u);
  EXPECT_TRUE(r.comparisons[0].ok()) << r.comparisons[0].detail;
  const std::uint16_t* out = r.tensors.at("out").as<std::uint16_t>();
  for (std::uint32_t h = 0; h < 64; ++h) EXPECT_EQ(out[64 + h], 0u) << "token 1 has no expert: its row is +0";

  // Out of range: refused naming the element, nothing written (out keeps its 0xee bytes).
  const std::uint32_t tokens = 3, k = 2, experts = 8, hidden = 64, inter = 64;
  auto x = s.filled(tokens * hidden * 2, 0x3c), w1 = s.filled(std::size_t{experts} * 2 * inter * hidden * 2, 0x3c);
  auto w2 = s.filled(std::size_t{experts} * hidden * inter * 2, 0x3c), out_buffer = s.filled(tokens * hidden * 2, 0xee);
  auto weights = s.upload(std::vector<float>(tokens * k, 0.5f));
  auto bad_ids = s.upload(std::vector<std::int32_t>{7, 0, 1, 8, 2, 3});
  asmk_selection plan = ASMK_INIT(asmk_selection);
  OpArgs args;
  args.u32("tokens", tokens).u32("experts", experts).u32("k", k).u32("hidden", hidden).u32("inter", inter).u32("block_m", 16);
  args.ptr("x", x).ptr("topk_ids", bad_ids).ptr("topk_weights", weights).ptr("w1", w1).ptr("w2", w2).ptr("out", out_buffer);
  args.ptr("workspace", nullptr, SIZE_MAX);
  ASSERT_EQ(asmk_select_op(s.get(), "fused_moe_routed", args.data(), args.size(), &plan), ASMK_SUCCESS) << asmk_last_error();
  auto workspace = s.filled(plan.workspace_bytes, 0xee);
  asmk_op_arg& ws = *args.find("workspace");
  ws.value.pointer = workspace.get(), ws.bytes = plan.workspace_bytes;
  if (!checks_elements(s.get())) {  // unchecked: the slot is skipped, the layer runs without a fault
    EXPECT_EQ(asmk_run_op(s.get(), "fused_moe_routed", args.data(), args.size(), nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
    return;
  }
  EXPECT_EQ(asmk_run_op(s.get(), "fused_moe_routed", args.data(), args.size(), nullptr, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
  const std::string message = asmk_last_error();
  EXPECT_NE(message.find("fused_moe_routed: topk_ids[1, 1] (element 3) is 8, outside [-1, experts) = [-1, 8)"), std::string::npos) << message;
  for (const std::uint8_t b : out_buffer.download<std::uint8_t>()) ASSERT_EQ(b, 0xee) << "out written by a refused call";
  for (const std::uint8_t b : workspace.download<std::uint8_t>()) ASSERT_EQ(b, 0xee) << "workspace written by a refused call";
}

// Expert parallelism: half the experts remote (a random map; and without a map, experts >= 4
// remote): out is the local partial sum. The comparison has teeth: a reference whose map names other
// local experts, or that keeps the remote slots (on local expert 0), disagrees.
TEST_P(Moe, FusedMoeExpertParallelHalfTheExpertsRemote) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 800;
  run_ok(s, "fused_moe_routed", "tokens=64 experts=16 k=4 hidden=128 inter=128 local_experts=8 expert_map", seed++);
  run_ok(s, "fused_moe_routed", "tokens=3 experts=8 k=2 hidden=64 inter=64 local_experts=4", seed++);
  run_ok(s, "fused_moe", "tokens=16 experts=16 k=4 hidden=128 inter=128 local_experts=8 expert_map", seed++);
  run_ok(s, "fused_moe", "tokens=3 experts=256 k=8 hidden=64 inter=64 local_experts=128 expert_map routing=grouped n_group=8 "
                         "topk_group=4 routed_scaling_factor=2.5", seed++);
  const ref::OpReference saved = *ref::find_op_reference("fused_moe_routed");
  for (const bool keep_remote : {false, true}) {
    SCOPED_TRACE(keep_remote ? "remote slots kept" : "local ids shifted");
    ref::OpReference wrong = saved;
    wrong.compute = [saved, keep_remote](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
      ref::OpTensors changed = t;
      std::int32_t* map = changed.at("expert_map").as<std::int32_t>();
      const auto local = static_cast<std::int32_t>(p.u32("local_experts"));
      for (std::uint32_t e = 0; e < p.u32("experts"); ++e)
        map[e] = keep_remote ? std::max(map[e], 0) : map[e] < 0 ? -1 : (map[e] + 1) % local;
      return saved.compute(p, changed, expected);
    };
    expect_caught(s, "fused_moe_routed", "tokens=16 experts=16 k=4 hidden=64 inter=64 local_experts=8 expert_map", wrong);
  }
}

// fp8 inside the layer (in_dtype=fp8): x quantized per token, stage 1 and 2 in fp8 with per-channel
// weight scales, stage 1's output quantized per slot between them; with expert parallelism too. A
// reference that gives each expert's W2 channels one scale (their mean) disagrees. (The allowance
// carries the worst case of two fp8 roundings of the intermediate, 2 · 2^-4 of each element, to the
// output: a GELU-for-SiLU reference, ~10% apart, stays inside it.)
TEST_P(Moe, FusedMoeFp8PerTokenPerChannel) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = 900;
  run_ok(s, "fused_moe_routed", "tokens=5 experts=8 k=2 hidden=128 inter=128 in_dtype=fp8 w1_scale w2_scale", seed++);
  run_ok(s, "fused_moe_routed", "tokens=64 experts=16 k=4 hidden=128 inter=128 in_dtype=fp8 local_experts=8 expert_map w1_scale w2_scale",
         seed++);
  const auto r = run_ok(s, "fused_moe", "tokens=3 experts=8 k=2 hidden=256 inter=128 in_dtype=fp8 w1_scale w2_scale", seed++);
  EXPECT_EQ(launches_of(r, "quant_fp8"), 2u) << "x and the intermediate are quantized between the stages";
  const ref::OpReference saved = *ref::find_op_reference("fused_moe_routed");
  const ref::OpReference wrong = with_w2_scales_flattened(saved, [](const ref::OpProblem& p) { return std::size_t(p.u32("hidden")); });
  expect_caught(s, "fused_moe_routed", "tokens=5 experts=8 k=2 hidden=128 inter=128 in_dtype=fp8 w1_scale w2_scale", wrong);
}

// The layer sorts with one wave only for few slots and experts (Mixtral-like decode); else over many
// workgroups (moe_sort_count, moe_sort_scatter): the plan's launches say so, the fp8 layer with it
// fits ASMK_MAX_LAUNCHES with the atomic sum (9 launches: a 0.1 caller's 8-slot selection gets the first 8),
// and the layer with the chunked sort is right.
TEST_P(Moe, FusedMoeChoosesItsSort) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  auto launches = [&](const char* op, const char* problem) {
    asmk::op_runner::OpView view;
    std::string error;
    std::vector<std::string> names;
    EXPECT_EQ(asmk::op_runner::describe_op(s.get(), op, view, error), ASMK_SUCCESS) << error;
    asmk::op_runner::Call call;
    asmk_selection plan = ASMK_INIT(asmk_selection);
    EXPECT_EQ(asmk::op_runner::select(s.get(), view, Problem::parse(problem), {}, call, plan, error), ASMK_SUCCESS) << error;
    for (std::size_t i = 0; i < plan.launch_count; ++i) names.push_back(plan.launches[i].kernel_name);
    return names;
  };
  auto has = [](const std::vector<std::string>& names, const std::string& prefix) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
  };
  auto count = [](const std::vector<std::string>& names, const std::string& part) {
    return std::count_if(names.begin(), names.end(), [&](const std::string& n) { return n.find(part) != std::string::npos; });
  };
  // up to 2048 slots the one-launch sort, past it the count and scatter launches; never the one wave
  const auto mixtral = launches("fused_moe", "tokens=64 experts=8 k=2 hidden=4096 inter=14336");  // 128 slots, 8 experts
  EXPECT_EQ(count(mixtral, "_onepass_"), 1);
  EXPECT_FALSE(has(mixtral, "moe_sort_gfx"));
  const auto deepseek = launches("fused_moe", "tokens=256 experts=256 k=8 hidden=7168 inter=256");  // 2048 slots
  EXPECT_EQ(count(deepseek, "_onepass_"), 1);
  EXPECT_EQ(count(deepseek, "moe_sort"), 1);
  const auto past = launches("fused_moe", "tokens=257 experts=256 k=8 hidden=7168 inter=256");  // 2056 slots
  EXPECT_EQ(count(past, "_count_"), 1);
  EXPECT_EQ(count(past, "_scatter_"), 1);
  EXPECT_EQ(count(past, "_onepass_"), 0);
  const auto prefill = launches("fused_moe", "tokens=4096 experts=256 k=8 hidden=7168 inter=256 in_dtype=fp8 w1_scale w2_scale");
  // routing, count, scatter, quant x, stage 1, quant, acc zero, stage 2 atomic, acc bf16: 9 of ASMK_MAX_LAUNCHES
  ASSERT_EQ(prefill.size(), 9u);
  EXPECT_TRUE(has(prefill, "moe_sort_chunked"));
  EXPECT_EQ(count(prefill, "_atomic"), 1);
  EXPECT_EQ(count(prefill, "moe_acc"), 2);
  EXPECT_EQ(count(prefill, "moe_sum"), 0);
  EXPECT_EQ(count(launches("fused_moe", "tokens=4096 experts=256 k=8 hidden=7168 inter=256 in_dtype=int4 w1_scale w2_scale"), "_atomic"), 1);
  {  // a caller built against 0.1's asmk.h (8 launch slots, asmk.h "Sized structs"): the first 8 launches, launch_count
     // 9, nothing written past its struct
    constexpr std::size_t v1 = offsetof(asmk_selection, launches) + 8 * sizeof(asmk_launch_info);
    static_assert(v1 < sizeof(asmk_selection));
    alignas(asmk_selection) std::array<unsigned char, sizeof(asmk_selection)> bytes;
    bytes.fill(0xab);
    auto& old = *reinterpret_cast<asmk_selection*>(bytes.data());
    old.struct_size = v1;
    asmk::op_runner::OpView view;
    asmk::op_runner::Call call;
    std::string error;
    ASSERT_EQ(asmk::op_runner::describe_op(s.get(), "fused_moe", view, error), ASMK_SUCCESS) << error;
    ASSERT_EQ(asmk::op_runner::select(s.get(), view, Problem::parse("tokens=4096 experts=256 k=8 hidden=7168 inter=256 in_dtype=fp8 w1_scale w2_scale"),
                                      {}, call, old, error), ASMK_SUCCESS) << error;
    EXPECT_EQ(old.struct_size, v1);
    EXPECT_EQ(old.launch_count, 9u);
    for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(std::string(old.launches[i].kernel_name), prefill[i]) << i;
    EXPECT_TRUE(std::all_of(bytes.begin() + v1, bytes.end(), [](unsigned char b) { return b == 0xab; })) << "written past the caller's struct";
    old.struct_size = v1 - 1;  // below the first layout: refused
    EXPECT_EQ(asmk::op_runner::select(s.get(), view, Problem::parse("tokens=64 experts=8 k=2 hidden=128 inter=128"), {}, call, old, error),
              ASMK_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(error.find("below every layout of asmk_selection"), std::string::npos) << error;
  }
  run_ok(s, "fused_moe", "tokens=64 experts=256 k=8 hidden=64 inter=64 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 correction_bias", 951);
  run_ok(s, "fused_moe_routed", "tokens=600 experts=64 k=8 hidden=64 inter=64", 950);
}

INSTANTIATE_TEST_SUITE_P(Devices, Moe, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
