// BarChart: one bar per (row of the x column, y column). Vertical by
// default, categories along the bottom; spec.horizontal puts the categories
// down the left (first at the top) and the values along the bottom. Grouped
// by default (the series side by side in each category); spec.stacked piles
// them up, positive values upwards from zero and negative ones downwards,
// separately. Null and NaN values leave a gap.
#pragma once

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kBar.
Status DrawBarChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                    const ChartTheme& theme);

}  // namespace quire
