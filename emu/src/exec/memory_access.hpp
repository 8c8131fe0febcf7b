// Bounds-checked access to device memory and LDS from semantics. A failed check records a
// fault (or a strict report) and returns nullptr; callers stop the lane loop on a fault.
#pragma once

#include <string>

#include "wave.hpp"

namespace asmk::emu::detail {

/// Caches the last allocation a wave touched (most accesses of a lane loop hit the same one).
struct RegionCache {
  Device::Region region;
  bool contains(uint64_t a, uint64_t n) const {
    return region.size && a >= region.base && a - region.base <= region.size && n <= region.size - (a - region.base);
  }
};

inline uint8_t* global_pointer(Wave& w, const Instr& in, RegionCache& cache, int lane, uint64_t address,
                               uint32_t bytes, bool write) {
  if (!cache.contains(address, bytes)) {
    cache.region = w.ctx->memory.region_of(address);
    if (!cache.contains(address, bytes)) {
      w.fault(FaultKind::unmapped_address, in, lane, address,
              std::string(write ? "store of " : "load of ") + std::to_string(bytes) + " bytes: " +
                  w.ctx->memory.describe_range(address, bytes));
      return nullptr;
    }
  }
  if (write && cache.region.read_only) [[unlikely]] {
    w.fault(FaultKind::unmapped_address, in, lane, address,
            "store of " + std::to_string(bytes) + " bytes into the " + cache.region.read_only +
                ", which kernels may only read");
    return nullptr;
  }
  // Unaligned global loads and stores are legal (ROCm enables unaligned access and compilers emit
  // them, e.g. dispatch-packet reads), so only atomics are checked: see atomic_aligned().
  return cache.region.host + (address - cache.region.base);
}

/// Atomics need natural alignment; a misaligned one is a fault (the hardware raises a memory
/// violation, and the host could not perform it atomically either).
inline bool atomic_aligned(Wave& w, const Instr& in, int lane, uint64_t address, uint32_t bytes) {
  if (address % bytes == 0) return true;
  w.fault(FaultKind::misaligned, in, lane, address, "atomic on an address not aligned to its " + std::to_string(bytes) + " bytes");
  return false;
}

/// Whether `bytes` of LDS at `address` may be accessed: beyond the workgroup's allocation is a
/// strict report (the access reads 0 / is dropped, false); beyond the physical LDS a fault (false).
inline bool lds_in_range(Wave& w, const Instr& in, int lane, uint64_t address, uint32_t bytes, bool write) {
  Workgroup& wg = *w.wg;
  if (address + bytes > wg.lds.size()) {
    w.fault(FaultKind::lds_out_of_range, in, lane, address,
            "LDS address beyond the " + std::to_string(wg.lds.size()) + "-byte LDS");
    return false;
  }
  if (address + bytes > wg.lds_limit) {
    if (w.strict())
      w.strict_report(FaultKind::lds_out_of_range, in, lane, address,
                      std::string(write ? "LDS store" : "LDS load") + " beyond the workgroup's allocation of " +
                          std::to_string(wg.lds_limit) + " bytes");
    return false;
  }
  return true;
}

/// LDS access: beyond the workgroup's allocation reads 0 and drops writes (and is a strict report);
/// beyond the physical LDS it is a fault. `atomic`: a DS atomic (not a data race with other atomics).
inline uint8_t* lds_pointer(Wave& w, const Instr& in, int lane, uint64_t address, uint32_t bytes, bool write,
                            bool atomic = false) {
  if (!lds_in_range(w, in, lane, address, bytes, write)) return nullptr;
  if (w.race_check) [[unlikely]]
    race_access(w, in, lane, address, bytes, atomic ? LdsAccess::atomic : write ? LdsAccess::write : LdsAccess::read);
  // gfx90a+ with ROCm's unaligned mode accepts unaligned DS reads/writes (compilers emit them);
  // only DS atomics need natural alignment (atomic_aligned()).
  return w.wg->lds.data() + address;
}

/// A lane's private (scratch) memory at `offset` in its private segment; faults past the segment.
inline uint8_t* scratch_pointer(Wave& w, const Instr& in, int lane, uint64_t offset, uint32_t bytes) {
  if (offset + bytes > w.scratch_per_lane) {
    w.fault(FaultKind::unmapped_address, in, lane, offset,
            "scratch access at offset " + std::to_string(offset) + " beyond the private segment of " +
                std::to_string(w.scratch_per_lane) + " bytes per lane");
    return nullptr;
  }
  return w.scratch.data() + size_t(lane) * w.scratch_per_lane + offset;
}

}  // namespace asmk::emu::detail
