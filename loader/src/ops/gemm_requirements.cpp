#include "gemm_requirements.hpp"

#include <array>

#include <fmt/format.h>

#include "../nearest.hpp"

namespace asmk::gemm {
namespace {

// docs/contracts.md, `requires`.
constexpr std::array<std::string_view, 8> kKnown = {"k_multiple",        "n_multiple",    "m_multiple",
                                                    "row_align_bytes",   "c_stride_multiple",
                                                    "c_align_bytes",     "scale_block_k", "scale_block_n"};

std::string nearest_multiples(std::uint64_t value, std::uint64_t step) {
  const std::uint64_t below = value / step * step, above = below + step;
  return below == 0 ? fmt::format("nearest: {}", above) : fmt::format("nearest: {} or {}", below, above);
}

std::string check_multiple(std::string_view what, std::uint64_t value, std::int64_t step, std::string_view rule) {
  if (step <= 1) return "";
  if (value >= std::uint64_t(step) && value % step == 0) return "";
  return fmt::format("{}={} is not a positive multiple of {} ({}; {})", what, value, step, rule,
                     nearest_multiples(value, step));
}

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

std::string check_aligned(std::string_view what, const void* pointer, std::int64_t align, std::string_view rule) {
  if (align <= 1 || pointer == nullptr || address(pointer) % align == 0) return "";
  return fmt::format("{} pointer {} is not {}-byte aligned ({})", what, pointer, align, rule);
}

std::string check_stride(std::string_view what, std::uint64_t stride, std::int64_t step, std::string_view unit,
                         std::string_view rule) {
  if (step <= 1 || stride % step == 0) return "";
  return fmt::format("{}={} {} is not a multiple of {} ({})", what, stride, unit, step, rule);
}

std::string check_scale_block(std::string_view axis, std::uint32_t given, std::int64_t kernel_block,
                              std::string_view rule) {
  if (given == std::uint64_t(kernel_block)) return "";
  if (given == 0) return fmt::format("the kernel is block-scaled ({}={}), the problem has no block scales", rule, kernel_block);
  return fmt::format("the kernel's scales cover {} elements of {} ({}), the problem's cover {}", kernel_block, axis,
                     rule, given);
}

std::string check_one(const Requirement& r, const Problem& p) {
  const std::string_view name = r.name;
  const auto& l = p.layout;
  if (name == "k_multiple") return check_multiple("k", p.k, r.value, name);
  if (name == "n_multiple") return check_multiple("n", p.n, r.value, name);
  if (name == "m_multiple") return check_multiple("m", p.m, r.value, name);
  if (name == "row_align_bytes") {
    for (const auto& reason : {check_stride("stride_a", l.stride_a_bytes, r.value, "bytes", name),
                               check_stride("stride_b", l.stride_b_bytes, r.value, "bytes", name),
                               check_aligned("a", l.a, r.value, name), check_aligned("b", l.b, r.value, name)})
      if (!reason.empty()) return reason;
    return "";
  }
  if (name == "c_stride_multiple") return check_stride("stride_c", l.stride_c, r.value, "elements", name);
  if (name == "c_align_bytes") return check_aligned("c", l.c, r.value, name);
  if (name == "scale_block_k") return check_scale_block("K", p.scale_block_k, r.value, name);
  if (name == "scale_block_n") return check_scale_block("N", p.scale_block_n, r.value, name);
  return fmt::format("requires '{}'={}, a rule this libasmk does not know (it knows: {})", r.name, r.value,
                     join_names(std::vector<std::string>(kKnown.begin(), kKnown.end())));
}

}  // namespace

std::span<const std::string_view> known_requirement_names() { return kKnown; }

std::string violated_requirement(std::span<const Requirement> rules, const Problem& problem) {
  for (const auto& r : rules)
    if (auto reason = check_one(r, problem); !reason.empty()) return reason;
  return "";
}

std::span<const Requirement> rules_of(const Kernel& kernel, const FamilyRules& family) {
  if (!kernel.requirements.empty()) return kernel.requirements;
  return family.default_requirements;
}

}  // namespace asmk::gemm
