#include "context.hpp"

#include <fmt/format.h>

#include "error.hpp"
#include "nearest.hpp"

namespace asmk {

Context::Context(Repository repository, ContextOptions options)
    : repository_(std::move(repository)),
      device_(std::move(options.device)),
      backend_(options.backend ? std::move(options.backend) : make_backend("record")),
      verify_sha256_(options.verify_sha256) {
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

void Context::launch(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block,
                     std::span<const KernargValue> values, asmk_stream stream) {
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
  const std::vector<std::byte> kernargs = pack_kernargs(kernel, values, grid, block);

  std::lock_guard lock(mutex_);
  if (!verified_.contains(&kernel)) {
    repository_.verify_code_object(kernel, verify_sha256_);
    verified_.insert(&kernel);
  }
  backend_->launch(LaunchRequest{kernel, kernel.code_object_path, kernel.symbol, grid, block, kernargs, stream});
}

}  // namespace asmk
