// The self-contained HTML report of a sweep: inline SVG charts (roofline, time vs M, throughput
// per variant, limiting resource) and the table of results. No scripts, no network.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "asmk/perf/result_row.hpp"

namespace asmk::perf {

struct ReportInfo {
  std::string family, machine;
  std::string label;            // "modeled" or "measured": stated in the title and every chart
  std::string machine_summary;  // one line: CUs, clock, peaks, bandwidth
  std::string command;          // how the report was produced
  double peak_tflops = 0;       // the family's compute roof (0: a memory-bound op, no compute roof)
  double hbm_tbps = 0;
  std::vector<std::string> notes;

  /// Other kernels' times at the sweep's shapes, shown beside ours (e.g. AITER's, modeled and
  /// measured: perf/validation/compare.py --reference-out).
  struct Reference {
    uint64_t m = 0, n = 0, k = 0;
    std::string name, label, source;  // label: "modeled" or "measured"; source: where the figure comes from
    double time_us = 0;
  };
  std::vector<Reference> references;

  /// How far the model is from measurements on this family and part (modeled / measured of
  /// AITER's kernels: perf/machines/model_error.csv); a modeled time t then stands for a measured
  /// one between t / p90 and t / p10.
  struct ErrorBand {
    double p10 = 0, median = 0, p90 = 0;
    size_t rows = 0;
    std::string source;
  };
  std::optional<ErrorBand> error_band;

  /// A previous run's rows (its CSV) to compare the fastest kernel per shape with.
  std::vector<ResultRow> previous;
  std::string previous_source;
};

std::string html_report(const ReportInfo& info, const std::vector<ResultRow>& rows);

}  // namespace asmk::perf
