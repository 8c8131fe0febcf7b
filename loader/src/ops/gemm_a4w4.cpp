#include "gemm_a4w4.hpp"

#include <fmt/format.h>

#include "../error.hpp"
#include "buffer_checks.hpp"
#include "gemm_binding.hpp"

namespace asmk::gemm_a4w4 {
namespace {

const gemm::FamilyRules kRules{};  // the family's kernels carry their `requires`

struct Resolved {
  gemm::Problem problem;
  std::vector<KernargValue> values;
  std::uint32_t stride_a, stride_b, stride_c, stride_scale_a, stride_scale_b;
};

Resolved resolve(const asmk_gemm_a4w4_args& a) {
  Resolved r;
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16});
  if (a.k % kScaleBlock != 0)
    fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: k={} is not a multiple of {} (one e8m0 scale per {} elements "
                                                   "of K); nearest: {} or {}", kFamily, a.k, kScaleBlock, kScaleBlock,
                                                   a.k / kScaleBlock * kScaleBlock, (a.k / kScaleBlock + 1) * kScaleBlock));
  r.stride_a = gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k / 2, "bytes");
  r.stride_b = gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k / 2, "bytes");
  r.stride_c = gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements");
  r.stride_scale_a = gemm::row_stride(kFamily, "stride_scale_a", a.stride_scale_a, a.k / kScaleBlock, "bytes");
  r.stride_scale_b = gemm::row_stride(kFamily, "stride_scale_b", a.stride_scale_b, a.k / kScaleBlock, "bytes");
  auto& p = r.problem;
  p.family = kFamily;
  p.m = a.m;
  p.n = a.n;
  p.k = a.k;
  p.wanted = {{"out_dtype", out, "bf16"}};
  p.layout = {r.stride_a, r.stride_b, r.stride_c, a.a, a.b, a.c};
  p.scale_block_k = kScaleBlock;
  p.in_bits = 4;
  p.out_bytes = 2;
  p.rate_class = "fp4";
  p.out_dtype = out;
  r.values = {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)},
              {"scale_a", static_cast<const void*>(a.scale_a)}, {"scale_b", static_cast<const void*>(a.scale_b)},
              {"m", a.m}, {"n", a.n}, {"k", a.k}, {"stride_a", r.stride_a}, {"stride_b", r.stride_b},
              {"stride_c", r.stride_c}, {"stride_scale_a", r.stride_scale_a}, {"stride_scale_b", r.stride_scale_b}};
  return r;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a4w4_args& args) {
  Resolved r = resolve(args);
  return gemm::plan_problem(repository, device, r.problem, kRules, std::move(r.values), nullptr);
}

gemm::Plan run(Context& context, const asmk_gemm_a4w4_args& a, asmk_stream stream) {
  Resolved r = resolve(a);
  gemm::Plan plan = gemm::plan_problem(context.repository(), context.device(), r.problem, kRules, std::move(r.values),
                                       nullptr);
  const Backend& be = context.backend();
  const std::uint64_t scales = a.k / kScaleBlock;
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, a.k / 2, r.stride_a), a.a_bytes,
                      fmt::format("m={} k={} stride_a={} bytes of packed fp4", a.m, a.k, r.stride_a));
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, a.k / 2, r.stride_b), a.b_bytes,
                      fmt::format("n={} k={} stride_b={} bytes of packed fp4", a.n, a.k, r.stride_b));
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, std::uint64_t(a.n) * 2, std::uint64_t(r.stride_c) * 2),
                      a.c_bytes, fmt::format("m={} n={} stride_c={} bf16", a.m, a.n, r.stride_c));
  ops::require_buffer(be, kFamily, "scale_a", a.scale_a, ops::rows_extent(a.m, scales, r.stride_scale_a), a.scale_a_bytes,
                      fmt::format("{}x{} e8m0, stride_scale_a={}", a.m, scales, r.stride_scale_a));
  ops::require_buffer(be, kFamily, "scale_b", a.scale_b, ops::rows_extent(a.n, scales, r.stride_scale_b), a.scale_b_bytes,
                      fmt::format("{}x{} e8m0, stride_scale_b={}", a.n, scales, r.stride_scale_b));
  gemm::run_plan(context, plan, stream);
  return plan;
}

}  // namespace asmk::gemm_a4w4
