#include "hsa_backend.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "../../error.hpp"
#include "../../nearest.hpp"

namespace asmk {
namespace {

std::uint64_t parse_count(const char* variable, std::uint64_t low, std::uint64_t high, std::uint64_t otherwise) {
  const char* text = std::getenv(variable);
  if (text == nullptr || *text == '\0') return otherwise;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (*end != '\0' || text[0] == '-' || n < low || n > high)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}='{}' is not a number from {} to {}", variable, text, low, high));
  return n;
}

bool parse_switch(const char* variable) {
  const char* text = std::getenv(variable);
  if (text == nullptr) return false;
  const std::string_view v = text;
  if (v == "1" || v == "on" || v == "true" || v == "yes") return true;
  if (v.empty() || v == "0" || v == "off" || v == "false" || v == "no") return false;
  fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}='{}' is not a switch; use 1 or 0", variable, text));
}

std::string stream_label(asmk_stream stream) {
  return stream == nullptr ? std::string("the default stream") : fmt::format("stream {}", static_cast<const void*>(stream));
}

// The index of the agent `request` asks for; throws naming the agents there are.
std::size_t choose_agent(const hsa::Topology& topology, const AgentRequest& request, const std::string& library) {
  if (topology.gpus.empty()) {
    const auto driver = missing_gpu_driver();
    fail(ASMK_ERROR_NO_DEVICE, fmt::format("backend hsa: the HSA runtime {} reports no GPU agent{}", library,
                                           driver ? "; " + *driver : std::string()));
  }
  const auto& repo = request.repository_arches;
  const auto held = [&](const std::string& arch) {
    return repo.empty() || std::find(repo.begin(), repo.end(), arch) != repo.end();
  };
  if (request.index >= 0) {
    if (static_cast<std::size_t>(request.index) >= topology.gpus.size())
      fail(ASMK_ERROR_NO_DEVICE,
           fmt::format("backend hsa: device_index {} asked for, but the HSA runtime {} has {} GPU agent{} ({})",
                       request.index, library, topology.gpus.size(), topology.gpus.size() == 1 ? "" : "s",
                       hsa::agent_list(topology)));
    const std::string& arch = topology.gpus[request.index].arch;
    if (request.arch && arch != *request.arch)
      fail(ASMK_ERROR_UNSUPPORTED_ARCH, fmt::format("backend hsa: GPU agent {} is {}, but a {} device was asked for; the "
                                                    "GPU agents are {}",
                                                    request.index, arch, *request.arch, hsa::agent_list(topology)));
    if (!held(arch))
      fail(ASMK_ERROR_UNSUPPORTED_ARCH,
           fmt::format("backend hsa: GPU agent {} is {}, but the repository holds kernels for {} only (build them with "
                       "`gen/asmgen build --arch {}`); the GPU agents are {}",
                       request.index, arch, join_names(repo), arch, hsa::agent_list(topology)));
    return static_cast<std::size_t>(request.index);
  }
  for (std::size_t i = 0; i < topology.gpus.size(); ++i) {
    const std::string& arch = topology.gpus[i].arch;
    if (request.arch ? arch == *request.arch : held(arch)) return i;
  }
  if (request.arch)
    fail(ASMK_ERROR_UNSUPPORTED_ARCH, fmt::format("backend hsa: a {} device was asked for, but the GPU agents are {}",
                                                  *request.arch, hsa::agent_list(topology)));
  fail(ASMK_ERROR_UNSUPPORTED_ARCH,
       fmt::format("backend hsa: the GPU agents are {}, but the repository holds kernels for {} only (build them with "
                   "`gen/asmgen build --arch {}`)",
                   hsa::agent_list(topology), join_names(repo), topology.gpus.front().arch));
}

}  // namespace

HsaBackendOptions HsaBackendOptions::from_environment() {
  HsaBackendOptions options;
  options.timeout = std::chrono::milliseconds(parse_count("ASMK_HSA_TIMEOUT_MS", 1, 86'400'000, options.timeout.count()));
  options.queue_size = static_cast<std::uint32_t>(parse_count("ASMK_HSA_QUEUE_SIZE", 1, 1u << 20, options.queue_size));
  if ((options.queue_size & (options.queue_size - 1)) != 0)
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("ASMK_HSA_QUEUE_SIZE={} is not a power of two", options.queue_size));
  options.profiling = parse_switch("ASMK_HSA_PROFILE");
  return options;
}

HsaBackend::HsaBackend(HsaBackendOptions options, const AgentRequest& request)
    : api_(hsa::load_api()), options_(options) {
  if (const hsa_status_t started = api_.hsa_init(); started != HSA_STATUS_SUCCESS) {
    // A ROCm runtime without the driver fails here (HSA_STATUS_ERROR_OUT_OF_RESOURCES): say that.
    if (const auto driver = missing_gpu_driver())
      fail(ASMK_ERROR_NO_DEVICE, fmt::format("backend hsa: {} (hsa_init of {}: {})", *driver, api_.library,
                                             api_.describe(started)));
    api_.check(started, ASMK_ERROR_BACKEND, fmt::format("backend hsa: hsa_init of {}", api_.library));
  }
  try {
    topology_ = hsa::discover(api_);
    agent_index_ = choose_agent(topology_, request, api_.library);
    device_pool_ = agent().device_pool();
    kernarg_pool_ = topology_.kernarg_pool();
    if (device_pool_ == nullptr)
      fail(ASMK_ERROR_BACKEND, fmt::format("backend hsa: agent {} has no coarse-grained pool to allocate from", agent().name));
    if (kernarg_pool_ == nullptr)
      fail(ASMK_ERROR_BACKEND, "backend hsa: the runtime reports no host memory pool for kernel arguments (KERNARG_INIT)");
    api_.check(api_.hsa_system_get_info(HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY, &queue_settings_.timestamp_frequency),
               ASMK_ERROR_BACKEND, "hsa_system_get_info(TIMESTAMP_FREQUENCY)");
    queue_settings_.size = std::clamp(options_.queue_size, agent().queue_min_size, agent().queue_max_size);
    queue_settings_.timeout = options_.timeout;
    queue_settings_.profiling = options_.profiling;
    code_objects_ = std::make_unique<hsa::CodeObjectCache>(api_, agent().handle);
  } catch (...) {
    api_.hsa_shut_down();
    throw;
  }
}

HsaBackend::~HsaBackend() {
  streams_.clear();  // drains and destroys the queues
  for (const auto& [base, bytes] : memory_.allocations()) api_.hsa_amd_memory_pool_free(const_cast<std::byte*>(base));
  for (const auto& [host, mapping] : memory_.registrations()) api_.hsa_amd_memory_unlock(host);
  code_objects_.reset();
  api_.hsa_shut_down();
}

Device HsaBackend::device() const {
  const hsa::GpuAgent& a = agent();
  const Device* best = nullptr;
  for (const Device& d : known_devices()) {
    if (d.arch != a.arch || d.compute_units != a.compute_units) continue;
    if (best == nullptr || a.product.find(d.name) != std::string::npos) best = &d;
  }
  if (best != nullptr) return *best;
  return device_by_arch(a.arch, a.compute_units);
}

std::string HsaBackend::describe() const {
  return fmt::format("HSA runtime {}\n{}this context uses agent {} ({}, {} CUs); queues of {} packets, waits bounded at "
                     "{} ms, profiling {}\n",
                     api_.library, hsa::describe(topology_), agent_index_, agent().arch, agent().compute_units,
                     queue_settings_.size, options_.timeout.count(), options_.profiling ? "on" : "off");
}

void* HsaBackend::allocate(std::size_t bytes) {
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_malloc of 0 bytes");
  void* pointer = nullptr;
  const hsa_status_t status = api_.hsa_amd_memory_pool_allocate(device_pool_->handle, bytes, 0, &pointer);
  if (status != HSA_STATUS_SUCCESS)
    fail(ASMK_ERROR_OUT_OF_MEMORY,
         fmt::format("asmk_malloc of {} bytes on {} ({}): {}", bytes, agent().name, device_pool_->describe(),
                     api_.describe(status)));
  std::lock_guard lock(mutex_);
  memory_.add_allocation(pointer, bytes);
  return pointer;
}

void HsaBackend::release(void* pointer) {
  if (pointer == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    memory_.remove_allocation(pointer);
  }
  drain_streams();  // a kernel still running may use it
  api_.check(api_.hsa_amd_memory_pool_free(pointer), ASMK_ERROR_BACKEND, fmt::format("asmk_free({})", pointer));
}

void* HsaBackend::register_host(void* host, std::size_t bytes) {
  if (host == nullptr) fail(ASMK_ERROR_NULL_BUFFER, "asmk_register_host: the host pointer is null");
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_register_host of 0 bytes");
  std::lock_guard lock(mutex_);
  memory_.require_unregistered(host);
  hsa_agent_t gpu = agent().handle;
  void* agent_pointer = nullptr;
  api_.check(api_.hsa_amd_memory_lock(host, bytes, &gpu, 1, &agent_pointer), ASMK_ERROR_BACKEND,
             fmt::format("asmk_register_host({}, {}): hsa_amd_memory_lock", host, bytes));
  memory_.add_registration(host, agent_pointer, bytes);
  return agent_pointer;
}

void HsaBackend::unregister_host(void* host) {
  {
    std::lock_guard lock(mutex_);
    memory_.require_registered(host);
  }
  drain_streams();
  std::lock_guard lock(mutex_);
  memory_.remove_registration(host);
  api_.check(api_.hsa_amd_memory_unlock(host), ASMK_ERROR_BACKEND, fmt::format("asmk_unregister_host({})", host));
}

std::optional<std::size_t> HsaBackend::bytes_available(const void* pointer) const {
  std::lock_guard lock(mutex_);
  return memory_.bytes_available(pointer);  // nullopt: memory the framework owns
}

void HsaBackend::copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) {
  if (kind != ASMK_COPY_HOST_TO_DEVICE && kind != ASMK_COPY_DEVICE_TO_HOST && kind != ASMK_COPY_DEVICE_TO_DEVICE)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_memcpy: unknown copy kind {}", static_cast<int>(kind)));
  if (bytes == 0) return;
  if (destination == nullptr || source == nullptr) fail(ASMK_ERROR_NULL_BUFFER, "asmk_memcpy: null source or destination");
  // Device pointers of this context are bounds-checked; others (a framework's tensors) are the caller's word.
  check_copy_range([this](const void* p) { return bytes_available(p); }, destination, source, bytes, kind);
  drain_streams();
  api_.check(api_.hsa_memory_copy(destination, source, bytes), ASMK_ERROR_BACKEND,
             fmt::format("asmk_memcpy of {} bytes from {} to {}", bytes, source, destination));
}

std::shared_ptr<hsa::StreamQueue> HsaBackend::stream_queue(asmk_stream stream) {
  std::lock_guard lock(mutex_);
  auto& queue = streams_[stream];
  if (!queue) {
    try {
      queue = std::make_shared<hsa::StreamQueue>(api_, agent(), *kernarg_pool_, queue_settings_, stream_label(stream));
    } catch (...) {
      streams_.erase(stream);
      throw;
    }
  }
  return queue;
}

void HsaBackend::retire_if_failed(asmk_stream stream, const std::shared_ptr<hsa::StreamQueue>& queue) {
  if (!queue->failed()) return;
  std::lock_guard lock(mutex_);
  if (auto it = streams_.find(stream); it != streams_.end() && it->second == queue) streams_.erase(it);
}

void HsaBackend::drain_streams() {
  std::vector<std::shared_ptr<hsa::StreamQueue>> queues;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [stream, queue] : streams_) queues.push_back(queue);
  }
  for (const auto& queue : queues) queue->drain_quietly();
}

void HsaBackend::synchronize(asmk_stream stream) {
  std::shared_ptr<hsa::StreamQueue> queue;
  {
    std::lock_guard lock(mutex_);
    auto it = streams_.find(stream);
    if (it == streams_.end()) return;  // nothing was launched on it
    queue = it->second;
  }
  try {
    queue->synchronize();
  } catch (const Error&) {
    retire_if_failed(stream, queue);
    throw;
  }
}

void HsaBackend::launch(const LaunchRequest& request) {
  const hsa::LoadedKernel& loaded = code_objects_->get(request.kernel, request.code_object_path, request.symbol);
  if (request.kernargs.size() > loaded.kernarg_segment_size)
    fail(ASMK_ERROR_BAD_KERNARG, fmt::format("kernel {}: {} bytes of kernel arguments for a kernarg segment of {}",
                                             request.kernel.name, request.kernargs.size(), loaded.kernarg_segment_size));
  const auto queue = stream_queue(request.stream);
  try {
    queue->dispatch(hsa::DispatchRequest{request.kernel.name, loaded, request.grid, request.block, request.kernargs});
  } catch (const Error&) {
    retire_if_failed(request.stream, queue);
    throw;
  }
}

std::optional<std::uint64_t> HsaBackend::last_kernel_ns(asmk_stream stream) const {
  std::shared_ptr<hsa::StreamQueue> queue;
  {
    std::lock_guard lock(mutex_);
    auto it = streams_.find(stream);
    if (it == streams_.end()) return std::nullopt;
    queue = it->second;
  }
  return queue->last_dispatch_ns();
}

}  // namespace asmk
