// The modeled time of a whole launch: occupancy, representative workgroups simulated on a CU,
// workgroup rounds over the CUs (list scheduling), and the global bytes against L2 and HBM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asmk/perf/cu_timeline.hpp"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/occupancy.hpp"

namespace asmk::perf {

/// Workgroups that execute the same instruction stream (e.g. interior tiles, or the ragged
/// last column of tiles), represented by one traced workgroup.
struct WorkgroupClass {
  std::string what;           // "interior", "last column", ...
  uint64_t count = 0;
  WorkgroupProgram program;
};

struct LaunchInput {
  Footprint footprint;
  std::vector<WorkgroupClass> classes;
  double flops = 0;             // useful math of the problem (2·M·N·K for a GEMM); 0 = memory op
  double compulsory_bytes = 0;  // every input read once and every output written once
  enum class Peak { bf16, fp8, fp4, none } peak = Peak::none;
};

struct Estimate {
  double time_us = 0;
  double compute_us = 0, hbm_us = 0, l2_us = 0, overhead_us = 0;
  double tflops = 0, tbps = 0;   // achieved (useful flops; compulsory bytes)
  double roofline_fraction = 0;  // achieved / min(peak, intensity x HBM bandwidth)
  std::string limiter;
  Occupancy occupancy;
  uint64_t workgroups = 0;
  uint32_t resident_per_cu = 0;  // workgroups simulated together on a CU
  double l2_bytes = 0;
  std::vector<std::string> notes;
  // The CU timeline of the workgroup class with the most CU time (the one that names a CU limiter): its cycles,
  // busy units and waits, where the time goes (asmk run --model prints it).
  CuTimeline cu;
};

Expected<Estimate> estimate_launch(const Machine& machine, const LaunchInput& input);

/// Makespan of workgroups on `slots` identical slots, in dispatch order (class by class), each
/// taking its class's duration: the rounds and the tail of a launch.
double list_schedule(const std::vector<std::pair<uint64_t, double>>& count_and_duration, uint64_t slots);

}  // namespace asmk::perf
