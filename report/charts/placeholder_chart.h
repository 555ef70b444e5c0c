// PlaceholderChart: a labelled, dashed box standing in for a chart that
// cannot be drawn — its data is unavailable — so that a report still
// renders and says why.
#pragma once

#include <string>

#include "report/canvas/canvas.h"
#include "report/charts/chart.h"

namespace quire {

// Draws `title` (may be empty) at the top of `box` and `message` centred in
// it, inside a dashed frame. The context's state is restored on return.
void DrawPlaceholderBox(Canvas& canvas, const ChartBox& box, const std::string& title,
                        const std::string& message, const ChartTheme& theme);

}  // namespace quire
