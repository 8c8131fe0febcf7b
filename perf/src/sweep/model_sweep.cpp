// The modeled sweep: plans, traces (cached per representative launch), estimates, rows.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "asmk/perf/sweep.hpp"
#include "sweep_kernels.hpp"

namespace asmk::perf {
namespace {

// The kernel has every filtered value (a parameter it lacks has the family's implied value).
bool matches(const KernelEntry& k, const std::map<std::string, std::string>& where,
             const std::map<std::string, std::string>& implied) {
  for (const auto& [name, value] : where) {
    const auto it = k.params.find(name);
    const auto fixed = implied.find(name);
    const std::string* have = it != k.params.end() ? &it->second : fixed != implied.end() ? &fixed->second : nullptr;
    if (have == nullptr || *have != value) return false;
  }
  return true;
}

}  // namespace

void mark_best(std::vector<ResultRow>& rows) {
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, size_t> best;
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].best = false;
    const auto key = std::make_tuple(rows[i].m, rows[i].n, rows[i].k);
    const auto it = best.find(key);
    if (it == best.end() || rows[i].time_us < rows[it->second].time_us) best[key] = i;
  }
  for (const auto& [key, index] : best) rows[index].best = true;
}

// The family's kernels on the machine's arch that pass the filters.
Expected<std::vector<KernelEntry>> sweep_kernels(const SweepOptions& o, const Family& family) {
  auto all = read_kernels(o.repo, o.machine.arch);
  if (!all) return all.status();
  auto where = family.default_where;
  for (const auto& [k, v] : o.where) where[k] = v;
  std::vector<KernelEntry> chosen;
  for (auto& k : *all)
    if (k.family == o.family && matches(k, where, family.implied)) chosen.push_back(std::move(k));
  if (chosen.empty()) {
    std::string filter;
    for (const auto& [k, v] : where) filter += fmt::format(" {}={}", k, v);
    return Status::error(fmt::format("no {} kernel for {} in {} matches{}", o.family, o.machine.arch, o.repo.string(),
                                     filter.empty() ? " (none at all)" : filter));
  }
  return chosen;
}

namespace {

// Traces are cached by kernel and representative launch: shapes that share a tile, K and split
// count share their traces.
class TraceCache {
 public:
  Expected<const WorkgroupProgram*> get(const KernelEntry& kernel, const LaunchSpec& launch) {
    const std::string key = kernel.name + " " + launch.key();
    auto it = traces_.find(key);
    if (it == traces_.end()) {
      auto program = trace_workgroup(kernel, launch);
      if (!program) return program.status();
      it = traces_.emplace(key, std::move(*program)).first;
    }
    return &it->second;
  }

 private:
  std::map<std::string, WorkgroupProgram> traces_;
};

Expected<Estimate> model_launch(const Machine& machine, TraceCache& cache, const KernelEntry& kernel,
                                const std::vector<ClassSpec>& classes, double flops, double bytes,
                                LaunchInput::Peak peak) {
  LaunchInput input;
  input.footprint = kernel.footprint;
  input.flops = flops;
  input.compulsory_bytes = bytes;
  input.peak = peak;
  for (const ClassSpec& c : classes) {
    auto program = cache.get(kernel, c.representative);
    if (!program) return program.status();
    input.classes.push_back({c.what, c.count, **program});
  }
  return estimate_launch(machine, input);
}

const KernelEntry* find_kernel(const std::vector<KernelEntry>& all, const std::string& name) {
  for (const auto& k : all)
    if (k.name == name) return &k;
  return nullptr;
}

}  // namespace

Expected<SweepResult> model_sweep(const SweepOptions& o) {
  const auto family = find_family(o.repo, o.family);
  if (!family) return family.status();
  auto kernels = sweep_kernels(o, *family);
  if (!kernels) return kernels.status();
  auto all_kernels = read_kernels(o.repo, o.machine.arch);
  if (!all_kernels) return all_kernels.status();
  auto source = open_plan_source(o.repo, o.machine);
  if (!source) return source.status();

  SweepResult result;
  TraceCache cache;
  auto note_once = [&](const std::string& note) {
    if (std::find(result.notes.begin(), result.notes.end(), note) == result.notes.end()) result.notes.push_back(note);
  };
  const size_t total = o.shapes.size() * kernels->size();
  size_t done = 0;
  for (const Shape& shape : o.shapes) {
    for (const KernelEntry& kernel : *kernels) {
      if (o.progress) o.progress(done, total, fmt::format("{} M={} N={} K={}", kernel.name, shape.m, shape.n, shape.k));
      ++done;
      auto plans = family->plans(**source, kernel, shape);
      if (!plans) {
        note_once(fmt::format("skipped {} for M={} N={} K={}: {}", kernel.name, shape.m, shape.n, shape.k, plans.error()));
        continue;
      }
      for (const Plan& plan : *plans) {
        const uint32_t splits = plan.k_splits;
        auto e = model_launch(o.machine, cache, kernel, plan.classes, plan.flops, plan.compulsory_bytes, plan.peak);
        if (!e) {
          note_once(fmt::format("skipped {} for M={} N={} K={}: {}", kernel.name, shape.m, shape.n, shape.k, e.error()));
          continue;
        }
        for (const auto& note : e->notes)
          if (note.starts_with("no MFMA cost")) note_once(note);
        double time_us = e->time_us;
        std::string limiter = e->limiter;
        if (plan.second) {
          const KernelEntry* second = find_kernel(*all_kernels, plan.second->kernel);
          if (!second) {
            note_once(fmt::format("split-K of {} not modeled: libasmk plans reduce kernel {}, which {} does not list",
                                  kernel.name, plan.second->kernel, o.repo.string()));
            continue;
          }
          auto r = model_launch(o.machine, cache, *second, plan.second->classes, 0, plan.second->compulsory_bytes,
                                LaunchInput::Peak::none);
          if (!r) return r.status();
          time_us += r->time_us;
          if (r->time_us > e->time_us) limiter = "split-K reduce (" + r->limiter + ")";
        }
        ResultRow row;
        row.family = o.family;
        row.machine = o.machine.name;
        row.label = "modeled";
        row.m = shape.m, row.n = shape.n, row.k = shape.k;
        row.kernel = kernel.name;
        row.k_splits = splits;
        row.variant = kernel.params_text() + (splits > 1 ? fmt::format(" k_splits={}", splits) : "");
        row.time_us = time_us;
        const double seconds = time_us * 1e-6;
        row.tflops = plan.flops / seconds / 1e12;
        row.tbps = plan.compulsory_bytes / seconds / 1e12;
        row.roofline_fraction = e->roofline_fraction * e->time_us / time_us;
        row.limiter = limiter;
        row.workgroups = e->workgroups;
        row.waves_per_simd = e->occupancy.waves_per_simd;
        row.workgroups_per_cu = e->occupancy.workgroups_per_cu;
        row.flops = plan.flops;
        row.bytes = plan.compulsory_bytes;
        result.rows.push_back(std::move(row));
      }
    }
  }
  if (o.progress) o.progress(total, total, "done");
  mark_best(result.rows);
  return result;
}

}  // namespace asmk::perf
