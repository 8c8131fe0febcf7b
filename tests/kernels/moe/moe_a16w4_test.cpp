// MXFP4 weights against bf16 activations (a16w4, gpt-oss's serving path; gfx950): the stage ops
// moe_gemm1_a16w4 / moe_gemm2_a16w4 (e2m1 weights with e8m0 scales upcast to bf16 in the kernel, the
// bf16 MFMA) and fused_moe / fused_moe_routed with in_dtype=fp4 act_dtype=bf16 (no quant_mxfp4).
// On the emulator in strict mode (LDS race check on), against ref/'s float64 references (the stages:
// ref::moe_stage1 / moe_stage2_rows with w_format e2m1; the layer: expect_layer_quantized with nothing
// quantized): gpt-oss-like shapes scaled down (hidden 2880 = 45·64 → 192, unpadded), tokens 1 / 3 / 64,
// experts without a token; each comparison shown to fail on a wrong reference; bad input refused with a
// named error and nothing written, gfx942 (no MXFP4 conversion) included.
#include <gtest/gtest.h>

#include <map>
#include <string>

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

bool has_mxfp4(const asmk::test::TestDevice& device) { return std::string(device.arch) == "gfx950"; }

class MoeA16w4 : public ::testing::TestWithParam<asmk::test::TestDevice> {};

// Every variant (stage 1 × activation × M tile, stage 2 × M tile) through a problem that selects it; on
// gfx942 the same calls are refused as an unsupported dtype, naming the variants that exist there.
TEST_P(MoeA16w4, StagesEveryVariantOrRefusedWithoutMxfp4) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const struct { const char* op; const char* problem; const char* variant; } cases[] = {
      {"moe_gemm1_a16w4", "tokens=1 k=4 experts=128 hidden=192 inter=192 block_m=16 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m16"},
      {"moe_gemm1_a16w4", "tokens=64 k=4 experts=16 hidden=192 inter=128 block_m=64 activation=swiglu_oai bias", "s1_swiglu_oai_bf16_m64"},
      {"moe_gemm1_a16w4", "tokens=64 k=2 experts=8 hidden=128 inter=64 block_m=128 activation=swiglu_oai", "s1_swiglu_oai_bf16_m128"},
      {"moe_gemm1_a16w4", "tokens=3 k=4 experts=128 hidden=320 inter=64 block_m=16 k_waves=1", "s1_silu_bf16_m16"},   // unsplit (the K split: moe_test)
      {"moe_gemm1_a16w4", "tokens=3 k=2 experts=8 hidden=64 inter=128 block_m=64", "s1_silu_bf16_m64"},
      {"moe_gemm1_a16w4", "tokens=3 k=2 experts=8 hidden=256 inter=64 block_m=128 bias", "s1_silu_bf16_m128"},
      {"moe_gemm1_a16w4", "tokens=3 k=2 experts=8 hidden=128 inter=64 block_m=16 activation=gelu", "s1_gelu_bf16_m16"},
      {"moe_gemm1_a16w4", "tokens=3 k=2 experts=8 hidden=64 inter=192 block_m=64 activation=gelu", "s1_gelu_bf16_m64"},
      {"moe_gemm1_a16w4", "tokens=3 k=2 experts=8 hidden=128 inter=64 block_m=128 activation=gelu", "s1_gelu_bf16_m128"},
      {"moe_gemm2_a16w4", "tokens=1 k=4 experts=128 hidden=192 inter=192 block_m=16 bias", "s2_none_f32_m16"},
      {"moe_gemm2_a16w4", "tokens=64 k=4 experts=16 hidden=128 inter=192 block_m=64 bias", "s2_none_f32_m64"},
      {"moe_gemm2_a16w4", "tokens=64 k=2 experts=8 hidden=192 inter=64 block_m=128", "s2_none_f32_m128"},
  };
  std::uint32_t seed = 1700;
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.op) + " " + c.problem);
    if (!has_mxfp4(GetParam())) {
      const auto r = asmk::op_runner::run(s.get(), c.op, Problem::parse(c.problem));
      EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_DTYPE) << asmk_status_string(r.status);
      EXPECT_NE(r.error.find("no kernel of family moe_gemm for gfx942"), std::string::npos) << r.error;
      EXPECT_EQ(r.error.find("in_dtype=a16w4"), std::string::npos) << r.error;
      EXPECT_TRUE(r.comparisons.empty());
      continue;
    }
    const auto r = run_ok(s, c.op, c.problem, seed++);
    EXPECT_EQ(std::string(r.selection.kernel_name), std::string("moe_gemm_gfx950_") + c.variant + "_ina16w4_mx32");
    ASSERT_EQ(r.comparisons.size(), 1u);
    EXPECT_GT(r.comparisons[0].count, 0u);
  }
}

// The stage comparisons have teeth: a reference reading the first expert's first weight scales one power
// of two higher (a kernel applying the wrong block's scale would be off so) disagrees with the kernel.
TEST_P(MoeA16w4, StageComparisonCatchesAScaleOffByOne) {
  if (!has_mxfp4(GetParam())) GTEST_SKIP() << "no MXFP4 conversion on " << GetParam().arch;
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  for (const char* op : {"moe_gemm1_a16w4", "moe_gemm2_a16w4"}) {
    SCOPED_TRACE(op);
    // one expert: every slot's rows read expert 0's weights
    const char* problem = "tokens=3 k=1 experts=1 hidden=128 inter=128 block_m=16";
    const ref::OpReference saved = *ref::find_op_reference(op);
    ref::OpReference wrong = saved;
    const std::string k_name = std::string(op) == "moe_gemm1_a16w4" ? "hidden" : "inter";  // the stage's K
    wrong.compute = [saved, k_name](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
      ref::OpTensors shifted = t;
      for (std::size_t row = 0; row < 64; ++row) shifted.at("scale_w").bytes[row * (p.u32(k_name) / 32)] += 1;
      return saved.compute(p, shifted, expected);
    };
    expect_caught(s, op, problem, wrong);
    run_ok(s, op, problem, 1);  // the same problem against the true reference
  }
}

// gpt-oss scaled down (E 128 → 128 / 16, k 4, hidden = inter 2880 → 192 unpadded, MXFP4 weights with e8m0
// scales, the clamped SwiGLU with per-expert biases) with bf16 activations: tokens 1, 3 and 64, expert
// parallelism with half the experts remote; no quant launch, both stages a16w4.
TEST_P(MoeA16w4, GptOssLayerWithBf16ActivationsOrRefused) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string a16w4 = " activation=swiglu_oai in_dtype=fp4 act_dtype=bf16 w1_mx_scale w2_mx_scale b1 b2";
  if (!has_mxfp4(GetParam())) {
    const Refusal r = run_refused(s, "fused_moe", "tokens=3 experts=16 k=4 hidden=192 inter=192" + a16w4);
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_DTYPE) << r.message;
    EXPECT_NE(r.message.find("gfx942"), std::string::npos) << r.message;
    EXPECT_TRUE(r.untouched) << "a refused call wrote out or the workspace";
    return;
  }
  std::uint32_t seed = 1800;
  const auto one = run_ok(s, "fused_moe", "tokens=1 experts=128 k=4 hidden=192 inter=192" + a16w4, seed++);
  EXPECT_EQ(launches_of(one, "quant_mxfp4"), 0u) << "bf16 activations: nothing quantized";
  EXPECT_EQ(launches_of(one, "moe_gemm", "_ina16w4_mx32"), 2u) << "both stages upcast the MXFP4 weights";
  run_ok(s, "fused_moe", "tokens=3 experts=16 k=4 hidden=192 inter=192" + a16w4, seed++);
  run_ok(s, "fused_moe_routed", "tokens=64 experts=16 k=4 hidden=128 inter=192 local_experts=8 expert_map" + a16w4, seed++);
  run_ok(s, "fused_moe_routed", "tokens=3 experts=8 k=2 hidden=128 inter=64 in_dtype=fp4 act_dtype=bf16 w1_mx_scale w2_mx_scale", seed++);
}

// The layer comparison has teeth: a reference reading W2's first scales one power of two higher disagrees.
TEST_P(MoeA16w4, LayerComparisonCatchesAScaleOffByOne) {
  if (!has_mxfp4(GetParam())) GTEST_SKIP() << "no MXFP4 conversion on " << GetParam().arch;
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const char* problem = "tokens=3 experts=1 k=1 hidden=128 inter=128 activation=swiglu_oai in_dtype=fp4 act_dtype=bf16 w1_mx_scale w2_mx_scale b1 b2";
  const ref::OpReference saved = *ref::find_op_reference("fused_moe_routed");
  ref::OpReference wrong = saved;
  wrong.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
    ref::OpTensors shifted = t;
    for (std::size_t i = 0; i < p.u32("inter") / 32; ++i) shifted.at("w2_mx_scale").bytes[i] += 1;
    return saved.compute(p, shifted, expected);
  };
  expect_caught(s, "fused_moe_routed", problem, wrong);
  run_ok(s, "fused_moe_routed", problem, 1);
}

// Bad input, each refused with a named error before anything runs (out and workspace keep their bytes):
// bf16 activations with fp8 weights, hidden not a multiple of 64.
TEST_P(MoeA16w4, RefusesBadInputWithNothingWritten) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  for (const char* op : {"fused_moe", "fused_moe_routed"}) {
    SCOPED_TRACE(op);
    const Refusal fp8 = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=128 inter=128 in_dtype=fp8 act_dtype=bf16 w1_scale w2_scale");
    EXPECT_EQ(fp8.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << fp8.message;
    EXPECT_NE(fp8.message.find("act_dtype_bf16_needs_fp4"), std::string::npos) << fp8.message;
    EXPECT_TRUE(fp8.untouched);
    const Refusal sizes = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=160 inter=128 in_dtype=fp4 act_dtype=bf16 w1_mx_scale w2_mx_scale");
    EXPECT_EQ(sizes.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << sizes.message;
    EXPECT_NE(sizes.message.find("a16w4_sizes_64"), std::string::npos) << sizes.message;
    EXPECT_TRUE(sizes.untouched);
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, MoeA16w4, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
