// Running an op by name through its spec: the call is checked (op_call.hpp), planned once per
// distinct problem (op_plan.hpp, kept in the context's selection cache), every tensor is checked
// against the caller's byte count and the backend's allocation, and the plan's prepared launches
// are enqueued with this call's pointers. Every op — the typed C entry points and asmk_run_op —
// runs through here: no op has code of its own.
#pragma once

#include <span>
#include <string_view>

#include "../context.hpp"
#include "selection_cache.hpp"
#include "op_spec.hpp"

namespace asmk::ops {

// The op spec for the context's device arch; UNKNOWN_FAMILY naming the ops that exist.
const OpSpec& find_op(const Context& context, std::string_view name);

// The selection (cached) of a call; pointers are optional (given ones are checked for alignment).
CachedOpPtr select_op(const Context& context, const OpSpec& op, std::span<const asmk_op_arg> args);

// Validates, selects (cached), checks every buffer, then launches the plan on the stream.
CachedOpPtr run_op(Context& context, const OpSpec& op, std::span<const asmk_op_arg> args, asmk_stream stream);

}  // namespace asmk::ops
