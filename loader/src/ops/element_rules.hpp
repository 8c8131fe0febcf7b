// The element rules of an op's integer input tensors (OpElementRules; docs/op-spec.md, "Element
// rules"): expert ids in [0, E), offsets non-decreasing from 0 to a size. A kernel that trusts
// such values reads or writes where the caller never meant it to, or skips work silently; the op
// layer checks them on the host before the first launch of every call, warm ones included (the
// data changes between calls), wherever the backend can read the memory (Backend::read_settled).
//
// Cold, a call's rules are resolved into ElementChecks (bounds evaluated, the tensor's layout
// copied) kept in its selection-cache entry; warm, only the elements are read. An op without
// element rules has no checks: nothing is read, nothing costs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../backend.hpp"
#include "op_call.hpp"

namespace asmk::ops {

// One tensor's rules for one problem: its layout and the bounds' values.
struct ElementCheck {
  std::size_t tensor = 0;  // index in the op's tensors (the pointer slot)
  std::string name;
  std::uint32_t bits = 32;
  bool is_signed = true;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint64_t> strides;  // in elements, one per dimension but the last
  std::uint64_t bytes = 0;             // the extent (what is read)
  std::int64_t low = INT64_MIN, high = INT64_MAX;  // inclusive
  bool non_decreasing = false;
  std::optional<std::int64_t> first, last;
  std::string range_text;  // "[0, experts) = [0, 8)"
  std::string first_text, last_text;  // "0", "total_q = 96"
  std::string doc;
};

// The checks of a call's given tensors with element rules (an optional tensor left off has none).
std::vector<ElementCheck> element_checks(const OpCall& call);

// An element that breaks its tensor's rule.
struct ElementFault {
  enum Kind { range, order, first, last } kind = range;
  const ElementCheck* check = nullptr;
  std::uint64_t index = 0;  // flat, row-major
  std::int64_t value = 0;
  std::int64_t previous = 0;  // order: the element before it
};

// Reads each checked tensor through the backend (pointers in the op's tensor order) and returns the
// first element that breaks a rule; nullopt when all hold or the backend cannot read the memory.
std::optional<ElementFault> check_elements(const Backend& backend, std::span<const ElementCheck> checks,
                                           std::span<const void* const> pointers);

// Throws INVALID_ARGUMENT naming the op, the tensor, the element (index and value) and the rule.
[[noreturn]] void fail_elements(std::string_view op, const ElementFault& fault);

}  // namespace asmk::ops
