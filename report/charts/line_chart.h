// LineChart: one line per y column over categories, numbers or dates, with
// optional markers; see series_chart.h for the rules it shares with area
// charts.
#pragma once

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kLine.
Status DrawLineChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                     const ChartTheme& theme);

}  // namespace quire
