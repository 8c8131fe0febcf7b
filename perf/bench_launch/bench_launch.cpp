// Host cost of one launch through libasmk's hsa backend: validation, selection, kernarg packing,
// the kernarg copy, the AQL packet and its doorbell store. The emulator-backed runtime runs with
// ASMK_HSA_EMU_STALL=1: its packet processor ignores the doorbell, so no kernel runs and the store
// wakes nothing; each benchmark run gets a fresh stream (queue) with room for every launch.
//
//   build/perf/bench_launch/asmk_bench_launch [--benchmark_repetitions=5]
// Results and how they were measured: README.md next to this file.
// ASMK_HSACO_DIR overrides the repository (default: the source tree's hsaco/).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "asmk.h"

namespace {

constexpr std::int64_t kLaunchesPerRun = 50000;  // below the queue size: nothing waits for a free slot

struct Fixture {
  asmk_context* ctx = nullptr;
  void *x = nullptr, *y = nullptr, *scale = nullptr, *scale_b = nullptr;
  std::uintptr_t next_stream = 1;

  Fixture() {
    ::setenv("ASMK_HSA_LIBRARY", ASMK_HSA_EMU_LIBRARY, 0);
    ::setenv("ASMK_HSA_EMU_STALL", "1", 1);
    ::setenv("ASMK_HSA_QUEUE_SIZE", "65536", 1);
    ::setenv("ASMK_HSA_TIMEOUT_MS", "1", 1);  // closing does not wait for the stalled queues
    const char* dir = std::getenv("ASMK_HSACO_DIR");
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.backend = "hsa";
    options.device = "MI300X";
    if (asmk_open(dir != nullptr && *dir != '\0' ? dir : ASMK_HSACO_DIR, &options, &ctx) != ASMK_SUCCESS ||
        asmk_malloc(ctx, 64 << 20, &x) != ASMK_SUCCESS || asmk_malloc(ctx, 32 << 20, &y) != ASMK_SUCCESS ||
        asmk_malloc(ctx, 1 << 20, &scale) != ASMK_SUCCESS || asmk_malloc(ctx, 1 << 20, &scale_b) != ASMK_SUCCESS) {
      std::fprintf(stderr, "asmk_bench_launch: %s\n", asmk_last_error());
      std::exit(1);
    }
  }
  ~Fixture() { asmk_close(ctx); }

  asmk_quant_fp8_args args() const {
    asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
    a.m = 64;
    a.n = 7168;
    a.in_dtype = ASMK_DTYPE_BF16;
    a.granularity = ASMK_QUANT_GROUP;
    a.x = x;
    a.y = y;
    a.scale = static_cast<float*>(scale);
    return a;
  }
  // A small decode-like GEMM: 16 tokens x 1024 outputs x 1024 inputs, fp8 in, bf16 out.
  asmk_gemm_a8w8_args gemm_args() const {
    asmk_gemm_a8w8_args a = ASMK_INIT(asmk_gemm_a8w8_args);
    a.m = 16;
    a.n = 1024;
    a.k = 1024;
    a.in_dtype = ASMK_DTYPE_FP8;
    a.out_dtype = ASMK_DTYPE_BF16;
    a.b_layout = ASMK_B_ROW;
    a.a = x;
    a.b = y;
    a.c = scale;  // 16 x 1024 bf16 = 32 KiB fits the 1 MiB buffer
    a.scale_a = static_cast<const float*>(scale_b);
    a.scale_b = static_cast<const float*>(scale_b);
    return a;
  }
  asmk_stream fresh_stream() { return reinterpret_cast<asmk_stream>(next_stream++); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// `launch(ctx, &args, stream, nullptr)` once to warm up (the first launch loads the code object,
// creates the stream's queue and fills the selection cache), then once per iteration.
template <typename Args, typename Launch>
void launch_loop(benchmark::State& state, const Args& args, Launch launch) {
  Fixture& f = fixture();
  const asmk_stream stream = f.fresh_stream();
  if (launch(f.ctx, &args, stream, nullptr) != ASMK_SUCCESS) state.SkipWithError(asmk_last_error());
  for (auto _ : state)
    if (launch(f.ctx, &args, stream, nullptr) != ASMK_SUCCESS) {
      state.SkipWithError(asmk_last_error());
      break;
    }
}

// `select(ctx, &args, &selection)` per iteration.
template <typename Args, typename Select>
void select_loop(benchmark::State& state, const Args& args, Select select) {
  Fixture& f = fixture();
  asmk_selection selection = ASMK_INIT(asmk_selection);
  for (auto _ : state) {
    if (select(f.ctx, &args, &selection) != ASMK_SUCCESS) {
      state.SkipWithError(asmk_last_error());
      break;
    }
    benchmark::DoNotOptimize(selection);
  }
}

// The op path a framework takes: validate, select, pack by name, enqueue.
void BM_QuantFp8SelectPackEnqueue(benchmark::State& state) { launch_loop(state, fixture().args(), asmk_quant_fp8); }
BENCHMARK(BM_QuantFp8SelectPackEnqueue)->Iterations(kLaunchesPerRun - 1)->Unit(benchmark::kNanosecond);

// The selector alone.
void BM_QuantFp8Select(benchmark::State& state) { select_loop(state, fixture().args(), asmk_select_quant_fp8); }
BENCHMARK(BM_QuantFp8Select)->Unit(benchmark::kNanosecond);

// The GEMM op path with the same problem every time (a warm selection): validate, select, pack, enqueue.
void BM_GemmA8W8SelectPackEnqueue(benchmark::State& state) {
  launch_loop(state, fixture().gemm_args(), asmk_gemm_a8w8);
}
BENCHMARK(BM_GemmA8W8SelectPackEnqueue)->Iterations(kLaunchesPerRun - 1)->Unit(benchmark::kNanosecond);

// The GEMM selector alone.
void BM_GemmA8W8Select(benchmark::State& state) { select_loop(state, fixture().gemm_args(), asmk_select_gemm_a8w8); }
BENCHMARK(BM_GemmA8W8Select)->Unit(benchmark::kNanosecond);

// A launch by kernel name with named arguments: packing and enqueue, no selection.
void BM_LaunchKernelByName(benchmark::State& state) {
  Fixture& f = fixture();
  const asmk_stream stream = f.fresh_stream();
  asmk_kernarg_value v[7] = {};
  const char* names[7] = {"x", "y", "scale", "m", "n", "stride_x", "stride_y"};
  for (int i = 0; i < 7; ++i) v[i].name = names[i], v[i].type = i < 3 ? ASMK_VALUE_POINTER : ASMK_VALUE_U32;
  v[0].value.pointer = f.x, v[1].value.pointer = f.y, v[2].value.pointer = f.scale;
  v[3].value.u32 = 64, v[4].value.u32 = 7168, v[5].value.u32 = 7168, v[6].value.u32 = 7168;
  const char* kernel = "quant_fp8_gfx942_bf16_group_n512";
  if (asmk_launch_kernel(f.ctx, kernel, {14, 64, 1}, {256, 1, 1}, v, 7, stream) != ASMK_SUCCESS)
    state.SkipWithError(asmk_last_error());
  for (auto _ : state)
    if (asmk_launch_kernel(f.ctx, kernel, {14, 64, 1}, {256, 1, 1}, v, 7, stream) != ASMK_SUCCESS) {
      state.SkipWithError(asmk_last_error());
      break;
    }
}
BENCHMARK(BM_LaunchKernelByName)->Iterations(kLaunchesPerRun - 1)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
