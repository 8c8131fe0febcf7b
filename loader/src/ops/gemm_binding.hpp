// What the per-family GEMM bindings (gemm_bf16.cpp, gemm_a8w8.cpp, gemm_a8w8_blockscale.cpp,
// gemm_a4w4.cpp) share: dtype and stride checks of the C args, planning, and the workspace check.
// A family binding only maps its args struct to a Problem, the named argument values and the
// buffer extents.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "../context.hpp"
#include "gemm_plan.hpp"

namespace asmk::gemm {

// The manifest name of a dtype among `allowed` (e.g. {ASMK_DTYPE_BF16, ASMK_DTYPE_FP32} → "bf16",
// "f32"), or UNSUPPORTED_DTYPE naming the role ("out_dtype"), the value and the allowed ones.
std::string dtype_param(std::string_view family, std::string_view role, asmk_dtype dtype,
                        std::initializer_list<asmk_dtype> allowed);

// A stride or its default (0 → packed), refused (UNSUPPORTED_SHAPE) when smaller than a row.
std::uint32_t row_stride(std::string_view family, std::string_view name, std::uint32_t given, std::uint32_t row,
                         std::string_view unit);

// What a family binding makes of its C args: the problem for the selector and every argument
// value it knows by name.
struct Binding {
  Problem problem;
  std::vector<KernargValue> values;
};

// Selects and plans (nothing is launched).
Plan plan_problem(const Repository& repository, const Device& device, Binding binding, const FamilyRules& rules,
                  const void* workspace);

// The budget a call offers for split-K: workspace_bytes, or 0 when running without a workspace.
inline std::size_t workspace_budget(bool running, const void* workspace, std::size_t workspace_bytes) {
  return running && workspace == nullptr ? 0 : workspace_bytes;
}

}  // namespace asmk::gemm
