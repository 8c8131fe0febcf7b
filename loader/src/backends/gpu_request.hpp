// What the GPU backends (hip, hsa) share: the GPU a context asks for, and the words for a machine
// without a GPU driver.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace asmk {

// The GPU a context asks for. `index` >= 0: that GPU (HIP device ordinal / GPU agent, in the
// runtime's order), which must have `arch` when given and an arch of the repository. -1: the
// current device (hip) or the first GPU (hsa) that has `arch` when given (the device named at
// asmk_open), else an arch the repository holds (when `repository_arches` is not empty).
struct GpuRequest {
  std::optional<std::string> arch;
  std::vector<std::string> repository_arches;
  int index = -1;
};

// The device index asmk_open uses: `option` when >= 0; else $ASMK_DEVICE when set (a number >= 0);
// else -1. Throws INVALID_ARGUMENT on a malformed ASMK_DEVICE or an option below -1.
int requested_device_index(int option);

// The AMD GPU driver's device node; a ROCm runtime finds no GPU without it.
inline constexpr const char* kGpuDriverNode = "/dev/kfd";

// "no GPU driver: /dev/kfd is missing (...)" when the node is absent, else nullopt: why a runtime
// that failed to start or found no GPU could not have found one.
std::optional<std::string> missing_gpu_driver();

}  // namespace asmk
