// Legend: the key of a chart — one colour swatch and one name per entry —
// laid out on one side of a chart's box and drawn there. Shared by every
// chart type (axis charts and pie). It measures, places and draws; it does
// not pick colours, and it does not decide whether a chart shows a legend.
//
// Positions: kBottom and kTop flow the entries left to right in centred
// lines that wrap; kRight stacks them in a column beside the chart, long
// names cut with "…". A legend never takes more than about a third of the
// box's height (bottom, top) or width (right); entries that do not fit are
// summed up as "+N more".
//
// Use: construct, Layout() inside the box the chart has left (it returns
// what remains for the plot), draw the chart there, then Draw().
#pragma once

#include <string>
#include <vector>

#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// What a legend entry shows beside its name.
enum class LegendSwatch {
  kSquare,      // a filled square: bars, areas, histogram, pie slices
  kLine,        // a short line: lines without markers
  kLineMarker,  // a short line through a dot: lines with markers
  kMarker,      // a dot: scatter
};

struct LegendEntry {
  std::string name;
  Rgb color;
};

// One entry per series name, coloured theme.SeriesColor(i).
std::vector<LegendEntry> SeriesLegendEntries(const std::vector<std::string>& names,
                                             const ChartTheme& theme);

class Legend {
 public:
  Legend(std::vector<LegendEntry> entries, LegendSwatch swatch, LegendPosition position,
         const ChartTheme& theme);

  // Places the legend at its position inside `area` (nothing drawn) and
  // returns the part of `area` left for the chart, the gap between the two
  // taken out. No entries: takes nothing, returns
  // `area` unchanged. May be called again with another area.
  ChartBox Layout(const ChartBox& area);

  // The box the legend occupies after Layout(); zero-sized when empty.
  const ChartBox& box() const { return box_; }
  // How many entries are shown (the rest are in "+N more").
  size_t shown() const { return shown_; }

  // Draws the laid-out legend. The context's state is restored on return.
  void Draw(Canvas& canvas) const;

 private:
  // One placed entry; entry == entries_.size() is the "+N more" note.
  struct Item {
    size_t entry = 0;
    double x = 0;           // left of the swatch
    double y = 0;           // top of the line
    double text_width = 0;  // width the name is cut to (with "…")
  };
  double SwatchWidth() const;
  std::string MoreText() const;
  void LayoutRows(const ChartBox& area);
  void LayoutColumn(const ChartBox& area);
  void DrawSwatch(Canvas& canvas, const LegendEntry& entry, double x, double y) const;

  std::vector<LegendEntry> entries_;
  LegendSwatch swatch_;
  LegendPosition position_;
  ChartTheme theme_;
  std::vector<Item> items_;
  ChartBox box_;
  double line_height_ = 0;
  size_t shown_ = 0;
};

}  // namespace quire
