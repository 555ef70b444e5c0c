// AxisFrame: the frame every chart with two axes shares (bar, line, area,
// scatter, histogram) — title, legend, axis titles, the bottom and left
// axes with their ticks, gridlines and labels, "No data" — and the mapping
// from data to points inside the plot. Either axis can be categories (one
// band each), numbers (nice 1-2-5 ticks), dates (calendar ticks) or
// histogram bin edges, so one frame serves vertical and horizontal charts.
// Labels never overlap: the bottom axis thins, turns or cuts them
// (tick_labels.h), the left axis thins and cuts them.
//
// A chart lays out an AxisFrame, calls DrawUnderlay(), draws its marks
// clipped to plot(), then calls DrawOverlay().
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"
#include "report/charts/chart_data.h"
#include "report/charts/legend.h"
#include "report/charts/tick_labels.h"

namespace quire {

// What one axis shows, before the frame picks its ticks.
struct AxisDomain {
  enum class Kind { kCategories, kNumbers, kDates, kBinEdges };
  Kind kind = Kind::kNumbers;
  std::vector<std::string> categories;  // kCategories: band i spans [i, i + 1]
  double lo = NAN;                      // kNumbers, kDates: the data range; NaN when none
  double hi = NAN;
  std::vector<double> edges;  // kBinEdges: ascending
  bool integer = false;       // kNumbers: counts, ticked at whole numbers

  static AxisDomain Categories(std::vector<std::string> names);
  // Nice ticks covering [lo, hi] (widened to take in zero with `with_zero`).
  static AxisDomain Numbers(double lo, double hi, bool with_zero = false);
  static AxisDomain Dates(double lo, double hi);
  static AxisDomain BinEdges(std::vector<double> edges);
};

// The x axis of `series`: its categories, or its x range as numbers or
// dates.
AxisDomain XDomain(const SeriesData& series);

// An axis with its ticks chosen.
struct Axis {
  double min = 0;  // the domain, mapped onto the plot's extent
  double max = 1;
  std::vector<double> ticks;        // where labels (and gridlines) go
  std::vector<std::string> labels;  // one per tick
  bool bands = false;               // categories: no gridlines, labels in the bands
  bool numeric = false;             // numbers: a zero line when 0 is inside
  bool turnable = false;            // labels may be turned 45° (categories, dates)
};

class AxisFrame {
 public:
  // Lays out the frame inside `box`: `bottom` along the bottom edge of the
  // plot, `left` up its left edge. `legend` (may be null: none) is laid out
  // too and must outlive the frame. `has_data` false shows "No data".
  // Draws nothing yet.
  AxisFrame(const ChartSpec& spec, const ChartTheme& theme, const ChartBox& box, AxisDomain bottom,
            AxisDomain left, Legend* legend, bool has_data);

  const ChartBox& plot() const { return plot_; }
  const Axis& bottom() const { return bottom_; }
  const Axis& left() const { return left_; }
  // The point of a bottom-axis value (categories: band i spans [i, i + 1],
  // left to right) and of a left-axis value (values grow upwards;
  // categories run top to bottom). Values outside the domain map outside
  // the plot; the caller clips.
  double X(double value) const;
  double Y(double value) const;
  // The bottom labels' layout (for tests and for the drawing).
  const TickLabelLayout& bottom_labels() const { return bottom_labels_; }

  // Background and gridlines: call before drawing marks.
  void DrawUnderlay(Canvas& canvas) const;
  // Axis lines, zero lines, tick labels, axis titles, title, legend and
  // "No data": call after the marks.
  void DrawOverlay(Canvas& canvas) const;

  // Clips `canvas` to the plot grown by `bleed` pt on every side (room for
  // markers and line ends on the plot's edge); undo with Restore.
  void ClipToPlot(Canvas& canvas, double bleed = 0) const;

 private:
  void DrawBottomLabels(Canvas& canvas) const;
  void DrawLeftLabels(Canvas& canvas) const;

  const ChartSpec& spec_;
  const ChartTheme& theme_;
  Legend* legend_;
  bool has_data_;
  ChartBox box_;
  ChartBox plot_;
  Axis bottom_;
  Axis left_;
  TickLabelLayout bottom_labels_;
  size_t left_every_ = 1;        // label every k-th left tick
  double left_label_width_ = 0;  // left labels are cut to this
  double x_title_top_ = 0;
  double y_title_left_ = 0;
};

}  // namespace quire
