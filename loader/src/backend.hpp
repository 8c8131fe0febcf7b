// Where kernels run. A backend allocates and copies memory and launches a code object's
// kernel with a grid, a block and packed kernarg bytes. Backends: "emu" (the CDNA emulator,
// emu/; the default), "record" (records launches, for tests and dry runs); next: "hsa" (the GPU).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "asmk.h"
#include "error.hpp"
#include "kernel.hpp"

namespace asmk {

struct LaunchRequest {
  const Kernel& kernel;               // its manifest entry (resources, LDS, workgroup size)
  std::string_view code_object_path;  // the .co file, verified to exist
  std::string_view symbol;            // the kernel symbol in it
  asmk_dim3 grid;                     // workgroups
  asmk_dim3 block;                    // work-items per workgroup
  std::span<const std::byte> kernargs;
  asmk_stream stream;
};

// A launch's budget: wave-instructions and wall-clock milliseconds (0: none).
struct LaunchLimits {
  std::uint64_t max_instructions = 0;
  std::uint64_t max_milliseconds = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;

  // All of these throw asmk::Error (BACKEND / OUT_OF_MEMORY) on failure.
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void release(void* pointer) = 0;
  virtual void copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) = 0;
  virtual void synchronize(asmk_stream stream) = 0;
  virtual void launch(const LaunchRequest& request) = 0;

  // Makes caller-owned host memory usable by kernels; returns the pointer kernels and copies
  // use for it. unregister_host takes the host pointer given to register_host.
  virtual void* register_host(void* host, std::size_t bytes) = 0;
  virtual void unregister_host(void* host) = 0;

  // Bytes from `pointer` to the end of the allocation holding it, when this backend made that
  // allocation; nullopt when it does not know the pointer (e.g. memory the framework owns).
  virtual std::optional<std::size_t> bytes_available(const void* pointer) const = 0;

  // Bounds on each later launch (asmk_open_options; 0 = the backend's default). Only the emulator
  // can stop a kernel midway; the GPU backends keep their own wait timeouts and ignore these.
  virtual void set_launch_limits(const LaunchLimits&) {}

  // Stops the launches running now, from any thread: each fails with ASMK_ERROR_CANCELLED. Throws
  // BACKEND when the backend cannot stop a running kernel.
  virtual void cancel() {
    fail(ASMK_ERROR_BACKEND, std::string("asmk_cancel: the ") + std::string(name()) +
                                 " backend cannot stop a kernel running on the GPU; synchronize the stream, or "
                                 "destroy the context to abandon its work");
  }
};

// The backend a context gets when none is named.
inline constexpr std::string_view kDefaultBackend = "emu";

// Backends built into this library, by name ("emu", "record"). Throws UNKNOWN_BACKEND naming them.
std::unique_ptr<Backend> make_backend(std::string_view name);
std::vector<std::string> backend_names();

}  // namespace asmk
