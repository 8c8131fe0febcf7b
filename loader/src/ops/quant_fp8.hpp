// The quant_fp8 op (contract: docs/contracts.md): validation, selection and launch.
//
// Selection rule, among the arch's kernels with the problem's in_dtype and granularity:
//   1. fewest masked lanes: ceil(n / n_per_wg) * n_per_wg - n elements of the last chunk of
//      each row are padding that the kernel loads and discards;
//   2. then most busy CUs: min(workgroups, CUs), so a small problem spreads over the device;
//   3. then the largest n_per_wg: fewer, larger workgroups amortise the per-workgroup
//      prologue and the cross-lane reduction.
#pragma once

#include "../context.hpp"
#include "selection.hpp"
#include "selection_cache.hpp"

namespace asmk::quant_fp8 {

inline constexpr std::string_view kFamily = "quant_fp8";
inline constexpr std::uint32_t kGroupSize = 128;  // elements per scale in "group" granularity

// Throws on an unsupported dtype or shape (nothing about pointers).
Selection select(const Repository& repository, const Device& device, const asmk_quant_fp8_args& args);

// select() through the context's selection cache (asmk_select_quant_fp8).
ops::CachedOpPtr cached_select(const Context& context, const asmk_quant_fp8_args& args);

// Validates everything (including buffers, on every call), selects (or finds the cached
// selection) and launches.
ops::CachedOpPtr run(Context& context, const asmk_quant_fp8_args& args, asmk_stream stream);

}  // namespace asmk::quant_fp8
