// DateTicks: the ticks and labels of a time axis over days since the epoch,
// at calendar steps — days, weeks (Mondays), months, quarters, years — the
// finest step that fits the room. Pure arithmetic; text widths are the
// caller's business (it says how many ticks fit).
#pragma once

#include <string>
#include <vector>

namespace quire {

struct DateTicks {
  std::vector<double> days;         // ascending, within [first, last]
  std::vector<std::string> labels;  // one per tick
};

// Ticks in [first, last] (days since 1970-01-01) at the finest of the steps
// 1 or 2 days, 1 or 2 weeks, 1 month, a quarter, 6 months, 1, 2, 5, 10, 20,
// 50 ... years that gives at most `max_ticks` (>= 1) ticks. Labels:
// "2024-03-05" for day and week steps, "Jan 2024" for month steps, "2024"
// for year steps. A range holding no tick of that step gets one tick at
// `first`; a NaN or reversed range gives no ticks. Dates are clamped to the
// years 1..9999.
DateTicks ComputeDateTicks(double first, double last, int max_ticks);

}  // namespace quire
