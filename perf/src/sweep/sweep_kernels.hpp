// Internal: the kernels a sweep covers (the family's kernels on the machine's arch that pass the
// filters), shared by the modeled and the measured sweep.
#pragma once

#include <vector>

#include "asmk/perf/sweep.hpp"

namespace asmk::perf {

Expected<std::vector<KernelEntry>> sweep_kernels(const SweepOptions& options, const Family& family);

}  // namespace asmk::perf
