// The per-context selection cache (loader/src/ops/selection_cache.hpp), through the C ABI on the
// fixture repositories with the record backend. The reference for every cached answer is the
// same call on a context whose cache is disabled (capacity 0: every call selects from scratch):
// a hit must be indistinguishable from a cold selection — same kernel, grid, block, reason,
// split-K plan, explanation, same refusal, and the same kernarg bytes for the same buffers.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace asmk {
namespace {

using test::ContextPtr;
using test::outcome;

using test::kGemmRepo;

ContextPtr open_with_cache(const std::string& repo, std::size_t capacity, const char* device = "MI300X") {
  ContextOptions options;
  options.device = device_by_name(device);
  options.backend_name = "record";
  options.selection_cache_capacity = capacity;
  return ContextPtr(new asmk_context{std::make_unique<Context>(Repository::open(repo), std::move(options))});
}

std::size_t cache_size(asmk_context* context) { return context->impl->selection_cache().size(); }

// The result of one selector or op call, copied out of the C ABI's thread-local storage.
struct Result {
  asmk_status status = ASMK_SUCCESS;
  std::string message, kernel, reduce, reason, explain;
  asmk_dim3 grid{}, block{};
  std::uint32_t k_splits = 0;
  std::size_t workspace_bytes = 0;
};

Result result_of(asmk_status status, const asmk_selection& s) {
  Result r;
  r.status = status;
  r.message = asmk_last_error();
  if (status != ASMK_SUCCESS) return r;
  r.kernel = s.kernel_name;
  r.reduce = s.reduce_kernel_name;
  r.reason = s.reason;
  r.explain = s.explain;
  r.grid = s.grid;
  r.block = s.block;
  r.k_splits = s.k_splits;
  r.workspace_bytes = s.workspace_bytes;
  return r;
}

void expect_same(const Result& cached, const Result& cold, const std::string& problem) {
  SCOPED_TRACE(problem);
  EXPECT_EQ(cached.status, cold.status);
  EXPECT_EQ(cached.message, cold.message);
  EXPECT_EQ(cached.kernel, cold.kernel);
  EXPECT_EQ(cached.reduce, cold.reduce);
  EXPECT_EQ(cached.reason, cold.reason);
  EXPECT_EQ(cached.explain, cold.explain);
  EXPECT_EQ(cached.grid.x, cold.grid.x);
  EXPECT_EQ(cached.grid.y, cold.grid.y);
  EXPECT_EQ(cached.grid.z, cold.grid.z);
  EXPECT_EQ(cached.block.x, cold.block.x);
  EXPECT_EQ(cached.block.y, cold.block.y);
  EXPECT_EQ(cached.block.z, cold.block.z);
  EXPECT_EQ(cached.k_splits, cold.k_splits);
  EXPECT_EQ(cached.workspace_bytes, cold.workspace_bytes);
}

Result select_a8w8(asmk_context* c, const asmk_gemm_a8w8_args& a) {
  asmk_selection s = ASMK_INIT(asmk_selection);
  return result_of(asmk_select_gemm_a8w8(c, &a, &s), s);
}
Result run_a8w8(asmk_context* c, const asmk_gemm_a8w8_args& a) {
  asmk_selection s = ASMK_INIT(asmk_selection);
  return result_of(asmk_gemm_a8w8(c, &a, nullptr, &s), s);
}
Result select_quant(asmk_context* c, const asmk_quant_fp8_args& a) {
  asmk_selection s = ASMK_INIT(asmk_selection);
  return result_of(asmk_select_quant_fp8(c, &a, &s), s);
}
Result run_quant(asmk_context* c, const asmk_quant_fp8_args& a) {
  asmk_selection s = ASMK_INIT(asmk_selection);
  return result_of(asmk_quant_fp8(c, &a, nullptr, &s), s);
}

std::string text(const asmk_gemm_a8w8_args& a) {
  return "gemm_a8w8 m=" + std::to_string(a.m) + " n=" + std::to_string(a.n) + " k=" + std::to_string(a.k) +
         " stride_a=" + std::to_string(a.stride_a) + " stride_c=" + std::to_string(a.stride_c) +
         " layout=" + std::to_string(a.b_layout) + " in=" + std::to_string(a.in_dtype) +
         " k_splits=" + std::to_string(a.k_splits) + " workspace_bytes=" + std::to_string(a.workspace_bytes);
}

// Host buffers the record backend accepts (it does not track allocations), aligned generously so
// that offsets from them give chosen alignments.
struct Arena {
  std::vector<std::uint64_t> storage = std::vector<std::uint64_t>(1 << 20);  // 8 MiB
  std::byte* at(std::size_t offset) { return reinterpret_cast<std::byte*>(storage.data()) + 4096 + offset; }
};

asmk_gemm_a8w8_args random_a8w8(std::mt19937& rng, Arena& arena) {
  const std::uint32_t ms[] = {1, 7, 16, 33, 64, 100, 128, 300};
  const std::uint32_t ns[] = {64, 96, 128, 512, 1000, 1024};
  const std::uint32_t ks[] = {64, 100, 128, 256, 1024};
  auto pick = [&](const auto& values) { return values[rng() % std::size(values)]; };
  asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
  a.m = pick(ms);
  a.n = pick(ns);
  a.k = pick(ks);
  a.in_dtype = rng() % 4 == 0 ? ASMK_DTYPE_INT8 : ASMK_DTYPE_FP8;
  a.out_dtype = ASMK_DTYPE_BF16;
  a.b_layout = rng() % 3 == 0 ? ASMK_B_SHUFFLED : ASMK_B_ROW;
  a.stride_a = rng() % 4 == 0 ? a.k + (rng() % 2 ? 16 : 8) : 0;
  a.stride_c = rng() % 4 == 0 ? a.n + (rng() % 2 ? 4 : 2) : 0;
  a.k_splits = rng() % 5 == 0 ? 1u << (rng() % 4) : 0;
  a.a = arena.at(rng() % 3 == 0 ? 8 : 0);  // sometimes 8-byte aligned only
  a.b = arena.at(1 << 20);
  a.c = arena.at(2 << 20);
  a.scale_a = reinterpret_cast<const float*>(arena.at(5 << 20));
  a.scale_b = reinterpret_cast<const float*>(arena.at(6 << 20));
  a.workspace = rng() % 2 ? arena.at(3 << 20) : nullptr;
  a.workspace_bytes = a.workspace ? (rng() % 2 ? (2u << 20) : 4096u) : 0;
  return a;
}

TEST(SelectionCache, GemmHitsMatchColdSelectionsForRandomProblems) {
  const ContextPtr cached = open_with_cache(kGemmRepo, 4096), cold = open_with_cache(kGemmRepo, 0);
  Arena arena;
  std::mt19937 rng(20261121);
  int accepted = 0, refused = 0;
  for (int i = 0; i < 300; ++i) {
    const auto a = random_a8w8(rng, arena);
    const Result reference = select_a8w8(cold.get(), a);
    expect_same(select_a8w8(cached.get(), a), reference, text(a));  // miss (or hit of an earlier equal problem)
    expect_same(select_a8w8(cached.get(), a), reference, text(a));  // hit
    const Result run_reference = run_a8w8(cold.get(), a);
    expect_same(run_a8w8(cached.get(), a), run_reference, "run " + text(a));
    expect_same(run_a8w8(cached.get(), a), run_reference, "run again " + text(a));
    (reference.status == ASMK_SUCCESS ? accepted : refused)++;
  }
  EXPECT_GT(accepted, 50);  // the sample exercises both outcomes
  EXPECT_GT(refused, 20);
  EXPECT_EQ(cache_size(cold.get()), 0u);  // capacity 0 keeps nothing
  EXPECT_GT(cache_size(cached.get()), 0u);
  // Both contexts launched the same kernels with the same bytes.
  const auto& hot_launches = test::recorded_launches(cached.get());
  const auto& cold_launches = test::recorded_launches(cold.get());
  EXPECT_EQ(hot_launches.size(), 2 * cold_launches.size());  // two runs per problem against one
}

TEST(SelectionCache, GemmBf16HitsMatchColdSelectionsForRandomProblems) {
  const ContextPtr cached = open_with_cache(kGemmRepo, 4096), cold = open_with_cache(kGemmRepo, 0);
  Arena arena;
  std::mt19937 rng(5);
  for (int i = 0; i < 150; ++i) {
    asmk_gemm_bf16_args a = ASMK_INIT(asmk_gemm_bf16_args);
    a.m = 1 + rng() % 200;
    a.n = 32 * (1 + rng() % 16);
    a.k = 32 * (1 + rng() % 16) + (rng() % 8 == 0 ? 16 : 0);
    a.out_dtype = rng() % 3 == 0 ? ASMK_DTYPE_FP32 : rng() % 7 == 0 ? ASMK_DTYPE_FP16 : ASMK_DTYPE_BF16;
    a.stride_a = rng() % 4 == 0 ? a.k + (rng() % 2 ? 8 : 3) : 0;
    a.stride_c = rng() % 4 == 0 ? a.n + (rng() % 2 ? 4 : 1) : 0;
    a.k_splits = rng() % 5 == 0 ? 2 : 0;
    a.a = arena.at(rng() % 3 == 0 ? 2 : 0);
    a.b = arena.at(1 << 20);
    a.c = arena.at(2 << 20);
    const std::string problem = "gemm_bf16 m=" + std::to_string(a.m) + " n=" + std::to_string(a.n) +
                                " k=" + std::to_string(a.k) + " out=" + std::to_string(a.out_dtype);
    asmk_selection s1 = ASMK_INIT(asmk_selection), s2 = s1, s3 = s1, s4 = s1;
    const Result reference = result_of(asmk_select_gemm_bf16(cold.get(), &a, &s1), s1);
    expect_same(result_of(asmk_select_gemm_bf16(cached.get(), &a, &s2), s2), reference, problem);
    expect_same(result_of(asmk_select_gemm_bf16(cached.get(), &a, &s3), s3), reference, problem);
    const Result run_reference = result_of(asmk_gemm_bf16(cold.get(), &a, nullptr, &s4), s4);
    for (int again = 0; again < 2; ++again) {
      asmk_selection s = ASMK_INIT(asmk_selection);
      expect_same(result_of(asmk_gemm_bf16(cached.get(), &a, nullptr, &s), s), run_reference, "run " + problem);
    }
  }
  EXPECT_EQ(test::recorded_launches(cached.get()).size(), 2 * test::recorded_launches(cold.get()).size());
}

TEST(SelectionCache, QuantFp8HitsMatchColdSelectionsAndPackTheCallsPointers) {
  const ContextPtr cached = test::open_fixture(), cold = open_with_cache(test::kRepo, 0);
  Arena arena;
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
    a.m = 1 + rng() % 300;
    a.n = 128 * (1 + rng() % 12) + (rng() % 6 == 0 ? 1 : 0);
    a.in_dtype = rng() % 3 == 0 ? ASMK_DTYPE_FP16 : ASMK_DTYPE_BF16;
    a.granularity = rng() % 2 ? ASMK_QUANT_ROW : ASMK_QUANT_GROUP;
    a.stride_x = rng() % 4 == 0 ? a.n + 64 : 0;
    a.x = arena.at(64 * (rng() % 4));  // pointers change from call to call
    a.y = arena.at((4 << 20) + 64 * (rng() % 4));
    a.scale = reinterpret_cast<float*>(arena.at(7 << 20));
    const std::string problem = "quant_fp8 m=" + std::to_string(a.m) + " n=" + std::to_string(a.n);
    expect_same(select_quant(cached.get(), a), select_quant(cold.get(), a), problem);
    expect_same(select_quant(cached.get(), a), select_quant(cold.get(), a), problem);
    const std::size_t before = test::recorded_launches(cached.get()).size();
    expect_same(run_quant(cached.get(), a), run_quant(cold.get(), a), "run " + problem);
    expect_same(run_quant(cached.get(), a), run_quant(cold.get(), a), "run again " + problem);
    const auto& hot = test::recorded_launches(cached.get());
    const auto& reference = test::recorded_launches(cold.get());
    ASSERT_EQ(hot.size(), reference.size());
    for (std::size_t l = before; l < hot.size(); ++l) {
      EXPECT_EQ(hot[l].kernel, reference[l].kernel);
      EXPECT_EQ(hot[l].kernargs, reference[l].kernargs) << problem;  // the call's pointers, not the first call's
    }
  }
}

TEST(SelectionCache, GemmLaunchesCarryEachCallsPointers) {
  const ContextPtr cached = open_with_cache(kGemmRepo, 4096), cold = open_with_cache(kGemmRepo, 0);
  Arena arena;
  asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
  a.m = 16, a.n = 512, a.k = 1024;
  a.in_dtype = ASMK_DTYPE_FP8, a.out_dtype = ASMK_DTYPE_BF16, a.b_layout = ASMK_B_ROW;
  a.workspace_bytes = 8 << 20;
  a.k_splits = 2;  // a GEMM and a reduce launch per call
  for (int i = 0; i < 4; ++i) {
    a.a = arena.at(256 * i);
    a.b = arena.at((1 << 20) + 256 * i);
    a.c = arena.at((2 << 20) + 256 * i);
    a.scale_a = reinterpret_cast<const float*>(arena.at((5 << 20) + 256 * i));
    a.scale_b = reinterpret_cast<const float*>(arena.at((6 << 20) + 256 * i));
    a.bias = i % 2 ? reinterpret_cast<const float*>(arena.at(7 << 20)) : nullptr;
    a.workspace = arena.at((3 << 20) + 256 * i);
    ASSERT_EQ(asmk_gemm_a8w8(cached.get(), &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
    ASSERT_EQ(asmk_gemm_a8w8(cold.get(), &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  }
  const auto& hot = test::recorded_launches(cached.get());
  const auto& reference = test::recorded_launches(cold.get());
  ASSERT_EQ(hot.size(), reference.size());
  ASSERT_EQ(hot.size(), 8u);
  for (std::size_t l = 0; l < hot.size(); ++l) {
    EXPECT_EQ(hot[l].kernel, reference[l].kernel);
    EXPECT_EQ(hot[l].grid.z, reference[l].grid.z);
    EXPECT_EQ(hot[l].kernargs, reference[l].kernargs) << "launch " << l;
  }
  // The bytes differ between calls (their pointers do): the cache did not replay old pointers.
  EXPECT_NE(hot[0].kernargs, hot[hot.size() / 2].kernargs);
}

TEST(SelectionCache, AMisalignedPointerAfterACachedAlignedOneIsStillRefused) {
  const ContextPtr c = open_with_cache(kGemmRepo, 4096);
  Arena arena;
  asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
  a.m = 64, a.n = 128, a.k = 256;
  a.in_dtype = ASMK_DTYPE_FP8, a.out_dtype = ASMK_DTYPE_BF16, a.b_layout = ASMK_B_ROW;
  a.a = arena.at(0), a.b = arena.at(1 << 20), a.c = arena.at(2 << 20);
  a.scale_a = reinterpret_cast<const float*>(arena.at(5 << 20));
  a.scale_b = reinterpret_cast<const float*>(arena.at(6 << 20));
  ASSERT_EQ(asmk_gemm_a8w8(c.get(), &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_gemm_a8w8(c.get(), &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  const std::size_t launched = test::recorded_launches(c.get()).size();

  // Every fp8 row kernel of the fixture requires 16-byte rows (row_align_bytes 16).
  a.a = arena.at(8);
  const auto misaligned = outcome(asmk_gemm_a8w8(c.get(), &a, nullptr, nullptr));
  EXPECT_EQ(misaligned.status, ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_TRUE(test::mentions(misaligned, "not 16-byte aligned"));
  asmk_selection s = ASMK_INIT(asmk_selection);
  EXPECT_EQ(asmk_select_gemm_a8w8(c.get(), &a, &s), ASMK_ERROR_UNSUPPORTED_SHAPE);

  // A stride that breaks the same rule: its own entry, refused too.
  a.a = arena.at(0);
  a.stride_a = a.k + 8;
  EXPECT_EQ(asmk_gemm_a8w8(c.get(), &a, nullptr, nullptr), ASMK_ERROR_UNSUPPORTED_SHAPE);
  // C aligned to 4 bytes only: c_align_bytes 8.
  a.stride_a = 0;
  a.c = arena.at((2 << 20) + 4);
  EXPECT_EQ(asmk_gemm_a8w8(c.get(), &a, nullptr, nullptr), ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_EQ(test::recorded_launches(c.get()).size(), launched);  // nothing of the refused calls launched

  // Back to the aligned problem: the cached entry serves it again.
  a.c = arena.at(2 << 20);
  EXPECT_EQ(asmk_gemm_a8w8(c.get(), &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
}

TEST(SelectionCache, AlignmentAndStrideChangeTheChoiceWhereKernelsDiffer) {
  // On the cold context, find a problem whose choice depends on a's alignment (a kernel without
  // the alignment rule exists) — in the fixture the int8 kernel is refused for another reason, so
  // the cached context must agree with the cold one on both variants, whichever they are.
  const ContextPtr cached = open_with_cache(kGemmRepo, 4096), cold = open_with_cache(kGemmRepo, 0);
  Arena arena;
  for (std::uint32_t offset : {0u, 8u, 0u, 4u, 16u, 2u, 0u}) {
    asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
    a.m = 32, a.n = 128, a.k = 512;
    a.in_dtype = ASMK_DTYPE_FP8, a.out_dtype = ASMK_DTYPE_BF16, a.b_layout = ASMK_B_SHUFFLED;
    a.a = arena.at(offset), a.b = arena.at(1 << 20), a.c = arena.at(2 << 20);
    a.scale_a = reinterpret_cast<const float*>(arena.at(5 << 20));
    a.scale_b = reinterpret_cast<const float*>(arena.at(6 << 20));
    expect_same(run_a8w8(cached.get(), a), run_a8w8(cold.get(), a), "a offset " + std::to_string(offset));
    a.b_layout = ASMK_B_ROW;
    expect_same(run_a8w8(cached.get(), a), run_a8w8(cold.get(), a), "row, a offset " + std::to_string(offset));
  }
}

TEST(SelectionCache, ShuffleBSourceAlignmentIsPartOfTheKey) {
  const ContextPtr cached = open_with_cache(kGemmRepo, 4096), cold = open_with_cache(kGemmRepo, 0);
  Arena arena;
  for (std::uint32_t offset : {0u, 8u, 0u, 1u}) {
    asmk_shuffle_b_args a = ASMK_INIT(asmk_shuffle_b_args);
    a.n = 128, a.k = 256;
    a.src = arena.at(offset);
    a.dst = arena.at(1 << 20);
    asmk_selection s1 = ASMK_INIT(asmk_selection), s2 = s1;
    const Result hot = result_of(asmk_shuffle_b(cached.get(), &a, nullptr, &s1), s1);
    const Result reference = result_of(asmk_shuffle_b(cold.get(), &a, nullptr, &s2), s2);
    expect_same(hot, reference, "shuffle_b src offset " + std::to_string(offset));
  }
}

TEST(SelectionCache, IsBounded) {
  const ContextPtr c = open_with_cache(test::kRepo, 8);
  const ContextPtr cold = open_with_cache(test::kRepo, 0);
  for (std::uint32_t m = 1; m <= 40; ++m) {
    asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
    a.m = m, a.n = 1024, a.in_dtype = ASMK_DTYPE_BF16, a.granularity = ASMK_QUANT_GROUP;
    expect_same(select_quant(c.get(), a), select_quant(cold.get(), a), "m=" + std::to_string(m));
    EXPECT_LE(cache_size(c.get()), 8u);
  }
}

// Several threads selecting and launching the same few problems on one context: every answer is
// the single-threaded one (the TSan build of tests/hsa checks the locking itself).
TEST(SelectionCache, ConcurrentCallersGetTheColdAnswers) {
  const ContextPtr shared = open_with_cache(kGemmRepo, 4096), cold = open_with_cache(kGemmRepo, 0);
  Arena arena;
  std::vector<asmk_gemm_a8w8_args> problems;
  std::vector<Result> expected;
  std::mt19937 rng(99);
  for (int i = 0; i < 12; ++i) {
    problems.push_back(random_a8w8(rng, arena));
    expected.push_back(select_a8w8(cold.get(), problems.back()));
  }
  std::vector<std::vector<Result>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round)
        for (std::size_t p = 0; p < problems.size(); ++p) {
          const auto& a = problems[(p + t) % problems.size()];
          seen[t].push_back(select_a8w8(shared.get(), a));
          (void)asmk_gemm_a8w8(shared.get(), &a, nullptr, nullptr);
        }
    });
  for (auto& t : threads) t.join();
  for (int t = 0; t < 4; ++t)
    for (std::size_t i = 0; i < seen[t].size(); ++i) {
      const std::size_t p = (i % problems.size() + t) % problems.size();
      expect_same(seen[t][i], expected[p], text(problems[p]));
      if (::testing::Test::HasFailure()) return;
    }
}


// ---- the warm path keyed by the raw arguments (loader/src/ops/call_key.hpp) --------------------

namespace generic {

std::vector<asmk_op_arg> quant_args(const char* in_dtype, void* x, std::size_t x_bytes, void* y, void* scale) {
  auto arg = [](const char* name, asmk_value_type type) {
    asmk_op_arg a{};
    a.name = name;
    a.type = type;
    return a;
  };
  std::vector<asmk_op_arg> args;
  args.push_back(arg("m", ASMK_VALUE_U32)), args.back().value.u32 = 16;
  args.push_back(arg("n", ASMK_VALUE_U32)), args.back().value.u32 = 256;
  args.push_back(arg("in_dtype", ASMK_VALUE_STRING)), args.back().value.string = in_dtype;
  args.push_back(arg("x", ASMK_VALUE_POINTER)), args.back().value.pointer = x, args.back().bytes = x_bytes;
  args.push_back(arg("y", ASMK_VALUE_POINTER)), args.back().value.pointer = y;
  args.push_back(arg("scale", ASMK_VALUE_POINTER)), args.back().value.pointer = scale;
  return args;
}

Result run(asmk_context* c, const std::vector<asmk_op_arg>& args) {
  asmk_selection s = ASMK_INIT(asmk_selection);
  return result_of(asmk_run_op(c, "quant_fp8", args.data(), args.size(), nullptr, &s), s);
}

}  // namespace generic

TEST(SelectionCache, TheSameProblemInAnotherArgumentOrderIsServedTheSame) {
  const ContextPtr c = test::open_fixture();
  Arena arena;
  auto args = generic::quant_args("bf16", arena.at(0), 0, arena.at(1 << 20), arena.at(2 << 20));
  const Result first = generic::run(c.get(), args);
  ASSERT_EQ(first.status, ASMK_SUCCESS) << first.message;
  std::reverse(args.begin(), args.end());
  const Result reversed = generic::run(c.get(), args);
  expect_same(reversed, first, "reversed arguments");
  expect_same(generic::run(c.get(), args), first, "reversed arguments, warm");
  const auto& launches = test::recorded_launches(c.get());
  ASSERT_EQ(launches.size(), 3u);
  EXPECT_EQ(launches[1].kernargs, launches[0].kernargs);
  EXPECT_EQ(launches[2].kernargs, launches[0].kernargs);
}

TEST(SelectionCache, AWarmProblemStillRefusesASmallOrNullBufferAndLaunchesNothing) {
  const ContextPtr c = test::open_fixture();
  Arena arena;
  const std::size_t x_bytes = 16 * 256 * 2;
  auto args = generic::quant_args("bf16", arena.at(0), x_bytes, arena.at(1 << 20), arena.at(2 << 20));
  ASSERT_EQ(generic::run(c.get(), args).status, ASMK_SUCCESS);
  ASSERT_EQ(generic::run(c.get(), args).status, ASMK_SUCCESS);  // warm
  const std::size_t launched = test::recorded_launches(c.get()).size();

  args[3].bytes = x_bytes - 1;  // same key: the byte count is checked on every call
  const Result small = generic::run(c.get(), args);
  EXPECT_EQ(small.status, ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_NE(small.message.find("x needs 8192 bytes"), std::string::npos) << small.message;
  args[3].bytes = x_bytes;
  args[4].value.pointer = nullptr;  // y: another alignment class, so another key; refused by the full path
  EXPECT_EQ(generic::run(c.get(), args).status, ASMK_ERROR_NULL_BUFFER);
  EXPECT_EQ(test::recorded_launches(c.get()).size(), launched);
  args[4].value.pointer = arena.at(1 << 20);
  EXPECT_EQ(generic::run(c.get(), args).status, ASMK_SUCCESS);
}

TEST(SelectionCache, AChoiceIsReadFromItsTextNotItsAddress) {
  // A caller reusing one buffer for the choice's text: the second call is fp16, not a hit of bf16.
  const ContextPtr c = test::open_fixture(), cold = open_with_cache(test::kRepo, 0);
  Arena arena;
  char dtype[8] = "bf16";
  auto args = generic::quant_args(dtype, arena.at(0), 0, arena.at(1 << 20), arena.at(2 << 20));
  const Result bf16 = generic::run(c.get(), args);
  ASSERT_EQ(bf16.status, ASMK_SUCCESS) << bf16.message;
  std::strcpy(dtype, "fp16");
  const Result fp16 = generic::run(c.get(), args);
  expect_same(fp16, generic::run(cold.get(), args), "fp16 after bf16 in the same buffer");
  EXPECT_NE(fp16.kernel, bf16.kernel);
  std::strcpy(dtype, "fp99");
  EXPECT_EQ(generic::run(c.get(), args).status, ASMK_ERROR_UNSUPPORTED_DTYPE);
}

TEST(SelectionCache, AValueMistypedAsAStringIsRefusedWithoutReadingIt) {
  // Found by test_op_args_fuzz: the key read the text of every string-typed argument, so a u32
  // sent with ASMK_VALUE_STRING was dereferenced. Only a choice's text is read now.
  const ContextPtr c = test::open_fixture();
  Arena arena;
  auto args = generic::quant_args("bf16", arena.at(0), 0, arena.at(1 << 20), arena.at(2 << 20));
  args[0].type = ASMK_VALUE_STRING;  // m, with the bits of 16 as its "pointer"
  const Result r = generic::run(c.get(), args);
  EXPECT_EQ(r.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(r.message.find("'m' is given as string"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace asmk
