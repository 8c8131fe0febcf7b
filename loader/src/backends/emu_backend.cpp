#include "emu_backend.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "../error.hpp"
#include "asmk/emu/emu.hpp"
#include "kernarg_layout_check.hpp"

namespace asmk {
namespace {

constexpr std::size_t kReportsInMessage = 3;  // the first few reports name the problem; the count says the rest

std::uint64_t address_of(const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }
void* pointer_of(std::uint64_t address) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)); }

// "3 faults: <first>; <second>; <third> (and 5 more)"
std::string reports_text(const std::vector<emu::Report>& reports, std::uint64_t count, std::string_view what) {
  std::string text = fmt::format("{} {}{}", count, what, count == 1 ? "" : "s");
  for (std::size_t i = 0; i < reports.size() && i < kReportsInMessage; ++i)
    text += fmt::format("{}{}", i == 0 ? ": " : "; ", reports[i].to_string());
  const std::uint64_t shown = std::min<std::uint64_t>({reports.size(), kReportsInMessage, count});
  if (count > shown) text += fmt::format(" (and {} more)", count - shown);
  return text;
}

bool parse_flag(const char* variable, const char* value) {
  const std::string_view v = value;
  if (v == "1" || v == "on" || v == "true" || v == "yes") return true;
  if (v.empty() || v == "0" || v == "off" || v == "false" || v == "no") return false;
  fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}='{}' is not a switch; use 1 or 0", variable, value));
}

// The emulator's reading of a kernel's metadata, in the form every backend's layout check takes.
KernelMetadata metadata_of(const emu::Kernel& kernel) {
  KernelMetadata m{kernel.name, kernel.name + ".kd", kernel.kernarg_segment_size, {}};
  for (const emu::KernelArg& a : kernel.args) m.args.push_back({a.name, a.offset, a.size, a.value_kind});
  return m;
}

// The environment variable's value as a decimal count up to `most`; nullopt when unset or empty.
// Throws INVALID_ARGUMENT naming the variable and what it should be.
std::optional<unsigned long long> count_variable(const char* variable, unsigned long long most, const char* what) {
  const char* text = std::getenv(variable);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (*end != '\0' || errno == ERANGE || text[0] == '-' || n > most)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}='{}' is not {}", variable, text, what));
  return n;
}

}  // namespace

EmuBackendOptions EmuBackendOptions::from_environment() {
  EmuBackendOptions options;
  if (const char* strict = std::getenv("ASMK_EMU_STRICT")) options.strict = parse_flag("ASMK_EMU_STRICT", strict);
  if (const auto n = count_variable("ASMK_EMU_THREADS", 4096, "a thread count (0 = every core, up to 4096)"))
    options.threads = static_cast<unsigned>(*n);
  if (const auto n = count_variable("ASMK_EMU_WAVE_QUANTUM", 1ull << 30,
                                    "an instruction count (0 = one wave at a time)"))
    options.wave_quantum = static_cast<int>(*n);
  if (const auto n = count_variable("ASMK_EMU_MAX_INSTRUCTIONS", ~0ull,
                                    "an instruction count (a launch's budget of wave-instructions; 0 = none)"))
    options.max_launch_instructions = *n;
  if (const auto n = count_variable("ASMK_EMU_TIMEOUT_MS", ~0ull,
                                    "a time in milliseconds (a launch's wall-clock budget; 0 = none)"))
    options.max_launch_milliseconds = *n;
  if (const char* order = std::getenv("ASMK_EMU_WORKGROUP_ORDER"); order != nullptr && *order != '\0') {
    if (std::string_view(order) != "forward" && std::string_view(order) != "reverse")
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("ASMK_EMU_WORKGROUP_ORDER='{}' is not forward or reverse", order));
    options.reverse_workgroups = std::string_view(order) == "reverse";
  }
  return options;
}

EmuBackend::EmuBackend(EmuBackendOptions options)
    : options_(options), device_(std::make_unique<emu::Device>()) {}

EmuBackend::~EmuBackend() = default;

void* EmuBackend::allocate(std::size_t bytes) {
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_malloc of 0 bytes");
  std::lock_guard lock(mutex_);
  auto address = device_->alloc(bytes, 256);
  if (!address)
    fail(ASMK_ERROR_OUT_OF_MEMORY, fmt::format("asmk_malloc of {} bytes on the emulator: {}", bytes, address.error()));
  return pointer_of(*address);
}

void EmuBackend::release(void* pointer) {
  if (pointer == nullptr) return;
  std::lock_guard lock(mutex_);
  for (const auto& [host, address] : registered_)
    if (address == address_of(pointer))
      fail(ASMK_ERROR_INVALID_ARGUMENT,
           fmt::format("asmk_free({}): this is host memory {} mapped by asmk_register_host; release it with "
                       "asmk_unregister_host", pointer, host));
  const emu::Status freed = device_->free(address_of(pointer));
  if (!freed.ok())
    fail(ASMK_ERROR_BACKEND,
         fmt::format("asmk_free({}): not the start of an allocation of this context ({})", pointer,
                     device_->describe(address_of(pointer))));
}

void* EmuBackend::register_host(void* host, std::size_t bytes) {
  if (host == nullptr) fail(ASMK_ERROR_NULL_BUFFER, "asmk_register_host: the host pointer is null");
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_register_host of 0 bytes");
  std::lock_guard lock(mutex_);
  if (registered_.contains(host))
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_register_host({}): already registered", host));
  auto address = device_->map_host(host, bytes);
  if (!address) fail(ASMK_ERROR_BACKEND, fmt::format("asmk_register_host({}, {}): {}", host, bytes, address.error()));
  registered_.emplace(host, *address);
  return pointer_of(*address);
}

void EmuBackend::unregister_host(void* host) {
  std::lock_guard lock(mutex_);
  auto it = registered_.find(host);
  if (it == registered_.end())
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("asmk_unregister_host({}): not host memory registered with this context ({} registered)", host,
                     registered_.size()));
  const emu::Status freed = device_->free(it->second);
  if (!freed.ok()) fail(ASMK_ERROR_INTERNAL, fmt::format("asmk_unregister_host({}): {}", host, freed.message()));
  registered_.erase(it);
}

std::optional<std::size_t> EmuBackend::bytes_available(const void* pointer) const {
  std::lock_guard lock(mutex_);
  const auto region = device_->region_of(address_of(pointer));
  if (region.size == 0) return std::nullopt;
  return static_cast<std::size_t>(region.base + region.size - address_of(pointer));
}

bool EmuBackend::read_settled(const void* pointer, std::span<std::byte> out) const {
  std::lock_guard lock(mutex_);
  const std::uint64_t address = address_of(pointer);
  const auto region = device_->region_of(address);
  if (region.size == 0 || region.base + region.size - address < out.size()) return false;
  if (!out.empty()) std::memcpy(out.data(), region.host + (address - region.base), out.size());
  return true;
}

std::byte* EmuBackend::device_bytes(const void* pointer, std::size_t bytes, std::string_view role) const {
  const std::uint64_t address = address_of(pointer);
  const auto region = device_->region_of(address);
  if (region.size == 0)
    fail(ASMK_ERROR_BACKEND, fmt::format("asmk_memcpy: {} {} is not memory of this context ({})", role, pointer,
                                         device_->describe(address)));
  const std::uint64_t available = region.base + region.size - address;
  if (available < bytes)
    fail(ASMK_ERROR_BUFFER_TOO_SMALL,
         fmt::format("asmk_memcpy: {} {} has {} bytes left in its allocation, {} asked", role, pointer, available,
                     bytes));
  return reinterpret_cast<std::byte*>(region.host + (address - region.base));
}

void EmuBackend::copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) {
  if (kind != ASMK_COPY_HOST_TO_DEVICE && kind != ASMK_COPY_DEVICE_TO_HOST && kind != ASMK_COPY_DEVICE_TO_DEVICE)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_memcpy: unknown copy kind {}", static_cast<int>(kind)));
  if (bytes == 0) return;
  if (destination == nullptr || source == nullptr)
    fail(ASMK_ERROR_NULL_BUFFER, "asmk_memcpy: null source or destination");
  std::lock_guard lock(mutex_);
  void* to = kind == ASMK_COPY_DEVICE_TO_HOST ? destination : device_bytes(destination, bytes, "destination");
  const void* from = kind == ASMK_COPY_HOST_TO_DEVICE ? source : device_bytes(source, bytes, "source");
  std::memmove(to, from, bytes);
}

void EmuBackend::set_launch_limits(const LaunchLimits& limits) {
  std::lock_guard lock(mutex_);
  if (limits.max_instructions != 0) options_.max_launch_instructions = limits.max_instructions;
  if (limits.max_milliseconds != 0) options_.max_launch_milliseconds = limits.max_milliseconds;
}

void EmuBackend::cancel() {
  std::lock_guard lock(mutex_);
  for (const auto& flag : running_) flag->store(true, std::memory_order_relaxed);
}

std::shared_ptr<const emu::CodeObject> EmuBackend::code_object(const std::string& path, std::string_view kernel_name) {
  if (auto it = code_objects_.find(path); it != code_objects_.end()) return it->second;
  auto loaded = emu::CodeObject::load_file(path);
  if (!loaded)
    fail(ASMK_ERROR_MISSING_CODE_OBJECT, fmt::format("kernel {}: the emulator cannot load its code object: {}", kernel_name, loaded.error()));
  return code_objects_.emplace(path, std::move(*loaded)).first->second;
}

namespace {

// Registers a launch's cancel flag with the backend for as long as it runs.
class RunningLaunch {
 public:
  RunningLaunch(std::mutex& mutex, std::set<std::atomic<bool>*>& running) : mutex_(mutex), running_(running) {
    std::lock_guard lock(mutex_);
    running_.insert(&flag_);
  }
  ~RunningLaunch() {
    std::lock_guard lock(mutex_);
    running_.erase(&flag_);
  }
  RunningLaunch(const RunningLaunch&) = delete;
  RunningLaunch& operator=(const RunningLaunch&) = delete;
  const std::atomic<bool>* flag() const { return &flag_; }

 private:
  std::mutex& mutex_;
  std::set<std::atomic<bool>*>& running_;
  std::atomic<bool> flag_{false};
};

}  // namespace

void EmuBackend::launch(const LaunchRequest& request) {
  const std::string& kernel_name = request.kernel.name;
  std::shared_ptr<const emu::CodeObject> co;
  const emu::Kernel* kernel = nullptr;
  EmuBackendOptions settings;
  {
    std::lock_guard lock(mutex_);
    settings = options_;
    co = code_object(std::string(request.code_object_path), kernel_name);
    if (emu::arch_name(co->arch()) != request.kernel.arch)
      fail(ASMK_ERROR_MISSING_CODE_OBJECT,
           fmt::format("code object {} is for {}, but the manifest says kernel {} is for {}", request.code_object_path,
                       emu::arch_name(co->arch()), kernel_name, request.kernel.arch));
    auto found = co->find(request.symbol);
    if (!found)
      fail(ASMK_ERROR_MISSING_CODE_OBJECT,
           fmt::format("kernel {}: code object {}: {}", kernel_name, request.code_object_path, found.error()));
    kernel = *found;
    if (layout_checked_.insert(&request.kernel).second) {
      try {
        check_kernarg_layout(request.kernel, metadata_of(*kernel));
      } catch (...) {
        layout_checked_.erase(&request.kernel);  // refused every time, not only the first
        throw;
      }
    }
  }

  emu::Dispatch dispatch;
  dispatch.kernel = kernel;
  dispatch.grid = {request.grid.x, request.grid.y, request.grid.z};
  dispatch.block = {request.block.x, request.block.y, request.block.z};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(request.kernargs.data());
  dispatch.kernargs.assign(bytes, bytes + request.kernargs.size());
  dispatch.fill_hidden_args = false;  // libasmk packed the hidden arguments already (kernargs.cpp)

  // The launch runs without the lock: other threads may allocate, copy and launch meanwhile.
  const RunningLaunch running(mutex_, running_);
  emu::LaunchOptions options;
  options.strict = settings.strict;
  options.threads = settings.threads;
  if (settings.wave_quantum >= 0) options.wave_quantum = static_cast<std::uint32_t>(settings.wave_quantum);
  options.max_launch_instructions = settings.max_launch_instructions;
  options.max_launch_milliseconds = settings.max_launch_milliseconds;
  options.cancel = running.flag();
  if (settings.reverse_workgroups) {  // last first, one thread: that exact order
    const std::uint64_t total = std::uint64_t(dispatch.grid.x) * dispatch.grid.y * dispatch.grid.z;
    for (std::uint64_t i = total; i-- > 0;)
      options.only_workgroups.push_back({std::uint32_t(i % dispatch.grid.x), std::uint32_t(i / dispatch.grid.x % dispatch.grid.y),
                                         std::uint32_t(i / (std::uint64_t(dispatch.grid.x) * dispatch.grid.y))});
    options.threads = 1;
  }
  const emu::LaunchReport report = emu::launch(*device_, dispatch, options);

  switch (report.status) {
    case emu::LaunchStatus::invalid:
      fail(ASMK_ERROR_BACKEND, fmt::format("the emulator refused to launch kernel {}: {}", kernel_name, report.message));
    case emu::LaunchStatus::faulted:
      if (running.flag()->load() && std::any_of(report.faults.begin(), report.faults.end(), [](const emu::Report& r) {
            return r.kind == emu::FaultKind::cancelled;
          }))
        fail(ASMK_ERROR_CANCELLED,
             fmt::format("kernel {} was cancelled (asmk_cancel) on the emulator, grid ({}, {}, {}): {}", kernel_name,
                         request.grid.x, request.grid.y, request.grid.z,
                         reports_text(report.faults, report.fault_count, "stopped wave")));
      fail(ASMK_ERROR_KERNEL_FAULT,
           fmt::format("kernel {} faulted on the emulator, grid ({}, {}, {}): {}", kernel_name, request.grid.x,
                       request.grid.y, request.grid.z, reports_text(report.faults, report.fault_count, "fault")));
    case emu::LaunchStatus::ok: break;
  }
  if (report.strict_count > 0)
    fail(ASMK_ERROR_KERNEL_FAULT,
         fmt::format("kernel {} ran, but strict mode (ASMK_EMU_STRICT) found {}", kernel_name,
                     reports_text(report.strict, report.strict_count, "problem")));
}

}  // namespace asmk
