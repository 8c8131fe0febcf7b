// The families the sweep knows — the repository's ops (their op specs) — and their launch plans,
// split into classes of identical workgroups. Ops selected by the GEMM cost model take their
// launches from libasmk's op plans (gemm_launches.hpp); ops selected by rank from the kernel's
// launch rule and the op spec's tensors.
#include <algorithm>
#include <bit>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "asmk/perf/sweep.hpp"
#include "error.hpp"
#include "kernel.hpp"
#include "ops/launch_rule.hpp"
#include "ops/op_call.hpp"
#include "ops/requirements.hpp"
#include "repository.hpp"
#include "gemm_launches.hpp"
#include "plan_source.hpp"

namespace asmk::perf {
namespace {

int64_t requirement(const KernelEntry& k, const std::string& name, int64_t fallback) {
  const auto it = k.requires_.find(name);
  return it == k.requires_.end() ? fallback : it->second;
}

// ---- GEMM families: C [M, N] = A [M, K] · B [N, K]ᵀ in tiles of m_tile x n_tile (libasmk's plan);
// ragged tiles run their own (shorter) stores. With split-K the plan's reduce kernel writes C.

// The MFMA rate class of the roofline: the op spec's (select.rate) of the op over the kernel's family.
LaunchInput::Peak gemm_peak(const PlanSource& source, const KernelEntry& k) {
  std::string rate;
  for (const std::string& name : source.repository.op_names())
    if (const ops::OpSpec* spec = source.repository.op(name, k.arch); spec && spec->family == k.family) rate = spec->select.rate;
  if (rate == "bf16") return LaunchInput::Peak::bf16;
  if (rate == "fp4") return LaunchInput::Peak::fp4;
  return LaunchInput::Peak::fp8;
}

// Split-K factors to model: those libasmk's selector accepts for this kernel and shape (its rule,
// loader/src/ops/gemm_select.cpp split_refusal: no more splits than it takes to cover the CUs, K chunks
// of at least kMinSplitChunk), restricted to equal K chunks: a plan models split 0's chunk as every
// split's, which holds only when K divides into the splits' whole K steps.
std::vector<uint32_t> splits_to_model(const std::vector<SplitFactor>& accepted, const KernelEntry& k, const Shape& s) {
  const uint64_t k_step = uint64_t(std::max<int64_t>(1, requirement(k, "k_multiple", 1)));
  std::vector<uint32_t> splits;
  for (const SplitFactor& f : accepted)
    if (f.k_splits == 1 || s.k % (uint64_t(f.k_splits) * k_step) == 0) splits.push_back(f.k_splits);
  return splits;
}

// Workgroups of one kind: how many, and the M x N problem whose first workgroup is one of them.
struct WorkgroupClass {
  std::string what;
  uint64_t count, rows, cols;
};

Expected<Plan> gemm_plan(PlanSource& source, const KernelEntry& k, const Shape& s, uint32_t splits) {
  auto full = gemm_launches(source, k, s, splits);
  if (!full) return full.status();
  Plan p;
  p.k_splits = splits;
  p.launch = full->gemm;
  const uint64_t mt = full->m_tile, nt = full->n_tile;
  const uint64_t full_rows = s.m / mt, full_cols = s.n / nt, rem_m = s.m % mt, rem_n = s.n % nt;
  // Each class's representative is the first workgroup of a launch of exactly its tile shape (and,
  // with split-K, the same K and split count: split 0 sums the same chunk length as every split).
  const WorkgroupClass tile_classes[] = {
      {"interior tiles", full_rows * full_cols, mt, nt},
      {fmt::format("last row of tiles ({} rows)", rem_m), rem_m ? full_cols : 0, rem_m, nt},
      {fmt::format("last column of tiles ({} columns)", rem_n), rem_n ? full_rows : 0, mt, rem_n},
      {"corner tile", rem_m && rem_n ? uint64_t(1) : uint64_t(0), rem_m, rem_n}};
  for (const WorkgroupClass& c : tile_classes) {
    if (c.count == 0) continue;
    auto representative = gemm_launches(source, k, {c.rows, c.cols, s.k}, splits);
    if (!representative) return representative.status();
    p.classes.push_back({c.what, c.count * splits, representative->gemm});
  }
  p.flops = 2.0 * double(s.m) * double(s.n) * double(s.k);
  // Every operand once: the caller's tensors but the split-K workspace.
  for (const auto& t : full->tensors)
    if (t.name != "workspace") p.compulsory_bytes += double(t.bytes);
  p.peak = gemm_peak(source, k);
  if (full->reduce) {
    // The second pass covers C by rows and blocks of reduce_columns; it reads the workspace once.
    SecondPass r;
    r.kernel = full->reduce_kernel;
    r.launch = *full->reduce;
    const uint64_t cols = full->reduce_columns;
    const WorkgroupClass reduce_classes[] = {{"full column blocks", s.m * (s.n / cols), 1, cols},
                                             {"last column block", s.n % cols ? s.m : 0, 1, s.n % cols}};
    for (const WorkgroupClass& c : reduce_classes) {
      if (c.count == 0) continue;
      auto representative = gemm_launches(source, k, {c.rows, c.cols, s.k}, splits);
      if (!representative) return representative.status();
      r.classes.push_back({c.what, c.count, *representative->reduce});
    }
    r.compulsory_bytes = double(full->tensor_bytes("workspace")) + double(full->tensor_bytes("c"));
    p.second = std::move(r);
  }
  return p;
}

Expected<std::vector<Plan>> gemm_plans(PlanSource& source, const KernelEntry& k, const Shape& s) {
  auto accepted = gemm_split_factors(source, k, s);
  if (!accepted) return accepted.status();
  std::vector<Plan> plans;
  for (const uint32_t splits : splits_to_model(*accepted, k, s)) {
    auto plan = gemm_plan(source, k, s, splits);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
  }
  return plans;
}

// ---- ops selected by rank (quant_fp8, quant_mxfp4, shuffle_b, ...): one launch of the kernel, its
// grid from the kernel's launch rule and its tensors from the op spec. The shape's M, N, K give the
// op's sizes of those names.
Expected<std::vector<Plan>> ranked_plans(const std::string& op_name, PlanSource& source, const KernelEntry& k,
                                         const Shape& s) {
  const ops::OpSpec* spec = source.repository.op(op_name, k.arch);
  if (spec == nullptr) return Status::error("the repository declares no op " + op_name);
  auto args = kernel_op_args(*spec, k, s);
  if (!args) return args.status();
  Plan p;
  try {
    const ops::OpCall call(*spec, *args, false);
    if (auto why = ops::violated_requirement(spec->rules, call.values()); !why.empty()) return Status::error(why);
    if (auto why = ops::violated_requirement(k.kernel->requirements, call.values()); !why.empty())
      return Status::error(why);
    const ops::LaunchDims dims = ops::launch_dims(*k.kernel, call.values());
    p.launch.grid = {dims.grid.x, dims.grid.y, dims.grid.z};
    p.launch.block = {dims.block.x, dims.block.y, dims.block.z};
    for (const ops::CallTensor& t : call.tensors()) {
      if (t.spec->optional || t.spec->workspace || k.kernel->kernarg(t.spec->name) == nullptr) continue;
      p.launch.buffers.emplace_back(t.spec->name, t.bytes);
      p.compulsory_bytes += double(t.bytes);
    }
    // Scalars by their bits (the tracer writes the kernarg's size of them): integers, and f32 scalars
    // (their defaults, e.g. a scale) as IEEE bits.
    for (const KernargValue& v : call.values())
      if (const KernelArg* arg = k.kernel->kernarg(v.name); arg && !arg->type.ends_with('*')) {
        if (const float* f = std::get_if<float>(&v.value)) p.launch.values.emplace_back(v.name, std::bit_cast<uint32_t>(*f));
        else if (const auto value = ops::integer_value(call.values(), v.name)) p.launch.values.emplace_back(v.name, uint64_t(*value));
      }
  } catch (const Error& error) {
    return Status::error(error.what());
  }
  // Every workgroup is modeled as the first one (the same code path; ragged tails run shorter).
  const uint64_t workgroups = uint64_t(p.launch.grid.x) * p.launch.grid.y * p.launch.grid.z;
  p.classes.push_back({"workgroups", workgroups, p.launch});
  return std::vector<Plan>{std::move(p)};
}

// A sweep family per op the repository declares: its choices' defaults filter the kernels, its
// selection policy gives the plans.
std::vector<Family> families_of(const Repository& repo) {
  std::vector<Family> out;
  for (const std::string& name : repo.op_names()) {
    const ops::OpSpec* spec = repo.op(name, "");
    Family f;
    f.name = name;
    f.rate = spec->select.rate;
    // Every choice filters by its default; a kernel without the parameter has the implied value
    // (a choice the family fixes, or a kernel older than the choice).
    for (const ops::OpChoice& c : spec->choices) {
      f.default_where[c.param] = c.default_value;
      if (!c.implied.empty()) f.implied[c.param] = c.implied;
    }
    if (spec->select.policy == ops::OpSelect::Policy::gemm_cost) f.plans = gemm_plans;
    else f.plans = [name](PlanSource& source, const KernelEntry& k, const Shape& s) { return ranked_plans(name, source, k, s); };
    out.push_back(std::move(f));
  }
  return out;
}

Expected<Repository> open_repository(const std::filesystem::path& repo) {
  try {
    return Repository::open(repo);
  } catch (const Error& error) {
    return Status::error(error.what());
  }
}

}  // namespace

Expected<Family> find_family(const std::filesystem::path& repo, const std::string& name) {
  auto repository = open_repository(repo);
  if (!repository) return repository.status();
  std::vector<std::string> names;
  for (Family& f : families_of(*repository)) {
    if (f.name == name) return std::move(f);
    names.push_back(f.name);
  }
  return Status::error(fmt::format("the repository {} declares no op \"{}\"; ops: {}", repo.string(), name,
                                   fmt::join(names, ", ")));
}

}  // namespace asmk::perf
