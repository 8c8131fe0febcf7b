#include "gemm_bf16.hpp"

#include <fmt/format.h>

#include "buffer_checks.hpp"
#include "gemm_binding.hpp"
#include "gemm_run.hpp"
#include "requirements.hpp"

namespace asmk::gemm_bf16 {
namespace {

// The template's documented rules, for manifests without `requires` (templates/gemm_bf16).
const gemm::FamilyRules kRules{{ops::multiple_rule("k_multiple", "k", 32),
                                 ops::align_rule("row_align_bytes", "a", 16), ops::align_rule("row_align_bytes", "b", 16),
                                 ops::multiple_rule("row_align_bytes", "stride_a", 8, "elements"),
                                 ops::multiple_rule("row_align_bytes", "stride_b", 8, "elements"),
                                 ops::multiple_rule("c_stride_multiple", "stride_c", 4, "elements"),
                                 ops::align_rule("c_align_bytes", "c", 8)}};

struct Strides {
  std::uint32_t a, b, c;  // in elements
};

Strides strides_of(const asmk_gemm_bf16_args& a) {
  return {gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k, "elements"),
          gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k, "elements"),
          gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements")};
}

std::string out_param(const asmk_gemm_bf16_args& a) {
  return gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16, ASMK_DTYPE_FP32});
}

std::uint32_t out_bytes(const asmk_gemm_bf16_args& a) { return a.out_dtype == ASMK_DTYPE_FP32 ? 4 : 2; }

gemm::Binding resolve(const asmk_gemm_bf16_args& a, bool running) {
  const std::string out = out_param(a);
  const Strides s = strides_of(a);
  gemm::Problem p{.family = kFamily, .m = a.m, .n = a.n, .k = a.k,
                  .wanted = {{"in_dtype", "bf16", "bf16"}, {"out_dtype", out, ""}},
                  .in_bits = 16, .out_bytes = out_bytes(a), .rate_class = "bf16",
                  .workspace_budget = gemm::workspace_budget(running, a.workspace, a.workspace_bytes),
                  .forced_k_splits = a.k_splits};
  const void* none = nullptr;
  return {std::move(p),
          {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)}, {"scale_a", none}, {"scale_b", none},
           {"bias", none}, {"m", a.m}, {"n", a.n}, {"k", a.k}, {"stride_a", s.a}, {"stride_b", s.b},
           {"stride_c", s.c}}};
}

// Everything the selection depends on (selection_cache.hpp).
ops::CacheKey key_of(const asmk_gemm_bf16_args& a, ops::Purpose purpose) {
  ops::CacheKey key = gemm::problem_key(kFamily, purpose, a.m, a.n, a.k);
  key.add(a.out_dtype).add(a.stride_a).add(a.stride_b).add(a.stride_c).add(a.k_splits);
  key.add(gemm::workspace_budget(purpose == ops::Purpose::run, a.workspace, a.workspace_bytes));
  key.add_alignment(a.a).add_alignment(a.b).add_alignment(a.c);
  return key;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_bf16_args& args) {
  return gemm::plan_problem(repository, device, resolve(args, false), kRules, args.workspace);
}

ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_bf16_args& args) {
  return gemm::cached_selection(context, key_of(args, ops::Purpose::select),
                                [&] { return plan(context.repository(), context.device(), args); });
}

ops::CachedOpPtr run(Context& context, const asmk_gemm_bf16_args& a, asmk_stream stream) {
  const ops::CachedOpPtr entry = gemm::cached_launches(context, key_of(a, ops::Purpose::run), [&] {
    return gemm::plan_problem(context.repository(), context.device(), resolve(a, true), kRules, a.workspace);
  });
  const Strides s = strides_of(a);
  const std::uint64_t c_bytes = out_bytes(a);
  const Backend& be = context.backend();
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, std::uint64_t(a.k) * 2, std::uint64_t(s.a) * 2),
                      a.a_bytes, [&] { return fmt::format("m={} k={} stride_a={} bf16", a.m, a.k, s.a); });
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, std::uint64_t(a.k) * 2, std::uint64_t(s.b) * 2),
                      a.b_bytes, [&] { return fmt::format("n={} k={} stride_b={} bf16", a.n, a.k, s.b); });
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, a.n * c_bytes, s.c * c_bytes), a.c_bytes,
                      [&] { return fmt::format("m={} n={} stride_c={} {}", a.m, a.n, s.c, out_param(a)); });
  gemm::require_workspace(be, kFamily, entry->selection, a.workspace, a.workspace_bytes);
  gemm::launch(context, *entry, {.a = a.a, .b = a.b, .c = a.c, .workspace = a.workspace}, stream);
  return entry;
}

}  // namespace asmk::gemm_bf16
