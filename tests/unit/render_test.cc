// Tests of charts and the PDF renderer. PDFs are checked from the outside
// with poppler-utils (pdftotext, pdfinfo, pdffonts); images by reading them
// back with cairo.
#include <cairo.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <regex>
#include <sstream>
#include <tuple>

#include "common/table/table.h"
#include "common/template/template.h"
#include "report/charts/chart.h"
#include "report/charts/nice_scale.h"
#include "report/data/transforms.h"
#include "report/pipeline/pipeline.h"
#include "report/render/chart_image.h"
#include "report/render/pdf_renderer.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

namespace fs = std::filesystem;

using test::Contains;
using test::ContainsAll;
using test::ContainsNone;
using test::PrepareReport;
using test::ReadFile;
using test::RunCommand;
using test::SourcePath;
using test::TempDir;

std::string PdfText(const std::string& pdf, int page = 0) {
  std::string range = page > 0 ? " -f " + std::to_string(page) + " -l " + std::to_string(page) : "";
  return RunCommand("pdftotext -enc UTF-8" + range + " '" + pdf + "' - 2>/dev/null").output;
}

int PdfPages(const std::string& pdf) {
  std::istringstream info(RunCommand("pdfinfo '" + pdf + "' 2>/dev/null").output);
  std::string line;
  while (std::getline(info, line)) {
    if (line.rfind("Pages:", 0) == 0) return std::stoi(line.substr(6));
  }
  return -1;
}

// A template with its defaults bound and its transforms computed (as the
// collect stage does); any finding, even a warning, fails.
test::PreparedReport Prepare(const std::string& yaml) {
  test::PreparedReport r = PrepareReport(yaml, {}, Severity::kInfo);
  const Status s = RunTransforms(r.tmpl, r.params, &r.data);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return r;
}

// The text of deploy/templates/<file>.
std::string ExampleTemplate(const std::string& file) {
  return ReadFile(SourcePath("deploy/templates/" + file));
}

// ---------------------------------------------------------------------------
// PDF

TEST(RenderPdfTest, DemoReportHasTitleChartAndTable) {
  test::PreparedReport r = Prepare(ExampleTemplate("demo.yaml"));
  TempDir dir;
  const std::string pdf = dir.File("demo.pdf");
  ASSERT_TRUE(RenderPdf(r.tmpl, r.params, r.data, pdf).ok());
  EXPECT_FALSE(test::PartialLeft(pdf));

  const std::string text = PdfText(pdf);
  EXPECT_TRUE(ContainsAll(text, {"Quarterly Sales Report — North",
                                 "Revenue by month, North",             // chart title
                                 "Revenue by month (k$)",               // table title
                                 "Month",                               // x axis title
                                 "Revenue (k$)",                        // y axis title
                                 "2022", "2023", "2024",                // legend
                                 "Jan", "Dec", "158.9", "189.6", "98",  // cells
                                 "Q4 2024"}));                          // placeholder expanded
  EXPECT_TRUE(ContainsNone(text, {"{{"}));

  const int pages = PdfPages(pdf);
  ASSERT_GE(pages, 1);
  EXPECT_TRUE(Contains(text, "Page 1 of " + std::to_string(pages))) << text;
  const std::string info = RunCommand("pdfinfo '" + pdf + "'").output;
  EXPECT_TRUE(ContainsAll(info, {"Quarterly Sales Report — North", "A4"}));  // metadata

  // Fonts embedded: every font line of pdffonts says "yes" in the emb column.
  const std::string fonts = RunCommand("pdffonts '" + pdf + "'").output;
  EXPECT_TRUE(ContainsAll(fonts, {"DejaVuSans", "DejaVuSans-Bold"}));
  std::istringstream lines(fonts);
  std::string line;
  int font_lines = 0;
  while (std::getline(lines, line)) {
    if (!Contains(line, "DejaVu")) continue;
    ++font_lines;
    std::istringstream cols(line);
    std::string name, type1, type2, encoding, emb;
    cols >> name >> type1 >> type2 >> encoding >> emb;
    EXPECT_EQ(emb, "yes") << line;
  }
  EXPECT_GE(font_lines, 2);
}

TEST(RenderPdfTest, LongTableRepeatsHeaderOnEveryPage) {
  std::string yaml = R"(id: long
title: "Long table"
sources:
  items:
    kind: inline
    columns:
      - {name: Item, type: text}
      - {name: Quantity, type: int}
      - {name: Price, type: float}
      - {name: Shipped, type: date}
    rows:
)";
  for (int i = 0; i < 300; ++i) {
    yaml += "      - [item-" + std::to_string(i) + ", " + std::to_string(i * 3) + ", " +
            std::to_string(i) + ".25, 2024-01-" + (i % 28 < 9 ? "0" : "") +
            std::to_string(i % 28 + 1) + "]\n";
  }
  yaml += "sections:\n  - table: {source: items, title: \"All items\"}\n";
  test::PreparedReport r = Prepare(yaml);
  TempDir dir;
  const std::string pdf = dir.File("long.pdf");
  ASSERT_TRUE(RenderPdf(r.tmpl, r.params, r.data, pdf).ok());

  const int pages = PdfPages(pdf);
  EXPECT_GE(pages, 5);  // ~60 rows fit on a page
  for (int p = 1; p <= pages; ++p) {
    const std::string text = PdfText(pdf, p);
    EXPECT_TRUE(ContainsAll(text, {"Quantity", "Shipped",
                                   "Page " + std::to_string(p) + " of " + std::to_string(pages)}))
        << "page " << p;
  }
  const std::string all = PdfText(pdf);
  EXPECT_TRUE(ContainsAll(all, {"item-0", "item-299", "299.25", "2024-01-28"}));
}

TEST(RenderPdfTest, LongParagraphAndPageBreak) {
  std::string words;
  for (int i = 0; i < 1500; ++i) words += "word" + std::to_string(i) + " ";
  test::PreparedReport r = Prepare("id: p\ntitle: T\nsections:\n  - text: \"" + words +
                                   "\"\n  - page_break: true\n  - heading: LastHeading\n");
  TempDir dir;
  const std::string pdf = dir.File("p.pdf");
  ASSERT_TRUE(RenderPdf(r.tmpl, r.params, r.data, pdf).ok());
  const int pages = PdfPages(pdf);
  EXPECT_GE(pages, 3);
  EXPECT_TRUE(Contains(PdfText(pdf, pages), "LastHeading"));
  EXPECT_FALSE(Contains(PdfText(pdf, pages), "word1499"));
  EXPECT_TRUE(Contains(PdfText(pdf), "word1499"));
}

TEST(RenderPdfTest, CancelStopsAndLeavesNoFile) {
  test::PreparedReport r = Prepare(ExampleTemplate("demo.yaml"));
  TempDir dir;
  const std::string pdf = dir.File("cancelled.pdf");
  int calls = 0;
  Status s = RenderPdf(r.tmpl, r.params, r.data, pdf, [&] { return ++calls > 3; });
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_FALSE(fs::exists(pdf));
  EXPECT_FALSE(test::PartialLeft(pdf));
}

TEST(RenderPdfTest, MissingSourceDataIsFailedPrecondition) {
  test::PreparedReport r = Prepare(ExampleTemplate("demo.yaml"));
  r.data.tables.clear();
  TempDir dir;
  Status s = RenderPdf(r.tmpl, r.params, r.data, dir.File("x.pdf"));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "sales"));
}

TEST(RenderPdfTest, UnwritablePathIsInternal) {
  test::PreparedReport r = Prepare("id: p\ntitle: T\n");
  Status s = RenderPdf(r.tmpl, r.params, r.data, "/nonexistent-dir/x.pdf");
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
}

// Each example of deploy/templates/ renders from its inline data (and inline
// fallbacks) with the default parameters.
struct ExampleCase {
  const char* file;
  std::vector<std::string> expected;  // strings pdftotext must find
};

class ExampleRenderTest : public testing::TestWithParam<ExampleCase> {};

TEST_P(ExampleRenderTest, RendersWithExpectedText) {
  const ExampleCase& c = GetParam();
  test::PreparedReport r = Prepare(ExampleTemplate(c.file));
  TempDir dir;
  const std::string pdf = dir.File("example.pdf");
  Status s = RenderPdf(r.tmpl, r.params, r.data, pdf);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string text = PdfText(pdf);
  EXPECT_TRUE(ContainsAll(text, c.expected));
  EXPECT_TRUE(ContainsNone(text, {"{{"}));
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExampleRenderTest,
    testing::Values(
        ExampleCase{"demo.yaml", {"Quarterly Sales Report — North", "Revenue by month, North"}},
        ExampleCase{"quality_events.yaml",
                    {"Quality events — June 2024", "Average days open", "Worst severity", "14",
                     "Site Lyon", "Site Porto", "Site Gdansk", "Events at Porto",
                     "Days open by category — Gdansk", "Internal figures", "Events by site",
                     "Lyon\n\n5\n\n4.2\n\n4\n\nGdansk\n\n5\n\n5.0\n\n4\n\nPorto\n\n4\n\n6.0\n\n5"}},
        ExampleCase{
            "ops_kpi.yaml",
            {"Operations KPIs — week of 03 June 2024", "On-time delivery", "95.6%", "6,521",
             "$955,637", "+1.2 pts vs last week", "Open service tickets", "n/a", "Mon 03 Jun",
             "$182,450.50", "Total", "Orders, shipments and backlog", "Orders"}},
        ExampleCase{"sales_summary.yaml",
                    {"Sales summary 2024", "north 1,815.6", "Deals closed", "12",
                     "Revenue by month and region", "Monthly trend", "Cumulative revenue mix",
                     "Revenue by channel", "Direct", "Partners", "Discount against deal size",
                     "Deal size (k)", "Deal sizes", "D-110"}}),
    [](const testing::TestParamInfo<ExampleCase>& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
      return name;
    });

constexpr char kGroupsTemplate[] = R"yaml(id: groups
title: "Groups"
parameters:
  - {name: show, type: bool, default: false}
  - {name: label, type: string, default: "Items"}
sources:
  items:
    kind: inline
    columns: [{name: site, type: text}, {name: item, type: text}, {name: qty, type: int}]
    rows:
      - [Beta, b-first, 2]
      - [Alpha, a-first, 5]
      - [Beta, b-second, 3]
  live: {kind: http, url: "https://example.com", cache_ttl: 1m, optional: true,
         columns: [{name: n, type: int}]}
sections:
  - text: "HiddenParagraph"
    when: "params.show"
  - text: "ShownParagraph with **bold** and *italic*"
    when: "not params.show and params.label == 'Items'"
  - kpi: {label: "Total qty", source: items, column: qty, aggregate: sum}
  - kpi: {label: "Live count", source: live, column: n}
  - table: {source: live, title: "Live table"}
  - for_each: site
    source: items
    sections:
      - heading: "Group {{ group }} ({{ items.qty | sum }})"
      - table: {source: items, columns: [item, qty], totals: true}
)yaml";

TEST(RenderPdfTest, ForEachWhenKpisAndUnavailableData) {
  test::PreparedReport r = Prepare(kGroupsTemplate);
  TempDir dir;
  const std::string pdf = dir.File("groups.pdf");
  Status s = RenderPdf(r.tmpl, r.params, r.data, pdf);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string text = PdfText(pdf);
  EXPECT_TRUE(ContainsNone(text, {"HiddenParagraph"}));
  EXPECT_TRUE(ContainsAll(text, {"ShownParagraph with bold and italic", "Total qty", "10",
                                 "Live count", "Data unavailable: 'live'"}));
  // Groups in order of first appearance, each with only its own rows.
  const size_t beta = text.find("Group Beta (5)"), alpha = text.find("Group Alpha (5)");
  ASSERT_NE(beta, std::string::npos) << text;
  ASSERT_NE(alpha, std::string::npos) << text;
  EXPECT_LT(beta, alpha);
  const size_t b1 = text.find("b-first"), b2 = text.find("b-second"), a1 = text.find("a-first");
  EXPECT_TRUE(beta < b1 && b1 < alpha && beta < b2 && b2 < alpha) << text;
  EXPECT_GT(a1, alpha) << text;
  EXPECT_EQ(text.find("b-first", b1 + 1), std::string::npos) << text;  // once only
}

TEST(RenderPdfTest, LandscapeLetterPage) {
  test::PreparedReport r =
      Prepare("id: p\ntitle: T\npage: {size: Letter, orientation: landscape}\n");
  TempDir dir;
  const std::string pdf = dir.File("p.pdf");
  ASSERT_TRUE(RenderPdf(r.tmpl, r.params, r.data, pdf).ok());
  EXPECT_TRUE(Contains(RunCommand("pdfinfo '" + pdf + "'").output, "792 x 612 pts")) << pdf;
}

// Without a worker's collector: no PostgreSQL connections, no HTTP hosts.
TEST(CollectStageTest, SourcesFailClearlyUnlessOptionalOrFallenBack) {
  ParseResult parsed = ParseTemplate(R"(id: c
title: T
sources:
  sample: {kind: inline, columns: [{name: a, type: int}], rows: [[1]]}
  db: {kind: postgres, connection: c, query: "SELECT 1", cache_ttl: 1m, fallback: sample}
  feed: {kind: http, url: "https://example.com", cache_ttl: 1m, optional: true}
)");
  ASSERT_TRUE(parsed.tmpl.has_value());
  JobContext ctx;
  ctx.resolved.tmpl = *parsed.tmpl;
  ASSERT_TRUE(MakeCollectStage()->Run(ctx).ok());
  EXPECT_EQ(ctx.data.tables.count("db"), 1u);
  EXPECT_EQ(ctx.data.tables.count("feed"), 0u);
  ASSERT_EQ(ctx.warnings.size(), 2u);
  EXPECT_TRUE(Contains(ctx.warnings[0], "connection 'c' is not configured")) << ctx.warnings[0];
  EXPECT_TRUE(Contains(ctx.warnings[0], "using fallback 'sample'")) << ctx.warnings[0];
  EXPECT_TRUE(Contains(ctx.warnings[1], "not in http.allow_hosts")) << ctx.warnings[1];

  ctx.resolved.tmpl.sources[2].optional = false;
  ctx.data.tables.clear();
  Status s = MakeCollectStage()->Run(ctx);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Contains(s.message(), "source 'feed'")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "not in http.allow_hosts")) << s.message();
}

// ---------------------------------------------------------------------------
// Charts

ChartSpec BarSpec(std::vector<std::string> y) {
  ChartSpec spec = test::ChartOf(ChartType::kBar, "label", std::move(y));
  spec.source = "s";
  spec.title = "Chart";
  spec.x_axis_title = "X";
  spec.y_axis_title = "Y";
  return spec;
}

Table TwoSeries(const std::vector<std::pair<double, double>>& values) {
  Table t;
  Column* label = t.AddColumn("label", ColumnType::kText);
  Column* a = t.AddColumn("a", ColumnType::kFloat);
  Column* b = t.AddColumn("b", ColumnType::kInt);
  for (size_t i = 0; i < values.size(); ++i) {
    label->AppendText(std::string("c").append(std::to_string(i)));
    std::isnan(values[i].first) ? a->AppendNull() : a->AppendFloat(values[i].first);
    std::isnan(values[i].second) ? b->AppendNull()
                                 : b->AppendInt(static_cast<int64_t>(values[i].second));
  }
  return t;
}

// Draws into an image and counts pixels of a colour (exact RGB match).
struct Drawn {
  Status status;
  int matching_pixels = 0;
};

Drawn DrawToImage(const ChartSpec& spec, const Table& table, uint32_t rgb) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 300);
  cairo_t* cr = cairo_create(s);
  Drawn d;
  d.status = DrawChart(cr, spec, table, {0, 0, 400, 300}, ChartTheme());
  cairo_destroy(cr);
  cairo_surface_flush(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < 300; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
    for (int x = 0; x < 400; ++x) d.matching_pixels += (row[x] & 0xFFFFFF) == rgb;
  }
  cairo_surface_destroy(s);
  return d;
}

TEST(BarChartTest, DrawsSeriesInPaletteColours) {
  Drawn d = DrawToImage(BarSpec({"a", "b"}), TwoSeries({{10, 20}, {30, 5}}), 0x4E79A7);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_GT(d.matching_pixels, 500);
  EXPECT_GT(DrawToImage(BarSpec({"a", "b"}), TwoSeries({{10, 20}}), 0xF28E2B).matching_pixels, 500);
}

TEST(BarChartTest, NegativeValuesRender) {
  Drawn d = DrawToImage(BarSpec({"a", "b"}), TwoSeries({{-10, 20}, {-30, -5}}), 0x4E79A7);
  EXPECT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_GT(d.matching_pixels, 500);
}

TEST(BarChartTest, EmptyTableRenders) {
  Drawn d = DrawToImage(BarSpec({"a", "b"}), TwoSeries({}), 0x4E79A7);
  EXPECT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_LT(d.matching_pixels, 200);  // only the legend swatch
}

TEST(BarChartTest, NullAndNanValuesRender) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Drawn d = DrawToImage(BarSpec({"a", "b"}), TwoSeries({{nan, nan}, {nan, 3}}), 0xF28E2B);
  EXPECT_TRUE(d.status.ok()) << d.status.ToString();
  Table t = TwoSeries({{1, 1}});
  t.FindColumn("a")->AppendFloat(nan);  // a NaN that is not null
  t.FindColumn("b")->AppendInt(2);
  t.FindColumn("label")->AppendNull();
  EXPECT_TRUE(DrawToImage(BarSpec({"a", "b"}), t, 0).status.ok());
  // All-equal values and a single huge value.
  EXPECT_TRUE(DrawToImage(BarSpec({"a"}), TwoSeries({{5, 0}, {5, 0}}), 0).status.ok());
  EXPECT_TRUE(DrawToImage(BarSpec({"a"}), TwoSeries({{1e12, 0}}), 0).status.ok());
}

TEST(BarChartTest, ManyCategoriesAndSeriesRender) {
  std::vector<std::pair<double, double>> values;
  for (int i = 0; i < 300; ++i) values.emplace_back(i - 150, i % 7);
  ChartSpec spec = BarSpec({"a", "b"});
  spec.title = std::string(300, 'T');  // wraps
  EXPECT_TRUE(DrawToImage(spec, TwoSeries(values), 0).status.ok());
}

TEST(BarChartTest, TinyBoxRenders) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 20, 20);
  cairo_t* cr = cairo_create(s);
  EXPECT_TRUE(
      DrawChart(cr, BarSpec({"a", "b"}), TwoSeries({{1, 2}}), {0, 0, 12, 9}, ChartTheme()).ok());
  EXPECT_EQ(DrawChart(cr, BarSpec({"a"}), TwoSeries({{1, 2}}), {0, 0, 0, 9}, ChartTheme()).code(),
            StatusCode::kInvalidArgument);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
}

TEST(ChartTest, BadSpecsAreErrors) {
  Table t = TwoSeries({{1, 2}});
  ChartSpec missing = BarSpec({"a", "nope"});
  EXPECT_EQ(DrawToImage(missing, t, 0).status.code(), StatusCode::kInvalidArgument);
  ChartSpec text_y = BarSpec({"label"});
  EXPECT_EQ(DrawToImage(text_y, t, 0).status.code(), StatusCode::kInvalidArgument);
  // A type not drawn yet still checks its columns.
  ChartSpec pie = BarSpec({"nope"});
  pie.type = ChartType::kPie;
  EXPECT_EQ(DrawToImage(pie, t, 0).status.code(), StatusCode::kInvalidArgument);
}

// Every chart type plots its data in the first series colour.
TEST(ChartTest, EveryTypeDrawsInTheSeriesColour) {
  Table t = TwoSeries({{1, 2}, {3, 4}, {2, 5}});
  for (ChartType type : {ChartType::kBar, ChartType::kLine, ChartType::kArea, ChartType::kPie,
                         ChartType::kScatter, ChartType::kHistogram}) {
    ChartSpec spec = BarSpec({"a"});
    spec.type = type;
    if (type == ChartType::kScatter || type == ChartType::kHistogram) spec.x = "b";
    Drawn d = DrawToImage(spec, t, 0x4E79A7);
    EXPECT_TRUE(d.status.ok()) << ChartTypeName(type) << ": " << d.status.ToString();
    EXPECT_GT(d.matching_pixels, 20) << ChartTypeName(type);
  }
}

TEST(ChartTest, SpecColorsReplaceThePalette) {
  ChartSpec spec = BarSpec({"a", "b"});
  spec.colors = {0x112233, 0x445566};
  Table t = TwoSeries({{10, 20}, {30, 5}});
  EXPECT_GT(DrawToImage(spec, t, 0x112233).matching_pixels, 500);
  EXPECT_GT(DrawToImage(spec, t, 0x445566).matching_pixels, 500);
  EXPECT_EQ(DrawToImage(spec, t, 0x4E79A7).matching_pixels, 0);
}

TEST(ChartTest, RenderPngHasExpectedSize) {
  TempDir dir;
  const std::string png = dir.File("chart.png");
  ASSERT_TRUE(RenderChartToFile(BarSpec({"a", "b"}), TwoSeries({{1, 2}, {3, -4}}), "png", png, 400,
                                300, 144)
                  .ok());
  cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
  ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(cairo_image_surface_get_width(s), 800);
  EXPECT_EQ(cairo_image_surface_get_height(s), 600);
  cairo_surface_destroy(s);
}

// The PNG encoder (libdeflate, written chunks) loses nothing: libpng reads
// back exactly the pixels cairo drew, at odd sizes too (a row that is not a
// multiple of anything).
TEST(ChartTest, PngHoldsExactlyThePixelsDrawn) {
  Table t = TwoSeries({{1, 2}, {3, -4}, {2, 5}});
  for (const auto& [width, height, dpi] :
       std::vector<std::tuple<double, double, double>>{{400, 300, 144}, {123.5, 77, 97}}) {
    ChartSpec spec = BarSpec({"a", "b"});
    spec.width = width;
    spec.height = height;
    StatusOr<std::string> png = RenderChartImage(spec, t, ImageFormat::kPng, dpi);
    ASSERT_TRUE(png.ok()) << png.status().ToString();
    std::string_view rest = *png;
    cairo_surface_t* decoded = cairo_image_surface_create_from_png_stream(
        [](void* closure, unsigned char* data, unsigned int length) {
          auto* in = static_cast<std::string_view*>(closure);
          if (in->size() < length) return CAIRO_STATUS_READ_ERROR;
          std::memcpy(data, in->data(), length);
          in->remove_prefix(length);
          return CAIRO_STATUS_SUCCESS;
        },
        &rest);
    ASSERT_EQ(cairo_surface_status(decoded), CAIRO_STATUS_SUCCESS);
    const int w = cairo_image_surface_get_width(decoded),
              h = cairo_image_surface_get_height(decoded);
    EXPECT_EQ(w, ImagePixels(width, dpi));
    EXPECT_EQ(h, ImagePixels(height, dpi));
    EXPECT_NEAR(*PngDpi(*png), dpi, 0.01);
    cairo_surface_t* drawn = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t* cr = cairo_create(drawn);
    cairo_scale(cr, dpi / 72, dpi / 72);
    ASSERT_TRUE(DrawChart(cr, spec, t, {0, 0, width, height}, ChartTheme()).ok());
    cairo_destroy(cr);
    cairo_surface_flush(drawn);
    int differ = 0;
    for (int y = 0; y < h; ++y) {
      const auto* a = reinterpret_cast<const uint32_t*>(
          cairo_image_surface_get_data(decoded) + y * cairo_image_surface_get_stride(decoded));
      const auto* b = reinterpret_cast<const uint32_t*>(cairo_image_surface_get_data(drawn) +
                                                        y * cairo_image_surface_get_stride(drawn));
      for (int x = 0; x < w; ++x) differ += (a[x] & 0xFFFFFF) != (b[x] & 0xFFFFFF);
    }
    EXPECT_EQ(differ, 0) << width << " x " << height << " pt at " << dpi << " dpi";
    cairo_surface_destroy(drawn);
    cairo_surface_destroy(decoded);
  }
}

TEST(ChartTest, RenderSvgIsSvg) {
  TempDir dir;
  const std::string svg = dir.File("chart.svg");
  ASSERT_TRUE(
      RenderChartToFile(BarSpec({"a", "b"}), TwoSeries({{1, 2}}), "svg", svg, 400, 300).ok());
  const std::string text = ReadFile(svg);
  EXPECT_EQ(text.rfind("<?xml", 0), 0u) << text.substr(0, 100);
  EXPECT_TRUE(ContainsAll(text, {"<svg", "400pt"}));
}

// The text of a PDF's content streams: every stream inflated, those that
// are not text (font files) left out.
std::string PageContent(const std::string& pdf) {
  std::string text;
  for (size_t at = pdf.find("stream\n"); at != std::string::npos;
       at = pdf.find("stream\n", at + 1)) {
    if (at >= 3 && pdf.compare(at - 3, 3, "end") == 0) continue;
    const size_t end = pdf.find("endstream", at);
    if (end == std::string::npos) break;
    std::string out(1 << 20, '\0');
    z_stream z{};
    if (inflateInit(&z) != Z_OK) break;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(pdf.data() + at + 7));
    z.avail_in = static_cast<uInt>(end - at - 7);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    if (std::all_of(out.begin(), out.end(), [](char c) {
          return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t';
        })) {
      text += out + "\n";
    }
  }
  return text;
}

// Pixels of `png` in a saturated colour (series marks; text, grid and axes
// are grey or white).
int SaturatedPixels(const std::string& png) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
  int count = 0;
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    cairo_surface_flush(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < cairo_image_surface_get_height(s); ++y) {
      const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
      for (int x = 0; x < cairo_image_surface_get_width(s); ++x) {
        const int r = (row[x] >> 16) & 0xFF, g = (row[x] >> 8) & 0xFF, b = row[x] & 0xFF;
        count += std::max({r, g, b}) - std::min({r, g, b}) > 40;
      }
    }
  }
  cairo_surface_destroy(s);
  return count;
}

// Scatter markers in a PDF are zero-length segments with round caps, which
// PDF draws as discs: poppler shows them as cairo's PNG does. (Not
// one-point closed subpaths, "x y m h", which pdf.js leaves out.)
TEST(ChartTest, ScatterMarkersInAPdfAreDiscsAsInThePng) {
  TempDir dir;
  Table t = TwoSeries({{1, 10}, {2, 40}, {3, 20}, {4, 30}, {5, 50}, {6, 15}});
  ChartSpec spec = BarSpec({"a"});
  spec.type = ChartType::kScatter;
  spec.x = "b";
  spec.width = 400;
  spec.height = 300;
  ASSERT_TRUE(WriteChartImage(spec, t, ImageFormat::kPng, dir.File("chart.png"), 72).ok());
  ASSERT_TRUE(WriteChartImage(spec, t, ImageFormat::kPdf, dir.File("chart.pdf")).ok());
  ASSERT_EQ(RunCommand("pdftoppm -r 72 -png -singlefile '" + dir.File("chart.pdf") + "' '" +
                       dir.File("poppler") + "'")
                .exit_code,
            0);
  const int png = SaturatedPixels(dir.File("chart.png"));
  const int pdf = SaturatedPixels(dir.File("poppler.png"));
  EXPECT_GT(png, 6 * 10);  // six discs of radius ~3 pt
  EXPECT_NEAR(pdf, png, png / 4) << "PDF markers as drawn by poppler: " << pdf << ", PNG: " << png;
  // The markers are written as zero-length segments ("x y m x y l").
  const std::string content = PageContent(ReadFile(dir.File("chart.pdf")));
  const std::regex disc(R"((-?[\d.]+)\s+(-?[\d.]+)\s+m\s+\1\s+\2\s+l\b)");
  EXPECT_EQ(std::distance(std::sregex_iterator(content.begin(), content.end(), disc),
                          std::sregex_iterator()),
            6)
      << content.substr(0, 2000);
}

TEST(ChartTest, RenderToFileRejectsBadArguments) {
  TempDir dir;
  Table t = TwoSeries({{1, 2}});
  EXPECT_EQ(RenderChartToFile(BarSpec({"a"}), t, "gif", dir.File("c.gif"), 400, 300).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderChartToFile(BarSpec({"a"}), t, "png", dir.File("c.png"), 0, 300).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderChartToFile(BarSpec({"a"}), t, "png", "/nonexistent-dir/c.png", 40, 30).code(),
            StatusCode::kInternal);
}

TEST(NiceScaleTest, OneTwoFiveSteps) {
  NiceScale a = NiceScale::For(0, 97);
  EXPECT_EQ(a.step, 20);
  EXPECT_EQ(a.min, 0);
  EXPECT_EQ(a.max, 100);
  EXPECT_EQ(a.ticks.size(), 6u);

  NiceScale b = NiceScale::For(-13, 42);
  EXPECT_EQ(b.step, 20);
  EXPECT_EQ(b.min, -20);
  EXPECT_EQ(b.max, 60);

  NiceScale c = NiceScale::For(0, 0.9);
  EXPECT_DOUBLE_EQ(c.step, 0.2);
  EXPECT_EQ(c.Format(c.ticks[3]), "0.6");

  NiceScale d = NiceScale::For(0, 0);
  EXPECT_EQ(d.min, 0);
  EXPECT_EQ(d.max, 1);

  NiceScale e = NiceScale::For(0, 4800);
  EXPECT_EQ(e.step, 1000);
  EXPECT_EQ(e.Format(5000), "5,000");
  EXPECT_EQ(e.Format(-0.0), "0");

  NiceScale f = NiceScale::For(std::nan(""), 3);
  EXPECT_EQ(f.max, 1);
}

}  // namespace
}  // namespace quire
