#include "quant_fp8.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../dtype.hpp"
#include "../error.hpp"
#include "../nearest.hpp"
#include "buffer_checks.hpp"
#include "cached_op.hpp"
#include "launch_rule.hpp"
#include "requirements.hpp"

namespace asmk::quant_fp8 {
namespace {

std::string_view granularity_name(asmk_quant_granularity g) { return g == ASMK_QUANT_ROW ? "row" : "group"; }

std::uint32_t stride_or_n(std::uint32_t stride, std::uint32_t n) { return stride == 0 ? n : stride; }

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

void validate_shape(const asmk_quant_fp8_args& a) {
  if (a.granularity != ASMK_QUANT_ROW && a.granularity != ASMK_QUANT_GROUP)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("quant_fp8: unknown granularity value {}; granularities: row (ASMK_QUANT_ROW), "
                     "group (ASMK_QUANT_GROUP)", static_cast<int>(a.granularity)));
  if (a.m == 0) fail(ASMK_ERROR_UNSUPPORTED_SHAPE, "quant_fp8: m=0; quant_fp8 needs m >= 1 rows");
  if (a.n == 0 || a.n % kGroupSize != 0) {
    const std::uint32_t below = a.n / kGroupSize * kGroupSize;
    const std::uint64_t above = std::uint64_t(below) + kGroupSize;
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         below == 0 ? fmt::format("quant_fp8: n={} is not a positive multiple of 128; nearest supported: {}", a.n, above)
                    : fmt::format("quant_fp8: n={} is not a multiple of 128; nearest supported: {} or {}", a.n,
                                  below, above));
  }
  for (auto [name, stride] : {std::pair{"stride_x", a.stride_x}, std::pair{"stride_y", a.stride_y}})
    if (stride != 0 && stride < a.n)
      fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
           fmt::format("quant_fp8: {}={} is smaller than n={} (rows would overlap; 0 means n)", name, stride, a.n));
}

bool param_equals(const Kernel& k, std::string_view name, const ParamValue& value) {
  const ParamValue* v = k.param(name);
  return v != nullptr && *v == value;
}

// The kernels for this dtype and granularity on the device's arch, or an error naming what exists.
std::vector<const Kernel*> candidates(const Repository& repo, const Device& device, const asmk_quant_fp8_args& a) {
  const auto dtype = dtype_name(a.in_dtype);
  repo.require_family(kFamily, device.arch);
  const auto family = repo.family_kernels(kFamily, device.arch);
  std::set<std::string> dtypes;
  for (const Kernel* k : family)
    if (const auto* v = k->param("in_dtype"); v && std::holds_alternative<std::string>(*v))
      dtypes.insert(std::get<std::string>(*v));
  const std::vector<std::string> dtype_list(dtypes.begin(), dtypes.end());
  if (!dtype || !dtypes.contains(std::string(*dtype)))
    fail(ASMK_ERROR_UNSUPPORTED_DTYPE,
         fmt::format("quant_fp8 has no kernel for in_dtype={} on {} ({}); in_dtypes that exist: {}",
                     dtype ? std::string(*dtype) : fmt::format("<unknown value {}>", static_cast<int>(a.in_dtype)),
                     device.arch, device.name, join_names(dtype_list)));

  const std::vector<Param> wanted{{"in_dtype", std::string(*dtype)},
                                  {"granularity", std::string(granularity_name(a.granularity))}};
  std::vector<const Kernel*> found;
  for (const Kernel* k : family)
    if (param_equals(*k, "in_dtype", wanted[0].value) && param_equals(*k, "granularity", wanted[1].value))
      found.push_back(k);
  if (found.empty())
    fail(ASMK_ERROR_UNKNOWN_KERNEL,
         fmt::format("no quant_fp8 kernel on {} with in_dtype={} granularity={}; nearest: {}", device.arch, *dtype,
                     granularity_name(a.granularity), repo.nearest_by_params(kFamily, device.arch, wanted)));
  return found;
}

std::uint32_t n_per_wg(const Kernel& k) {
  const ParamValue* v = k.param("n_per_wg");
  if (v == nullptr || !std::holds_alternative<std::int64_t>(*v) || std::get<std::int64_t>(*v) <= 0)
    fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("quant_fp8 kernel {} has no positive integer n_per_wg", k.name));
  return static_cast<std::uint32_t>(std::get<std::int64_t>(*v));
}

}  // namespace

Selection select(const Repository& repo, const Device& device, const asmk_quant_fp8_args& a) {
  validate_shape(a);
  const auto kernels = candidates(repo, device, a);

  struct Scored {
    const Kernel* kernel;
    std::uint32_t n_per_wg;
    std::uint64_t masked, workgroups, busy_cus;
  };
  std::vector<Scored> scored;
  for (const Kernel* k : kernels) {
    const std::uint32_t npw = n_per_wg(*k);
    const std::uint64_t chunks = ceil_div(a.n, npw);
    const std::uint64_t grid_x = a.granularity == ASMK_QUANT_ROW ? 1 : chunks;
    const std::uint64_t workgroups = grid_x * a.m;
    scored.push_back({k, npw, chunks * npw - a.n, workgroups, std::min<std::uint64_t>(workgroups, device.compute_units)});
  }
  const auto best = std::min_element(scored.begin(), scored.end(), [](const Scored& l, const Scored& r) {
    if (l.masked != r.masked) return l.masked < r.masked;
    if (l.busy_cus != r.busy_cus) return l.busy_cus > r.busy_cus;
    return l.n_per_wg > r.n_per_wg;
  });

  std::vector<std::uint32_t> sizes;
  for (const auto& s : scored) sizes.push_back(s.n_per_wg);
  std::sort(sizes.begin(), sizes.end());
  const KernargValue values[] = {{"x", a.x}, {"y", static_cast<const void*>(a.y)}, {"scale", static_cast<const void*>(a.scale)},
                                 {"m", a.m}, {"n", a.n}, {"stride_x", stride_or_n(a.stride_x, a.n)},
                                 {"stride_y", stride_or_n(a.stride_y, a.n)}};
  if (auto why = ops::violated_requirement(best->kernel->requirements, values); !why.empty())
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("quant_fp8 kernel {} refuses the problem: {}", best->kernel->name, why));
  const ops::LaunchDims dims = ops::launch_dims(*best->kernel, values);
  Selection sel;
  sel.kernel = best->kernel;
  sel.grid = dims.grid;
  sel.block = dims.block;
  sel.reason = fmt::format(
      "n_per_wg={} of {{{}}}: {} masked lanes per row, {} workgroup{} for {} CUs of {} (rule: fewest masked lanes, "
      "then most busy CUs, then largest n_per_wg)",
      best->n_per_wg, fmt::join(sizes, ", "), best->masked, best->workgroups, best->workgroups == 1 ? "" : "s",
      device.compute_units, device.name);
  return sel;
}

namespace {

constexpr std::string_view kPointerNames[] = {"x", "y", "scale"};

// Everything the selection depends on (selection_cache.hpp); no rule looks at the pointers.
ops::CacheKey key_of(const asmk_quant_fp8_args& a, ops::Purpose purpose) {
  ops::CacheKey key(kFamily, purpose);
  key.add(a.m).add(a.n).add(a.in_dtype).add(a.granularity).add(a.stride_x).add(a.stride_y);
  return key;
}

}  // namespace

ops::CachedOpPtr cached_select(const Context& context, const asmk_quant_fp8_args& a) {
  return ops::cached_selection(context, key_of(a, ops::Purpose::select),
                               [&] { return select(context.repository(), context.device(), a); });
}

ops::CachedOpPtr run(Context& context, const asmk_quant_fp8_args& a, asmk_stream stream) {
  const std::uint32_t stride_x = stride_or_n(a.stride_x, a.n), stride_y = stride_or_n(a.stride_y, a.n);
  const ops::CachedOpPtr entry = context.selection_cache().get(key_of(a, ops::Purpose::run), [&] {
    const KernargValue values[] = {
        {"x", static_cast<const void*>(a.x)}, {"y", static_cast<const void*>(a.y)},
        {"scale", static_cast<const void*>(a.scale)}, {"m", a.m}, {"n", a.n},
        {"stride_x", stride_x}, {"stride_y", stride_y},
    };
    return ops::single_launch_entry(context, select(context.repository(), context.device(), a), values, kPointerNames);
  });
  const std::uint64_t groups = a.granularity == ASMK_QUANT_ROW ? 1 : a.n / kGroupSize;
  const std::uint64_t x_element = dtype_bytes(a.in_dtype);
  const Backend& be = context.backend();
  ops::require_buffer(be, kFamily, "x", a.x, ops::rows_extent(a.m, a.n * x_element, stride_x * x_element), a.x_bytes,
                      [&] { return fmt::format("m={} n={} stride_x={} {}", a.m, a.n, stride_x, *dtype_name(a.in_dtype)); });
  ops::require_buffer(be, kFamily, "y", a.y, ops::rows_extent(a.m, a.n, stride_y), a.y_bytes,
                      [&] { return fmt::format("m={} n={} stride_y={} fp8", a.m, a.n, stride_y); });
  ops::require_buffer(be, kFamily, "scale", a.scale, std::uint64_t(a.m) * groups * sizeof(float), a.scale_bytes, [&] {
    return a.granularity == ASMK_QUANT_ROW ? fmt::format("{} row scales, f32", a.m)
                                           : fmt::format("{}x{} group scales, f32", a.m, groups);
  });
  const void* const pointers[] = {a.x, a.y, a.scale};
  ops::launch_prepared(context, entry->launches.front(), pointers, stream);
  return entry;
}

}  // namespace asmk::quant_fp8
