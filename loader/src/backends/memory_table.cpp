#include "memory_table.hpp"

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk {

void MemoryTable::add_allocation(const void* base, std::size_t bytes) {
  allocations_.emplace(static_cast<const std::byte*>(base), bytes);
}

void MemoryTable::remove_allocation(const void* pointer) {
  for (const auto& [host, mapping] : registered_)
    if (mapping.device_pointer == pointer)
      fail(ASMK_ERROR_INVALID_ARGUMENT,
           fmt::format("asmk_free({}): this is host memory {} mapped by asmk_register_host; release it with "
                       "asmk_unregister_host", pointer, static_cast<const void*>(host)));
  if (allocations_.erase(static_cast<const std::byte*>(pointer)) == 0)
    fail(ASMK_ERROR_BACKEND, fmt::format("asmk_free({}): not the start of an allocation of this context", pointer));
}

void MemoryTable::require_unregistered(const void* host) const {
  if (registered_.contains(const_cast<void*>(host)))
    fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("asmk_register_host({}): already registered", host));
}

void MemoryTable::require_registered(const void* host) const {
  if (!registered_.contains(const_cast<void*>(host)))
    fail(ASMK_ERROR_INVALID_ARGUMENT,
         fmt::format("asmk_unregister_host({}): not host memory registered with this context ({} registered)", host,
                     registered_.size()));
}

void MemoryTable::add_registration(void* host, void* device_pointer, std::size_t bytes) {
  registered_.emplace(host, Mapping{device_pointer, bytes});
}

std::optional<std::size_t> MemoryTable::bytes_available(const void* pointer) const {
  const auto* p = static_cast<const std::byte*>(pointer);
  auto it = allocations_.upper_bound(p);
  if (it != allocations_.begin()) {
    --it;
    if (p < it->first + it->second) return static_cast<std::size_t>(it->first + it->second - p);
  }
  for (const auto& [host, mapping] : registered_) {
    const auto* base = static_cast<const std::byte*>(mapping.device_pointer);
    if (p >= base && p < base + mapping.bytes) return static_cast<std::size_t>(base + mapping.bytes - p);
  }
  return std::nullopt;
}

}  // namespace asmk
