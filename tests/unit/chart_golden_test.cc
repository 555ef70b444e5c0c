// Golden-image tests of the charts: fixed charts over inline data, rendered
// to PNG at a fixed size and resolution and compared with the references in
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
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/table.h"
#include "common/template.h"
#include "workers/charts/chart.h"

namespace quire {
namespace {

namespace fs = std::filesystem;

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

// A table from "name:type,..." and rows of comma-separated cells split by
// ';' (an empty cell is null).
Table Data(const std::string& header, const std::string& rows) {
  Table t;
  std::istringstream columns(header);
  for (std::string col; std::getline(columns, col, ',');) {
    const size_t colon = col.find(':');
    t.AddColumn(col.substr(0, colon), *ColumnTypeFromName(col.substr(colon + 1)));
  }
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line, ';');) {
    std::vector<std::optional<std::string>> cells;
    for (size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
      comma = line.find(',', start);
      const std::string cell = line.substr(start, comma - start);
      cells.push_back(cell.empty() ? std::nullopt : std::optional(cell));
    }
    const Status s = t.AppendTextRow(cells);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return t;
}

// A chart of `type` over columns `x` and `y`; `more` sets anything else.
ChartSpec Spec(ChartType type, std::string x, std::vector<std::string> y, std::string title,
               const std::function<void(ChartSpec*)>& more = nullptr) {
  ChartSpec spec;
  spec.type = type;
  spec.x = std::move(x);
  spec.y = std::move(y);
  spec.title = std::move(title);
  if (more) more(&spec);
  return spec;
}

// The charts, one a case: {name, spec, data}.
std::vector<GoldenCase> GoldenCases() {
  const Table regions = Data("region:text,sales:float,costs:float,margin:float",
                             "North,120,80,40;South,95,70,25;East,60,52,8;West,150,90,60;"
                             "Central,40,45,-5");
  const Table shares = Data("browser:text,users:int",
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
  const std::string golden = std::string(QUIRE_SOURCE_DIR) + "/tests/golden/" + c.name + ".png";
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
