// The GEMM ops through the C ABI on the generated kernels (ASMK_HSACO_DIR), on both devices: the
// selectors choose kernel and split-K factor (a workspace is offered at the size asked for), the
// emulator runs in strict mode, and C is compared with ref/gemm.hpp under the tolerance rule of
// ref/TOLERANCE.md. Shapes: ragged M and N, bias, int8, fp16 and fp32 outputs, shuffled B, and
// single-tile long-K problems for which split-K is the documented choice (gemm_cost.hpp: with one
// or a few tiles a workgroup's K loop is the whole time, and 8 splits cost 2.2 us more but divide it).
// Also shuffle_b and quant_mxfp4 through their C-ABI ops, bit for bit against ref/.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "asmk/ref/quant.hpp"
#include "asmk/ref/shuffle.hpp"
#include "gemm_cases.hpp"
#include "kernel_harness.hpp"

namespace {

using asmk::gemm_cases::Case;
using asmk::test::Session;
namespace ref = asmk::ref;

struct OpCase {
  Case problem;
  const char* only_arch;  // "" = both devices
  bool expect_split;      // the selector must choose k_splits > 1
};

Case make(const char* family, std::uint32_t m, std::uint32_t n, std::uint32_t k) {
  Case c;
  c.family = family;
  c.m = m, c.n = n, c.k = k;
  if (c.family == "gemm_bf16") c.in_dtype = ASMK_DTYPE_BF16;
  if (c.family == "gemm_a4w4") c.in_dtype = ASMK_DTYPE_FP4;
  return c;
}
Case with(Case c, void (*edit)(Case&)) {
  edit(c);
  return c;
}

const std::vector<OpCase>& cases() {
  static const std::vector<OpCase> all{
      {make("gemm_bf16", 17, 200, 256), "", false},
      {with(make("gemm_bf16", 33, 96, 128), [](Case& c) { c.out_dtype = ASMK_DTYPE_FP32; }), "", false},
      // One 16x64 tile, K = 4096: 8 splits (0.61 + 2.2 us) beat one (4.9 us).
      {make("gemm_bf16", 16, 64, 4096), "", true},
      {with(make("gemm_a8w8", 17, 132, 512), [](Case& c) { c.bias = true; }), "", false},
      {with(make("gemm_a8w8", 16, 64, 8192), [](Case& c) { c.bias = true; }), "", true},
      {with(make("gemm_a8w8", 5, 128, 256), [](Case& c) { c.in_dtype = ASMK_DTYPE_INT8; c.out_dtype = ASMK_DTYPE_FP16; }), "", false},
      {with(make("gemm_a8w8", 33, 128, 256), [](Case& c) { c.b_layout = ASMK_B_SHUFFLED; }), "", false},
      {with(make("gemm_a8w8", 3, 64, 512), [](Case& c) { c.k_splits = 2; c.out_dtype = ASMK_DTYPE_FP16; }), "", true},
      {make("gemm_a8w8_blockscale", 17, 256, 512), "", false},
      {make("gemm_a8w8_blockscale", 130, 128, 384), "", false},
      {make("gemm_a4w4", 17, 132, 256), "gfx950", false},
      {make("gemm_a4w4", 1, 64, 512), "gfx950", false},
      // Block-scaled families: the partials are already scaled, the reduce runs without scales.
      {make("gemm_a8w8_blockscale", 16, 64, 8192), "", true},
      {with(make("gemm_a4w4", 17, 36, 1024), [](Case& c) { c.k_splits = 4; }), "gfx950", true},
  };
  return all;
}

TEST(GemmOps, SelectedKernelsMatchTheReference) {
  std::uint32_t seed = 100;
  for (const auto& device : asmk::test::kTestDevices) {
    Session session(device.name);
    ASSERT_TRUE(session.ok());
    asmk_device_info dev{};
    ASSERT_EQ(asmk_device_get(session.get(), &dev), ASMK_SUCCESS);
    for (const auto& c : cases()) {
      if (*c.only_arch != '\0' && std::string(c.only_arch) != device.arch) continue;
      SCOPED_TRACE(std::string(device.name) + " " + c.problem.family + " " + c.problem.text());
      const auto r = asmk::gemm_cases::run(session.get(), dev, c.problem,
                                           asmk::gemm_cases::random_inputs(c.problem, dev, seed++));
      ASSERT_EQ(r.status, ASMK_SUCCESS) << r.error;
      ASSERT_TRUE(r.error.empty()) << r.error;
      EXPECT_TRUE(r.summary.ok()) << r.selection.kernel_name << ": " << r.summary.describe();
      EXPECT_EQ(r.summary.count, std::size_t(c.problem.m) * c.problem.n);
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
    asmk_device_info dev{};
    ASSERT_EQ(asmk_device_get(session.get(), &dev), ASMK_SUCCESS);
    for (const char* family : {"gemm_bf16", "gemm_a8w8", "gemm_a8w8_blockscale", "gemm_a4w4"}) {
      if (std::string(family) == "gemm_a4w4" && std::string(device.arch) != "gfx950") continue;
      for (const NK& s : shapes) {
        for (std::uint32_t m : {1u, 33u}) {
          const Case c = make(family, m, s.n, s.k);
          SCOPED_TRACE(std::string(device.name) + " " + c.family + " " + c.text());
          const auto r = asmk::gemm_cases::run(session.get(), dev, c, asmk::gemm_cases::random_inputs(c, dev, seed++));
          ASSERT_EQ(r.status, ASMK_SUCCESS) << r.error;
          EXPECT_TRUE(r.summary.ok()) << r.selection.kernel_name << ": " << r.summary.describe();
          EXPECT_EQ(r.summary.count, std::size_t(m) * s.n);
        }
      }
    }
  }
}

TEST(GemmOps, A4W4IsRefusedOnGfx942) {
  Session session("MI300X");
  asmk_gemm_a4w4_args args{};
  args.m = 16, args.n = 64, args.k = 256, args.out_dtype = ASMK_DTYPE_BF16;
  asmk_selection sel{};
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
    asmk_shuffle_b_args args{};
    args.n = n, args.k = k, args.stride_src = stride;
    args.src = dsrc.get(), args.dst = ddst.get(), args.src_bytes = dsrc.bytes(), args.dst_bytes = ddst.bytes();
    asmk_selection sel{};
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
  asmk_quant_mxfp4_args args{};
  args.m = m, args.n = n, args.in_dtype = ASMK_DTYPE_BF16;
  args.x = dx.get(), args.y = dy.get(), args.scale = static_cast<std::uint8_t*>(ds.get());
  args.x_bytes = dx.bytes(), args.y_bytes = dy.bytes(), args.scale_bytes = ds.bytes();
  ASSERT_EQ(asmk_quant_mxfp4(session.get(), &args, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(session.get(), nullptr), ASMK_SUCCESS);
  EXPECT_EQ(dy.download<std::uint8_t>(), y);
  EXPECT_EQ(ds.download<std::uint8_t>(), scale);

  Session gfx942("MI300X");
  asmk_selection sel{};
  EXPECT_NE(asmk_select_quant_mxfp4(gfx942.get(), &args, &sel), ASMK_SUCCESS);
  EXPECT_NE(std::string(asmk_last_error()).find("the family exists for gfx950"), std::string::npos) << asmk_last_error();
}

}  // namespace
