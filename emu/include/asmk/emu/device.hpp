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
/// Address layout (the rule kernels are checked against):
/// - Every Device owns a window of kWindowBytes in [kAddressBegin, kAddressEnd); a process-wide
///   counter hands windows out round-robin, so two live Devices (up to kWindows of them) never share
///   an address and a pointer of one Device is unknown to another (free/read/write name it).
/// - Allocations inside a window are separated by at least kGuardBytes (4 GiB) of unmapped space, so
///   a base pointer plus any 32-bit offset (buffer offsets, saddr + 32-bit vaddr, i32 index
///   arithmetic) either stays in its own allocation or faults: it can never reach a neighbour.
///   Freed address ranges are reused next-fit (as late as possible) to keep stale pointers faulting.
///   A 64-bit address computed arbitrarily can still land in another allocation: the emulator does
///   not track which allocation a VGPR value came from.
/// - Read-only allocations (the code object image, kernarg segment, dispatch packet and queue of
///   a launch) fault on every kernel store or atomic, strict mode or not.
///
/// Thread safety: every member may be called from any thread at any time. The allocation table is
/// never changed in place: alloc/free/map_host publish a new table under a lock, and a launch reads
/// the View it took when it started (no lock per access). Allocations made meanwhile are not in
/// that view (the launch cannot hold their addresses), and memory freed meanwhile stays mapped
/// until the view is gone, so a launch never touches unmapped host memory — a kernel still using
/// a buffer another thread freed is the caller's bug, as on a GPU, not a host crash.
class Device {
  struct Allocation;
  using Table = std::map<uint64_t, Allocation>;  // keyed by base address

 public:
  static constexpr uint64_t kAddressBegin = 1ull << 44;
  static constexpr uint64_t kWindowBytes = 1ull << 40;  // 1 TiB per Device
  static constexpr uint64_t kWindows = 48;               // [2^44, 2^44 + 48 TiB): below x86-64 host heaps
  static constexpr uint64_t kAddressEnd = kAddressBegin + kWindows * kWindowBytes;
  static constexpr uint64_t kGuardBytes = 1ull << 32;
  /// The largest single allocation: a window less the guard space on both sides.
  static constexpr uint64_t kMaxAllocation = kWindowBytes - 2 * kGuardBytes;

  Device();
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  /// Allocates `bytes` zero-filled bytes; returns the device address (aligned to `align`, a power of two).
  Expected<uint64_t> alloc(uint64_t bytes, uint64_t align = 256);
  /// Like alloc(), for memory kernels may only read (`what` names it in fault messages, e.g.
  /// "kernarg segment"); the host still fills it with write().
  Expected<uint64_t> alloc_read_only(uint64_t bytes, uint64_t align, const char* what);
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
    const char* read_only = nullptr;  // what the allocation is when kernels may not store to it
  };
  Region region_of(uint64_t address) const;

  /// Describes the allocations near `address` for error messages ("0x... is 16 bytes past ...").
  std::string describe(uint64_t address) const;

  /// Like describe(), for an access of `bytes` bytes that starts inside an allocation but overruns it.
  std::string describe_range(uint64_t address, uint64_t bytes) const;

  uint64_t bytes_allocated() const;

  /// The allocation table as it is now, unchanged by later alloc/free (see "Thread safety").
  class View {
   public:
    Region region_of(uint64_t address) const;
    void* translate(uint64_t address, uint64_t bytes) const;
    std::string describe(uint64_t address) const;
    std::string describe_range(uint64_t address, uint64_t bytes) const;

   private:
    friend class Device;
    const Allocation* find(uint64_t address, uint64_t& base) const;
    std::shared_ptr<const Table> table_;
    uint64_t window_begin_ = 0;
  };
  View view() const;

  /// This Device's address window [window_begin(), window_begin() + kWindowBytes).
  uint64_t window_begin() const { return window_begin_; }

 private:
  /// Host memory the Device mapped for an allocation, unmapped when the last table holding it goes.
  struct Mapping {
    uint8_t* host = nullptr;
    uint64_t bytes = 0;
    Mapping(uint8_t* h, uint64_t b) : host(h), bytes(b) {}
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping();
  };
  struct Allocation {
    uint64_t size = 0;
    uint8_t* host = nullptr;
    uint64_t span = 0;  // address space reserved from the base (size rounded to pages)
    const char* read_only = nullptr;
    std::shared_ptr<const Mapping> owned;  // null for map_host (the caller owns that memory)
  };
  Expected<uint64_t> alloc_owned(uint64_t bytes, uint64_t align, const char* read_only);
  /// Next-fit search in `table`, under the lock, for `span` bytes at an address congruent to
  /// `phase` modulo `align`, kGuardBytes away from every live allocation; 0 if the window is full.
  uint64_t place(const Table& table, uint64_t span, uint64_t align, uint64_t phase);
  /// Publishes `table` as the current one (under the lock).
  void publish(Table table);

  mutable std::mutex mutex_;
  std::shared_ptr<const Table> table_;  // replaced, never modified
  uint64_t window_begin_;
  uint64_t cursor_;  // where the next placement search starts
};

}  // namespace asmk::emu
