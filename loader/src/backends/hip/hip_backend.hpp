// The "hip" backend: kernels run on an AMD GPU through the HIP runtime (libamdhip64, dlopen'd —
// the copy a framework already loaded first; ASMK_HIP_LIBRARY names another file, such as the
// emulator-backed stand-in of emu/hip_runtime). It is the backend for frameworks (PyTorch, vLLM,
// SGLang): a launch goes with hipModuleLaunchKernel on the caller's hipStream_t (the asmk_stream
// value), so it is ordered with the framework's work on that stream and recorded by HIP graph
// capture; device memory the framework allocated is used as is. A context drives one HIP device,
// made current only around asmk's own calls (the caller's current device is restored).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../../backend.hpp"
#include "../memory_table.hpp"
#include "../../device.hpp"
#include "../gpu_request.hpp"
#include "hip_api.hpp"
#include "module_cache.hpp"

namespace asmk {

// What the HIP runtime says about one device.
struct HipDevice {
  int index = 0;
  std::string gcn_arch_name;  // "gfx942:sramecc+:xnack-"
  std::string arch;           // "gfx942"
  std::string product;        // "AMD Instinct MI300X" (hipDeviceGetName; may be empty)
  std::uint32_t compute_units = 0;
};

class HipBackend final : public Backend {
 public:
  // Throws BACKEND (no runtime, or it fails), NO_DEVICE (no GPU driver, no device, an index past
  // the last one) or UNSUPPORTED_ARCH (the device's arch is not the one asked for or the repository's).
  explicit HipBackend(const GpuRequest& request);
  ~HipBackend() override;

  std::string_view name() const override { return "hip"; }
  void* allocate(std::size_t bytes) override;
  void release(void* pointer) override;
  void copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) override;
  void synchronize(asmk_stream stream) override;
  void launch(const LaunchRequest& request) override;
  void* register_host(void* host, std::size_t bytes) override;
  void unregister_host(void* host) override;
  std::optional<std::size_t> bytes_available(const void* pointer) const override;

  const HipDevice& hip_device() const { return devices_[chosen_]; }
  // The device as libasmk's: a known part when arch and CU count match one (MI300X, MI308X, ...).
  Device device() const;
  // The runtime library, every device and which one this context uses.
  std::string describe() const;

 private:
  // hipDeviceSynchronize: before a copy or an unregister, so they follow every launch on the device.
  void wait_for_device();

  const hip::Api& api_;
  std::vector<HipDevice> devices_;
  std::size_t chosen_ = 0;
  std::unique_ptr<hip::ModuleCache> modules_;

  mutable std::mutex mutex_;  // the members below
  MemoryTable memory_;
};

}  // namespace asmk
