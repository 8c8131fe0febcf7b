#include "runtime.hpp"

#include <cstdlib>
#include <cstring>

#include "queue.hpp"

namespace asmk::hsa_emu {
namespace {

std::mutex g_init_mutex;
int g_init_count = 0;
std::unique_ptr<Runtime> g_runtime;

// The emulator's device addresses lie in [Device::kAddressBegin, kAddressEnd); anything else given to
// hsa_memory_copy is host memory (as system memory is on a real APU/GPU system with SVM).
constexpr std::uint64_t kDeviceLow = emu::Device::kAddressBegin, kDeviceHigh = emu::Device::kAddressEnd;
constexpr std::size_t kKernargAlignment = 64;

std::string isa_name_of(const GpuConfig& gpu) {
  // The feature suffixes a ROCm system reports for these parts.
  return "amdgcn-amd-amdhsa--" + gpu.arch + ":sramecc+:xnack-";
}

thread_local std::string t_last_detail;

}  // namespace

void set_last_detail(std::string text) { t_last_detail = std::move(text); }
const char* last_detail() { return t_last_detail.c_str(); }

Runtime::Runtime(Config config) : config_(std::move(config)) {
  Agent cpu;
  cpu.pools.push_back(pools_.size());
  pools_.push_back({PoolKind::system_kernarg, 0});
  agents_.push_back(cpu);
  for (const GpuConfig& gpu : config_.gpus) {
    Agent a;
    a.gpu = true;
    a.config = gpu;
    a.isa_name = isa_name_of(gpu);
    a.pools.push_back(pools_.size());
    pools_.push_back({PoolKind::device_coarse, agents_.size()});
    agents_.push_back(a);
  }
}

Runtime::~Runtime() {
  // Stop the packet processors (outside the lock they take) before the memory they use goes.
  std::map<const hsa_queue_t*, std::unique_ptr<Queue>> queues;
  {
    std::lock_guard lock(objects_mutex_);
    queues.swap(queues_);
  }
  queues.clear();
  for (auto& [address, bytes] : host_allocations_) std::free(reinterpret_cast<void*>(address));
}

Runtime* Runtime::current() { return g_runtime.get(); }

hsa_status_t Runtime::init() {
  std::lock_guard lock(g_init_mutex);
  if (g_init_count == 0) {
    Config config = Config::from_environment();
    if (!config.error.empty()) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
    g_runtime = std::make_unique<Runtime>(std::move(config));
  }
  ++g_init_count;
  return HSA_STATUS_SUCCESS;
}

hsa_status_t Runtime::shut_down() {
  std::lock_guard lock(g_init_mutex);
  if (g_init_count == 0) return HSA_STATUS_ERROR_NOT_INITIALIZED;
  if (--g_init_count == 0) g_runtime.reset();
  return HSA_STATUS_SUCCESS;
}

const Agent* Runtime::agent(hsa_agent_t handle) const {
  if (handle.handle == 0 || handle.handle > agents_.size()) return nullptr;
  return &agents_[handle.handle - 1];
}

const Pool* Runtime::pool(hsa_amd_memory_pool_t handle) const {
  if (handle.handle == 0 || handle.handle > pools_.size()) return nullptr;
  return &pools_[handle.handle - 1];
}

hsa_status_t Runtime::allocate(const Pool& pool, std::size_t bytes, void** out) {
  if (bytes == 0 || out == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  std::lock_guard lock(memory_mutex_);
  if (pool.kind == PoolKind::system_kernarg) {
    const std::size_t rounded = (bytes + kKernargAlignment - 1) / kKernargAlignment * kKernargAlignment;
    void* host = std::aligned_alloc(kKernargAlignment, rounded);
    if (host == nullptr) return HSA_STATUS_ERROR_OUT_OF_RESOURCES;
    std::memset(host, 0, rounded);
    host_allocations_.emplace(reinterpret_cast<std::uint64_t>(host), bytes);
    *out = host;
    return HSA_STATUS_SUCCESS;
  }
  auto address = device_.alloc(bytes, 4096);
  if (!address) return HSA_STATUS_ERROR_OUT_OF_RESOURCES;
  *out = reinterpret_cast<void*>(*address);
  return HSA_STATUS_SUCCESS;
}

hsa_status_t Runtime::free(void* pointer) {
  std::lock_guard lock(memory_mutex_);
  const auto address = reinterpret_cast<std::uint64_t>(pointer);
  if (auto it = host_allocations_.find(address); it != host_allocations_.end()) {
    std::free(pointer);
    host_allocations_.erase(it);
    return HSA_STATUS_SUCCESS;
  }
  for (const auto& [host, device_address] : locked_)
    if (device_address == address) return HSA_STATUS_ERROR_INVALID_ARGUMENT;  // unlock it instead
  return device_.free(address).ok() ? HSA_STATUS_SUCCESS : HSA_STATUS_ERROR_INVALID_ARGUMENT;
}

std::uint8_t* Runtime::resolve(std::uint64_t address, std::size_t bytes) const {
  if (address >= kDeviceLow && address < kDeviceHigh) return static_cast<std::uint8_t*>(device_.translate(address, bytes));
  auto it = host_allocations_.upper_bound(address);
  if (it != host_allocations_.begin()) {
    --it;
    if (address >= it->first && address < it->first + it->second)
      return address + bytes <= it->first + it->second ? reinterpret_cast<std::uint8_t*>(address) : nullptr;
  }
  return reinterpret_cast<std::uint8_t*>(address);  // plain host memory
}

hsa_status_t Runtime::copy(void* destination, const void* source, std::size_t bytes) {
  if (bytes == 0) return HSA_STATUS_SUCCESS;
  if (destination == nullptr || source == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  std::lock_guard lock(memory_mutex_);
  std::uint8_t* to = resolve(reinterpret_cast<std::uint64_t>(destination), bytes);
  const std::uint8_t* from = resolve(reinterpret_cast<std::uint64_t>(source), bytes);
  if (to == nullptr || from == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  std::memmove(to, from, bytes);
  return HSA_STATUS_SUCCESS;
}

const std::uint8_t* Runtime::host_bytes(std::uint64_t address, std::size_t bytes) const {
  std::lock_guard lock(memory_mutex_);
  auto it = host_allocations_.upper_bound(address);
  if (it == host_allocations_.begin()) return nullptr;
  --it;
  if (address < it->first || address + bytes > it->first + it->second) return nullptr;
  return reinterpret_cast<const std::uint8_t*>(address);
}

hsa_status_t Runtime::lock_host(void* host, std::size_t bytes, void** agent_pointer) {
  if (host == nullptr || bytes == 0 || agent_pointer == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  std::lock_guard lock(memory_mutex_);
  if (locked_.contains(host)) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  auto address = device_.map_host(host, bytes);
  if (!address) return HSA_STATUS_ERROR_OUT_OF_RESOURCES;
  locked_.emplace(host, *address);
  *agent_pointer = reinterpret_cast<void*>(*address);
  return HSA_STATUS_SUCCESS;
}

hsa_status_t Runtime::unlock_host(void* host) {
  std::lock_guard lock(memory_mutex_);
  auto it = locked_.find(host);
  if (it == locked_.end()) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  device_.free(it->second);
  locked_.erase(it);
  return HSA_STATUS_SUCCESS;
}

std::uint64_t Runtime::add_kernel(LoadedKernel kernel) {
  // The kernel object is an address in device memory, as on a GPU (its 64-byte descriptor's).
  constexpr std::uint64_t kObjectBytes = 64, kSlabBytes = 64 * 1024;
  std::uint64_t address = 0;
  {
    std::lock_guard lock(memory_mutex_);
    if (free_kernel_objects_.empty()) {
      auto slab = device_.alloc(kSlabBytes, 4096);
      if (!slab) return 0;
      for (std::uint64_t slot = *slab + kSlabBytes; slot > *slab;) free_kernel_objects_.push_back(slot -= kObjectBytes);
    }
    address = free_kernel_objects_.back();
    free_kernel_objects_.pop_back();
  }
  std::lock_guard lock(objects_mutex_);
  kernels_.emplace(address, std::move(kernel));
  return address;
}

void Runtime::remove_kernel(std::uint64_t kernel_object) {
  {
    std::lock_guard lock(objects_mutex_);
    kernels_.erase(kernel_object);
  }
  std::lock_guard lock(memory_mutex_);
  free_kernel_objects_.push_back(kernel_object);  // its slab stays for the next kernel
}

std::optional<LoadedKernel> Runtime::kernel(std::uint64_t kernel_object) const {
  std::lock_guard lock(objects_mutex_);
  auto it = kernels_.find(kernel_object);
  if (it == kernels_.end()) return std::nullopt;
  return it->second;
}

emu::LaunchReport Runtime::run(const emu::Dispatch& dispatch) {
  emu::LaunchOptions options;
  options.strict = config_.strict;
  options.threads = config_.threads;
  std::lock_guard lock(memory_mutex_);
  return emu::launch(device_, dispatch, options);
}

hsa_status_t Runtime::create_queue(std::size_t agent, std::uint32_t size,
                                   void (*callback)(hsa_status_t, hsa_queue_t*, void*), void* data,
                                   hsa_queue_t** out) {
  auto queue = std::make_unique<Queue>(*this, agent, size, callback, data);
  hsa_queue_t* handle = queue->public_queue();
  std::lock_guard lock(objects_mutex_);
  queues_.emplace(handle, std::move(queue));
  *out = handle;
  return HSA_STATUS_SUCCESS;
}

hsa_status_t Runtime::destroy_queue(hsa_queue_t* queue) {
  std::unique_ptr<Queue> owned;
  {
    std::lock_guard lock(objects_mutex_);
    auto it = queues_.find(queue);
    if (it == queues_.end()) return HSA_STATUS_ERROR_INVALID_QUEUE;
    owned = std::move(it->second);
    queues_.erase(it);
  }
  return HSA_STATUS_SUCCESS;  // `owned` stops its processor here, outside the lock
}

Queue* Runtime::queue(const hsa_queue_t* queue) const {
  std::lock_guard lock(objects_mutex_);
  auto it = queues_.find(queue);
  return it == queues_.end() ? nullptr : it->second.get();
}

}  // namespace asmk::hsa_emu
