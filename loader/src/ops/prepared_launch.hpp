// A launch packed once and replayed: the kernarg bytes of every scalar and hidden argument are
// fixed by the cached problem (shape, strides, grid), so a warm launch copies them and writes the
// call's pointers at offsets resolved once — no lookup of argument names per launch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../kernargs.hpp"
#include "../kernel.hpp"
#include "asmk.h"

namespace asmk {
class Context;
}

namespace asmk::ops {

// A kernel pointer argument filled from an op tensor of another name, `offset` bytes in (a
// pipeline stage's tensor re-bound to the pipeline's: pipeline_plan.hpp).
struct PointerBinding {
  std::string arg;     // the kernel's argument
  std::string tensor;  // the op's tensor
  std::uint64_t offset = 0;
};

// A pointer argument of the kernel: where it goes and which of the op's pointers fills it.
struct PointerSlot {
  std::uint32_t offset = 0;
  std::uint32_t source = 0;  // index into the op's pointer list
  std::uint64_t add = 0;     // bytes into that buffer (a pipeline's temporary in its workspace)
};

struct PreparedLaunch {
  const Kernel* kernel = nullptr;
  asmk_dim3 grid{}, block{};
  std::vector<std::byte> image;       // the packed kernargs; pointer slots are overwritten per launch
  std::vector<PointerSlot> pointers;
};

// Checks the launch as Context::launch does (arch, grid, block, code object, arguments pack) and
// resolves the kernel's pointer arguments to slots: each must be named in `pointer_names`
// (INTERNAL otherwise — its first value would be replayed) unless it is in `fixed_null`, which
// stay null on every launch. A pointer in `bound` is filled from the named op pointer plus its offset.
PreparedLaunch prepare_launch(Context& context, const Kernel& kernel, asmk_dim3 grid, asmk_dim3 block,
                              std::span<const KernargValue> values, std::span<const std::string_view> pointer_names,
                              std::span<const std::string_view> fixed_null = {},
                              std::span<const PointerBinding> bound = {});

// Enqueues the prepared launch with this call's pointers (in `pointer_names` order).
void launch_prepared(Context& context, const PreparedLaunch& launch, std::span<const void* const> pointers,
                     asmk_stream stream);

}  // namespace asmk::ops
