#include "gemm_launches.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <type_traits>

#include <fmt/format.h>

#include "error.hpp"
#include "ops/op_call.hpp"
#include "ops/op_plan.hpp"
#include "plan_source.hpp"

namespace asmk::perf {

uint64_t GemmLaunches::tensor_bytes(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return t.bytes;
  return 0;
}

namespace {

// A distinct, page-aligned address per tensor; plans never dereference pointers.
const void* placeholder(size_t index) { return reinterpret_cast<const void*>(uintptr_t(index + 1) << 32); }

// One call of the kernel's op as a caller makes it: the tensors it allocates (in the op spec's
// order; tensor i is passed as placeholder(i)) and the plan of that call.
struct Call {
  std::string key;  // identifies the call for the plan cache
  std::vector<GemmTensor> tensors;
  std::function<gemm::Plan(const Repository&, const Device&)> plan;
};

// The op call for C [m, n] = A [m, k] · B [n, k]ᵀ with the kernel's choices (its parameters, as the
// op spec names them). k_splits = 0 lets the selector consider every split-K factor (unbounded
// workspace); otherwise that factor is forced and the workspace is the size it needs.
Expected<Call> op_call(const PlanSource& source, const KernelEntry& kernel, uint64_t m64, uint64_t n64, uint64_t k64,
                       uint32_t k_splits) {
  const ops::OpSpec* spec = source.repository.op(kernel.family, kernel.arch);
  if (spec == nullptr) return Status::error("the repository declares no op " + kernel.family);
  auto named = kernel_op_args(*spec, kernel, {m64, n64, k64});
  if (!named) return named.status();
  std::vector<asmk_op_arg> args = std::move(*named);
  const auto m = uint32_t(m64), n = uint32_t(n64), k = uint32_t(k64);
  std::string key = kernel.family;
  for (const asmk_op_arg& a : args)
    if (a.type == ASMK_VALUE_STRING) key += fmt::format(" {}={}", a.name, a.value.string);
  const auto add = [&](const std::string& name, asmk_value_type type) -> asmk_op_arg& {
    asmk_op_arg& a = args.emplace_back();
    a.name = name.c_str();  // the spec's strings outlive the call
    a.type = type;
    return a;
  };
  if (const ops::OpScalar* splits = spec->scalar("k_splits")) add(splits->name, ASMK_VALUE_U32).value.u32 = k_splits;
  Call call;
  try {
    const ops::OpCall shapes(*spec, args, false);
    const size_t workspace_bytes = k_splits == 0 ? SIZE_MAX : gemm::workspace_bytes(m, n, k_splits);
    for (const ops::CallTensor& t : shapes.tensors()) {
      const uint64_t bytes = t.spec->workspace ? workspace_bytes : t.bytes;
      if (t.spec->optional) continue;  // the sweep runs without optional tensors (bias)
      call.tensors.push_back({t.spec->name, bytes});
      asmk_op_arg& a = add(t.spec->name, ASMK_VALUE_POINTER);
      a.value.pointer = placeholder(call.tensors.size() - 1);
      a.bytes = bytes;
    }
  } catch (const Error& error) {
    return Status::error(error.what());
  }
  call.key = fmt::format("{} m={} n={} k={} k_splits={}", key, m, n, k, k_splits);
  call.plan = [spec, args](const Repository& r, const Device& d) {
    return ops::plan_op(r, d, ops::OpCall(*spec, args, false));
  };
  return call;
}

// The plan of a call, computed once per PlanSource.
const Expected<gemm::Plan>& plan_of(PlanSource& source, const Call& call) {
  auto it = source.plans.find(call.key);
  if (it == source.plans.end()) {
    Expected<gemm::Plan> plan = Status::error("");
    try {
      plan = call.plan(source.repository, source.device);
    } catch (const Error& error) {
      plan = Status::error(error.what());
    }
    it = source.plans.emplace(call.key, std::move(plan)).first;
  }
  return it->second;
}

// The plan's candidates for the kernel, or why there are none.
Expected<std::vector<const gemm::Candidate*>> candidates_of(const gemm::Plan& plan, const KernelEntry& kernel) {
  std::vector<const gemm::Candidate*> mine;
  for (const auto& c : plan.candidates)
    if (c.kernel->name == kernel.name) mine.push_back(&c);
  if (mine.empty())
    return Status::error(fmt::format("libasmk's selector does not consider {} (its parameters do not match the "
                                     "problem it was given)", kernel.name));
  return mine;
}

// A launch of the plan with its pointer arguments as buffers of the call's tensors (allocated
// in the call's order), null pointers as null buffers and integers as values.
Expected<LaunchSpec> launch_spec(const gemm::Launch& launch, const std::vector<GemmTensor>& tensors) {
  LaunchSpec spec;
  spec.grid = {launch.grid.x, launch.grid.y, launch.grid.z};
  spec.block = {launch.block.x, launch.block.y, launch.block.z};
  std::vector<std::pair<size_t, std::string>> buffers;  // tensor index, argument name
  for (const KernargValue& arg : launch.args) {
    if (const auto* pointer = std::get_if<const void*>(&arg.value)) {
      if (*pointer == nullptr) {
        spec.null_buffers.push_back(arg.name);
        continue;
      }
      size_t i = 0;
      while (i < tensors.size() && placeholder(i) != *pointer) ++i;
      if (i == tensors.size())
        return Status::error(fmt::format("argument {} of {} is no tensor of the call", arg.name, launch.kernel->name));
      buffers.emplace_back(i, arg.name);
    } else if (std::holds_alternative<float>(arg.value)) {
      return Status::error(fmt::format("argument {} of {} is a float; the sweep passes integers and buffers",
                                       arg.name, launch.kernel->name));
    } else {
      const uint64_t value = std::visit(
          [](auto v) -> uint64_t {
            if constexpr (std::is_integral_v<decltype(v)>) return static_cast<uint64_t>(v);
            else return 0;  // pointers and floats are handled above
          },
          arg.value);
      spec.values.emplace_back(arg.name, value);
    }
  }
  std::sort(buffers.begin(), buffers.end());
  for (const auto& [index, name] : buffers) spec.buffers.emplace_back(name, tensors[index].bytes);
  return spec;
}

// Columns of C one reduce workgroup covers. libasmk's plan gives only the reduce grid, so this is
// the rule of gemm_plan.cpp (the kernel's n_per_wg, else its workgroup width), checked against
// the plan's grid below.
uint64_t reduce_columns(const Kernel& reduce) {
  if (const ParamValue* v = reduce.param("n_per_wg"); v && std::holds_alternative<int64_t>(*v) && std::get<int64_t>(*v) > 0)
    return uint64_t(std::get<int64_t>(*v));
  return reduce.workgroup_size[0];
}

}  // namespace

Expected<std::vector<SplitFactor>> gemm_split_factors(PlanSource& source, const KernelEntry& kernel, const Shape& shape) {
  auto call = op_call(source, kernel, shape.m, shape.n, shape.k, 0);
  if (!call) return call.status();
  const auto& plan = plan_of(source, *call);
  if (!plan) return plan.status();
  auto mine = candidates_of(*plan, kernel);
  if (!mine) return mine.status();
  std::vector<SplitFactor> factors;
  for (const gemm::Candidate* c : *mine) {
    if (c->k_splits == 1 && !c->rejected.empty()) return Status::error(c->rejected);
    if (c->rejected.empty()) factors.push_back({c->k_splits, c->cost.tiles});
  }
  std::sort(factors.begin(), factors.end(), [](auto& l, auto& r) { return l.k_splits < r.k_splits; });
  if (factors.empty() || factors.front().k_splits != 1)
    return Status::error(fmt::format("libasmk's selector lists no k_splits=1 candidate for {}", kernel.name));
  return factors;
}

Expected<GemmLaunches> gemm_launches(PlanSource& source, const KernelEntry& kernel, const Shape& shape,
                                     uint32_t k_splits) {
  auto call = op_call(source, kernel, shape.m, shape.n, shape.k, k_splits);
  if (!call) return call.status();
  const auto& plan = plan_of(source, *call);
  if (!plan) return plan.status();
  auto mine = candidates_of(*plan, kernel);
  if (!mine) return mine.status();
  const auto it = std::find_if(mine->begin(), mine->end(), [&](auto* c) { return c->k_splits == k_splits; });
  if (it == mine->end()) return Status::error(fmt::format("{} has no k_splits={} candidate", kernel.name, k_splits));
  if (!(*it)->rejected.empty()) return Status::error((*it)->rejected);

  // The plan launches the selector's choice; the same plan for this candidate (libasmk has no way
  // to force a kernel): the values the family bound, re-bound to the candidate's kernel.
  gemm::Choice choice;
  choice.chosen = **it;
  choice.reduce = plan->selection.reduce_kernel;
  choice.workspace_bytes = plan->selection.workspace_bytes;
  std::vector<KernargValue> values;
  for (const gemm::Launch& l : plan->launches)
    for (const KernargValue& v : l.args)
      if (v.name != "workspace" && v.name != "k_splits" &&
          std::none_of(values.begin(), values.end(), [&](auto& known) { return known.name == v.name; }))
        values.push_back(v);
  gemm::Problem problem;
  problem.family = kernel.family;
  problem.m = uint32_t(shape.m), problem.n = uint32_t(shape.n), problem.k = uint32_t(shape.k);
  // Pre-scaled partials (block-scale families): the reduce runs with null scales, as the op's own plan.
  if (const ops::OpSpec* spec = source.repository.op(kernel.family, kernel.arch))
    problem.partials_scaled = spec->select.partials_scaled;
  const auto workspace = std::find_if(call->tensors.begin(), call->tensors.end(), [](auto& t) { return t.name == "workspace"; });
  const void* workspace_pointer = workspace == call->tensors.end() ? nullptr : placeholder(workspace - call->tensors.begin());
  gemm::Plan forced;
  try {
    forced = gemm::make_plan(choice, problem, std::move(values), workspace_pointer);
  } catch (const Error& error) {
    return Status::error(error.what());
  }

  GemmLaunches out;
  out.m_tile = choice.chosen.m_tile, out.n_tile = choice.chosen.n_tile, out.k_splits = k_splits;
  out.tiles = choice.chosen.cost.tiles;
  for (const auto& t : call->tensors)
    if (t.name != "workspace" || k_splits > 1) out.tensors.push_back(t);
  auto gemm = launch_spec(forced.launches.front(), call->tensors);
  if (!gemm) return gemm.status();
  out.gemm = std::move(*gemm);
  if (forced.launches.size() > 1) {
    const gemm::Launch& reduce = forced.launches[1];
    auto spec = launch_spec(reduce, call->tensors);
    if (!spec) return spec.status();
    out.reduce = std::move(*spec);
    out.reduce_kernel = reduce.kernel->name;
    out.reduce_columns = reduce_columns(*reduce.kernel);
    if ((shape.n + out.reduce_columns - 1) / out.reduce_columns != reduce.grid.x)
      return Status::error(fmt::format("the reduce launch of {} has grid.x={} for N={}, not ceil(N / {})",
                                       reduce.kernel->name, reduce.grid.x, shape.n, out.reduce_columns));
  }
  return out;
}

}  // namespace asmk::perf
