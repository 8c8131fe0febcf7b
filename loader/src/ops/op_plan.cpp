#include "op_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "launch_rule.hpp"
#include "pipeline_plan.hpp"
#include "requirements.hpp"

namespace asmk::ops {
namespace {

// The parameters a kernel must have: one per choice, and the spec's fixed ones.
std::vector<gemm::WantedParam> wanted_params(const OpCall& call) {
  std::vector<gemm::WantedParam> wanted;
  for (const OpChoice& c : call.spec().choices) wanted.push_back({c.param, call.choice(c.name), c.implied});
  for (const OpWanted& w : call.spec().wanted) wanted.push_back({w.param, w.value, ""});
  return wanted;
}

void check_rules(const OpCall& call) {
  const auto choice_text = [&call](std::string_view name) { return call.choice_if(name); };
  if (auto why = violated_requirement(call.spec().rules, call.values(), choice_text); !why.empty())
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {}", call.spec().name, why));
}

// ---- gemm_cost ---------------------------------------------------------------------------------

gemm::Plan plan_gemm_cost(const Repository& repo, const Device& device, const OpCall& call) {
  const OpSpec& op = call.spec();
  const CallTensor* a = call.tensor("a");
  const CallTensor* c = call.tensor("c");
  if (a == nullptr || c == nullptr || call.size("m") == 0 || call.size("n") == 0 || call.size("k") == 0)
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: policy gemm_cost needs sizes m, n, k and tensors a, c", op.name));
  gemm::Problem p{.family = op.family, .m = call.size("m"), .n = call.size("n"), .k = call.size("k"),
                  .wanted = wanted_params(call), .values = call.values(), .in_bits = a->bits,
                  .out_bytes = std::max<std::uint32_t>(1, c->bits / 8), .rate_class = op.select.rate,
                  .workspace_budget = call.workspace_budget(),
                  .forced_k_splits = static_cast<std::uint32_t>(call.integer("k_splits").value_or(0)),
                  .partials_scaled = op.select.partials_scaled};
  const CallTensor* workspace = call.tensor("workspace");
  return gemm::make_plan(gemm::select(repo, device, p, {}), p, call.values(), workspace ? workspace->pointer : nullptr);
}

// ---- ranked ------------------------------------------------------------------------------------

struct Ranked {
  const Kernel* kernel = nullptr;
  std::vector<KernargValue> values;  // the call's, and null for the kernel's pointers the op lacks
  LaunchDims dims;
  std::vector<std::int64_t> scores;
  std::uint64_t workgroups = 0;
};

std::vector<const Kernel*> family_on_arch(const Repository& repo, const Device& device, const OpCall& call) {
  const OpSpec& op = call.spec();
  auto kernels = repo.family_kernels(op.family, device.arch);
  if (!kernels.empty()) return kernels;
  const auto arches = repo.arches_of_family(op.family);
  if (arches.empty())
    fail(ASMK_ERROR_UNKNOWN_FAMILY, fmt::format("no kernel of family {} for {} ({}) in repository {} (families that "
                                                "exist: {})", op.family, device.arch, device.name,
                                                repo.root().string(), join_names(repo.families())));
  fail(ASMK_ERROR_UNSUPPORTED_ARCH, fmt::format("no kernel of family {} for {} ({}): the family exists for {} only",
                                                op.family, device.arch, device.name, join_names(arches)));
}

// The kernels whose parameters match the call's choices, or UNSUPPORTED_DTYPE naming what exists.
std::vector<const Kernel*> matching(const std::vector<const Kernel*>& family, const OpCall& call, const Device& device) {
  const auto wanted = wanted_params(call);
  std::vector<const Kernel*> out;
  std::map<std::string, int> exists;
  for (const Kernel* k : family) {
    bool ok = true;
    std::string text;
    for (const auto& w : wanted) {
      ok = ok && gemm::param_text(*k, w) == w.value;
      text += fmt::format("{}{}={}", text.empty() ? "" : " ", w.name, gemm::param_text(*k, w));
    }
    ++exists[text];
    if (ok) out.push_back(k);
  }
  if (out.empty()) {
    std::vector<std::string> combos;
    for (const auto& [text, count] : exists) combos.push_back(fmt::format("{} ({} kernel{})", text, count, count == 1 ? "" : "s"));
    fail(ASMK_ERROR_UNSUPPORTED_DTYPE, fmt::format("no kernel of family {} for {} ({}) supports {}; what exists: {}",
                                                   call.spec().family, device.arch, device.name, call.text(),
                                                   fmt::join(combos, "; ")));
  }
  return out;
}

// "n_per_wg=256 of {128, 256, 512, 1024}" for each integer parameter the candidates differ in.
std::string tile_text(const Kernel& chosen, const std::vector<Ranked>& all) {
  std::vector<std::string> parts;
  for (const Param& p : chosen.params) {
    std::set<std::int64_t> values;
    for (const Ranked& r : all)
      if (const ParamValue* v = r.kernel->param(p.name); v && std::holds_alternative<std::int64_t>(*v))
        values.insert(std::get<std::int64_t>(*v));
    if (values.size() > 1) parts.push_back(fmt::format("{}={} of {{{}}}", p.name, to_string(p.value), fmt::join(values, ", ")));
  }
  return parts.empty() ? chosen.name : fmt::format("{}", fmt::join(parts, " "));
}

gemm::Plan plan_ranked(const Repository& repo, const Device& device, const OpCall& call) {
  const OpSpec& op = call.spec();
  const auto kernels = matching(family_on_arch(repo, device, call), call, device);
  std::vector<Ranked> eligible;
  std::vector<std::string> refused;
  for (const Kernel* k : kernels) {
    // A pointer argument of the kernel the op does not declare (a feature the op leaves off, e.g.
    // fmha_fwd's cu_seqlens in batch mode) is null on every launch.
    std::vector<KernargValue> values = call.values();
    for (const KernelArg& arg : k->kernargs)
      if (!arg.hidden() && arg.type.ends_with('*') && op.tensor(arg.name) == nullptr)
        values.push_back({arg.name, static_cast<const void*>(nullptr)});
    if (auto why = violated_requirement(k->requirements, values, [&call](std::string_view name) { return call.choice_if(name); });
        !why.empty()) {
      refused.push_back(fmt::format("{}: {}", k->name, why));
      continue;
    }
    const LaunchDims dims = launch_dims(*k, values);
    Ranked r{k, std::move(values), dims, {}, 0};
    r.workgroups = std::uint64_t(r.dims.grid.x) * r.dims.grid.y * r.dims.grid.z;
    const Expr::Lookup lookup = [&](std::string_view name) -> std::optional<std::int64_t> {
      if (auto v = call.integer(name)) return v;
      if (const ParamValue* p = k->param(name); p && std::holds_alternative<std::int64_t>(*p)) return std::get<std::int64_t>(*p);
      if (name == "workgroups") return static_cast<std::int64_t>(r.workgroups);
      if (name == "compute_units") return static_cast<std::int64_t>(device.compute_units);
      return std::nullopt;
    };
    for (const RankCriterion& c : op.select.prefer) {
      try {
        r.scores.push_back(c.expr.evaluate(lookup));
      } catch (const ExprError& e) {
        fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: select.prefer '{}' for kernel {}: {}", op.name,
                                                    c.expr.text(), k->name, e.what()));
      }
    }
    eligible.push_back(std::move(r));
  }
  if (eligible.empty())
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("no kernel of family {} for {} ({}) supports {}: {}", op.family,
                                                   device.arch, device.name, call.text(), fmt::join(refused, "; ")));
  const auto better = [&](const Ranked& l, const Ranked& r) {
    for (std::size_t i = 0; i < op.select.prefer.size(); ++i)
      if (l.scores[i] != r.scores[i]) return op.select.prefer[i].fewest ? l.scores[i] < r.scores[i] : l.scores[i] > r.scores[i];
    return l.kernel->name < r.kernel->name;
  };
  const Ranked& best = *std::min_element(eligible.begin(), eligible.end(), better);

  gemm::Plan plan;
  Selection& s = plan.selection;
  s.kernel = best.kernel;
  s.grid = best.dims.grid;
  s.block = best.dims.block;
  std::vector<std::string> scores, rule;
  for (std::size_t i = 0; i < op.select.prefer.size(); ++i) {
    scores.push_back(fmt::format("{} {}", best.scores[i], op.select.prefer[i].what));
    rule.push_back(fmt::format("{} {}", op.select.prefer[i].fewest ? "fewest" : "most", op.select.prefer[i].what));
  }
  s.reason = fmt::format("{}: {}; {} workgroup{} for {} CUs of {} ({} of {} kernel{} eligible; rule: {})",
                         tile_text(*best.kernel, eligible), fmt::join(scores, ", "), best.workgroups,
                         best.workgroups == 1 ? "" : "s", device.compute_units, device.name, eligible.size(),
                         kernels.size(), kernels.size() == 1 ? "" : "s", fmt::join(rule, ", then "));
  for (const Ranked& r : eligible)
    s.explain += fmt::format("{} {}: {}\n", &r == &best ? "*" : " ", r.kernel->name, fmt::join(r.scores, ", "));
  for (const std::string& why : refused) s.explain += fmt::format("x {}\n", why);
  std::vector<std::string_view> fixed_null;
  for (const KernelArg& arg : best.kernel->kernargs)
    if (!arg.hidden() && arg.type.ends_with('*') && op.tensor(arg.name) == nullptr) fixed_null.push_back(arg.name);
  plan.launches.push_back({best.kernel, s.grid, s.block, gemm::bind(*best.kernel, best.values, op.name),
                           std::move(fixed_null), {}});
  s.launches.push_back({best.kernel, s.grid, s.block});
  return plan;
}

}  // namespace

gemm::Plan plan_op(const Repository& repository, const Device& device, const OpCall& call) {
  check_rules(call);
  switch (call.spec().select.policy) {
    case OpSelect::Policy::gemm_cost: return plan_gemm_cost(repository, device, call);
    case OpSelect::Policy::ranked: return plan_ranked(repository, device, call);
    case OpSelect::Policy::stages: return plan_pipeline(repository, device, call);
  }
  fail(ASMK_ERROR_INTERNAL, fmt::format("op {}: unknown selection policy", call.spec().name));
}

}  // namespace asmk::ops
