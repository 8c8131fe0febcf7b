#include "gemm_bf16.hpp"

#include <fmt/format.h>

#include "buffer_checks.hpp"
#include "gemm_binding.hpp"

namespace asmk::gemm_bf16 {
namespace {

// The template's documented rules, for manifests without `requires` (templates/gemm_bf16).
const gemm::FamilyRules kRules{{{"k_multiple", 32}, {"row_align_bytes", 16}, {"c_stride_multiple", 4}, {"c_align_bytes", 8}}};

struct Resolved {
  gemm::Problem problem;
  std::vector<KernargValue> values;
  std::uint32_t stride_a, stride_b, stride_c, out_bytes;
};

Resolved resolve(const asmk_gemm_bf16_args& a, bool running) {
  Resolved r;
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16, ASMK_DTYPE_FP32});
  r.out_bytes = out == "f32" ? 4 : 2;
  r.stride_a = gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k, "elements");
  r.stride_b = gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k, "elements");
  r.stride_c = gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements");
  auto& p = r.problem;
  p.family = kFamily;
  p.m = a.m;
  p.n = a.n;
  p.k = a.k;
  p.wanted = {{"in_dtype", "bf16", "bf16"}, {"out_dtype", out, ""}};
  p.layout = {std::uint64_t(r.stride_a) * 2, std::uint64_t(r.stride_b) * 2, r.stride_c, a.a, a.b, a.c};
  p.in_bits = 16;
  p.out_bytes = r.out_bytes;
  p.rate_class = "bf16";
  p.workspace_budget = gemm::workspace_budget(running, a.workspace, a.workspace_bytes);
  p.forced_k_splits = a.k_splits;
  p.out_dtype = out;
  const void* none = nullptr;
  r.values = {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)}, {"scale_a", none}, {"scale_b", none},
              {"bias", none}, {"m", a.m}, {"n", a.n}, {"k", a.k}, {"stride_a", r.stride_a},
              {"stride_b", r.stride_b}, {"stride_c", r.stride_c}};
  return r;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_bf16_args& args) {
  Resolved r = resolve(args, false);
  return gemm::plan_problem(repository, device, r.problem, kRules, std::move(r.values), args.workspace);
}

gemm::Plan run(Context& context, const asmk_gemm_bf16_args& a, asmk_stream stream) {
  Resolved r = resolve(a, true);
  gemm::Plan plan = gemm::plan_problem(context.repository(), context.device(), r.problem, kRules, std::move(r.values),
                                       a.workspace);
  const Backend& be = context.backend();
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, std::uint64_t(a.k) * 2, std::uint64_t(r.stride_a) * 2),
                      a.a_bytes, fmt::format("m={} k={} stride_a={} bf16", a.m, a.k, r.stride_a));
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, std::uint64_t(a.k) * 2, std::uint64_t(r.stride_b) * 2),
                      a.b_bytes, fmt::format("n={} k={} stride_b={} bf16", a.n, a.k, r.stride_b));
  ops::require_buffer(be, kFamily, "c", a.c,
                      ops::rows_extent(a.m, std::uint64_t(a.n) * r.out_bytes, std::uint64_t(r.stride_c) * r.out_bytes),
                      a.c_bytes, fmt::format("m={} n={} stride_c={} {}", a.m, a.n, r.stride_c, r.problem.out_dtype));
  gemm::require_workspace(be, kFamily, plan, a.workspace, a.workspace_bytes);
  gemm::run_plan(context, plan, stream);
  return plan;
}

}  // namespace asmk::gemm_bf16
