// HistogramBins: binning rules.
#include "report/charts/histogram_bins.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace quire {

std::string HistogramBins::Label(size_t i) const {
  // The fewest decimals (up to 6) that show both edges exactly.
  auto exact = [](double e, int d) {
    const double p = std::pow(10.0, d);
    return std::fabs(std::round(e * p) / p - e) <= 1e-9 * std::max(1.0, std::fabs(e));
  };
  int decimals = 0;
  while (decimals < 6 && !(exact(edges[i], decimals) && exact(edges[i + 1], decimals))) ++decimals;
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%.*f\u2013%.*f", decimals, edges[i], decimals, edges[i + 1]);
  return buf;
}

std::vector<double> ColumnValues(const Column& column) {
  std::vector<double> out;
  out.reserve(column.size());
  for (size_t r = 0; r < column.size(); ++r) out.push_back(column.AsDouble(r));
  return out;
}

HistogramBins ComputeHistogramBins(const std::vector<double>& values, int bins, double bin_width) {
  HistogramBins out;
  double lo = INFINITY, hi = -INFINITY;
  size_t n = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++out.skipped;
      continue;
    }
    ++n;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (n == 0) return out;

  double start = lo, width = 0;
  size_t count = 0;
  if (bin_width > 0 && std::isfinite(bin_width)) {
    width = bin_width;
    start = std::floor(lo / width) * width;
    double span = (hi - start) / width;
    if (span >= kMaxHistogramBins) {  // too many: widen to fit kMaxHistogramBins
      width = (hi - start) / (kMaxHistogramBins - 1);
      span = (hi - start) / width;
    }
    count = static_cast<size_t>(std::floor(span)) + 1;
  } else {
    if (bins <= 0) bins = static_cast<int>(std::ceil(std::log2(static_cast<double>(n)))) + 1;
    count = static_cast<size_t>(std::clamp(bins, 1, kMaxHistogramBins));
    if (hi > lo) {
      width = (hi - lo) / static_cast<double>(count);
    } else {
      count = 1;
      start = lo - 0.5;
      width = 1;
    }
  }
  for (size_t i = 0; i <= count; ++i) out.edges.push_back(start + width * static_cast<double>(i));
  out.counts.assign(count, 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    size_t i = static_cast<size_t>(std::floor((v - start) / width));
    if (i >= count) i = count - 1;  // the maximum falls in the last, closed bin
    ++out.counts[i];
  }
  return out;
}

}  // namespace quire
