// The host threads of a launch: workgroups are handed out in order to a pool of runners (one
// per thread), and their statistics merged afterwards.
#pragma once

#include <memory>
#include <vector>

#include "workgroup_runner.hpp"

namespace asmk::emu::detail {

struct PoolResult {
  std::vector<std::unique_ptr<WorkgroupRunner>> runners;
  uint64_t workgroups_started = 0;
};

/// Runs the launch's workgroups (all of the grid in linear order, x fastest, or
/// options.only_workgroups in the order given) on options.threads host threads; stops handing
/// out workgroups after a fault.
PoolResult run_workgroups(LaunchContext& ctx);

/// Statistics and traces of the runners, and the kernel's footprint, into `report`.
void collect_stats(LaunchReport& report, const LaunchContext& ctx, PoolResult& pool);

}  // namespace asmk::emu::detail
