// Running a GEMM plan through the selection cache (ops/selection_cache.hpp), shared by the GEMM
// families: a family builds its cache key from its args, plans on a miss, checks its buffers on
// every call, then launches the cached entry with this call's pointers.
#pragma once

#include <string_view>

#include "../context.hpp"
#include "cached_op.hpp"
#include "gemm_plan.hpp"
#include "selection_cache.hpp"

namespace asmk::gemm {

// Every pointer a GEMM family binds, in the order the prepared launches' slots refer to.
inline constexpr std::string_view kPointerNames[] = {"a", "b", "c", "scale_a", "scale_b", "bias", "workspace"};

struct Pointers {
  const void* a = nullptr;
  const void* b = nullptr;
  const void* c = nullptr;
  const void* scale_a = nullptr;
  const void* scale_b = nullptr;
  const void* bias = nullptr;
  const void* workspace = nullptr;  // passed to the kernels only when the plan splits K
};

// The cache key every family starts from: the op, the purpose, M, N, K.
ops::CacheKey problem_key(std::string_view family, ops::Purpose purpose, std::uint32_t m, std::uint32_t n,
                          std::uint32_t k);

// A run entry: the plan's launches checked and prepared for replay (prepared_launch.hpp).
ops::CachedOpPtr prepared_entry(Context& context, const Plan& plan);

// The cached entry of a selector call; `make_plan()` plans on a miss.
template <typename MakePlan>
ops::CachedOpPtr cached_selection(const Context& context, const ops::CacheKey& key, MakePlan&& make_plan) {
  return ops::cached_selection(context, key, [&] { return make_plan().selection; });
}

// The cached entry of a launch; on a miss `make_plan()` plans and the launches are prepared.
template <typename MakePlan>
ops::CachedOpPtr cached_launches(Context& context, const ops::CacheKey& key, MakePlan&& make_plan) {
  return context.selection_cache().get(key, [&] { return prepared_entry(context, make_plan()); });
}

// Enqueues the entry's launches with the call's pointers.
void launch(Context& context, const ops::CachedOp& entry, const Pointers& pointers, asmk_stream stream);

// Checks the caller's workspace against the selection's need (NULL_BUFFER / BUFFER_TOO_SMALL).
void require_workspace(const Backend& backend, std::string_view family, const Selection& selection,
                       const void* workspace, std::size_t workspace_bytes);

}  // namespace asmk::gemm
