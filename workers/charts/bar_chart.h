// BarChart: vertical grouped bars, one series per y column, one group per
// row of the x column. Negative values hang below the zero line; null and
// NaN values leave a gap.
#pragma once

#include <cairo.h>

#include "common/status.h"
#include "common/table.h"
#include "common/template.h"
#include "workers/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kBar.
Status DrawBarChart(cairo_t* cr, const ChartSpec& spec, const Table& data, const ChartBox& box,
                    const ChartTheme& theme);

}  // namespace quire
