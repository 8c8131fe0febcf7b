// The families the sweep knows and their launch plans, split into classes of identical
// workgroups. The GEMM families' launches come from libasmk's op plans (gemm_launches.hpp);
// quant_fp8's from its contract (libasmk's quant_fp8 has a selector but no plan to force a kernel).
#include <algorithm>

#include <fmt/format.h>

#include "asmk/perf/sweep.hpp"
#include "error.hpp"
#include "kernel.hpp"
#include "ops/launch_rule.hpp"
#include "gemm_launches.hpp"
#include "plan_source.hpp"

namespace asmk::perf {
namespace {

int64_t int_param(const KernelEntry& k, const std::string& name) {
  const auto it = k.params.find(name);
  return it == k.params.end() ? 0 : std::stoll(it->second);
}

std::string param(const KernelEntry& k, const std::string& name) {
  const auto it = k.params.find(name);
  return it == k.params.end() ? "" : it->second;
}

int64_t requirement(const KernelEntry& k, const std::string& name, int64_t fallback) {
  const auto it = k.requires_.find(name);
  return it == k.requires_.end() ? fallback : it->second;
}

// ---- GEMM families: C [M, N] = A [M, K] · B [N, K]ᵀ in tiles of m_tile x n_tile (libasmk's plan);
// ragged tiles run their own (shorter) stores. With split-K the plan's reduce kernel writes C.

// The MFMA rate class of the roofline.
LaunchInput::Peak gemm_peak(const std::string& family) {
  if (family == "gemm_bf16") return LaunchInput::Peak::bf16;
  if (family == "gemm_a4w4") return LaunchInput::Peak::fp4;
  return LaunchInput::Peak::fp8;
}

// Split-K factors worth modeling among those libasmk accepts: 1, and more only while the tiles
// leave CUs idle and every split keeps an equal K chunk (a multiple of the kernel's K step) of at
// least 256.
std::vector<uint32_t> splits_to_model(const std::vector<SplitFactor>& accepted, const KernelEntry& k, const Shape& s,
                                      uint32_t compute_units) {
  const uint64_t k_step = uint64_t(std::max<int64_t>(1, requirement(k, "k_multiple", 1)));
  std::vector<uint32_t> splits{1};
  for (uint32_t ks = 2; ks <= 8; ks *= 2) {
    if (accepted.front().tiles * (ks / 2) >= compute_units) break;
    if (s.k % (uint64_t(ks) * k_step) != 0 || s.k / ks < 256) break;
    for (const SplitFactor& f : accepted)
      if (f.k_splits == ks) splits.push_back(ks);
  }
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
  p.peak = gemm_peak(k.family);
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
  for (const uint32_t splits : splits_to_model(*accepted, k, s, source.device.compute_units)) {
    auto plan = gemm_plan(source, k, s, splits);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
  }
  return plans;
}

// ---- quant_fp8 (docs/contracts.md); grid and block from the kernel's manifest launch rule.
LaunchSpec quant_launch(const KernelEntry& k, uint64_t m, uint64_t n) {
  const bool row = param(k, "granularity") == "row";
  const uint32_t in_bytes = 2;  // bf16 or fp16
  LaunchSpec s;
  const KernargValue values[] = {{"m", static_cast<uint32_t>(m)}, {"n", static_cast<uint32_t>(n)}};
  const ops::LaunchDims dims = ops::launch_dims(*k.kernel, values);
  s.grid = {dims.grid.x, dims.grid.y, dims.grid.z};
  s.block = {dims.block.x, dims.block.y, dims.block.z};
  s.buffers = {{"x", m * n * in_bytes}, {"y", m * n}, {"scale", m * (row ? 1 : n / 128) * 4}};
  s.values = {{"m", m}, {"n", n}, {"stride_x", n}, {"stride_y", n}};
  return s;
}

std::string quant_unsupported(const KernelEntry& k, const Shape& s) {
  if (int_param(k, "n_per_wg") <= 0) return "no n_per_wg parameter";
  if (s.n % 128 != 0) return fmt::format("N={} is not a multiple of 128", s.n);
  if (s.m > UINT32_MAX) return "M does not fit the grid";
  return "";
}

Expected<std::vector<Plan>> quant_plans(PlanSource&, const KernelEntry& k, const Shape& s) {
  if (const std::string why = quant_unsupported(k, s); !why.empty()) return Status::error(why);
  const bool row = param(k, "granularity") == "row";
  const uint64_t npw = int_param(k, "n_per_wg");
  Plan p;
  try {
    p.launch = quant_launch(k, s.m, s.n);
  } catch (const Error& error) {
    return Status::error(error.what());
  }
  if (row) {
    p.classes.push_back({"rows", s.m, quant_launch(k, 1, s.n)});
  } else {
    if (s.n / npw > 0) p.classes.push_back({"full chunks", s.m * (s.n / npw), quant_launch(k, 1, npw)});
    if (s.n % npw) p.classes.push_back({"last chunk of each row", s.m, quant_launch(k, 1, s.n % npw)});
  }
  p.compulsory_bytes = double(s.m * s.n * 3 + s.m * (row ? 1 : s.n / 128) * 4);
  return std::vector<Plan>{std::move(p)};
}

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      {"gemm_bf16", {{"out_dtype", "bf16"}}, gemm_plans},
      {"gemm_a8w8", {{"in_dtype", "fp8"}, {"out_dtype", "bf16"}, {"b_layout", "row"}}, gemm_plans},
      {"gemm_a8w8_blockscale", {}, gemm_plans},
      {"gemm_a4w4", {}, gemm_plans},
      {"quant_fp8", {{"in_dtype", "bf16"}, {"granularity", "group"}}, quant_plans},
  };
  return all;
}

}  // namespace

const Family* find_family(const std::string& name) {
  for (const auto& f : families())
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& f : families()) names.push_back(f.name);
  return names;
}

}  // namespace asmk::perf
