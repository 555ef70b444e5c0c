// DateTicks: calendar steps over the civil conversions of common/table/table.h.
#include "report/charts/date_ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>

#include "common/table/table.h"

namespace quire {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int64_t kMonday = 4;  // 1970-01-05, the first Monday after the epoch

struct Civil {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;
};

Civil ToCivil(int64_t days) {
  Civil c;
  std::sscanf(FormatDate(days).c_str(), "%d-%d-%d", &c.year, &c.month, &c.day);
  return c;
}

int64_t FirstOfMonth(int year, int month) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-01", year, month);
  return ParseDate(buf).value_or(0);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t CeilMultiple(int64_t a, int64_t step) { return -FloorDiv(-a, step) * step; }

enum class Unit { kDay, kMonth, kYear };
struct Step {
  Unit unit;
  int64_t count;  // days (weeks as 7 and 14), months, or years
};

// Calls `tick(day, label)` for each tick of `step` in [first, last] until
// it returns false.
void ForEachTick(const Step& step, int64_t first, int64_t last,
                 const std::function<bool(int64_t, std::string)>& tick) {
  switch (step.unit) {
    case Unit::kDay: {
      // Days align to multiples of the step; weeks to Mondays.
      const int64_t origin = step.count % 7 == 0 ? kMonday : 0;
      for (int64_t d = origin + CeilMultiple(first - origin, step.count); d <= last;
           d += step.count) {
        if (!tick(d, FormatDate(d))) return;
      }
      return;
    }
    case Unit::kMonth: {
      const Civil c = ToCivil(first);
      int64_t m = CeilMultiple(int64_t{c.year} * 12 + c.month - 1, step.count);
      for (;; m += step.count) {
        const int year = static_cast<int>(FloorDiv(m, 12));
        const int month = static_cast<int>(m - int64_t{year} * 12) + 1;
        const int64_t d = FirstOfMonth(year, month);
        if (d < first) continue;
        if (d > last || year > 9999) return;
        if (!tick(d, std::string(kMonths[month - 1]) + " " + std::to_string(year))) return;
      }
    }
    case Unit::kYear: {
      for (int64_t y = CeilMultiple(ToCivil(first).year, step.count); y <= 9999; y += step.count) {
        const int64_t d = FirstOfMonth(static_cast<int>(y), 1);
        if (d < first) continue;
        if (d > last) return;
        if (!tick(d, std::to_string(y))) return;
      }
      return;
    }
  }
}

}  // namespace

DateTicks ComputeDateTicks(double first, double last, int max_ticks) {
  DateTicks out;
  if (!(first <= last)) return out;  // NaN or reversed
  static const int64_t kMinDay = FirstOfMonth(1, 1);
  static const int64_t kMaxDay = FirstOfMonth(9999, 12) + 30;
  const int64_t lo = std::clamp<int64_t>(
      static_cast<int64_t>(std::ceil(std::max(first, static_cast<double>(kMinDay)))), kMinDay,
      kMaxDay);
  const int64_t hi = std::clamp<int64_t>(
      static_cast<int64_t>(std::floor(std::min(last, static_cast<double>(kMaxDay)))), kMinDay,
      kMaxDay);
  const size_t limit = static_cast<size_t>(std::max(1, max_ticks));

  std::vector<Step> steps = {{Unit::kDay, 1},  {Unit::kDay, 2},   {Unit::kDay, 7},
                             {Unit::kDay, 14}, {Unit::kMonth, 1}, {Unit::kMonth, 3},
                             {Unit::kMonth, 6}};
  for (int64_t p = 1; p <= 10000; p *= 10) {
    for (int64_t f : {1, 2, 5}) steps.push_back({Unit::kYear, f * p});
  }
  for (const Step& step : steps) {
    DateTicks ticks;
    bool fits = true;
    ForEachTick(step, lo, hi, [&](int64_t day, std::string label) {
      if (ticks.days.size() == limit) return fits = false;
      ticks.days.push_back(static_cast<double>(day));
      ticks.labels.push_back(std::move(label));
      return true;
    });
    if (!fits) continue;
    out = std::move(ticks);
    break;
  }
  if (out.days.empty()) {
    const int64_t day = std::clamp<int64_t>(std::llround(first), kMinDay, kMaxDay);
    out.days.push_back(static_cast<double>(day));
    out.labels.push_back(FormatDate(day));
  }
  return out;
}

}  // namespace quire
