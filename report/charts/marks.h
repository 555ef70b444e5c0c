// Marks: the small drawing pieces every chart type shares — chart text
// styles, the chart title and notes ("No data"), point markers, and series
// polylines that break at missing values. Each draws, or adds to or strokes
// the current path of a Canvas; none lays anything out.
#pragma once

#include <string>
#include <vector>

#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Text in the chart theme's font and text colour.
TextStyle ChartTextStyle(const ChartTheme& theme, double size, bool bold = false);

// A chart's title, bold and centred across `width` pt: measure it to lay
// the chart out, then Draw it with its top-left at the chart's padding.
TextBlock ChartTitle(const std::string& title, const ChartTheme& theme, double width);

// `text` in grey italics, centred in `area`: what a chart shows in place
// of its marks ("No data", or why it is missing).
void DrawChartNote(Canvas& canvas, const std::string& text, const ChartBox& area,
                   const ChartTheme& theme);

// Adds a closed circle of radius `r` around (x, y) to the current path as
// its own sub-path, so that many markers fill in one cairo_fill().
void AddMarkerPath(Canvas& canvas, double x, double y, double r);

// Fills a marker of radius `r` at every (xs[i], ys[i]) where both are
// finite, in the current colour, overlapping markers merged (as one filled
// path would be): stamped where the canvas can (Canvas::StampMarkers: a
// cairo image surface), elsewhere (PDF, SVG, recording) one stroke of
// zero-length round-capped segments (a disc each).
// Clears the current path.
void FillMarkers(Canvas& canvas, const std::vector<double>& xs, const std::vector<double>& ys,
                 double r);

// Adds the polyline through the points (xs[i], ys[i]) to the current path,
// starting a new sub-path after every point whose x or y is not finite
// (a gap). An isolated point adds nothing (see IsolatedPoints).
void AddPolylinePath(Canvas& canvas, const std::vector<double>& xs, const std::vector<double>& ys);

// For each point, whether it is finite with no finite neighbour: a point a
// polyline cannot show.
std::vector<bool> IsolatedPoints(const std::vector<double>& xs, const std::vector<double>& ys);

}  // namespace quire
