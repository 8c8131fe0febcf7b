// The manifest's per-kernel `requires` rules (docs/contracts.md) checked against a problem given as
// named values: the kernel arguments the op binds (a, b, m, k, stride_a, ...) and the problem values
// that are no kernel argument (scale_block_k, ...). One checker for every family: a family with new
// rules edits no C++.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "../kernargs.hpp"
#include "../kernel.hpp"

namespace asmk::ops {

// "" when every rule holds; otherwise a one-line reason naming the first rule that does not, the
// value and the nearest valid values (e.g. "k=100 is not a positive multiple of 64 (k_multiple;
// nearest: 64 or 128)"). A null pointer passes an alignment rule (selection without buffers); a
// rule of a form libasmk does not know, or one naming a value the op does not supply, fails.
// `text_of` names the values that stand for a string (an op's choices, compared as Expr::string_id): the
// reason then says mask=packed, not the string's id.
using ValueText = std::function<const std::string*(std::string_view name)>;
std::string violated_requirement(std::span<const Requirement> rules, std::span<const KernargValue> values,
                                 const ValueText& text_of = {});

// A value of `values` as a signed 64-bit integer (nullopt: absent, a pointer, or too large).
std::optional<std::int64_t> integer_value(std::span<const KernargValue> values, std::string_view name);

// The step of the rule {arg: `arg`, multiple: step} among `rules` (`otherwise` when there is none).
std::int64_t multiple_of(std::span<const Requirement> rules, std::string_view arg, std::int64_t otherwise);

// Rules written in C++ for manifests without `requires` (see gemm_bf16.cpp).
Requirement multiple_rule(std::string name, std::string arg, std::int64_t step, std::string unit = "");
Requirement align_rule(std::string name, std::string pointer, std::int64_t align);

}  // namespace asmk::ops
