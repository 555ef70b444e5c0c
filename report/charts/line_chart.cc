// LineChart: a SeriesChart of lines.
#include "report/charts/line_chart.h"

#include "report/charts/series_chart.h"

namespace quire {

Status DrawLineChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                     const ChartTheme& theme) {
  return DrawSeriesChart(canvas, spec, data, box, theme, SeriesMark::kLine);
}

}  // namespace quire
