// ChartData: series extraction and stacking.
#include "report/charts/chart_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace quire {

bool FiniteRange(const std::vector<std::vector<double>>& values, double* lo, double* hi) {
  bool any = false;
  *lo = std::numeric_limits<double>::infinity();
  *hi = -std::numeric_limits<double>::infinity();
  for (const auto& s : values) {
    for (double v : s) {
      if (!std::isfinite(v)) continue;
      any = true;
      *lo = std::min(*lo, v);
      *hi = std::max(*hi, v);
    }
  }
  return any;
}

StatusOr<SeriesData> ExtractSeries(const ChartSpec& spec, const Table& data, bool categorical_x) {
  const std::string chart = "chart '" + spec.title + "': ";
  const Column* x = data.FindColumn(spec.x);
  if (x == nullptr) return Status::InvalidArgument(chart + "no column '" + spec.x + "' in data");
  SeriesData out;
  std::vector<size_t> rows(data.num_rows());
  std::iota(rows.begin(), rows.end(), 0);
  if (categorical_x || !(IsNumericType(x->type()) || x->type() == ColumnType::kDate)) {
    for (size_t r : rows) out.categories.push_back(x->AsString(r));
  } else {
    out.x_kind = x->type() == ColumnType::kDate ? XKind::kDates : XKind::kNumbers;
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](size_t r) { return !std::isfinite(x->AsDouble(r)); }),
               rows.end());
    std::stable_sort(rows.begin(), rows.end(),
                     [&](size_t a, size_t b) { return x->AsDouble(a) < x->AsDouble(b); });
    for (size_t r : rows) out.x.push_back(x->AsDouble(r));
  }
  for (const std::string& name : spec.y) {
    const Column* y = data.FindColumn(name);
    if (y == nullptr) return Status::InvalidArgument(chart + "no column '" + name + "' in data");
    if (!IsNumericType(y->type())) {
      return Status::InvalidArgument(chart + "column '" + name + "' is " +
                                     ColumnTypeName(y->type()) + ", not a number");
    }
    out.names.push_back(name);
    std::vector<double>& v = out.values.emplace_back();
    v.reserve(rows.size());
    for (size_t r : rows) v.push_back(y->AsDouble(r));
  }
  return out;
}

StackedSeries StackSeries(const std::vector<std::vector<double>>& values, bool split_signs) {
  StackedSeries out;
  size_t rows = 0;
  for (const auto& s : values) rows = std::max(rows, s.size());
  std::vector<double> up(rows, 0), down(rows, 0);
  for (const auto& s : values) {
    std::vector<double>& base = out.base.emplace_back(rows, 0);
    std::vector<double>& top = out.top.emplace_back(rows, 0);
    for (size_t r = 0; r < rows; ++r) {
      const double v = r < s.size() && std::isfinite(s[r]) ? s[r] : 0;
      double& pile = split_signs && v < 0 ? down[r] : up[r];
      base[r] = pile;
      pile += v;
      top[r] = pile;
    }
  }
  return out;
}

}  // namespace quire
