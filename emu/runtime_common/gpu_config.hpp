// What the emulator-backed runtimes (emu/hsa_runtime, emu/hip_runtime) share about the GPUs they
// pretend to have: the list of arches and compute-unit counts from the environment, the product
// name a real runtime reports for that part, and on/off switches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace asmk::emu_runtime {

struct GpuConfig {
  std::string arch;  // "gfx942"
  std::uint32_t compute_units = 0;
};

struct GpuList {
  std::vector<GpuConfig> gpus;
  std::string error;  // non-empty: the environment is malformed
};

// The GPUs named by `arch_variable` (an arch, a comma list, or "none"; unset: gfx942) with the
// compute units of `cus_variable` (one count, or one per arch; unset: 304 for gfx942 = MI300X,
// 256 for gfx950 = MI355X).
GpuList gpus_from_environment(const char* arch_variable, const char* cus_variable);

// "AMD Instinct MI300X" for gfx942 with 304 CUs, ...: what a real runtime reports for that part.
std::string product_name(const GpuConfig& gpu);

// An environment switch: 1 / on / true / yes.
bool switch_on(const char* variable);

}  // namespace asmk::emu_runtime
