// A GEMM plan: the selection plus every launch it takes with its named argument values, built
// without launching. The op functions run plans; the perf tools sweep shapes with them.
//
// Arguments are bound BY NAME: a family binding supplies every value it knows (a, b, c, scales,
// bias, m, n, k, strides, workspace, k_splits, ...) and each kernel receives exactly the ones its
// manifest declares. A kernel declaring an argument the binding does not know is refused
// (BAD_KERNARG) before anything is launched.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../context.hpp"
#include "gemm_select.hpp"
#include "prepared_launch.hpp"
#include "selection.hpp"

namespace asmk::gemm {

struct Launch {
  const Kernel* kernel = nullptr;
  asmk_dim3 grid{}, block{};
  std::vector<KernargValue> args;  // in the kernel's declaration order
  // Pointer arguments bound to null for every call (not filled from the call's pointers).
  std::vector<std::string_view> fixed_null;
  // Pointer arguments filled from another tensor (by default: the op tensor of the same name).
  std::vector<ops::PointerBinding> bound;
};

struct Plan {
  Selection selection;             // what asmk_select_* reports
  std::vector<Candidate> candidates;
  std::vector<Launch> launches;    // the GEMM, then (k_splits > 1) the split-K reduce
  // A pipeline's optional tensors that a stage it runs requires (fused_moe's w1_scale with in_dtype=fp8): the
  // launch refuses them null, as a tensor the op always requires.
  std::vector<std::string> required_optional;
};

// The plan for a choice: GEMM grid (ceil(N / n_tile), ceil(M / m_tile), k_splits), block = the
// kernel's workgroup size; the reduce kernel's grid from its parameters (see gemm_plan.cpp).
// `values` holds every argument the family knows by name; `workspace` and `k_splits` are added.
Plan make_plan(const Choice& choice, const Problem& problem, std::vector<KernargValue> values, const void* workspace);

// Checks every launch (code object present, arguments pack) before the first one, then launches
// them in order on the stream.
void run_plan(Context& context, const Plan& plan, asmk_stream stream);

// The names of a kernel's declared (non-hidden) arguments taken from `values`; throws BAD_KERNARG
// naming the missing one.
std::vector<KernargValue> bind(const Kernel& kernel, const std::vector<KernargValue>& values, std::string_view family);

}  // namespace asmk::gemm
