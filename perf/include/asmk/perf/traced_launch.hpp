// Modeling a launch of any code object, asmk's or not (`asmk run FILE.co --model MACHINE`): no
// manifest and no launch plan, only the kernel's descriptor and an emulator run of a few traced
// workgroups. The model is the one `asmk perf` uses (launch_estimate.hpp).
#pragma once

#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/launch.hpp"
#include "asmk/perf/launch_estimate.hpp"

namespace asmk::perf {

/// The workgroups traced to stand for the grid: the first one, which stands for every workgroup
/// but the last, and the last one (for a GEMM: an interior tile and the corner tile, which may be
/// ragged). One workgroup when the grid has one.
std::vector<emu::Dim3> representative_workgroups(emu::Dim3 grid);

/// Registers from the kernel descriptor (the unified file's allocation), SGPRs from the metadata
/// when present; LDS = static + dynamic bytes.
Footprint kernel_footprint(const emu::Kernel& kernel, emu::Dim3 block, uint32_t dynamic_lds);

struct TracedLaunch {
  emu::Dim3 grid;
  Footprint footprint;
  double flops = 0;             // useful math, when the caller knows it (0: not reported)
  double compulsory_bytes = 0;  // bytes that must cross HBM once (the HBM bound)
};

/// The modeled estimate of the whole launch from `report`, a launch of exactly
/// representative_workgroups(grid) with tracing on.
Expected<Estimate> estimate_traced_launch(const Machine& machine, const emu::CodeObject& code_object,
                                          const emu::Kernel& kernel, const emu::LaunchReport& report,
                                          const TracedLaunch& launch);

}  // namespace asmk::perf
