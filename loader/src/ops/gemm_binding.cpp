#include "gemm_binding.hpp"

#include <fmt/format.h>

#include "../dtype.hpp"
#include "../error.hpp"

namespace asmk::gemm {
namespace {

// Manifests spell fp32 outputs "f32" (the kernel-argument type name).
std::string manifest_name(asmk_dtype d) { return d == ASMK_DTYPE_FP32 ? "f32" : std::string(*dtype_name(d)); }

}  // namespace

std::string dtype_param(std::string_view family, std::string_view role, asmk_dtype dtype,
                        std::initializer_list<asmk_dtype> allowed) {
  std::string names;
  for (asmk_dtype d : allowed) {
    if (d == dtype) return manifest_name(d);
    names += fmt::format("{}{}", names.empty() ? "" : ", ", *dtype_name(d));
  }
  const auto name = dtype_name(dtype);
  fail(ASMK_ERROR_UNSUPPORTED_DTYPE, fmt::format("{}: {}={} is not supported; {} can be: {}", family, role,
                                                 name ? std::string(*name) : fmt::format("<unknown value {}>", int(dtype)),
                                                 role, names));
}

std::uint32_t row_stride(std::string_view family, std::string_view name, std::uint32_t given, std::uint32_t row,
                         std::string_view unit) {
  if (given == 0) return row;
  if (given < row)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {}={} {} is smaller than a row ({} {}; rows would overlap; 0 "
                                                   "means packed)", family, name, given, unit, row, unit));
  return given;
}

Plan plan_problem(const Repository& repository, const Device& device, Binding binding, const FamilyRules& rules,
                  const void* workspace) {
  binding.problem.values = binding.values;
  return make_plan(select(repository, device, binding.problem, rules), binding.problem, std::move(binding.values),
                   workspace);
}

}  // namespace asmk::gemm
