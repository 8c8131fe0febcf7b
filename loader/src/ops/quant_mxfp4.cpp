#include "quant_mxfp4.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "buffer_checks.hpp"
#include "cached_op.hpp"
#include "gemm_binding.hpp"
#include "launch_rule.hpp"
#include "requirements.hpp"

namespace asmk::quant_mxfp4 {
namespace {

constexpr std::uint32_t kElementsPerItem = 8;

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

struct Strides {
  std::uint32_t x, y, scale;
};

Strides strides_of(const asmk_quant_mxfp4_args& a) {
  return {gemm::row_stride(kFamily, "stride_x", a.stride_x, a.n, "elements"),
          gemm::row_stride(kFamily, "stride_y", a.stride_y, a.n / 2, "bytes"),
          gemm::row_stride(kFamily, "stride_scale", a.stride_scale, a.n / kBlock, "bytes")};
}

std::uint32_t n_per_wg(const Kernel& k) {
  const ParamValue* v = k.param("n_per_wg");
  if (v == nullptr || !std::holds_alternative<std::int64_t>(*v) || std::get<std::int64_t>(*v) <= 0)
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("{} kernel {} has no positive integer n_per_wg", kFamily, k.name));
  return static_cast<std::uint32_t>(std::get<std::int64_t>(*v));
}

}  // namespace

Selection select(const Repository& repo, const Device& device, const asmk_quant_mxfp4_args& a) {
  const std::string in = gemm::dtype_param(kFamily, "in_dtype", a.in_dtype, {ASMK_DTYPE_BF16, ASMK_DTYPE_FP16});
  if (a.m == 0 || a.n == 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: m={} n={} has an empty dimension", kFamily, a.m, a.n));
  if (a.n % kBlock != 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: n={} is not a multiple of {} (whole MX blocks); nearest: {}{}",
                                                   kFamily, a.n, kBlock, a.n < kBlock ? "" : fmt::format("{} or ", a.n / kBlock * kBlock),
                                                   (a.n / kBlock + 1) * kBlock));
  (void)strides_of(a);  // refuses overlapping rows

  const auto family = repo.family_kernels(kFamily, device.arch);
  if (family.empty()) {
    const auto arches = repo.arches_of_family(kFamily);
    fail(arches.empty() ? ASMK_ERROR_UNKNOWN_FAMILY : ASMK_ERROR_UNSUPPORTED_DTYPE,
         fmt::format("no kernel of family {} for {} ({}); {}", kFamily, device.arch, device.name,
                     arches.empty() ? "the repository has none" : "the family exists for " + join_names(arches)));
  }
  const Strides s = strides_of(a);
  const KernargValue values[] = {
      {"x", a.x}, {"y", static_cast<const void*>(a.y)}, {"scale", static_cast<const void*>(a.scale)},
      {"m", a.m}, {"n", a.n}, {"stride_x", s.x}, {"stride_y", s.y}, {"stride_scale", s.scale}};
  struct Scored {
    const Kernel* kernel;
    std::uint32_t npw;
    std::uint64_t masked, workgroups;
  };
  std::vector<Scored> scored;
  std::vector<std::string> in_dtypes, refused;
  for (const Kernel* k : family) {
    const ParamValue* v = k->param("in_dtype");
    const std::string dtype = v ? to_string(*v) : "";
    if (std::find(in_dtypes.begin(), in_dtypes.end(), dtype) == in_dtypes.end()) in_dtypes.push_back(dtype);
    if (dtype != in) continue;
    if (auto why = ops::violated_requirement(k->requirements, values); !why.empty()) {
      refused.push_back(fmt::format("{}: {}", k->name, why));
      continue;
    }
    const std::uint32_t npw = n_per_wg(*k);
    const std::uint64_t rows = std::max<std::uint64_t>(1, std::uint64_t(k->workgroup_size[0]) * kElementsPerItem / npw);
    const std::uint64_t chunks = ceil_div(a.n, npw);
    scored.push_back({k, npw, chunks * npw - a.n, chunks * ceil_div(a.m, rows)});
  }
  if (scored.empty())
    fail(refused.empty() ? ASMK_ERROR_UNSUPPORTED_DTYPE : ASMK_ERROR_UNSUPPORTED_SHAPE,
         refused.empty() ? fmt::format("no kernel of family {} for {} supports in_dtype={}; in_dtypes that exist: {}",
                                       kFamily, device.arch, in, join_names(in_dtypes))
                         : fmt::format("no kernel of family {} for {} supports m={} n={}: {}", kFamily, device.arch,
                                       a.m, a.n, fmt::join(refused, "; ")));
  const std::uint64_t cus = device.compute_units;
  const auto best = std::min_element(scored.begin(), scored.end(), [&](const Scored& l, const Scored& r) {
    if (l.masked != r.masked) return l.masked < r.masked;
    if (std::min(l.workgroups, cus) != std::min(r.workgroups, cus)) return std::min(l.workgroups, cus) > std::min(r.workgroups, cus);
    return l.npw > r.npw;
  });
  Selection sel;
  sel.kernel = best->kernel;
  const std::uint64_t rows = std::max<std::uint64_t>(1, std::uint64_t(best->kernel->workgroup_size[0]) * kElementsPerItem / best->npw);
  const ops::LaunchDims dims = ops::launch_dims(*best->kernel, values);
  sel.grid = dims.grid;
  sel.block = dims.block;
  sel.reason = fmt::format("n_per_wg={} ({} rows per tile) of {} candidate{}: {} masked columns per row, {} workgroups "
                           "for {} CUs (rule: fewest masked columns, then most busy CUs, then largest n_per_wg)",
                           best->npw, rows, scored.size(), scored.size() == 1 ? "" : "s", best->masked,
                           best->workgroups, cus);
  return sel;
}

namespace {

constexpr std::string_view kPointerNames[] = {"x", "y", "scale"};

// Everything the selection depends on (selection_cache.hpp); no rule looks at the pointers.
ops::CacheKey key_of(const asmk_quant_mxfp4_args& a, ops::Purpose purpose) {
  ops::CacheKey key(kFamily, purpose);
  key.add(a.m).add(a.n).add(a.in_dtype).add(a.stride_x).add(a.stride_y).add(a.stride_scale);
  return key;
}

}  // namespace

ops::CachedOpPtr cached_select(const Context& context, const asmk_quant_mxfp4_args& a) {
  return ops::cached_selection(context, key_of(a, ops::Purpose::select),
                               [&] { return select(context.repository(), context.device(), a); });
}

ops::CachedOpPtr run(Context& context, const asmk_quant_mxfp4_args& a, asmk_stream stream) {
  const ops::CachedOpPtr entry = context.selection_cache().get(key_of(a, ops::Purpose::run), [&] {
    Selection sel = select(context.repository(), context.device(), a);
    const Strides s = strides_of(a);
    const KernargValue values[] = {
        {"x", a.x}, {"y", static_cast<const void*>(a.y)}, {"scale", static_cast<const void*>(a.scale)},
        {"m", a.m}, {"n", a.n}, {"stride_x", s.x}, {"stride_y", s.y}, {"stride_scale", s.scale}};
    return ops::single_launch_entry(context, std::move(sel), values, kPointerNames);
  });
  const Strides s = strides_of(a);
  const Backend& be = context.backend();
  const std::uint64_t in_bytes = 2;
  ops::require_buffer(be, kFamily, "x", a.x, ops::rows_extent(a.m, a.n * in_bytes, s.x * in_bytes), a.x_bytes, [&] {
    return fmt::format("m={} n={} stride_x={} {}", a.m, a.n, s.x, a.in_dtype == ASMK_DTYPE_FP16 ? "fp16" : "bf16");
  });
  ops::require_buffer(be, kFamily, "y", a.y, ops::rows_extent(a.m, a.n / 2, s.y), a.y_bytes,
                      [&] { return fmt::format("m={} n={} stride_y={} bytes of packed e2m1", a.m, a.n, s.y); });
  ops::require_buffer(be, kFamily, "scale", a.scale, ops::rows_extent(a.m, a.n / kBlock, s.scale), a.scale_bytes,
                      [&] { return fmt::format("{}x{} e8m0, stride_scale={}", a.m, a.n / kBlock, s.scale); });
  const void* const pointers[] = {a.x, a.y, a.scale};
  ops::launch_prepared(context, entry->launches.front(), pointers, stream);
  return entry;
}

}  // namespace asmk::quant_mxfp4
