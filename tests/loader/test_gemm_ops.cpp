// The GEMM ops through the C ABI on the hand-written fixture data/gemm_repo (record backend):
// selection (expected choices worked by hand from the formula in loader/src/ops/gemm_cost.hpp),
// the manifest's `requires`, the tuned table, split-K plans and their packed arguments, and every
// bad input — each of which must launch (and so write) nothing.
//
// Fixture (data/README.md): gfx942 gemm_a8w8 fp8/bf16/row m16_n64 (128 VGPRs, 10 KiB LDS) and
// m128_n128 (256 VGPRs, 32 KiB), fp8/bf16/shuffled m32_n64 (n_multiple 64), int8 m64_n64 (with an
// unknown rule `swizzle_bytes`), gemm_splitk_reduce bf16, gemm_bf16 m32_n64 (no `requires`, no
// split-K arguments); gfx950 gemm_a4w4 m16_n64, gemm_a8w8 fp8 m32_n64. tuned/gfx942-304.csv.
//
// Rates used by hand (gemm_cost.hpp): gfx942 fp8 2048 MACs/clk/CU at 2100 MHz = 4 300 800 MACs/us;
// a CU loads 64 B/clk = 134 400 B/us; HBM 5.3e6 B/us; reduce launch 3 us; a K step (64 for the fp8
// kernels) waits 1000 clocks = 0.476 us.
#include <cstring>
#include <vector>

#include <fstream>
#include <iterator>
#include <unistd.h>
#include <cstdio>
#include <gtest/gtest.h>

#include "support.hpp"

namespace asmk {
namespace {

using test::mentions;
using test::outcome;

using test::kGemmRepo;

test::ContextPtr open_gemm_fixture(const char* device) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = device;
  options.backend = "record";
  asmk_context* context = nullptr;
  EXPECT_EQ(asmk_open(kGemmRepo.c_str(), &options, &context), ASMK_SUCCESS) << asmk_last_error();
  return test::ContextPtr(context);
}

asmk_gemm_a8w8_args a8w8(std::uint32_t m, std::uint32_t n, std::uint32_t k) {
  asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
  a.m = m;
  a.n = n;
  a.k = k;
  a.in_dtype = ASMK_DTYPE_FP8;
  a.out_dtype = ASMK_DTYPE_BF16;
  a.b_layout = ASMK_B_ROW;
  return a;
}

// Device (record: host) buffers for an a8w8 problem, C filled with a sentinel.
struct A8W8Buffers {
  asmk_context* ctx;
  std::vector<void*> owned;
  asmk_gemm_a8w8_args args;

  A8W8Buffers(asmk_context* c, asmk_gemm_a8w8_args problem) : ctx(c), args(problem) {
    args.a = alloc(std::size_t(args.m) * args.k, &args.a_bytes);
    args.b = alloc(std::size_t(args.n) * args.k, &args.b_bytes);
    args.c = alloc(std::size_t(args.m) * args.n * 2, &args.c_bytes);
    std::memset(args.c, 0x5a, args.c_bytes);
    args.scale_a = static_cast<const float*>(alloc(args.m * 4, &args.scale_a_bytes));
    args.scale_b = static_cast<const float*>(alloc(args.n * 4, &args.scale_b_bytes));
  }
  ~A8W8Buffers() {
    for (void* p : owned) asmk_free(ctx, p);
  }
  void* alloc(std::size_t bytes, std::size_t* size) {
    void* p = nullptr;
    EXPECT_EQ(asmk_malloc(ctx, bytes, &p), ASMK_SUCCESS) << asmk_last_error();
    owned.push_back(p);
    *size = bytes;
    return p;
  }
  bool c_untouched() const {
    const auto* bytes = static_cast<const unsigned char*>(args.c);
    for (std::size_t i = 0; i < args.c_bytes; ++i)
      if (bytes[i] != 0x5a) return false;
    return true;
  }
};

std::uint32_t u32_at(const std::vector<std::byte>& bytes, std::size_t offset) {
  std::uint32_t v = 0;
  std::memcpy(&v, bytes.data() + offset, 4);
  return v;
}
const void* pointer_at(const std::vector<std::byte>& bytes, std::size_t offset) {
  const void* v = nullptr;
  std::memcpy(&v, bytes.data() + offset, 8);
  return v;
}

// ---- selection ---------------------------------------------------------------------------------

// M=16 N=512 K=1024 on MI300X, fp8 row kernels m16_n64 and m128_n128, one round each:
//   m16_n64:   8 tiles; t_wg = max(16·64·1024 / 4300800 = 0.244, 80·1024 / 134400 = 0.610) = 0.610 us
//   m128_n128: 4 tiles; t_wg = max(128·128·1024 / 4300800 = 3.90, 256·1024 / 134400 = 1.95) = 3.90 us
//   both wait 16 K steps x 0.476 = 7.62 us, more than either t_wg: a tie, which tile efficiency breaks
//   (m16_n64 100%, m128_n128 12.5%).
//   split-K: no workspace offered -> k_splits = 1 only.
TEST(GemmSelect, LeastEstimatedTimeWithoutWorkspace) {
  auto ctx = open_gemm_fixture("MI300X");
  const auto args = a8w8(16, 512, 1024);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m16_n64");
  EXPECT_EQ(sel.grid.x, 8u);
  EXPECT_EQ(sel.grid.y, 1u);
  EXPECT_EQ(sel.grid.z, 1u);
  EXPECT_EQ(sel.block.x, 256u);
  EXPECT_EQ(sel.k_splits, 1u);
  EXPECT_EQ(sel.workspace_bytes, 0u);
  EXPECT_EQ(sel.reduce_kernel, nullptr);
  // The tuned table has a row for this shape naming a kernel that does not exist: the reason says so.
  EXPECT_NE(std::string(sel.reason).find("gemm_a8w8_gfx942_fp8_bf16_row_m999_n64 k_splits=1) is not a gemm_a8w8 kernel on gfx942"),
            std::string::npos) << sel.reason;
  // --explain: the chosen one first, the other eligible one, and the int8/shuffled kernels are not
  // candidates at all (other dtype/layout).
  const std::string explain = sel.explain;
  EXPECT_EQ(explain.rfind("* gemm_a8w8_gfx942_fp8_bf16_row_m16_n64 k_splits=1: 7.62 us = max(compute 7.62,", 0), 0u)
      << explain;
  EXPECT_NE(explain.find("  gemm_a8w8_gfx942_fp8_bf16_row_m128_n128 k_splits=1: 7.62 us"), std::string::npos) << explain;
  EXPECT_NE(explain.find("16 K steps per wave (latency 7.62 us a round)"), std::string::npos) << explain;
  EXPECT_EQ(explain.find("int8"), std::string::npos) << explain;
}

// Issue 16: the estimate charges a workgroup's K loop a latency per K step, as the performance model
// shows at small M, so splitting K pays even where MACs and bytes alone say it does not.
// M=16 N=512 K=2048 (32 K steps) on MI300X with any workspace, m16_n64 (8 tiles, one round):
//   k_splits=1: max(t_wg 80·2048/134400 = 1.22, 32 steps x 0.476 = 15.24) = 15.24 us
//   k_splits=8: max(80·256/134400 = 0.152, 4 steps x 0.476 = 1.905) = 1.905
//               + split-K 2·8·16·512·4 / 5.3e6 = 0.099 + 3 = 3.10  ->  5.00 us
//   k_splits=4: 3.81 + 3.05 = 6.86;  k_splits=2: 7.62 + 3.02 = 10.64
//   (m128_n128 k_splits=8 ties at 5.00 with 12.5% tile efficiency.) Without the latency term the
//   unsplit m16_n64 (1.22 us) would beat every split (>= 3 us of reduce).
TEST(GemmSelect, PerKStepLatencyMakesSplitKPayAtSmallM) {
  auto ctx = open_gemm_fixture("MI300X");
  auto args = a8w8(16, 512, 2048);
  args.workspace_bytes = SIZE_MAX;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m16_n64");
  EXPECT_EQ(sel.k_splits, 8u);
  EXPECT_EQ(sel.grid.z, 8u);
  const std::string explain = sel.explain;
  EXPECT_EQ(explain.rfind("* gemm_a8w8_gfx942_fp8_bf16_row_m16_n64 k_splits=8: 5.00 us = max(compute 1.90,", 0), 0u)
      << explain;
  EXPECT_NE(explain.find("4 K steps per wave (latency 1.90 us a round)"), std::string::npos) << explain;
  EXPECT_NE(explain.find("gemm_a8w8_gfx942_fp8_bf16_row_m16_n64 k_splits=1: 15.24 us"), std::string::npos) << explain;
}

// M=N=128, K=65536 (1024 K steps) with any workspace: few tiles and a long K loop, so split-K pays.
//   Every candidate is bound by its K steps (0.476 us each) rather than its MACs or loads:
//   m16_n64 (16 tiles): t_wg(s) = 80·65536/s / 134400 = 39.0/s us; one round for s <= 8.
//     s=8: max(4.88, 128 steps = 60.95) + split-K (2·8·128·128·4 / 5.3e6 = 0.198) + 3 = 64.15 us
//     s=4: 121.9 + 3.10 = 125.0;  s=1: 487.6
//   m128_n128 (1 tile): t_wg = 128·128·65536/s / 4300800 = 249.7/s: s=8 max(31.2, 60.95) + 3.2 = 64.15
//   memory = (128·65536·2 + 128·128·2) / 5.3e6 = 3.17 us (below all).
//   The two s=8 candidates tie (both tiles 100% efficient): the larger tile wins the tie.
TEST(GemmSelect, ChoosesSplitKWhenTilesAreFewAndWorkspaceIsOffered) {
  auto ctx = open_gemm_fixture("MI300X");
  auto args = a8w8(128, 128, 65536);
  args.workspace_bytes = SIZE_MAX;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m128_n128");
  EXPECT_EQ(sel.k_splits, 8u);
  EXPECT_EQ(sel.grid.x, 1u);
  EXPECT_EQ(sel.grid.y, 1u);
  EXPECT_EQ(sel.grid.z, 8u);
  EXPECT_EQ(sel.workspace_bytes, 8u * 128 * 128 * 4);
  EXPECT_STREQ(sel.reduce_kernel_name, "gemm_splitk_reduce_gfx942_bf16");
  EXPECT_NE(std::string(sel.explain).find("gemm_a8w8_gfx942_fp8_bf16_row_m16_n64 k_splits=8: 64.15 us"),
            std::string::npos) << sel.explain;

  // The same problem without a workspace: no split; both wait 1024 K steps (487.6 us), the larger tile wins.
  args.workspace_bytes = 0;
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m128_n128");
  EXPECT_EQ(sel.k_splits, 1u);
  EXPECT_EQ(sel.grid.z, 1u);
  EXPECT_NE(std::string(sel.explain).find("needs 131072 bytes of workspace, the caller offers 0"), std::string::npos)
      << sel.explain;
}

// asmk_selection lists every launch of the plan: the GEMM, then the split-K reduce with its grid
// from the reduce kernel's launch rule (ceil(N / 256), M, 1); without a split, the GEMM alone.
TEST(GemmSelect, SelectionListsThePlansLaunches) {
  auto ctx = open_gemm_fixture("MI300X");
  auto args = a8w8(128, 300, 65536);
  args.workspace_bytes = SIZE_MAX;
  args.k_splits = 4;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(sel.launch_count, 2u);
  EXPECT_STREQ(sel.launches[0].kernel_name, sel.kernel_name);
  EXPECT_EQ(sel.launches[0].kernel, sel.kernel);
  EXPECT_EQ(sel.launches[0].grid.z, 4u);
  EXPECT_STREQ(sel.launches[1].kernel_name, "gemm_splitk_reduce_gfx942_bf16");
  EXPECT_EQ(sel.launches[1].kernel, sel.reduce_kernel);
  EXPECT_EQ(sel.launches[1].grid.x, 2u);  // ceil(300 / 256)
  EXPECT_EQ(sel.launches[1].grid.y, 128u);
  EXPECT_EQ(sel.launches[1].grid.z, 1u);
  EXPECT_EQ(sel.launches[1].block.x, 256u);
  args.k_splits = 1;
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(sel.launch_count, 1u);
  EXPECT_STREQ(sel.launches[0].kernel_name, sel.kernel_name);
  EXPECT_EQ(sel.launches[0].grid.x, sel.grid.x);
}

// tuned/gfx942-304.csv names m128_n128 for 64x1024x4096; MI300X (gfx942, 304 CUs) takes it. MI308X
// (80 CUs) has no table: the heuristic picks m16_n64 (t_wg 80·4096/134400 = 2.44 us and m128_n128's
// 128·128·4096/4300800 = 15.6 us both wait 64 K steps = 30.5 us; m16_n64's tiles are 100% efficient,
// m128_n128's 50%).
TEST(GemmSelect, TunedTableRowWinsWhenValid) {
  const auto args = a8w8(64, 1024, 4096);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  auto big = open_gemm_fixture("MI300X");
  ASSERT_EQ(asmk_select_gemm_a8w8(big.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m128_n128");
  EXPECT_EQ(sel.grid.x, 8u);
  EXPECT_EQ(sel.grid.y, 1u);
  EXPECT_NE(std::string(sel.reason).find("tuned table"), std::string::npos) << sel.reason;
  EXPECT_NE(std::string(sel.reason).find("gfx942-304.csv:2"), std::string::npos) << sel.reason;

  auto small = open_gemm_fixture("MI308X");
  ASSERT_EQ(asmk_select_gemm_a8w8(small.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m16_n64");
  EXPECT_EQ(sel.grid.x, 16u);
  EXPECT_EQ(sel.grid.y, 4u);
  EXPECT_NE(std::string(sel.reason).find("rule: least estimated time)"), std::string::npos) << sel.reason;
}

// asmk_op_tensor_at describes a tensor of a call by the op spec: a dtype given by a choice is the
// choice's value and stays valid after the call (it is the spec's string, not the call's copy).
TEST(GemmOpByName, TensorInfoFromTheOpSpec) {
  auto ctx = open_gemm_fixture("MI300X");
  asmk_op_arg args[4] = {};
  const char* names[] = {"m", "n", "k"};
  const std::uint32_t sizes[] = {17, 64, 96};
  for (int i = 0; i < 3; ++i) {
    args[i].name = names[i];
    args[i].type = ASMK_VALUE_U32;
    args[i].value.u32 = sizes[i];
  }
  args[3].name = "out_dtype";
  args[3].type = ASMK_VALUE_STRING;
  std::string f32 = "fp32";  // the C enum's spelling, taken for the manifests' f32
  args[3].value.string = f32.c_str();
  asmk_op_tensor_info c{};
  ASSERT_EQ(asmk_op_tensor_at(ctx.get(), "gemm_bf16", args, 4, 2, &c), ASMK_SUCCESS) << asmk_last_error();
  f32.assign("xxxx");  // the caller's string changes; the info does not
  asmk_op_tensor_info a{};
  ASSERT_EQ(asmk_op_tensor_at(ctx.get(), "gemm_bf16", args, 3, 0, &a), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(c.name, "c");
  EXPECT_STREQ(c.dtype, "f32");
  EXPECT_EQ(c.bits, 32u);
  EXPECT_EQ(c.rank, 2u);
  EXPECT_EQ(c.shape[0], 17u);
  EXPECT_EQ(c.shape[1], 64u);
  EXPECT_EQ(c.strides[0], 64u);
  EXPECT_EQ(c.bytes, 17u * 64 * 4);
  EXPECT_STREQ(a.dtype, "bf16");
  EXPECT_EQ(a.bytes, 17u * 96 * 2);
  // Past the last tensor, and an argument the op does not have: named errors.
  EXPECT_EQ(asmk_op_tensor_at(ctx.get(), "gemm_bf16", args, 3, 9, &a), ASMK_ERROR_INVALID_ARGUMENT);
  args[3].name = "colour";
  EXPECT_EQ(asmk_op_tensor_at(ctx.get(), "gemm_bf16", args, 4, 0, &a), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("gemm_bf16 has no argument 'colour'"), std::string::npos)
      << asmk_last_error();
}

// M = 40 has no row; the M = 64 row is its bucket (64 < 80) and decides, saying so.
TEST(GemmSelect, TunedTableBucketsM) {
  auto ctx = open_gemm_fixture("MI300X");
  asmk_selection sel = ASMK_INIT(asmk_selection);
  const auto m40 = a8w8(40, 1024, 4096), m31 = a8w8(31, 1024, 4096);
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &m40, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a8w8_gfx942_fp8_bf16_row_m128_n128");
  EXPECT_NE(std::string(sel.reason).find("tuned table gfx942-304.csv:2, the m=64 bucket"), std::string::npos)
      << sel.reason;
  // M = 31: 64 >= 62, outside the bucket: the estimate decides.
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &m31, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_NE(std::string(sel.reason).find("rule: least estimated time)"), std::string::npos) << sel.reason;
}

// Issue 16: ASMK_LOG_UNTUNED=FILE records the problems chosen by the estimate (no tuned row), once
// each, as a shapes file `asmk tune --shapes FILE` reads; a problem its tuned row decides is not logged.
TEST(GemmSelect, UntunedProblemsAreLoggedForTheTuner) {
  const std::string log = ::testing::TempDir() + "asmk_untuned_" + std::to_string(::getpid()) + ".csv";
  std::remove(log.c_str());
  ::setenv("ASMK_LOG_UNTUNED", log.c_str(), 1);
  {
    auto ctx = open_gemm_fixture("MI300X");
    asmk_selection sel = ASMK_INIT(asmk_selection);
    const auto tuned = a8w8(40, 1024, 4096), untuned = a8w8(31, 1024, 4096), other = a8w8(20, 1024, 4096);
    for (const auto* args : {&tuned, &untuned, &untuned, &other})
      ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), args, &sel), ASMK_SUCCESS) << asmk_last_error();
  }
  ::unsetenv("ASMK_LOG_UNTUNED");
  std::ifstream in(log);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text, "# GEMM problems without a tuned row (ASMK_LOG_UNTUNED)\nfamily,m,n,k\n"
                  "gemm_a8w8,31,1024,4096\ngemm_a8w8,20,1024,4096\n");
  std::remove(log.c_str());
}

// The tuned row for 16x512x128 asks k_splits=4, but K=128 has only 2 steps of 64.
TEST(GemmSelect, TunedRowThatIsInvalidFallsBackAndSaysWhy) {
  auto ctx = open_gemm_fixture("MI300X");
  auto args = a8w8(16, 512, 128);
  args.workspace_bytes = SIZE_MAX;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(sel.k_splits, 1u);
  EXPECT_NE(std::string(sel.reason).find("is not valid here: k=128 has 2 K steps of 64: too few for 4 splits"),
            std::string::npos) << sel.reason;
}

// gemm_bf16's fixture kernel carries the template's `requires` (K % 32): the manifest's rules decide.
TEST(GemmSelect, TheManifestsRulesDecide) {
  auto ctx = open_gemm_fixture("MI300X");
  asmk_gemm_bf16_args args = ASMK_INIT(asmk_gemm_bf16_args);
  args.m = 4;
  args.n = 64;
  args.k = 48;
  args.out_dtype = ASMK_DTYPE_BF16;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  const auto o = outcome(asmk_select_gemm_bf16(ctx.get(), &args, &sel));
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_TRUE(mentions(o, "k=48 is not a positive multiple of 32 (k_multiple; nearest: 32 or 64)"));
  args.k = 64;
  ASSERT_EQ(asmk_select_gemm_bf16(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_bf16_gfx942_bf16_m32_n64");
}

// ---- launches ----------------------------------------------------------------------------------

TEST(GemmRun, SplitKLaunchesTheGemmThenTheReduceWithArgumentsByName) {
  auto ctx = open_gemm_fixture("MI300X");
  // N = 192: m16_n64 (24 tiles, 100% efficient) and m128_n128 (2 tiles, 75%) both wait 128 K steps
  // at k_splits=8; the tie goes to the efficient tile.
  A8W8Buffers buffers(ctx.get(), a8w8(128, 192, 65536));
  void* workspace = nullptr;
  const std::size_t workspace_bytes = 8u * 128 * 192 * 4;
  ASSERT_EQ(asmk_malloc(ctx.get(), workspace_bytes, &workspace), ASMK_SUCCESS);
  buffers.args.workspace = workspace;
  buffers.args.workspace_bytes = workspace_bytes;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_gemm_a8w8(ctx.get(), &buffers.args, nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
  const auto& launches = test::recorded_launches(ctx.get());
  ASSERT_EQ(launches.size(), 2u);
  const auto& gemm = launches[0];
  EXPECT_EQ(gemm.kernel, "gemm_a8w8_gfx942_fp8_bf16_row_m16_n64");
  EXPECT_EQ(gemm.grid.x, 3u);
  EXPECT_EQ(gemm.grid.y, 8u);
  EXPECT_EQ(gemm.grid.z, 8u);
  // Fixture layout: c@16, m@48, n@52, k@56, stride_a@60, stride_b@64, stride_c@68, workspace@72, k_splits@80.
  EXPECT_EQ(pointer_at(gemm.kernargs, 16), buffers.args.c);
  EXPECT_EQ(u32_at(gemm.kernargs, 56), 65536u);
  EXPECT_EQ(u32_at(gemm.kernargs, 60), 65536u);  // stride_a 0 -> k bytes
  EXPECT_EQ(u32_at(gemm.kernargs, 68), 192u);    // stride_c 0 -> n
  EXPECT_EQ(pointer_at(gemm.kernargs, 72), workspace);
  EXPECT_EQ(u32_at(gemm.kernargs, 80), 8u);
  const auto& reduce = launches[1];
  EXPECT_EQ(reduce.kernel, "gemm_splitk_reduce_gfx942_bf16");
  EXPECT_EQ(reduce.grid.x, 1u);  // ceil(192 / 256)
  EXPECT_EQ(reduce.grid.y, 128u);
  EXPECT_EQ(reduce.grid.z, 1u);
  // Reduce layout: workspace@0 c@8 scale_a@16 scale_b@24 bias@32 m@40 n@44 k_splits@48 stride_c@52.
  EXPECT_EQ(pointer_at(reduce.kernargs, 0), workspace);
  EXPECT_EQ(pointer_at(reduce.kernargs, 8), buffers.args.c);
  EXPECT_EQ(pointer_at(reduce.kernargs, 16), buffers.args.scale_a);
  EXPECT_EQ(pointer_at(reduce.kernargs, 32), nullptr);  // no bias
  EXPECT_EQ(u32_at(reduce.kernargs, 48), 8u);
  EXPECT_EQ(u32_at(reduce.kernargs, 52), 192u);
  asmk_free(ctx.get(), workspace);
}

TEST(GemmRun, WithoutSplitTheWorkspaceArgumentIsNull) {
  auto ctx = open_gemm_fixture("MI300X");
  A8W8Buffers buffers(ctx.get(), a8w8(16, 512, 1024));
  ASSERT_EQ(asmk_gemm_a8w8(ctx.get(), &buffers.args, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  const auto& launches = test::recorded_launches(ctx.get());
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(pointer_at(launches[0].kernargs, 72), nullptr);
  EXPECT_EQ(u32_at(launches[0].kernargs, 80), 1u);
}

// ---- bad inputs: a clear error, and nothing launched or written ---------------------------------

struct BadCase {
  const char* what;
  const char* device;
  void (*edit)(A8W8Buffers&);
  asmk_status status;
  const char* message;
};

const BadCase kBadCases[] = {
    {"K not a multiple of the K step", "MI300X", [](A8W8Buffers& b) { b.args.k = 100; }, ASMK_ERROR_UNSUPPORTED_SHAPE,
     "k=100 is not a positive multiple of 64 (k_multiple; nearest: 64 or 128)"},
    {"null scale_a", "MI300X", [](A8W8Buffers& b) { b.args.scale_a = nullptr; }, ASMK_ERROR_NULL_BUFFER,
     "gemm_a8w8: scale_a is null"},
    {"null A", "MI300X", [](A8W8Buffers& b) { b.args.a = nullptr; }, ASMK_ERROR_NULL_BUFFER, "gemm_a8w8: a is null"},
    {"C too small", "MI300X", [](A8W8Buffers& b) { b.args.c_bytes -= 2; }, ASMK_ERROR_BUFFER_TOO_SMALL,
     "gemm_a8w8: c needs 16384 bytes (m=16 n=512 stride_c=512 bf16), the caller gave 16382"},
    {"B too small for its stride", "MI300X", [](A8W8Buffers& b) { b.args.stride_b = 1040; }, ASMK_ERROR_BUFFER_TOO_SMALL,
     "gemm_a8w8: b needs 532464 bytes"},
    {"misaligned C", "MI300X", [](A8W8Buffers& b) { b.args.c = static_cast<char*>(b.args.c) + 2; b.args.c_bytes -= 2; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "is not 8-byte aligned (c_align_bytes)"},
    {"stride_c not a multiple of 4", "MI300X", [](A8W8Buffers& b) { b.args.stride_c = 513; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "stride_c=513 elements is not a multiple of 4 (c_stride_multiple)"},
    {"stride smaller than a row", "MI300X", [](A8W8Buffers& b) { b.args.stride_a = 512; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "stride_a=512 bytes is smaller than a row (1024 bytes"},
    {"an out dtype no kernel has", "MI300X", [](A8W8Buffers& b) { b.args.out_dtype = ASMK_DTYPE_FP16; },
     ASMK_ERROR_UNSUPPORTED_DTYPE,
     "no kernel of family gemm_a8w8 for gfx942 (MI300X) supports m=16 n=512 k=1024 in_dtype=fp8 out_dtype=fp16 "
     "b_layout=row; what exists: in_dtype=fp8 out_dtype=bf16 b_layout=row (2 kernels); in_dtype=fp8 "
     "out_dtype=bf16 b_layout=shuffled (1 kernel); in_dtype=int8 out_dtype=bf16 b_layout=row (1 kernel)"},
    {"an out dtype the family never has", "MI300X", [](A8W8Buffers& b) { b.args.out_dtype = ASMK_DTYPE_FP32; },
     ASMK_ERROR_UNSUPPORTED_DTYPE, "gemm_a8w8: out_dtype=fp32 is not supported; out_dtype can be: bf16, fp16"},
    {"a kernel with a rule libasmk does not know", "MI300X", [](A8W8Buffers& b) { b.args.in_dtype = ASMK_DTYPE_INT8; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "requires 'swizzle_bytes'=128, a rule this libasmk does not know"},
    {"shuffled B with N not a multiple of 64", "MI300X",
     [](A8W8Buffers& b) { b.args.b_layout = ASMK_B_SHUFFLED; b.args.n = 500; b.args.c_bytes = 16u * 500 * 2; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "n=500 is not a positive multiple of 64 (n_multiple; nearest: 448 or 512)"},
    {"shuffled B with a row stride", "MI300X",
     [](A8W8Buffers& b) { b.args.b_layout = ASMK_B_SHUFFLED; b.args.stride_b = 1040; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "a shuffled B is dense (n·k bytes, as asmk_shuffle_b writes it): stride_b must be 0 or k"},
    {"an unknown B layout", "MI300X", [](A8W8Buffers& b) { b.args.b_layout = static_cast<asmk_b_layout>(7); },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "b_layout=<unknown value 7> is not supported; b_layout can be: row, shuffled"},
    {"forced split-K without a workspace", "MI300X", [](A8W8Buffers& b) { b.args.k_splits = 2; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "needs 65536 bytes of workspace, the caller offers 0"},
    {"a split factor that does not exist", "MI300X", [](A8W8Buffers& b) { b.args.k_splits = 3; },
     ASMK_ERROR_UNSUPPORTED_SHAPE, "k_splits=3 is not one of 1, 2, 4, 8"},
    {"empty M", "MI300X", [](A8W8Buffers& b) { b.args.m = 0; }, ASMK_ERROR_UNSUPPORTED_SHAPE,
     "has an empty dimension; m, n, k must be >= 1"},
};

TEST(GemmBadInput, ClearErrorAndNothingLaunched) {
  for (const auto& c : kBadCases) {
    SCOPED_TRACE(c.what);
    auto ctx = open_gemm_fixture(c.device);
    A8W8Buffers buffers(ctx.get(), a8w8(16, 512, 1024));
    c.edit(buffers);
    asmk_selection sel = ASMK_INIT(asmk_selection);
    const auto o = outcome(asmk_gemm_a8w8(ctx.get(), &buffers.args, nullptr, &sel));
    EXPECT_EQ(o.status, c.status) << o.message;
    EXPECT_TRUE(mentions(o, c.message));
    EXPECT_TRUE(test::recorded_launches(ctx.get()).empty());
    EXPECT_TRUE(buffers.c_untouched());
  }
}

TEST(GemmBadInput, SplitKWorkspaceTooSmall) {
  auto ctx = open_gemm_fixture("MI300X");
  A8W8Buffers buffers(ctx.get(), a8w8(128, 128, 65536));
  void* workspace = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &workspace), ASMK_SUCCESS);
  buffers.args.workspace = workspace;
  buffers.args.workspace_bytes = SIZE_MAX;  // claims more than the allocation holds
  const auto o = outcome(asmk_gemm_a8w8(ctx.get(), &buffers.args, nullptr, nullptr));
  EXPECT_EQ(o.status, ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(mentions(o, "gemm_a8w8: workspace needs 524288 bytes"));
  EXPECT_TRUE(mentions(o, "its allocation has 1024"));
  EXPECT_TRUE(test::recorded_launches(ctx.get()).empty());
  asmk_free(ctx.get(), workspace);
}

TEST(GemmBadInput, A4W4OnGfx942NamesWhereItExists) {
  auto ctx = open_gemm_fixture("MI300X");
  asmk_gemm_a4w4_args args = ASMK_INIT(asmk_gemm_a4w4_args);
  args.m = 16;
  args.n = 64;
  args.k = 256;
  args.out_dtype = ASMK_DTYPE_BF16;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  const auto o = outcome(asmk_select_gemm_a4w4(ctx.get(), &args, &sel));
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_DTYPE);
  EXPECT_TRUE(mentions(o, "no kernel of family gemm_a4w4 for gfx942 (MI300X) supports m=16 n=64 k=256 out_dtype=bf16: "
                          "the family exists for gfx950 only"));

  auto gfx950 = open_gemm_fixture("MI355X");
  ASSERT_EQ(asmk_select_gemm_a4w4(gfx950.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_STREQ(sel.kernel_name, "gemm_a4w4_gfx950_m16_n64");
  args.n = 66;  // n_multiple 4
  const auto ragged = outcome(asmk_select_gemm_a4w4(gfx950.get(), &args, &sel));
  EXPECT_EQ(ragged.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_TRUE(mentions(ragged, "n=66 is not a positive multiple of 4 (n_multiple; nearest: 64 or 68)"));
}

TEST(GemmBadInput, AFamilyTheRepositoryDoesNotHold) {
  auto ctx = open_gemm_fixture("MI300X");
  asmk_gemm_a8w8_blockscale_args args = ASMK_INIT(asmk_gemm_a8w8_blockscale_args);
  args.m = 16;
  args.n = 128;
  args.k = 256;
  args.in_dtype = ASMK_DTYPE_FP8;
  args.out_dtype = ASMK_DTYPE_BF16;
  asmk_selection sel = ASMK_INIT(asmk_selection);
  const auto o = outcome(asmk_select_gemm_a8w8_blockscale(ctx.get(), &args, &sel));
  EXPECT_EQ(o.status, ASMK_ERROR_UNKNOWN_FAMILY);
  EXPECT_TRUE(mentions(o, "no op 'gemm_a8w8_blockscale' in repository"));
  EXPECT_TRUE(mentions(o, "ops that exist: gemm_a4w4, gemm_a8w8, gemm_bf16; kernel families: gemm_a4w4, gemm_a8w8, "
                          "gemm_bf16, gemm_splitk_reduce"));
}

TEST(GemmBadInput, NullArgumentsAndContext) {
  auto ctx = open_gemm_fixture("MI300X");
  asmk_selection sel = ASMK_INIT(asmk_selection);
  EXPECT_EQ(asmk_select_gemm_a8w8(ctx.get(), nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  const auto args = a8w8(16, 512, 1024);
  EXPECT_EQ(asmk_select_gemm_a8w8(nullptr, &args, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_select_gemm_a8w8(ctx.get(), &args, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_gemm_a8w8(ctx.get(), nullptr, nullptr, nullptr), ASMK_ERROR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace asmk
