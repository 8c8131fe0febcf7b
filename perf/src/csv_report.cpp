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

namespace {

// The fields of one line (quoted fields may hold separators and doubled quotes).
std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
    else if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) fields.emplace_back();
    else if (c != '\r') fields.back() += c;
  }
  return fields;
}

}  // namespace

Expected<std::vector<CsvRecord>> read_csv(std::istream& in, const std::string& origin) {
  std::vector<std::string> header;
  std::vector<CsvRecord> records;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    auto fields = split_line(line);
    if (header.empty()) {
      header = std::move(fields);
      continue;
    }
    if (fields.size() != header.size())
      return Status::error(fmt::format("{}:{}: {} fields, the header has {}", origin, number, fields.size(), header.size()));
    CsvRecord r;
    for (size_t i = 0; i < header.size(); ++i) r[header[i]] = fields[i];
    records.push_back(std::move(r));
  }
  if (header.empty()) return Status::error(origin + ": no header line");
  return records;
}

Expected<std::vector<ResultRow>> rows_of_csv(const std::vector<CsvRecord>& records, const std::string& origin) {
  std::vector<ResultRow> rows;
  for (const auto& r : records) {
    ResultRow row;
    try {
      row.family = r.at("family"), row.machine = r.at("machine"), row.label = r.at("label");
      row.m = std::stoull(r.at("m")), row.n = std::stoull(r.at("n")), row.k = std::stoull(r.at("k"));
      row.kernel = r.at("kernel");
      row.k_splits = uint32_t(std::stoul(r.at("k_splits")));
      row.time_us = std::stod(r.at("time_us"));
      row.best = r.at("best") == "1";
      row.limiter = r.at("limiter");
    } catch (const std::exception&) {
      return Status::error(origin + ": not a sweep CSV (columns family, machine, label, m, n, k, kernel, best, "
                                    "k_splits, time_us, limiter with numbers where numbers belong)");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace asmk::perf
