// The selection cache's key of a call, read straight from the caller's arguments (asmk_op_arg), so
// that a warm launch finds its entry without building an OpCall: no allocation, no expression
// evaluated. Per argument, in the caller's order: a hash of its name with its type, and its value —
// numbers exactly, a pointer's alignment class (selection_cache.hpp), a string's hash; plus the
// workspace's byte count (the split-K budget). The same problem given in another argument order is
// another entry, each made by the full validation.
// A hit is confirmed by the entry's ArgLayout (arg_layout.hpp).
#pragma once

#include <span>

#include "asmk.h"
#include "selection_cache.hpp"

namespace asmk::ops {

struct OpSpec;

CacheKey call_key(const OpSpec& op, Purpose purpose, std::span<const asmk_op_arg> args);

}  // namespace asmk::ops
