#include "asmk/perf/launch_estimate.hpp"

#include <algorithm>
#include <functional>

namespace asmk::perf {

double list_schedule(const std::vector<std::pair<uint64_t, double>>& count_and_duration, uint64_t slots) {
  if (slots == 0) return 0;
  // Greedy list scheduling in dispatch order: each workgroup goes to the slot that frees first.
  // While every slot frees at the same time, whole rounds are added at once (same result, fast).
  std::vector<double> free_at(slots, 0.0);  // a min-heap
  const auto later = std::greater<>();
  for (const auto& [count, duration] : count_and_duration) {
    uint64_t left = count;
    const auto [lo, hi] = std::minmax_element(free_at.begin(), free_at.end());
    if (*lo == *hi && left >= slots) {
      const uint64_t rounds = left / slots;
      for (double& t : free_at) t += double(rounds) * duration;
      left -= rounds * slots;
    }
    for (; left > 0; --left) {
      std::pop_heap(free_at.begin(), free_at.end(), later);
      free_at.back() += duration;
      std::push_heap(free_at.begin(), free_at.end(), later);
    }
  }
  return *std::max_element(free_at.begin(), free_at.end());
}

Expected<Estimate> estimate_launch(const Machine& m, const LaunchInput& in) {
  Estimate e;
  e.occupancy = occupancy(m, in.footprint);
  if (e.occupancy.workgroups_per_cu == 0)
    return Status::error("the kernel does not fit on a CU of " + m.name + " (" + e.occupancy.limiter + ": " +
                         std::to_string(e.occupancy.unified_vgprs) + " VGPRs, " +
                         std::to_string(e.occupancy.lds_allocated) + " LDS bytes per workgroup)");
  for (const auto& c : in.classes) e.workgroups += c.count;
  if (e.workgroups == 0) return Status::error("the launch has no workgroups");

  // Workgroups resident together on a CU: the occupancy limit, or fewer when the grid does not fill
  // every CU that deep (then each runs with less contention).
  const uint64_t per_cu_needed = (e.workgroups + m.compute_units - 1) / m.compute_units;
  e.resident_per_cu = static_cast<uint32_t>(std::min<uint64_t>(e.occupancy.workgroups_per_cu, per_cu_needed));

  std::vector<std::pair<uint64_t, double>> schedule;
  const CuTimeline* dominant = nullptr;
  std::vector<CuTimeline> timelines;
  timelines.reserve(in.classes.size());
  double dominant_weight = -1;
  for (const auto& c : in.classes) {
    if (c.count == 0) continue;
    timelines.push_back(simulate_cu(m, c.program, e.resident_per_cu));
    const CuTimeline& t = timelines.back();
    for (const auto& name : t.unknown_mfma)
      e.notes.push_back("no MFMA cost for " + name + " on " + m.name + "; assumed 32 cycles");
    schedule.emplace_back(c.count, t.cycles);
    e.l2_bytes += double(c.count) * double(c.program.global_bytes());
    const double weight = double(c.count) * t.cycles;
    if (weight > dominant_weight) dominant_weight = weight, dominant = &t;
  }
  if (dominant != nullptr) e.cu = *dominant;
  const double makespan_cycles = list_schedule(schedule, uint64_t(m.compute_units) * e.resident_per_cu);
  e.compute_us = m.cycles_to_us(makespan_cycles);
  e.hbm_us = in.compulsory_bytes / (m.hbm_tbps * 1e6);
  e.l2_us = e.l2_bytes / (m.l2_tbps * 1e6);
  e.overhead_us = m.launch_overhead_us;
  const double body = std::max({e.compute_us, e.hbm_us, e.l2_us});
  e.time_us = body + e.overhead_us;

  if (e.overhead_us > body)
    e.limiter = "launch overhead";
  else if (body == e.hbm_us)
    e.limiter = "hbm bandwidth";
  else if (body == e.l2_us)
    e.limiter = "l2 bandwidth";
  else
    e.limiter = dominant ? dominant->limiter() : "none";
  if (e.workgroups < m.compute_units)
    e.notes.push_back(std::to_string(e.workgroups) + " workgroups for " + std::to_string(m.compute_units) + " CUs");

  const double seconds = e.time_us * 1e-6;
  e.tflops = in.flops / seconds / 1e12;
  e.tbps = in.compulsory_bytes / seconds / 1e12;
  const double peak = in.peak == LaunchInput::Peak::bf16  ? m.peak_tflops_bf16
                      : in.peak == LaunchInput::Peak::fp8 ? m.peak_tflops_fp8
                      : in.peak == LaunchInput::Peak::fp4 ? m.peak_tflops_fp4
                                                          : 0;
  if (in.flops > 0 && peak > 0 && in.compulsory_bytes > 0) {
    const double intensity = in.flops / in.compulsory_bytes;  // FLOP per byte
    const double roof = std::min(peak, intensity * m.hbm_tbps);  // TFLOP/s
    e.roofline_fraction = e.tflops / roof;
  } else {
    e.roofline_fraction = e.tbps / m.hbm_tbps;
  }
  return e;
}

}  // namespace asmk::perf
