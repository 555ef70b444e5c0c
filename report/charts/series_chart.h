// SeriesChart: what line and area charts share — one series per y column
// over an x axis of categories, numbers or a time axis (a date x column),
// drawn as a line through its points that breaks at null and NaN values,
// with a marker on every point when spec.markers says so (unset: when a
// series has at most kAutoMarkerPoints points). An area also fills down to
// zero. spec.stacked plots each series on top of the ones before it (the
// running sum, so the last line is the total; a missing value adds
// nothing), and an area then fills down to the series below. line_chart.h
// and area_chart.h are the entry points.
#pragma once

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

inline constexpr size_t kAutoMarkerPoints = 30;

enum class SeriesMark { kLine, kArea };

// Same contract as DrawChart, drawing `spec` as lines or areas.
Status DrawSeriesChart(Canvas& canvas, const ChartSpec& spec, const Table& data,
                       const ChartBox& box, const ChartTheme& theme, SeriesMark mark);

}  // namespace quire
