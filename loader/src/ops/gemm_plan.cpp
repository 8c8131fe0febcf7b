#include "gemm_plan.hpp"

#include <fmt/format.h>

#include "../error.hpp"
#include "launch_rule.hpp"

namespace asmk::gemm {
namespace {

std::vector<KernargValue> with(std::vector<KernargValue> values, std::string_view name, KernargScalar value) {
  std::erase_if(values, [&](const KernargValue& v) { return v.name == name; });
  values.push_back({std::string(name), value});
  return values;
}

}  // namespace

std::vector<KernargValue> bind(const Kernel& kernel, const std::vector<KernargValue>& values, std::string_view family) {
  std::vector<KernargValue> bound;
  for (const auto& arg : kernel.kernargs) {
    if (arg.hidden()) continue;
    const auto it = std::find_if(values.begin(), values.end(), [&](const KernargValue& v) { return v.name == arg.name; });
    if (it == values.end()) {
      std::string known;
      for (const auto& v : values) known += (known.empty() ? "" : ", ") + v.name;
      fail(ASMK_ERROR_BAD_KERNARG,
           fmt::format("kernel {} declares argument '{}' ({}), which the {} binding does not supply (it supplies: {})",
                       kernel.name, arg.name, arg.type, family, known));
    }
    bound.push_back(*it);
  }
  return bound;
}

Plan make_plan(const Choice& choice, const Problem& p, std::vector<KernargValue> values, const void* workspace) {
  const Candidate& c = choice.chosen;
  const bool split = c.k_splits > 1;
  values = with(std::move(values), "workspace", split ? workspace : static_cast<const void*>(nullptr));
  values = with(std::move(values), "k_splits", c.k_splits);
  const ops::LaunchDims dims = ops::launch_dims(*c.kernel, values);

  Plan plan;
  Selection& s = plan.selection;
  s.kernel = c.kernel;
  s.grid = dims.grid;
  s.block = dims.block;
  s.reason = choice.reason;
  s.k_splits = c.k_splits;
  s.workspace_bytes = choice.workspace_bytes;
  s.reduce_kernel = split ? choice.reduce : nullptr;
  s.explain = choice.explain();
  plan.candidates = choice.candidates;
  plan.launches.push_back({c.kernel, s.grid, s.block, gemm::bind(*c.kernel, values, p.family), {}, {}});
  if (split) {
    const ops::LaunchDims reduce_dims = ops::launch_dims(*choice.reduce, values);
    Launch reduce{choice.reduce, reduce_dims.grid, reduce_dims.block, {}, {}, {}};
    // The reduce's epilogue tensors the op does not have (a bf16 GEMM has no scales or bias), and
    // all of them when the partials are already scaled, stay null.
    for (const KernelArg& arg : choice.reduce->kernargs) {
      const bool known = std::any_of(values.begin(), values.end(), [&](const KernargValue& v) { return v.name == arg.name; });
      const bool epilogue = arg.name == "scale_a" || arg.name == "scale_b" || arg.name == "bias";
      if (!arg.hidden() && arg.type.ends_with('*') && (!known || (p.partials_scaled && epilogue))) {
        reduce.fixed_null.push_back(arg.name);
        values = with(std::move(values), arg.name, static_cast<const void*>(nullptr));
      }
    }
    reduce.args = gemm::bind(*choice.reduce, values, p.family);
    plan.launches.push_back(std::move(reduce));
  }
  for (const Launch& l : plan.launches) s.launches.push_back({l.kernel, l.grid, l.block});
  return plan;
}

void run_plan(Context& context, const Plan& plan, asmk_stream stream) {
  for (const Launch& l : plan.launches) {
    context.repository().verify_code_object(*l.kernel, false);
    (void)pack_kernargs(*l.kernel, l.args, l.grid, l.block);  // throws BAD_KERNARG before any launch
  }
  for (const Launch& l : plan.launches) context.launch(*l.kernel, l.grid, l.block, l.args, stream);
}

}  // namespace asmk::gemm
