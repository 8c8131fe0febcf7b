// The "hsa" backend: kernels run on an AMD GPU through the HSA runtime (libhsa-runtime64.so.1,
// dlopen'd; ASMK_HSA_LIBRARY names another file, such as the emulator-backed runtime of
// emu/hsa_runtime). A context drives one GPU agent: asmk_malloc allocates from its coarse-grained
// pool, kernel arguments go through recycled buffers of the host kernarg pool, each stream is a
// user-mode AQL queue, and code objects are loaded into an executable on first use and cached.
//
// Environment (read when the context opens):
//   ASMK_HSA_LIBRARY     the runtime library to open (default libhsa-runtime64.so.1)
//   ASMK_HSA_TIMEOUT_MS  bound of every wait: full queue, busy kernarg slot, synchronize (default 120000)
//   ASMK_HSA_QUEUE_SIZE  packets per stream queue, a power of two (default 1024, within the agent's limits)
//   ASMK_HSA_PROFILE     1: record dispatch timestamps (asmk_last_kernel_time)
#pragma once

#include <chrono>
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
#include "agents.hpp"
#include "code_object_cache.hpp"
#include "stream_queue.hpp"

namespace asmk {

struct HsaBackendOptions {
  std::chrono::milliseconds timeout{120000};
  std::uint32_t queue_size = 1024;
  bool profiling = false;
  // Reads the ASMK_HSA_* variables above; throws INVALID_ARGUMENT on a malformed value.
  static HsaBackendOptions from_environment();
};

// The agent a context asks for (gpu_request.hpp): the agent of `index` (all GPU agents, in the
// runtime's order) when >= 0; else the first agent of `arch` when given (the device named at
// asmk_open), else the first whose arch the repository holds (when `repository_arches` is not
// empty), else the first.
using AgentRequest = GpuRequest;

class HsaBackend final : public Backend {
 public:
  // Throws BACKEND (no runtime, or it fails), NO_DEVICE (no GPU driver, no GPU agent, an index past
  // the last agent) or UNSUPPORTED_ARCH (no agent of the arch asked for, or of an arch the repository holds).
  HsaBackend(HsaBackendOptions options, const AgentRequest& request);
  ~HsaBackend() override;

  std::string_view name() const override { return "hsa"; }
  void* allocate(std::size_t bytes) override;
  void release(void* pointer) override;
  void copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) override;
  void synchronize(asmk_stream stream) override;
  void launch(const LaunchRequest& request) override;
  void* register_host(void* host, std::size_t bytes) override;
  void unregister_host(void* host) override;
  std::optional<std::size_t> bytes_available(const void* pointer) const override;

  const hsa::GpuAgent& agent() const { return topology_.gpus[agent_index_]; }
  // The agent as libasmk's device: a known part when arch and CU count match one (MI300X, MI308X, ...).
  Device device() const;
  // Agents, ISAs, CU counts, pools, and which agent this context uses.
  std::string describe() const;
  // Nanoseconds the last synchronized dispatch of `stream` took (ASMK_HSA_PROFILE=1), else nullopt.
  std::optional<std::uint64_t> last_kernel_ns(asmk_stream stream) const;

 private:
  std::shared_ptr<hsa::StreamQueue> stream_queue(asmk_stream stream);
  // Waits (bounded) for every stream, so a copy sees the results of earlier launches.
  void drain_streams();
  // Drops a stream whose queue the runtime stopped; its next launch gets a new queue.
  void retire_if_failed(asmk_stream stream, const std::shared_ptr<hsa::StreamQueue>& queue);

  const hsa::Api& api_;
  HsaBackendOptions options_;
  hsa::Topology topology_;
  std::size_t agent_index_ = 0;
  const hsa::MemoryPool* device_pool_ = nullptr;
  const hsa::MemoryPool* kernarg_pool_ = nullptr;
  hsa::QueueSettings queue_settings_;
  std::unique_ptr<hsa::CodeObjectCache> code_objects_;

  mutable std::mutex mutex_;  // the maps below
  std::map<asmk_stream, std::shared_ptr<hsa::StreamQueue>> streams_;
  MemoryTable memory_;  // asmk_malloc allocations and asmk_register_host mappings (agent pointers)
};

}  // namespace asmk
