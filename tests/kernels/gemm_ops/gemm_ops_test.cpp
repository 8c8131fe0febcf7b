// The GEMM ops by name through the op runner (tools/op_runner.hpp: asmk_run_op, the reference of
// ref/ registered for the op) on the generated kernels (ASMK_HSACO_DIR), on both devices: the
// selector chooses kernel and split-K factor (a workspace is offered at the size asked for), the
// emulator runs in strict mode, and C is compared with ref/gemm.hpp under the tolerance rule of
// ref/TOLERANCE.md. Shapes: ragged M and N, bias, int8, fp16 and fp32 outputs, shuffled B, and
// single-tile long-K problems for which split-K is the documented choice (gemm_cost.hpp: with one
// or a few tiles a workgroup's K loop is the whole time, and 8 splits cost 2.2 us more but divide it).
// Also shuffle_b and quant_mxfp4 through their typed C entry points, bit for bit against ref/.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "asmk/ref/quant.hpp"
#include "asmk/ref/shuffle.hpp"
#include "kernel_harness.hpp"
#include "op_runner.hpp"

namespace {

using asmk::op_runner::Problem;
using asmk::test::Session;
namespace ref = asmk::ref;

struct OpCase {
  const char* op;
  const char* problem;    // name=value tokens (op_runner.hpp)
  const char* only_arch;  // "" = both devices
  bool expect_split;      // the selector must choose k_splits > 1
};

const std::vector<OpCase>& cases() {
  static const std::vector<OpCase> all{
      {"gemm_bf16", "m=17 n=200 k=256", "", false},
      {"gemm_bf16", "m=33 n=96 k=128 out_dtype=f32", "", false},
      // One 16x64 tile, K = 4096: 8 splits (0.61 + 2.2 us) beat one (4.9 us).
      {"gemm_bf16", "m=16 n=64 k=4096", "", true},
      {"gemm_a8w8", "m=17 n=132 k=512 bias", "", false},
      {"gemm_a8w8", "m=16 n=64 k=8192 bias", "", true},
      {"gemm_a8w8", "m=5 n=128 k=256 in_dtype=int8 out_dtype=fp16", "", false},
      {"gemm_a8w8", "m=33 n=128 k=256 b_layout=shuffled", "", false},
      {"gemm_a8w8", "m=3 n=64 k=512 k_splits=2 out_dtype=fp16", "", true},
      {"gemm_a8w8_blockscale", "m=17 n=256 k=512", "", false},
      {"gemm_a8w8_blockscale", "m=130 n=128 k=384", "", false},
      {"gemm_a4w4", "m=17 n=132 k=256", "gfx950", false},
      {"gemm_a4w4", "m=1 n=64 k=512", "gfx950", false},
      // Block-scaled families: the partials are already scaled, the reduce runs without scales.
      {"gemm_a8w8_blockscale", "m=16 n=64 k=8192", "", true},
      {"gemm_a4w4", "m=17 n=36 k=1024 k_splits=4", "gfx950", true},
  };
  return all;
}

// Runs the problem through the op runner and checks C under the tolerance rule, element count m·n.
asmk::op_runner::Result run_gemm(Session& session, const std::string& op, const Problem& problem, std::uint32_t seed) {
  asmk::op_runner::Options options;
  options.seed = seed;
  auto r = asmk::op_runner::run(session.get(), op, problem, options);
  EXPECT_EQ(r.status, ASMK_SUCCESS) << r.error;
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.comparisons.size(), 1u);
  if (r.comparisons.size() == 1) {
    const auto& c = r.comparisons[0];
    EXPECT_EQ(c.tensor, "c");
    EXPECT_EQ(c.rule, ref::CompareRule::gemm_tolerance);
    EXPECT_TRUE(c.ok()) << r.selection.kernel_name << ": " << c.detail;
    EXPECT_EQ(c.count, std::size_t(std::stoul(r.values.at("m"))) * std::stoul(r.values.at("n")));
  }
  return r;
}

TEST(GemmOps, SelectedKernelsMatchTheReference) {
  std::uint32_t seed = 100;
  for (const auto& device : asmk::test::kTestDevices) {
    Session session(device.name);
    ASSERT_TRUE(session.ok());
    for (const auto& c : cases()) {
      if (*c.only_arch != '\0' && std::string(c.only_arch) != device.arch) continue;
      SCOPED_TRACE(std::string(device.name) + " " + c.op + " " + c.problem);
      const auto r = run_gemm(session, c.op, Problem::parse(c.problem), seed++);
      if (r.status != ASMK_SUCCESS) continue;
      if (c.expect_split) {
        EXPECT_GT(r.selection.k_splits, 1u) << r.selection.reason;
        EXPECT_STRNE(r.selection.reduce_kernel_name, "");
      } else {
        EXPECT_EQ(r.selection.k_splits, 1u) << r.selection.reason;
      }
    }
  }
}

// The model shapes of the GEMM issue scaled down 16x in N and K (K rounded up to the 128 every
// family accepts): DeepSeek-V3 (N, K) = (7168, 2048), (2112, 7168), (24576, 1536), (7168, 16384) and
// Llama-70B (8192, 8192), (28672, 8192), (8192, 28672), at decode M = 1 and a ragged prefill M = 33,
// for every family on both devices (a4w4: gfx950), whatever kernel and split-K the selector picks.
TEST(GemmOps, ScaledDownModelShapesMatchTheReference) {
  struct NK { std::uint32_t n, k; };
  const NK shapes[] = {{448, 128}, {132, 512}, {1536, 128}, {448, 1024}, {512, 512}, {1792, 512}, {512, 1792}};
  std::uint32_t seed = 500;
  for (const auto& device : asmk::test::kTestDevices) {
    Session session(device.name);
    ASSERT_TRUE(session.ok());
    for (const char* op : {"gemm_bf16", "gemm_a8w8", "gemm_a8w8_blockscale", "gemm_a4w4"}) {
      if (std::string(op) == "gemm_a4w4" && std::string(device.arch) != "gfx950") continue;
      for (const NK& s : shapes) {
        for (std::uint32_t m : {1u, 33u}) {
          const std::string problem = "m=" + std::to_string(m) + " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
          SCOPED_TRACE(std::string(device.name) + " " + op + " " + problem);
          run_gemm(session, op, Problem::parse(problem), seed++);
        }
      }
    }
  }
}

TEST(GemmOps, A4W4IsRefusedOnGfx942) {
  Session session("MI300X");
  asmk_gemm_a4w4_args args = ASMK_INIT(asmk_gemm_a4w4_args);
  args.m = 16, args.n = 64, args.k = 256, args.out_dtype = ASMK_DTYPE_BF16;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  EXPECT_EQ(asmk_select_gemm_a4w4(session.get(), &args, &sel), ASMK_ERROR_UNSUPPORTED_DTYPE);
  EXPECT_NE(std::string(asmk_last_error()).find("exists for gfx950 only"), std::string::npos) << asmk_last_error();
}

TEST(ShuffleBOp, MatchesTheReferenceLayout) {
  const std::uint32_t n = 128, k = 192, stride = 208;
  std::vector<std::uint8_t> src(std::size_t(n) * stride);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<std::uint8_t>(i * 7 + i / 13);
  std::vector<std::uint8_t> expected(std::size_t(n) * k);
  ASSERT_TRUE(ref::shuffle_b(src.data(), n, k, stride, expected.data()).ok());
  for (const auto& device : asmk::test::kTestDevices) {
    SCOPED_TRACE(device.name);
    Session session(device.name);
    auto dsrc = session.upload(src);
    auto ddst = session.filled(expected.size(), 0xee);
    asmk_shuffle_b_args args = ASMK_INIT(asmk_shuffle_b_args);
    args.n = n, args.k = k, args.stride_src = stride;
    args.src = dsrc.get(), args.dst = ddst.get(), args.src_bytes = dsrc.bytes(), args.dst_bytes = ddst.bytes();
    asmk_selection sel = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_shuffle_b(session.get(), &args, nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(asmk_synchronize(session.get(), nullptr), ASMK_SUCCESS);
    EXPECT_EQ(sel.grid.x, k / 64);
    EXPECT_EQ(sel.grid.y, n / 64);
    EXPECT_EQ(ddst.download<std::uint8_t>(), expected);
  }
}

TEST(QuantMxfp4Op, MatchesTheReferenceBitForBit) {
  Session session("MI355X");
  const std::uint32_t m = 9, n = 544;  // ragged rows and columns for both tile shapes
  std::vector<std::uint16_t> x(std::size_t(m) * n);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<std::uint16_t>(ref::encode(ref::Format::bf16, std::sin(double(i)) * (1 + i % 37), ref::Overflow::saturate));
  std::vector<std::uint8_t> y(std::size_t(m) * n / 2), scale(std::size_t(m) * n / 32);
  ref::QuantMxfp4Args r;
  r.x = x.data(), r.y = y.data(), r.scale = scale.data(), r.m = m, r.n = n;
  r.stride_x = n, r.stride_y = n / 2, r.stride_scale = n / 32;
  ASSERT_TRUE(ref::quant_mxfp4(r).ok());
  auto dx = session.upload(x);
  auto dy = session.filled(y.size(), 0xee), ds = session.filled(scale.size(), 0xee);
  asmk_quant_mxfp4_args args = ASMK_INIT(asmk_quant_mxfp4_args);
  args.m = m, args.n = n, args.in_dtype = ASMK_DTYPE_BF16;
  args.x = dx.get(), args.y = dy.get(), args.scale = static_cast<std::uint8_t*>(ds.get());
  args.x_bytes = dx.bytes(), args.y_bytes = dy.bytes(), args.scale_bytes = ds.bytes();
  ASSERT_EQ(asmk_quant_mxfp4(session.get(), &args, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(session.get(), nullptr), ASMK_SUCCESS);
  EXPECT_EQ(dy.download<std::uint8_t>(), y);
  EXPECT_EQ(ds.download<std::uint8_t>(), scale);

  Session gfx942("MI300X");
  asmk_selection sel = ASMK_INIT(asmk_selection);
  EXPECT_NE(asmk_select_quant_mxfp4(gfx942.get(), &args, &sel), ASMK_SUCCESS);
  EXPECT_NE(std::string(asmk_last_error()).find("the family exists for gfx950"), std::string::npos) << asmk_last_error();
}

}  // namespace
