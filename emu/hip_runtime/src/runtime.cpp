#include "runtime.hpp"

#include <cstdlib>
#include <cstring>

#include "reports_text.hpp"

namespace asmk::hip_emu {
namespace {

std::mutex g_runtime_mutex;
std::unique_ptr<Runtime> g_runtime;

// The emulator's device addresses lie in [Device::kAddressBegin, kAddressEnd); anything else is host memory.
constexpr std::uint64_t kDeviceLow = emu::Device::kAddressBegin, kDeviceHigh = emu::Device::kAddressEnd;

thread_local std::string t_last_detail;

// The error a GPU's runtime reports for a kernel that faulted.
hipError_t error_of_fault(const emu::LaunchReport& report) {
  if (!report.faults.empty() && report.faults.front().kind == emu::FaultKind::unmapped_address)
    return hipErrorIllegalAddress;
  return hipErrorLaunchFailure;
}

}  // namespace

void set_last_detail(std::string text) { t_last_detail = std::move(text); }
const char* last_detail() { return t_last_detail.c_str(); }
hipError_t failed(hipError_t error, std::string detail) {
  set_last_detail(std::move(detail));
  return error;
}

Config Config::from_environment() {
  Config config;
  emu_runtime::GpuList list = emu_runtime::gpus_from_environment("ASMK_HIP_EMU_ARCH", "ASMK_HIP_EMU_CUS");
  config.gpus = std::move(list.gpus);
  config.error = std::move(list.error);
  config.strict = emu_runtime::switch_on("ASMK_EMU_STRICT");
  if (const char* threads = std::getenv("ASMK_EMU_THREADS")) config.threads = static_cast<unsigned>(std::strtoul(threads, nullptr, 10));
  return config;
}

Runtime& Runtime::get() {
  std::lock_guard lock(g_runtime_mutex);
  if (!g_runtime) g_runtime = std::make_unique<Runtime>(Config::from_environment());
  return *g_runtime;
}

bool Runtime::reconfigure() {
  std::lock_guard lock(g_runtime_mutex);
  if (g_runtime && !g_runtime->idle()) return false;
  g_runtime = std::make_unique<Runtime>(Config::from_environment());
  current_device() = 0;
  return true;
}

Runtime::Runtime(Config config) : config_(std::move(config)) {
  for (int d = 0; d < device_count(); ++d) null_streams_.push_back(std::make_shared<Stream>(*this, d));
}

Runtime::~Runtime() {
  // Streams finish their work (which uses the memory and modules) before those go.
  streams_.clear();
  null_streams_.clear();
}

hipError_t Runtime::usable() const {
  if (!config_.error.empty()) return failed(hipErrorNotInitialized, config_.error);
  if (config_.gpus.empty()) return failed(hipErrorNoDevice, "ASMK_HIP_EMU_ARCH=none: the emulated runtime has no GPU");
  return hipSuccess;
}

int& Runtime::current_device() {
  thread_local int device = 0;
  return device;
}

bool Runtime::idle() const {
  std::scoped_lock lock(memory_mutex_, objects_mutex_);
  return allocations_.empty() && registered_.empty() && modules_.empty() && streams_.empty() && graphs_.empty();
}

// ---- memory ----

bool Runtime::is_device_address(std::uint64_t address) const { return address >= kDeviceLow && address < kDeviceHigh; }

std::uint8_t* Runtime::resolve(std::uint64_t address, std::size_t bytes) const {
  if (is_device_address(address)) return static_cast<std::uint8_t*>(device_.translate(address, bytes));
  return reinterpret_cast<std::uint8_t*>(address);  // host memory
}

hipError_t Runtime::allocate(std::size_t bytes, void** out) {
  if (out == nullptr) return failed(hipErrorInvalidValue, "hipMalloc: the out pointer is null");
  if (bytes == 0) {  // as HIP: success, a null pointer
    *out = nullptr;
    return hipSuccess;
  }
  std::lock_guard lock(memory_mutex_);
  auto address = device_.alloc(bytes, 4096);
  if (!address) return failed(hipErrorOutOfMemory, "hipMalloc of " + std::to_string(bytes) + " bytes: " + address.error());
  allocations_.insert(*address);
  *out = reinterpret_cast<void*>(*address);
  return hipSuccess;
}

hipError_t Runtime::free(void* pointer) {
  if (pointer == nullptr) return hipSuccess;
  const hipError_t pending = synchronize(-1);  // hipFree waits for the device's work
  std::lock_guard lock(memory_mutex_);
  const auto address = reinterpret_cast<std::uint64_t>(pointer);
  if (allocations_.erase(address) == 0)
    return failed(hipErrorInvalidDevicePointer, "hipFree: not the start of a hipMalloc allocation");
  device_.free(address);
  return pending;
}

hipError_t Runtime::copy(void* destination, const void* source, std::size_t bytes, hipMemcpyKind kind) {
  if (bytes == 0) return hipSuccess;
  if (destination == nullptr || source == nullptr) return failed(hipErrorInvalidValue, "hipMemcpy: null pointer");
  const auto to = reinterpret_cast<std::uint64_t>(destination), from = reinterpret_cast<std::uint64_t>(source);
  const bool device_to = is_device_address(to), device_from = is_device_address(from);
  const bool kind_fits = kind == hipMemcpyDefault || (kind == hipMemcpyHostToDevice && device_to && !device_from) ||
                         (kind == hipMemcpyDeviceToHost && device_from && !device_to) ||
                         (kind == hipMemcpyDeviceToDevice && device_to && device_from) ||
                         (kind == hipMemcpyHostToHost && !device_to && !device_from);
  if (!kind_fits)
    return failed(hipErrorInvalidMemcpyDirection, "hipMemcpy kind " + std::to_string(int(kind)) +
                                                      " does not fit the pointers (destination on the " +
                                                      (device_to ? "device" : "host") + ", source on the " +
                                                      (device_from ? "device" : "host") + ")");
  std::lock_guard lock(memory_mutex_);
  std::uint8_t* d = resolve(to, bytes);
  const std::uint8_t* s = resolve(from, bytes);
  if (d == nullptr || s == nullptr)
    return failed(hipErrorInvalidValue, "hipMemcpy of " + std::to_string(bytes) + " bytes: " +
                                            (d == nullptr ? device_.describe_range(to, bytes) : device_.describe_range(from, bytes)));
  std::memmove(d, s, bytes);
  return hipSuccess;
}

hipError_t Runtime::register_host(void* host, std::size_t bytes) {
  if (host == nullptr || bytes == 0) return failed(hipErrorInvalidValue, "hipHostRegister: null pointer or 0 bytes");
  std::lock_guard lock(memory_mutex_);
  if (registered_.contains(host)) return failed(hipErrorHostMemoryAlreadyRegistered, "hipHostRegister: already registered");
  auto address = device_.map_host(host, bytes);
  if (!address) return failed(hipErrorOutOfMemory, "hipHostRegister: " + address.error());
  registered_.emplace(host, std::pair{*address, bytes});
  return hipSuccess;
}

hipError_t Runtime::unregister_host(void* host) {
  std::lock_guard lock(memory_mutex_);
  auto it = registered_.find(host);
  if (it == registered_.end()) return failed(hipErrorHostMemoryNotRegistered, "hipHostUnregister: not registered");
  device_.free(it->second.first);
  registered_.erase(it);
  return hipSuccess;
}

hipError_t Runtime::device_pointer(void* host, void** out) const {
  if (out == nullptr) return failed(hipErrorInvalidValue, "hipHostGetDevicePointer: the out pointer is null");
  std::lock_guard lock(memory_mutex_);
  for (const auto& [base, mapping] : registered_) {
    auto* b = static_cast<std::uint8_t*>(base);
    auto* p = static_cast<std::uint8_t*>(host);
    if (p >= b && p < b + mapping.second) {
      *out = reinterpret_cast<void*>(mapping.first + (p - b));
      return hipSuccess;
    }
  }
  return failed(hipErrorHostMemoryNotRegistered, "hipHostGetDevicePointer: the host memory is not registered");
}

// ---- modules ----

hipError_t Runtime::load_module(const void* image, std::size_t bytes, Module** out) {
  if (out == nullptr || image == nullptr) return failed(hipErrorInvalidValue, "hipModuleLoadData: null pointer");
  if (const hipError_t e = usable(); e != hipSuccess) return e;
  const int device = current_device();
  auto loaded = emu::CodeObject::load({static_cast<const std::uint8_t*>(image), bytes});
  if (!loaded) return failed(hipErrorInvalidImage, "the code object cannot be loaded: " + loaded.error());
  const std::string arch(emu::arch_name((*loaded)->arch()));
  if (arch != config_.gpus[device].arch)
    return failed(hipErrorNoBinaryForGpu,
                  "the code object is for " + arch + ", device " + std::to_string(device) + " is " + config_.gpus[device].arch);
  auto module = std::make_unique<Module>();
  module->code = *loaded;
  module->device = device;
  *out = module.get();
  std::lock_guard lock(objects_mutex_);
  modules_.emplace(module.get(), std::move(module));
  return hipSuccess;
}

hipError_t Runtime::unload_module(Module* module) {
  synchronize(-1);  // queued launches may use its code; their failures stay with their streams
  std::lock_guard lock(objects_mutex_);
  auto it = modules_.find(module);
  if (it == modules_.end()) return failed(hipErrorInvalidHandle, "hipModuleUnload: not a loaded module");
  for (const auto& [name, f] : it->second->functions) functions_.erase(f.get());
  modules_.erase(it);
  return hipSuccess;
}

hipError_t Runtime::function(Module* module, const char* name, Function** out) {
  if (out == nullptr || name == nullptr) return failed(hipErrorInvalidValue, "hipModuleGetFunction: null pointer");
  std::lock_guard lock(objects_mutex_);
  auto it = modules_.find(module);
  if (it == modules_.end()) return failed(hipErrorInvalidHandle, "hipModuleGetFunction: not a loaded module");
  Module& m = *it->second;
  if (auto f = m.functions.find(name); f != m.functions.end()) {
    *out = f->second.get();
    return hipSuccess;
  }
  auto kernel = m.code->find(name);
  if (!kernel) return failed(hipErrorNotFound, kernel.error());
  auto f = std::make_unique<Function>(Function{&m, *kernel});
  *out = f.get();
  functions_.insert(f.get());
  m.functions.emplace(name, std::move(f));
  return hipSuccess;
}

bool Runtime::is_function(const Function* function) const {
  std::lock_guard lock(objects_mutex_);
  return functions_.contains(function);
}

// ---- work ----

hipError_t Runtime::run(const Task& task, std::string& text) {
  if (const auto* copy_task = std::get_if<CopyTask>(&task)) {
    const hipError_t e = copy(copy_task->destination, copy_task->source, copy_task->bytes, hipMemcpyDefault);
    if (e != hipSuccess) text = last_detail();
    return e;
  }
  const auto& launch = std::get<LaunchTask>(task);
  emu::LaunchOptions options;
  options.strict = config_.strict;
  options.threads = config_.threads;
  emu::LaunchReport report;
  {
    std::lock_guard lock(memory_mutex_);
    report = emu::launch(device_, launch.dispatch, options);
  }
  const std::string& name = launch.dispatch.kernel->name;
  if (report.status == emu::LaunchStatus::invalid) {
    text = "kernel " + name + ": " + report.message;
    return hipErrorLaunchFailure;
  }
  if (report.fault_count > 0) {
    text = "kernel " + name + " faulted: " + emu_runtime::reports_text(report.faults, report.fault_count, "fault");
    return error_of_fault(report);
  }
  if (config_.strict && report.strict_count > 0) {
    text = "kernel " + name + " ran, but strict mode (ASMK_EMU_STRICT) found " +
           emu_runtime::reports_text(report.strict, report.strict_count, "problem");
    return hipErrorLaunchFailure;
  }
  return hipSuccess;
}

// ---- streams and graphs ----

Stream* Runtime::stream(const void* handle) {
  if (handle == nullptr) {
    const int device = current_device();
    return device < device_count() ? null_streams_[device].get() : nullptr;
  }
  std::lock_guard lock(objects_mutex_);
  auto it = streams_.find(handle);
  return it == streams_.end() ? nullptr : it->second.get();
}

Stream* Runtime::create_stream() {
  auto stream = std::make_shared<Stream>(*this, current_device());
  Stream* handle = stream.get();
  std::lock_guard lock(objects_mutex_);
  streams_.emplace(handle, std::move(stream));
  return handle;
}

hipError_t Runtime::destroy_stream(const void* handle) {
  std::shared_ptr<Stream> owned;
  {
    std::lock_guard lock(objects_mutex_);
    auto it = streams_.find(handle);
    if (it == streams_.end()) return failed(hipErrorInvalidHandle, "hipStreamDestroy: not a stream of hipStreamCreate");
    owned = std::move(it->second);
    streams_.erase(it);
  }
  return hipSuccess;  // `owned` (or a device-wide wait still holding it) finishes its work outside the lock
}

hipError_t Runtime::synchronize(int device) {
  std::vector<std::shared_ptr<Stream>> all;
  {
    std::lock_guard lock(objects_mutex_);
    all = null_streams_;
    for (const auto& [handle, s] : streams_) all.push_back(s);
  }
  hipError_t first = hipSuccess;
  std::string detail;
  for (const auto& s : all) {
    if (device >= 0 && s->device() != device) continue;
    const hipError_t e = s->synchronize();
    if (e != hipSuccess && first == hipSuccess) {
      first = e;
      detail = last_detail();
    }
  }
  if (first != hipSuccess) set_last_detail(detail);
  return first;
}

bool Runtime::any_capturing() const {
  std::lock_guard lock(objects_mutex_);
  for (const auto& s : null_streams_)
    if (s->capturing()) return true;
  for (const auto& [handle, s] : streams_)
    if (s->capturing()) return true;
  return false;
}

Graph* Runtime::keep_graph(std::unique_ptr<Graph> graph) {
  Graph* handle = graph.get();
  std::lock_guard lock(objects_mutex_);
  graphs_.emplace(handle, std::move(graph));
  return handle;
}

hipError_t Runtime::destroy_graph(const void* handle) {
  std::lock_guard lock(objects_mutex_);
  if (graphs_.erase(handle) == 0) return failed(hipErrorInvalidValue, "not a graph of this runtime");
  return hipSuccess;
}

bool Runtime::is_graph(const void* handle) const {
  std::lock_guard lock(objects_mutex_);
  return graphs_.contains(handle);
}

}  // namespace asmk::hip_emu
