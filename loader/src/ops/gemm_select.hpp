// The shared GEMM selector: candidates, eligibility (parameters, the manifest's `requires`, split-K
// limits), the tuned table, then the cost model of gemm_cost.hpp.
//
//  1. Candidates are the device arch's kernels of the family whose parameters match the problem's
//     dtypes and layout (WantedParam). None: UNSUPPORTED_DTYPE naming the combinations that exist.
//  2. A candidate is eligible when every rule of its `requires` holds (requirements.hpp), with its k_splits.
//  3. Each eligible kernel is considered with k_splits = 1, and — when it has the split-K arguments
//     (`workspace`, `k_splits`) and the problem has fewer tiles than the device has CUs — with
//     k_splits ∈ {2, 4, 8} where every split gets at least one K step (the kernels give split z
//     the steps [z·kc, (z+1)·kc), kc = ceil(K / k_multiple / k_splits)), a `gemm_splitk_reduce`
//     kernel for the output dtype exists whose `requires` hold, and the caller's workspace fits.
//  4. A tuned-table row for the exact problem (tuned_table.hpp) wins when it names an eligible
//     (kernel, k_splits); otherwise the reason says why the row was not used.
//  5. Otherwise the least estimated time wins; ties: fewer splits, higher tile efficiency, larger
//     tile, then name.
#pragma once

#include <string>
#include <vector>

#include "../device.hpp"
#include "../repository.hpp"
#include "gemm_cost.hpp"
#include "gemm_problem.hpp"

namespace asmk::gemm {

inline constexpr std::string_view kReduceFamily = "gemm_splitk_reduce";
inline constexpr std::uint32_t kSplitFactors[] = {1, 2, 4, 8};
// The shortest K chunk a split may get (elements of K; gemm_cost.hpp says why).
inline constexpr std::uint64_t kMinSplitChunk = 128;

struct Candidate {
  const Kernel* kernel = nullptr;
  std::uint32_t m_tile = 0, n_tile = 0, k_splits = 1;
  Cost cost;
  std::string rejected;  // "" = eligible

  // "gemm_a8w8_gfx942_m32_n64 k_splits=1: 7.93 us = max(compute 3.90, memory 7.93) + split-K 0.00; ..."
  std::string describe() const;
};

struct Choice {
  Candidate chosen;
  const Kernel* reduce = nullptr;  // when chosen.k_splits > 1
  std::size_t workspace_bytes = 0;
  std::string reason;              // one line
  std::vector<Candidate> candidates;  // the chosen first, then the eligible by estimate, then the rejected

  std::string explain() const;     // one line per candidate
};

// The value a kernel has for a wanted parameter ("" when it has none and none is implied).
std::string param_text(const Kernel& kernel, const WantedParam& wanted);

// Throws UNKNOWN_FAMILY / UNSUPPORTED_DTYPE / UNSUPPORTED_SHAPE (naming what was asked and what
// exists) when no candidate is eligible.
Choice select(const Repository& repository, const Device& device, const Problem& problem, const FamilyRules& rules);

}  // namespace asmk::gemm
