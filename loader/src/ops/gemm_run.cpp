#include "gemm_run.hpp"

#include <memory>

#include "buffer_checks.hpp"

#include <fmt/format.h>

namespace asmk::gemm {

ops::CacheKey problem_key(std::string_view family, ops::Purpose purpose, std::uint32_t m, std::uint32_t n,
                          std::uint32_t k) {
  ops::CacheKey key(family, purpose);
  key.add(m).add(n).add(k);
  return key;
}

ops::CachedOpPtr prepared_entry(Context& context, const Plan& plan) {
  auto entry = std::make_shared<ops::CachedOp>();
  entry->selection = plan.selection;
  // Every launch is checked before the first one is enqueued (as run_plan does).
  for (const Launch& l : plan.launches)
    entry->launches.push_back(ops::prepare_launch(context, *l.kernel, l.grid, l.block, l.args, kPointerNames, l.fixed_null));
  return entry;
}

void launch(Context& context, const ops::CachedOp& entry, const Pointers& p, asmk_stream stream) {
  const void* const pointers[] = {p.a, p.b, p.c, p.scale_a, p.scale_b, p.bias,
                                  entry.selection.k_splits > 1 ? p.workspace : nullptr};
  for (const ops::PreparedLaunch& l : entry.launches) ops::launch_prepared(context, l, pointers, stream);
}

void require_workspace(const Backend& backend, std::string_view family, const Selection& selection,
                       const void* workspace, std::size_t workspace_bytes) {
  if (selection.k_splits <= 1) return;
  ops::require_buffer(backend, family, "workspace", workspace, selection.workspace_bytes, workspace_bytes, [&] {
    return fmt::format("{} split-K partials of m x n fp32", selection.k_splits);
  });
}

}  // namespace asmk::gemm
