#include "report/charts/histogram_bins.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace quire {
namespace {

int64_t Total(const HistogramBins& b) {
  return std::accumulate(b.counts.begin(), b.counts.end(), int64_t{0});
}

TEST(HistogramBinsTest, EqualBinsOverTheRangeWithTheMaximumInTheLastBin) {
  HistogramBins b = ComputeHistogramBins({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 0);
  ASSERT_EQ(b.counts.size(), 5u);
  EXPECT_EQ(b.edges.front(), 0);
  EXPECT_EQ(b.edges.back(), 10);
  EXPECT_EQ(b.counts, (std::vector<int64_t>{2, 2, 2, 2, 3}));
  EXPECT_EQ(b.Label(0), "0\u20132");
}

TEST(HistogramBinsTest, SturgesRuleWhenNoBinCountIsGiven) {
  std::vector<double> v(100);
  std::iota(v.begin(), v.end(), 0.0);
  HistogramBins b = ComputeHistogramBins(v, 0, 0);
  EXPECT_EQ(b.counts.size(), 8u);  // ceil(log2 100) + 1
  EXPECT_EQ(Total(b), 100);
}

TEST(HistogramBinsTest, BinWidthAlignsToItsMultiples) {
  HistogramBins b = ComputeHistogramBins({3, 7, 12, 19.5, 20}, 0, 5);
  EXPECT_EQ(b.edges.front(), 0);
  ASSERT_EQ(b.counts.size(), 5u);  // [0,5) [5,10) [10,15) [15,20) [20,25)
  EXPECT_EQ(b.counts, (std::vector<int64_t>{1, 1, 1, 1, 1}));
  EXPECT_EQ(b.Label(4), "20\u201325");
}

TEST(HistogramBinsTest, TinyBinWidthIsCappedAtTheBinLimit) {
  HistogramBins b = ComputeHistogramBins({0, 1e6}, 0, 0.001);
  EXPECT_LE(b.counts.size(), static_cast<size_t>(kMaxHistogramBins));
  EXPECT_EQ(Total(b), 2);
}

TEST(HistogramBinsTest, NullsAndNaNAreSkippedAndCounted) {
  HistogramBins b = ComputeHistogramBins({1, NAN, 2, INFINITY, 3}, 2, 0);
  EXPECT_EQ(b.skipped, 2u);
  EXPECT_EQ(Total(b), 3);
}

TEST(HistogramBinsTest, EmptyAndConstantData) {
  EXPECT_TRUE(ComputeHistogramBins({}, 10, 0).counts.empty());
  EXPECT_TRUE(ComputeHistogramBins({NAN}, 10, 0).counts.empty());
  HistogramBins b = ComputeHistogramBins({4, 4, 4}, 10, 0);
  ASSERT_EQ(b.counts.size(), 1u);
  EXPECT_EQ(b.counts[0], 3);
  EXPECT_LT(b.edges[0], 4);
  EXPECT_GT(b.edges[1], 4);
  EXPECT_EQ(b.Label(0), "3.5\u20134.5");
}

TEST(HistogramBinsTest, NegativeValues) {
  HistogramBins b = ComputeHistogramBins({-10, -5, 0, 5}, 0, 5);
  EXPECT_EQ(b.edges.front(), -10);
  EXPECT_EQ(Total(b), 4);
}

}  // namespace
}  // namespace quire
