#include "gemm_a8w8.hpp"

#include <fmt/format.h>

#include "../dtype.hpp"
#include "../error.hpp"
#include "buffer_checks.hpp"
#include "gemm_binding.hpp"
#include "gemm_run.hpp"
#include "requirements.hpp"

namespace asmk::gemm_a8w8 {
namespace {

// The template's documented rules, for manifests without `requires` (templates/gemm_a8w8).
const gemm::FamilyRules kRules{{ops::multiple_rule("k_multiple", "k", 64),
                                 ops::align_rule("row_align_bytes", "a", 16), ops::align_rule("row_align_bytes", "b", 16),
                                 ops::multiple_rule("row_align_bytes", "stride_a", 16, "bytes"),
                                 ops::multiple_rule("row_align_bytes", "stride_b", 16, "bytes"),
                                 ops::multiple_rule("c_stride_multiple", "stride_c", 4, "elements"),
                                 ops::align_rule("c_align_bytes", "c", 8)}};

std::string layout_param(asmk_b_layout layout) {
  if (layout == ASMK_B_ROW) return "row";
  if (layout == ASMK_B_SHUFFLED) return "shuffled";
  fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: unknown b_layout value {}; layouts: row (ASMK_B_ROW), shuffled "
                                                 "(ASMK_B_SHUFFLED)", kFamily, static_cast<int>(layout)));
}

struct Strides {
  std::uint32_t a, b, c;  // A and B in bytes, C in elements
};

Strides strides_of(const asmk_gemm_a8w8_args& a) {
  return {gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k, "bytes"),
          gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k, "bytes"),
          gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements")};
}

gemm::Binding resolve(const asmk_gemm_a8w8_args& a, bool running) {
  const std::string in = gemm::dtype_param(kFamily, "in_dtype", a.in_dtype, {ASMK_DTYPE_FP8, ASMK_DTYPE_INT8});
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16, ASMK_DTYPE_FP16});
  const std::string layout = layout_param(a.b_layout);
  const Strides s = strides_of(a);
  if (layout == "shuffled" && s.b != a.k)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("{}: stride_b={} with b_layout=shuffled; a shuffled B is dense (n·k bytes, as asmk_shuffle_b "
                     "writes it): stride_b must be 0 or k={}", kFamily, a.stride_b, a.k));
  gemm::Problem p{.family = kFamily, .m = a.m, .n = a.n, .k = a.k,
                  .wanted = {{"in_dtype", in, "fp8"}, {"out_dtype", out, "bf16"}, {"b_layout", layout, "row"}},
                  .in_bits = 8, .out_bytes = 2, .rate_class = "fp8",
                  .workspace_budget = gemm::workspace_budget(running, a.workspace, a.workspace_bytes),
                  .forced_k_splits = a.k_splits};
  return {std::move(p),
          {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)},
           {"scale_a", static_cast<const void*>(a.scale_a)}, {"scale_b", static_cast<const void*>(a.scale_b)},
           {"bias", static_cast<const void*>(a.bias)}, {"m", a.m}, {"n", a.n}, {"k", a.k},
           {"stride_a", s.a}, {"stride_b", s.b}, {"stride_c", s.c}}};
}

// Everything the selection depends on (selection_cache.hpp).
ops::CacheKey key_of(const asmk_gemm_a8w8_args& a, ops::Purpose purpose) {
  ops::CacheKey key = gemm::problem_key(kFamily, purpose, a.m, a.n, a.k);
  key.add(a.in_dtype).add(a.out_dtype).add(a.b_layout).add(a.stride_a).add(a.stride_b).add(a.stride_c).add(a.k_splits);
  key.add(gemm::workspace_budget(purpose == ops::Purpose::run, a.workspace, a.workspace_bytes));
  key.add_alignment(a.a).add_alignment(a.b).add_alignment(a.c);
  return key;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a8w8_args& args) {
  return gemm::plan_problem(repository, device, resolve(args, false), kRules, args.workspace);
}

ops::CachedOpPtr cached_select(const Context& context, const asmk_gemm_a8w8_args& args) {
  return gemm::cached_selection(context, key_of(args, ops::Purpose::select),
                                [&] { return plan(context.repository(), context.device(), args); });
}

ops::CachedOpPtr run(Context& context, const asmk_gemm_a8w8_args& a, asmk_stream stream) {
  const ops::CachedOpPtr entry = gemm::cached_launches(context, key_of(a, ops::Purpose::run), [&] {
    return gemm::plan_problem(context.repository(), context.device(), resolve(a, true), kRules, a.workspace);
  });
  const Strides s = strides_of(a);
  const Backend& be = context.backend();
  const auto in = [&] { return std::string(dtype_name(a.in_dtype).value_or("?")); };
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, a.k, s.a), a.a_bytes,
                      [&] { return fmt::format("m={} k={} stride_a={} {}", a.m, a.k, s.a, in()); });
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, a.k, s.b), a.b_bytes,
                      [&] { return fmt::format("n={} k={} stride_b={} {}", a.n, a.k, s.b, in()); });
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, std::uint64_t(a.n) * 2, std::uint64_t(s.c) * 2),
                      a.c_bytes, [&] {
                        return fmt::format("m={} n={} stride_c={} {}", a.m, a.n, s.c,
                                           dtype_name(a.out_dtype).value_or("?"));
                      });
  ops::require_buffer(be, kFamily, "scale_a", a.scale_a, std::uint64_t(a.m) * 4, a.scale_a_bytes,
                      [&] { return fmt::format("{} per-token f32 scales", a.m); });
  ops::require_buffer(be, kFamily, "scale_b", a.scale_b, std::uint64_t(a.n) * 4, a.scale_b_bytes,
                      [&] { return fmt::format("{} per-channel f32 scales", a.n); });
  ops::require_optional_buffer(be, kFamily, "bias", a.bias, std::uint64_t(a.n) * 4, a.bias_bytes,
                               [&] { return fmt::format("{} f32 biases", a.n); });
  gemm::require_workspace(be, kFamily, entry->selection, a.workspace, a.workspace_bytes);
  gemm::launch(context, *entry, {a.a, a.b, a.c, a.scale_a, a.scale_b, a.bias, a.workspace}, stream);
  return entry;
}

}  // namespace asmk::gemm_a8w8
