// The sweep CSV: a fixed header (documented in perf/README.md; readers depend on it), one row per
// kernel and shape. Every number is labelled by the row's `label` column (modeled / measured).
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "asmk/perf/result_row.hpp"

namespace asmk::perf {

inline constexpr std::string_view kCsvHeader =
    "family,machine,label,m,n,k,kernel,variant,best,k_splits,time_us,tflops,tbps,roofline_fraction,limiter,"
    "workgroups,waves_per_simd,workgroups_per_cu,flops,bytes";

void write_csv(std::ostream& out, const std::vector<ResultRow>& rows);

}  // namespace asmk::perf
