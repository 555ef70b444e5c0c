// The parts every chart with a category x axis and a value y axis shares
// (bar now; line and area later): pulling the series out of a Table, and the
// frame around the plot — title, legend, axis titles, nice y ticks,
// gridlines, category labels. A chart type lays out a CategoryFrame, draws
// its marks inside plot(), then calls DrawOverlay().
#pragma once

#include <cairo.h>

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/table.h"
#include "common/template.h"
#include "workers/charts/chart.h"
#include "workers/charts/nice_scale.h"

namespace quire {

// The data of a category chart, one value per (series, category).
struct CategorySeries {
  std::vector<std::string> categories;      // display text of spec.x, one per row
  std::vector<std::string> names;           // spec.y, one per series
  std::vector<std::vector<double>> values;  // [series][row]; NaN for null

  // The finite minimum and maximum over all values; false when none.
  bool Range(double* lo, double* hi) const;
};

// INVALID_ARGUMENT when spec.x or a spec.y column is missing from `data`,
// or a y column is not int/float.
StatusOr<CategorySeries> ExtractCategorySeries(const ChartSpec& spec, const Table& data);

class CategoryFrame {
 public:
  // Lays out the frame inside `box` for `series`, with the y axis spanning
  // `scale`. Draws nothing yet.
  CategoryFrame(cairo_t* cr, const ChartSpec& spec, const ChartTheme& theme, const ChartBox& box,
                const CategorySeries& series, NiceScale scale);

  const ChartBox& plot() const { return plot_; }
  const NiceScale& scale() const { return scale_; }
  // The y coordinate of a value (clamped to the plot).
  double ValueToY(double value) const;
  // The band of category i across the plot: left edge and width.
  double BandLeft(size_t i) const;
  double BandWidth() const;

  // Background, gridlines and y tick labels: call before drawing marks.
  void DrawUnderlay() const;
  // Axis lines, the zero line, category labels, axis titles, title, legend
  // and "No data" when there is nothing to plot: call after the marks.
  void DrawOverlay() const;

 private:
  struct LegendLayout {
    struct Line {
      std::vector<std::pair<size_t, double>> entries;  // series index, width
      double width = 0;
    };
    std::vector<Line> lines;
    double line_height = 0;
    double height() const { return line_height * static_cast<double>(lines.size()); }
  };
  // Legend entries wrapped into lines no wider than `inner`.
  LegendLayout LayoutLegend(double inner) const;
  void DrawCategoryLabels() const;
  void DrawLegend() const;

  cairo_t* cr_;
  const ChartSpec& spec_;
  const ChartTheme& theme_;
  const CategorySeries& series_;
  ChartBox box_;
  ChartBox plot_;
  NiceScale scale_;
  double title_height_ = 0;
  double legend_top_ = 0;
  double x_title_top_ = 0;
  double y_title_left_ = 0;
};

}  // namespace quire
