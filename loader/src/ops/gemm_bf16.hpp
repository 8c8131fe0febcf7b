// The gemm_bf16 op: C = A · Bᵀ, bf16 inputs, bf16 or fp32 output (templates/gemm_bf16), split-K
// when the kernels have it. Selection: gemm_select.hpp.
#pragma once

#include "../context.hpp"
#include "gemm_plan.hpp"

namespace asmk::gemm_bf16 {

inline constexpr std::string_view kFamily = "gemm_bf16";

// The selection and named launch values for the problem, nothing launched (pointers optional:
// given ones are checked for alignment).
gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_bf16_args& args);

// Validates everything (including buffers and workspace), plans and launches.
gemm::Plan run(Context& context, const asmk_gemm_bf16_args& args, asmk_stream stream);

}  // namespace asmk::gemm_bf16
