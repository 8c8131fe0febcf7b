// The grid and block of a launch, from the kernel's manifest launch rule evaluated with the
// problem's argument values (docs/contracts.md "Launch rule"). Every op, the kernel tests and perf
// take launches from here: no family keeps its own copy of the rule.
#pragma once

#include <span>

#include "../kernargs.hpp"
#include "../kernel.hpp"
#include "asmk.h"

namespace asmk::ops {

struct LaunchDims {
  asmk_dim3 grid{}, block{};
};

// Throws BAD_REPOSITORY when the kernel's manifest entry has no launch rule or the rule reads a
// value that is no scalar argument, and UNSUPPORTED_SHAPE when a dimension overflows or falls
// outside [1, 2^32) (the message names the kernel, the dimension and the values).
LaunchDims launch_dims(const Kernel& kernel, std::span<const KernargValue> values);

}  // namespace asmk::ops
