#include "asmk/perf/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace asmk::perf {
namespace {

constexpr double kHeight = 420, kLeft = 78, kTop = 36, kPlotWidth = 560;
constexpr double kCharWidth = 6.6;  // an upper bound of an 11 px sans-serif character's advance

// The layout of one chart: the plot keeps its width; the legend column and the bottom margin take
// what their longest texts need.
struct Layout {
  double width = 0, right = 0, bottom = 0;
};

Layout layout_for(const std::vector<std::string>& legend_names, const std::vector<std::string>& categories) {
  size_t longest = 0;
  for (const auto& n : legend_names) longest = std::max(longest, n.size());
  size_t longest_category = 0;
  for (const auto& c : categories) longest_category = std::max(longest_category, c.size());
  Layout l;
  l.right = 30 + kCharWidth * double(longest);
  // Category labels stand vertically below the axis.
  l.bottom = std::max(50.0, 20 + kCharWidth * double(longest_category));
  l.width = kLeft + kPlotWidth + l.right;
  return l;
}
const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};

const char* color(size_t i) { return kPalette[i % std::size(kPalette)]; }

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double pixel_lo = 0, pixel_hi = 1;

  double map(double v) const {
    const double a = log ? std::log10(std::max(v, 1e-300)) : v;
    const double f = hi > lo ? (a - lo) / (hi - lo) : 0.5;
    return pixel_lo + f * (pixel_hi - pixel_lo);
  }
  std::vector<double> ticks() const {
    std::vector<double> t;
    if (log) {
      for (double e = std::floor(lo); e <= std::ceil(hi) + 1e-9; e += 1)
        if (e >= lo - 1e-9 && e <= hi + 1e-9) t.push_back(std::pow(10.0, e));
    } else {
      const double step = nice_step((hi - lo) / 5);
      for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) t.push_back(v);
    }
    return t;
  }
  static double nice_step(double raw) {
    if (raw <= 0) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (raw <= m * p) return m * p;
    return 10 * p;
  }
};

Axis make_axis(std::vector<double> values, bool log, double pixel_lo, double pixel_hi) {
  Axis a;
  a.log = log;
  a.pixel_lo = pixel_lo;
  a.pixel_hi = pixel_hi;
  std::erase_if(values, [log](double v) { return !std::isfinite(v) || (log && v <= 0); });
  if (values.empty()) return a;
  auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  if (log) {
    a.lo = std::floor(std::log10(*mn));
    a.hi = std::ceil(std::log10(*mx));
    if (a.hi <= a.lo) a.hi = a.lo + 1;
  } else {
    a.lo = std::min(0.0, *mn);
    a.hi = *mx > a.lo ? *mx * 1.05 : a.lo + 1;
  }
  return a;
}

std::string tick_text(double v) {
  if (v == 0) return "0";
  if (std::fabs(v) >= 1e4 || std::fabs(v) < 1e-2) return fmt::format("{:.0e}", v);
  return fmt::format("{:g}", v);
}

std::string frame(const Layout& l, const std::string& id, const std::string& title, const std::string& x_label,
                  const std::string& y_label, const Axis& x, const Axis& y, bool x_ticks) {
  const double height = kHeight - 50 + l.bottom;
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{}\" class=\"chart\" width=\"100%\" "
      "viewBox=\"0 0 {:.0f} {:.0f}\" preserveAspectRatio=\"xMinYMin meet\" font-family=\"sans-serif\" font-size=\"11\">\n",
      xml_escape(id), l.width, height);
  s += fmt::format("<text x=\"{}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n", kLeft,
                   xml_escape(title));
  const double x0 = kLeft, x1 = kLeft + kPlotWidth, y0 = kHeight - 50, y1 = kTop;
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", x0, y1,
                   x1 - x0, y0 - y1);
  if (x_ticks)
    for (double t : x.ticks()) {
      const double px = x.map(t);
      s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>"
                       "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
                       px, y0, y1, y0 + 14, tick_text(t));
    }
  for (double t : y.ticks()) {
    const double py = y.map(t);
    s += fmt::format("<line x1=\"{0}\" y1=\"{2:.1f}\" x2=\"{1}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
                     "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
                     x0, x1, py, x0 - 4, py + 4, tick_text(t));
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", (x0 + x1) / 2, y0 + 36,
                   xml_escape(x_label));
  s += fmt::format("<text x=\"14\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0})\">{1}</text>\n",
                   (y0 + y1) / 2, xml_escape(y_label));
  return s;
}

std::string legend(const std::vector<std::string>& names, size_t first_color) {
  std::string s;
  const double x = kLeft + kPlotWidth + 10;
  for (size_t i = 0; i < names.size(); ++i) {
    const double y = kTop + 8 + 16.0 * double(i);
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                     "<text x=\"{}\" y=\"{}\">{}</text>\n",
                     x, y - 9, color(first_color + i), x + 14, y, xml_escape(names[i]));
  }
  return s;
}

// A point's marker: circle, square, triangle or diamond, of about the same area.
std::string marker_shape(int marker, double cx, double cy, const char* fill, const std::string& tip,
                         const char* cls = "point") {
  const std::string title = "<title>" + xml_escape(tip) + "</title>";
  switch (marker) {
    case 1:
      return fmt::format("<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"7\" height=\"7\" fill=\"{}\">{}</rect>\n",
                         cls, cx - 3.5, cy - 3.5, fill, title);
    case 2:
      return fmt::format("<polygon class=\"{}\" points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"{}\">{}</polygon>\n",
                         cls, cx, cy - 4.5, cx - 4.5, cy + 3.5, cx + 4.5, cy + 3.5, fill, title);
    case 3:
      return fmt::format("<polygon class=\"{}\" points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"{}\">{}</polygon>\n",
                         cls, cx, cy - 5, cx + 5, cy, cx, cy + 5, cx - 5, cy, fill, title);
    default:
      return fmt::format("<circle class=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\">{}</circle>\n", cls, cx, cy,
                         fill, title);
  }
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  return out;
}

std::string svg_chart(const Chart& c) {
  std::vector<double> xs, ys;
  for (const auto* group : {&c.series, &c.guides})
    for (const auto& s : *group)
      for (const auto& p : s.points) xs.push_back(p.x), ys.push_back(p.y);
  std::vector<std::string> legend_names;
  for (const auto& series : c.series) legend_names.push_back(series.name);
  for (const auto& m : c.markers) legend_names.push_back(m);
  const Layout l = layout_for(legend_names, {});
  const Axis x = make_axis(xs, c.log_x, kLeft, kLeft + kPlotWidth);
  const Axis y = make_axis(ys, c.log_y, kHeight - 50, kTop);
  std::string s = frame(l, c.id, c.title, c.x_label, c.y_label, x, y, true);

  auto in_range = [&](const ChartPoint& p) {
    return std::isfinite(p.x) && std::isfinite(p.y) && (!c.log_x || p.x > 0) && (!c.log_y || p.y > 0);
  };
  for (const auto& g : c.guides) {
    std::string pts;
    for (const auto& p : g.points)
      if (in_range(p)) pts += fmt::format("{:.1f},{:.1f} ", x.map(p.x), y.map(p.y));
    s += fmt::format("<polyline class=\"guide\" points=\"{}\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"5,4\">"
                     "<title>{}</title></polyline>\n",
                     pts, xml_escape(g.name));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < c.series.size(); ++i) {
    const auto& series = c.series[i];
    names.push_back(series.name);
    if (series.connect) {
      auto sorted = series.points;
      std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.x < b.x; });
      std::string pts;
      for (const auto& p : sorted)
        if (in_range(p)) pts += fmt::format("{:.1f},{:.1f} ", x.map(p.x), y.map(p.y));
      s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>\n", pts, color(i));
    }
    for (const auto& p : series.points)
      if (in_range(p)) s += marker_shape(p.marker, x.map(p.x), y.map(p.y), color(i), p.tip);
  }
  s += legend(names, 0);
  for (size_t m = 0; m < c.markers.size(); ++m) {  // below the series' legend
    const double lx = kLeft + kPlotWidth + 15, ly = kTop + 8 + 16.0 * double(names.size() + 1 + m);
    s += marker_shape(int(m), lx, ly - 4, "#555", c.markers[m], "marker-key");
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", lx + 9, ly, xml_escape(c.markers[m]));
  }
  s += "</svg>\n";
  return s;
}

std::string svg_bars(const BarChart& c) {
  std::vector<double> totals{0};
  for (const auto& v : c.values) {
    double t = 0;
    for (double x : v) t += x;
    totals.push_back(t);
  }
  Axis x;  // categories are laid out by index
  x.pixel_lo = kLeft;
  x.pixel_hi = kLeft + kPlotWidth;
  const Layout l = layout_for(c.stacks, c.categories);
  const Axis y = make_axis(totals, false, kHeight - 50, kTop);
  std::string s = frame(l, c.id, c.title, "", c.y_label, x, y, false);
  const double slot = kPlotWidth / double(std::max<size_t>(1, c.categories.size()));
  for (size_t i = 0; i < c.categories.size(); ++i) {
    const double left = kLeft + slot * double(i) + slot * 0.15, width = slot * 0.7;
    double base = 0;
    for (size_t k = 0; k < c.stacks.size() && i < c.values.size() && k < c.values[i].size(); ++k) {
      const double v = c.values[i][k];
      if (v <= 0) continue;
      const double top = y.map(base + v), bottom = y.map(base);
      s += fmt::format("<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                       "<title>{}: {} = {:g}</title></rect>\n",
                       left, top, width, bottom - top, color(k), xml_escape(c.categories[i]),
                       xml_escape(c.stacks[k]), v);
      base += v;
    }
    // Vertical labels (reading downwards): any length fits the bottom margin the layout gave.
    s += fmt::format("<text x=\"{0:.1f}\" y=\"{1}\" text-anchor=\"start\" transform=\"rotate(90 {0:.1f} {1})\">{2}</text>\n",
                     left + width / 2 - 4, kHeight - 50 + 8, xml_escape(c.categories[i]));
  }
  s += legend(c.stacks, 0);
  s += "</svg>\n";
  return s;
}

}  // namespace asmk::perf
