// Internal: libasmk's repository and device for a sweep, and the GEMM plans asked of it so far
// (shapes that share a representative tile share its plan).
#pragma once

#include <map>
#include <string>

#include "asmk/perf/sweep.hpp"
#include "device.hpp"
#include "ops/gemm_plan.hpp"
#include "repository.hpp"

namespace asmk::perf {

struct PlanSource {
  Repository repository;
  Device device;
  std::map<std::string, Expected<gemm::Plan>> plans;  // by the family's call (gemm_launches.cpp)
};

/// The named arguments of `kernel`'s op (`spec`) for a shape: the op's sizes named m, n, k from it
/// (another size, or one of 0 or above 32 bits, is refused), and each choice as the kernel's
/// parameter (or the choice's implied value). The strings point into `spec` and `kernel`.
Expected<std::vector<asmk_op_arg>> kernel_op_args(const ops::OpSpec& spec, const KernelEntry& kernel, const Shape& shape);

}  // namespace asmk::perf
