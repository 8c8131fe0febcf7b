// fused_moe / fused_moe_routed in the quantized formats the serving stacks use, as one plan each:
//   in_dtype=fp8 fp8_scales=block128 (DeepSeek-V3): quant_fp8 per 1x128 group of x, moe_gemm1_blockscale_q8
//     (the intermediate quantized per group in stage 1's epilogue; at block_m 128: moe_gemm1_blockscale, then
//     quant_fp8 per group of the intermediate), moe_gemm2_blockscale;
//   in_dtype=fp4 (gpt-oss, gfx950): quant_mxfp4, moe_gemm1_mxfp4_q4 (SwiGLU with bias; the intermediate
//     quantized to e2m1 + e8m0 in its epilogue), moe_gemm2_mxfp4.
// On the emulator in strict mode (LDS race check on), against ref/'s float64 layer (ref/src/op_references/
// moe.cpp, expect_layer_quantized): model shapes scaled down, tokens 1 / 3 / 64, experts without a token;
// bad input refused with a named error and nothing written; each comparison shown to fail on a wrong
// reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
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
using asmk::test::moe::launches_of;
using asmk::test::moe::Refusal;
using asmk::test::moe::run_refused;
using asmk::test::moe::with_w2_scales_flattened;

// Runs `problem`, expects its one output to match the reference, and that the comparison saw elements.
asmk::op_runner::Result run_ok(Session& s, const std::string& op, const std::string& problem, std::uint32_t seed) {
  SCOPED_TRACE(op + " " + problem);
  auto r = asmk::test::moe::run_ok(s, op, problem, seed);
  EXPECT_EQ(r.comparisons.size(), 1u);
  for (const auto& c : r.comparisons) EXPECT_GT(c.count, 0u);
  return r;
}

bool has_mxfp4(const asmk::test::TestDevice& device) { return std::string(device.arch) == "gfx950"; }

// The choices of the quant op that matches a quantizing epilogue.
std::string quant_choices_of(const std::string& quant) { return quant == "quant_fp8" ? " granularity=group" : ""; }

class FusedMoeQuant : public ::testing::TestWithParam<asmk::test::TestDevice> {};

// DeepSeek-V3 scaled down (E 256 → 64 / 32, k 8, grouped routing 8 groups / 4 kept with the correction
// bias and routed scaling 2.5; hidden 7168 → 256, inter 2048 (TP8: 256) → 128 / 256) in fp8 block scales:
// tokens 1 (all but 8 experts without a token), 3 and 64, expert parallelism with half the experts remote.
TEST_P(FusedMoeQuant, BlockScaleDeepSeekV3Layer) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string grouped = " routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 correction_bias";
  const std::string block = " in_dtype=fp8 fp8_scales=block128 w1_scale w2_scale";
  std::uint32_t seed = 1400;
  // below 64 slots stage 1 writes bf16 and quant_fp8 quantizes it (the quantizing epilogue's half-width grid
  // is modeled slower there: perf/moe/README.md)
  const auto one = run_ok(s, "fused_moe", "tokens=1 experts=64 k=8 hidden=256 inter=256" + grouped + block, seed++);
  EXPECT_EQ(launches_of(one, "quant_fp8"), 2u) << "x and the intermediate are quantized per 1x128 group";
  EXPECT_EQ(launches_of(one, "moe_gemm", "_infp8_block128"), 2u) << "both stages in block scales";
  EXPECT_EQ(launches_of(one, "moe_route_sort", "_grouped"), 1u) << "routing and sort in one launch up to 4 tokens";
  ++seed;
  // from 64 slots at block_m 16: the intermediate quantized in stage 1's epilogue, one launch fewer
  const auto ep = run_ok(s, "fused_moe_routed", "tokens=64 experts=32 k=8 hidden=128 inter=128 local_experts=16 expert_map" + block, seed++);
  EXPECT_EQ(launches_of(ep, "quant_fp8"), 1u) << "x quantized per 1x128 group; the intermediate in stage 1's epilogue";
  EXPECT_EQ(launches_of(ep, "moe_gemm", "_s1_silu_fp8_m16_infp8_block128"), 1u) << "stage 1 writes the fp8 intermediate";
  run_ok(s, "fused_moe", "tokens=8 experts=64 k=8 hidden=256 inter=256 activation=gelu" + grouped + block, seed++);
  run_ok(s, "fused_moe_routed", "tokens=3 experts=8 k=2 hidden=384 inter=256 activation=gelu b1 b2" + block, seed++);
  // hidden 2048 at 3 tokens: stage 1 with K split over the waves (moe_gemm1's prefer), grouped routing, half the
  // experts remote (expert parallelism)
  const auto split = run_ok(s, "fused_moe", "tokens=3 experts=32 k=4 hidden=2048 inter=128 local_experts=16 expert_map" + grouped + block, seed++);
  EXPECT_EQ(launches_of(split, "moe_gemm", "_s1_silu_bf16_m16_infp8_block128_ks4"), 1u) << "stage 1 split over the waves";
  // block_m 128 (prefill): stage 1 in bf16, then quant_fp8 (no quantizing epilogue at m_tile 128)
  const auto wide = run_ok(s, "fused_moe_routed", "tokens=64 experts=8 k=2 hidden=128 inter=256 block_m=128" + block, seed++);
  EXPECT_EQ(launches_of(wide, "quant_fp8"), 2u);
  EXPECT_EQ(launches_of(wide, "moe_gemm", "_s1_silu_bf16_m128_"), 1u);
}

// The quantizing epilogues: a stage 1 writing the intermediate quantized (`fused`) against the two launches it
// replaces, on `problems`: fp8 block scales at block_m 16 (the three activations, a bias, 1 to 3 groups per row,
// experts with many blocks); MXFP4 (gfx950) at the three M tiles. `code_bits`: bits per code; `scale_bytes`:
// scale bytes per group.
struct QuantizingEpilogue {
  std::string name, fused, unfused, quant;
  unsigned code_bits, group, scale_bytes;
  bool needs_mxfp4;
  std::vector<std::string> problems;
  std::uint32_t seed;
};

const std::vector<QuantizingEpilogue> kQuantizingEpilogues = {
    {"Fp8BlockScale", "moe_gemm1_blockscale_q8", "moe_gemm1_blockscale", "quant_fp8", 8, 128, 4, false,
     {"tokens=3 k=8 experts=64 hidden=256 inter=256 block_m=16",
      "tokens=40 k=2 experts=4 hidden=128 inter=384 block_m=16 activation=gelu bias",
      "tokens=5 k=2 experts=8 hidden=128 inter=128 block_m=16 activation=swiglu_oai bias"},
     1450},
    {"Mxfp4", "moe_gemm1_mxfp4_q4", "moe_gemm1_mxfp4", "quant_mxfp4", 4, 32, 1, true,
     {"tokens=3 k=4 experts=16 hidden=256 inter=128 block_m=16 activation=swiglu_oai bias",
      "tokens=40 k=4 experts=8 hidden=128 inter=256 block_m=64 activation=gelu",
      "tokens=64 k=2 experts=2 hidden=128 inter=128 block_m=128"},
     1460},
};

// The same inputs through `unfused` (its bf16 intermediate) and then `quant` (quant_fp8 granularity=group, or
// quant_mxfp4) give the fused op's codes and scales, byte for byte, on every row a sorted entry names (each op's
// outputs also checked against ref/'s float64 references by run_ok).
class QuantizingEpilogueTest
    : public ::testing::TestWithParam<std::tuple<asmk::test::TestDevice, QuantizingEpilogue>> {};

TEST_P(QuantizingEpilogueTest, IsBitIdenticalToStage1ThenQuant) {
  const auto& [device, e] = GetParam();
  if (e.needs_mxfp4 && !has_mxfp4(device)) GTEST_SKIP() << "no MXFP4 MFMA on " << device.arch;
  Session s(device.name);
  ASSERT_TRUE(s.ok());
  std::uint32_t seed = e.seed;
  for (const std::string& problem : e.problems) {
    SCOPED_TRACE(e.fused + " " + problem);
    const auto q = asmk::test::moe::run_ok(s, e.fused, problem, seed++);
    ASSERT_EQ(q.comparisons.size(), 2u);
    asmk::op_runner::Options given;
    for (const char* name : {"a", "w", "scale_a", "scale_w", "bias", "sorted_ids", "block_expert", "total_padded"})
      if (q.tensors.count(name) != 0) given.inputs[name] = q.tensors.at(name).bytes;
    const auto bf16 = asmk::op_runner::run(s.get(), e.unfused, Problem::parse(problem), given);
    ASSERT_TRUE(bf16.ok()) << bf16.error << bf16.summary();
    const std::uint32_t tokens = std::stoul(bf16.values.at("tokens")), k = std::stoul(bf16.values.at("k"));
    const std::uint32_t inter = std::stoul(bf16.values.at("inter")), slots = tokens * k;
    asmk::op_runner::Options quant_in;
    quant_in.inputs["x"] = bf16.tensors.at("out").bytes;
    const auto want = asmk::op_runner::run(
        s.get(), e.quant, Problem::parse("m=" + std::to_string(slots) + " n=" + std::to_string(inter) + quant_choices_of(e.quant)),
        quant_in);
    ASSERT_TRUE(want.ok()) << want.error << want.summary();
    // the rows a sorted entry names
    std::vector<bool> named(slots, false);
    const auto& ids = q.tensors.at("sorted_ids");
    const std::int32_t total = *q.tensors.at("total_padded").as<std::int32_t>();
    for (std::int32_t i = 0; i < total; ++i)
      if (const std::int32_t slot = ids.as<std::int32_t>()[i]; slot >= 0 && std::uint32_t(slot) < slots) named[slot] = true;
    std::size_t rows = 0, differing = 0;
    const auto &codes = q.tensors.at("out").bytes, &want_codes = want.tensors.at("y").bytes;
    const auto &scales = q.tensors.at("out_scale").bytes, &want_scales = want.tensors.at("scale").bytes;
    const std::size_t code_row = std::size_t{inter} * e.code_bits / 8, scale_row = std::size_t{inter} / e.group * e.scale_bytes;
    for (std::uint32_t row = 0; row < slots; ++row) {
      if (!named[row]) continue;
      ++rows;
      const bool same = std::memcmp(codes.data() + row * code_row, want_codes.data() + row * code_row, code_row) == 0 &&
                        std::memcmp(scales.data() + row * scale_row, want_scales.data() + row * scale_row, scale_row) == 0;
      if (!same && differing++ == 0) ADD_FAILURE() << "row " << row << ": the fused codes or scales differ from " << e.quant << "'s";
    }
    EXPECT_GT(rows, 0u);
    EXPECT_EQ(differing, 0u) << "of " << rows << " rows";
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, QuantizingEpilogueTest,
                         ::testing::Combine(::testing::ValuesIn(asmk::test::kTestDevices), ::testing::ValuesIn(kQuantizingEpilogues)),
                         [](const auto& info) {
                           return std::get<1>(info.param).name + "_" + std::string(std::get<0>(info.param).arch);
                         });

// gpt-oss scaled down (E 128 → 128 / 16, k 4, hidden = inter 2880 → 256 / 128, MXFP4 weights with
// e8m0 scales, the clamped SwiGLU with per-expert biases) on gfx950: tokens 1, 3 and 64. gfx942 has no
// MXFP4 MFMA: the same layer is refused as an unsupported dtype, nothing written.
TEST_P(FusedMoeQuant, Mxfp4GptOssLayerOrRefusedWithoutTheMfma) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string mx = " activation=swiglu_oai in_dtype=fp4 w1_mx_scale w2_mx_scale b1 b2";
  if (!has_mxfp4(GetParam())) {
    const Refusal r = run_refused(s, "fused_moe", "tokens=3 experts=16 k=4 hidden=256 inter=128" + mx);
    EXPECT_EQ(r.status, ASMK_ERROR_UNSUPPORTED_DTYPE) << r.message;
    EXPECT_NE(r.message.find("gfx942"), std::string::npos) << r.message;
    EXPECT_TRUE(r.untouched) << "a refused call wrote out or the workspace";
    return;
  }
  std::uint32_t seed = 1500;
  const auto one = run_ok(s, "fused_moe", "tokens=1 experts=128 k=4 hidden=256 inter=256" + mx, seed++);
  EXPECT_EQ(launches_of(one, "quant_mxfp4"), 1u) << "x quantized to MXFP4; the intermediate in stage 1's epilogue";
  EXPECT_EQ(launches_of(one, "moe_gemm", "_s1_swiglu_oai_fp4_m16_infp4_mx32"), 1u) << "stage 1 writes e2m1 + e8m0";
  EXPECT_EQ(launches_of(one, "moe_gemm", "_infp4_mx32"), 2u) << "both stages on the scaled MFMA";
  run_ok(s, "fused_moe", "tokens=3 experts=16 k=4 hidden=256 inter=128" + mx, seed++);
  run_ok(s, "fused_moe_routed", "tokens=64 experts=16 k=4 hidden=128 inter=128 local_experts=8 expert_map" + mx, seed++);
  run_ok(s, "fused_moe_routed", "tokens=3 experts=8 k=2 hidden=128 inter=256 in_dtype=fp4 w1_mx_scale w2_mx_scale", seed++);
}

// The layer comparisons have teeth: a reference that reads one scale tensor wrongly disagrees with the kernels,
// and the true one (the same inputs) agrees. Block scales: each expert's W2 block scales flattened to their mean
// (per-expert scales, as a kernel reading the wrong block would see). MXFP4 (gfx950): W2's first scale one power
// of two higher (one block of one row of expert 0; every token routed to experts 0 and 1, so it is in use).
struct WrongScales {
  std::string name, problem;
  bool needs_mxfp4;
  std::vector<std::int32_t> topk_ids;  // empty: the runner's random routing
  std::function<ref::OpReference(const ref::OpReference&)> wrong;
};

const std::vector<WrongScales> kWrongScales = {
    {"BlockScaleFlattened", "tokens=5 experts=8 k=2 hidden=256 inter=256 in_dtype=fp8 fp8_scales=block128 w1_scale w2_scale",
     false, {},
     [](const ref::OpReference& saved) {
       return with_w2_scales_flattened(
           saved, [](const ref::OpProblem& p) { return std::size_t(p.u32("hidden") / 128) * (p.u32("inter") / 128); });
     }},
    {"Mxfp4ScaleOffByOne",
     "tokens=3 experts=8 k=2 hidden=128 inter=128 activation=swiglu_oai in_dtype=fp4 w1_mx_scale w2_mx_scale b1 b2", true,
     {0, 1, 0, 1, 0, 1},
     [](const ref::OpReference& saved) {
       ref::OpReference wrong = saved;
       wrong.compute = [saved](const ref::OpProblem& p, const ref::OpTensors& t, std::map<std::string, ref::Expected>& expected) {
         ref::OpTensors shifted = t;
         for (std::size_t i = 0; i < p.u32("inter") / 32; ++i) shifted.at("w2_mx_scale").bytes[i] += 1;
         return saved.compute(p, shifted, expected);
       };
       return wrong;
     }},
};

class WrongScalesTest : public ::testing::TestWithParam<std::tuple<asmk::test::TestDevice, WrongScales>> {};

TEST_P(WrongScalesTest, LayerComparisonCatchesThem) {
  const auto& [device, w] = GetParam();
  if (w.needs_mxfp4 && !has_mxfp4(device)) GTEST_SKIP() << "no MXFP4 MFMA on " << device.arch;
  Session s(device.name);
  ASSERT_TRUE(s.ok());
  asmk::op_runner::Options o;
  if (!w.topk_ids.empty()) {
    o.inputs["topk_ids"].resize(w.topk_ids.size() * 4);
    std::memcpy(o.inputs["topk_ids"].data(), w.topk_ids.data(), w.topk_ids.size() * 4);
  }
  const ref::OpReference saved = *ref::find_op_reference("fused_moe_routed");
  ref::register_op_reference("fused_moe_routed", w.wrong(saved));
  const auto bad = asmk::op_runner::run(s.get(), "fused_moe_routed", Problem::parse(w.problem), o);
  ref::register_op_reference("fused_moe_routed", saved);
  ASSERT_EQ(bad.comparisons.size(), 1u) << bad.error;
  EXPECT_FALSE(bad.comparisons[0].ok()) << "the wrong reference agreed";
  const auto good = asmk::op_runner::run(s.get(), "fused_moe_routed", Problem::parse(w.problem), o);
  ASSERT_EQ(good.comparisons.size(), 1u) << good.error;
  EXPECT_TRUE(good.comparisons[0].ok()) << good.comparisons[0].detail;
}

INSTANTIATE_TEST_SUITE_P(Devices, WrongScalesTest,
                         ::testing::Combine(::testing::ValuesIn(asmk::test::kTestDevices), ::testing::ValuesIn(kWrongScales)),
                         [](const auto& info) {
                           return std::get<1>(info.param).name + "_" + std::string(std::get<0>(info.param).arch);
                         });

// Bad input, each refused with a named error before anything runs (out and workspace keep their bytes):
// hidden not a multiple of 128, block scales without fp8, a scale tensor of the wrong shape.
TEST_P(FusedMoeQuant, RefusesBadInputWithNothingWritten) {
  Session s(GetParam().name);
  ASSERT_TRUE(s.ok());
  const std::string block = " in_dtype=fp8 fp8_scales=block128 w1_scale w2_scale";
  for (const char* op : {"fused_moe", "fused_moe_routed"}) {
    SCOPED_TRACE(op);
    const Refusal sizes = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=192 inter=128" + block);
    EXPECT_EQ(sizes.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << sizes.message;
    EXPECT_NE(sizes.message.find("quantized_sizes_128"), std::string::npos) << sizes.message;
    EXPECT_TRUE(sizes.untouched);
    const Refusal inter = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=128 inter=64" + block);
    EXPECT_EQ(inter.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << inter.message;
    EXPECT_NE(inter.message.find("quantized_sizes_128"), std::string::npos) << inter.message;
    EXPECT_TRUE(inter.untouched);
    const Refusal bf16 = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=128 inter=128 fp8_scales=block128");
    EXPECT_EQ(bf16.status, ASMK_ERROR_UNSUPPORTED_SHAPE) << bf16.message;
    EXPECT_NE(bf16.message.find("fp8_scales_need_fp8"), std::string::npos) << bf16.message;
    EXPECT_TRUE(bf16.untouched);
    // w1_scale as [E, 2·inter / 128] (one scale per 128 rows, the K-blocks missing): too small for
    // [E, 2·inter / 128, hidden / 128]
    const Refusal shape = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=256 inter=128" + block,
                                      [](const std::string& name, std::size_t full) { return name == "w1_scale" ? full / 2 : full; });
    EXPECT_EQ(shape.status, ASMK_ERROR_BUFFER_TOO_SMALL) << shape.message;
    EXPECT_NE(shape.message.find("w1_scale"), std::string::npos) << shape.message;
    EXPECT_TRUE(shape.untouched);
    if (has_mxfp4(GetParam())) {  // w2_mx_scale per row only ([E, hidden]): too small for [E, hidden, inter / 32]
      const Refusal mx = run_refused(s, op, "tokens=3 experts=8 k=2 hidden=128 inter=128 in_dtype=fp4 w1_mx_scale w2_mx_scale",
                                     [](const std::string& name, std::size_t full) { return name == "w2_mx_scale" ? full / 4 : full; });
      EXPECT_EQ(mx.status, ASMK_ERROR_BUFFER_TOO_SMALL) << mx.message;
      EXPECT_NE(mx.message.find("w2_mx_scale"), std::string::npos) << mx.message;
      EXPECT_TRUE(mx.untouched);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, FusedMoeQuant, ::testing::ValuesIn(asmk::test::kTestDevices),
                         [](const auto& info) { return std::string(info.param.arch); });

}  // namespace
