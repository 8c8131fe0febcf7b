// The gemm_a8w8_blockscale op: fp8 A and B with 1x128 (A) and 128x128 (B) fp32 block scales, bf16
// output (templates/gemm_a8w8_blockscale).
#pragma once

#include "../context.hpp"
#include "gemm_plan.hpp"
#include "selection_cache.hpp"

namespace asmk::gemm_a8w8_blockscale {

inline constexpr std::string_view kFamily = "gemm_a8w8_blockscale";
inline constexpr std::uint32_t kScaleBlock = 128;  // elements of K (and of N for B) per scale

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a8w8_blockscale_args& args);
// The selection for asmk_select_gemm_a8w8_blockscale, through the context's selection cache.
ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_a8w8_blockscale_args& args);

// Validates everything (including buffers and workspace), plans (or finds the cached plan) and launches.
ops::CachedOpPtr run(Context& context, const asmk_gemm_a8w8_blockscale_args& args, asmk_stream stream);

}  // namespace asmk::gemm_a8w8_blockscale
