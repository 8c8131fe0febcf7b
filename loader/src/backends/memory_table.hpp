// What a GPU backend (hip, hsa) remembers of the memory it handed out: asmk_malloc allocations and
// asmk_register_host mappings, with the checks and error messages both backends give. Not
// synchronized: the owning backend holds its own lock around every call.
#pragma once

#include <cstddef>
#include <map>
#include <optional>

#include "asmk.h"

namespace asmk {

class MemoryTable {
 public:
  struct Mapping {
    void* device_pointer;
    std::size_t bytes;
  };

  void add_allocation(const void* base, std::size_t bytes);
  // Forgets an allocation for asmk_free; refuses a registered host mapping or an unknown pointer.
  void remove_allocation(const void* pointer);

  // asmk_register_host: refuses a host pointer already registered.
  void require_unregistered(const void* host) const;
  // asmk_unregister_host: refuses a host pointer this context did not register.
  void require_registered(const void* host) const;
  void add_registration(void* host, void* device_pointer, std::size_t bytes);
  void remove_registration(void* host) { registered_.erase(host); }

  // Bytes from `pointer` to the end of the allocation or mapping holding it; nullopt when neither
  // holds it (memory the framework owns: the caller's sizes are all there is).
  std::optional<std::size_t> bytes_available(const void* pointer) const;

  const std::map<const std::byte*, std::size_t>& allocations() const { return allocations_; }
  const std::map<void*, Mapping>& registrations() const { return registered_; }

 private:
  std::map<const std::byte*, std::size_t> allocations_;  // asmk_malloc: base -> bytes
  std::map<void*, Mapping> registered_;                  // asmk_register_host: host pointer -> mapping
};

// asmk_memcpy's bounds check: the pointers `available` knows must hold `bytes`; others are the
// caller's word. `available` is the backend's bytes_available.
template <typename Available>
void check_copy_range(const Available& available, void* destination, const void* source, std::size_t bytes,
                      asmk_copy_kind kind);

}  // namespace asmk

#include "memory_table_inl.hpp"
