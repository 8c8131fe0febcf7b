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
#include "ops/selection_cache.hpp"
#include "repository.hpp"

namespace asmk {

struct ContextOptions {
  std::optional<Device> device;
  std::unique_ptr<Backend> backend;  // null: the backend named by backend_name
  // Used when `backend` is null: "emu", "hip", "hsa", "auto" (hip when the HIP runtime has a device
  // of an arch the repository holds — and of the device's arch when one is named — else hsa when
  // the HSA runtime has such an agent, else emu), or any built-in name; empty: "emu". With hip and
  // hsa the device is the GPU's (see Context::Context).
  std::string backend_name;
  // The GPU for hip / hsa: an index (HIP ordinal / GPU agent), or -1 for the current / first fitting one.
  int device_index = -1;
  bool verify_sha256 = false;
  // Bounds on each launch (emu); 0 fields keep the backend's own (the environment's) defaults.
  LaunchLimits launch_limits;
  // Entries of the ops' selection cache (ops/selection_cache.hpp); 0 disables it.
  std::size_t selection_cache_capacity = ops::SelectionCache::kDefaultCapacity;
};

// The backend asmk_open uses: the option when given and not "", else $ASMK_BACKEND when set and not
// "", else "emu".
std::string requested_backend(const char* option);

class Context {
 public:
  // Throws UNSUPPORTED_ARCH when the repository holds nothing for the device's arch. On the hip and
  // hsa backends the device is the GPU's: a named device must have the agent's arch, and the
  // agent's compute-unit count wins over the name's (a context opened as "MI300X" on an MI308X
  // agent selects for 80 CUs).
  Context(Repository repository, ContextOptions options);

  const Repository& repository() const { return repository_; }
  bool has_device() const { return device_.has_value(); }
  const Device& device() const;  // throws NO_DEVICE
  Backend& backend() { return *backend_; }
  const Backend& backend() const { return *backend_; }

  // What the backend found (the HIP devices, the HSA agents and pools, or one line for the others).
  const std::string& backend_description() const { return backend_description_; }
  // Why the context has its backend when "auto" chose it ("fell back to emu: hip: ...; hsa: ..."), else "".
  const std::string& backend_note() const { return backend_note_; }
  // The device time of the stream's last synchronized kernel (hsa with ASMK_HSA_PROFILE=1);
  // throws BACKEND naming what is missing.
  std::uint64_t last_kernel_ns(asmk_stream stream) const;

  // Checks the kernel is for the device's arch, the block is the kernel's workgroup size and
  // the grid is non-empty, verifies the code object (once), packs the arguments and launches.
  void launch(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block,
              std::span<const KernargValue> values, asmk_stream stream);

  // The steps of `launch`, for launches packed once and replayed (ops/prepared_launch.hpp):
  // the arch / grid / block checks, the code-object check (once per kernel), and the enqueue of
  // bytes packed for this kernel, grid and block.
  void check_launch(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block) const;
  void verify_code_object(const Kernel& kernel);
  void submit(const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block, std::span<const std::byte> kernargs,
              asmk_stream stream);

  // What the ops chose for problems seen before; thread-safe, so usable from const contexts.
  ops::SelectionCache& selection_cache() const { return selection_cache_; }

 private:
  Repository repository_;
  std::optional<Device> device_;
  std::unique_ptr<Backend> backend_;
  bool verify_sha256_;
  std::string backend_description_;
  std::string backend_note_;
  std::mutex mutex_;  // guards verified_
  std::unordered_set<const Kernel*> verified_;
  mutable ops::SelectionCache selection_cache_;
};

}  // namespace asmk
