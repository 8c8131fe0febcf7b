// The gemm_a8w8 op: C = (A · Bᵀ) · scale_a[m] · scale_b[n] + bias[n], fp8 or int8 inputs, bf16 or
// fp16 output, B row-major or shuffled (templates/gemm_a8w8), split-K when the kernels have it.
#pragma once

#include "../context.hpp"
#include "gemm_plan.hpp"
#include "selection_cache.hpp"

namespace asmk::gemm_a8w8 {

inline constexpr std::string_view kFamily = "gemm_a8w8";

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a8w8_args& args);
// The selection for asmk_select_gemm_a8w8, through the context's selection cache.
ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_a8w8_args& args);

// Validates everything (including buffers and workspace), plans (or finds the cached plan) and launches.
ops::CachedOpPtr run(Context& context, const asmk_gemm_a8w8_args& args, asmk_stream stream);

}  // namespace asmk::gemm_a8w8
