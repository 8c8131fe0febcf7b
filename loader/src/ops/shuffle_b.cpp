#include "shuffle_b.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../error.hpp"
#include "../nearest.hpp"
#include "buffer_checks.hpp"
#include "cached_op.hpp"
#include "gemm_binding.hpp"
#include "launch_rule.hpp"
#include "requirements.hpp"

namespace asmk::shuffle_b {
namespace {

std::uint32_t rows_per_wg(const Kernel& k) {
  const ParamValue* v = k.param("rows_per_wg");
  if (v == nullptr || !std::holds_alternative<std::int64_t>(*v) || std::get<std::int64_t>(*v) <= 0)
    fail(ASMK_ERROR_BAD_REPOSITORY,
         fmt::format("{} kernel {} has no positive integer rows_per_wg (its launch rule needs it)", kFamily, k.name));
  return static_cast<std::uint32_t>(std::get<std::int64_t>(*v));
}

}  // namespace

Selection select(const Repository& repo, const Device& device, const asmk_shuffle_b_args& a) {
  if (a.n == 0 || a.k == 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: n={} k={} has an empty dimension", kFamily, a.n, a.k));
  const std::uint32_t stride = gemm::row_stride(kFamily, "stride_src", a.stride_src, a.k, "bytes");
  const auto family = repo.family_kernels(kFamily, device.arch);
  if (family.empty()) {
    const auto arches = repo.arches_of_family(kFamily);
    fail(arches.empty() ? ASMK_ERROR_UNKNOWN_FAMILY : ASMK_ERROR_UNSUPPORTED_ARCH,
         fmt::format("no kernel of family {} for {} ({}); {}", kFamily, device.arch, device.name,
                     arches.empty() ? "the repository has none" : "the family exists for " + join_names(arches)));
  }
  const KernargValue values[] = {{"src", a.src}, {"dst", static_cast<const void*>(a.dst)}, {"n", a.n}, {"k", a.k},
                                 {"stride_src", stride}};
  const Kernel* best = nullptr;
  std::vector<std::string> refused;
  for (const Kernel* k : family) {
    if (auto why = ops::violated_requirement(k->requirements, values); !why.empty()) {
      refused.push_back(fmt::format("{}: {}", k->name, why));
      continue;
    }
    if (best == nullptr || rows_per_wg(*k) > rows_per_wg(*best)) best = k;
  }
  if (best == nullptr)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("no kernel of family {} for {} supports n={} k={}: {}", kFamily,
                                                   device.arch, a.n, a.k, fmt::join(refused, "; ")));
  Selection sel;
  sel.kernel = best;
  const ops::LaunchDims dims = ops::launch_dims(*best, values);
  sel.grid = dims.grid;
  sel.block = dims.block;
  const std::size_t usable = family.size() - refused.size();
  sel.reason = fmt::format("{} rows x {} bytes per workgroup, the most rows of {} kernel{} whose requirements hold",
                           rows_per_wg(*best), kBlockBytes, usable, usable == 1 ? "" : "s");
  return sel;
}

namespace {

constexpr std::string_view kPointerNames[] = {"src", "dst"};

// Everything the selection depends on (selection_cache.hpp): the `requires` rules look at src.
ops::CacheKey key_of(const asmk_shuffle_b_args& a, ops::Purpose purpose) {
  ops::CacheKey key(kFamily, purpose);
  key.add(a.n).add(a.k).add(a.stride_src).add_alignment(a.src);
  return key;
}

}  // namespace

ops::CachedOpPtr cached_select(const Context& context, const asmk_shuffle_b_args& a) {
  return ops::cached_selection(context, key_of(a, ops::Purpose::select),
                               [&] { return select(context.repository(), context.device(), a); });
}

ops::CachedOpPtr run(Context& context, const asmk_shuffle_b_args& a, asmk_stream stream) {
  const ops::CachedOpPtr entry = context.selection_cache().get(key_of(a, ops::Purpose::run), [&] {
    Selection sel = select(context.repository(), context.device(), a);  // refuses bad shapes first
    const KernargValue values[] = {{"src", a.src}, {"dst", static_cast<const void*>(a.dst)}, {"n", a.n}, {"k", a.k},
                                   {"stride_src", gemm::row_stride(kFamily, "stride_src", a.stride_src, a.k, "bytes")}};
    return ops::single_launch_entry(context, std::move(sel), values, kPointerNames);
  });
  const std::uint32_t stride = gemm::row_stride(kFamily, "stride_src", a.stride_src, a.k, "bytes");
  const Backend& be = context.backend();
  ops::require_buffer(be, kFamily, "src", a.src, ops::rows_extent(a.n, a.k, stride), a.src_bytes,
                      [&] { return fmt::format("n={} k={} stride_src={} bytes", a.n, a.k, stride); });
  ops::require_buffer(be, kFamily, "dst", a.dst, std::uint64_t(a.n) * a.k, a.dst_bytes,
                      [&] { return fmt::format("n={} k={} bytes, shuffled", a.n, a.k); });
  const void* const pointers[] = {a.src, a.dst};
  ops::launch_prepared(context, entry->launches.front(), pointers, stream);
  return entry;
}

}  // namespace asmk::shuffle_b
