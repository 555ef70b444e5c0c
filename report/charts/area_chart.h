// AreaChart: one line per y column filled down to zero (or, stacked, down
// to the series below); see series_chart.h for the rules it shares with line
// charts.
#pragma once

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kArea.
Status DrawAreaChart(Canvas& canvas, const ChartSpec& spec, const Table& data, const ChartBox& box,
                     const ChartTheme& theme);

}  // namespace quire
