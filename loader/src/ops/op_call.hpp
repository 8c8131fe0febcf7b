// A call of an op: the caller's named arguments (asmk_op_arg) checked against the op spec and
// resolved into the values everything downstream reads — the `rules` and `requires` checks, the
// launch rules, the kernels' arguments, the cache key and the buffer checks.
//
//  - sizes: u32, required, >= 1;
//  - strides: u32, optional; 0 or absent = packed (the product of the inner extents, in elements —
//    in bytes for sub-byte dtypes); the innermost given stride must cover its row;
//  - choices: strings among the spec's values (default when absent); a choice that gives a tensor's
//    dtype is refused with UNSUPPORTED_DTYPE, any other with UNSUPPORTED_SHAPE;
//  - scalars: u32 or f32 as declared (default when absent);
//  - tensors: pointers with the caller's byte counts (0 = not known); optional ones may be absent.
// The selection cache's key is read from the raw arguments instead (call_key.hpp), so a warm
// launch builds no OpCall.
// Nothing of an argument is ever guessed: an unknown name, a wrong type or a repeated name is
// INVALID_ARGUMENT naming the op's arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../kernargs.hpp"
#include "asmk.h"
#include "op_spec.hpp"

namespace asmk::ops {

// A tensor as this call sees it.
struct CallTensor {
  const OpTensor* spec = nullptr;
  std::string_view dtype;                // resolved
  std::uint32_t bits = 0;                // per element
  std::vector<std::uint64_t> shape;      // extents
  std::vector<std::uint64_t> strides;    // resolved, one per dimension but the last (elements; bytes below 8 bits)
  std::uint64_t bytes = 0;               // the extent the kernels may touch (workspace: 0, the plan says)
  const void* pointer = nullptr;
  std::size_t caller_bytes = 0;          // 0 = not known

  // "m=64 k=7168 stride_a=7168 bf16" — words a refusal.
  std::string shape_text(const OpSpec& op) const;
};

class OpCall {
 public:
  OpCall(const OpSpec& spec, std::span<const asmk_op_arg> args, bool running);

  const OpSpec& spec() const { return spec_; }
  bool running() const { return running_; }  // a launch (not a selector call)
  // Every value by name: sizes, resolved strides, u32 scalars, constants (f32 scalars as f32),
  // and every tensor's pointer (null when absent). Kernels take their arguments from here.
  const std::vector<KernargValue>& values() const { return values_; }
  // A value as an integer for expressions: sizes, strides, scalars, constants, and choices (as
  // Expr::string_id of their value); nullopt when the name is none of them.
  std::optional<std::int64_t> integer(std::string_view name) const;
  const std::string& choice(std::string_view name) const;  // the choice's value
  const std::string* choice_if(std::string_view name) const;  // nullptr: `name` is no choice
  const std::vector<CallTensor>& tensors() const { return tensors_; }
  const CallTensor* tensor(std::string_view name) const;
  std::uint32_t size(std::string_view name) const;  // a size's value (0 when the op has no such size)

  // The bytes of workspace the caller offers a plan (selection: the byte count given; a launch:
  // 0 when the workspace pointer is null).
  std::size_t workspace_budget() const { return workspace_budget_; }

  // "m=17 n=4096 k=7168 in_dtype=fp8 out_dtype=bf16 b_layout=row" — sizes and choices.
  std::string text() const;

 private:
  const OpSpec& spec_;
  bool running_ = false;
  std::vector<KernargValue> values_;
  std::vector<std::pair<std::string, std::int64_t>> integers_;
  std::vector<std::pair<std::string_view, std::string>> choices_;
  std::vector<CallTensor> tensors_;
  std::size_t workspace_budget_ = 0;
};

}  // namespace asmk::ops
