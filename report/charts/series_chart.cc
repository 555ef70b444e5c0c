// SeriesChart: lines and areas over an AxisFrame.
#include "report/charts/series_chart.h"

#include <algorithm>
#include <cmath>

#include "report/charts/axis_frame.h"
#include "report/charts/chart_data.h"
#include "report/charts/legend.h"
#include "report/charts/marks.h"

namespace quire {
namespace {

constexpr double kLineWidth = 1.8;     // pt
constexpr double kMarkerRadius = 2.6;  // pt
constexpr double kAreaAlpha = 0.3;     // overlapping areas stay visible
constexpr double kStackedAlpha = 0.75;

// Fills between tops[r] and bases[r] over each run of rows whose top is
// finite, at x = xs[r] (all in points).
void AddAreaPath(Canvas& canvas, const std::vector<double>& xs, const std::vector<double>& tops,
                 const std::vector<double>& bases) {
  size_t r = 0;
  while (r < xs.size()) {
    if (!std::isfinite(tops[r])) {
      ++r;
      continue;
    }
    size_t end = r;
    while (end < xs.size() && std::isfinite(tops[end])) ++end;
    canvas.MoveTo(xs[r], tops[r]);
    for (size_t i = r + 1; i < end; ++i) canvas.LineTo(xs[i], tops[i]);
    for (size_t i = end; i-- > r;) canvas.LineTo(xs[i], bases[i]);
    canvas.ClosePath();
    r = end;
  }
}

}  // namespace

Status DrawSeriesChart(Canvas& canvas, const ChartSpec& spec, const Table& data,
                       const ChartBox& box, const ChartTheme& theme, SeriesMark mark) {
  StatusOr<SeriesData> series = ExtractSeries(spec, data, /*categorical_x=*/false);
  if (!series.ok()) return series.status();
  const size_t rows = series->rows();
  const size_t n_series = series->values.size();
  // What is plotted: each series' line (NaN: a gap) and the base an area
  // fills down to.
  std::vector<std::vector<double>> lines = series->values;
  std::vector<std::vector<double>> bases(n_series, std::vector<double>(rows, 0.0));
  if (spec.stacked) {
    StackedSeries stack = StackSeries(series->values, /*split_signs=*/false);
    for (size_t s = 0; s < n_series; ++s) {
      for (size_t r = 0; r < rows; ++r) {
        if (std::isfinite(lines[s][r])) lines[s][r] = stack.top[s][r];
      }
    }
    bases = std::move(stack.base);
  }
  double lo = 0, hi = 0;
  const bool has_data = FiniteRange(lines, &lo, &hi);
  const bool filled = mark == SeriesMark::kArea;
  const bool markers = spec.markers.value_or(rows <= kAutoMarkerPoints);

  LegendSwatch swatch = markers ? LegendSwatch::kLineMarker : LegendSwatch::kLine;
  if (filled) swatch = LegendSwatch::kSquare;
  Legend legend(SeriesLegendEntries(series->names, theme), swatch, spec.legend, theme);
  const AxisFrame frame(spec, theme, box, XDomain(*series),
                        AxisDomain::Numbers(lo, hi, /*with_zero=*/filled || spec.stacked),
                        spec.show_legend ? &legend : nullptr, has_data);

  frame.DrawUnderlay(canvas);
  canvas.Save();
  frame.ClipToPlot(canvas, kMarkerRadius + 1);
  std::vector<double> xs(rows);
  for (size_t r = 0; r < rows; ++r) xs[r] = frame.X(series->XAt(r));
  std::vector<std::vector<double>> ys(n_series, std::vector<double>(rows));
  for (size_t s = 0; s < n_series; ++s) {
    for (size_t r = 0; r < rows; ++r) ys[s][r] = frame.Y(lines[s][r]);
  }
  if (filled) {  // all fills under all lines
    for (size_t s = 0; s < n_series; ++s) {
      std::vector<double> base_ys(rows);
      for (size_t r = 0; r < rows; ++r) base_ys[r] = frame.Y(bases[s][r]);
      canvas.SetColor(theme.SeriesColor(s), spec.stacked ? kStackedAlpha : kAreaAlpha);
      AddAreaPath(canvas, xs, ys[s], base_ys);
      canvas.Fill();
    }
  }
  canvas.SetLineWidth(kLineWidth);
  canvas.SetLineJoin(CAIRO_LINE_JOIN_ROUND);
  canvas.SetLineCap(CAIRO_LINE_CAP_ROUND);
  for (size_t s = 0; s < n_series; ++s) {
    canvas.SetColor(theme.SeriesColor(s));
    AddPolylinePath(canvas, xs, ys[s]);
    canvas.Stroke();
    if (markers) {
      FillMarkers(canvas, xs, ys[s], kMarkerRadius);
    } else {  // a point between gaps still shows, as a dot
      const std::vector<bool> isolated = IsolatedPoints(xs, ys[s]);
      std::vector<double> dots = ys[s];
      for (size_t r = 0; r < rows; ++r) {
        if (!isolated[r]) dots[r] = NAN;
      }
      FillMarkers(canvas, xs, dots, kLineWidth);
    }
  }
  canvas.Restore();
  frame.DrawOverlay(canvas);
  return Status::OK();
}

}  // namespace quire
