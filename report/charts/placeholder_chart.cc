// The placeholder box: background, dashed frame, title, message.
#include "report/charts/placeholder_chart.h"

#include <algorithm>

#include "report/charts/marks.h"

namespace quire {

void DrawPlaceholderBox(Canvas& canvas, const ChartBox& box, const std::string& title,
                        const std::string& message, const ChartTheme& theme) {
  constexpr double kPad = 6;  // pt
  canvas.Save();
  canvas.SetColor(Rgb{0xF7F7F7});
  canvas.Rectangle(box.x, box.y, box.width, box.height);
  canvas.FillPreserve();
  canvas.SetColor(theme.axis);
  canvas.SetLineWidth(0.8);
  canvas.SetDash({4, 3}, 0);
  canvas.Stroke();
  canvas.Restore();

  const double inner = std::max(1.0, box.width - 2 * kPad);
  if (!title.empty()) ChartTitle(title, theme, inner).Draw(canvas, box.x + kPad, box.y + kPad);
  DrawChartNote(canvas, message, box, theme);
}

}  // namespace quire
