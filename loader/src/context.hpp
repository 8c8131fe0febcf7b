// A context: one repository, an optional device, one backend. Everything a launch needs —
// checking the kernel fits the device, the code object exists, the arguments pack — goes
// through Context::launch, so an op binding only chooses and names its arguments.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>

#include "backend.hpp"
#include "device.hpp"
#include "kernargs.hpp"
#include "repository.hpp"

namespace asmk {

struct ContextOptions {
  std::optional<Device> device;
  std::unique_ptr<Backend> backend;  // null: a "record" backend
  bool verify_sha256 = false;
};

class Context {
 public:
  // Throws UNSUPPORTED_ARCH when the repository holds nothing for the device's arch.
  Context(Repository repository, ContextOptions options);

  const Repository& repository() const { return repository_; }
  bool has_device() const { return device_.has_value(); }
  const Device& device() const;  // throws NO_DEVICE
  Backend& backend() { return *backend_; }
  const Backend& backend() const { return *backend_; }

  // Checks the kernel is for the device's arch, the block is the kernel's workgroup size and
  // the grid is non-empty, verifies the code object (once), packs the arguments and launches.
  void launch(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block,
              std::span<const KernargValue> values, asmk_stream stream);

 private:
  Repository repository_;
  std::optional<Device> device_;
  std::unique_ptr<Backend> backend_;
  bool verify_sha256_;
  std::mutex mutex_;  // guards verified_ and the backend's launch queue
  std::unordered_set<const Kernel*> verified_;
};

}  // namespace asmk
