// The measured sweep: the real launch through libasmk's C ABI on a GPU backend ("hsa" or "hip"),
// timed with the wall clock around launch + synchronize (libasmk exposes no profiling timestamps),
// warm-up launches first, then the median of N.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "asmk.h"
#include "asmk/perf/sweep.hpp"
#include "sweep_kernels.hpp"

namespace asmk::perf {
namespace {

struct ContextCloser {
  void operator()(asmk_context* c) const { asmk_close(c); }
};

std::string last_error() { return asmk_last_error() ? asmk_last_error() : "(no message)"; }

struct TimedLaunch {
  std::string kernel;
  const LaunchSpec* spec;
};

// Runs the launches (in order, sharing buffers by name) `warmup + repeats` times; returns the
// median wall-clock microseconds of one round including the final synchronize.
Expected<double> time_launches(asmk_context* ctx, const std::vector<TimedLaunch>& launches, const MeasureOptions& m) {
  std::map<std::string, void*> buffers;
  auto release = [&] {
    for (auto& [name, p] : buffers) asmk_free(ctx, p);
  };
  std::vector<std::vector<asmk_kernarg_value>> args(launches.size());
  for (size_t i = 0; i < launches.size(); ++i) {
    const LaunchSpec& l = *launches[i].spec;
    for (const auto& [name, bytes] : l.buffers) {
      if (!buffers.contains(name)) {
        void* p = nullptr;
        if (asmk_malloc(ctx, std::max<uint64_t>(bytes, 4), &p) != ASMK_SUCCESS) {
          const std::string why = last_error();
          release();
          return Status::error(fmt::format("allocating {} ({} bytes): {}", name, bytes, why));
        }
        buffers[name] = p;
      }
      asmk_kernarg_value v{};
      v.name = name.c_str();
      v.type = ASMK_VALUE_POINTER;
      v.value.pointer = buffers[name];
      args[i].push_back(v);
    }
    for (const auto& name : l.null_buffers) {
      asmk_kernarg_value v{};
      v.name = name.c_str();
      v.type = ASMK_VALUE_POINTER;
      v.value.pointer = nullptr;
      args[i].push_back(v);
    }
    for (const auto& [name, value] : l.values) {
      asmk_kernarg_value v{};
      v.name = name.c_str();
      v.type = ASMK_VALUE_U32;
      v.value.u32 = static_cast<uint32_t>(value);
      args[i].push_back(v);
    }
  }
  std::vector<double> us;
  for (unsigned round = 0; round < m.warmup + m.repeats; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < launches.size(); ++i) {
      const LaunchSpec& l = *launches[i].spec;
      const asmk_dim3 grid{l.grid.x, l.grid.y, l.grid.z}, block{l.block.x, l.block.y, l.block.z};
      if (asmk_launch_kernel(ctx, launches[i].kernel.c_str(), grid, block, args[i].data(), args[i].size(), nullptr) !=
          ASMK_SUCCESS) {
        const std::string why = last_error();
        release();
        return Status::error("launching " + launches[i].kernel + ": " + why);
      }
    }
    if (asmk_synchronize(ctx, nullptr) != ASMK_SUCCESS) {
      const std::string why = last_error();
      release();
      return Status::error("synchronizing: " + why);
    }
    const auto stop = std::chrono::steady_clock::now();
    if (round >= m.warmup) us.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
  }
  release();
  std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
  return us[us.size() / 2];
}

}  // namespace

Expected<SweepResult> measured_sweep(const SweepOptions& o, const MeasureOptions& m) {
  const auto family = find_family(o.repo, o.family);
  if (!family) return family.status();
  if (m.repeats == 0) return Status::error("--repeats must be at least 1");
  if (m.backend != "hsa" && m.backend != "hip")
    return Status::error("measuring takes backend \"hsa\" or \"hip\" (a GPU), not \"" + m.backend + "\"");
  auto kernels = sweep_kernels(o, *family);
  if (!kernels) return kernels.status();
  auto source = open_plan_source(o.repo, o.machine);
  if (!source) return source.status();

  asmk_open_options options;
  asmk_open_options_init(&options);
  options.backend = m.backend.c_str();
  if (!m.device.empty()) options.device = m.device.c_str();
  asmk_context* raw = nullptr;
  if (asmk_open(o.repo.string().c_str(), &options, &raw) != ASMK_SUCCESS)
    return Status::error(fmt::format("the {} backend is not available (measuring needs an AMD GPU with the ROCm "
                                     "runtime, {}): {}", m.backend, m.backend == "hip" ? "libamdhip64" : "libhsa-runtime64",
                                     last_error()));
  std::unique_ptr<asmk_context, ContextCloser> ctx(raw);
  asmk_device_info device{};
  asmk_device_get(ctx.get(), &device);

  SweepResult result;
  const size_t total = o.shapes.size() * kernels->size();
  size_t done = 0;
  for (const Shape& shape : o.shapes)
    for (const KernelEntry& kernel : *kernels) {
      if (o.progress) o.progress(done, total, fmt::format("{} M={} N={} K={}", kernel.name, shape.m, shape.n, shape.k));
      ++done;
      auto plans = family->plans(**source, kernel, shape);
      if (!plans) continue;  // the kernel cannot run the shape
      for (const Plan& plan : *plans) {
        const uint32_t splits = plan.k_splits;
        std::vector<TimedLaunch> launches{{kernel.name, &plan.launch}};
        if (plan.second) launches.push_back({plan.second->kernel, &plan.second->launch});
        auto us = time_launches(ctx.get(), launches, m);
        if (!us) return us.status();
        ResultRow r;
        r.family = o.family;
        r.machine = device.name ? device.name : o.machine.name;
        r.label = "measured";
        r.m = shape.m, r.n = shape.n, r.k = shape.k;
        r.kernel = kernel.name;
        r.k_splits = splits;
        r.variant = kernel.params_text() + (splits > 1 ? fmt::format(" k_splits={}", splits) : "");
        r.time_us = *us;
        r.tflops = plan.flops / (*us * 1e-6) / 1e12;
        r.tbps = plan.compulsory_bytes / (*us * 1e-6) / 1e12;
        const double peak = plan.peak == LaunchInput::Peak::bf16  ? o.machine.peak_tflops_bf16
                            : plan.peak == LaunchInput::Peak::fp8 ? o.machine.peak_tflops_fp8
                            : plan.peak == LaunchInput::Peak::fp4 ? o.machine.peak_tflops_fp4
                                                                  : 0;
        r.roofline_fraction = plan.flops > 0 && peak > 0
                                  ? r.tflops / std::min(peak, plan.flops / plan.compulsory_bytes * o.machine.hbm_tbps)
                                  : r.tbps / o.machine.hbm_tbps;
        r.workgroups = plan.launch.grid.count();
        r.flops = plan.flops;
        r.bytes = plan.compulsory_bytes;
        result.rows.push_back(std::move(r));
      }
    }
  if (o.progress) o.progress(total, total, "done");
  result.notes.push_back(fmt::format("measured on backend {} with the wall clock around launch + synchronize, median "
                                     "of {} after {} warm-up launches", m.backend, m.repeats, m.warmup));
  mark_best(result.rows);
  return result;
}

}  // namespace asmk::perf
