// PdfFile's number form: the shortest decimals, never an exponent, and
// what it makes of values no page has.
#include "report/render/internal/pdf_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace quire {
namespace {

std::string Num(double v, int decimals = 3) {
  std::string s;
  AppendPdfNumber(&s, v, decimals);
  return s;
}

TEST(PdfNumberTest, ShortestDecimalsWithoutExponent) {
  EXPECT_EQ(Num(0), "0");
  EXPECT_EQ(Num(-0.0), "0");
  EXPECT_EQ(Num(100), "100");
  EXPECT_EQ(Num(1.5), "1.5");
  EXPECT_EQ(Num(12.3456), "12.346");
  EXPECT_EQ(Num(-266.2109), "-266.211");
  EXPECT_EQ(Num(-0.0004), "0");
  EXPECT_EQ(Num(-0.0006), "-0.001");
  EXPECT_EQ(Num(0.05, 1), "0.1");
  EXPECT_EQ(Num(2.5, 0), "3");
  EXPECT_EQ(Num(1e-7), "0");
  EXPECT_EQ(Num(0.000001, 6), "0.000001");
  EXPECT_EQ(Num(0.866667, 6), "0.866667");
  EXPECT_EQ(Num(123456789.125, 2), "123456789.13");
  EXPECT_EQ(Num(NAN), "0");
  EXPECT_EQ(Num(INFINITY), "0");
  EXPECT_EQ(Num(5e12), "1000000000");
  EXPECT_EQ(Num(-1e300), "-1000000000");
}

}  // namespace
}  // namespace quire
