#include "asmk/perf/traced_launch.hpp"

#include "asmk/perf/trace_ops.hpp"

namespace asmk::perf {

std::vector<emu::Dim3> representative_workgroups(emu::Dim3 grid) {
  const emu::Dim3 first{0, 0, 0};
  const emu::Dim3 last{grid.x - 1, grid.y - 1, grid.z - 1};
  if (grid.count() == 1) return {first};
  return {first, last};
}

Footprint kernel_footprint(const emu::Kernel& kernel, emu::Dim3 block, uint32_t dynamic_lds) {
  // The descriptor says what the hardware allocates: the unified VGPR file's granulated count
  // (architectural + accumulation registers; hand-written metadata is not always consistent with it).
  const emu::KernelDescriptor& kd = kernel.descriptor;
  Footprint f;
  f.vgpr = kd.vgpr_count;
  f.sgpr = kernel.sgpr_count != 0 ? kernel.sgpr_count : kd.sgpr_count;
  f.lds_bytes = kd.group_segment_fixed_size + dynamic_lds;
  f.workgroup_size = static_cast<uint32_t>(block.count());
  return f;
}

Expected<Estimate> estimate_traced_launch(const Machine& machine, const emu::CodeObject& code_object,
                                          const emu::Kernel& kernel, const emu::LaunchReport& report,
                                          const TracedLaunch& launch) {
  auto programs = programs_from_trace(code_object, kernel, report);
  if (!programs) return programs.status();
  const auto traced = representative_workgroups(launch.grid);
  if (programs->size() != traced.size())
    return Status::error("kernel " + kernel.name + ": expected traces of " + std::to_string(traced.size()) +
                         " workgroups (the first and the last), the launch recorded " +
                         std::to_string(programs->size()));
  LaunchInput input;
  input.footprint = launch.footprint;
  input.flops = launch.flops;
  input.compulsory_bytes = launch.compulsory_bytes;
  const uint64_t total = launch.grid.count();
  // programs_from_trace orders workgroups by (z, y, x): the first, then the last.
  input.classes.push_back({"first workgroup (stands for all but the last)", total - (traced.size() - 1),
                           std::move((*programs)[0])});
  if (traced.size() == 2) input.classes.push_back({"last workgroup", 1, std::move((*programs)[1])});
  return estimate_launch(machine, input);
}

}  // namespace asmk::perf
