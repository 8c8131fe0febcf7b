// The exported HSA functions (the subset libasmk's HSA backend uses), each a thin shell over
// Runtime, Queue, Signal and Executable. Handles are indices (agents, pools, ISAs: index + 1) or
// object addresses (signals, executables, readers, symbols).
#include <hsa/hsa.h>
#include <hsa/hsa_ext_amd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "code_objects.hpp"
#include "queue.hpp"
#include "runtime.hpp"
#include "signal.hpp"

using namespace asmk::hsa_emu;

namespace {

constexpr std::uint64_t kTimestampFrequency = 1'000'000'000;  // ticks are nanoseconds
constexpr std::uint32_t kQueueMinSize = 4, kQueueMaxSize = 131072;

#define REQUIRE_RUNTIME()                                        \
  Runtime* runtime = Runtime::current();                         \
  if (runtime == nullptr) return HSA_STATUS_ERROR_NOT_INITIALIZED

template <typename T>
T* object(std::uint64_t handle) {
  return reinterpret_cast<T*>(handle);
}

void copy_name(void* value, const std::string& name, std::size_t capacity = 64) {
  char* out = static_cast<char*>(value);
  std::memset(out, 0, capacity);
  std::memcpy(out, name.data(), std::min(name.size(), capacity - 1));
}

std::uint64_t pool_bytes(const Agent& agent) {
  if (!agent.gpu) return 64ull << 30;
  return agent.config.arch == "gfx950" ? 288ull << 30 : 192ull << 30;  // HBM of an MI355X / MI300X
}

// The queue behind a handle, or null (also after the last hsa_shut_down).
Queue* queue_of(const hsa_queue_t* queue) {
  Runtime* runtime = Runtime::current();
  return runtime != nullptr ? runtime->queue(queue) : nullptr;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) const char* asmk_hsa_emu_last_error(void) { return last_detail(); }

// What stopped a queue (the emulator's fault or strict-mode reports), or "".
__attribute__((visibility("default"))) const char* asmk_hsa_emu_queue_error(const hsa_queue_t* queue) {
  thread_local std::string text;
  Runtime* runtime = Runtime::current();
  Queue* q = runtime != nullptr ? runtime->queue(queue) : nullptr;
  text = q != nullptr ? q->error_text() : "";
  return text.c_str();
}

hsa_status_t hsa_init(void) {
  const hsa_status_t status = Runtime::init();
  if (status != HSA_STATUS_SUCCESS) set_last_detail(Config::from_environment().error);
  return status;
}

hsa_status_t hsa_shut_down(void) { return Runtime::shut_down(); }

hsa_status_t hsa_status_string(hsa_status_t status, const char** text) {
  if (text == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  switch (static_cast<int>(status)) {
    case HSA_STATUS_SUCCESS: *text = "HSA_STATUS_SUCCESS: the function has been executed successfully."; break;
    case HSA_STATUS_ERROR_INVALID_ARGUMENT: *text = "HSA_STATUS_ERROR_INVALID_ARGUMENT: one of the actual arguments does not meet a precondition stated in the documentation of the corresponding formal argument."; break;
    case HSA_STATUS_ERROR_INVALID_CODE_OBJECT: *text = "HSA_STATUS_ERROR_INVALID_CODE_OBJECT: the code object is invalid."; break;
    case HSA_STATUS_ERROR_INCOMPATIBLE_ARGUMENTS: *text = "HSA_STATUS_ERROR_INCOMPATIBLE_ARGUMENTS: the arguments passed to a function are not compatible."; break;
    case HSA_STATUS_ERROR_OUT_OF_RESOURCES: *text = "HSA_STATUS_ERROR_OUT_OF_RESOURCES: the runtime failed to allocate the necessary resources."; break;
    case HSA_STATUS_ERROR_INVALID_PACKET_FORMAT: *text = "HSA_STATUS_ERROR_INVALID_PACKET_FORMAT: the AQL packet is malformed."; break;
    case HSA_STATUS_ERROR_EXCEPTION: *text = "HSA_STATUS_ERROR_EXCEPTION: an HSAIL operation resulted in a hardware exception."; break;
    case HSA_STATUS_ERROR_MEMORY_APERTURE_VIOLATION: *text = "HSA_STATUS_ERROR_MEMORY_APERTURE_VIOLATION: the agent attempted to access memory beyond the largest legal address."; break;
    case HSA_STATUS_ERROR_ILLEGAL_INSTRUCTION: *text = "HSA_STATUS_ERROR_ILLEGAL_INSTRUCTION: the agent attempted to execute an illegal shader instruction."; break;
    case HSA_STATUS_ERROR_NOT_INITIALIZED: *text = "HSA_STATUS_ERROR_NOT_INITIALIZED: the HSA runtime is not initialized."; break;
    case HSA_STATUS_ERROR_INVALID_SYMBOL_NAME: *text = "HSA_STATUS_ERROR_INVALID_SYMBOL_NAME: there is no symbol with the given name."; break;
    default: *text = "HSA_STATUS_ERROR: a generic error has occurred."; break;
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_system_get_info(hsa_system_info_t attribute, void* value) {
  REQUIRE_RUNTIME();
  if (value == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  switch (attribute) {
    case HSA_SYSTEM_INFO_VERSION_MAJOR: *static_cast<std::uint16_t*>(value) = 1; break;
    case HSA_SYSTEM_INFO_VERSION_MINOR: *static_cast<std::uint16_t*>(value) = 1; break;
    case HSA_SYSTEM_INFO_TIMESTAMP_FREQUENCY: *static_cast<std::uint64_t*>(value) = kTimestampFrequency; break;
    case HSA_SYSTEM_INFO_TIMESTAMP:
      *static_cast<std::uint64_t*>(value) = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
      break;
    default: return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  }
  (void)runtime;
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_iterate_agents(hsa_status_t (*callback)(hsa_agent_t agent, void* data), void* data) {
  REQUIRE_RUNTIME();
  if (callback == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  for (std::size_t i = 0; i < runtime->agents().size(); ++i) {
    const hsa_status_t status = callback(Runtime::agent_handle(i), data);
    if (status != HSA_STATUS_SUCCESS) return status;
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_agent_get_info(hsa_agent_t handle, hsa_agent_info_t attribute, void* value) {
  REQUIRE_RUNTIME();
  const Agent* agent = runtime->agent(handle);
  if (agent == nullptr) return HSA_STATUS_ERROR_INVALID_AGENT;
  if (value == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  switch (static_cast<int>(attribute)) {
    case HSA_AGENT_INFO_NAME: copy_name(value, agent->gpu ? agent->config.arch : "emulated host CPU"); break;
    case HSA_AGENT_INFO_VENDOR_NAME: copy_name(value, agent->gpu ? "AMD" : "asmk"); break;
    case HSA_AGENT_INFO_DEVICE:
      *static_cast<hsa_device_type_t*>(value) = agent->gpu ? HSA_DEVICE_TYPE_GPU : HSA_DEVICE_TYPE_CPU;
      break;
    case HSA_AGENT_INFO_FEATURE:
      *static_cast<hsa_agent_feature_t*>(value) =
          agent->gpu ? HSA_AGENT_FEATURE_KERNEL_DISPATCH : static_cast<hsa_agent_feature_t>(0);
      break;
    case HSA_AGENT_INFO_WAVEFRONT_SIZE: *static_cast<std::uint32_t*>(value) = 64; break;
    case HSA_AGENT_INFO_QUEUE_MIN_SIZE: *static_cast<std::uint32_t*>(value) = agent->gpu ? kQueueMinSize : 0; break;
    case HSA_AGENT_INFO_QUEUE_MAX_SIZE: *static_cast<std::uint32_t*>(value) = agent->gpu ? kQueueMaxSize : 0; break;
    case HSA_AMD_AGENT_INFO_COMPUTE_UNIT_COUNT:
      *static_cast<std::uint32_t*>(value) = agent->gpu ? agent->config.compute_units : 1;
      break;
    case HSA_AMD_AGENT_INFO_PRODUCT_NAME:
      copy_name(value, agent->gpu ? product_name(agent->config) : "emulated host CPU");
      break;
    default: return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_agent_iterate_isas(hsa_agent_t handle, hsa_status_t (*callback)(hsa_isa_t isa, void* data), void* data) {
  REQUIRE_RUNTIME();
  const Agent* agent = runtime->agent(handle);
  if (agent == nullptr) return HSA_STATUS_ERROR_INVALID_AGENT;
  if (callback == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  if (!agent->gpu) return HSA_STATUS_SUCCESS;
  return callback(hsa_isa_t{handle.handle}, data);  // one ISA per GPU agent, named by its handle
}

hsa_status_t hsa_isa_get_info_alt(hsa_isa_t isa, hsa_isa_info_t attribute, void* value) {
  REQUIRE_RUNTIME();
  const Agent* agent = runtime->agent(hsa_agent_t{isa.handle});
  if (agent == nullptr || !agent->gpu) return HSA_STATUS_ERROR_INVALID_ISA;
  if (value == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  switch (attribute) {
    case HSA_ISA_INFO_NAME_LENGTH: *static_cast<std::uint32_t*>(value) = static_cast<std::uint32_t>(agent->isa_name.size() + 1); break;
    case HSA_ISA_INFO_NAME: std::memcpy(value, agent->isa_name.c_str(), agent->isa_name.size() + 1); break;
    default: return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_amd_agent_iterate_memory_pools(hsa_agent_t handle,
                                                hsa_status_t (*callback)(hsa_amd_memory_pool_t pool, void* data),
                                                void* data) {
  REQUIRE_RUNTIME();
  const Agent* agent = runtime->agent(handle);
  if (agent == nullptr) return HSA_STATUS_ERROR_INVALID_AGENT;
  if (callback == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  for (std::size_t index : agent->pools) {
    const hsa_status_t status = callback(Runtime::pool_handle(index), data);
    if (status != HSA_STATUS_SUCCESS) return status;
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_amd_memory_pool_get_info(hsa_amd_memory_pool_t handle, hsa_amd_memory_pool_info_t attribute,
                                          void* value) {
  REQUIRE_RUNTIME();
  const Pool* pool = runtime->pool(handle);
  if (pool == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  if (value == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  const bool system = pool->kind == PoolKind::system_kernarg;
  switch (attribute) {
    case HSA_AMD_MEMORY_POOL_INFO_SEGMENT: *static_cast<hsa_amd_segment_t*>(value) = HSA_AMD_SEGMENT_GLOBAL; break;
    case HSA_AMD_MEMORY_POOL_INFO_GLOBAL_FLAGS:
      *static_cast<std::uint32_t*>(value) =
          system ? HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_KERNARG_INIT | HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_FINE_GRAINED
                 : HSA_AMD_MEMORY_POOL_GLOBAL_FLAG_COARSE_GRAINED;
      break;
    case HSA_AMD_MEMORY_POOL_INFO_SIZE:
    case HSA_AMD_MEMORY_POOL_INFO_ALLOC_MAX_SIZE:
      *static_cast<std::size_t*>(value) = pool_bytes(runtime->agents()[pool->agent]);
      break;
    case HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_ALLOWED: *static_cast<bool*>(value) = true; break;
    case HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_GRANULE:
    case HSA_AMD_MEMORY_POOL_INFO_RUNTIME_ALLOC_ALIGNMENT: *static_cast<std::size_t*>(value) = 4096; break;
    case HSA_AMD_MEMORY_POOL_INFO_ACCESSIBLE_BY_ALL: *static_cast<bool*>(value) = system; break;
    default: return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_amd_memory_pool_allocate(hsa_amd_memory_pool_t handle, size_t size, uint32_t, void** pointer) {
  REQUIRE_RUNTIME();
  const Pool* pool = runtime->pool(handle);
  if (pool == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  return runtime->allocate(*pool, size, pointer);
}

hsa_status_t hsa_amd_memory_pool_free(void* pointer) {
  REQUIRE_RUNTIME();
  return runtime->free(pointer);
}

hsa_status_t hsa_amd_agents_allow_access(uint32_t num_agents, const hsa_agent_t* agents, const uint32_t*, const void* pointer) {
  REQUIRE_RUNTIME();
  if (num_agents == 0 || agents == nullptr || pointer == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  for (uint32_t i = 0; i < num_agents; ++i)
    if (runtime->agent(agents[i]) == nullptr) return HSA_STATUS_ERROR_INVALID_AGENT;
  return HSA_STATUS_SUCCESS;  // every agent of the emulator reaches every allocation
}

hsa_status_t hsa_memory_copy(void* destination, const void* source, size_t size) {
  REQUIRE_RUNTIME();
  return runtime->copy(destination, source, size);
}

hsa_status_t hsa_amd_memory_lock(void* host, size_t size, hsa_agent_t*, int, void** agent_pointer) {
  REQUIRE_RUNTIME();
  return runtime->lock_host(host, size, agent_pointer);
}

hsa_status_t hsa_amd_memory_unlock(void* host) {
  REQUIRE_RUNTIME();
  return runtime->unlock_host(host);
}

hsa_status_t hsa_signal_create(hsa_signal_value_t initial_value, uint32_t, const hsa_agent_t*, hsa_signal_t* signal) {
  REQUIRE_RUNTIME();
  if (signal == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  *signal = (new Signal(initial_value))->handle();
  (void)runtime;
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_signal_destroy(hsa_signal_t signal) {
  if (signal.handle == 0) return HSA_STATUS_ERROR_INVALID_SIGNAL;
  delete Signal::of(signal);
  return HSA_STATUS_SUCCESS;
}

hsa_signal_value_t hsa_signal_load_scacquire(hsa_signal_t signal) { return Signal::of(signal)->load(); }
hsa_signal_value_t hsa_signal_load_relaxed(hsa_signal_t signal) { return Signal::of(signal)->load(); }
void hsa_signal_store_screlease(hsa_signal_t signal, hsa_signal_value_t value) { Signal::of(signal)->store(value); }
void hsa_signal_store_relaxed(hsa_signal_t signal, hsa_signal_value_t value) { Signal::of(signal)->store(value); }
void hsa_signal_subtract_screlease(hsa_signal_t signal, hsa_signal_value_t value) { Signal::of(signal)->add(-value); }

hsa_signal_value_t hsa_signal_wait_scacquire(hsa_signal_t signal, hsa_signal_condition_t condition,
                                             hsa_signal_value_t compare_value, uint64_t timeout_hint,
                                             hsa_wait_state_t) {
  // Ticks are nanoseconds; UINT64_MAX ("forever") is capped so the duration cannot overflow.
  const std::uint64_t ns = std::min<std::uint64_t>(timeout_hint, std::uint64_t(1) << 62);
  return Signal::of(signal)->wait(condition, compare_value, std::chrono::nanoseconds(ns));
}

hsa_status_t hsa_queue_create(hsa_agent_t agent_handle, uint32_t size, hsa_queue_type32_t,
                              void (*callback)(hsa_status_t status, hsa_queue_t* source, void* data), void* data,
                              uint32_t, uint32_t, hsa_queue_t** queue) {
  REQUIRE_RUNTIME();
  const Agent* agent = runtime->agent(agent_handle);
  if (agent == nullptr || !agent->gpu) return HSA_STATUS_ERROR_INVALID_AGENT;
  if (queue == nullptr || size < kQueueMinSize || size > kQueueMaxSize || (size & (size - 1)) != 0)
    return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  return runtime->create_queue(runtime->agent_index(agent_handle), size, callback, data, queue);
}

hsa_status_t hsa_queue_destroy(hsa_queue_t* queue) {
  REQUIRE_RUNTIME();
  return runtime->destroy_queue(queue);
}

uint64_t hsa_queue_load_read_index_scacquire(const hsa_queue_t* queue) {
  Queue* q = queue_of(queue);
  return q != nullptr ? q->read_index() : 0;
}

uint64_t hsa_queue_load_write_index_relaxed(const hsa_queue_t* queue) {
  Queue* q = queue_of(queue);
  return q != nullptr ? q->write_index() : 0;
}

uint64_t hsa_queue_load_write_index_scacquire(const hsa_queue_t* queue) { return hsa_queue_load_write_index_relaxed(queue); }

uint64_t hsa_queue_add_write_index_scacq_screl(const hsa_queue_t* queue, uint64_t value) {
  Queue* q = queue_of(queue);
  return q != nullptr ? q->add_write_index(value) : 0;
}

void hsa_queue_store_write_index_screlease(const hsa_queue_t* queue, uint64_t value) {
  if (Queue* q = queue_of(queue)) q->store_write_index(value);
}

hsa_status_t hsa_amd_profiling_set_profiler_enabled(hsa_queue_t* queue, int enable) {
  REQUIRE_RUNTIME();
  Queue* q = runtime->queue(queue);
  if (q == nullptr) return HSA_STATUS_ERROR_INVALID_QUEUE;
  q->set_profiling(enable != 0);
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_amd_profiling_get_dispatch_time(hsa_agent_t agent, hsa_signal_t signal,
                                                 hsa_amd_profiling_dispatch_time_t* time) {
  REQUIRE_RUNTIME();
  if (runtime->agent(agent) == nullptr) return HSA_STATUS_ERROR_INVALID_AGENT;
  if (signal.handle == 0) return HSA_STATUS_ERROR_INVALID_SIGNAL;
  if (time == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  const Signal* s = Signal::of(signal);
  time->start = s->start_ns;
  time->end = s->end_ns;
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_code_object_reader_create_from_memory(const void* code_object, size_t size,
                                                       hsa_code_object_reader_t* reader) {
  REQUIRE_RUNTIME();
  if (code_object == nullptr || size == 0 || reader == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  const auto* bytes = static_cast<const std::uint8_t*>(code_object);
  reader->handle = reinterpret_cast<std::uint64_t>(new CodeObjectReader{{bytes, bytes + size}});
  (void)runtime;
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_code_object_reader_destroy(hsa_code_object_reader_t reader) {
  if (reader.handle == 0) return HSA_STATUS_ERROR_INVALID_CODE_OBJECT_READER;
  delete object<CodeObjectReader>(reader.handle);
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_executable_create_alt(hsa_profile_t, hsa_default_float_rounding_mode_t, const char*,
                                       hsa_executable_t* executable) {
  REQUIRE_RUNTIME();
  if (executable == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  executable->handle = reinterpret_cast<std::uint64_t>(new Executable(*runtime));
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_executable_load_agent_code_object(hsa_executable_t executable, hsa_agent_t agent,
                                                   hsa_code_object_reader_t reader, const char*,
                                                   hsa_loaded_code_object_t* loaded) {
  REQUIRE_RUNTIME();
  (void)runtime;
  if (executable.handle == 0) return HSA_STATUS_ERROR_INVALID_EXECUTABLE;
  if (reader.handle == 0) return HSA_STATUS_ERROR_INVALID_CODE_OBJECT_READER;
  const hsa_status_t status =
      object<Executable>(executable.handle)->load(agent, *object<CodeObjectReader>(reader.handle));
  if (status == HSA_STATUS_SUCCESS && loaded != nullptr) loaded->handle = reader.handle;
  return status;
}

hsa_status_t hsa_executable_freeze(hsa_executable_t executable, const char*) {
  if (executable.handle == 0) return HSA_STATUS_ERROR_INVALID_EXECUTABLE;
  return object<Executable>(executable.handle)->freeze();
}

hsa_status_t hsa_executable_destroy(hsa_executable_t executable) {
  if (executable.handle == 0) return HSA_STATUS_ERROR_INVALID_EXECUTABLE;
  delete object<Executable>(executable.handle);
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_executable_get_symbol_by_name(hsa_executable_t executable, const char* name, const hsa_agent_t* agent,
                                               hsa_executable_symbol_t* symbol) {
  if (executable.handle == 0) return HSA_STATUS_ERROR_INVALID_EXECUTABLE;
  if (name == nullptr || agent == nullptr || symbol == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  const ExecutableSymbol* found = object<Executable>(executable.handle)->symbol(name, *agent);
  if (found == nullptr) {
    set_last_detail(std::string("no kernel symbol ") + name + " in the executable");
    return HSA_STATUS_ERROR_INVALID_SYMBOL_NAME;
  }
  symbol->handle = reinterpret_cast<std::uint64_t>(found);
  return HSA_STATUS_SUCCESS;
}

hsa_status_t hsa_executable_symbol_get_info(hsa_executable_symbol_t handle, hsa_executable_symbol_info_t attribute,
                                            void* value) {
  if (handle.handle == 0) return HSA_STATUS_ERROR_INVALID_EXECUTABLE_SYMBOL;
  if (value == nullptr) return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  const auto* symbol = object<const ExecutableSymbol>(handle.handle);
  switch (attribute) {
    case HSA_EXECUTABLE_SYMBOL_INFO_TYPE: *static_cast<hsa_symbol_kind_t*>(value) = HSA_SYMBOL_KIND_KERNEL; break;
    case HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_OBJECT: *static_cast<std::uint64_t*>(value) = symbol->kernel_object; break;
    case HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_KERNARG_SEGMENT_SIZE:
      *static_cast<std::uint32_t*>(value) = symbol->kernarg_segment_size;
      break;
    case HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_GROUP_SEGMENT_SIZE:
      *static_cast<std::uint32_t*>(value) = symbol->group_segment_size;
      break;
    case HSA_EXECUTABLE_SYMBOL_INFO_KERNEL_PRIVATE_SEGMENT_SIZE:
      *static_cast<std::uint32_t*>(value) = symbol->private_segment_size;
      break;
    default: return HSA_STATUS_ERROR_INVALID_ARGUMENT;
  }
  return HSA_STATUS_SUCCESS;
}

}  // extern "C"
