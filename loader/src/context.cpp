#include "context.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "backends/hip/hip_backend.hpp"
#include "backends/hsa/hsa_backend.hpp"
#include "error.hpp"
#include "nearest.hpp"

namespace asmk {
namespace {

// The device of a context on a GPU backend: the GPU's, under the asked name when that part has
// the GPU's arch and CU count.
Device device_on_gpu(const std::optional<Device>& asked, Device gpu) {
  if (asked && asked->arch == gpu.arch && asked->compute_units == gpu.compute_units) return *asked;
  return gpu;
}

GpuRequest gpu_request(const Repository& repository, const std::optional<Device>& device, int device_index) {
  GpuRequest request;
  if (device) request.arch = device->arch;
  request.repository_arches = repository.arches();
  request.index = device_index;
  return request;
}

// A GPU backend opened, with the device it drives.
struct OpenedGpu {
  std::unique_ptr<Backend> backend;
  Device device;
};

OpenedGpu open_gpu(std::string_view name, const GpuRequest& request) {
  if (name == "hip") {
    auto hip = std::make_unique<HipBackend>(request);
    Device device = hip->device();
    return {std::move(hip), std::move(device)};
  }
  auto hsa = std::make_unique<HsaBackend>(HsaBackendOptions::from_environment(), request);
  Device device = hsa->device();
  return {std::move(hsa), std::move(device)};
}

}  // namespace

std::string requested_backend(const char* option) {
  if (option != nullptr && *option != '\0') return option;  // "" is "not given", never "record" (issue 17)
  if (const char* env = std::getenv("ASMK_BACKEND"); env != nullptr && *env != '\0') return env;
  return std::string(kDefaultBackend);
}

Context::Context(Repository repository, ContextOptions options)
    : repository_(std::move(repository)),
      device_(std::move(options.device)),
      verify_sha256_(options.verify_sha256),
      selection_cache_(options.selection_cache_capacity) {
  const std::string& name = options.backend_name.empty() ? std::string(kDefaultBackend) : options.backend_name;
  if (options.backend) {
    backend_ = std::move(options.backend);
  } else if (name == "hip" || name == "hsa" || name == "auto") {
    const GpuRequest request = gpu_request(repository_, device_, options.device_index);
    std::optional<OpenedGpu> gpu;
    std::string reasons;  // auto: why each GPU backend was not used
    for (std::string_view candidate : {std::string_view("hip"), std::string_view("hsa")}) {
      if (name != "auto" && name != candidate) continue;
      try {
        gpu = open_gpu(candidate, request);
        break;
      } catch (const Error& e) {
        // auto moves on when there is no usable GPU, not on a malformed setting.
        if (name != "auto" || e.status() == ASMK_ERROR_INVALID_ARGUMENT) throw;
        reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : "; ", candidate, e.what());
      }
    }
    if (gpu) {
      device_ = device_on_gpu(device_, gpu->device);
      backend_ = std::move(gpu->backend);
      if (name == "auto")
        backend_note_ = fmt::format("auto chose {} ({}, {} CUs){}", backend_->name(), device_->arch,
                                    device_->compute_units, reasons.empty() ? "" : "; not " + reasons);
    } else {
      backend_ = make_backend("emu");
      backend_note_ = fmt::format("fell back to emu (the CPU emulator: correct but orders of magnitude slower than a "
                                  "GPU): {}",
                                  reasons);
    }
  } else {
    backend_ = make_backend(name);
  }
  backend_->set_launch_limits(options.launch_limits);
  if (const auto* hsa = dynamic_cast<const HsaBackend*>(backend_.get())) backend_description_ = hsa->describe();
  else if (const auto* hip = dynamic_cast<const HipBackend*>(backend_.get())) backend_description_ = hip->describe();
  else backend_description_ = fmt::format("backend {}: no device discovery (the device is the one named at asmk_open)\n",
                                          backend_->name());
  if (device_ && !repository_.holds_arch(device_->arch))
    fail(ASMK_ERROR_UNSUPPORTED_ARCH,
         fmt::format("device {} is {}, but repository {} holds kernels for {} only (build them with "
                     "`gen/asmgen build --arch {}`)", device_->name, device_->arch,
                     repository_.root().string(), join_names(repository_.arches()), device_->arch));
}

const Device& Context::device() const {
  if (!device_)
    fail(ASMK_ERROR_NO_DEVICE,
         "the context has no device: open it with a device name (MI300X, MI325X, MI308X, MI350X, "
         "MI355X) or an arch and CU count");
  return *device_;
}

std::uint64_t Context::last_kernel_ns(asmk_stream stream) const {
  const auto* hsa = dynamic_cast<const HsaBackend*>(backend_.get());
  if (hsa == nullptr)
    fail(ASMK_ERROR_BACKEND, fmt::format("kernel times are measured by the hsa backend only; this context uses {}",
                                         backend_->name()));
  const auto ns = hsa->last_kernel_ns(stream);
  if (!ns)
    fail(ASMK_ERROR_BACKEND, "no kernel time: open the context with ASMK_HSA_PROFILE=1 and synchronize the stream after "
                             "a launch");
  return *ns;
}

void Context::launch(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block,
                     std::span<const KernargValue> values, asmk_stream stream) {
  check_launch(kernel, grid, block);
  const std::vector<std::byte> kernargs = pack_kernargs(kernel, values, grid, block);
  verify_code_object(kernel);
  submit(kernel, grid, block, kernargs, stream);
}

void Context::check_launch(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block) const {
  const Device& dev = device();
  if (kernel.arch != dev.arch) {
    std::vector<std::string> same_arch;
    for (const auto& k : repository_.kernels())
      if (k.arch == dev.arch) same_arch.push_back(k.name);
    fail(ASMK_ERROR_UNSUPPORTED_ARCH,
         fmt::format("kernel {} is for {}, device {} is {}; nearest {} kernels: {}", kernel.name, kernel.arch,
                     dev.name, dev.arch, dev.arch, join_names(nearest_names(kernel.name, same_arch))));
  }
  if (grid.x == 0 || grid.y == 0 || grid.z == 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("kernel {}: empty grid ({}, {}, {})", kernel.name, grid.x, grid.y, grid.z));
  const auto& wg = kernel.workgroup_size;
  if (block.x != wg[0] || block.y != wg[1] || block.z != wg[2])
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("kernel {} is built for blocks of ({}, {}, {}) work-items, given ({}, {}, {})",
                     kernel.name, wg[0], wg[1], wg[2], block.x, block.y, block.z));
}

void Context::verify_code_object(const Kernel& kernel) {
  std::lock_guard lock(mutex_);
  if (!verified_.contains(&kernel)) {
    repository_.verify_code_object(kernel, verify_sha256_);
    verified_.insert(&kernel);
  }
}

void Context::submit(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block, std::span<const std::byte> kernargs,
                     asmk_stream stream) {
  // Backends are thread-safe themselves; launches on different streams need not wait for each other.
  backend_->launch(LaunchRequest{kernel, kernel.code_object_path, kernel.symbol, grid, block, kernargs, stream});
}

}  // namespace asmk
