// The emulated device address space: registered allocations with a base address and a size.
// Every access from a kernel or from the host is bounds-checked against one allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "asmk/emu/status.hpp"

namespace asmk::emu {

/// Memory of the emulated GPU. Allocations larger than the machine's RAM work: they are
/// reserved with mmap(MAP_NORESERVE) and pages appear when first touched, so kernels can be
/// tested past the 2 GiB / 4 GiB offset boundaries.
///
/// Thread safety: alloc/free/map_host/unmap take a lock; kernel accesses during a launch read
/// the allocation table without one, so do not change allocations while a launch runs.
class Device {
 public:
  Device();
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  /// Allocates `bytes` zero-filled bytes; returns the device address (aligned to `align`, a power of two).
  Expected<uint64_t> alloc(uint64_t bytes, uint64_t align = 256);
  /// Registers existing host memory [host, host+bytes) as device memory (not owned; the caller keeps it alive).
  Expected<uint64_t> map_host(void* host, uint64_t bytes);
  /// Releases an allocation or a mapping made by map_host; `address` must be its base.
  Status free(uint64_t address);

  Status write(uint64_t address, const void* src, uint64_t bytes);
  Status read(uint64_t address, void* dst, uint64_t bytes) const;
  Status fill(uint64_t address, uint8_t value, uint64_t bytes);

  /// Host pointer for [address, address+bytes) if it lies inside one allocation, else nullptr.
  void* translate(uint64_t address, uint64_t bytes) const;

  /// The allocation holding `address`: its base, size and host memory (size 0 if none).
  struct Region {
    uint64_t base = 0, size = 0;
    uint8_t* host = nullptr;
  };
  Region region_of(uint64_t address) const;

  /// Describes the allocations near `address` for error messages ("0x... is 16 bytes past ...").
  std::string describe(uint64_t address) const;

  /// Like describe(), for an access of `bytes` bytes that starts inside an allocation but overruns it.
  std::string describe_range(uint64_t address, uint64_t bytes) const;

  uint64_t bytes_allocated() const;

 private:
  struct Allocation {
    uint64_t size = 0;
    uint8_t* host = nullptr;
    uint64_t mapped_bytes = 0;  // bytes to munmap when owned; 0 for map_host
  };
  const Allocation* find(uint64_t address, uint64_t& base) const;

  mutable std::mutex mutex_;
  std::map<uint64_t, Allocation> allocations_;  // keyed by base address
  uint64_t next_address_;
};

}  // namespace asmk::emu
