// The sweep CSV: a fixed header (documented in perf/README.md; readers depend on it), one row per
// kernel and shape. Every number is labelled by the row's `label` column (modeled / measured).
#pragma once

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "asmk/perf/machine.hpp"
#include "asmk/perf/result_row.hpp"

namespace asmk::perf {

inline constexpr std::string_view kCsvHeader =
    "family,machine,label,m,n,k,kernel,variant,best,k_splits,time_us,tflops,tbps,roofline_fraction,limiter,"
    "workgroups,waves_per_simd,workgroups_per_cu,flops,bytes";

void write_csv(std::ostream& out, const std::vector<ResultRow>& rows);

/// A CSV file with a header line (RFC 4180 quoting; lines starting with '#' are comments): one map
/// per record, by column name. `origin` names the file in errors (a record with the wrong number of
/// fields).
using CsvRecord = std::map<std::string, std::string>;
Expected<std::vector<CsvRecord>> read_csv(std::istream& in, const std::string& origin);

/// A sweep's rows from its CSV (the schema above; the columns a report compares: shape, kernel,
/// k_splits, time, best, limiter, label).
Expected<std::vector<ResultRow>> rows_of_csv(const std::vector<CsvRecord>& records, const std::string& origin);

}  // namespace asmk::perf
