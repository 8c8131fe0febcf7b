// One compute unit running a set of resident workgroups: an issue timeline per wave with pipe
// costs, MFMA dependency latencies, s_waitcnt stalls against a memory latency model, barriers,
// and the CU-shared LDS and vector-memory bandwidth. Deterministic: same programs, same result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asmk/perf/machine.hpp"
#include "asmk/perf/wave_ops.hpp"

namespace asmk::perf {

struct CuTimeline {
  double cycles = 0;  // from the first issue to the last wave's end
  // Busy cycles of each unit (per-SIMD units: the busiest SIMD).
  double mfma_busy = 0, valu_busy = 0, salu_busy = 0, lds_busy = 0, vmem_busy = 0;
  // Cycles waves spent waiting, summed over waves.
  double wait_vm = 0, wait_lgkm = 0, wait_barrier = 0, wait_dependency = 0;
  uint64_t instructions = 0, waves = 0;
  std::vector<std::string> unknown_mfma;  // MFMA mnemonics without a cost in the machine (assumed 32 cycles)

  /// The unit or stall that bounds this timeline: "mfma", "valu", "salu", "lds", "vmem issue",
  /// "memory latency", "lds/scalar latency", "barrier", "mfma dependency".
  std::string limiter() const;
};

/// Runs `copies` copies of the workgroup concurrently on one CU (the copies start together).
CuTimeline simulate_cu(const Machine& machine, const WorkgroupProgram& workgroup, uint32_t copies);

}  // namespace asmk::perf
