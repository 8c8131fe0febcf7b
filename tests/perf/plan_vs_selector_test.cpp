// The sweep's launch plans against two references:
//  - SweepLaunches: for sample shapes and EVERY kernel and split-K factor the sweep models, the
//    launches equal the launch rule written down here from the contract (loader/README.md
//    "Selection (GEMMs)", docs/contracts.md): grid (ceil(N / n_tile), ceil(M / m_tile), k_splits),
//    block = the manifest's workgroup size, the arguments by name, the split-K workspace and the
//    reduce launch (grid (ceil(N / 256), M, 1)); the workgroup classes cover the grid.
//  - PlanVsSelector: for the kernel and split-K factor libasmk's selector picks through the C ABI,
//    the sweep's plan gives the same grid, block, workspace and reduce kernel (the sweep takes GEMM
//    launches from libasmk's plans for kernels the selector did not pick; quant_fp8 keeps its own
//    rule, checked here against libasmk's quant_fp8 selector).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "asmk.h"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/sweep.hpp"
#include "hsaco_dir.hpp"

namespace asmk::perf {
namespace {

using test::repository;

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

uint64_t int_param(const KernelEntry& k, const std::string& name) { return std::stoull(k.params.at(name)); }

uint64_t buffer(const LaunchSpec& l, const std::string& name) {
  for (const auto& [n, bytes] : l.buffers)
    if (n == name) return bytes;
  return 0;
}

bool has_value(const LaunchSpec& l, const std::string& name, uint64_t value) {
  for (const auto& [n, v] : l.values)
    if (n == name) return v == value;
  return false;
}

bool is_null(const LaunchSpec& l, const std::string& name) {
  for (const auto& n : l.null_buffers)
    if (n == name) return true;
  return false;
}

struct SweepPlans : ::testing::Test {
  std::vector<KernelEntry> kernels;
  std::shared_ptr<PlanSource> source;
  void SetUp() override {
    auto k = read_kernels(repository(), "gfx942");
    if (!k) GTEST_SKIP() << "no generated kernels: " << k.error();
    kernels = *k;
    auto machine = find_machine(ASMK_MACHINES_DIR, "MI300X");
    ASSERT_TRUE(machine) << machine.error();
    auto s = open_plan_source(repository(), *machine);
    ASSERT_TRUE(s) << s.error();
    source = *s;
  }

  std::vector<Plan> plans_of(const std::string& family_name, const KernelEntry& kernel, const Shape& shape) {
    const auto family = find_family(repository(), family_name);
    EXPECT_TRUE(family) << family.error();
    if (!family) return {};
    auto plans = family->plans(*source, kernel, shape);
    EXPECT_TRUE(plans) << kernel.name << ": " << plans.error();
    return plans ? *plans : std::vector<Plan>{};
  }
};

const Shape kGemmShapes[] = {{1, 4096, 4096}, {16, 8192, 8192}, {77, 1000, 1024}, {300, 4096, 2048},
                             {4096, 4096, 4096}, {8192, 1280, 8192}};

// gemm_bf16 and gemm_a8w8 (row B, bf16 C): every kernel, every modeled split factor.
using SweepLaunches = SweepPlans;

TEST_F(SweepLaunches, GemmFamiliesFollowTheContract) {
  size_t checked_plans = 0, split_plans = 0;
  for (const std::string family : {"gemm_bf16", "gemm_a8w8"}) {
    const uint64_t in_bytes = family == "gemm_bf16" ? 2 : 1;
    for (const KernelEntry& kernel : kernels) {
      if (kernel.family != family || kernel.params.at("out_dtype") != "bf16") continue;
      if (family == "gemm_a8w8" && (kernel.params.at("b_layout") != "row" || kernel.params.at("in_dtype") != "fp8"))
        continue;
      const uint64_t mt = int_param(kernel, "m_tile"), nt = int_param(kernel, "n_tile");
      for (const Shape& s : kGemmShapes) {
        if (s.k % 64 != 0) continue;
        for (const Plan& plan : plans_of(family, kernel, s)) {
          const std::string what = kernel.name + " " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                                   std::to_string(s.k) + " k_splits=" + std::to_string(plan.k_splits);
          const LaunchSpec& l = plan.launch;
          const uint64_t ks = plan.k_splits;
          ++checked_plans;
          EXPECT_EQ(l.grid.x, ceil_div(s.n, nt)) << what;
          EXPECT_EQ(l.grid.y, ceil_div(s.m, mt)) << what;
          EXPECT_EQ(l.grid.z, ks) << what;
          EXPECT_EQ(l.block.x, kernel.workgroup_size[0]) << what;
          EXPECT_EQ(l.block.y * l.block.z, 1u) << what;
          EXPECT_EQ(buffer(l, "a"), s.m * s.k * in_bytes) << what;
          EXPECT_EQ(buffer(l, "b"), s.n * s.k * in_bytes) << what;
          EXPECT_EQ(buffer(l, "c"), s.m * s.n * 2) << what;
          EXPECT_TRUE(has_value(l, "m", s.m) && has_value(l, "n", s.n) && has_value(l, "k", s.k)) << what;
          // Strides: gemm_bf16 counts elements, gemm_a8w8 bytes; packed rows either way.
          EXPECT_TRUE(has_value(l, "stride_a", s.k) && has_value(l, "stride_b", s.k)) << what;
          EXPECT_TRUE(has_value(l, "stride_c", s.n)) << what;
          EXPECT_TRUE(has_value(l, "k_splits", ks)) << what;
          if (family == "gemm_a8w8") {
            EXPECT_EQ(buffer(l, "scale_a"), s.m * 4) << what;
            EXPECT_EQ(buffer(l, "scale_b"), s.n * 4) << what;
            EXPECT_TRUE(is_null(l, "bias")) << what;
          }
          // The classes cover every workgroup of the grid once.
          uint64_t covered = 0;
          for (const ClassSpec& c : plan.classes) covered += c.count;
          EXPECT_EQ(covered, uint64_t(l.grid.x) * l.grid.y * l.grid.z) << what;
          EXPECT_EQ(plan.classes.front().representative.grid.x, 1u) << what;  // one tile of exactly its shape

          if (ks == 1) {
            EXPECT_TRUE(is_null(l, "workspace")) << what;
            EXPECT_FALSE(plan.second.has_value()) << what;
            continue;
          }
          ++split_plans;
          EXPECT_EQ(buffer(l, "workspace"), ks * s.m * s.n * 4) << what;
          ASSERT_TRUE(plan.second.has_value()) << what;
          const LaunchSpec& r = plan.second->launch;
          EXPECT_EQ(plan.second->kernel, "gemm_splitk_reduce_gfx942_bf16") << what;
          EXPECT_EQ(r.grid.x, ceil_div(s.n, 256)) << what;
          EXPECT_EQ(r.grid.y, s.m) << what;
          EXPECT_EQ(r.grid.z, 1u) << what;
          EXPECT_EQ(buffer(r, "workspace"), ks * s.m * s.n * 4) << what;
          EXPECT_EQ(buffer(r, "c"), s.m * s.n * 2) << what;
          EXPECT_TRUE(has_value(r, "k_splits", ks) && has_value(r, "stride_c", s.n)) << what;
          uint64_t reduced = 0;
          for (const ClassSpec& c : plan.second->classes) reduced += c.count;
          EXPECT_EQ(reduced, uint64_t(r.grid.x) * r.grid.y) << what;
        }
      }
    }
  }
  // The samples include small-M shapes, where the sweep models split-K.
  EXPECT_GT(checked_plans, 20u);
  EXPECT_GT(split_plans, 0u);
}

// A kernel that cannot run the shape is refused with libasmk's reason (K not a multiple of 64).
TEST_F(SweepLaunches, RefusesWhatLibasmkRefuses) {
  const auto family = find_family(repository(), "gemm_a8w8");
  ASSERT_TRUE(family) << family.error();
  for (const KernelEntry& kernel : kernels)
    if (kernel.family == "gemm_a8w8") {
      auto plans = family->plans(*source, kernel, {64, 4096, 4000});
      ASSERT_FALSE(plans) << kernel.name;
      EXPECT_NE(plans.error().find("4000"), std::string::npos) << plans.error();
      return;
    }
  GTEST_SKIP() << "no gemm_a8w8 kernel";
}

struct PlanVsSelector : SweepPlans {
  asmk_context* ctx = nullptr;
  void SetUp() override {
    SweepPlans::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    asmk_open_options o;
    asmk_open_options_init(&o);
    o.device = "MI300X";
    o.backend = "record";
    ASSERT_EQ(asmk_open(repository().string().c_str(), &o, &ctx), ASMK_SUCCESS) << asmk_last_error();
  }
  void TearDown() override { asmk_close(ctx); }

  void expect_same_plan(const std::string& family_name, const Shape& shape, const asmk_selection& sel) {
    const KernelEntry* kernel = nullptr;
    for (const auto& k : kernels)
      if (k.name == sel.kernel_name) kernel = &k;
    ASSERT_NE(kernel, nullptr) << sel.kernel_name;
    const std::string what = family_name + " " + std::to_string(shape.m) + "x" + std::to_string(shape.n) + "x" +
                             std::to_string(shape.k) + " " + sel.kernel_name;
    const auto plans = plans_of(family_name, *kernel, shape);
    const Plan* plan = nullptr;
    for (const Plan& p : plans)
      if (p.k_splits == sel.k_splits) plan = &p;
    ASSERT_NE(plan, nullptr) << what << ": the sweep does not model k_splits=" << sel.k_splits;
    EXPECT_EQ(plan->launch.grid.x, sel.grid.x) << what;
    EXPECT_EQ(plan->launch.grid.y, sel.grid.y) << what;
    EXPECT_EQ(plan->launch.grid.z, sel.grid.z) << what;
    EXPECT_EQ(plan->launch.block.x, sel.block.x) << what;
    EXPECT_EQ(buffer(plan->launch, "workspace"), sel.workspace_bytes) << what;
    EXPECT_EQ(plan->second.has_value(), sel.k_splits > 1) << what;
    if (plan->second) EXPECT_EQ(plan->second->kernel, sel.reduce_kernel_name) << what;
  }
};

TEST_F(PlanVsSelector, GemmBf16) {
  for (const Shape& s : kGemmShapes) {
    asmk_gemm_bf16_args a = ASMK_INIT(asmk_gemm_bf16_args);
    a.m = uint32_t(s.m), a.n = uint32_t(s.n), a.k = uint32_t(s.k);
    a.out_dtype = ASMK_DTYPE_BF16;
    a.workspace_bytes = SIZE_MAX;  // let the selector choose split-K freely
    asmk_selection sel = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_select_gemm_bf16(ctx, &a, &sel), ASMK_SUCCESS) << asmk_last_error();
    expect_same_plan("gemm_bf16", s, sel);
  }
}

TEST_F(PlanVsSelector, GemmA8w8) {
  for (const Shape& s : kGemmShapes) {
    asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
    a.m = uint32_t(s.m), a.n = uint32_t(s.n), a.k = uint32_t(s.k);
    a.in_dtype = ASMK_DTYPE_FP8;
    a.out_dtype = ASMK_DTYPE_BF16;
    a.b_layout = ASMK_B_ROW;
    a.workspace_bytes = SIZE_MAX;
    asmk_selection sel = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_select_gemm_a8w8(ctx, &a, &sel), ASMK_SUCCESS) << asmk_last_error();
    expect_same_plan("gemm_a8w8", s, sel);
  }
}

TEST_F(PlanVsSelector, QuantFp8) {
  for (const Shape& s : {Shape{1, 7168, 0}, Shape{33, 1152, 0}, Shape{4096, 8192, 0}})
    for (asmk_quant_granularity g : {ASMK_QUANT_ROW, ASMK_QUANT_GROUP}) {
      asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
      a.m = uint32_t(s.m), a.n = uint32_t(s.n);
      a.in_dtype = ASMK_DTYPE_BF16;
      a.granularity = g;
      asmk_selection sel = ASMK_INIT(asmk_selection);
      ASSERT_EQ(asmk_select_quant_fp8(ctx, &a, &sel), ASMK_SUCCESS) << asmk_last_error();
      sel.k_splits = 1;
      sel.workspace_bytes = 0;
      expect_same_plan("quant_fp8", s, sel);
    }
}

}  // namespace
}  // namespace asmk::perf
