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

#include "../kernel.hpp"

namespace asmk::gemm {

// A parameter the problem needs a kernel to have, e.g. {"in_dtype", "fp8"}. A kernel whose manifest
// lacks the parameter has `implied` (families gained axes over time: the first gemm_a8w8 kernels
// had no in_dtype and were fp8).
struct WantedParam {
  std::string name;
  std::string value;
  std::string implied;  // "" = a kernel without the parameter does not match
};

// How one problem is laid out in memory, for the manifest's `requires` rules.
struct Layout {
  // Row strides in bytes of A and B, and of C in elements.
  std::uint64_t stride_a_bytes = 0, stride_b_bytes = 0;
  std::uint64_t stride_c = 0;
  // Base pointers (null when only selecting: then only strides are checked).
  const void* a = nullptr;
  const void* b = nullptr;
  const void* c = nullptr;
};

struct Problem {
  std::string_view family;          // "gemm_a8w8"
  std::uint32_t m = 0, n = 0, k = 0;
  std::vector<WantedParam> wanted;  // dtypes and layouts the kernel must have
  Layout layout;
  // Block-scale granularity of the C ABI's scale tensors (0: the family has none); a kernel's
  // `scale_block_k` / `scale_block_n` requirement must equal it.
  std::uint32_t scale_block_k = 0, scale_block_n = 0;

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
