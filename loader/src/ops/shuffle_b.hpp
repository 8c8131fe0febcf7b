// The shuffle_b op: rewrites an 8-bit B [n, k] into the layout gemm_a8w8 reads with
// b_layout = shuffled (the `shuffle_b` kernel; its contract is in its template's header).
//
// The layout (ref/shuffle.hpp): 64-row x 64-byte blocks, block row by block row, K step by K step.
// Launch rule (templates/shuffle_b): block = workgroup_size; one workgroup per block of
// rows_per_wg rows x 64 bytes: grid = (ceil(k / 64), ceil(n / rows_per_wg), 1). Among several
// kernels, the one with the most rows per workgroup whose `requires` hold (N, K multiples of 64).
#pragma once

#include "../context.hpp"
#include "selection.hpp"
#include "selection_cache.hpp"

namespace asmk::shuffle_b {

inline constexpr std::string_view kFamily = "shuffle_b";
inline constexpr std::uint32_t kBlockBytes = 64;  // bytes of K per block of the shuffled layout

Selection select(const Repository& repository, const Device& device, const asmk_shuffle_b_args& args);
// select() through the context's selection cache (asmk_select_shuffle_b).
ops::CachedOpPtr cached_select(const Context& context, const asmk_shuffle_b_args& args);

// Validates everything (buffers on every call), selects (or finds the cached selection), launches.
ops::CachedOpPtr run(Context& context, const asmk_shuffle_b_args& args, asmk_stream stream);

}  // namespace asmk::shuffle_b
