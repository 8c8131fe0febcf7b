// emu_bench: wave-instructions per second of the emulator on VALU-heavy and buffer-load code (a
// benchmark, not a test). Run: build/tests/emu/emu_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstring>

#include "asmk/emu/emu.hpp"

namespace {

void BM_ValuLoop(benchmark::State& state) {
  const std::string arch = state.range(1) ? "gfx950" : "gfx942";
  auto co = asmk::emu::CodeObject::load_file(std::string(ASMK_EMU_TEST_KERNELS) + "/valu_loop_" + arch + ".co");
  if (!co) {
    state.SkipWithError(co.error().c_str());
    return;
  }
  asmk::emu::Device device;
  const uint32_t waves = 64, iters = 2000;
  auto out = device.alloc(waves * 64 * 4);
  asmk::emu::Dispatch d;
  d.kernel = *(*co)->find("valu_loop");
  d.grid = {waves / 4, 1, 1};
  d.block = {256, 1, 1};
  d.kernargs.resize(12);
  std::memcpy(d.kernargs.data(), &*out, 8);
  std::memcpy(d.kernargs.data() + 8, &iters, 4);
  asmk::emu::LaunchOptions opt;
  opt.threads = unsigned(state.range(0));
  opt.trace = state.range(2) != 0;  // the traced path (TraceEntry per wave-instruction)
  opt.wave_quantum = uint32_t(state.range(3));  // turns of the 4 waves of a workgroup (0: one wave at a time)
  uint64_t instructions = 0;
  for (auto _ : state) {
    auto r = asmk::emu::launch(device, d, opt);
    instructions += r.stats.wave_instructions;
  }
  state.counters["wave_instr_per_s"] = benchmark::Counter(double(instructions), benchmark::Counter::kIsRate);
  state.counters["threads"] = double(opt.threads);
}
// Args: host threads, gfx950?, traced?, wave quantum (64 is the default; 0 the old one-wave-at-a-time
// policy; 16 and 1 show what finer turns cost).
BENCHMARK(BM_ValuLoop)
    ->Args({1, 0, 0, 64})
    ->Args({2, 0, 0, 64})
    ->Args({1, 1, 0, 64})
    ->Args({1, 0, 1, 64})
    ->Args({1, 0, 0, 0})
    ->Args({1, 0, 0, 16})
    ->Args({1, 0, 0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Buffer loads (MUBUF addressing and range checks): 64 waves, each iteration a dwordx4 and a
// dword per lane through a stride-4 V# with offen at 16 bytes per work-item. Arg: num_records;
// with 768 work-items 48+ of each workgroup are out of range (an emulator that checks the index
// instead reads all 8 KiB), with 8192 every access is in range (the same work before and after).
void BM_BufferLoop(benchmark::State& state) {
  auto co = asmk::emu::CodeObject::load_file(std::string(ASMK_EMU_TEST_KERNELS) + "/buffer_loop_gfx942.co");
  if (!co) {
    state.SkipWithError(co.error().c_str());
    return;
  }
  asmk::emu::Device device;
  const uint32_t waves = 64, iters = 500, num_records = uint32_t(state.range(0));
  auto base = device.alloc(8192);
  asmk::emu::Dispatch d;
  d.kernel = *(*co)->find("buffer_loop");
  d.grid = {waves / 4, 1, 1};
  d.block = {256, 1, 1};
  d.kernargs.resize(16);
  std::memcpy(d.kernargs.data(), &*base, 8);
  std::memcpy(d.kernargs.data() + 8, &iters, 4);
  std::memcpy(d.kernargs.data() + 12, &num_records, 4);
  asmk::emu::LaunchOptions opt;
  opt.threads = 1;
  uint64_t instructions = 0;
  for (auto _ : state) {
    auto r = asmk::emu::launch(device, d, opt);
    instructions += r.stats.wave_instructions;
  }
  state.counters["wave_instr_per_s"] = benchmark::Counter(double(instructions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BufferLoop)->Arg(768)->Arg(8192)->Unit(benchmark::kMillisecond)->UseRealTime();

// One v_mfma_f32_16x16x16_f16 per wave (plus its loads/stores) over many waves, against a naive
// host loop doing the same 16x16x16 products: the ratio of the two times is the MFMA overhead.
void BM_MfmaKernel(benchmark::State& state) {
  auto co = asmk::emu::CodeObject::load_file(std::string(ASMK_EMU_TEST_KERNELS) + "/mfma_gfx942.co");
  if (!co) {
    state.SkipWithError(co.error().c_str());
    return;
  }
  asmk::emu::Device device;
  auto a = device.alloc(64 * 8), b = device.alloc(64 * 8), out = device.alloc(64 * 16);
  asmk::emu::Dispatch d;
  d.kernel = *(*co)->find("mfma_f16");
  d.grid = {4096, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs.resize(24);
  std::memcpy(d.kernargs.data(), &*a, 8);
  std::memcpy(d.kernargs.data() + 8, &*b, 8);
  std::memcpy(d.kernargs.data() + 16, &*out, 8);
  asmk::emu::LaunchOptions opt;
  opt.threads = 1;
  uint64_t mfmas = 0;
  for (auto _ : state) mfmas += asmk::emu::launch(device, d, opt).stats.by_class["mfma"];
  state.counters["mfma_per_s"] = benchmark::Counter(double(mfmas), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MfmaKernel)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NaiveMfmaReference(benchmark::State& state) {
  std::vector<_Float16> A(256), B(256);
  for (int i = 0; i < 256; i++) {
    A[i] = _Float16(float(i % 7) - 3.0f);
    B[i] = _Float16(float(i % 5) * 0.5f);
  }
  std::vector<float> D(256);
  uint64_t mfmas = 0;
  for (auto _ : state) {
    for (int rep = 0; rep < 4096; rep++) {
      for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
          double acc = 0;
          for (int k = 0; k < 16; k++) acc += double(float(A[i * 16 + k])) * double(float(B[k * 16 + j]));
          D[i * 16 + j] = float(acc);
        }
      benchmark::DoNotOptimize(D.data());
      mfmas++;
    }
  }
  state.counters["mfma_per_s"] = benchmark::Counter(double(mfmas), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NaiveMfmaReference)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
