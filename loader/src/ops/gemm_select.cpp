#include "gemm_select.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "requirements.hpp"
#include "tuned_table.hpp"
#include "untuned_log.hpp"

namespace asmk::gemm {

std::string param_text(const Kernel& k, const WantedParam& w) {
  if (const ParamValue* v = k.param(w.name)) return to_string(*v);
  return w.implied;
}

namespace {

bool matches(const Kernel& k, const Problem& p) {
  return std::all_of(p.wanted.begin(), p.wanted.end(), [&](const WantedParam& w) { return param_text(k, w) == w.value; });
}

std::int64_t int_param(const Kernel& k, std::string_view name) {
  const ParamValue* v = k.param(name);
  if (v == nullptr || !std::holds_alternative<std::int64_t>(*v) || std::get<std::int64_t>(*v) <= 0) return 0;
  return std::get<std::int64_t>(*v);
}

// The kernel's own rules, or the family's defaults when its manifest entry has none.
std::span<const Requirement> rules_of(const Kernel& kernel, const FamilyRules& family) {
  if (!kernel.requirements.empty()) return kernel.requirements;
  return family.default_requirements;
}

// The problem's values with k_splits (and a placeholder workspace) set for one candidate.
std::vector<KernargValue> with_splits(const Problem& p, std::uint32_t k_splits) {
  std::vector<KernargValue> values = p.values;
  values.push_back({"k_splits", k_splits});
  return values;
}

bool has_split_k_arguments(const Kernel& k) { return k.kernarg("workspace") && k.kernarg("k_splits"); }

// The family's kernels on the arch, or an error naming where the family exists.
std::vector<const Kernel*> family_on_arch(const Repository& repo, const Device& device, const Problem& p) {
  auto kernels = repo.family_kernels(p.family, device.arch);
  if (!kernels.empty()) return kernels;
  const auto arches = repo.arches_of_family(p.family);
  if (arches.empty())
    fail(ASMK_ERROR_UNKNOWN_FAMILY,
         fmt::format("no kernel of family {} for {} ({}) in repository {}: the family is not there (families that "
                     "exist: {})", p.family, device.arch, device.name, repo.root().string(), join_names(repo.families())));
  fail(ASMK_ERROR_UNSUPPORTED_DTYPE,
       fmt::format("no kernel of family {} for {} ({}) supports {}: the family exists for {} only", p.family,
                   device.arch, device.name, p.text(), join_names(arches)));
}

// "in_dtype=fp8 out_dtype=bf16 b_layout=row (6 kernels); ..." — the combinations that exist.
std::string combinations(const std::vector<const Kernel*>& kernels, const Problem& p) {
  std::map<std::string, int> counts;
  for (const Kernel* k : kernels) {
    std::string text;
    for (const auto& w : p.wanted) text += fmt::format("{}{}={}", text.empty() ? "" : " ", w.name, param_text(*k, w));
    ++counts[text];
  }
  std::string out;
  for (const auto& [text, count] : counts)
    out += fmt::format("{}{} ({} kernel{})", out.empty() ? "" : "; ", text, count, count == 1 ? "" : "s");
  return out;
}

const Kernel* reduce_kernel(const Repository& repo, const Device& device, const Problem& p) {
  for (const Kernel* k : repo.family_kernels(kReduceFamily, device.arch))
    if (const ParamValue* v = k->param("out_dtype"); v && to_string(*v) == p.out_dtype()) return k;
  return nullptr;
}

// Why k_splits > 1 is not possible for this candidate ("" = possible).
std::string split_refusal(const Candidate& c, const Problem& p, const Device& device, std::int64_t k_step,
                          const Kernel* reduce) {
  const std::uint64_t tiles = ceil_div(p.m, c.m_tile) * ceil_div(p.n, c.n_tile);
  if (!has_split_k_arguments(*c.kernel)) return "the kernel has no split-K arguments (workspace, k_splits)";
  if (tiles >= device.compute_units)
    return fmt::format("{} tiles already cover the {} CUs (split-K is considered below that)", tiles, device.compute_units);
  // Nor beyond the factor that covers them. This is the one split-K rule: `asmk perf` models the factors
  // accepted here (perf/src/sweep/families.cpp splits_to_model).
  if (tiles * (c.k_splits / 2) >= device.compute_units)
    return fmt::format("{} tiles in {} splits: {} splits already cover the {} CUs", tiles, c.k_splits, c.k_splits / 2,
                       device.compute_units);
  // The kernels give split z the K steps [z·kc, (z+1)·kc) with kc = ceil(steps / k_splits): every
  // split must get at least one step, or its workgroups only write zeros.
  const std::uint64_t steps = p.k / k_step, chunk = ceil_div(steps, c.k_splits);
  if ((c.k_splits - 1) * chunk >= steps)
    return fmt::format("k={} has {} K steps of {}: too few for {} splits of at least one step each", p.k, steps,
                       k_step, c.k_splits);
  // A chunk this short saves less K-loop latency than the reduce launch costs (gemm_cost.hpp).
  if (chunk * k_step < kMinSplitChunk)
    return fmt::format("k={} in {} splits gives chunks of {}, below {}", p.k, c.k_splits, chunk * k_step,
                       kMinSplitChunk);
  if (reduce == nullptr)
    return fmt::format("no {} kernel with out_dtype={} for {}", kReduceFamily, p.out_dtype(), device.arch);
  if (auto why = ops::violated_requirement(reduce->requirements, with_splits(p, c.k_splits)); !why.empty())
    return fmt::format("the reduce kernel {} refuses the problem: {}", reduce->name, why);
  if (const auto need = workspace_bytes(p.m, p.n, c.k_splits); need > p.workspace_budget)
    return fmt::format("needs {} bytes of workspace, the caller offers {}", need, p.workspace_budget);
  return "";
}

bool better(const Candidate& l, const Candidate& r) {
  if (l.cost.total_us != r.cost.total_us) return l.cost.total_us < r.cost.total_us;
  if (l.k_splits != r.k_splits) return l.k_splits < r.k_splits;
  if (l.cost.tile_efficiency != r.cost.tile_efficiency) return l.cost.tile_efficiency > r.cost.tile_efficiency;
  if (l.m_tile * l.n_tile != r.m_tile * r.n_tile) return l.m_tile * l.n_tile > r.m_tile * r.n_tile;
  return l.kernel->name < r.kernel->name;
}

[[noreturn]] void fail_no_eligible(const Problem& p, const Device& device, const std::vector<Candidate>& all) {
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& c : all) by_reason[c.rejected].push_back(fmt::format("{} k_splits={}", c.kernel->name, c.k_splits));
  std::string reasons;
  for (const auto& [reason, who] : by_reason)
    reasons += fmt::format("{}{} ({})", reasons.empty() ? "" : "; ", reason,
                           who.size() == 1 ? who.front() : fmt::format("{} candidates", who.size()));
  fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("no kernel of family {} for {} ({}) supports {}: {}", p.family,
                                                 device.arch, device.name, p.text(), reasons));
}

std::string percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100.0); }

}  // namespace

std::string Candidate::describe() const {
  if (!rejected.empty()) return fmt::format("{} k_splits={}: not eligible: {}", kernel->name, k_splits, rejected);
  return fmt::format(
      "{} k_splits={}: {:.2f} us = max(compute {:.2f}, memory {:.2f}) + split-K {:.2f}; {} tiles of {}x{} "
      "(efficiency {}), {} workgroups, {} per CU, {} round{}, {} idle CUs in the last; {} K steps per wave "
      "(latency {:.2f} us a round)",
      kernel->name, k_splits, cost.total_us, cost.compute_us, cost.memory_us, cost.split_k_us, cost.tiles, m_tile,
      n_tile, percent(cost.tile_efficiency), cost.workgroups, cost.per_cu, cost.rounds, cost.rounds == 1 ? "" : "s",
      cost.idle_cus, cost.k_steps, cost.latency_us);
}

std::string Choice::explain() const {
  std::string text;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    text += fmt::format("{} {}\n", i == 0 ? "*" : candidates[i].rejected.empty() ? " " : "x", candidates[i].describe());
  return text;
}

Choice select(const Repository& repo, const Device& device, const Problem& p, const FamilyRules& family_rules) {
  if (p.m == 0 || p.n == 0 || p.k == 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {} has an empty dimension; m, n and k must be >= 1", p.family, p.text()));
  if (p.forced_k_splits != 0 && std::find(std::begin(kSplitFactors), std::end(kSplitFactors), p.forced_k_splits) ==
                                    std::end(kSplitFactors))
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("{}: k_splits={} is not one of 1, 2, 4, 8 (0 = let the selector choose)", p.family, p.forced_k_splits));

  const auto family = family_on_arch(repo, device, p);
  std::vector<const Kernel*> kernels;
  for (const Kernel* k : family)
    if (matches(*k, p)) kernels.push_back(k);
  if (kernels.empty())
    fail(ASMK_ERROR_UNSUPPORTED_DTYPE,
         fmt::format("no kernel of family {} for {} ({}) supports {}; what exists: {}", p.family, device.arch,
                     device.name, p.text(), combinations(family, p)));

  const Kernel* reduce = reduce_kernel(repo, device, p);
  std::vector<Candidate> eligible, rejected;
  for (const Kernel* k : kernels) {
    Candidate base{k, static_cast<std::uint32_t>(int_param(*k, "m_tile")), static_cast<std::uint32_t>(int_param(*k, "n_tile")), 1, {}, ""};
    const auto rules = rules_of(*k, family_rules);
    if (base.m_tile == 0 || base.n_tile == 0) base.rejected = "the manifest gives no positive m_tile and n_tile";
    else base.rejected = ops::violated_requirement(rules, with_splits(p, 1));
    const std::int64_t k_step = std::max<std::int64_t>(1, ops::multiple_of(rules, "k", 1));
    for (std::uint32_t s : kSplitFactors) {
      if (p.forced_k_splits != 0 && s != p.forced_k_splits) continue;
      Candidate c = base;
      c.k_splits = s;
      if (c.rejected.empty() && s > 1) c.rejected = ops::violated_requirement(rules, with_splits(p, s));
      if (c.rejected.empty() && s > 1) c.rejected = split_refusal(c, p, device, k_step, reduce);
      if (!c.rejected.empty()) {
        // Keep the list short: list split factors only when they were asked for or are plausible.
        const bool listed = s == 1 || p.forced_k_splits == s ||
                            (base.rejected.empty() && has_split_k_arguments(*k) &&
                             ceil_div(p.m, c.m_tile) * ceil_div(p.n, c.n_tile) < device.compute_units);
        if (listed) rejected.push_back(std::move(c));
        continue;
      }
      c.cost = estimate(p, device, *k, c.m_tile, c.n_tile, s, static_cast<std::uint64_t>(k_step));
      eligible.push_back(std::move(c));
    }
  }
  if (eligible.empty()) fail_no_eligible(p, device, rejected);
  std::sort(eligible.begin(), eligible.end(), better);

  Choice choice;
  std::size_t pick = 0;
  std::string source = "least estimated time";
  const auto tuned = lookup_tuned(repo.root(), device.arch, device.compute_units, p.family, p.m, p.n, p.k);
  const std::string table = std::filesystem::path(tuned.file).filename().string();  // short: the reason has 511 chars
  if (!tuned.rows.empty()) {
    // The first row (later rows of the file first) whose kernel and split factor are eligible.
    const Candidate* hit = nullptr;
    const TunedChoice* used = nullptr;
    for (const TunedChoice& row : tuned.rows) {
      const auto it = std::find_if(eligible.begin(), eligible.end(), [&](const Candidate& c) {
        return c.kernel->name == row.kernel && c.k_splits == row.k_splits;
      });
      if (it != eligible.end()) {
        hit = &*it;
        used = &row;
        break;
      }
    }
    const std::string bucket = tuned.rows.front().m == p.m ? "" : fmt::format(", the m={} bucket", tuned.rows.front().m);
    if (hit != nullptr) {
      pick = static_cast<std::size_t>(hit - eligible.data());
      source = fmt::format("tuned table {}:{}{}", table, used->line, bucket);
    } else {
      const TunedChoice& row = tuned.rows.front();
      std::string why = fmt::format("is not a {} kernel on {}", p.family, device.arch);
      if (const Kernel* named = repo.find(row.kernel); named && named->family == p.family && named->arch == device.arch) {
        why = "is not a candidate for this problem";
        for (const auto& c : rejected)
          if (c.kernel == named && (c.k_splits == row.k_splits || c.k_splits == 1)) why = "is not valid here: " + c.rejected;
        if (!matches(*named, p)) why = "does not match the problem's dtypes/layout";
      }
      source = fmt::format("least estimated time; tuned row {}:{}{} ({} k_splits={}) {}", table, row.line, bucket,
                           row.kernel, row.k_splits, why);
    }
  } else if (!tuned.note.empty()) {
    source = fmt::format("least estimated time ({})", tuned.note);
  }
  if (source.starts_with("least estimated time")) log_untuned(p.family, p.m, p.n, p.k);

  choice.chosen = eligible[pick];
  choice.candidates.push_back(choice.chosen);
  for (std::size_t i = 0; i < eligible.size(); ++i)
    if (i != pick) choice.candidates.push_back(eligible[i]);
  for (auto& c : rejected) choice.candidates.push_back(std::move(c));
  if (choice.chosen.k_splits > 1) {
    choice.reduce = reduce;
    choice.workspace_bytes = workspace_bytes(p.m, p.n, choice.chosen.k_splits);
  }
  const Cost& c = choice.chosen.cost;
  choice.reason = fmt::format(
      "{}x{} tile, k_splits={} of {} eligible candidates: est {:.2f} us (compute {:.2f}, memory {:.2f}, split-K "
      "{:.2f}), {} workgroups in {} round{} on {} CUs ({} idle in the last), tile efficiency {} (rule: {})",
      choice.chosen.m_tile, choice.chosen.n_tile, choice.chosen.k_splits, eligible.size(), c.total_us, c.compute_us,
      c.memory_us, c.split_k_us, c.workgroups, c.rounds, c.rounds == 1 ? "" : "s", device.compute_units, c.idle_cus,
      percent(c.tile_efficiency), source);
  return choice;
}

}  // namespace asmk::gemm
