// launch(): validates the dispatch, places what the ROCm runtime would (dispatch_setup.cpp), runs
// the workgroups on a pool of host threads (workgroup_pool.cpp; the waves of one workgroup
// interleave deterministically on one thread, workgroup_runner.cpp), and gathers statistics and
// reports in a fixed order, so results do not depend on the thread count.
#include "asmk/emu/launch.hpp"

#include <algorithm>
#include <tuple>

#include "dispatch_setup.hpp"
#include "workgroup_pool.hpp"

namespace asmk::emu {
namespace {

/// Faults and strict reports in (workgroup, wave, pc, lane) order, and the launch status.
void finish_reports(LaunchReport& report, detail::LaunchContext& ctx) {
  auto order = [](const Report& a, const Report& b) {
    return std::tie(a.workgroup.z, a.workgroup.y, a.workgroup.x, a.wave, a.pc, a.lane) <
           std::tie(b.workgroup.z, b.workgroup.y, b.workgroup.x, b.wave, b.pc, b.lane);
  };
  std::stable_sort(ctx.faults.begin(), ctx.faults.end(), order);
  std::stable_sort(ctx.strict.begin(), ctx.strict.end(), order);
  report.faults = std::move(ctx.faults);
  report.strict = std::move(ctx.strict);
  report.fault_count = ctx.fault_count;
  report.strict_count = ctx.strict_count;
  if (report.fault_count) {
    report.status = LaunchStatus::faulted;
    report.message = report.faults.empty() ? "faulted" : report.faults.front().to_string();
  }
}

}  // namespace

LaunchReport launch(Device& device, const Dispatch& dispatch, const LaunchOptions& options) {
  using namespace detail;
  LaunchReport report;
  auto invalid = [&](std::string msg) {
    report.status = LaunchStatus::invalid;
    report.message = std::move(msg);
    return report;
  };
  uint64_t lds_bytes = 0;
  if (std::string problem = validate_dispatch(dispatch, options, lds_bytes); !problem.empty()) return invalid(problem);

  LaunchContext ctx;
  prepare_context(ctx, device, dispatch, options, uint32_t(lds_bytes));
  DispatchMemory memory;
  if (std::string problem = place_dispatch(device, dispatch, ctx, memory); !problem.empty()) return invalid(problem);
  ctx.memory = device.view();  // after place_dispatch: the view holds the kernarg segment and the code image

  PoolResult pool = run_workgroups(ctx);
  collect_stats(report, ctx, pool);
  memory.release(device);
  finish_reports(report, ctx);
  return report;
}

}  // namespace asmk::emu
