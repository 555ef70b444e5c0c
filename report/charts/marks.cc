// Marks: text styles, title and note, markers, polylines.
#include "report/charts/marks.h"

#include <algorithm>
#include <cmath>

namespace quire {

TextStyle ChartTextStyle(const ChartTheme& theme, double size, bool bold) {
  TextStyle s;
  s.family = theme.font_family;
  s.size = size;
  s.bold = bold;
  s.color = theme.text;
  return s;
}

TextBlock ChartTitle(const std::string& title, const ChartTheme& theme, double width) {
  return TextBlock(nullptr, title, ChartTextStyle(theme, theme.title_size, true), width,
                   TextAlign::kCenter);
}

void DrawChartNote(Canvas& canvas, const std::string& text, const ChartBox& area,
                   const ChartTheme& theme) {
  TextStyle style = ChartTextStyle(theme, theme.axis_title_size);
  style.italic = true;
  style.color = theme.axis;
  TextBlock t(nullptr, text, style, std::max(1.0, area.width), TextAlign::kCenter);
  t.Draw(canvas, area.x, area.y + area.height / 2 - t.height() / 2);
}

void AddMarkerPath(Canvas& canvas, double x, double y, double r) {
  canvas.NewSubPath();
  canvas.Arc(x, y, r, 0, 2 * M_PI);
  canvas.ClosePath();
}

namespace {

bool Finite(const std::vector<double>& xs, const std::vector<double>& ys, size_t i) {
  return i < xs.size() && i < ys.size() && std::isfinite(xs[i]) && std::isfinite(ys[i]);
}

}  // namespace

void FillMarkers(Canvas& canvas, const std::vector<double>& xs, const std::vector<double>& ys,
                 double r) {
  canvas.NewPath();
  if (canvas.StampMarkers(xs, ys, r)) return;
  // Vector surfaces: each marker is a zero-length segment stroked with
  // round caps — a disc in four numbers ("x y m x y l"), where a circle
  // path takes twenty-six. Documents stay small and fast to write. Not the
  // shorter one-point closed subpath ("x y m h"): PDF viewers disagree on
  // it (pdf.js draws nothing), while every renderer draws the open one.
  canvas.Save();
  canvas.SetLineCap(CAIRO_LINE_CAP_ROUND);
  canvas.SetLineWidth(2 * r);
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!Finite(xs, ys, i)) continue;
    canvas.MoveTo(xs[i], ys[i]);
    canvas.LineTo(xs[i], ys[i]);
  }
  canvas.Stroke();
  canvas.Restore();
}

void AddPolylinePath(Canvas& canvas, const std::vector<double>& xs, const std::vector<double>& ys) {
  bool open = false;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!Finite(xs, ys, i)) {
      open = false;
    } else if (open) {
      canvas.LineTo(xs[i], ys[i]);
    } else {
      canvas.MoveTo(xs[i], ys[i]);
      open = true;
    }
  }
}

std::vector<bool> IsolatedPoints(const std::vector<double>& xs, const std::vector<double>& ys) {
  const size_t n = std::min(xs.size(), ys.size());
  std::vector<bool> out(n, false);
  for (size_t i = 0; i < n; ++i) {
    out[i] = Finite(xs, ys, i) && !(i > 0 && Finite(xs, ys, i - 1)) && !Finite(xs, ys, i + 1);
  }
  return out;
}

}  // namespace quire
