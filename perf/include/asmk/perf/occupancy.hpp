// How many waves of a kernel fit on a SIMD and how many of its workgroups on a CU, from its
// register and LDS footprint and the machine's allocation granules (CDNA3 ISA, AMDGPUUsage).
#pragma once

#include <cstdint>
#include <string>

#include "asmk/perf/machine.hpp"

namespace asmk::perf {

struct Footprint {
  uint32_t vgpr = 0;          // architectural VGPRs per lane
  uint32_t agpr = 0;          // AccVGPRs per lane
  uint32_t accum_offset = 0;  // first AccVGPR in the unified file (multiple of 4); 0 = vgpr rounded up to 4
  uint32_t sgpr = 0;          // SGPRs per wave (including VCC and the other extra SGPRs)
  uint32_t lds_bytes = 0;     // per workgroup
  uint32_t workgroup_size = 64;  // work-items
};

struct Occupancy {
  uint32_t unified_vgprs = 0;       // registers per lane allocated, after the granule
  uint32_t waves_per_simd_by_vgpr = 0, waves_per_simd_by_sgpr = 0;
  uint32_t waves_per_simd = 0;      // min of the two and the machine maximum
  uint32_t waves_per_workgroup = 0;
  uint32_t lds_allocated = 0;       // bytes per workgroup, after the granule
  uint32_t workgroups_by_waves = 0, workgroups_by_lds = 0, workgroups_by_barriers = 0;
  uint32_t workgroups_per_cu = 0;   // 0: the kernel does not fit on a CU
  std::string limiter;              // "vgpr", "sgpr", "lds", "barriers", "waves"
};

Occupancy occupancy(const Machine& machine, const Footprint& footprint);

}  // namespace asmk::perf
