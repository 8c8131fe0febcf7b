#include "asmk/perf/occupancy.hpp"

#include <algorithm>

namespace asmk::perf {
namespace {

uint32_t round_up(uint32_t value, uint32_t granule) { return (value + granule - 1) / granule * granule; }

}  // namespace

Occupancy occupancy(const Machine& m, const Footprint& f) {
  Occupancy o;
  // The unified register file (gfx90a and later): AccVGPRs start at accum_offset (a multiple
  // of 4), so a kernel with AccVGPRs holds accum_offset + agpr registers per lane; the file is
  // allocated in granules.
  const uint32_t arch_vgprs = f.agpr == 0 ? f.vgpr : std::max(round_up(f.vgpr, 4), f.accum_offset);
  o.unified_vgprs = round_up(std::max<uint32_t>(arch_vgprs + f.agpr, 1), m.vgpr_granule);
  o.waves_per_simd_by_vgpr = std::min(m.max_waves_per_simd, m.vgprs_per_lane / o.unified_vgprs);
  o.waves_per_simd_by_sgpr =
      std::min(m.max_waves_per_simd, m.sgprs_per_simd / round_up(std::max<uint32_t>(f.sgpr, 1), m.sgpr_granule));
  o.waves_per_simd = std::min(o.waves_per_simd_by_vgpr, o.waves_per_simd_by_sgpr);

  o.waves_per_workgroup = std::max<uint32_t>(1, (f.workgroup_size + m.wave_size - 1) / m.wave_size);
  // A workgroup's waves are spread over the CU's SIMDs; the CU holds waves_per_simd x SIMDs waves.
  o.workgroups_by_waves = o.waves_per_simd * m.simds_per_cu / o.waves_per_workgroup;
  o.lds_allocated = f.lds_bytes == 0 ? 0 : round_up(f.lds_bytes, m.lds_granule_bytes);
  o.workgroups_by_lds = o.lds_allocated == 0 ? UINT32_MAX : m.lds_bytes_per_cu / o.lds_allocated;
  // Single-wave workgroups use no barrier; others need one of the CU's barriers each.
  o.workgroups_by_barriers =
      o.waves_per_workgroup == 1 ? m.max_waves_per_simd * m.simds_per_cu : m.max_workgroups_per_cu;
  o.workgroups_per_cu = std::min({o.workgroups_by_waves, o.workgroups_by_lds, o.workgroups_by_barriers});

  if (o.workgroups_per_cu == o.workgroups_by_lds && o.workgroups_by_lds < o.workgroups_by_waves)
    o.limiter = "lds";
  else if (o.workgroups_per_cu == o.workgroups_by_barriers && o.workgroups_by_barriers < o.workgroups_by_waves)
    o.limiter = "barriers";
  else if (o.waves_per_simd < m.max_waves_per_simd)
    o.limiter = o.waves_per_simd_by_vgpr <= o.waves_per_simd_by_sgpr ? "vgpr" : "sgpr";
  else
    o.limiter = "waves";
  return o;
}

}  // namespace asmk::perf
