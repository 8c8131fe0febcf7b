// The CSV schema (the header readers depend on, quoting) and the HTML report's structure: one
// roofline point per row, the charts present, labels on every chart, nothing external.
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "asmk/perf/csv_report.hpp"
#include "asmk/perf/html_report.hpp"
#include "asmk/perf/svg_chart.hpp"

namespace asmk::perf {
namespace {

ResultRow row(uint64_t m, const std::string& kernel, double time_us, const std::string& limiter) {
  ResultRow r;
  r.family = "gemm_bf16";
  r.machine = "MI300X";
  r.label = "modeled";
  r.m = m, r.n = 4096, r.k = 4096;
  r.kernel = kernel;
  r.variant = "m_tile=128 n_tile=128";
  r.time_us = time_us;
  r.flops = 2.0 * double(m) * 4096 * 4096;
  r.bytes = 2.0 * (double(m) * 4096 * 2 + 4096.0 * 4096);
  r.tflops = r.flops / (time_us * 1e-6) / 1e12;
  r.tbps = r.bytes / (time_us * 1e-6) / 1e12;
  r.limiter = limiter;
  return r;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Csv, HeaderIsTheDocumentedSchema) {
  // perf/README.md documents this header; changing it breaks readers of committed results.
  std::ostringstream out;
  write_csv(out, {});
  EXPECT_EQ(out.str(),
            "family,machine,label,m,n,k,kernel,variant,best,k_splits,time_us,tflops,tbps,roofline_fraction,limiter,"
            "workgroups,waves_per_simd,workgroups_per_cu,flops,bytes\n");
}

TEST(Csv, RowsHaveEveryColumnAndQuoteSeparators) {
  auto r = row(16, "k1", 10.0, "memory latency");
  r.variant = "a=1, b=\"2\"";
  std::ostringstream out;
  write_csv(out, {r});
  std::istringstream lines(out.str());
  std::string header, line;
  std::getline(lines, header);
  std::getline(lines, line);
  EXPECT_NE(line.find("\"a=1, b=\"\"2\"\"\""), std::string::npos) << line;
  // Outside the quoted field, the row has as many separators as the header.
  std::string unquoted;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (!quoted) unquoted += c;
  }
  EXPECT_EQ(count(unquoted, ","), count(header, ","));
  EXPECT_NE(line.find(",modeled,"), std::string::npos);
  EXPECT_NE(line.find(",10.000,"), std::string::npos);  // time_us with 3 decimals
}

TEST(Html, ChartsAndPoints) {
  std::vector<ResultRow> rows;
  for (uint64_t m : {16, 256, 4096}) {
    rows.push_back(row(m, "gemm_a", 10.0 * double(m), "lds"));
    rows.push_back(row(m, "gemm_b", 12.0 * double(m), "mfma"));
  }
  rows[0].best = rows[2].best = rows[4].best = true;
  ReportInfo info;
  info.family = "gemm_bf16";
  info.machine = "MI300X";
  info.label = "modeled";
  info.peak_tflops = 1307.4;
  info.hbm_tbps = 5.3;
  const std::string html = html_report(info, rows);

  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(count(html, "<svg "), 4u);  // roofline, time vs M, TFLOP/s per variant, limiters
  for (const char* id : {"id=\"roofline\"", "id=\"time-vs-m-n4096-k4096\"", "id=\"rate-per-variant-n4096-k4096\"",
                         "id=\"limiters\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  // 6 roofline points + 6 time points + 6 rate points.
  EXPECT_EQ(count(html, "class=\"point\""), 18u);
  EXPECT_EQ(count(html, "class=\"bar\""), 2u);  // one limiter per variant
  EXPECT_EQ(count(html, "<tr><td>"), 3u + 6u);  // the best kernel of each shape, then every row
  EXPECT_GE(count(html, "(modeled)"), 4u);      // every chart title says modeled
  EXPECT_EQ(count(html, "<svg "), count(html, "</svg>"));
}

TEST(Svg, LogAxesPlacePointsInsideThePlot) {
  Chart c;
  c.id = "t";
  c.log_x = c.log_y = true;
  c.series = {{"s", {{1, 1, "a"}, {1000, 100, "b"}}, true}};
  const std::string svg = svg_chart(c);
  std::regex circle(R"re(cx="([0-9.]+)" cy="([0-9.]+)")re");
  size_t points = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator(); ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    EXPECT_GE(x, 78.0);   // inside the frame: left margin 78, plot 560 wide
    EXPECT_LE(x, 638.0);
    EXPECT_GE(y, 36.0);   // top margin 36, bottom 420 - 50
    EXPECT_LE(y, 370.0);
    ++points;
  }
  EXPECT_EQ(points, 2u);
  EXPECT_EQ(xml_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

TEST(Html, SplitKPointsHaveTheirOwnMarkerAndTheSelectorsPickIsShown) {
  std::vector<ResultRow> rows = {row(16, "gemm_a", 10.0, "lds"), row(16, "gemm_a", 8.0, "barrier")};
  rows[1].k_splits = 4;
  rows[1].best = true;
  rows[0].selected = true;  // the selector picks the unsplit launch, 1.25x the fastest
  ReportInfo info;
  info.family = "gemm_bf16";
  info.machine = "MI300X";
  info.label = "modeled";
  info.peak_tflops = 1307.4;
  info.hbm_tbps = 5.3;
  const std::string html = html_report(info, rows);
  // The roofline: a circle for k_splits=1, a triangle for 4, and the marker legend.
  const std::string roofline = html.substr(html.find("id=\"roofline\""));
  const std::string chart = roofline.substr(0, roofline.find("</svg>"));
  EXPECT_EQ(count(chart, "<circle class=\"point\""), 1u);
  EXPECT_EQ(count(chart, "<polygon class=\"point\""), 1u);
  EXPECT_EQ(count(chart, "class=\"marker-key\""), 4u);  // circle, square, triangle, diamond
  EXPECT_NE(roofline.find(">k_splits=4</text>"), std::string::npos);
  // The per-shape table: the fastest (k_splits 4) beside the pick (k_splits 1), 10 / 8 = 1.25.
  EXPECT_NE(html.find("<td class=\"other\">gemm_a</td><td>1</td><td>10.00</td><td>1.25</td>"), std::string::npos);
}

TEST(Html, ReferencesErrorBandAndPreviousRunBesideOurs) {
  std::vector<ResultRow> rows = {row(16, "gemm_a", 10.0, "lds"), row(256, "gemm_a", 40.0, "mfma")};
  rows[0].best = rows[1].best = true;
  ReportInfo info;
  info.family = "gemm_bf16";
  info.machine = "MI355X";
  info.label = "modeled";
  info.peak_tflops = 2516.6;
  info.hbm_tbps = 8;
  info.references = {{16, 4096, 4096, "AITER k1", "modeled", "comparison.md", 12.5},
                     {16, 4096, 4096, "AITER k1", "measured", "bf16_tuned_gemm.csv", 11.0}};
  info.error_band = ReportInfo::ErrorBand{0.8, 0.9, 1.25, 12, "model_error.csv"};
  ResultRow then = row(16, "gemm_old", 20.0, "lds");
  then.best = true;
  info.previous = {then};
  info.previous_source = "old.csv";
  const std::string html = html_report(info, rows);
  // Beside M=16: both of AITER's figures, labelled; M=256 has none.
  EXPECT_NE(html.find("<td class=\"beside\">AITER k1: 12.50 us (modeled, comparison.md); AITER k1: 11.00 us (measured, "
                      "bf16_tuned_gemm.csv)</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"beside\">-</td>"), std::string::npos);
  // The band: 10 us modeled stands for 10 / 1.25 = 8.00 .. 10 / 0.8 = 12.50 us.
  EXPECT_NE(html.find("<td>8.00 - 12.50</td>"), std::string::npos);
  EXPECT_NE(html.find("id=\"error-band\""), std::string::npos);
  // The previous run: M=16 was gemm_old at 20 us, now gemm_a at 10 (0.50); M=256 was not in it.
  EXPECT_NE(html.find("<td>gemm_old</td><td>1</td><td>20.00</td><td class=\"other\">gemm_a</td><td>1</td><td>10.00</td>"
                      "<td>0.50</td>"), std::string::npos);
  EXPECT_NE(html.find("not in the previous run"), std::string::npos);
  EXPECT_NE(html.find("1 of the shapes were in the previous run (old.csv)"), std::string::npos);
}

TEST(Csv, ReadsWhatItWritesAndRefusesRaggedRecords) {
  auto r = row(16, "k1", 10.0, "memory latency");
  r.variant = "a=1, b=\"2\"";
  r.best = true;
  r.k_splits = 4;
  std::stringstream out;
  write_csv(out, {r});
  auto records = read_csv(out, "t.csv");
  ASSERT_TRUE(records) << records.error();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().at("variant"), "a=1, b=\"2\"");
  auto rows = rows_of_csv(*records, "t.csv");
  ASSERT_TRUE(rows) << rows.error();
  EXPECT_EQ(rows->front().kernel, "k1");
  EXPECT_EQ(rows->front().k_splits, 4u);
  EXPECT_TRUE(rows->front().best);
  EXPECT_DOUBLE_EQ(rows->front().time_us, 10.0);
  std::istringstream ragged("m,n\n1,2,3\n");
  auto bad = read_csv(ragged, "bad.csv");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("bad.csv:2: 3 fields, the header has 2"), std::string::npos) << bad.error();
}

TEST(Svg, MarginsGrowWithTheLongestLegendEntryAndCategory) {
  Chart c;
  c.id = "t";
  const std::string name(60, 'x');
  c.series = {{name, {{1, 1, "a"}}, false}};
  const std::string svg = svg_chart(c);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex(R"re(viewBox="0 0 ([0-9.]+) ([0-9.]+)")re")));
  EXPECT_GE(std::stod(m[1]), 78 + 560 + 10 + 14 + 6.0 * 60);  // the legend's text fits
  EXPECT_NE(svg.find("width=\"100%\""), std::string::npos);    // scales to the page

  BarChart b;
  b.id = "b";
  b.categories = {std::string(50, 'c')};
  b.stacks = {"lds"};
  b.values = {{1}};
  const std::string bars = svg_bars(b);
  ASSERT_TRUE(std::regex_search(bars, m, std::regex(R"re(viewBox="0 0 ([0-9.]+) ([0-9.]+)")re")));
  EXPECT_GE(std::stod(m[2]), 370 + 8 + 6.0 * 50);  // the vertical category label fits below the axis
}

}  // namespace
}  // namespace asmk::perf
