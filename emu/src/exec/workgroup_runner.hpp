// Runs the workgroups of a launch, one at a time per host thread: the initial wave state, the
// interleaving of the waves of a workgroup (deterministic turns, see run()), and the execution
// loop of one wave (a fast path, and a slow path for tracing, GPR indexing and round modes).
#pragma once

#include <vector>

#include "wave.hpp"

namespace asmk::emu::detail {

class WorkgroupRunner {
 public:
  explicit WorkgroupRunner(LaunchContext& c);
  /// Runs workgroup `id` to its end, a fault, or the launch's abort.
  void run(const Dim3& id);
  bool faulted() const;

  WaveStats stats;
  std::vector<WaveTrace> traces;

 private:
  void start_workgroup(const Dim3& id, uint32_t nwaves);
  void init_wave(Wave& w, uint32_t wave_index, const Dim3& wg_id);
  void run_wave(Wave& w);
  bool charge_launch(Wave& w, const Instr& in, uint64_t count);
  bool stopped(Wave& w, const Instr& in);
  void run_slow(Wave& w, const Instr& in);
  void run_unrounded(Wave& w, const Instr& in);
  void run_checked(Wave& w, const Instr& in);
  void run_traced(Wave& w, const Instr& in);

  LaunchContext& ctx;
  std::vector<Wave> waves;
  uint32_t nwaves = 0;
  Workgroup wg;
};

}  // namespace asmk::emu::detail
