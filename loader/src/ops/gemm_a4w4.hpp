// The gemm_a4w4 op (gfx950): MXFP4 A and B with e8m0 scales per 32 elements of K, bf16 output
// (templates/gemm_a4w4).
#pragma once

#include "../context.hpp"
#include "gemm_plan.hpp"
#include "selection_cache.hpp"

namespace asmk::gemm_a4w4 {

inline constexpr std::string_view kFamily = "gemm_a4w4";
inline constexpr std::uint32_t kScaleBlock = 32;  // elements of K per e8m0 scale

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a4w4_args& args);
// The selection for asmk_select_gemm_a4w4, through the context's selection cache.
ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_a4w4_args& args);

// Validates everything (including buffers and workspace), plans (or finds the cached plan) and launches.
ops::CachedOpPtr run(Context& context, const asmk_gemm_a4w4_args& args, asmk_stream stream);

}  // namespace asmk::gemm_a4w4
