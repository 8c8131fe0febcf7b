#include "gemm_a8w8_blockscale.hpp"

#include <fmt/format.h>

#include "buffer_checks.hpp"
#include "gemm_binding.hpp"

namespace asmk::gemm_a8w8_blockscale {
namespace {

const gemm::FamilyRules kRules{};  // the family's kernels carry their `requires`

std::uint32_t blocks(std::uint32_t extent) { return (extent + kScaleBlock - 1) / kScaleBlock; }

struct Resolved {
  gemm::Problem problem;
  std::vector<KernargValue> values;
  std::uint32_t stride_a, stride_b, stride_c, stride_scale_a;
};

Resolved resolve(const asmk_gemm_a8w8_blockscale_args& a) {
  Resolved r;
  const std::string in = gemm::dtype_param(kFamily, "in_dtype", a.in_dtype, {ASMK_DTYPE_FP8});
  const std::string out = gemm::dtype_param(kFamily, "out_dtype", a.out_dtype, {ASMK_DTYPE_BF16});
  r.stride_a = gemm::row_stride(kFamily, "stride_a", a.stride_a, a.k, "bytes");
  r.stride_b = gemm::row_stride(kFamily, "stride_b", a.stride_b, a.k, "bytes");
  r.stride_c = gemm::row_stride(kFamily, "stride_c", a.stride_c, a.n, "elements");
  r.stride_scale_a = gemm::row_stride(kFamily, "stride_scale_a", a.stride_scale_a, blocks(a.k), "elements");
  auto& p = r.problem;
  p.family = kFamily;
  p.m = a.m;
  p.n = a.n;
  p.k = a.k;
  p.wanted = {{"in_dtype", in, "fp8"}, {"out_dtype", out, "bf16"}};
  p.layout = {r.stride_a, r.stride_b, r.stride_c, a.a, a.b, a.c};
  p.scale_block_k = kScaleBlock;
  p.scale_block_n = kScaleBlock;
  p.in_bits = 8;
  p.out_bytes = 2;
  p.rate_class = "fp8";
  p.out_dtype = out;
  r.values = {{"a", a.a}, {"b", a.b}, {"c", static_cast<const void*>(a.c)},
              {"scale_a", static_cast<const void*>(a.scale_a)}, {"scale_b", static_cast<const void*>(a.scale_b)},
              {"m", a.m}, {"n", a.n}, {"k", a.k}, {"stride_a", r.stride_a}, {"stride_b", r.stride_b},
              {"stride_c", r.stride_c}, {"stride_scale_a", r.stride_scale_a}};
  return r;
}

}  // namespace

gemm::Plan plan(const Repository& repository, const Device& device, const asmk_gemm_a8w8_blockscale_args& args) {
  Resolved r = resolve(args);
  return gemm::plan_problem(repository, device, r.problem, kRules, std::move(r.values), nullptr);
}

gemm::Plan run(Context& context, const asmk_gemm_a8w8_blockscale_args& a, asmk_stream stream) {
  Resolved r = resolve(a);
  gemm::Plan plan = gemm::plan_problem(context.repository(), context.device(), r.problem, kRules, std::move(r.values),
                                       nullptr);
  const Backend& be = context.backend();
  const std::uint64_t kb = blocks(a.k);
  ops::require_buffer(be, kFamily, "a", a.a, ops::rows_extent(a.m, a.k, r.stride_a), a.a_bytes,
                      fmt::format("m={} k={} stride_a={} fp8", a.m, a.k, r.stride_a));
  ops::require_buffer(be, kFamily, "b", a.b, ops::rows_extent(a.n, a.k, r.stride_b), a.b_bytes,
                      fmt::format("n={} k={} stride_b={} fp8", a.n, a.k, r.stride_b));
  ops::require_buffer(be, kFamily, "c", a.c, ops::rows_extent(a.m, std::uint64_t(a.n) * 2, std::uint64_t(r.stride_c) * 2),
                      a.c_bytes, fmt::format("m={} n={} stride_c={} bf16", a.m, a.n, r.stride_c));
  ops::require_buffer(be, kFamily, "scale_a", a.scale_a, ops::rows_extent(a.m, kb * 4, std::uint64_t(r.stride_scale_a) * 4),
                      a.scale_a_bytes, fmt::format("{}x{} f32 (1x128 blocks), stride_scale_a={}", a.m, kb, r.stride_scale_a));
  ops::require_buffer(be, kFamily, "scale_b", a.scale_b, std::uint64_t(blocks(a.n)) * kb * 4, a.scale_b_bytes,
                      fmt::format("{}x{} f32 (128x128 blocks)", blocks(a.n), kb));
  gemm::run_plan(context, plan, stream);
  return plan;
}

}  // namespace asmk::gemm_a8w8_blockscale
