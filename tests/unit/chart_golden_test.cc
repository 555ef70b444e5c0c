// Golden-image tests of the charts: fixed charts over inline data (or data
// generated deterministically, without <random>), rendered to PNG at a
// fixed size and resolution and compared with the references in
// tests/golden/<name>.png. A pixel matches when each channel is within
// kChannelTolerance; a chart matches when at most kMaxDifferingShare of its
// pixels do not (antialiasing may differ by a little).
//
// Adding a chart: one {name, spec, data} entry in GoldenCases(), then
// regenerate.
// Regenerating the references (after an intended change to the drawing),
// from the build directory:
//   QUIRE_UPDATE_GOLDEN=1 tests/quire_unit_tests --gtest_filter='Charts/ChartGoldenTest.*'
// writes tests/golden/*.png in the source tree; look at them before
// committing.
//
// On a mismatch the actual image and a diff image (differing pixels red,
// the rest a faded copy of the reference) are written to
// chart_golden_failures/ in the working directory (under ctest: the build's
// tests/ directory) and their paths printed.
//
// The references depend on the installed fonts (fonts-dejavu-core,
// fonts-wqy-microhei) and on the cairo, pango and freetype versions. Text is
// set with fixed font options (greyscale antialiasing, no hinting) so that
// the fontconfig rendering preferences of a machine or user do not change
// it; a machine with other fonts needs regenerated references.
#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "common/table/table.h"
#include "common/template/template.h"
#include "report/charts/chart.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

namespace fs = std::filesystem;
using test::TableOf;

constexpr double kWidthPt = 400, kHeightPt = 300, kDpi = 96;
constexpr int kChannelTolerance = 8;          // of 255, per channel
constexpr double kMaxDifferingShare = 0.005;  // of all pixels

struct GoldenCase {
  std::string name;  // the reference is tests/golden/<name>.png
  ChartSpec spec;
  Table data;
};

// Names the case in gtest's messages.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

// A chart of `type` over columns `x` and `y`; `more` sets anything else.
ChartSpec Spec(ChartType type, std::string x, std::vector<std::string> y, std::string title,
               const std::function<void(ChartSpec*)>& more = nullptr) {
  ChartSpec spec = test::ChartOf(type, std::move(x), std::move(y));
  spec.title = std::move(title);
  if (more) more(&spec);
  return spec;
}

// Pseudo-random numbers in [0, 1) from a 32-bit LCG: the same sequence on
// every machine (unlike <random>'s distributions).
class Lcg {
 public:
  double Next() {
    state_ = state_ * 1664525u + 1013904223u;
    return state_ / 4294967296.0;
  }

 private:
  uint32_t state_ = 20240601;
};

// `v` with one decimal, as a TableOf cell.
std::string Cell(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// 60 weekly rows from 2023-01-02: a date and two smooth series.
Table WeeklySessions() {
  std::string rows;
  for (int i = 0; i < 60; ++i) {
    rows += FormatDate(*ParseDate("2023-01-02") + 7 * i) + "," +
            Cell(120 + 1.5 * i + 25 * std::sin(i / 5.0)) + "," +
            Cell(60 + 2.2 * i + 12 * std::cos(i / 7.0)) + ";";
  }
  return TableOf("week:date,web:float,mobile:float", rows);
}

// 300 rows of two clouds of points, each row in one series (the other
// null): 150 points a series.
Table Deals() {
  Lcg rng;
  std::string rows;
  for (int i = 0; i < 300; ++i) {
    const double size = 5 + 95 * rng.Next();
    const double noise = 12 * (rng.Next() - 0.5);
    const std::string direct = i % 2 == 0 ? Cell(5 + 0.2 * size + noise) : "";
    const std::string partners = i % 2 == 1 ? Cell(35 - 0.25 * size + noise) : "";
    rows += Cell(size) + "," + direct + "," + partners + ";";
  }
  return TableOf("size:float,direct:float,partners:float", rows);
}

// 400 values, each the sum of three uniform ones: a bell over 0..300.
Table OrderValues() {
  Lcg rng;
  std::string rows;
  for (int i = 0; i < 400; ++i) {
    double sum = 0;
    for (int k = 0; k < 3; ++k) sum += rng.Next();
    rows += Cell(100 * sum) + ";";
  }
  return TableOf("value:float", rows);
}

// The charts, one a case: {name, spec, data}.
std::vector<GoldenCase> GoldenCases() {
  const Table regions = TableOf("region:text,sales:float,costs:float,margin:float",
                                "North,120,80,40;South,95,70,25;East,60,52,8;West,150,90,60;"
                                "Central,40,45,-5");
  const Table shares = TableOf("browser:text,users:int",
                               "Chrome,640;Safari,190;Edge,52;Firefox,31;Opera,9;Other engines,4;"
                               "Samsung Internet with a very long name,3;Null,;Negative,-7");
  return {
      {"pie",
       Spec(ChartType::kPie, "region", {"sales"}, "Sales by region",
            [](ChartSpec* s) { s->legend = LegendPosition::kRight; }),
       regions},
      {"donut",
       Spec(ChartType::kPie, "browser", {"users"}, "Browser share",
            [](ChartSpec* s) { s->donut = 0.55; }),
       shares},
      {"bar_grouped",
       Spec(ChartType::kBar, "region", {"sales", "costs", "margin"}, "Sales, costs and margin",
            [](ChartSpec* s) {
              s->x_axis_title = "Region";
              s->y_axis_title = "kEUR";
            }),
       regions},
      {"line_dates",
       Spec(ChartType::kLine, "week", {"web", "mobile"}, "Weekly sessions",
            [](ChartSpec* s) { s->y_axis_title = "Sessions (k)"; }),
       WeeklySessions()},
      {"area_stacked",
       Spec(ChartType::kArea, "quarter", {"hardware", "software", "services"},
            "Revenue mix by quarter", [](ChartSpec* s) { s->stacked = true; }),
       TableOf("quarter:text,hardware:float,software:float,services:float",
               "Q1 2023,42,30,12;Q2 2023,45,33,15;Q3 2023,40,38,17;Q4 2023,52,41,20;"
               "Q1 2024,48,45,24;Q2 2024,50,52,26;Q3 2024,46,58,31;Q4 2024,55,63,35")},
      {"bar_horizontal_stacked",
       Spec(ChartType::kBar, "team", {"won", "renewed", "lost"}, "Net accounts by team",
            [](ChartSpec* s) {
              s->horizontal = true;
              s->stacked = true;
              s->x_axis_title = "Team";
              s->y_axis_title = "Accounts";
            }),
       TableOf("team:text,won:int,renewed:int,lost:int",
               "Alpha,12,30,4;Bravo,8,22,6;Charlie,15,18,-9;Delta,5,26,2;Echo,10,12,7")},
      {"scatter",
       Spec(ChartType::kScatter, "size", {"direct", "partners"}, "Discount against deal size",
            [](ChartSpec* s) {
              s->x_axis_title = "Deal size (k)";
              s->y_axis_title = "Discount (%)";
            }),
       Deals()},
      {"histogram",
       Spec(ChartType::kHistogram, "value", {}, "Order values",
            [](ChartSpec* s) {
              s->bins = 8;
              s->x_axis_title = "EUR";
            }),
       OrderValues()},
      {"bar_long_labels",
       Spec(ChartType::kBar, "segment", {"2023", "2024"}, "Revenue by market segment",
            [](ChartSpec* s) { s->legend = LegendPosition::kRight; }),
       TableOf("segment:text,2023:float,2024:float",
               "Industrial automation components,120,135;Consumer electronics accessories,80,72;"
               "Medical and laboratory equipment,64,90;Renewable energy installations,40,77;"
               "Commercial kitchen appliances,55,51;Agricultural machinery and parts,38,45;"
               "Office furniture and workplace fit-out,70,66;Logistics and warehousing services,"
               "92,104;Telecommunications infrastructure,58,61;Automotive aftermarket parts,47,"
               "53;Building materials and insulation,83,88;Sports and outdoor equipment,29,36")},
  };
}

// An image surface read from a PNG, or the error of reading it.
struct Image {
  cairo_surface_t* surface = nullptr;
  ~Image() {
    if (surface != nullptr) cairo_surface_destroy(surface);
  }
  int width() const { return cairo_image_surface_get_width(surface); }
  int height() const { return cairo_image_surface_get_height(surface); }
  uint32_t* Row(int y) const {
    return reinterpret_cast<uint32_t*>(cairo_image_surface_get_data(surface) +
                                       y * cairo_image_surface_get_stride(surface));
  }
};

// Draws the case at kDpi with fixed font options, white where it draws
// nothing, into a new ARGB32 image.
cairo_surface_t* Render(const GoldenCase& c) {
  const double scale = kDpi / 72;
  cairo_surface_t* s =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(std::ceil(kWidthPt * scale)),
                                 static_cast<int>(std::ceil(kHeightPt * scale)));
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, fo);
  cairo_font_options_destroy(fo);
  cairo_scale(cr, scale, scale);
  const Status status = DrawChart(cr, c.spec, c.data, {0, 0, kWidthPt, kHeightPt}, ChartTheme());
  EXPECT_TRUE(status.ok()) << c.name << ": " << status.ToString();
  cairo_destroy(cr);
  cairo_surface_flush(s);
  return s;
}

bool ChannelsClose(uint32_t a, uint32_t b) {
  for (int shift = 0; shift < 32; shift += 8) {
    const int d = static_cast<int>((a >> shift) & 0xFF) - static_cast<int>((b >> shift) & 0xFF);
    if (d > kChannelTolerance || d < -kChannelTolerance) return false;
  }
  return true;
}

// Counts the pixels of `actual` not close to `expected` (same size), and
// paints `diff` (same size): those red, the others a faded reference.
int CompareImages(const Image& actual, const Image& expected, const Image& diff) {
  int differing = 0;
  for (int y = 0; y < actual.height(); ++y) {
    const uint32_t* a = actual.Row(y);
    const uint32_t* e = expected.Row(y);
    uint32_t* d = diff.Row(y);
    for (int x = 0; x < actual.width(); ++x) {
      if (ChannelsClose(a[x], e[x])) {
        // A quarter of the reference over white, opaque.
        uint32_t faded = 0xFF000000;
        for (int shift = 0; shift < 24; shift += 8) {
          faded |= (0xBF + ((e[x] >> shift) & 0xFF) / 4) << shift;
        }
        d[x] = faded;
      } else {
        ++differing;
        d[x] = 0xFFFF0000;
      }
    }
  }
  cairo_surface_mark_dirty(diff.surface);
  return differing;
}

class ChartGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(ChartGoldenTest, MatchesReference) {
  const GoldenCase& c = GetParam();
  const std::string golden = test::SourcePath("tests/golden/" + c.name + ".png");
  Image actual{Render(c)};
  ASSERT_EQ(cairo_surface_status(actual.surface), CAIRO_STATUS_SUCCESS);

  const char* update = std::getenv("QUIRE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    fs::create_directories(fs::path(golden).parent_path());
    ASSERT_EQ(cairo_surface_write_to_png(actual.surface, golden.c_str()), CAIRO_STATUS_SUCCESS)
        << golden;
    std::cout << "wrote " << golden << "\n";
    return;
  }

  const fs::path out_dir = fs::current_path() / "chart_golden_failures";
  const std::string actual_path = (out_dir / (c.name + ".actual.png")).string();
  const std::string diff_path = (out_dir / (c.name + ".diff.png")).string();
  auto write_actual = [&] {
    fs::create_directories(out_dir);
    cairo_surface_write_to_png(actual.surface, actual_path.c_str());
    return "actual image: " + actual_path;
  };

  Image expected{cairo_image_surface_create_from_png(golden.c_str())};
  ASSERT_EQ(cairo_surface_status(expected.surface), CAIRO_STATUS_SUCCESS)
      << "cannot read " << golden << " (regenerate with QUIRE_UPDATE_GOLDEN=1); " << write_actual();
  ASSERT_TRUE(actual.width() == expected.width() && actual.height() == expected.height())
      << "size " << actual.width() << "x" << actual.height() << ", reference " << expected.width()
      << "x" << expected.height() << "; " << write_actual();
  // PNGs without alpha read back as RGB24, whose unused byte is undefined.
  if (cairo_image_surface_get_format(expected.surface) != CAIRO_FORMAT_ARGB32) {
    for (int y = 0; y < expected.height(); ++y) {
      for (int x = 0; x < expected.width(); ++x) expected.Row(y)[x] |= 0xFF000000;
    }
  }

  Image diff{cairo_image_surface_create(CAIRO_FORMAT_ARGB32, actual.width(), actual.height())};
  const int differing = CompareImages(actual, expected, diff);
  const double share = static_cast<double>(differing) / (actual.width() * actual.height());
  if (share > kMaxDifferingShare) {
    const std::string written = write_actual();
    cairo_surface_write_to_png(diff.surface, diff_path.c_str());
    ADD_FAILURE() << c.name << ": " << differing << " pixels (" << share * 100 << "%) differ from "
                  << golden << " by more than " << kChannelTolerance << "\n  " << written
                  << "\n  diff image: " << diff_path;
  }
}

INSTANTIATE_TEST_SUITE_P(Charts, ChartGoldenTest, ::testing::ValuesIn(GoldenCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace quire
