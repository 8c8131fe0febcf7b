#include "asmk/perf/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <cstring>

#include <fmt/format.h>

#include "asmk/perf/svg_chart.hpp"

namespace asmk::perf {
namespace {

constexpr size_t kMaxShapeSeries = 4;  // (N, K) pairs charted against M

std::string tip(const ResultRow& r, const std::string& label) {
  return fmt::format("{}{} M={} N={} K={}: {:.2f} us, {:.1f} TFLOP/s, {:.3f} TB/s, {} ({})", r.kernel,
                     r.k_splits > 1 ? fmt::format(" k_splits={}", r.k_splits) : "", r.m, r.n, r.k, r.time_us, r.tflops, r.tbps, r.limiter.empty() ? "-" : r.limiter, label);
}

// Legends and axis labels drop the common "<family>_<arch>_" prefix of kernel names.
std::string short_name(const std::string& kernel) {
  for (const char* arch : {"_gfx942_", "_gfx950_"})
    if (const size_t at = kernel.find(arch); at != std::string::npos) return kernel.substr(at + std::strlen(arch));
  return kernel;
}

// The marker of a point: its split-K factor (1, 2, 4, 8 -> circle, square, triangle, diamond).
int split_marker(uint32_t k_splits) { return k_splits >= 8 ? 3 : k_splits >= 4 ? 2 : k_splits >= 2 ? 1 : 0; }

// The marker legend when a chart has split-K points.
std::vector<std::string> split_markers(const std::vector<ResultRow>& rows) {
  for (const auto& r : rows)
    if (r.k_splits > 1) return {"k_splits=1", "k_splits=2", "k_splits=4", "k_splits=8"};
  return {};
}

std::vector<std::string> variants_of(const std::vector<ResultRow>& rows) {
  std::vector<std::string> names;
  for (const auto& r : rows)
    if (std::find(names.begin(), names.end(), r.kernel) == names.end()) names.push_back(r.kernel);
  return names;
}

std::string roofline(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  Chart c;
  c.id = "roofline";
  c.log_x = c.log_y = true;
  const bool compute = info.peak_tflops > 0;
  if (compute) {
    c.title = fmt::format("Roofline on {} ({})", info.machine, info.label);
    c.x_label = "arithmetic intensity (FLOP per compulsory byte)";
    c.y_label = fmt::format("TFLOP/s ({})", info.label);
  } else {
    c.title = fmt::format("Bandwidth on {} ({})", info.machine, info.label);
    c.x_label = "compulsory bytes";
    c.y_label = fmt::format("TB/s ({})", info.label);
  }
  double lo = 1e300, hi = 0;
  for (const auto& name : variants_of(rows)) {
    ChartSeries s{short_name(name), {}, false};
    for (const auto& r : rows) {
      if (r.kernel != name) continue;
      const double x = compute ? r.flops / std::max(r.bytes, 1.0) : r.bytes;
      s.points.push_back({x, compute ? r.tflops : r.tbps, tip(r, info.label), split_marker(r.k_splits)});
      lo = std::min(lo, x), hi = std::max(hi, x);
    }
    c.series.push_back(std::move(s));
  }
  c.markers = split_markers(rows);
  if (hi > 0) {
    ChartSeries roof{compute ? "roof: min(peak, intensity x HBM bandwidth)" : "HBM bandwidth", {}, true};
    const double a = lo / 2, b = hi * 2;
    if (compute) {
      const double ridge = info.peak_tflops / info.hbm_tbps;
      for (double x : {a, std::clamp(ridge, a, b), b}) roof.points.push_back({x, std::min(info.peak_tflops, x * info.hbm_tbps), ""});
    } else {
      roof.points = {{a, info.hbm_tbps, ""}, {b, info.hbm_tbps, ""}};
    }
    c.guides.push_back(std::move(roof));
  }
  return svg_chart(c);
}

// Charts against M for the most frequent (N, K) pairs of the sweep.
std::string versus_m(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  std::map<std::pair<uint64_t, uint64_t>, size_t> pairs;
  for (const auto& r : rows) ++pairs[{r.n, r.k}];
  std::vector<std::pair<size_t, std::pair<uint64_t, uint64_t>>> ranked;
  for (const auto& [nk, count] : pairs) ranked.push_back({count, nk});
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (ranked.size() > kMaxShapeSeries) ranked.resize(kMaxShapeSeries);

  std::string html;
  for (const auto& [count, nk] : ranked) {
    if (count < 2) continue;
    const auto [n, k] = nk;
    std::vector<ResultRow> subset;
    for (const auto& r : rows)
      if (r.n == n && r.k == k) subset.push_back(r);
    Chart time, rate;
    const std::string shape = info.peak_tflops > 0 ? fmt::format("N={} K={}", n, k) : fmt::format("N={}", n);
    time.id = fmt::format("time-vs-m-n{}-k{}", n, k);
    time.title = fmt::format("Time vs M, {} ({})", shape, info.label);
    time.x_label = "M";
    time.y_label = fmt::format("time, us ({})", info.label);
    time.log_x = time.log_y = true;
    rate.id = fmt::format("rate-per-variant-n{}-k{}", n, k);
    const bool compute = info.peak_tflops > 0;
    rate.title = fmt::format("{} per variant, {} ({})", compute ? "TFLOP/s" : "TB/s", shape, info.label);
    rate.x_label = "M";
    rate.y_label = fmt::format("{} ({})", compute ? "TFLOP/s" : "TB/s", info.label);
    rate.log_x = true;
    for (const auto& name : variants_of(subset)) {
      // One point per M: the kernel's fastest split-K factor.
      std::map<uint64_t, const ResultRow*> fastest;
      for (const auto& row : subset)
        if (row.kernel == name && (!fastest.contains(row.m) || row.time_us < fastest[row.m]->time_us))
          fastest[row.m] = &row;
      ChartSeries t{short_name(name), {}, true}, r{short_name(name), {}, true};
      for (const auto& [m, row] : fastest) {
        t.points.push_back({double(m), row->time_us, tip(*row, info.label), split_marker(row->k_splits)});
        r.points.push_back({double(m), compute ? row->tflops : row->tbps, tip(*row, info.label), split_marker(row->k_splits)});
      }
      time.series.push_back(std::move(t));
      rate.series.push_back(std::move(r));
    }
    time.markers = rate.markers = split_markers(subset);
    html += "<div class=\"pair\">\n" + svg_chart(time) + svg_chart(rate) + "</div>\n";
  }
  return html;
}

std::string limiters(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  BarChart b;
  b.id = "limiters";
  b.title = fmt::format("Limiting resource per variant ({})", info.label);
  b.y_label = "shapes";
  const auto names = variants_of(rows);
  for (const auto& name : names) b.categories.push_back(short_name(name));
  std::set<std::string> stacks;
  for (const auto& r : rows) stacks.insert(r.limiter.empty() ? "unknown" : r.limiter);
  b.stacks.assign(stacks.begin(), stacks.end());
  for (const auto& name : names) {
    std::vector<double> counts(b.stacks.size(), 0);
    for (const auto& r : rows)
      if (r.kernel == name) {
        const auto it = std::find(b.stacks.begin(), b.stacks.end(), r.limiter.empty() ? "unknown" : r.limiter);
        counts[size_t(it - b.stacks.begin())] += 1;
      }
    b.values.push_back(std::move(counts));
  }
  return svg_bars(b);
}

// Per shape: the fastest row beside the selector's pick (and how much slower the pick is).
std::string per_shape_table(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  const std::string label = xml_escape(info.label);
  std::string t = fmt::format(
      "<table id=\"per-shape\">\n<tr><th>M</th><th>N</th><th>K</th><th>fastest kernel</th><th>k_splits</th>"
      "<th>time, us ({0})</th><th>TFLOP/s ({0})</th><th>TB/s ({0})</th><th>roofline fraction ({0})</th>"
      "<th>limiter</th><th>selector's pick</th><th>k_splits</th><th>its time, us ({0})</th><th>pick / fastest</th>{1}{2}</tr>\n",
      label, info.error_band ? "<th>fastest if the model errs as on AITER's kernels (p10 - p90), us</th>" : "",
      info.references.empty() ? "" : "<th>beside ours (other kernels at this shape)</th>");
  for (const auto& r : rows) {
    if (!r.best) continue;
    const ResultRow* pick = nullptr;
    bool asked = false;
    for (const auto& o : rows)
      if (o.m == r.m && o.n == r.n && o.k == r.k) {
        asked = asked || o.selected;
        if (o.selected) pick = &o;
      }
    std::string picked = "<td colspan=\"4\">-</td>";
    if (pick != nullptr)
      picked = fmt::format("<td class=\"{}\">{}</td><td>{}</td><td>{:.2f}</td><td>{:.2f}</td>",
                           pick == &r ? "same" : "other", xml_escape(pick->kernel), pick->k_splits, pick->time_us,
                           pick->time_us / r.time_us);
    std::string extra;
    if (info.error_band)
      extra += fmt::format("<td>{:.2f} - {:.2f}</td>", r.time_us / info.error_band->p90, r.time_us / info.error_band->p10);
    if (!info.references.empty()) {
      std::string beside;
      for (const auto& ref : info.references)
        if (ref.m == r.m && ref.n == r.n && ref.k == r.k)
          beside += fmt::format("{}{}: {:.2f} us ({}{}{})", beside.empty() ? "" : "; ", ref.name, ref.time_us, ref.label,
                                ref.source.empty() ? "" : ", ", ref.source);
      extra += "<td class=\"beside\">" + xml_escape(beside.empty() ? "-" : beside) + "</td>";
    }
    t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{:.1f}</td>"
                     "<td>{:.3f}</td><td>{:.2f}</td><td>{}</td>{}{}</tr>\n",
                     r.m, r.n, r.k, xml_escape(r.kernel), r.k_splits, r.time_us, r.tflops, r.tbps,
                     r.roofline_fraction, xml_escape(r.limiter), picked, extra);
  }
  return t + "</table>\n";
}

// Against a previous run: the fastest kernel per shape then and now.
std::string previous_table(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, const ResultRow*> before;
  for (const auto& p : info.previous)
    if (p.best) before[{p.m, p.n, p.k}] = &p;
  std::string t = fmt::format(
      "<table id=\"previous\">\n<tr><th>M</th><th>N</th><th>K</th><th>then: fastest kernel</th><th>k_splits</th>"
      "<th>time, us ({0})</th><th>now: fastest kernel</th><th>k_splits</th><th>time, us ({1})</th><th>now / then</th></tr>\n",
      xml_escape(info.previous.empty() ? "" : info.previous.front().label), xml_escape(info.label));
  size_t compared = 0;
  for (const auto& r : rows) {
    if (!r.best) continue;
    const auto it = before.find({r.m, r.n, r.k});
    if (it == before.end()) {
      t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td colspan=\"3\">not in the previous run</td><td>{}</td>"
                       "<td>{}</td><td>{:.2f}</td><td>-</td></tr>\n",
                       r.m, r.n, r.k, xml_escape(r.kernel), r.k_splits, r.time_us);
      continue;
    }
    const ResultRow& p = *it->second;
    ++compared;
    t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td class=\"{}\">{}</td>"
                     "<td>{}</td><td>{:.2f}</td><td>{:.2f}</td></tr>\n",
                     r.m, r.n, r.k, xml_escape(p.kernel), p.k_splits, p.time_us,
                     p.kernel == r.kernel && p.k_splits == r.k_splits ? "same" : "other", xml_escape(r.kernel),
                     r.k_splits, r.time_us, r.time_us / p.time_us);
  }
  return fmt::format("<p>{} of the shapes were in the previous run ({}).</p>\n", compared,
                     xml_escape(info.previous_source)) + t + "</table>\n";
}

// Every row of the sweep: every point of every chart, as numbers.
std::string every_row_table(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  const std::string label = xml_escape(info.label);
  std::string t = fmt::format(
      "<table id=\"every-row\">\n<tr><th>M</th><th>N</th><th>K</th><th>kernel</th><th>k_splits</th>"
      "<th>time, us ({0})</th><th>TFLOP/s ({0})</th><th>TB/s ({0})</th><th>roofline fraction ({0})</th>"
      "<th>limiter</th><th>fastest</th><th>selected</th></tr>\n",
      label);
  for (const auto& r : rows)
    t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{:.1f}</td>"
                     "<td>{:.3f}</td><td>{:.2f}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     r.m, r.n, r.k, xml_escape(r.kernel), r.k_splits, r.time_us, r.tflops, r.tbps,
                     r.roofline_fraction, xml_escape(r.limiter), r.best ? "yes" : "", r.selected ? "yes" : "");
  return t + "</table>\n";
}

}  // namespace

std::string html_report(const ReportInfo& info, const std::vector<ResultRow>& rows) {
  const std::string title = fmt::format("asmk perf: {} on {} ({})", info.family, info.machine, info.label);
  std::string h = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
                  "<meta charset=\"utf-8\"/>\n<title>" + xml_escape(title) + "</title>\n"
                  "<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;"
                  "font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
                  "svg.chart{display:block;width:100%;height:auto}"
                  ".pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}"
                  ".label{font-weight:bold;color:#a00}td.other{color:#a00}</style>\n"
                  "</head>\n<body>\n";
  h += "<h1>" + xml_escape(title) + "</h1>\n";
  h += fmt::format("<p>Every number on this page is <span class=\"label\">{}</span>{}.</p>\n", xml_escape(info.label),
                   info.label == "modeled" ? " by the machine model (perf/MODEL.md), not measured on a GPU" : "");
  h += "<p>Machine: " + xml_escape(info.machine_summary) + "</p>\n";
  if (!info.command.empty()) h += "<p>Produced by: <code>" + xml_escape(info.command) + "</code></p>\n";
  for (const auto& note : info.notes) h += "<p>Note: " + xml_escape(note) + "</p>\n";
  if (info.error_band)
    h += fmt::format(
        "<p id=\"error-band\">The model's error on this family and part: modeled / measured of AITER's own kernels is "
        "{:.2f} at the median, {:.2f} - {:.2f} from the 10th to the 90th percentile ({} rows; {}). A modeled time t "
        "stands for a measured one between t / {:.2f} and t / {:.2f} if our kernels err alike (the band column "
        "below).</p>\n",
        info.error_band->median, info.error_band->p10, info.error_band->p90, info.error_band->rows,
        xml_escape(info.error_band->source), info.error_band->p90, info.error_band->p10);
  else if (info.label == "modeled")
    h += "<p id=\"error-band\">The model's error on this family and part is not calibrated (no AITER measurements "
         "of its kernels; perf/calibration/report.md has the families that are).</p>\n";
  h += "<h2>Roofline</h2>\n" + roofline(info, rows);
  h += "<h2>Against M</h2>\n" + versus_m(info, rows);
  h += "<h2>Limiting resource</h2>\n" + limiters(info, rows);
  h += "<h2>Fastest kernel and the selector's pick per shape</h2>\n"
       "<p>The selector's pick is what libasmk launches for the shape (its tuned table, else its cost estimate); "
       "pick / fastest above 1 means the model ranks another kernel or split first.</p>\n" +
       per_shape_table(info, rows);
  if (!info.previous.empty()) h += "<h2>Against the previous run</h2>\n" + previous_table(info, rows);
  h += "<h2>Every kernel and shape</h2>\n<p>Every point of the charts above, as numbers.</p>\n" +
       every_row_table(info, rows);
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace asmk::perf
