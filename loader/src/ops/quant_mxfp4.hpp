// The quant_mxfp4 op (gfx950; templates/quant_mxfp4): OCP MX quantization of bf16/fp16 activations to
// packed e2m1 with one e8m0 scale per 32 elements.
//
// Selection rule, among the arch's kernels with the problem's in_dtype whose `requires` hold:
//   1. fewest masked columns per row: ceil(n / n_per_wg) · n_per_wg − n;
//   2. then most busy CUs: min(workgroups, CUs);
//   3. then the largest n_per_wg.
// Launch rule: block = workgroup_size; a tile is rows = block.x · 8 / n_per_wg rows by n_per_wg
// columns; grid = (ceil(n / n_per_wg), ceil(m / rows), 1).
#pragma once

#include "../context.hpp"
#include "selection.hpp"
#include "selection_cache.hpp"

namespace asmk::quant_mxfp4 {

inline constexpr std::string_view kFamily = "quant_mxfp4";
inline constexpr std::uint32_t kBlock = 32;  // elements per e8m0 scale

Selection select(const Repository& repository, const Device& device, const asmk_quant_mxfp4_args& args);
// select() through the context's selection cache (asmk_select_quant_mxfp4).
ops::CachedOpPtr cached_select(const Context& context, const asmk_quant_mxfp4_args& args);

// Validates everything (buffers on every call), selects (or finds the cached selection), launches.
ops::CachedOpPtr run(Context& context, const asmk_quant_mxfp4_args& args, asmk_stream stream);

}  // namespace asmk::quant_mxfp4
