// Before a launch runs: the dispatch's validation, the per-instruction tables the waves consult,
// and what the ROCm runtime would place in device memory (code object image, kernarg segment
// with hidden arguments, AQL dispatch packet, queue).
#pragma once

#include <string>

#include "wave.hpp"

namespace asmk::emu::detail {

/// "" when the dispatch can run, else what is wrong with it. `lds_bytes` receives the LDS it needs.
std::string validate_dispatch(const Dispatch& dispatch, const LaunchOptions& options, uint64_t& lds_bytes);

/// Fills the launch facts and per-instruction tables of `ctx` (wide-float flags, trace classes, LDS DMA use).
void prepare_context(LaunchContext& ctx, Device& device, const Dispatch& dispatch, const LaunchOptions& options,
                     uint32_t lds_bytes);

/// Device memory a launch places for the kernel: freed by release().
struct DispatchMemory {
  uint64_t image = 0, kernarg = 0, packet = 0, queue = 0;
  void release(Device& device) const;
};
/// Places the code object image, kernarg segment, dispatch packet and queue; sets their
/// addresses in `ctx`. "" on success, else why not (what was placed is freed).
std::string place_dispatch(Device& device, const Dispatch& dispatch, LaunchContext& ctx, DispatchMemory& mem);

}  // namespace asmk::emu::detail
