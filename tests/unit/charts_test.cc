// Tests of the axis charts (bar, line, area, scatter, histogram) and the
// pieces they share: the legend, date ticks, tick label layout and the axis
// frame. Charts are drawn to image surfaces and their pixels inspected (in
// the series colours given by spec.colors, legend off unless the test is
// about it), to recording surfaces, and to files through RenderChartToFile.
#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/table/table.h"
#include "common/template/template.h"
#include "report/charts/axis_frame.h"
#include "report/charts/chart.h"
#include "report/charts/date_ticks.h"
#include "report/charts/legend.h"
#include "report/charts/marks.h"
#include "report/charts/tick_labels.h"
#include "report/render/chart_image.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

constexpr uint32_t kRed = 0xFF0000, kBlue = 0x0000FF;
constexpr double kWidth = 480, kHeight = 300;  // pt = px at scale 1

using test::TableOf;

// A chart of `type` in red and blue, without a legend.
ChartSpec Spec(ChartType type, std::vector<std::string> y, std::string x = "x") {
  ChartSpec spec = test::ChartOf(type, std::move(x), std::move(y));
  spec.title = "Test chart";
  spec.colors = {kRed, kBlue};
  spec.show_legend = false;
  return spec;
}

// An ARGB32 image a chart was drawn into at 1 px per pt.
class Image {
 public:
  Image(int width, int height)
      : surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height)) {}
  ~Image() { cairo_surface_destroy(surface_); }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  cairo_surface_t* surface() const { return surface_; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  uint32_t Rgb(int x, int y) const {
    cairo_surface_flush(surface_);
    const unsigned char* row =
        cairo_image_surface_get_data(surface_) + y * cairo_image_surface_get_stride(surface_);
    return reinterpret_cast<const uint32_t*>(row)[x] & 0xFFFFFF;
  }
  bool Is(int x, int y, uint32_t color, int tolerance = 24) const {
    const uint32_t c = Rgb(x, y);
    for (int shift : {0, 8, 16}) {
      const int a = static_cast<int>((c >> shift) & 0xFF),
                b = static_cast<int>((color >> shift) & 0xFF);
      if (std::abs(a - b) > tolerance) return false;
    }
    return true;
  }
  // Pixels of `color` in the image.
  int Count(uint32_t color, int tolerance = 24) const {
    int n = 0;
    for (int y = 0; y < height(); ++y) {
      for (int x = 0; x < width(); ++x) n += Is(x, y, color, tolerance);
    }
    return n;
  }
  // The rows of column x holding `color`: first and last, or -1.
  std::pair<int, int> RowSpan(int x, uint32_t color) const {
    return Span(height(), [&](int y) { return Is(x, y, color); });
  }
  // The columns of row y holding `color`: first and last, or -1.
  std::pair<int, int> ColumnSpan(int y, uint32_t color) const {
    return Span(width(), [&](int x) { return Is(x, y, color); });
  }
  // The leftmost and rightmost columns holding `color` anywhere.
  std::pair<int, int> Columns(uint32_t color) const {
    int first = -1, last = -1;
    for (int y = 0; y < height(); ++y) {
      auto [a, b] = ColumnSpan(y, color);
      if (a < 0) continue;
      first = first < 0 ? a : std::min(first, a);
      last = std::max(last, b);
    }
    return {first, last};
  }

 private:
  // The first and last i in [0, n) where `hit`, or -1.
  static std::pair<int, int> Span(int n, const std::function<bool(int)>& hit) {
    int first = -1, last = -1;
    for (int i = 0; i < n; ++i) {
      if (!hit(i)) continue;
      if (first < 0) first = i;
      last = i;
    }
    return {first, last};
  }

  cairo_surface_t* surface_;
};

// Draws `spec` over `data` into `image` (whole image as the box).
Status DrawInto(const Image& image, const ChartSpec& spec, const Table& data) {
  cairo_t* cr = cairo_create(image.surface());
  const Status s =
      DrawChart(cr, spec, data,
                {0, 0, static_cast<double>(image.width()), static_cast<double>(image.height())},
                ChartTheme());
  cairo_destroy(cr);
  return s;
}

// Draws to an unbounded recording surface; returns the ink extents' area.
double RecordedInk(const ChartSpec& spec, const Table& data, Status* status) {
  cairo_surface_t* rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr);
  cairo_t* cr = cairo_create(rec);
  *status = DrawChart(cr, spec, data, {0, 0, kWidth, kHeight}, ChartTheme());
  cairo_destroy(cr);
  double x, y, w, h;
  cairo_recording_surface_ink_extents(rec, &x, &y, &w, &h);
  cairo_surface_destroy(rec);
  return w * h;
}

// ---------------------------------------------------------------------------
// Legend

// A recording context for measuring text.
struct Recording {
  cairo_surface_t* surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr);
  cairo_t* cr = cairo_create(surface);
  ~Recording() {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
  }
};

std::vector<LegendEntry> Entries(size_t n, const std::string& prefix = "Series ") {
  std::vector<LegendEntry> out;
  for (size_t i = 0; i < n; ++i) out.push_back({prefix + std::to_string(i), Rgb{0x112233}});
  return out;
}

bool Inside(const ChartBox& inner, const ChartBox& outer) {
  return inner.x >= outer.x - 1e-6 && inner.y >= outer.y - 1e-6 &&
         inner.x + inner.width <= outer.x + outer.width + 1e-6 &&
         inner.y + inner.height <= outer.y + outer.height + 1e-6;
}

TEST(LegendTest, BottomWrapsIntoLinesBelowTheChart) {
  const ChartBox area{10, 20, 200, 300};
  Legend legend(Entries(12), LegendSwatch::kSquare, LegendPosition::kBottom, ChartTheme());
  const ChartBox rest = legend.Layout(area);
  EXPECT_EQ(legend.shown(), 12u);
  EXPECT_TRUE(Inside(legend.box(), area));
  EXPECT_GT(legend.box().height, 20);  // more than one line
  EXPECT_DOUBLE_EQ(rest.y, area.y);
  EXPECT_LE(rest.y + rest.height, legend.box().y);
  EXPECT_DOUBLE_EQ(rest.width, area.width);
}

TEST(LegendTest, TopTakesRoomAboveTheChart) {
  const ChartBox area{0, 0, 400, 300};
  Legend legend(Entries(3), LegendSwatch::kLine, LegendPosition::kTop, ChartTheme());
  const ChartBox rest = legend.Layout(area);
  EXPECT_DOUBLE_EQ(legend.box().y, area.y);
  EXPECT_GE(rest.y, legend.box().y + legend.box().height);
  EXPECT_DOUBLE_EQ(rest.y + rest.height, area.y + area.height);
}

TEST(LegendTest, RightIsAColumnBesideTheChartWithLongNamesCut) {
  const ChartBox area{0, 0, 400, 300};
  std::vector<LegendEntry> entries = Entries(4);
  entries[1].name = std::string(300, 'W');
  Legend legend(std::move(entries), LegendSwatch::kMarker, LegendPosition::kRight, ChartTheme());
  const ChartBox rest = legend.Layout(area);
  EXPECT_TRUE(Inside(legend.box(), area));
  EXPECT_LE(legend.box().width, 0.3 * area.width + 1e-6);
  EXPECT_LE(rest.x + rest.width, legend.box().x);
  EXPECT_DOUBLE_EQ(rest.height, area.height);
  EXPECT_GT(legend.box().height, 3 * 8);  // one entry a line
}

TEST(LegendTest, TooManyEntriesEndInMore) {
  Recording rec;
  const ChartBox area{0, 0, 300, 200};
  for (LegendPosition p : {LegendPosition::kBottom, LegendPosition::kRight}) {
    Legend legend(Entries(500), LegendSwatch::kSquare, p, ChartTheme());
    legend.Layout(area);
    EXPECT_LT(legend.shown(), 500u);
    EXPECT_GT(legend.shown(), 0u);
    EXPECT_TRUE(Inside(legend.box(), area));
    CairoCanvas canvas(rec.cr);
    legend.Draw(canvas);
  }
}

TEST(LegendTest, NoEntriesTakeNothing) {
  Recording rec;
  const ChartBox area{5, 5, 100, 100};
  Legend legend({}, LegendSwatch::kSquare, LegendPosition::kBottom, ChartTheme());
  const ChartBox rest = legend.Layout(area);
  EXPECT_DOUBLE_EQ(rest.height, area.height);
  EXPECT_DOUBLE_EQ(legend.box().height, 0);
  CairoCanvas canvas(rec.cr);
  legend.Draw(canvas);
}

TEST(LegendTest, DrawsSwatchesInTheEntryColours) {
  Image image(300, 60);
  cairo_t* cr = cairo_create(image.surface());
  for (LegendSwatch swatch : {LegendSwatch::kSquare, LegendSwatch::kLineMarker}) {
    Legend legend({{"Red", Rgb{kRed}}, {"Blue", Rgb{kBlue}}}, swatch, LegendPosition::kBottom,
                  ChartTheme());
    legend.Layout({0, 0, 300, 60});
    CairoCanvas canvas(cr);
    legend.Draw(canvas);
  }
  cairo_destroy(cr);
  EXPECT_GT(image.Count(kRed), 10);
  EXPECT_GT(image.Count(kBlue), 10);
}

// ---------------------------------------------------------------------------
// Date ticks

double Day(const char* iso) { return static_cast<double>(*ParseDate(iso)); }

TEST(DateTicksTest, AYearFromJanuaryGivesMonths) {
  const DateTicks t = ComputeDateTicks(Day("2024-01-01"), Day("2024-01-01") + 365, 12);
  ASSERT_EQ(t.labels.size(), 12u);
  EXPECT_EQ(t.labels[0], "Jan 2024");
  EXPECT_EQ(t.labels[1], "Feb 2024");
  EXPECT_EQ(t.labels[11], "Dec 2024");
  EXPECT_EQ(t.days[2], Day("2024-03-01"));
}

TEST(DateTicksTest, AFewDaysGiveDays) {
  const DateTicks t = ComputeDateTicks(Day("2024-03-01"), Day("2024-03-07"), 10);
  ASSERT_EQ(t.labels.size(), 7u);
  EXPECT_EQ(t.labels[4], "2024-03-05");
}

TEST(DateTicksTest, TwoMonthsGiveMondays) {
  const DateTicks t = ComputeDateTicks(Day("2024-03-01"), Day("2024-04-30"), 10);
  ASSERT_GE(t.days.size(), 4u);
  ASSERT_LE(t.days.size(), 10u);
  for (double d : t.days) {
    EXPECT_EQ((static_cast<int64_t>(d) - 4) % 7, 0) << FormatDate(static_cast<int64_t>(d));
  }
  EXPECT_EQ(t.labels[0], "2024-03-04");
}

TEST(DateTicksTest, TwoYearsGiveQuarters) {
  const DateTicks t = ComputeDateTicks(Day("2023-01-01"), Day("2024-12-31"), 8);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"Jan 2023", "Apr 2023", "Jul 2023", "Oct 2023",
                                                "Jan 2024", "Apr 2024", "Jul 2024", "Oct 2024"}));
}

TEST(DateTicksTest, DecadesGiveYears) {
  const DateTicks t = ComputeDateTicks(Day("2000-06-01"), Day("2024-06-01"), 6);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"2005", "2010", "2015", "2020"}));
}

TEST(DateTicksTest, OddRangesStaySane) {
  EXPECT_TRUE(ComputeDateTicks(NAN, 3, 5).days.empty());
  EXPECT_TRUE(ComputeDateTicks(10, 3, 5).days.empty());
  const DateTicks one = ComputeDateTicks(Day("2024-02-29"), Day("2024-02-29"), 5);
  EXPECT_EQ(one.labels, std::vector<std::string>{"2024-02-29"});
  // No first of a month inside 2024-01-02..2024-01-20 at one tick: the start.
  EXPECT_EQ(ComputeDateTicks(Day("2024-01-02"), Day("2024-01-20"), 1).days.size(), 1u);
  EXPECT_LE(ComputeDateTicks(-1e9, 1e9, 10).days.size(), 10u);
}

// ---------------------------------------------------------------------------
// Tick label layout

// Whether two placed labels (rectangles turned about their top-left
// corners) overlap, by separating axes.
bool Overlap(const PlacedLabel& a, const PlacedLabel& b) {
  auto corners = [](const PlacedLabel& l) {
    const double c = std::cos(l.angle), s = std::sin(l.angle);
    std::vector<std::pair<double, double>> out;
    for (auto [u, v] :
         {std::pair{0.0, 0.0}, {l.width, 0.0}, {l.width, l.height}, {0.0, l.height}}) {
      out.push_back({l.x + u * c - v * s, l.y + u * s + v * c});
    }
    return out;
  };
  const auto ca = corners(a), cb = corners(b);
  for (const PlacedLabel* l : {&a, &b}) {
    for (double angle : {l->angle, l->angle + M_PI / 2}) {
      const double ax = std::cos(angle), ay = std::sin(angle);
      auto project = [&](const std::vector<std::pair<double, double>>& cs) {
        double lo = INFINITY, hi = -INFINITY;
        for (auto [x, y] : cs) {
          lo = std::min(lo, x * ax + y * ay);
          hi = std::max(hi, x * ax + y * ay);
        }
        return std::pair{lo, hi};
      };
      const auto [a0, a1] = project(ca);
      const auto [b0, b1] = project(cb);
      if (a1 <= b0 + 1e-6 || b1 <= a0 + 1e-6) return false;
    }
  }
  return true;
}

struct LabelCase {
  size_t count;
  double plot_width;
  double label_width;  // every label
  bool allow_rotation;
};

class TickLabelsTest : public testing::TestWithParam<LabelCase> {};

TEST_P(TickLabelsTest, PlacedLabelsNeverOverlapAndStayInside) {
  const LabelCase c = GetParam();
  const double height = 10, band = c.plot_width / static_cast<double>(c.count);
  std::vector<double> positions;
  for (size_t i = 0; i < c.count; ++i) positions.push_back(50 + band * (i + 0.5));
  const TickLabelLayout layout =
      LayoutTickLabels(c.count, band, c.label_width, height, 100, c.allow_rotation);
  EXPECT_LE(layout.band_height, 100 + 1e-6);
  if (!c.allow_rotation) {
    EXPECT_FALSE(layout.rotated);
  }
  const std::vector<PlacedLabel> labels = PlaceTickLabels(
      layout, positions, [&](size_t) { return c.label_width; }, height, 200, 0,
      50 + c.plot_width + 20);
  ASSERT_FALSE(labels.empty());
  for (size_t i = 1; i < labels.size(); ++i) {
    EXPECT_FALSE(Overlap(labels[i - 1], labels[i])) << "labels " << i - 1 << " and " << i;
  }
  for (const PlacedLabel& l : labels) {
    EXPECT_GE(l.x, -1e-6);
    if (l.angle == 0) {
      EXPECT_LE(l.x + l.width, 50 + c.plot_width + 20 + 1e-6);
    }
  }
  for (const PlacedLabel& l : labels) EXPECT_GT(l.width, 0);
}

INSTANTIATE_TEST_SUITE_P(Layouts, TickLabelsTest,
                         testing::Values(LabelCase{5, 400, 30, true},      // all fit straight
                                         LabelCase{40, 400, 30, true},     // thinned or turned
                                         LabelCase{12, 400, 200, true},    // long: turned, cut
                                         LabelCase{10000, 400, 40, true},  // very many
                                         LabelCase{40, 400, 30, false},    // numbers: thinned
                                         LabelCase{1, 400, 900, true}));   // one, cut to fit

TEST(TickLabelLayoutTest, ManyWideLabelsTurnRatherThanVanish) {
  const TickLabelLayout turned = LayoutTickLabels(20, 20, 80, 10, 100, true);
  EXPECT_TRUE(turned.rotated);
  EXPECT_LT(turned.every, 4u);
  const TickLabelLayout straight = LayoutTickLabels(20, 20, 80, 10, 100, false);
  EXPECT_FALSE(straight.rotated);
  EXPECT_GE(straight.every, 3u);
  // Turned labels are cut so that the band stays within its cap.
  const TickLabelLayout capped = LayoutTickLabels(20, 20, 500, 10, 60, true);
  EXPECT_LE(capped.band_height, 60 + 1e-6);
  EXPECT_LT(capped.max_width, 500);
}

// ---------------------------------------------------------------------------
// Axis frame

TEST(AxisFrameTest, DateAxisHasMonthLabels) {
  Recording rec;
  ChartSpec spec = Spec(ChartType::kLine, {"v"});
  const AxisFrame frame(spec, ChartTheme(), {0, 0, kWidth, kHeight},
                        AxisDomain::Dates(Day("2024-01-01"), Day("2024-12-31")),
                        AxisDomain::Numbers(0, 10), nullptr, true);
  const std::vector<std::string>& labels = frame.bottom().labels;
  ASSERT_GE(labels.size(), 3u);
  EXPECT_NE(std::find(labels.begin(), labels.end(), "Jan 2024"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "Jul 2024"), labels.end());
  EXPECT_DOUBLE_EQ(frame.X(Day("2024-01-01")), frame.plot().x);
}

TEST(AxisFrameTest, TenThousandCategoriesAreThinned) {
  Recording rec;
  std::vector<std::string> names;
  for (int i = 0; i < 10000; ++i) names.push_back("Category " + std::to_string(i));
  ChartSpec spec = Spec(ChartType::kBar, {"v"});
  const AxisFrame frame(spec, ChartTheme(), {0, 0, kWidth, kHeight}, AxisDomain::Categories(names),
                        AxisDomain::Numbers(0, 1), nullptr, true);
  EXPECT_GT(frame.bottom_labels().every, 50u);
  EXPECT_GT(frame.plot().height, kHeight / 3);
}

TEST(AxisFrameTest, LongCategoryLabelsKeepThePlotUsable) {
  Recording rec;
  std::vector<std::string> names(6, std::string(200, 'x'));
  ChartSpec spec = Spec(ChartType::kBar, {"v"});
  const AxisFrame frame(spec, ChartTheme(), {0, 0, kWidth, kHeight}, AxisDomain::Categories(names),
                        AxisDomain::Numbers(0, 1), nullptr, true);
  EXPECT_GT(frame.plot().height, kHeight / 2);
  // Horizontal: the same names down the left are cut too.
  const AxisFrame side(spec, ChartTheme(), {0, 0, kWidth, kHeight}, AxisDomain::Numbers(0, 1),
                       AxisDomain::Categories(names), nullptr, true);
  EXPECT_GT(side.plot().width, kWidth / 2);
}

// ---------------------------------------------------------------------------
// Bar

const Table& Regions() {
  static const Table t =
      TableOf("x:text,a:float,b:float,c:float", "North,30,70,-20;South,50,20,-40;East,10,40,15");
  return t;
}

TEST(BarChartTest, GroupedBarsInTheSeriesColours) {
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, Spec(ChartType::kBar, {"a", "b"}), Regions()).ok());
  EXPECT_GT(image.Count(kRed), 300);
  EXPECT_GT(image.Count(kBlue), 300);
  // Red (a) is left of blue (b) within a group: the first red column comes
  // before the first blue one.
  EXPECT_LT(image.Columns(kRed).first, image.Columns(kBlue).first);
}

TEST(BarChartTest, StackedBarsReachTheSum) {
  const Table stacked = TableOf("x:text,a:int,b:int", "Only,30,70");
  const Table single = TableOf("x:text,a:int", "Only,100");
  ChartSpec spec = Spec(ChartType::kBar, {"a", "b"});
  spec.stacked = true;
  Image image(480, 300), reference(480, 300);
  ASSERT_TRUE(DrawInto(image, spec, stacked).ok());
  ASSERT_TRUE(DrawInto(reference, Spec(ChartType::kBar, {"a"}), single).ok());
  const auto [left, right] = image.Columns(kRed);
  ASSERT_GE(left, 0);
  const int mid = (left + right) / 2;
  const auto [red_top, red_bottom] = image.RowSpan(mid, kRed);
  const auto [blue_top, blue_bottom] = image.RowSpan(mid, kBlue);
  ASSERT_GE(blue_top, 0) << "blue stacks over red in the same column";
  EXPECT_NEAR(blue_bottom + 1, red_top, 1);  // blue sits on red
  const auto [ref_top, ref_bottom] = reference.RowSpan(mid, kRed);
  EXPECT_NEAR(blue_top, ref_top, 1);  // the stack is as tall as one bar of 100
  EXPECT_NEAR(red_bottom, ref_bottom, 1);
  const double red = red_bottom - red_top + 1, blue = blue_bottom - blue_top + 1;
  EXPECT_NEAR(blue / red, 70.0 / 30.0, 0.15);
}

TEST(BarChartTest, StackedNegativesGoDownFromZero) {
  const Table t = TableOf("x:text,a:int,b:int", "Only,50,-50");
  ChartSpec spec = Spec(ChartType::kBar, {"a", "b"});
  spec.stacked = true;
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, spec, t).ok());
  const auto [left, right] = image.Columns(kRed);
  const int mid = (left + right) / 2;
  const auto [red_top, red_bottom] = image.RowSpan(mid, kRed);
  const auto [blue_top, blue_bottom] = image.RowSpan(mid, kBlue);
  ASSERT_GE(blue_top, 0);
  EXPECT_LT(red_bottom, blue_top);  // positive above zero, negative below
  EXPECT_NEAR(red_bottom - red_top, blue_bottom - blue_top, 2);
}

TEST(BarChartTest, HorizontalBarsGrowLeftToRightFirstCategoryOnTop) {
  const Table t = TableOf("x:text,a:int", "Small,10;Medium,50;Large,100");
  ChartSpec spec = Spec(ChartType::kBar, {"a"});
  spec.horizontal = true;
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, spec, t).ok());
  // Bars are the runs of rows holding red; their lengths go 10 : 50 : 100.
  std::vector<std::pair<int, int>> bars;  // first row, length
  int prev = -2;
  for (int y = 0; y < image.height(); ++y) {
    const auto [a, b] = image.ColumnSpan(y, kRed);
    if (a < 0) continue;
    if (y != prev + 1) bars.push_back({y, 0});
    bars.back().second = std::max(bars.back().second, b - a + 1);
    prev = y;
  }
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_LT(bars[0].second, bars[1].second);
  EXPECT_LT(bars[1].second, bars[2].second);
  EXPECT_NEAR(static_cast<double>(bars[1].second) / bars[2].second, 0.5, 0.03);
  // All start at the same x (zero, on the left).
  const int zero = image.ColumnSpan(bars[0].first + 2, kRed).first;
  EXPECT_NEAR(image.ColumnSpan(bars[2].first + 2, kRed).first, zero, 1);
}

TEST(BarChartTest, NegativeValuesHangBelowZero) {
  const Table t = TableOf("x:text,a:int", "Up,40;Down,-40");
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, Spec(ChartType::kBar, {"a"}), t).ok());
  const auto [left, right] = image.Columns(kRed);
  const auto up = image.RowSpan(left + 2, kRed), down = image.RowSpan(right - 2, kRed);
  EXPECT_LE(up.second + 1, down.first + 2);  // the up bar ends where the down bar starts
  EXPECT_NEAR(up.second - up.first, down.second - down.first, 2);
}

// ---------------------------------------------------------------------------
// Line and area

TEST(LineChartTest, LinesInTheSeriesColoursBreakAtNull) {
  const Table full = TableOf("x:text,a:int", "A,10;B,20;C,30");
  const Table gap = TableOf("x:text,a:int", "A,10;B,;C,30");
  ChartSpec spec = Spec(ChartType::kLine, {"a"});
  spec.markers = false;
  Image with(480, 300), without(480, 300);
  ASSERT_TRUE(DrawInto(with, spec, full).ok());
  ASSERT_TRUE(DrawInto(without, spec, gap).ok());
  const auto [left, right] = with.Columns(kRed);
  ASSERT_GT(right - left, 100);
  const int quarter = left + (right - left) / 4;
  EXPECT_GE(with.RowSpan(quarter, kRed).first, 0);
  EXPECT_LT(without.RowSpan(quarter, kRed).first, 0) << "no line across the null";
  EXPECT_GT(without.Count(kRed), 0) << "the points either side still show";
}

TEST(LineChartTest, MarkersUnsetShowOnShortSeries) {
  const Table one = TableOf("x:int,a:int", "1,5");
  ChartSpec spec = Spec(ChartType::kLine, {"a"});
  Image auto_markers(200, 150), no_markers(200, 150);
  ASSERT_TRUE(DrawInto(auto_markers, spec, one).ok());
  spec.markers = false;
  ASSERT_TRUE(DrawInto(no_markers, spec, one).ok());
  EXPECT_GT(auto_markers.Count(kRed), no_markers.Count(kRed));
  EXPECT_GT(no_markers.Count(kRed), 0) << "a lone point still shows as a dot";
}

TEST(LineChartTest, NumericXIsSortedAndScaled) {
  const Table t = TableOf("x:float,a:int,b:int", "10,1,5;0,0,4;5,3,;2.5,2,2");
  ChartSpec spec = Spec(ChartType::kLine, {"a", "b"});
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, spec, t).ok());
  EXPECT_GT(image.Count(kRed), 100);
  EXPECT_GT(image.Count(kBlue), 50);
}

TEST(LineChartTest, DateXDrawsATimeSeries) {
  std::string rows;
  for (int i = 0; i < 365; i += 7) {
    rows += FormatDate(*ParseDate("2024-01-01") + i) + "," + std::to_string(i % 50) + ";";
  }
  const Table t = TableOf("x:date,a:int", rows);
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, Spec(ChartType::kLine, {"a"}), t).ok());
  const auto [left, right] = image.Columns(kRed);
  EXPECT_GT(right - left, 300);  // spans the plot
}

TEST(AreaChartTest, FillsDownToZero) {
  const Table t = TableOf("x:text,a:int", "A,10;B,20;C,30;D,20");
  Image line(480, 300), area(480, 300);
  ASSERT_TRUE(DrawInto(line, Spec(ChartType::kLine, {"a"}), t).ok());
  ASSERT_TRUE(DrawInto(area, Spec(ChartType::kArea, {"a"}), t).ok());
  // The fill is red at 30% over white.
  const uint32_t tint = 0xFFB3B3;
  EXPECT_GT(area.Count(tint), 20 * line.Count(tint) + 5000);
}

TEST(AreaChartTest, StackedAreasPileUp) {
  const Table t = TableOf("x:text,a:int,b:int", "A,50,50;B,50,50;C,50,50");
  ChartSpec spec = Spec(ChartType::kArea, {"a", "b"});
  spec.stacked = true;
  spec.markers = false;
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, spec, t).ok());
  // In the middle column: b's band (bluish) above a's band (reddish), equal.
  const int mid = image.width() / 2;
  int blue_rows = 0, red_rows = 0, last_blue = -1, first_red = 1 << 30;
  for (int y = 0; y < image.height(); ++y) {
    const uint32_t c = image.Rgb(mid, y);
    const int r = (c >> 16) & 0xFF, b = c & 0xFF, g = (c >> 8) & 0xFF;
    if (b > 150 && r < 140 && g < 140) {
      ++blue_rows;
      last_blue = y;
    } else if (r > 150 && b < 140 && g < 140) {
      ++red_rows;
      first_red = std::min(first_red, y);
    }
  }
  ASSERT_GT(blue_rows, 30);
  EXPECT_NEAR(blue_rows, red_rows, 6);
  EXPECT_LT(last_blue, first_red);
}

// ---------------------------------------------------------------------------
// Scatter

Table Points(int n) {
  Table t;
  Column* x = t.AddColumn("x", ColumnType::kFloat);
  Column* a = t.AddColumn("a", ColumnType::kFloat);
  Column* b = t.AddColumn("b", ColumnType::kFloat);
  for (int i = 0; i < n; ++i) {
    x->AppendFloat(std::sin(i * 0.37) * 100);
    a->AppendFloat(std::cos(i * 0.11) * 50 + i * 0.01);
    if (i % 10 == 0) {
      b->AppendNull();
    } else {
      b->AppendFloat(-std::sin(i * 0.05) * 30);
    }
  }
  return t;
}

TEST(ScatterChartTest, MarkersForEverySeries) {
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, Spec(ChartType::kScatter, {"a", "b"}), Points(200)).ok());
  // Markers are 80% opaque over white.
  EXPECT_GT(image.Count(0xFF3333), 200);
  EXPECT_GT(image.Count(0x3333FF), 200);
}

// Markers on an image surface are stamped into a mask over the markers
// only: they look as discs filled by cairo do, are cut at the clip, and
// no markers at all (every point missing) paint nothing.
TEST(MarkersTest, StampedMarkersMatchFilledDiscsAndTheClip) {
  // (100, 40) sits on the clip's right edge, (60, 62) on its bottom edge,
  // (137, 90) outside it.
  const std::vector<double> xs = {20, 60, 100, 60, 137, NAN, 190};
  const std::vector<double> ys = {30, 50, 40, 62, 90, 50, NAN};
  const double r = 5;
  Image stamped(200, 120), filled(200, 120);
  for (Image* image : {&stamped, &filled}) {
    cairo_t* cr = cairo_create(image->surface());
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, 1.5, 1.5);           // as a PNG at 108 dpi
    cairo_rectangle(cr, 0, 0, 100, 60);  // 150 x 90 px
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0, 0, 1);
    if (image == &stamped) {
      CairoCanvas canvas(cr);
      FillMarkers(canvas, xs, ys, r);
    } else {
      for (size_t i = 0; i < xs.size(); ++i) {
        if (std::isnan(xs[i]) || std::isnan(ys[i])) continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, xs[i], ys[i], r, 0, 2 * M_PI);
      }
      cairo_fill(cr);
    }
    cairo_destroy(cr);
  }
  const int want = filled.Count(0x0000FF, 128);
  EXPECT_GT(want, 2 * 150);  // two whole discs of ~175 px and two cut ones
  int differ = 0;            // pixels blue in one image and not in the other
  for (int y = 0; y < 120; ++y) {
    for (int x = 0; x < 200; ++x) {
      differ += stamped.Is(x, y, 0x0000FF, 128) != filled.Is(x, y, 0x0000FF, 128);
    }
  }
  EXPECT_LT(differ, want / 10);
  for (int y = 0; y < 120; ++y) {
    for (int x = 152; x < 200; ++x) ASSERT_FALSE(stamped.Is(x, y, 0x0000FF, 128)) << x << "," << y;
  }
  for (int y = 91; y < 120; ++y) {
    for (int x = 0; x < 200; ++x) ASSERT_FALSE(stamped.Is(x, y, 0x0000FF, 128)) << x << "," << y;
  }
  EXPECT_TRUE(stamped.Is(90, 89, 0x0000FF, 128));  // the top of the disc cut at the bottom

  Image none(50, 50);
  cairo_t* cr = cairo_create(none.surface());
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 1);
  CairoCanvas canvas(cr);
  FillMarkers(canvas, {NAN, 10}, {5, NAN}, r);
  EXPECT_EQ(cairo_status(cr), CAIRO_STATUS_SUCCESS);
  cairo_destroy(cr);
  EXPECT_EQ(none.Count(0xFFFFFF, 0), 50 * 50);
}

// ---------------------------------------------------------------------------
// Histogram

TEST(HistogramChartTest, BarsWithoutGapsOverTheBins) {
  std::string rows;
  for (int i = 0; i < 100; ++i) rows += std::to_string(i % 10 + i / 10) + ";";
  const Table t = TableOf("x:int", rows);
  ChartSpec spec = Spec(ChartType::kHistogram, {});
  spec.bins = 6;
  Image image(480, 300);
  ASSERT_TRUE(DrawInto(image, spec, t).ok());
  const auto [left, right] = image.Columns(kRed);
  ASSERT_GT(right - left, 300);
  // Just above the base every bin has a bar: red or a blend with the thin
  // separators, never the white background.
  const int base = image.RowSpan(left + 3, kRed).second;
  for (int x = left; x <= right; ++x) {
    EXPECT_FALSE(image.Is(x, base - 2, 0xFFFFFF, 40)) << "gap at x = " << x;
  }
}

TEST(HistogramChartTest, TextColumnIsAnError) {
  const Table t = TableOf("x:text", "a;b");
  Image image(100, 100);
  EXPECT_EQ(DrawInto(image, Spec(ChartType::kHistogram, {}), t).code(),
            StatusCode::kInvalidArgument);
}

TEST(HistogramChartTest, TicksAtBinEdges) {
  Recording rec;
  ChartSpec spec = Spec(ChartType::kHistogram, {});
  std::vector<double> edges;
  for (int i = 0; i <= 200; ++i) edges.push_back(i * 0.25);
  const AxisFrame frame(spec, ChartTheme(), {0, 0, kWidth, kHeight}, AxisDomain::BinEdges(edges),
                        AxisDomain::Numbers(0, 9), nullptr, true);
  EXPECT_EQ(frame.bottom().ticks, edges);
  EXPECT_EQ(frame.bottom().labels[2], "0.5");
  EXPECT_GT(frame.bottom_labels().every, 1u);
  EXPECT_FALSE(frame.bottom_labels().rotated);
}

// ---------------------------------------------------------------------------
// Every type: edge cases, recording surfaces and files.

const ChartType kAxisTypes[] = {ChartType::kBar, ChartType::kLine, ChartType::kArea,
                                ChartType::kScatter, ChartType::kHistogram};

struct EdgeCase {
  std::string name;
  Table data;
};

std::vector<EdgeCase> EdgeCases() {
  std::vector<EdgeCase> cases;
  cases.push_back({"empty", TableOf("x:float,a:float,b:float", "")});
  cases.push_back({"one_point", TableOf("x:float,a:float,b:float", "3,4,5")});
  cases.push_back({"all_equal", TableOf("x:float,a:float,b:float", "1,7,7;1,7,7;1,7,7")});
  cases.push_back({"negative", TableOf("x:float,a:float,b:float", "-3,-4,-5;-1,-2,-9;-2,-8,-1")});
  cases.push_back({"nulls", TableOf("x:float,a:float,b:float", ",1,;2,,;3,4,5;,,")});
  cases.push_back({"all_null", TableOf("x:float,a:float,b:float", ",,;,,")});
  Table nan = TableOf("x:float,a:float,b:float", "");
  for (int i = 0; i < 5; ++i) {
    nan.column(0).AppendFloat(i == 2 ? NAN : i);
    nan.column(1).AppendFloat(i % 2 ? NAN : i);
    nan.column(2).AppendFloat(i == 4 ? INFINITY : -i);
  }
  cases.push_back({"nan", std::move(nan)});
  Table huge = TableOf("x:float,a:float,b:float", "");
  for (int i = 0; i < 10000; ++i) {
    huge.column(0).AppendFloat(i);
    huge.column(1).AppendFloat(i % 97);
    huge.column(2).AppendFloat(-(i % 13));
  }
  cases.push_back({"ten_thousand", std::move(huge)});
  cases.push_back(
      {"extreme", TableOf("x:float,a:float,b:float", "1e300,1e-300,-1e300;-1e300,1,2")});
  return cases;
}

TEST(AllChartsTest, EdgeCasesDrawWithoutError) {
  for (ChartType type : kAxisTypes) {
    for (const EdgeCase& c : EdgeCases()) {
      for (bool stacked : {false, true}) {
        ChartSpec spec =
            Spec(type, type == ChartType::kHistogram ? std::vector<std::string>{}
                                                     : std::vector<std::string>{"a", "b"});
        spec.stacked = stacked;
        spec.show_legend = true;
        spec.x_axis_title = "X title";
        spec.y_axis_title = "Y title";
        Image image(320, 200);
        const Status s = DrawInto(image, spec, c.data);
        EXPECT_TRUE(s.ok()) << ChartTypeName(type) << " " << c.name << ": " << s.ToString();
        Status recorded;
        EXPECT_GT(RecordedInk(spec, c.data, &recorded), 0) << ChartTypeName(type) << " " << c.name;
        EXPECT_TRUE(recorded.ok());
      }
    }
  }
}

TEST(AllChartsTest, CategoryEdgeCasesDrawWithoutError) {
  std::string many;
  for (int i = 0; i < 10000; ++i)
    many += "Category number " + std::to_string(i) + "," + std::to_string(i % 31 - 10) + ";";
  const std::string long_name(500, 'L');
  const std::vector<std::pair<std::string, Table>> tables = {
      {"ten_thousand", TableOf("x:text,a:int", many)},
      {"long_labels", TableOf("x:text,a:int", long_name + ",1;" + long_name + " two,2;short,3")},
      {"empty_text", TableOf("x:text,a:int", ",1;,;x,")},
  };
  for (ChartType type :
       {ChartType::kBar, ChartType::kLine, ChartType::kArea, ChartType::kScatter}) {
    for (const auto& [name, table] : tables) {
      for (bool horizontal : {false, true}) {
        ChartSpec spec = Spec(type, {"a"});
        spec.horizontal = horizontal;
        spec.show_legend = true;
        spec.legend = LegendPosition::kRight;
        Image image(480, 300);
        const Status s = DrawInto(image, spec, table);
        EXPECT_TRUE(s.ok()) << ChartTypeName(type) << " " << name << ": " << s.ToString();
        EXPECT_GT(image.Count(kRed), 0) << ChartTypeName(type) << " " << name;
      }
    }
  }
}

TEST(AllChartsTest, MissingColumnsAreInvalidArgument) {
  const Table t = TableOf("x:text,a:int,t:text", "A,1,z");
  for (ChartType type : kAxisTypes) {
    Image image(100, 100);
    ChartSpec spec = Spec(type, {"a"}, "nope");
    EXPECT_EQ(DrawInto(image, spec, t).code(), StatusCode::kInvalidArgument);
    if (type == ChartType::kHistogram) continue;
    spec = Spec(type, {"t"});
    EXPECT_EQ(DrawInto(image, spec, t).code(), StatusCode::kInvalidArgument);
  }
}

TEST(AllChartsTest, LegendPositionsAllDraw) {
  for (ChartType type : kAxisTypes) {
    for (LegendPosition p :
         {LegendPosition::kBottom, LegendPosition::kTop, LegendPosition::kRight}) {
      ChartSpec spec = Spec(type, {"a", "b"});
      spec.show_legend = true;
      spec.legend = p;
      Image image(480, 300);
      ASSERT_TRUE(DrawInto(image, spec, Points(50)).ok());
      EXPECT_GT(image.Count(kRed) + image.Count(0xFF3333), 0);
    }
  }
}

TEST(AllChartsTest, RenderToSvgAndPng) {
  const test::TempDir dir;
  for (ChartType type : kAxisTypes) {
    ChartSpec spec = Spec(type, type == ChartType::kHistogram ? std::vector<std::string>{}
                                                              : std::vector<std::string>{"a", "b"});
    spec.show_legend = true;
    for (const char* format : {"svg", "png"}) {
      const std::string path = dir.File(std::string(ChartTypeName(type)) + "." + format);
      const Status s = RenderChartToFile(spec, Points(300), format, path, 400, 250);
      ASSERT_TRUE(s.ok()) << path << ": " << s.ToString();
      EXPECT_GT(std::filesystem::file_size(path), 1000u) << path;
    }
    cairo_surface_t* png = cairo_image_surface_create_from_png(
        dir.File(std::string(ChartTypeName(type)) + ".png").c_str());
    EXPECT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
    EXPECT_EQ(cairo_image_surface_get_width(png), 800);  // 400 pt at 144 dpi
    cairo_surface_destroy(png);
  }
}

TEST(AllChartsTest, EveryTypeIsSupported) {
  for (const std::string& name : ChartTypeNames()) {
    EXPECT_TRUE(IsChartTypeSupported(*ChartTypeFromName(name))) << name;
  }
}

}  // namespace
}  // namespace quire
