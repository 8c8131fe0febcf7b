#include "gemm_a8w8_blockscale.hpp"

#include <fmt/format.h>

#include "buffer_checks.hpp"
#include "gemm_binding.hpp"
#include "gemm_run.hpp"

namespace asmk::gemm_a8w8_blockscale {
namespace {

const gemm::FamilyRules kRules{};  // the family's kernels carry their `requires`

std::uint32_t blocks(std::uint32_t extent) { return (extent + kScaleBlock - 1) / kScaleBlock; }

struct Strides {
  std::uint32_t a, b, c, scale_a;  // A, B in bytes; C, scale_a in elements
};

Strides strides_of(const asmk_gemm_a8w8_blockscale_args& a) {
  return {gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k, "bytes"),
          gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k, "bytes"),
          gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements"),
          gemm::row_stride(kFamily, "stride_scale_a", a.stride_scale_a, blocks(a.k), "elements")};
}

gemm::Binding resolve(const asmk_gemm_a8w8_blockscale_args& a, bool running) {
  const std::string in = gemm::dtype_param(kFamily, "in_dtype", a.in_dtype, {ASMK_DTYPE_FP8});
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16});
  const Strides s = strides_of(a);
  gemm::Problem p{.family = kFamily, .m = a.m, .n = a.n, .k = a.k,
                  .wanted = {{"in_dtype", in, "fp8"}, {"out_dtype", out, "bf16"}},
                  .in_bits = 8, .out_bytes = 2, .rate_class = "fp8",
                  .workspace_budget = gemm::workspace_budget(running, a.workspace, a.workspace_bytes),
                  .forced_k_splits = a.k_splits, .partials_scaled = true};
  return {std::move(p),
          {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)},
           {"scale_a", static_cast<const void*>(a.scale_a)}, {"scale_b", static_cast<const void*>(a.scale_b)},
           {"m", a.m}, {"n", a.n}, {"k", a.k}, {"stride_a", s.a}, {"stride_b", s.b},
           {"stride_c", s.c}, {"stride_scale_a", s.scale_a},
           {"scale_block_k", std::uint32_t{kScaleBlock}}, {"scale_block_n", std::uint32_t{kScaleBlock}}}};
}

// Everything the selection depends on (selection_cache.hpp).
ops::CacheKey key_of(const asmk_gemm_a8w8_blockscale_args& a, ops::Purpose purpose) {
  ops::CacheKey key = gemm::problem_key(kFamily, purpose, a.m, a.n, a.k);
  key.add(a.in_dtype).add(a.out_dtype).add(a.stride_a).add(a.stride_b).add(a.stride_c).add(a.stride_scale_a);
  key.add(a.k_splits).add(gemm::workspace_budget(purpose == ops::Purpose::run, a.workspace, a.workspace_bytes));
  key.add_alignment(a.a).add_alignment(a.b).add_alignment(a.c);
  return key;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a8w8_blockscale_args& args) {
  return gemm::plan_problem(repository, device, resolve(args, false), kRules, args.workspace);
}

ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_a8w8_blockscale_args& args) {
  return gemm::cached_selection(context, key_of(args, ops::Purpose::select),
                                [&] { return plan(context.repository(), context.device(), args); });
}

ops::CachedOpPtr run(Context& context, const asmk_gemm_a8w8_blockscale_args& a, asmk_stream stream) {
  const ops::CachedOpPtr entry = gemm::cached_launches(context, key_of(a, ops::Purpose::run), [&] {
    return gemm::plan_problem(context.repository(), context.device(), resolve(a, true), kRules, a.workspace);
  });
  const Strides s = strides_of(a);
  const Backend& be = context.backend();
  const std::uint64_t kb = blocks(a.k);
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, a.k, s.a), a.a_bytes,
                      [&] { return fmt::format("m={} k={} stride_a={} fp8", a.m, a.k, s.a); });
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, a.k, s.b), a.b_bytes,
                      [&] { return fmt::format("n={} k={} stride_b={} fp8", a.n, a.k, s.b); });
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, std::uint64_t(a.n) * 2, std::uint64_t(s.c) * 2),
                      a.c_bytes, [&] { return fmt::format("m={} n={} stride_c={} bf16", a.m, a.n, s.c); });
  ops::require_buffer(be, kFamily, "scale_a", a.scale_a, ops::rows_extent(a.m, kb * 4, std::uint64_t(s.scale_a) * 4),
                      a.scale_a_bytes,
                      [&] { return fmt::format("{}x{} f32 (1x128 blocks), stride_scale_a={}", a.m, kb, s.scale_a); });
  ops::require_buffer(be, kFamily, "scale_b", a.scale_b, std::uint64_t(blocks(a.n)) * kb * 4, a.scale_b_bytes,
                      [&] { return fmt::format("{}x{} f32 (128x128 blocks)", blocks(a.n), kb); });
  gemm::require_workspace(be, kFamily, entry->selection, a.workspace, a.workspace_bytes);
  gemm::launch(context, *entry, {a.a, a.b, a.c, a.scale_a, a.scale_b, nullptr, a.workspace}, stream);
  return entry;
}

}  // namespace asmk::gemm_a8w8_blockscale
