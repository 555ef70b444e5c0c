// LineChart: one line per y column over categories, numbers or dates, with
// optional markers; see series_chart.h for the rules it shares with area
// charts.
#pragma once

#include <cairo.h>

#include "common/status.h"
#include "common/table.h"
#include "common/template.h"
#include "workers/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kLine.
Status DrawLineChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
                     const ChartTheme& theme);

}  // namespace quire
