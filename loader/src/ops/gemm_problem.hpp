// What the shared GEMM selector knows about a problem and a family, independent of the C args
// struct of each family (gemm_bf16.cpp, gemm_a8w8.cpp, ... map their args to these).
//
// Every GEMM family computes C [M, N] = A [M, K] · B [N, K]ᵀ (both operands K-contiguous) with the
// launch rule block = the manifest's workgroup_size, grid = (ceil(N / n_tile), ceil(M / m_tile),
// k_splits). A kernel whose arguments include `workspace` and `k_splits` can split K: grid.z
// workgroups write fp32 partials to workspace[(z·M + m)·N + n], and a `gemm_splitk_reduce` kernel
// sums them into C (applying scales and bias).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../kernargs.hpp"
#include "../kernel.hpp"

namespace asmk::gemm {

// Tiles of size b that cover a (b > 0).
constexpr std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// A parameter the problem needs a kernel to have, e.g. {"in_dtype", "fp8"}. A kernel whose manifest
// lacks the parameter has `implied` (families gained axes over time: the first gemm_a8w8 kernels
// had no in_dtype and were fp8).
struct WantedParam {
  std::string name;
  std::string value;
  std::string implied;  // "" = a kernel without the parameter does not match
};

struct Problem {
  std::string_view family;          // "gemm_a8w8"
  std::uint32_t m = 0, n = 0, k = 0;
  std::vector<WantedParam> wanted;  // dtypes and layouts the kernel must have
  // Every value the op knows by name — the kernel arguments (pointers, sizes, strides) and
  // problem values that are no argument (e.g. scale_block_k) — for the `requires` rules and the
  // launch rule (ops/requirements.hpp, ops/launch_rule.hpp).
  std::vector<KernargValue> values{};

  // Cost-model inputs: bits per element of A and B, bytes per element of C, and the MFMA rate
  // class ("bf16", "fp8", "fp4"; see gemm_cost.cpp).
  std::uint32_t in_bits = 16, out_bytes = 2;
  std::string_view rate_class = "bf16";

  // Split-K: bytes of workspace the caller offers (split-K candidates must fit in it) and a forced
  // factor (0 = choose).
  std::size_t workspace_budget = 0;
  std::uint32_t forced_k_splits = 0;
  // The family applies its scales inside the K loop (block scales), so split-K partials are
  // already scaled: the reduce runs with null scale_a, scale_b and bias.
  bool partials_scaled = false;

  // The wanted `out_dtype`, which also names the split-K reduce kernel's output ("" if none).
  std::string_view out_dtype() const;

  // "m=17 n=4096 k=7168 in_dtype=fp8 out_dtype=bf16 b_layout=row"
  std::string text() const;
};

// What a family binding tells the selector besides the problem.
struct FamilyRules {
  // Requirements that apply when a kernel's manifest entry has no `requires` object (manifests
  // written before `requires` existed); taken from the template's documented contract.
  std::vector<Requirement> default_requirements;
};

// Bytes of fp32 partials a split-K launch needs: k_splits · M · N · 4 (0 for k_splits == 1).
std::size_t workspace_bytes(std::uint32_t m, std::uint32_t n, std::uint32_t k_splits);

}  // namespace asmk::gemm
