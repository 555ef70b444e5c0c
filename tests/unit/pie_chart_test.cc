// Tests of the pie chart: which values become slices (skipping, grouping,
// shares) and what is drawn, read back from an image surface pixel by
// pixel. Label placement in PDFs is checked in chart_text_test.cc; the whole
// picture in chart_golden_test.cc.
#include "report/charts/pie_chart.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace quire {
namespace {

constexpr uint32_t kBlue = 0x4E79A7, kOrange = 0xF28E2B, kWhite = 0xFFFFFF;
const double kNan = std::numeric_limits<double>::quiet_NaN();

ChartSpec PieSpec() {
  ChartSpec spec = test::ChartOf(ChartType::kPie, "name", {"value"});
  spec.show_legend = false;
  spec.labels = false;
  return spec;
}

// Rows of (name, value); nullopt is a null value.
Table PieTable(const std::vector<std::pair<std::string, std::optional<double>>>& rows) {
  Table t;
  Column* name = t.AddColumn("name", ColumnType::kText);
  Column* value = t.AddColumn("value", ColumnType::kFloat);
  for (const auto& [n, v] : rows) {
    name->AppendText(n);
    if (v) {
      value->AppendFloat(*v);
    } else {
      value->AppendNull();
    }
  }
  return t;
}

// A 400x300 pt pie drawn at 1 px per pt. Without a title and legend it is
// centred at (200, 150) with a radius of 144.
class Drawn {
 public:
  Drawn(const ChartSpec& spec, const Table& data) {
    surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 300);
    cairo_t* cr = cairo_create(surface_);
    CairoCanvas canvas(cr);
    status_ = DrawPieChart(canvas, spec, data, {0, 0, 400, 300}, ChartTheme());
    cairo_destroy(cr);
    cairo_surface_flush(surface_);
  }
  ~Drawn() { cairo_surface_destroy(surface_); }
  Drawn(const Drawn&) = delete;
  Drawn& operator=(const Drawn&) = delete;

  const Status& status() const { return status_; }
  uint32_t At(int x, int y) const {
    const unsigned char* data = cairo_image_surface_get_data(surface_);
    const int stride = cairo_image_surface_get_stride(surface_);
    return reinterpret_cast<const uint32_t*>(data + y * stride)[x] & 0xFFFFFF;
  }
  // The colour at `radius` (share of 144) and `angle` (clockwise from 12).
  uint32_t AtPolar(double radius, double degrees) const {
    const double a = (degrees - 90) * M_PI / 180, r = radius * 144;
    return At(static_cast<int>(200 + r * std::cos(a)), static_cast<int>(150 + r * std::sin(a)));
  }
  int Count(uint32_t rgb) const {
    int n = 0;
    for (int y = 0; y < 300; ++y) {
      for (int x = 0; x < 400; ++x) n += At(x, y) == rgb;
    }
    return n;
  }

 private:
  cairo_surface_t* surface_;
  Status status_;
};

double ShareSum(const std::vector<PieSlice>& slices) {
  return std::accumulate(slices.begin(), slices.end(), 0.0,
                         [](double sum, const PieSlice& s) { return sum + s.share; });
}

TEST(PieSlicesTest, SkipsNegativeZeroNullAndNanAndSharesSumToOne) {
  StatusOr<std::vector<PieSlice>> s = PieSlices(PieSpec(), PieTable({{"a", 30},
                                                                     {"neg", -5},
                                                                     {"b", 10},
                                                                     {"null", std::nullopt},
                                                                     {"nan", kNan},
                                                                     {"zero", 0},
                                                                     {"c", 60}}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].name, "a");
  EXPECT_EQ((*s)[1].name, "b");
  EXPECT_EQ((*s)[2].name, "c");
  EXPECT_DOUBLE_EQ((*s)[0].share, 0.3);
  EXPECT_DOUBLE_EQ((*s)[2].share, 0.6);
  EXPECT_DOUBLE_EQ(ShareSum(*s), 1.0);
}

TEST(PieSlicesTest, HugeValuesDoNotOverflow) {
  StatusOr<std::vector<PieSlice>> s = PieSlices(PieSpec(), PieTable({{"a", 1e308}, {"b", 1e308}}));
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ((*s)[0].share, 0.5);
}

TEST(PieSlicesTest, GroupsAllButTheTwelveLargestIntoOther) {
  // 13 values keep their slices; with 14 the smallest two become "Other".
  std::vector<std::pair<std::string, std::optional<double>>> rows;
  for (int i = 0; i < 13; ++i) rows.push_back({"r" + std::to_string(i), 100 - i});
  ASSERT_EQ(PieSlices(PieSpec(), PieTable(rows))->size(), 13u);
  rows.insert(rows.begin(), {"tiny", 1});
  StatusOr<std::vector<PieSlice>> s = PieSlices(PieSpec(), PieTable(rows));
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), kPieOwnSlices + 1);
  EXPECT_EQ(s->front().name, "r0");  // data order kept for the rest
  EXPECT_EQ((*s)[11].name, "r11");
  EXPECT_EQ(s->back().name, "Other");
  EXPECT_TRUE(s->back().other);
  EXPECT_FALSE(s->front().other);
  EXPECT_DOUBLE_EQ(s->back().value, 1 + 88);  // "tiny" and r12
  EXPECT_NEAR(ShareSum(*s), 1.0, 1e-12);
}

TEST(PieSlicesTest, BadSpecsAreInvalidArgument) {
  const Table t = PieTable({{"a", 1}});
  ChartSpec no_x = PieSpec();
  no_x.x = "nope";
  ChartSpec no_y = PieSpec();
  no_y.y = {"nope"};
  ChartSpec text_y = PieSpec();
  text_y.y = {"name"};
  ChartSpec two_y = PieSpec();
  two_y.y = {"value", "value"};
  ChartSpec zero_y = PieSpec();
  zero_y.y.clear();
  for (const ChartSpec& spec : {no_x, no_y, text_y, two_y, zero_y}) {
    EXPECT_EQ(PieSlices(spec, t).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Drawn(spec, t).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(PieChartTest, SlicesRunClockwiseFromTwelveInPaletteOrder) {
  Drawn d(PieSpec(), PieTable({{"a", 25}, {"b", 75}}));
  ASSERT_TRUE(d.status().ok()) << d.status().ToString();
  // "a" spans 12 to 3 o'clock, "b" the rest.
  EXPECT_EQ(d.AtPolar(0.5, 45), kBlue);
  EXPECT_EQ(d.AtPolar(0.5, 135), kOrange);
  EXPECT_EQ(d.AtPolar(0.5, 315), kOrange);
  EXPECT_GT(d.Count(kOrange), 2.5 * d.Count(kBlue));
  EXPECT_EQ(d.AtPolar(0.05, 45), kBlue);  // a pie has no hole
}

TEST(PieChartTest, SeparatorLineBetweenSlices) {
  // The slices meet on a pixel edge at 3 o'clock; the separator there is
  // background-coloured, lightening the pixels along it.
  Drawn d(PieSpec(), PieTable({{"a", 25}, {"b", 75}}));
  int lightened = 0;
  for (int y = 147; y <= 153; ++y) {
    const uint32_t c = d.At(270, y);
    lightened += c != kBlue && c != kOrange && ((c >> 8) & 0xFF) > 0x8E;
  }
  EXPECT_GE(lightened, 1);
}

TEST(PieChartTest, DonutHasAHoleOfItsShare) {
  ChartSpec spec = PieSpec();
  spec.donut = 0.5;
  Drawn d(spec, PieTable({{"a", 25}, {"b", 75}}));
  ASSERT_TRUE(d.status().ok());
  EXPECT_EQ(d.At(200, 150), kWhite);
  EXPECT_EQ(d.AtPolar(0.45, 135), kWhite);
  EXPECT_EQ(d.AtPolar(0.55, 135), kOrange);
  spec.donut = 5;  // clamped to 0.9
  Drawn thin(spec, PieTable({{"a", 25}, {"b", 75}}));
  EXPECT_EQ(thin.AtPolar(0.85, 135), kWhite);
  EXPECT_EQ(thin.AtPolar(0.95, 135), kOrange);
}

TEST(PieChartTest, OneSliceIsAFullCircleWithoutSeparator) {
  for (double donut : {0.0, 0.6}) {
    ChartSpec spec = PieSpec();
    spec.donut = donut;
    Drawn d(spec, PieTable({{"only", 7}, {"skipped", -1}}));
    ASSERT_TRUE(d.status().ok());
    for (double deg = 0; deg < 360; deg += 15) EXPECT_EQ(d.AtPolar(0.8, deg), kBlue) << deg;
    EXPECT_EQ(d.At(200, 150), donut > 0 ? kWhite : kBlue);
  }
}

TEST(PieChartTest, LastSliceNeverSharesTheFirstSlicesColour) {
  // 11 slices: the palette of 10 would give the 11th slice the first's blue.
  std::vector<std::pair<std::string, std::optional<double>>> rows;
  for (int i = 0; i < 11; ++i) rows.push_back({"r" + std::to_string(i), 1});
  Drawn d(PieSpec(), PieTable(rows));
  EXPECT_EQ(d.AtPolar(0.5, 5), kBlue);
  EXPECT_NE(d.AtPolar(0.5, 355), kBlue);
}

TEST(PieChartTest, EmptyOrAllZeroDataDrawsNoSlices) {
  for (const Table& t :
       {PieTable({}), PieTable({{"a", 0}, {"b", 0}}), PieTable({{"a", -1}, {"b", std::nullopt}})}) {
    ChartSpec spec = PieSpec();
    spec.title = "Nothing";
    spec.show_legend = true;
    Drawn d(spec, t);
    EXPECT_TRUE(d.status().ok()) << d.status().ToString();
    EXPECT_EQ(d.Count(kBlue), 0);
    EXPECT_GT(d.Count(kWhite), 100000);
  }
}

TEST(PieChartTest, ManySlicesLabelsAndLegendsInEveryPositionRender) {
  std::vector<std::pair<std::string, std::optional<double>>> rows;
  for (int i = 0; i < 500; ++i) {
    rows.push_back({"category number " + std::to_string(i) + std::string(i % 50, 'x'),
                    std::fmod(i * 37.0, 101.0)});
  }
  const Table t = PieTable(rows);
  for (LegendPosition pos :
       {LegendPosition::kBottom, LegendPosition::kRight, LegendPosition::kTop}) {
    ChartSpec spec = PieSpec();
    spec.title = "Five hundred rows";
    spec.labels = spec.show_legend = true;
    spec.legend = pos;
    spec.donut = 0.4;
    Drawn d(spec, t);
    EXPECT_TRUE(d.status().ok()) << d.status().ToString();
    EXPECT_EQ(PieSlices(spec, t)->size(), kPieOwnSlices + 1);
    EXPECT_GT(d.Count(kBlue), 0);
    EXPECT_GT(d.Count(0xA0A0A0), 10000);  // "Other", most of the pie
  }
}

TEST(PieChartTest, TinyBoxesRender) {
  ChartSpec spec = PieSpec();
  spec.title = "Title";
  spec.labels = spec.show_legend = true;
  const Table t = PieTable({{"a", 1}, {"b", 2}});
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 20, 20);
  cairo_t* cr = cairo_create(s);
  CairoCanvas canvas(cr);
  for (ChartBox box : {ChartBox{0, 0, 12, 9}, ChartBox{0, 0, 1, 1}, ChartBox{0, 0, 300, 4}}) {
    EXPECT_TRUE(DrawPieChart(canvas, spec, t, box, ChartTheme()).ok());
  }
  EXPECT_EQ(cairo_status(cr), CAIRO_STATUS_SUCCESS);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
}

}  // namespace
}  // namespace quire
