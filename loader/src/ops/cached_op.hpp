// Making and finding an op's entries in the context's selection cache (selection_cache.hpp): the
// part every op binding shares around its own key, selection and buffer checks.
#pragma once

#include <span>
#include <string_view>

#include "../context.hpp"
#include "selection_cache.hpp"

namespace asmk::ops {

// An entry for a selector call.
CachedOpPtr selection_entry(Selection selection);

// An entry for an op that launches one kernel: the selection and its launch prepared from
// `values` (pointers in `pointer_names` become slots).
CachedOpPtr single_launch_entry(Context& context, Selection selection, std::span<const KernargValue> values,
                                std::span<const std::string_view> pointer_names);

// The cached entry of a selector call; `select()` (-> Selection) runs on a miss.
template <typename Select>
CachedOpPtr cached_selection(const Context& context, const CacheKey& key, Select&& select) {
  return context.selection_cache().get(key, [&] { return selection_entry(select()); });
}

}  // namespace asmk::ops
