// BarChart drawing over a CategoryFrame.
#include "workers/charts/bar_chart.h"

#include <algorithm>
#include <cmath>

#include "workers/charts/category_chart.h"

namespace quire {
namespace {

constexpr double kGroupFill = 0.8;  // share of a category band the bars take
constexpr double kBarFill = 0.92;   // share of a bar slot the bar takes

}  // namespace

Status DrawBarChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
                    const ChartTheme& theme) {
  StatusOr<CategorySeries> series = ExtractCategorySeries(spec, data);
  if (!series.ok()) return series.status();
  double lo = 0, hi = 0;
  if (!series->Range(&lo, &hi)) lo = hi = 0;
  // Bars grow from zero, so zero is always on the axis.
  const NiceScale scale = NiceScale::For(std::min(lo, 0.0), std::max(hi, 0.0));
  const CategoryFrame frame(cr, spec, theme, box, *series, scale);

  cairo_save(cr);
  frame.DrawUnderlay();
  const ChartBox& plot = frame.plot();
  cairo_rectangle(cr, plot.x, plot.y, plot.width, plot.height);
  cairo_clip(cr);
  const size_t n_series = series->values.size();
  const double group = frame.BandWidth() * kGroupFill;
  const double slot = group / static_cast<double>(std::max<size_t>(1, n_series));
  const double zero = frame.ValueToY(0);
  for (size_t s = 0; s < n_series; ++s) {
    SetSourceRgb(cr, theme.SeriesColor(s));
    const std::vector<double>& values = series->values[s];
    for (size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) continue;
      const double x = frame.BandLeft(i) + (frame.BandWidth() - group) / 2 +
                       slot * static_cast<double>(s) + slot * (1 - kBarFill) / 2;
      const double y = frame.ValueToY(values[i]);
      cairo_rectangle(cr, x, std::min(y, zero), slot * kBarFill, std::fabs(zero - y));
    }
    cairo_fill(cr);
  }
  cairo_restore(cr);
  frame.DrawOverlay();
  return Status::OK();
}

}  // namespace quire
