// The category-series names from before the axis charts were generalised
// (chart_data.h, axis_frame.h), kept for callers that still use them
// (pie_chart.cc). New code includes chart_data.h.
#pragma once

#include "workers/charts/chart_data.h"
