#include "gemm_plan.hpp"

#include <fmt/format.h>

#include "../error.hpp"

namespace asmk::gemm {
namespace {

std::uint32_t ceil_div(std::uint64_t a, std::uint64_t b) { return static_cast<std::uint32_t>((a + b - 1) / b); }

asmk_dim3 block_of(const Kernel& k) { return {k.workgroup_size[0], k.workgroup_size[1], k.workgroup_size[2]}; }

std::int64_t int_param(const Kernel& k, std::string_view name) {
  const ParamValue* v = k.param(name);
  return v && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : 0;
}

// The split-K reduce covers C [M, N]: one workgroup per (n_per_wg columns, row) when the kernel
// has an n_per_wg parameter, else one work-item per column of a row (grid (ceil(N / block.x), M, 1)).
asmk_dim3 reduce_grid(const Kernel& reduce, const Problem& p) {
  std::int64_t per_wg = int_param(reduce, "n_per_wg");
  if (per_wg <= 0) per_wg = reduce.workgroup_size[0];
  return {ceil_div(p.n, static_cast<std::uint64_t>(per_wg)), p.m, 1};
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
  values.push_back({"workspace", split ? workspace : static_cast<const void*>(nullptr)});
  values.push_back({"k_splits", c.k_splits});

  Plan plan;
  Selection& s = plan.selection;
  s.kernel = c.kernel;
  s.grid = {ceil_div(p.n, c.n_tile), ceil_div(p.m, c.m_tile), c.k_splits};
  s.block = block_of(*c.kernel);
  s.reason = choice.reason;
  s.k_splits = c.k_splits;
  s.workspace_bytes = choice.workspace_bytes;
  s.reduce_kernel = split ? choice.reduce : nullptr;
  s.explain = choice.explain();
  plan.candidates = choice.candidates;
  plan.launches.push_back({c.kernel, s.grid, s.block, bind(*c.kernel, values, p.family)});
  if (split) {
    Launch reduce{choice.reduce, reduce_grid(*choice.reduce, p), block_of(*choice.reduce), {}, {}};
    if (p.partials_scaled) {
      reduce.fixed_null = {"scale_a", "scale_b", "bias"};
      for (std::string_view name : reduce.fixed_null) {
        std::erase_if(values, [&](const KernargValue& v) { return v.name == name; });
        values.push_back({std::string(name), static_cast<const void*>(nullptr)});
      }
    }
    reduce.args = bind(*choice.reduce, values, p.family);
    plan.launches.push_back(std::move(reduce));
  }
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
