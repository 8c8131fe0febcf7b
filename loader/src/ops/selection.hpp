// What every family's selector returns: the kernel, its launch geometry and why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../kernel.hpp"
#include "asmk.h"

namespace asmk {

// One launch of a plan, as asmk_selection reports it.
struct PlannedLaunch {
  const Kernel* kernel = nullptr;
  asmk_dim3 grid{}, block{};
};

struct Selection {
  const Kernel* kernel = nullptr;
  asmk_dim3 grid{};   // workgroups
  asmk_dim3 block{};  // work-items
  std::string reason; // one line

  // GEMM families: the split-K factor (1 = none), the fp32 workspace it needs and the kernel that
  // reduces the partials into C (null when k_splits == 1); `explain` lists every candidate with its
  // estimate, the chosen one first, and why the others were not eligible (one per line).
  std::uint32_t k_splits = 1;
  std::size_t workspace_bytes = 0;
  std::string workspace_use;  // what the workspace holds ("" = split-K partials), for refusals
  const Kernel* reduce_kernel = nullptr;
  std::string explain;
  // Every launch in order; empty for single-launch ops (then {kernel, grid, block}).
  std::vector<PlannedLaunch> launches;
};

}  // namespace asmk
