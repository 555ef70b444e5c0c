// Charts: drawing a ChartSpec over a Table into a box of any Canvas (a cairo
// context: PDF page, PNG, SVG; or a PdfCanvas), and rendering one chart to a standalone image file.
// DrawChart dispatches on the chart type to one file per type (bar_chart.cc,
// line_chart.cc, area_chart.cc, pie_chart.cc, scatter_chart.cc,
// histogram_chart.cc). Charts draw; they do not lay out pages or fetch data.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/canvas/text.h"

namespace quire {

// A rectangle in user-space points.
struct ChartBox {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

struct ChartTheme {
  const char* font_family = "DejaVu Sans";
  double title_size = 12;      // pt
  double axis_title_size = 9;  // pt
  double label_size = 8;       // pt: tick and category labels, legend
  Rgb background{0xFFFFFF};
  Rgb text{0x333333};
  Rgb axis{0x666666};
  Rgb grid{0xDDDDDD};
  // Series colours, used in order and then repeated (Tableau 10).
  std::vector<Rgb> palette = {{0x4E79A7}, {0xF28E2B}, {0xE15759}, {0x76B7B2}, {0x59A14F},
                              {0xEDC948}, {0xB07AA1}, {0xFF9DA7}, {0x9C755F}, {0xBAB0AC}};

  Rgb SeriesColor(size_t i) const { return palette[i % palette.size()]; }
};

// The chart theme of a template's theme: its font and palette over the
// defaults.
ChartTheme ChartThemeFor(const Theme& theme);

// Draws `spec` over `data` inside `box`, in spec.colors when given, else the
// theme's palette. The canvas's state is restored on return.
// INVALID_ARGUMENT when the spec names a column `data` lacks or a value
// column that is not numeric (a histogram's x included), or an empty box.
// Nulls and NaNs are skipped; empty data draws an empty frame saying
// "No data".
Status DrawChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                 const ChartTheme& theme);
// DrawChart on a cairo context.
Status DrawChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
                 const ChartTheme& theme);

}  // namespace quire
