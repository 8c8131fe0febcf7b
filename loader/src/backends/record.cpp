#include "record.hpp"

#include <cstring>
#include <new>

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk {
namespace {
constexpr std::align_val_t kAlignment{256};  // what a GPU allocator guarantees at least
}

RecordingBackend::~RecordingBackend() {
  for (const auto& [base, size] : allocations_)
    ::operator delete(const_cast<std::byte*>(base), kAlignment);
}

void* RecordingBackend::allocate(std::size_t bytes) {
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_malloc of 0 bytes");
  auto* base = static_cast<std::byte*>(::operator new(bytes, kAlignment, std::nothrow));
  if (base == nullptr) fail(ASMK_ERROR_OUT_OF_MEMORY, fmt::format("cannot allocate {} bytes of host memory", bytes));
  std::lock_guard lock(mutex_);
  allocations_.emplace(base, bytes);
  return base;
}

void RecordingBackend::release(void* pointer) {
  if (pointer == nullptr) return;
  std::lock_guard lock(mutex_);
  auto it = allocations_.find(static_cast<const std::byte*>(pointer));
  if (it == allocations_.end())
    fail(ASMK_ERROR_BACKEND, fmt::format("asmk_free({}): not the start of an allocation of this context", pointer));
  ::operator delete(const_cast<std::byte*>(it->first), kAlignment);
  allocations_.erase(it);
}

std::optional<std::size_t> RecordingBackend::bytes_available(const void* pointer) const {
  std::lock_guard lock(mutex_);
  return bytes_available_locked(pointer);
}

void* RecordingBackend::register_host(void* host, std::size_t bytes) {
  if (host == nullptr) fail(ASMK_ERROR_NULL_BUFFER, "asmk_register_host: the host pointer is null");
  if (bytes == 0) fail(ASMK_ERROR_INVALID_ARGUMENT, "asmk_register_host of 0 bytes");
  std::lock_guard lock(mutex_);
  if (!registered_.emplace(static_cast<const std::byte*>(host), bytes).second)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_register_host({}): already registered", host));
  return host;
}

void RecordingBackend::unregister_host(void* host) {
  std::lock_guard lock(mutex_);
  if (registered_.erase(static_cast<const std::byte*>(host)) == 0)
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("asmk_unregister_host({}): not host memory registered with this context", host));
}

namespace {
// Bytes from p to the end of the range in `ranges` (base -> size) that holds it.
std::optional<std::size_t> bytes_left(const std::map<const std::byte*, std::size_t>& ranges, const std::byte* p) {
  auto it = ranges.upper_bound(p);
  if (it == ranges.begin()) return std::nullopt;
  --it;
  if (p >= it->first + it->second) return std::nullopt;
  return static_cast<std::size_t>(it->first + it->second - p);
}
}  // namespace

std::optional<std::size_t> RecordingBackend::bytes_available_locked(const void* pointer) const {
  const auto* p = static_cast<const std::byte*>(pointer);
  if (auto left = bytes_left(allocations_, p)) return left;
  return bytes_left(registered_, p);
}

bool RecordingBackend::read_settled(const void* pointer, std::span<std::byte> out) const {
  std::lock_guard lock(mutex_);
  const auto available = bytes_available_locked(pointer);
  if (!available || *available < out.size()) return false;
  if (!out.empty()) std::memcpy(out.data(), pointer, out.size());
  return true;
}

void RecordingBackend::require_device_range(const void* pointer, std::size_t bytes, std::string_view role) const {
  const auto available = bytes_available_locked(pointer);
  if (!available)
    fail(ASMK_ERROR_BACKEND, fmt::format("asmk_memcpy: {} {} is not memory of this context", role, pointer));
  if (*available < bytes)
    fail(ASMK_ERROR_BUFFER_TOO_SMALL,
         fmt::format("asmk_memcpy: {} {} has {} bytes left in its allocation, {} asked", role, pointer,
                     *available, bytes));
}

void RecordingBackend::copy(void* destination, const void* source, std::size_t bytes, asmk_copy_kind kind) {
  if (bytes == 0) return;
  if (destination == nullptr || source == nullptr)
    fail(ASMK_ERROR_NULL_BUFFER, "asmk_memcpy: null source or destination");
  std::lock_guard lock(mutex_);
  if (kind == ASMK_COPY_HOST_TO_DEVICE || kind == ASMK_COPY_DEVICE_TO_DEVICE)
    require_device_range(destination, bytes, "destination");
  if (kind == ASMK_COPY_DEVICE_TO_HOST || kind == ASMK_COPY_DEVICE_TO_DEVICE)
    require_device_range(source, bytes, "source");
  if (kind != ASMK_COPY_HOST_TO_DEVICE && kind != ASMK_COPY_DEVICE_TO_HOST && kind != ASMK_COPY_DEVICE_TO_DEVICE)
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_memcpy: unknown copy kind {}", static_cast<int>(kind)));
  std::memmove(destination, source, bytes);
}

void RecordingBackend::launch(const LaunchRequest& request) {
  std::lock_guard lock(mutex_);
  launches_.push_back(RecordedLaunch{
      request.kernel.name, std::string(request.code_object_path), std::string(request.symbol), request.grid,
      request.block, {request.kernargs.begin(), request.kernargs.end()}, request.stream});
}

}  // namespace asmk
