#include "context.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "backends/hsa/hsa_backend.hpp"
#include "error.hpp"
#include "nearest.hpp"

namespace asmk {
namespace {

// The device of a context on the hsa backend: the agent's, under the asked name when that
// part has the agent's arch and CU count.
Device device_on_agent(const std::optional<Device>& asked, const HsaBackend& backend) {
  Device agent = backend.device();
  if (asked && asked->arch == agent.arch && asked->compute_units == agent.compute_units) return *asked;
  return agent;
}

std::unique_ptr<HsaBackend> open_hsa(const Repository& repository, const std::optional<Device>& device) {
  AgentRequest request;
  if (device) request.arch = device->arch;
  request.repository_arches = repository.arches();
  return std::make_unique<HsaBackend>(HsaBackendOptions::from_environment(), request);
}

}  // namespace

std::string requested_backend(const char* option) {
  if (option != nullptr) return option;
  if (const char* env = std::getenv("ASMK_BACKEND"); env != nullptr && *env != '\0') return env;
  return std::string(kDefaultBackend);
}

Context::Context(Repository repository, ContextOptions options)
    : repository_(std::move(repository)),
      device_(std::move(options.device)),
      verify_sha256_(options.verify_sha256),
      selection_cache_(options.selection_cache_capacity) {
  if (options.backend) {
    backend_ = std::move(options.backend);
  } else if (options.backend_name == "hsa" || options.backend_name == "auto") {
    std::unique_ptr<HsaBackend> hsa;
    try {
      hsa = open_hsa(repository_, device_);
    } catch (const Error& e) {
      // auto falls back to the emulator when there is no usable GPU, not on a malformed setting.
      if (options.backend_name == "hsa" || e.status() == ASMK_ERROR_INVALID_ARGUMENT) throw;
    }
    if (hsa) {
      device_ = device_on_agent(device_, *hsa);
      backend_ = std::move(hsa);
    } else {
      backend_ = make_backend("emu");  // auto without a usable agent
    }
  } else {
    backend_ = make_backend(options.backend_name.empty() ? "record" : options.backend_name);
  }
  if (const auto* hsa = dynamic_cast<const HsaBackend*>(backend_.get())) backend_description_ = hsa->describe();
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
