// PieChart: one value column as the slices of a circle, or of a ring when
// spec.donut > 0 — slices in data order, clockwise from 12 o'clock, each
// named by its row of the x column in the legend, with percentage labels
// (spec.labels) inside the slices that have room, outside with a leader line
// when not, and left out rather than overlapping another label.
//
// Only positive values are slices: negative, zero, null and NaN values are
// skipped, and the percentages are shares of what is shown. A pie shows at
// most kPieOwnSlices + 1 slices (see PieSlices). It draws; picking the data
// and the page layout are the caller's.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// The most slices a pie gives their own slice; see PieSlices.
inline constexpr size_t kPieOwnSlices = 12;

struct PieSlice {
  std::string name;    // the x column's text; "Other" for the grouped rest
  double value = 0;    // > 0
  double share = 0;    // of the shown total, in (0, 1]; the shares sum to 1
  bool other = false;  // the grouped rest, drawn in neutral grey
};

// The slices of `spec` over `data`, in data order. The one place small
// values are grouped: when more than kPieOwnSlices + 1 values are positive,
// the kPieOwnSlices largest keep their slices (ties: the earlier row) and
// all the others become one last slice named "Other". Empty when no value
// is positive. INVALID_ARGUMENT when spec.y is not exactly one column, or
// spec.x or spec.y is missing from `data`, or spec.y is not numeric.
StatusOr<std::vector<PieSlice>> PieSlices(const ChartSpec& spec, const Table& data);

// Same contract as DrawChart, for spec.type == ChartType::kPie; no slices
// draws the title over an empty frame saying "No data".
Status DrawPieChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                    const ChartTheme& theme);

}  // namespace quire
