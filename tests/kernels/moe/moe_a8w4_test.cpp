// int4 weights against fp8 activations (Grok-1's int4 × fp8, "a8w4"; gfx942 and gfx950): the stage ops
// moe_gemm1_a8w4 / moe_gemm2_a8w4 (two's complement int4 two per byte, per-channel fp32 scales, upcast to
// fp8 in the kernel; per-row activation scales) and fused_moe / fused_moe_routed with in_dtype=int4 (x and
// the intermediate quantized per row by quant_fp8). On the emulator in strict mode (LDS race check on),
// against ref/'s float64 references (ref::moe_stage1 / moe_stage2_rows with weights int4; the layer:
// expect_layer_quantized): Grok-1 scaled down (E 8, k 2, hidden 6144 → 256, inter 32768 → 512), tokens
// 1 / 3 / 64; each comparison shown to fail on a wrong reference; bad input refused with a named error and
// nothing written.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "kernel_harness.hpp"
#include "moe_test_support.hpp"
#include "op_runner.hpp"

namespace {

using asmk::op_runner::Problem;
using asmk::test::Session;
namespace ref = asmk::ref;
using asmk::test::moe::expect_caught;
using asmk::test::moe::launches_of;
using asmk::test::moe::Refusal;
using asmk::test::moe::run_ok;
using asmk::test::moe::run_refused;
using asmk::test::moe::with_w2_scales_flattened;

std::string arch_suffix(const char* arch) { return std::string("_") + arch + "_"; }

class MoeA8w4 : public ::testing::TestWithParam<asmk::test::TestDevice> {};

// Every variant (stage 1 × activation × M tile, stage 2 × M tile) through a problem that selects it, on
// both archs (the int4 → fp8 upcast needs only v_bfe_i32, v_cvt_f32_i32 and v_cvt_pk_fp8_f32).
TEST_P(MoeA8w4, StagesEveryVariant) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* problem; const char* variant; } cases[] = {
      {"moe_gemm1_a8w4", "tokens=1 k=2 experts=8 hidden=256 inter=128 block_m=16 k_waves=1", "s1_silu_bf16_m16"},   // unsplit (the K split: moe_test)
      {"moe_gemm1_a8w4", "tokens=64 k=2 experts=8 hidden=128 inter=192 block_m=64", "s1_silu_bf16_m64"},
      {"moe_gemm1_a8w4", "tokens=64 k=2 experts=8 hidden=192 inter=64 block_m=128 bias", "s1_silu_bf16_m128"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=128 inter=64 block_m=16 activation=gelu", "s1_gelu_bf16_m16"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=64 inter=128 block_m=64 activation=gelu", "s1_gelu_bf16_m64"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=128 inter=64 block_m=128 activation=gelu", "s1_gelu_bf16_m128"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=128 inter=64 block_m=64 activation=swiglu_oai", "s1_swiglu_oai_bf16_m64"},
      {"moe_gemm1_a8w4", "tokens=3 k=2 experts=8 hidden=64 inter=64 block_m=128 activation=swiglu_oai", "s1_swiglu_oai_bf16_m128"},
      {"moe_gemm2_a8w4", "tokens=1 k=2 experts=8 hidden=128 inter=256 block_m=16 bias", "s2_none_f32_m16"},
      {"moe_gemm2_a8w4", "tokens=64 k=2 experts=8 hidden=192 inter=128 block_m=64", "s2_none_f32_m64"},
      {"moe_gemm2_a8w4", "tokens=64 k=2 experts=8 hidden=64 inter=192 block_m=128 bias", "s2_none_f32_m128"},
  };
  std::uint32_t seed = 1900;
  for (const auto& c : cases) {
    const auto r = run_ok(s, c.op, c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), "moe_gemm" + arch_suffix(GetParam().arch) + c.variant + "_ina8w4_rowcol")
        << c.op << " " << c.problem;
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_GT(r.comparisons[0].count, 0u);
  }
}

// The stage comparisons have teeth: a reference with the first expert's first 64 channel scales doubled
// (a kernel applying the wrong channel's scale would be off so) disagrees with the kernel.
TEST_P(MoeA8w4, StageComparisonCatchesAWrongChannelScale) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  for (const char* op : {"moe_gemm1_a8w4", "moe_gemm2_a8w4"}) {
    SCOPED_TRACE(op);
    const char* problem = "tokens=3 k=1 experts=1 hidden=128 inter=128 block_m=16";  // every slot on expert 0
    const ref::OpReference saved = *ref::find_op_reference(op);
    ref::OpReference wrong = saved;
    wrong.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
      ref::OpTensors doubled = t;
      for (std::size_t row = 0; row < 64; ++row) doubled.at("scale_w").as<float>()[row] *= 2;
      return saved.compute(p, doubled, expected);
    };
    expect_caught(s, op, problem, wrong);
    run_ok(s, op, problem, 1);  // the same problem against the true reference
  }
}

// Grok-1 scaled down (E 8, k 2, hidden 6144 → 256, inter 32768 → 512, GELU as Grok-1's MoE uses) with int4
// weights: tokens 1, 3 and 64, all tokens to one expert, expert parallelism with half the experts remote.
TEST_P(MoeA8w4, Grok1Layer) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string int4 = " activation=gelu in_dtype=int4 w1_scale w2_scale";
  std::uint32_t seed = 2000;
  const auto one = run_ok(s, "fused_moe", "tokens=1 experts=8 k=2 hidden=256 inter=512" + int4, seed++);
  EXPECT_EQ(launches_of(one, "quant_fp8"), 2u) << "x and the intermediate are quantized per row";
  EXPECT_EQ(launches_of(one, "moe_gemm", "_ina8w4_rowcol"), 2u) << "both stages upcast the int4 weights";
  run_ok(s, "fused_moe", "tokens=3 experts=8 k=2 hidden=256 inter=512" + int4, seed++);
  run_ok(s, "fused_moe", "tokens=64 experts=8 k=2 hidden=128 inter=256" + int4, seed++);
  run_ok(s, "fused_moe_routed", "tokens=64 experts=8 k=2 hidden=128 inter=256 local_experts=4 expert_map" + int4, seed++);
  asmk::op_runner::Options one_expert;  // every token's slots on experts 3 and 5
  one_expert.seed = seed++;
  const std::vector<std::int32_t> ids = {3, 5, 3, 5, 3, 5};
  one_expert.inputs["topk_ids"].resize(ids.size() * 4);
  std::memcpy(one_expert.inputs["topk_ids"].data(), ids.data(), ids.size() * 4);
  const auto r = asmk::op_runner::run(s.get(), "fused_moe_routed", Problem::parse("tokens=3 experts=8 k=2 hidden=128 inter=128" + int4), one_expert);
  ASSERT_EQ(r.comparisons.size(), 1u) << r.error;
  EXPECT_TRUE(r.comparisons[0].ok()) << r.comparisons[0].detail;
}

// The layer comparison has teeth: each expert's W2 channel scales flattened to their mean disagrees.
TEST_P(MoeA8w4, LayerComparisonCatchesFlattenedChannelScales) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const char* problem = "tokens=5 experts=8 k=2 hidden=128 inter=128 in_dtype=int4 w1_scale w2_scale";
  const ref::OpReference saved = *ref::find_op_reference("fused_moe_routed");
  const ref::OpReference wrong = with_w2_scales_flattened(saved, [](const ref::OpProblem& p) { return std::size_t(p.u32("hidden")); });
  expect_caught(s, "fused_moe_routed", problem, wrong);
  run_ok(s, "fused_moe_routed", problem, 1);
}

// Bad input, each refused with a named error before anything runs (out and workspace keep their bytes):
// int4 with block scales, int4 with bf16 activations, hidden not a multiple of 128.
TEST_P(MoeA8w4, RefusesBadInputWithNothingWritten) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* problem; const char* rule; } cases[] = {
      {"tokens=3 experts=8 k=2 hidden=128 inter=128 in_dtype=int4 fp8_scales=block128 w1_scale w2_scale", "fp8_scales_need_fp8"},
      {"tokens=3 experts=8 k=2 hidden=128 inter=128 in_dtype=int4 act_dtype=bf16 w1_scale w2_scale", "act_dtype_bf16_needs_fp4"},
      {"tokens=3 experts=8 k=2 hidden=192 inter=128 in_dtype=int4 w1_scale w2_scale", "quantized_sizes_128"},
  };
  for (const char* op : {"fused_moe", "fused_moe_routed"})
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(op) + " " + c.problem);
      const Refusal r = run_refused(s, op, c.problem);
      EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << r.message;
      EXPECT_NE(r.message.find(c.rule), std::string::npos) << r.message;
      EXPECT_TRUE(r.untouched);
    }
}

INSTANTIATE_TEST_SUITE_P(Devices, MoeA8w4, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
