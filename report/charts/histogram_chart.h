// HistogramChart: the distribution of the x column — the bins of
// ComputeHistogramBins(spec.bins, spec.bin_width) as bars without gaps on a
// number axis ticked at bin edges (thinned to fit), the counts up the left.
// Null and NaN values are not counted. One series, so no legend.
#pragma once

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Same contract as DrawChart, for spec.type == ChartType::kHistogram
// (INVALID_ARGUMENT also when spec.x is not int/float).
Status DrawHistogramChart(Canvas& canvas, const ChartSpec& spec, const Table& data,
                          const ChartBox& box, const ChartTheme& theme);

}  // namespace quire
