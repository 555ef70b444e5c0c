// DrawChart's dispatch on chart type, and standalone chart images.
#include "workers/charts/chart.h"

#include <cairo-svg.h>

#include <cmath>

#include "workers/charts/area_chart.h"
#include "workers/charts/bar_chart.h"
#include "workers/charts/histogram_chart.h"
#include "workers/charts/line_chart.h"
#include "workers/charts/pie_chart.h"
#include "workers/charts/scatter_chart.h"

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
namespace {

constexpr double kMaxImagePixels = 8192;  // per side

Status CairoStatus(cairo_status_t s, const std::string& what) {
  if (s == CAIRO_STATUS_SUCCESS) return Status::OK();
  return Status::Internal(what + ": " + cairo_status_to_string(s));
}

}  // namespace

Status DrawChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
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
  cairo_save(cr);
  switch (spec.type) {
    case ChartType::kBar:
      status = DrawBarChart(cr, spec, data, box, themed);
      break;
    case ChartType::kLine:
      status = DrawLineChart(cr, spec, data, box, themed);
      break;
    case ChartType::kArea:
      status = DrawAreaChart(cr, spec, data, box, themed);
      break;
    case ChartType::kPie:
      status = DrawPieChart(cr, spec, data, box, themed);
      break;
    case ChartType::kScatter:
      status = DrawScatterChart(cr, spec, data, box, themed);
      break;
    case ChartType::kHistogram:
      status = DrawHistogramChart(cr, spec, data, box, themed);
      break;
  }
  cairo_restore(cr);
  return status;
}

Status RenderChartToFile(const ChartSpec& spec, const Table& data, const std::string& format,
                         const std::string& path, double width_pt, double height_pt, double dpi,
                         const ChartTheme& theme) {
  if (!(width_pt > 0 && height_pt > 0)) {
    return Status::InvalidArgument("chart image size must be positive");
  }
  cairo_surface_t* surface = nullptr;
  double scale = 1;
  if (format == "png") {
    if (!(dpi > 0)) return Status::InvalidArgument("dpi must be positive");
    scale = dpi / 72.0;
    const double w = std::ceil(width_pt * scale), h = std::ceil(height_pt * scale);
    if (w > kMaxImagePixels || h > kMaxImagePixels) {
      return Status::InvalidArgument("chart image larger than 8192 pixels a side");
    }
    surface =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(w), static_cast<int>(h));
  } else if (format == "svg") {
    surface = cairo_svg_surface_create(path.c_str(), width_pt, height_pt);
  } else {
    return Status::InvalidArgument("unknown chart image format '" + format +
                                   "' (expected png or svg)");
  }
  Status status = CairoStatus(cairo_surface_status(surface), "cannot create " + path);
  if (status.ok()) {
    cairo_t* cr = cairo_create(surface);
    cairo_scale(cr, scale, scale);
    status = DrawChart(cr, spec, data, {0, 0, width_pt, height_pt}, theme);
    cairo_destroy(cr);
  }
  if (status.ok() && format == "png") {
    status = CairoStatus(cairo_surface_write_to_png(surface, path.c_str()), "cannot write " + path);
  }
  cairo_surface_finish(surface);
  if (status.ok()) status = CairoStatus(cairo_surface_status(surface), "cannot write " + path);
  cairo_surface_destroy(surface);
  return status;
}

}  // namespace quire
