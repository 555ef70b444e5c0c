// AreaChart: a SeriesChart of areas.
#include "report/charts/area_chart.h"

#include "report/charts/series_chart.h"

namespace quire {

Status DrawAreaChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                     const ChartTheme& theme) {
  return DrawSeriesChart(canvas, spec, data, box, theme, SeriesMark::kArea);
}

}  // namespace quire
