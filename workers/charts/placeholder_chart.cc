// The placeholder box: background, dashed frame, title, message.
#include "workers/charts/placeholder_chart.h"

#include <algorithm>

#include "workers/charts/marks.h"

namespace quire {

void DrawPlaceholderBox(cairo_t* cr, const ChartBox& box, const std::string& title,
                        const std::string& message, const ChartTheme& theme) {
  constexpr double kPad = 6;  // pt
  cairo_save(cr);
  SetSourceRgb(cr, Rgb{0xF7F7F7});
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_fill_preserve(cr);
  SetSourceRgb(cr, theme.axis);
  cairo_set_line_width(cr, 0.8);
  const double dash[] = {4, 3};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_stroke(cr);
  cairo_restore(cr);

  const double inner = std::max(1.0, box.width - 2 * kPad);
  if (!title.empty()) ChartTitle(cr, title, theme, inner).Draw(cr, box.x + kPad, box.y + kPad);
  DrawChartNote(cr, message, box, theme);
}

}  // namespace quire
