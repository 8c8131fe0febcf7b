// The self-contained HTML report of a sweep: inline SVG charts (roofline, time vs M, throughput
// per variant, limiting resource) and the table of results. No scripts, no network.
#pragma once

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
};

std::string html_report(const ReportInfo& info, const std::vector<ResultRow>& rows);

}  // namespace asmk::perf
