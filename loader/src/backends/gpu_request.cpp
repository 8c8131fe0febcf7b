#include "gpu_request.hpp"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk {

int requested_device_index(int option) {
  if (option >= 0) return option;
  if (option != -1)
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("device_index {} is not a device: use -1 (the current device) or an index from 0", option));
  const char* text = std::getenv("ASMK_DEVICE");
  if (text == nullptr || *text == '\0') return -1;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (*end != '\0' || n < 0 || n > 1'000'000)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("ASMK_DEVICE='{}' is not a device index (a number from 0)", text));
  return static_cast<int>(n);
}

std::optional<std::string> missing_gpu_driver() {
  if (::access(kGpuDriverNode, F_OK) == 0) return std::nullopt;
  return fmt::format("no GPU driver: {} is missing (the amdgpu kernel driver is not loaded, or the container was "
                     "started without --device={}); use ASMK_BACKEND=emu to run on the CPU emulator",
                     kGpuDriverNode, kGpuDriverNode);
}

}  // namespace asmk
