// Small, dependency-free SVG charts for the HTML report: scatter/line charts with optional log
// axes and bar charts. Every data point is an element of class "point" (a circle, square, triangle
// or diamond) with a <title> tooltip. Charts scale to the width of their container (viewBox); the
// margins grow with the longest legend entry and category label so that no text is clipped.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace asmk::perf {

struct ChartPoint {
  double x = 0, y = 0;
  std::string tip;  // tooltip text
  int marker = 0;   // 0 circle, 1 square, 2 triangle, 3 diamond (e.g. the split-K factor)
};

struct ChartSeries {
  std::string name;
  std::vector<ChartPoint> points;
  bool connect = false;  // draw a line through the points (sorted by x)
};

struct Chart {
  std::string id, title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<ChartSeries> series;
  std::vector<ChartSeries> guides;  // drawn as dashed lines without point markers (e.g. roofs)
  std::vector<std::string> markers;  // legend of the marker shapes in use (index = marker), may be empty
};

std::string svg_chart(const Chart& chart);

struct BarChart {
  std::string id, title, y_label;
  std::vector<std::string> categories;            // x axis groups
  std::vector<std::string> stacks;                // stacked segments (legend)
  std::vector<std::vector<double>> values;        // [category][stack]
};

std::string svg_bars(const BarChart& chart);

/// Escapes &, <, >, " for XML text and attributes.
std::string xml_escape(const std::string& text);

}  // namespace asmk::perf
