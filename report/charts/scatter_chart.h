// ScatterChart: one marker per row for every y column (one colour per
// series) against the x column, both on number axes with nice ticks (a date
// x gets a time axis, a text x one band per row). Rows with a null or NaN
// coordinate are left out. Each series is one path, filled once, so that
// thousands of points draw fast; points carry no text.
#pragma once

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kScatter.
Status DrawScatterChart(Canvas& canvas, const ChartSpec& spec, const Table& data,
                        const ChartBox& box, const ChartTheme& theme);

}  // namespace quire
