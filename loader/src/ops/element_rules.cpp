#include "element_rules.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../error.hpp"

namespace asmk::ops {
namespace {

// A bound's value, and its text: "0", or "experts = 8" when it is not a plain number.
struct Bound {
  std::int64_t value = 0;
  std::string text;
};

Bound evaluate(const OpCall& call, const OpTensor& t, const Expr& expr, std::string_view key) {
  Bound b;
  try {
    b.value = expr.evaluate([&](std::string_view name) { return call.integer(name); });
  } catch (const ExprError& e) {
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: tensors.{}.elements.{} '{}': {}", call.spec().name, t.name,
                                                key, expr.text(), e.what()));
  }
  b.text = expr.text() == std::to_string(b.value) ? expr.text() : fmt::format("{} = {}", expr.text(), b.value);
  return b;
}

std::string range_text(const std::optional<Bound>& min, const std::optional<Bound>& max, bool exclusive) {
  const char* close = exclusive ? ")" : "]";
  if (min && max) {
    const bool plain = min->text == std::to_string(min->value) && max->text == std::to_string(max->value);
    const auto expr = [](const Bound& b) { return b.text.substr(0, b.text.find(" = ")); };
    return plain ? fmt::format("[{}, {}{}", min->value, max->value, close)
                 : fmt::format("[{}, {}{} = [{}, {}{}", expr(*min), expr(*max), close, min->value, max->value, close);
  }
  if (min) return fmt::format(">= {}", min->text);
  if (max) return fmt::format("{} {}", exclusive ? "<" : "<=", max->text);
  return "";
}

std::int64_t element_at(const std::byte* base, std::uint64_t offset, std::uint32_t bits, bool is_signed) {
  if (bits == 8) {
    const auto byte = std::to_integer<std::uint8_t>(base[offset]);
    return is_signed ? std::int64_t(std::int8_t(byte)) : std::int64_t(byte);
  }
  std::int32_t v = 0;
  std::memcpy(&v, base + offset * 4, 4);
  return v;
}

// The element offset (in elements) of the row-major flat index.
std::uint64_t offset_of(const ElementCheck& c, std::uint64_t flat) {
  std::uint64_t offset = 0;
  for (std::size_t d = c.shape.size(); d-- > 0;) {
    const std::uint64_t i = flat % c.shape[d];
    flat /= c.shape[d];
    offset += d + 1 == c.shape.size() ? i : i * c.strides[d];
  }
  return offset;
}

std::string index_text(const ElementCheck& c, std::uint64_t flat) {
  std::vector<std::uint64_t> index(c.shape.size());
  for (std::size_t d = c.shape.size(); d-- > 0;) {
    index[d] = flat % c.shape[d];
    flat /= c.shape[d];
  }
  return fmt::format("{}[{}]", c.name, fmt::join(index, ", "));
}

}  // namespace

std::vector<ElementCheck> element_checks(const OpCall& call) {
  std::vector<ElementCheck> out;
  for (std::size_t i = 0; i < call.tensors().size(); ++i) {
    const CallTensor& ct = call.tensors()[i];
    const OpTensor& t = *ct.spec;
    if (!t.elements || ct.bytes == 0) continue;  // a null pointer (optional, left off) is skipped per call
    const OpElementRules& rules = *t.elements;
    ElementCheck c;
    c.tensor = i;
    c.name = t.name;
    c.bits = ct.bits;
    c.is_signed = ct.dtype != "u8";
    c.shape = ct.shape;
    c.strides = ct.strides;  // elements: the rules' dtypes are whole bytes
    c.bytes = ct.bytes;
    c.non_decreasing = rules.non_decreasing;
    c.doc = rules.doc;
    std::optional<Bound> min, max;
    if (rules.min) min = evaluate(call, t, *rules.min, "min");
    if (rules.max) max = evaluate(call, t, *rules.max, "max");
    if (rules.below) max = evaluate(call, t, *rules.below, "below");
    if (min) c.low = min->value;
    if (max) c.high = rules.below && max->value > INT64_MIN ? max->value - 1 : max->value;
    if (rules.below && max->value == INT64_MIN) c.low = INT64_MAX;  // below the least integer: nothing passes
    c.range_text = range_text(min, max, rules.below.has_value());
    if (rules.first) {
      const Bound b = evaluate(call, t, *rules.first, "first");
      c.first = b.value, c.first_text = b.text;
    }
    if (rules.last) {
      const Bound b = evaluate(call, t, *rules.last, "last");
      c.last = b.value, c.last_text = b.text;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<ElementFault> check_elements(const Backend& backend, std::span<const ElementCheck> checks,
                                           std::span<const void* const> pointers) {
  // The elements are read through a window of at most kWindowBytes, in row-major order (their offsets
  // never decrease): the host memory this takes is bounded whatever the tensor's size or the caller's
  // claim (a whole-tensor copy sized by the claim once took gigabytes).
  constexpr std::uint64_t kWindowBytes = std::uint64_t{1} << 20;
  std::vector<std::byte> window;
  for (const ElementCheck& c : checks) {
    const auto* base = static_cast<const std::byte*>(pointers[c.tensor]);
    if (base == nullptr) continue;  // an optional tensor left off (a required one was refused before)
    std::uint64_t count = 1;
    for (const std::uint64_t e : c.shape) count *= e;
    if (count == 0) continue;
    const std::uint64_t element_bytes = c.bits / 8;  // the rules' dtypes are whole bytes
    const std::uint64_t extent = (offset_of(c, count - 1) + 1) * element_bytes;
    if (extent > c.bytes) continue;  // a buffer smaller than its shape was refused before
    std::uint64_t window_start = 0, window_end = 0;
    std::int64_t previous = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t at = offset_of(c, i) * element_bytes;
      if (i == 0 || at + element_bytes > window_end) {
        window_start = at;
        window_end = std::min(extent, at + kWindowBytes);
        window.resize(window_end - window_start);
        if (!backend.read_settled(base + window_start, window)) break;  // not readable now: unchecked (docs/op-spec.md)
      }
      const std::int64_t v = element_at(window.data(), (at - window_start) / element_bytes, c.bits, c.is_signed);
      if (v < c.low || v > c.high) return ElementFault{ElementFault::range, &c, i, v};
      if (c.non_decreasing && i > 0 && v < previous) return ElementFault{ElementFault::order, &c, i, v, previous};
      if (i == 0 && c.first && v != *c.first) return ElementFault{ElementFault::first, &c, i, v};
      if (i + 1 == count && c.last && v != *c.last) return ElementFault{ElementFault::last, &c, i, v};
      previous = v;
    }
  }
  return std::nullopt;
}

void fail_elements(std::string_view op, const ElementFault& f) {
  const ElementCheck& c = *f.check;
  const std::string element = fmt::format("{} (element {})", index_text(c, f.index), f.index);
  const std::string what = c.doc.empty() ? "" : fmt::format(" ({} holds {})", c.name, c.doc);
  std::string rule;
  switch (f.kind) {
    case ElementFault::range:  // "outside [0, 8)" for a range, "not <= 1" for one bound
      rule = fmt::format("{} {}", c.range_text.starts_with('[') ? "outside" : "not", c.range_text);
      break;
    case ElementFault::order:
      rule = fmt::format("below the element before it ({}): {} must be non-decreasing", f.previous, c.name);
      break;
    case ElementFault::first: rule = fmt::format("not {}: the first element must be {}", c.first_text, c.first_text); break;
    case ElementFault::last: rule = fmt::format("not {}: the last element must be {}", c.last_text, c.last_text); break;
  }
  fail(ASMK_ERROR_INVALID_ARGUMENT,
       fmt::format("{}: {} is {}, {}{}; nothing was launched", op, element, f.value, rule, what));
}

}  // namespace asmk::ops
