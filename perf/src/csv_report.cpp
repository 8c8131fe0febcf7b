#include "asmk/perf/csv_report.hpp"

#include <fmt/format.h>

namespace asmk::perf {
namespace {

// Quotes a field when it holds a separator or a quote (RFC 4180).
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

void write_csv(std::ostream& out, const std::vector<ResultRow>& rows) {
  out << kCsvHeader << '\n';
  for (const auto& r : rows)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{:.3f},{:.2f},{:.4f},{:.4f},{},{},{},{},{:.0f},{:.0f}\n",
                       field(r.family), field(r.machine), r.label, r.m, r.n, r.k, field(r.kernel), field(r.variant),
                       r.best ? 1 : 0, r.k_splits, r.time_us, r.tflops, r.tbps, r.roofline_fraction, field(r.limiter),
                       r.workgroups, r.waves_per_simd, r.workgroups_per_cu, r.flops, r.bytes);
}

}  // namespace asmk::perf
