// DrawChart's dispatch on chart type, and standalone chart images.
#include "report/charts/chart.h"

#include "report/charts/area_chart.h"
#include "report/charts/bar_chart.h"
#include "report/charts/histogram_chart.h"
#include "report/charts/line_chart.h"
#include "report/charts/pie_chart.h"
#include "report/charts/scatter_chart.h"

namespace quire {

ChartTheme ChartThemeFor(const Theme& theme) {
  ChartTheme t;
  if (!theme.font.empty()) t.font_family = theme.font.c_str();
  if (!theme.palette.empty()) {
    t.palette.clear();
    for (uint32_t c : theme.palette) t.palette.push_back(Rgb{c});
  }
  return t;
}

Status DrawChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                 const ChartTheme& theme) {
  if (box.width <= 0 || box.height <= 0) {
    return Status::InvalidArgument("chart '" + spec.title + "': empty box");
  }
  ChartTheme themed = theme;
  if (!spec.colors.empty()) {
    themed.palette.clear();
    for (uint32_t c : spec.colors) themed.palette.push_back(Rgb{c});
  }
  Status status;
  canvas.Save();
  switch (spec.type) {
    case ChartType::kBar:
      status = DrawBarChart(canvas, spec, data, box, themed);
      break;
    case ChartType::kLine:
      status = DrawLineChart(canvas, spec, data, box, themed);
      break;
    case ChartType::kArea:
      status = DrawAreaChart(canvas, spec, data, box, themed);
      break;
    case ChartType::kPie:
      status = DrawPieChart(canvas, spec, data, box, themed);
      break;
    case ChartType::kScatter:
      status = DrawScatterChart(canvas, spec, data, box, themed);
      break;
    case ChartType::kHistogram:
      status = DrawHistogramChart(canvas, spec, data, box, themed);
      break;
  }
  canvas.Restore();
  return status;
}

Status DrawChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
                 const ChartTheme& theme) {
  CairoCanvas canvas(cr);
  return DrawChart(canvas, spec, data, box, theme);
}

}  // namespace quire
