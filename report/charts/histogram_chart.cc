// HistogramChart drawing over an AxisFrame.
#include "report/charts/histogram_chart.h"

#include <algorithm>
#include <cmath>

#include "report/charts/axis_frame.h"
#include "report/charts/histogram_bins.h"

namespace quire {
namespace {

constexpr double kSeparator = 0.5;      // pt, background-coloured line between bars
constexpr double kMinSeparatedBar = 4;  // pt; narrower bars go without

}  // namespace

Status DrawHistogramChart(Canvas& canvas, const ChartSpec& spec, const Table& data,
                          const ChartBox& box, const ChartTheme& theme) {
  const std::string chart = "chart '" + spec.title + "': ";
  const Column* x = data.FindColumn(spec.x);
  if (x == nullptr) return Status::InvalidArgument(chart + "no column '" + spec.x + "' in data");
  if (!IsNumericType(x->type())) {
    return Status::InvalidArgument(chart + "column '" + spec.x + "' is " +
                                   ColumnTypeName(x->type()) + ", not a number");
  }
  const HistogramBins bins = ComputeHistogramBins(ColumnValues(*x), spec.bins, spec.bin_width);
  const bool has_data = !bins.counts.empty();
  int64_t most = 0;
  for (int64_t c : bins.counts) most = std::max(most, c);
  AxisDomain counts = AxisDomain::Numbers(0, static_cast<double>(most), /*with_zero=*/true);
  counts.integer = true;
  const AxisFrame frame(spec, theme, box,
                        has_data ? AxisDomain::BinEdges(bins.edges) : AxisDomain::Numbers(NAN, NAN),
                        std::move(counts), nullptr, has_data);

  frame.DrawUnderlay(canvas);
  canvas.Save();
  frame.ClipToPlot(canvas);
  const double zero = frame.Y(0);
  for (size_t i = 0; i < bins.counts.size(); ++i) {
    const double x0 = frame.X(bins.edges[i]), x1 = frame.X(bins.edges[i + 1]);
    const double top = frame.Y(static_cast<double>(bins.counts[i]));
    canvas.Rectangle(x0, top, x1 - x0, zero - top);
  }
  canvas.SetColor(theme.SeriesColor(0));
  if (has_data && frame.X(bins.edges[1]) - frame.X(bins.edges[0]) >= kMinSeparatedBar) {
    canvas.FillPreserve();
    canvas.SetColor(theme.background);
    canvas.SetLineWidth(kSeparator);
    canvas.Stroke();
  } else {
    canvas.Fill();
  }
  canvas.Restore();
  frame.DrawOverlay(canvas);
  return Status::OK();
}

}  // namespace quire
