// The sweep's launch plans (perf/src/sweep/families.cpp, written from the template headers)
// against libasmk's selectors (loader/src/ops, an independent implementation of the same launch
// rules): for the kernel and split-K factor a selector picks, the plan must give the same grid,
// block, workspace size and reduce kernel.
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "asmk.h"
#include "asmk/perf/sweep.hpp"

namespace asmk::perf {
namespace {

std::filesystem::path repository() {
  const char* env = std::getenv("ASMK_HSACO_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(ASMK_DEFAULT_HSACO_DIR);
}

struct PlanVsSelector : ::testing::Test {
  asmk_context* ctx = nullptr;
  std::vector<KernelEntry> kernels;
  void SetUp() override {
    auto k = read_kernels(repository(), "gfx942");
    if (!k) GTEST_SKIP() << "no generated kernels: " << k.error();
    kernels = *k;
    asmk_open_options o;
    asmk_open_options_init(&o);
    o.device = "MI300X";
    o.backend = "record";
    ASSERT_EQ(asmk_open(repository().string().c_str(), &o, &ctx), ASMK_SUCCESS) << asmk_last_error();
  }
  void TearDown() override { asmk_close(ctx); }

  void expect_same_plan(const std::string& family_name, const Shape& shape, const asmk_selection& sel) {
    const Family* family = find_family(family_name);
    ASSERT_NE(family, nullptr);
    const KernelEntry* kernel = nullptr;
    for (const auto& k : kernels)
      if (k.name == sel.kernel_name) kernel = &k;
    ASSERT_NE(kernel, nullptr) << sel.kernel_name;
    const Plan plan = family->plan(*kernel, shape, sel.k_splits);
    const std::string what = family_name + " " + std::to_string(shape.m) + "x" + std::to_string(shape.n) + "x" +
                             std::to_string(shape.k) + " " + sel.kernel_name;
    EXPECT_EQ(plan.launch.grid.x, sel.grid.x) << what;
    EXPECT_EQ(plan.launch.grid.y, sel.grid.y) << what;
    EXPECT_EQ(plan.launch.grid.z, sel.grid.z) << what;
    EXPECT_EQ(plan.launch.block.x, sel.block.x) << what;
    uint64_t workspace = 0;
    for (const auto& [name, bytes] : plan.launch.buffers)
      if (name == "workspace") workspace = bytes;
    EXPECT_EQ(workspace, sel.workspace_bytes) << what;
    EXPECT_EQ(plan.second.has_value(), sel.k_splits > 1) << what;
    if (plan.second) {
      std::string reduce;
      for (const auto& k : kernels)
        if (k.family == plan.second->family && k.params == plan.second->params) reduce = k.name;
      EXPECT_EQ(reduce, sel.reduce_kernel_name) << what;
    }
  }
};

const Shape kGemmShapes[] = {{1, 4096, 4096}, {16, 8192, 8192}, {77, 1000, 1024}, {300, 4096, 2048},
                             {4096, 4096, 4096}, {8192, 1280, 8192}};

TEST_F(PlanVsSelector, GemmBf16) {
  for (const Shape& s : kGemmShapes) {
    asmk_gemm_bf16_args a{};
    a.m = uint32_t(s.m), a.n = uint32_t(s.n), a.k = uint32_t(s.k);
    a.out_dtype = ASMK_DTYPE_BF16;
    a.workspace_bytes = SIZE_MAX;  // let the selector choose split-K freely
    asmk_selection sel{};
    ASSERT_EQ(asmk_select_gemm_bf16(ctx, &a, &sel), ASMK_SUCCESS) << asmk_last_error();
    expect_same_plan("gemm_bf16", s, sel);
  }
}

TEST_F(PlanVsSelector, GemmA8w8) {
  for (const Shape& s : kGemmShapes) {
    asmk_gemm_a8w8_args a{};
    a.m = uint32_t(s.m), a.n = uint32_t(s.n), a.k = uint32_t(s.k);
    a.in_dtype = ASMK_DTYPE_FP8;
    a.out_dtype = ASMK_DTYPE_BF16;
    a.b_layout = ASMK_B_ROW;
    a.workspace_bytes = SIZE_MAX;
    asmk_selection sel{};
    ASSERT_EQ(asmk_select_gemm_a8w8(ctx, &a, &sel), ASMK_SUCCESS) << asmk_last_error();
    expect_same_plan("gemm_a8w8", s, sel);
  }
}

TEST_F(PlanVsSelector, QuantFp8) {
  for (const Shape& s : {Shape{1, 7168, 0}, Shape{33, 1152, 0}, Shape{4096, 8192, 0}})
    for (asmk_quant_granularity g : {ASMK_QUANT_ROW, ASMK_QUANT_GROUP}) {
      asmk_quant_fp8_args a{};
      a.m = uint32_t(s.m), a.n = uint32_t(s.n);
      a.in_dtype = ASMK_DTYPE_BF16;
      a.granularity = g;
      asmk_selection sel{};
      ASSERT_EQ(asmk_select_quant_fp8(ctx, &a, &sel), ASMK_SUCCESS) << asmk_last_error();
      sel.k_splits = 1;
      expect_same_plan("quant_fp8", s, sel);
    }
}

}  // namespace
}  // namespace asmk::perf
