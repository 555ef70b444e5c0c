// ChartData: the series an axis chart plots, pulled out of a Table for a
// ChartSpec — the x of each row (category text, a number or a date) and one
// value per row for every y column — plus the stacking of series. Pure data;
// no drawing.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"

namespace quire {

// How the x column is plotted.
enum class XKind {
  kCategories,  // one band per row, labelled with the cell's text
  kNumbers,     // a linear number axis
  kDates,       // a time axis, x in days since the epoch
};

struct SeriesData {
  XKind x_kind = XKind::kCategories;
  std::vector<std::string> categories;      // kCategories: the text of spec.x, one per row
  std::vector<double> x;                    // kNumbers, kDates: x of each row (finite, ascending)
  std::vector<std::string> names;           // spec.y, one per series
  std::vector<std::vector<double>> values;  // [series][row]; NaN for null

  size_t rows() const { return x_kind == XKind::kCategories ? categories.size() : x.size(); }
  // Where row `row` goes along the x axis: its value, or the middle of its
  // category's band [row, row + 1].
  double XAt(size_t row) const {
    return x_kind == XKind::kCategories ? static_cast<double>(row) + 0.5 : x[row];
  }
};

// The finite minimum and maximum of `values` (any shape); false when none.
bool FiniteRange(const std::vector<std::vector<double>>& values, double* lo, double* hi);

// Series for `spec` over `data`. With `categorical_x` (bars) x is always
// categories; else an int/float x column gives kNumbers and a date column
// kDates, their rows sorted by x and rows with a null x dropped.
// INVALID_ARGUMENT when spec.x or a spec.y column is missing from `data`,
// or a y column is not int/float.
StatusOr<SeriesData> ExtractSeries(const ChartSpec& spec, const Table& data, bool categorical_x);


// Series stacked row by row. With `split_signs` (bars) positive values pile
// up from zero and negative ones down from zero, separately; without it
// (lines, areas) each series sits on the running sum of those before it,
// so that the last one's top is the total. A missing value adds nothing:
// its series' top equals its base there.
struct StackedSeries {
  std::vector<std::vector<double>> base;  // [series][row]
  std::vector<std::vector<double>> top;   // [series][row]
};
StackedSeries StackSeries(const std::vector<std::vector<double>>& values, bool split_signs);

}  // namespace quire
