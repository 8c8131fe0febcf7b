// The state of the emulated HSA runtime between hsa_init and the last hsa_shut_down: one host
// CPU agent (holding the kernarg pool, system memory), the GPU agents of the configuration, their
// memory pools, the emulator's device address space, and the kernels loaded into executables.
#pragma once

#include <hsa/hsa.h>
#include <hsa/hsa_ext_amd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "asmk/emu/emu.hpp"
#include "config.hpp"

namespace asmk::hsa_emu {

class Queue;

// Why the calling thread's last failing call failed, in words (exported as asmk_hsa_emu_last_error).
void set_last_detail(std::string text);
const char* last_detail();

enum class PoolKind {
  system_kernarg,  // CPU agent: fine-grained host memory with KERNARG_INIT (kernarg buffers, staging)
  device_coarse,   // GPU agent: its memory (coarse-grained), reached through hsa_memory_copy
};

struct Agent {
  bool gpu = false;
  GpuConfig config;           // GPUs only
  std::string isa_name;       // "amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-"
  std::vector<std::size_t> pools;
};

struct Pool {
  PoolKind kind;
  std::size_t agent;  // index into agents()
};

// A kernel of a loaded, frozen executable: what a kernel_object in an AQL packet stands for.
struct LoadedKernel {
  std::shared_ptr<const emu::CodeObject> code_object;
  const emu::Kernel* kernel = nullptr;
  std::size_t agent = 0;
};

class Runtime {
 public:
  explicit Runtime(Config config);
  ~Runtime();

  // The runtime between hsa_init and the matching hsa_shut_down, or null.
  static Runtime* current();
  static hsa_status_t init();
  static hsa_status_t shut_down();

  const Config& config() const { return config_; }
  const std::vector<Agent>& agents() const { return agents_; }
  const std::vector<Pool>& pools() const { return pools_; }
  const Agent* agent(hsa_agent_t handle) const;
  const Pool* pool(hsa_amd_memory_pool_t handle) const;
  static hsa_agent_t agent_handle(std::size_t index) { return {index + 1}; }
  static hsa_amd_memory_pool_t pool_handle(std::size_t index) { return {index + 1}; }
  std::size_t agent_index(hsa_agent_t handle) const { return handle.handle - 1; }

  // Memory. Device addresses are the emulator's; kernarg-pool memory is host memory.
  hsa_status_t allocate(const Pool& pool, std::size_t bytes, void** out);
  hsa_status_t free(void* pointer);
  hsa_status_t copy(void* destination, const void* source, std::size_t bytes);
  hsa_status_t lock_host(void* host, std::size_t bytes, void** agent_pointer);
  hsa_status_t unlock_host(void* host);
  // Host bytes behind [address, address + bytes) of kernarg-pool memory, or null.
  const std::uint8_t* host_bytes(std::uint64_t address, std::size_t bytes) const;

  // Kernel objects (their address in device memory) of loaded executables.
  std::uint64_t add_kernel(LoadedKernel kernel);
  void remove_kernel(std::uint64_t kernel_object);
  std::optional<LoadedKernel> kernel(std::uint64_t kernel_object) const;

  // Runs one dispatch on the emulator; launches and allocation changes never overlap.
  emu::LaunchReport run(const emu::Dispatch& dispatch);

  // Queues, owned here and found by the hsa_queue_t* given to the application.
  hsa_status_t create_queue(std::size_t agent, std::uint32_t size,
                            void (*callback)(hsa_status_t, hsa_queue_t*, void*), void* data, hsa_queue_t** out);
  hsa_status_t destroy_queue(hsa_queue_t* queue);
  Queue* queue(const hsa_queue_t* queue) const;

 private:
  // Translates an address of the emulator's memory or of host memory (kernarg pool, or plain
  // host memory, which hsa_memory_copy also accepts) into host bytes; null when it overruns.
  std::uint8_t* resolve(std::uint64_t address, std::size_t bytes) const;

  Config config_;
  std::vector<Agent> agents_;
  std::vector<Pool> pools_;

  mutable std::mutex memory_mutex_;  // the emulator's allocation table, host allocations, launches
  emu::Device device_;
  std::map<std::uint64_t, std::size_t> host_allocations_;  // kernarg pool: address -> bytes
  std::map<void*, std::uint64_t> locked_;                   // host pointer -> its device address
  // Kernel objects are 64-byte slots of slabs: one device allocation per kernel would spend a 4 GiB
  // guard each, and every allocation of both agents shares one 1 TiB window (256 of them).
  std::vector<std::uint64_t> free_kernel_objects_;

  mutable std::mutex objects_mutex_;
  std::map<std::uint64_t, LoadedKernel> kernels_;
  std::map<const hsa_queue_t*, std::unique_ptr<Queue>> queues_;
};

}  // namespace asmk::hsa_emu
