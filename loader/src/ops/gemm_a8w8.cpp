#include "gemm_a8w8.hpp"

#include <fmt/format.h>

#include "../error.hpp"
#include "buffer_checks.hpp"
#include "gemm_binding.hpp"

namespace asmk::gemm_a8w8 {
namespace {

// The template's documented rules, for manifests without `requires` (templates/gemm_a8w8).
const gemm::FamilyRules kRules{{{"k_multiple", 64}, {"row_align_bytes", 16}, {"c_stride_multiple", 4}, {"c_align_bytes", 8}}};

std::string layout_param(asmk_b_layout layout) {
  if (layout == ASMK_B_ROW) return "row";
  if (layout == ASMK_B_SHUFFLED) return "shuffled";
  fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: unknown b_layout value {}; layouts: row (ASMK_B_ROW), shuffled "
                                                 "(ASMK_B_SHUFFLED)", kFamily, static_cast<int>(layout)));
}

struct Resolved {
  gemm::Problem problem;
  std::vector<KernargValue> values;
  std::uint32_t stride_a, stride_b, stride_c, out_bytes;
};

Resolved resolve(const asmk_gemm_a8w8_args& a, bool running) {
  Resolved r;
  const std::string in = gemm::dtype_param(kFamily, "in_dtype", a.in_dtype, {ASMK_DTYPE_FP8, ASMK_DTYPE_INT8});
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16, ASMK_DTYPE_FP16});
  const std::string layout = layout_param(a.b_layout);
  r.out_bytes = 2;
  r.stride_a = gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k, "bytes");
  r.stride_b = gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k, "bytes");
  if (layout == "shuffled" && r.stride_b != a.k)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
         fmt::format("{}: stride_b={} with b_layout=shuffled; a shuffled B is dense (n·k bytes, as asmk_shuffle_b "
                     "writes it): stride_b must be 0 or k={}", kFamily, a.stride_b, a.k));
  r.stride_c = gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements");
  auto& p = r.problem;
  p.family = kFamily;
  p.m = a.m;
  p.n = a.n;
  p.k = a.k;
  p.wanted = {{"in_dtype", in, "fp8"}, {"out_dtype", out, "bf16"}, {"b_layout", layout, "row"}};
  p.layout = {r.stride_a, r.stride_b, r.stride_c, a.a, a.b, a.c};
  p.in_bits = 8;
  p.out_bytes = r.out_bytes;
  p.rate_class = "fp8";
  p.workspace_budget = gemm::workspace_budget(running, a.workspace, a.workspace_bytes);
  p.forced_k_splits = a.k_splits;
  p.out_dtype = out;
  r.values = {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)},
              {"scale_a", static_cast<const void*>(a.scale_a)}, {"scale_b", static_cast<const void*>(a.scale_b)},
              {"bias", static_cast<const void*>(a.bias)}, {"m", a.m}, {"n", a.n}, {"k", a.k},
              {"stride_a", r.stride_a}, {"stride_b", r.stride_b}, {"stride_c", r.stride_c}};
  return r;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a8w8_args& args) {
  Resolved r = resolve(args, false);
  return gemm::plan_problem(repository, device, r.problem, kRules, std::move(r.values), args.workspace);
}

gemm::Plan run(Context& context, const asmk_gemm_a8w8_args& a, asmk_stream stream) {
  Resolved r = resolve(a, true);
  gemm::Plan plan = gemm::plan_problem(context.repository(), context.device(), r.problem, kRules, std::move(r.values),
                                       a.workspace);
  const Backend& be = context.backend();
  const std::string_view in = r.problem.wanted[0].value;
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, a.k, r.stride_a), a.a_bytes,
                      fmt::format("m={} k={} stride_a={} {}", a.m, a.k, r.stride_a, in));
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, a.k, r.stride_b), a.b_bytes,
                      fmt::format("n={} k={} stride_b={} {}", a.n, a.k, r.stride_b, in));
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, std::uint64_t(a.n) * 2, std::uint64_t(r.stride_c) * 2),
                      a.c_bytes, fmt::format("m={} n={} stride_c={} {}", a.m, a.n, r.stride_c, r.problem.out_dtype));
  ops::require_buffer(be, kFamily, "scale_a", a.scale_a, std::uint64_t(a.m) * 4, a.scale_a_bytes,
                      fmt::format("{} per-token f32 scales", a.m));
  ops::require_buffer(be, kFamily, "scale_b", a.scale_b, std::uint64_t(a.n) * 4, a.scale_b_bytes,
                      fmt::format("{} per-channel f32 scales", a.n));
  ops::require_optional_buffer(be, kFamily, "bias", a.bias, std::uint64_t(a.n) * 4, a.bias_bytes,
                               fmt::format("{} f32 biases", a.n));
  gemm::require_workspace(be, kFamily, plan, a.workspace, a.workspace_bytes);
  gemm::run_plan(context, plan, stream);
  return plan;
}

}  // namespace asmk::gemm_a8w8
