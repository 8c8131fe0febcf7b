// Internal: a GEMM kernel's launches for a problem, taken from libasmk's op plan of its family
// (asmk::<family>::plan, loader/src/ops). The sweep acts as a caller of the op: it fills the
// family's args struct with the kernel's dtypes and a placeholder address per tensor, and turns
// the plan's launches (kernel, grid, block, arguments by name) into LaunchSpecs whose pointer
// arguments carry the bytes of the tensor they were given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asmk/perf/sweep.hpp"

namespace asmk::perf {

struct GemmTensor {
  std::string name;  // a, b, c, workspace, scale_a, scale_b
  uint64_t bytes = 0;
};

struct GemmLaunches {
  uint32_t m_tile = 0, n_tile = 0, k_splits = 1;  // libasmk's candidate
  uint64_t tiles = 0;                             // ceil(M / m_tile) · ceil(N / n_tile)
  std::vector<GemmTensor> tensors;                // what the caller allocates (workspace: k_splits > 1)
  LaunchSpec gemm;
  std::optional<LaunchSpec> reduce;               // k_splits > 1
  std::string reduce_kernel;
  uint64_t reduce_columns = 0;                    // columns of C per reduce workgroup

  uint64_t tensor_bytes(const std::string& name) const;
};

/// A split-K factor libasmk's selector accepts for a kernel and shape, with the kernel's tile count.
struct SplitFactor {
  uint32_t k_splits = 1;
  uint64_t tiles = 0;
};

/// The split-K factors libasmk's selector accepts for this kernel and shape (1 first, then
/// increasing; gemm_select.hpp), or why it does not accept the kernel for the shape.
Expected<std::vector<SplitFactor>> gemm_split_factors(PlanSource& source, const KernelEntry& kernel, const Shape& shape);

/// The kernel's launches for the shape with `k_splits` (one of the factors above), or why not.
Expected<GemmLaunches> gemm_launches(PlanSource& source, const KernelEntry& kernel, const Shape& shape,
                                     uint32_t k_splits);

}  // namespace asmk::perf
