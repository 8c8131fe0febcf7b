// The manifest's per-kernel `requires` rules (docs/contracts.md) checked against a GEMM problem.
#pragma once

#include <span>
#include <string>

#include "gemm_problem.hpp"

namespace asmk::gemm {

// The rule names libasmk knows, in documentation order.
std::span<const std::string_view> known_requirement_names();

// "" when every rule holds for the problem; otherwise a one-line reason naming the first rule that
// does not (e.g. "k=100 is not a multiple of 64 (k_multiple; nearest: 64 or 128)"). A rule name
// libasmk does not know makes the kernel ineligible: it is never silently ignored.
std::string violated_requirement(std::span<const Requirement> rules, const Problem& problem);

// The kernel's own rules, or the family's defaults when its manifest entry has none.
std::span<const Requirement> rules_of(const Kernel& kernel, const FamilyRules& family);

}  // namespace asmk::gemm
