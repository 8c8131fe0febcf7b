// Host cost of one launch through libasmk's hsa backend: validation, selection, kernarg packing,
// the kernarg copy, the AQL packet and its doorbell store. The emulator-backed runtime runs with
// ASMK_HSA_EMU_STALL=1: its packet processor ignores the doorbell, so no kernel runs and the store
// wakes nothing; each benchmark run gets a fresh stream (queue) with room for every launch.
//
//   build/perf/bench_launch/asmk_bench_launch [--benchmark_repetitions=5]
// ASMK_HSACO_DIR overrides the repository (default: the source tree's hsaco/).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "asmk.h"

namespace {

constexpr std::int64_t kLaunchesPerRun = 50000;  // below the queue size: nothing waits for a free slot

struct Fixture {
  asmk_context* ctx = nullptr;
  void *x = nullptr, *y = nullptr, *scale = nullptr;
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
        asmk_malloc(ctx, 1 << 20, &scale) != ASMK_SUCCESS) {
      std::fprintf(stderr, "asmk_bench_launch: %s\n", asmk_last_error());
      std::exit(1);
    }
  }
  ~Fixture() { asmk_close(ctx); }

  asmk_quant_fp8_args args() const {
    asmk_quant_fp8_args a{};
    a.m = 64;
    a.n = 7168;
    a.in_dtype = ASMK_DTYPE_BF16;
    a.granularity = ASMK_QUANT_GROUP;
    a.x = x;
    a.y = y;
    a.scale = static_cast<float*>(scale);
    return a;
  }
  asmk_stream fresh_stream() { return reinterpret_cast<asmk_stream>(next_stream++); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The op path a framework takes: validate, select, pack by name, enqueue.
void BM_QuantFp8SelectPackEnqueue(benchmark::State& state) {
  Fixture& f = fixture();
  const asmk_quant_fp8_args a = f.args();
  const asmk_stream stream = f.fresh_stream();
  // Warm: the first launch loads the code object and creates the stream's queue.
  if (asmk_quant_fp8(f.ctx, &a, stream, nullptr) != ASMK_SUCCESS) state.SkipWithError(asmk_last_error());
  for (auto _ : state)
    if (asmk_quant_fp8(f.ctx, &a, stream, nullptr) != ASMK_SUCCESS) {
      state.SkipWithError(asmk_last_error());
      break;
    }
}
BENCHMARK(BM_QuantFp8SelectPackEnqueue)->Iterations(kLaunchesPerRun - 1)->Unit(benchmark::kNanosecond);

// The selector alone.
void BM_QuantFp8Select(benchmark::State& state) {
  Fixture& f = fixture();
  const asmk_quant_fp8_args a = f.args();
  asmk_selection selection;
  for (auto _ : state) {
    if (asmk_select_quant_fp8(f.ctx, &a, &selection) != ASMK_SUCCESS) {
      state.SkipWithError(asmk_last_error());
      break;
    }
    benchmark::DoNotOptimize(selection);
  }
}
BENCHMARK(BM_QuantFp8Select)->Unit(benchmark::kNanosecond);

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
