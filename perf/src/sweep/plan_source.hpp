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

}  // namespace asmk::perf
