#include "agents.hpp"

#include <fmt/format.h>

#include "../../error.hpp"

namespace asmk::hsa {
namespace {

struct Walk {
  const Api& api;
  Topology topology;
  hsa_status_t failed = HSA_STATUS_SUCCESS;
  std::string failed_what;
};

template <typename T>
T agent_info(const Api& api, hsa_agent_t agent, int attribute, const char* what) {
  T value{};
  api.check(api.hsa_agent_get_info(agent, static_cast<hsa_agent_info_t>(attribute), &value), ASMK_ERROR_BACKEND,
            fmt::format("hsa_agent_get_info({})", what));
  return value;
}

std::string agent_string(const Api& api, hsa_agent_t agent, int attribute, const char* what) {
  char text[64] = {};
  api.check(api.hsa_agent_get_info(agent, static_cast<hsa_agent_info_t>(attribute), text), ASMK_ERROR_BACKEND,
            fmt::format("hsa_agent_get_info({})", what));
  text[sizeof text - 1] = '\0';
  return text;
}

std::vector<MemoryPool> pools_of(const Api& api, hsa_agent_t agent) {
  std::vector<hsa_amd_memory_pool_t> handles;
  api.check(api.hsa_amd_agent_iterate_memory_pools(
                agent,
                [](hsa_amd_memory_pool_t pool, void* data) {
                  static_cast<std::vector<hsa_amd_memory_pool_t>*>(data)->push_back(pool);
                  return HSA_STATUS_SUCCESS;
                },
                &handles),
            ASMK_ERROR_BACKEND, "hsa_amd_agent_iterate_memory_pools");
  std::vector<MemoryPool> pools;
  for (hsa_amd_memory_pool_t handle : handles) {
    hsa_amd_segment_t segment{};
    api.check(api.hsa_amd_memory_pool_get_info(handle, HSA_AMD_MEMORY_POOL_INFO_SEGMENT, &segment), ASMK_ERROR_BACKEND,
              "hsa_amd_memory_pool_get_info(SEGMENT)");
    if (segment != HSA_AMD_SEGMENT_GLOBAL) continue;
    MemoryPool pool;
    pool.handle = handle;
    api.check(api.hsa_amd_memory_pool_get_info(handle, HSA_AMD_MEMORY_POOL_INFO_GLOBAL_FLAGS, &pool.flags),
              ASMK_ERROR_BACKEND, "hsa_amd_memory_pool_get_info(GLOBAL_FLAGS)");
    api.check(api.hsa_amd_memory_pool_get_info(handle, HSA_AMD_MEMORY_POOL_INFO_SIZE, &pool.bytes), ASMK_ERROR_BACKEND,
              "hsa_amd_memory_pool_get_info(SIZE)");
    api.check(api.hsa_amd_memory_pool_get_info(handle, HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_ALLOWED,
                                               &pool.allocatable),
              ASMK_ERROR_BACKEND, "hsa_amd_memory_pool_get_info(RUNTIME_ALLOC_ALLOWED)");
    pools.push_back(pool);
  }
  return pools;
}

std::string isa_of(const Api& api, hsa_agent_t agent) {
  std::vector<hsa_isa_t> isas;
  api.check(api.hsa_agent_iterate_isas(
                agent,
                [](hsa_isa_t isa, void* data) {
                  static_cast<std::vector<hsa_isa_t>*>(data)->push_back(isa);
                  return HSA_STATUS_SUCCESS;
                },
                &isas),
            ASMK_ERROR_BACKEND, "hsa_agent_iterate_isas");
  if (isas.empty()) return "";
  std::uint32_t length = 0;
  api.check(api.hsa_isa_get_info_alt(isas.front(), HSA_ISA_INFO_NAME_LENGTH, &length), ASMK_ERROR_BACKEND,
            "hsa_isa_get_info_alt(NAME_LENGTH)");
  std::string name(length, '\0');
  api.check(api.hsa_isa_get_info_alt(isas.front(), HSA_ISA_INFO_NAME, name.data()), ASMK_ERROR_BACKEND,
            "hsa_isa_get_info_alt(NAME)");
  while (!name.empty() && name.back() == '\0') name.pop_back();
  return name;
}

}  // namespace

std::string arch_of_isa(std::string_view isa) {
  const auto dashes = isa.rfind("--");
  std::string_view processor = dashes == std::string_view::npos ? isa : isa.substr(dashes + 2);
  return std::string(processor.substr(0, processor.find(':')));
}

std::string MemoryPool::describe() const {
  std::string kind = (flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_COARSE_GRAINED) ? "coarse-grained" : "fine-grained";
  if (flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT) kind += " kernarg";
  return fmt::format("{} {} GiB{}", kind, bytes >> 30, allocatable ? "" : " (no runtime allocation)");
}

const MemoryPool* GpuAgent::device_pool() const {
  for (const auto& p : pools)
    if (p.allocatable && (p.flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_COARSE_GRAINED)) return &p;
  return nullptr;
}

const MemoryPool* Topology::kernarg_pool() const {
  for (const auto& p : cpu_pools)
    if (p.allocatable && (p.flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT)) return &p;
  return nullptr;
}

Topology discover(const Api& api) {
  std::vector<hsa_agent_t> agents;
  api.check(api.hsa_iterate_agents(
                [](hsa_agent_t agent, void* data) {
                  static_cast<std::vector<hsa_agent_t>*>(data)->push_back(agent);
                  return HSA_STATUS_SUCCESS;
                },
                &agents),
            ASMK_ERROR_BACKEND, "hsa_iterate_agents");
  Topology topology;
  bool have_cpu = false;
  for (hsa_agent_t agent : agents) {
    const auto type = agent_info<hsa_device_type_t>(api, agent, HSA_AGENT_INFO_DEVICE, "DEVICE");
    if (type == HSA_DEVICE_TYPE_CPU && !have_cpu) {
      std::vector<MemoryPool> pools = pools_of(api, agent);
      bool kernarg = false;
      for (const auto& p : pools) kernarg |= (p.flags & HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT) != 0;
      if (!kernarg) continue;  // a CPU agent without the kernarg pool (another NUMA node)
      topology.cpu = agent;
      topology.cpu_pools = std::move(pools);
      have_cpu = true;
    } else if (type == HSA_DEVICE_TYPE_GPU) {
      GpuAgent gpu;
      gpu.handle = agent;
      gpu.name = agent_string(api, agent, HSA_AGENT_INFO_NAME, "NAME");
      gpu.isa = isa_of(api, agent);
      gpu.arch = gpu.isa.empty() ? gpu.name : arch_of_isa(gpu.isa);
      gpu.product = agent_string(api, agent, HSA_AMD_AGENT_INFO_PRODUCT_NAME, "PRODUCT_NAME");
      gpu.compute_units = agent_info<std::uint32_t>(api, agent, HSA_AMD_AGENT_INFO_COMPUTE_UNIT_COUNT, "COMPUTE_UNIT_COUNT");
      gpu.queue_min_size = agent_info<std::uint32_t>(api, agent, HSA_AGENT_INFO_QUEUE_MIN_SIZE, "QUEUE_MIN_SIZE");
      gpu.queue_max_size = agent_info<std::uint32_t>(api, agent, HSA_AGENT_INFO_QUEUE_MAX_SIZE, "QUEUE_MAX_SIZE");
      gpu.pools = pools_of(api, agent);
      topology.gpus.push_back(std::move(gpu));
    }
  }
  return topology;
}

std::string agent_list(const Topology& topology) {
  if (topology.gpus.empty()) return "none";
  std::string out;
  for (const auto& g : topology.gpus)
    out += fmt::format("{}{} ({} CUs)", out.empty() ? "" : ", ", g.arch, g.compute_units);
  return out;
}

std::string describe(const Topology& topology) {
  std::string out;
  for (std::size_t i = 0; i < topology.gpus.size(); ++i) {
    const auto& g = topology.gpus[i];
    out += fmt::format("agent {}: {} {} — {} CUs, ISA {}, queues {}..{} packets\n", i, g.name,
                       g.product.empty() ? "" : "(" + g.product + ")", g.compute_units, g.isa, g.queue_min_size,
                       g.queue_max_size);
    for (const auto& p : g.pools) out += fmt::format("  pool {}\n", p.describe());
  }
  if (topology.gpus.empty()) out += "no GPU agent\n";
  if (const MemoryPool* k = topology.kernarg_pool()) out += fmt::format("host: pool {}\n", k->describe());
  else out += "host: no kernarg pool\n";
  return out;
}

}  // namespace asmk::hsa
