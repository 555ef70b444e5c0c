// AreaChart: a SeriesChart of areas.
#include "workers/charts/area_chart.h"

#include "workers/charts/series_chart.h"

namespace quire {

Status DrawAreaChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
                     const ChartTheme& theme) {
  return DrawSeriesChart(cr, spec, data, box, theme, SeriesMark::kArea);
}

}  // namespace quire
