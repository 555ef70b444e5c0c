// BarChart drawing over an AxisFrame.
#include "report/charts/bar_chart.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/charts/axis_frame.h"
#include "report/charts/chart_data.h"
#include "report/charts/legend.h"

namespace quire {
namespace {

constexpr double kGroupFill = 0.8;  // share of a category band the bars take
constexpr double kBarFill = 0.92;   // share of a bar slot the bar takes

// Adds the bar over categories [c0, c1] (band units) and values [v0, v1].
void AddBar(Canvas& canvas, const AxisFrame& frame, bool horizontal, double c0, double c1,
            double v0, double v1) {
  const double x0 = horizontal ? frame.X(v0) : frame.X(c0);
  const double x1 = horizontal ? frame.X(v1) : frame.X(c1);
  const double y0 = horizontal ? frame.Y(c0) : frame.Y(v0);
  const double y1 = horizontal ? frame.Y(c1) : frame.Y(v1);
  canvas.Rectangle(std::min(x0, x1), std::min(y0, y1), std::fabs(x1 - x0), std::fabs(y1 - y0));
}

}  // namespace

Status DrawBarChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                    const ChartTheme& theme) {
  StatusOr<SeriesData> series = ExtractSeries(spec, data, /*categorical_x=*/true);
  if (!series.ok()) return series.status();
  const std::vector<std::vector<double>>& values = series->values;
  const StackedSeries stack =
      spec.stacked ? StackSeries(values, /*split_signs=*/true) : StackedSeries();
  double lo = 0, hi = 0;
  const bool has_data = FiniteRange(values, &lo, &hi);
  if (has_data && spec.stacked) {
    double base_lo = 0, base_hi = 0;
    FiniteRange(stack.top, &lo, &hi);
    FiniteRange(stack.base, &base_lo, &base_hi);
    lo = std::min(lo, base_lo);
    hi = std::max(hi, base_hi);
  }
  // Bars grow from zero, so zero is always on the value axis.
  AxisDomain categories = AxisDomain::Categories(series->categories);
  AxisDomain value_axis = AxisDomain::Numbers(lo, hi, /*with_zero=*/true);
  Legend legend(SeriesLegendEntries(series->names, theme), LegendSwatch::kSquare, spec.legend,
                theme);
  const bool h = spec.horizontal;
  ChartSpec titled = spec;  // the axis titles follow their columns
  if (h) std::swap(titled.x_axis_title, titled.y_axis_title);
  const AxisFrame frame(titled, theme, box, h ? std::move(value_axis) : std::move(categories),
                        h ? std::move(categories) : std::move(value_axis),
                        spec.show_legend ? &legend : nullptr, has_data);

  frame.DrawUnderlay(canvas);
  canvas.Save();
  frame.ClipToPlot(canvas);
  const size_t n_series = values.size();
  const double margin = (1 - kGroupFill) / 2;
  const double slot = kGroupFill / static_cast<double>(std::max<size_t>(1, n_series));
  for (size_t s = 0; s < n_series; ++s) {
    canvas.SetColor(theme.SeriesColor(s));
    for (size_t i = 0; i < values[s].size(); ++i) {
      if (!std::isfinite(values[s][i])) continue;
      const double band = static_cast<double>(i);
      if (spec.stacked) {
        AddBar(canvas, frame, h, band + margin, band + 1 - margin, stack.base[s][i],
               stack.top[s][i]);
      } else {
        const double c0 = band + margin + slot * (static_cast<double>(s) + (1 - kBarFill) / 2);
        AddBar(canvas, frame, h, c0, c0 + slot * kBarFill, 0, values[s][i]);
      }
    }
    canvas.Fill();
  }
  canvas.Restore();
  frame.DrawOverlay(canvas);
  return Status::OK();
}

}  // namespace quire
