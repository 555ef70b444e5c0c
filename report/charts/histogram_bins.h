// HistogramBins: the bins a histogram chart draws, computed once and shared
// by the cairo chart and the XLSX renderer (whose native column chart shows
// the same bins). Pure arithmetic.
#pragma once

#include <string>
#include <vector>

#include "common/table/table.h"

namespace quire {

struct HistogramBins {
  std::vector<double> edges;    // edges.size() == counts.size() + 1, ascending
  std::vector<int64_t> counts;  // values v with edges[i] <= v < edges[i+1] (the last bin is closed)
  size_t skipped = 0;           // nulls, NaN and infinities, which no bin counts

  // "10–20" for bin i, with as many decimals as the bin width needs.
  std::string Label(size_t i) const;
};

// Bins the finite values of `values`: with `bin_width` > 0, bins of that
// width aligned to its multiples (at most `kMaxBins`; wider bins past that);
// else `bins` equal bins over [min, max] (`bins` <= 0: Sturges' rule,
// ceil(log2 n) + 1). No finite values: no bins. All values equal: one bin
// one unit wide around them.
HistogramBins ComputeHistogramBins(const std::vector<double>& values, int bins, double bin_width);

// The values of column `column` as doubles (NaN for nulls; dates in days).
std::vector<double> ColumnValues(const Column& column);

constexpr int kMaxHistogramBins = 200;

}  // namespace quire
