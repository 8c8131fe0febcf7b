// What the HSA runtime offers: its GPU agents (name, ISA with feature suffixes, compute units,
// product name, queue sizes) and the memory pools libasmk allocates from — the agent's
// coarse-grained pool for tensors and a host kernarg pool (KERNARG_INIT) for kernel arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hsa_api.hpp"

namespace asmk::hsa {

struct MemoryPool {
  hsa_amd_memory_pool_t handle{};
  std::uint32_t flags = 0;  // HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_*
  std::size_t bytes = 0;
  bool allocatable = false;
  std::string describe() const;  // "coarse-grained 192 GiB"
};

struct GpuAgent {
  hsa_agent_t handle{};
  std::string name;     // "gfx942"
  std::string isa;      // "amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-"
  std::string arch;     // the ISA's processor without features: "gfx942"
  std::string product;  // "AMD Instinct MI300X" (may be empty)
  std::uint32_t compute_units = 0;
  std::uint32_t queue_min_size = 0, queue_max_size = 0;
  std::vector<MemoryPool> pools;
  // The pool for asmk_malloc: coarse-grained global memory the runtime allocates from.
  const MemoryPool* device_pool() const;
};

struct Topology {
  std::vector<GpuAgent> gpus;
  hsa_agent_t cpu{};                      // the host agent holding the kernarg pool
  std::vector<MemoryPool> cpu_pools;
  const MemoryPool* kernarg_pool() const;  // fine-grained system memory with KERNARG_INIT
};

// Walks the runtime's agents and pools. Throws BACKEND when the runtime fails to answer.
Topology discover(const Api& api);

// The processor of an ISA name: "amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-" -> "gfx942".
std::string arch_of_isa(std::string_view isa);

// One line per GPU agent and pool, for `asmk info --device` and error messages.
std::string describe(const Topology& topology);
std::string agent_list(const Topology& topology);  // "gfx942 (304 CUs), gfx950 (256 CUs)" or "none"

}  // namespace asmk::hsa
