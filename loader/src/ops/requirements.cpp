#include "requirements.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <variant>

#include <fmt/format.h>

namespace asmk::ops {
namespace {

std::string nearest_multiples(std::uint64_t value, std::uint64_t step) {
  const std::uint64_t below = value / step * step, above = below + step;
  return below == 0 ? fmt::format("nearest: {}", above) : fmt::format("nearest: {} or {}", below, above);
}

const KernargValue* find(std::span<const KernargValue> values, std::string_view name) {
  for (const auto& v : values)
    if (v.name == name) return &v;
  return nullptr;
}

std::string missing(const Requirement& r) {
  return fmt::format("requires {} on '{}', a value the op does not supply", r.name, r.subject);
}

// A size (no unit) must be a positive multiple; a stride (a unit) only divisible: 0 never reaches
// here (the ops resolve a 0 stride to the packed one first).
std::string check_multiple(const Requirement& r, std::span<const KernargValue> values) {
  const auto value = integer_value(values, r.subject);
  if (!value) return missing(r);
  const std::int64_t v = *value, step = r.value;
  if (r.unit.empty()) {
    if (v >= step && v % step == 0) return "";
    return fmt::format("{}={} is not a positive multiple of {} ({}; {})", r.subject, v, step, r.name,
                       nearest_multiples(static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0)), step));
  }
  if (v % step == 0) return "";
  return fmt::format("{}={} {} is not a multiple of {} ({}); {}", r.subject, v, r.unit, step, r.name,
                     nearest_multiples(static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0)), step));
}

std::string check_align(const Requirement& r, std::span<const KernargValue> values) {
  const KernargValue* v = find(values, r.subject);
  if (v == nullptr || !std::holds_alternative<const void*>(v->value)) return missing(r);
  const void* pointer = std::get<const void*>(v->value);
  if (pointer == nullptr || reinterpret_cast<std::uintptr_t>(pointer) % static_cast<std::uint64_t>(r.value) == 0)
    return "";
  return fmt::format("{} pointer {} is not {}-byte aligned ({})", r.subject, pointer, r.value, r.name);
}

std::string check_equals(const Requirement& r, std::span<const KernargValue> values) {
  const auto value = integer_value(values, r.subject);
  if (!value) return missing(r);
  if (*value == r.value) return "";
  return fmt::format("{}={} differs from the kernel's {} ({})", r.subject, *value, r.value, r.name);
}

std::string check_expr(const Requirement& r, std::span<const KernargValue> values, const ValueText& text_of) {
  const auto lookup = [&](std::string_view name) { return integer_value(values, name); };
  std::int64_t holds = 0;
  try {
    holds = r.expr.evaluate(lookup);
  } catch (const ExprError& e) {
    return fmt::format("{} ({}) cannot be checked: {}", r.name, r.reason, e.what());
  }
  if (holds != 0) return "";
  std::string given;
  for (const auto& name : r.expr.names())
    if (auto v = lookup(name)) {
      const std::string* text = text_of ? text_of(name) : nullptr;
      given += fmt::format("{}{}={}", given.empty() ? "" : " ", name, text ? *text : std::to_string(*v));
    }
  return fmt::format("{} does not hold for {} ({}; {})", r.expr.text(), given, r.name, r.reason);
}

}  // namespace

std::optional<std::int64_t> integer_value(std::span<const KernargValue> values, std::string_view name) {
  const KernargValue* v = find(values, name);
  if (v == nullptr) return std::nullopt;
  return std::visit(
      [](auto x) -> std::optional<std::int64_t> {
        using T = decltype(x);
        if constexpr (std::is_same_v<T, const void*> || std::is_same_v<T, float>) return std::nullopt;
        else if constexpr (std::is_same_v<T, std::uint64_t>) {
          if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
          return static_cast<std::int64_t>(x);
        } else return static_cast<std::int64_t>(x);
      },
      v->value);
}

std::string violated_requirement(std::span<const Requirement> rules, std::span<const KernargValue> values,
                                 const ValueText& text_of) {
  for (const auto& r : rules) {
    std::string why;
    switch (r.kind) {
      case Requirement::Kind::multiple: why = check_multiple(r, values); break;
      case Requirement::Kind::align: why = check_align(r, values); break;
      case Requirement::Kind::equals: why = check_equals(r, values); break;
      case Requirement::Kind::expr: why = check_expr(r, values, text_of); break;
      case Requirement::Kind::unknown:
        why = fmt::format("requires {}, a rule this libasmk does not know (it knows: {{arg, multiple}}, "
                          "{{pointer, align}}, {{value, equals}}, {{expr, reason}})", r.reason);
        break;
    }
    if (!why.empty()) return why;
  }
  return "";
}

std::int64_t multiple_of(std::span<const Requirement> rules, std::string_view arg, std::int64_t otherwise) {
  for (const auto& r : rules)
    if (r.kind == Requirement::Kind::multiple && r.subject == arg) return r.value;
  return otherwise;
}

Requirement multiple_rule(std::string name, std::string arg, std::int64_t step, std::string unit) {
  Requirement r;
  r.kind = Requirement::Kind::multiple;
  r.name = std::move(name);
  r.subject = std::move(arg);
  r.value = step;
  r.unit = std::move(unit);
  return r;
}

Requirement align_rule(std::string name, std::string pointer, std::int64_t align) {
  Requirement r;
  r.kind = Requirement::Kind::align;
  r.name = std::move(name);
  r.subject = std::move(pointer);
  r.value = align;
  return r;
}

}  // namespace asmk::ops
