// NiceScale: a value axis with "nice" round ticks (steps of 1, 2 or 5 times
// a power of ten) covering a data range, and the tick label format that goes
// with the step. Pure arithmetic.
#pragma once

#include <string>
#include <vector>

namespace quire {

struct NiceScale {
  double min = 0;             // first tick, <= the data minimum
  double max = 1;             // last tick, >= the data maximum
  double step = 1;            // 1, 2 or 5 times a power of ten
  std::vector<double> ticks;  // min, min + step, ..., max

  // Ticks covering [lo, hi] with about `target_ticks` intervals. A NaN,
  // infinite or empty range gives 0..1; a single value is widened.
  static NiceScale For(double lo, double hi, int target_ticks = 5);

  // A tick value with as many decimals as the step needs ("0.5", "1,000").
  std::string Format(double value) const;
};

}  // namespace quire
