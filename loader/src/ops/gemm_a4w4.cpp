#include "gemm_a4w4.hpp"

#include <fmt/format.h>

#include "../error.hpp"
#include "buffer_checks.hpp"
#include "gemm_binding.hpp"
#include "gemm_run.hpp"

namespace asmk::gemm_a4w4 {
namespace {

const gemm::FamilyRules kRules{};  // the family's kernels carry their `requires`

struct Strides {
  std::uint32_t a, b, c, scale_a, scale_b;  // bytes, except C in elements
};

Strides strides_of(const asmk_gemm_a4w4_args& a) {
  return {gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k / 2, "bytes"),
          gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k / 2, "bytes"),
          gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements"),
          gemm::row_stride(kFamily, "stride_scale_a", a.stride_scale_a, a.k / kScaleBlock, "bytes"),
          gemm::row_stride(kFamily, "stride_scale_b", a.stride_scale_b, a.k / kScaleBlock, "bytes")};
}

gemm::Binding resolve(const asmk_gemm_a4w4_args& a, bool running) {
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16});
  if (a.k % kScaleBlock != 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: k={} is not a multiple of {} (one e8m0 scale per {} elements "
                                                   "of K); nearest: {} or {}", kFamily, a.k, kScaleBlock, kScaleBlock,
                                                   a.k / kScaleBlock * kScaleBlock, (a.k / kScaleBlock + 1) * kScaleBlock));
  const Strides s = strides_of(a);
  gemm::Problem p{.family = kFamily, .m = a.m, .n = a.n, .k = a.k, .wanted = {{"out_dtype", out, "bf16"}},
                  .in_bits = 4, .out_bytes = 2, .rate_class = "fp4",
                  .workspace_budget = gemm::workspace_budget(running, a.workspace, a.workspace_bytes),
                  .forced_k_splits = a.k_splits, .partials_scaled = true};
  return {std::move(p),
          {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)},
           {"scale_a", static_cast<const void*>(a.scale_a)}, {"scale_b", static_cast<const void*>(a.scale_b)},
           {"m", a.m}, {"n", a.n}, {"k", a.k}, {"stride_a", s.a}, {"stride_b", s.b},
           {"stride_c", s.c}, {"stride_scale_a", s.scale_a}, {"stride_scale_b", s.scale_b},
           {"scale_block_k", std::uint32_t{kScaleBlock}}}};
}

// Everything the selection depends on (selection_cache.hpp).
ops::CacheKey key_of(const asmk_gemm_a4w4_args& a, ops::Purpose purpose) {
  ops::CacheKey key = gemm::problem_key(kFamily, purpose, a.m, a.n, a.k);
  key.add(a.out_dtype).add(a.stride_a).add(a.stride_b).add(a.stride_c).add(a.stride_scale_a).add(a.stride_scale_b);
  key.add(a.k_splits).add(gemm::workspace_budget(purpose == ops::Purpose::run, a.workspace, a.workspace_bytes));
  key.add_alignment(a.a).add_alignment(a.b).add_alignment(a.c);
  return key;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a4w4_args& args) {
  return gemm::plan_problem(repository, device, resolve(args, false), kRules, args.workspace);
}

ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_a4w4_args& args) {
  return gemm::cached_selection(context, key_of(args, ops::Purpose::select),
                                [&] { return plan(context.repository(), context.device(), args); });
}

ops::CachedOpPtr run(Context& context, const asmk_gemm_a4w4_args& a, asmk_stream stream) {
  const ops::CachedOpPtr entry = gemm::cached_launches(context, key_of(a, ops::Purpose::run), [&] {
    return gemm::plan_problem(context.repository(), context.device(), resolve(a, true), kRules, a.workspace);
  });
  const Strides s = strides_of(a);
  const Backend& be = context.backend();
  const std::uint64_t scales = a.k / kScaleBlock;
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, a.k / 2, s.a), a.a_bytes,
                      [&] { return fmt::format("m={} k={} stride_a={} bytes of packed fp4", a.m, a.k, s.a); });
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, a.k / 2, s.b), a.b_bytes,
                      [&] { return fmt::format("n={} k={} stride_b={} bytes of packed fp4", a.n, a.k, s.b); });
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, std::uint64_t(a.n) * 2, std::uint64_t(s.c) * 2),
                      a.c_bytes, [&] { return fmt::format("m={} n={} stride_c={} bf16", a.m, a.n, s.c); });
  ops::require_buffer(be, kFamily, "scale_a", a.scale_a, ops::rows_extent(a.m, scales, s.scale_a), a.scale_a_bytes,
                      [&] { return fmt::format("{}x{} e8m0, stride_scale_a={}", a.m, scales, s.scale_a); });
  ops::require_buffer(be, kFamily, "scale_b", a.scale_b, ops::rows_extent(a.n, scales, s.scale_b), a.scale_b_bytes,
                      [&] { return fmt::format("{}x{} e8m0, stride_scale_b={}", a.n, scales, s.scale_b); });
  gemm::require_workspace(be, kFamily, entry->selection, a.workspace, a.workspace_bytes);
  gemm::launch(context, *entry, {a.a, a.b, a.c, a.scale_a, a.scale_b, nullptr, a.workspace}, stream);
  return entry;
}

}  // namespace asmk::gemm_a4w4
