// The gemm_bf16 op: C = A · Bᵀ, bf16 inputs, bf16 or fp32 output (templates/gemm_bf16), split-K
// when the kernels have it. Selection: gemm_select.hpp.
#pragma once

#include "../context.hpp"
#include "gemm_plan.hpp"
#include "selection_cache.hpp"

namespace asmk::gemm_bf16 {

inline constexpr std::string_view kFamily = "gemm_bf16";

// The selection and named launch values for the problem, nothing launched (pointers optional:
// given ones are checked for alignment).
gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_bf16_args& args);

// The selection for asmk_select_gemm_bf16, through the context's selection cache.
ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_bf16_args& args);

// Validates everything (including buffers and workspace), plans (or finds the cached plan) and launches.
ops::CachedOpPtr run(Context& context, const asmk_gemm_bf16_args& args, asmk_stream stream);

}  // namespace asmk::gemm_bf16
