// --backend of `asmk perf` and `asmk tune`: the sweep modeled ("model", the machine model) or
// measured through libasmk on a GPU ("hsa", "hip"). One place for the names and the dispatch.
#pragma once

#include <string>

#include "asmk/perf/sweep.hpp"

namespace asmk::cli {

// Throws Failure naming the backends unless `backend` is one of them.
void check_sweep_backend(const std::string& backend);

// The sweep on `backend` (checked); a failed sweep throws Failure with its error.
perf::SweepResult sweep_on_backend(const perf::SweepOptions& sweep, const std::string& backend,
                                   perf::MeasureOptions measure);

}  // namespace asmk::cli
