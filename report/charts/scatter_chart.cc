// ScatterChart drawing over an AxisFrame.
#include "report/charts/scatter_chart.h"

#include "report/charts/axis_frame.h"
#include "report/charts/chart_data.h"
#include "report/charts/legend.h"
#include "report/charts/marks.h"

namespace quire {
namespace {

constexpr double kMarkerRadius = 2.6;       // pt
constexpr double kDenseMarkerRadius = 1.8;  // pt, past kDensePoints points a series
constexpr size_t kDensePoints = 1000;
constexpr double kMarkerAlpha = 0.8;  // overlapping markers stay visible

}  // namespace

Status DrawScatterChart(Canvas& canvas, const ChartSpec& spec, const Table& data,
                        const ChartBox& box, const ChartTheme& theme) {
  StatusOr<SeriesData> series = ExtractSeries(spec, data, /*categorical_x=*/false);
  if (!series.ok()) return series.status();
  double lo = 0, hi = 0;
  const bool has_data = FiniteRange(series->values, &lo, &hi);
  Legend legend(SeriesLegendEntries(series->names, theme), LegendSwatch::kMarker, spec.legend,
                theme);
  const AxisFrame frame(spec, theme, box, XDomain(*series), AxisDomain::Numbers(lo, hi),
                        spec.show_legend ? &legend : nullptr, has_data);

  frame.DrawUnderlay(canvas);
  canvas.Save();
  frame.ClipToPlot(canvas, kMarkerRadius + 1);
  const size_t rows = series->rows();
  std::vector<double> xs(rows), ys(rows);
  for (size_t r = 0; r < rows; ++r) xs[r] = frame.X(series->XAt(r));
  const double radius = rows > kDensePoints ? kDenseMarkerRadius : kMarkerRadius;
  for (size_t s = 0; s < series->values.size(); ++s) {
    for (size_t r = 0; r < rows; ++r) ys[r] = frame.Y(series->values[s][r]);
    canvas.SetColor(theme.SeriesColor(s), kMarkerAlpha);
    FillMarkers(canvas, xs, ys, radius);
  }
  canvas.Restore();
  frame.DrawOverlay(canvas);
  return Status::OK();
}

}  // namespace quire
