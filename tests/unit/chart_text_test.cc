// Tests of chart text: that titles, category names and legends in every
// script (accented Latin, CJK, right-to-left Arabic and Hebrew) are set with
// real glyphs — DejaVu Sans, with fontconfig falling back to WenQuanYi
// Micro Hei for CJK — in PNGs and in PDFs (fonts embedded, text extractable),
// and that a pie's percentage labels never overlap. PDFs are read from the
// outside with poppler-utils (pdffonts, pdftotext).
//
// Depends on the installed fonts: fonts-dejavu-core and fonts-wqy-microhei.
#include <cairo-pdf.h>
#include <cairo.h>
#include <gtest/gtest.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/table/table.h"
#include "common/template/template.h"
#include "report/canvas/text.h"
#include "report/charts/chart.h"
#include "report/render/chart_image.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

const char kAccents[] = "Café Zürich";
const char kCjk[] = "中文报表";
const char kArabic[] = "تقرير";
const char kHebrew[] = "דוח";

using test::RunCommand;
using test::TempDir;

// Category names in every script, one value each.
Table ScriptTable() {
  return test::TableOf("name:text,value:float", std::string(kAccents) + ",10;" + kCjk + ",11;" +
                                                    kArabic + ",12;" + kHebrew + ",13");
}

ChartSpec ScriptSpec(ChartType type) {
  ChartSpec spec = test::ChartOf(type, "name", {"value"});
  spec.title = std::string(kAccents) + " " + kCjk + " " + kArabic + " " + kHebrew;
  return spec;
}

// A pango layout of `text` as the charts set it (TextBlock's font).
PangoLayout* ChartLayout(cairo_t* cr, const std::string& text, bool bold) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font = pango_font_description_from_string("DejaVu Sans 10");
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, font);
  pango_font_description_free(font);
  pango_layout_set_text(layout, text.c_str(), -1);
  return layout;
}

// The families of the fonts the runs of `layout` are set in.
std::vector<std::string> RunFamilies(PangoLayout* layout) {
  std::vector<std::string> families;
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
    if (run == nullptr) continue;
    PangoFontDescription* d = pango_font_describe(run->item->analysis.font);
    families.push_back(pango_font_description_get_family(d));
    pango_font_description_free(d);
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
  return families;
}

TEST(ChartTextTest, EveryScriptHasRealGlyphs) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
  cairo_t* cr = cairo_create(s);
  for (bool bold : {false, true}) {
    for (const char* text : {kAccents, kCjk, kArabic, kHebrew}) {
      PangoLayout* layout = ChartLayout(cr, text, bold);
      EXPECT_EQ(pango_layout_get_unknown_glyphs_count(layout), 0) << text;
      const std::vector<std::string> families = RunFamilies(layout);
      ASSERT_EQ(families.size(), 1u) << text;
      EXPECT_EQ(families[0], text == kCjk ? "WenQuanYi Micro Hei" : "DejaVu Sans") << text;
      g_object_unref(layout);
    }
  }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
}

TEST(ChartTextTest, RightToLeftTextIsSetRightToLeft) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
  cairo_t* cr = cairo_create(s);
  for (const std::string text : {kArabic, kHebrew}) {
    PangoLayout* layout = ChartLayout(cr, text, false);
    // The first letter (logically) is the rightmost one on the line.
    PangoRectangle first, last;
    pango_layout_index_to_pos(layout, 0, &first);
    const char* end = text.c_str() + text.size();
    pango_layout_index_to_pos(
        layout, static_cast<int>(g_utf8_find_prev_char(text.c_str(), end) - text.c_str()), &last);
    EXPECT_GT(first.x, last.x) << text;
    EXPECT_EQ(pango_layout_get_direction(layout, 0), PANGO_DIRECTION_RTL) << text;
    g_object_unref(layout);
  }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
}

TEST(ChartTextTest, TitleInEveryScriptRendersToPng) {
  TempDir dir;
  for (ChartType type : {ChartType::kBar, ChartType::kPie}) {
    const std::string png = dir.File("title.png");
    ASSERT_TRUE(RenderChartToFile(ScriptSpec(type), ScriptTable(), "png", png, 400, 300, 144).ok());
    cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
    ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    // Ink across the title's band (6 to 21 pt): the whole title was drawn.
    const unsigned char* data = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    const int width = cairo_image_surface_get_width(s);
    int left = width, right = 0;
    for (int y = 10; y < 40; ++y) {
      const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
      for (int x = 0; x < width; ++x) {
        if ((row[x] & 0xFFFFFF) != 0xFFFFFF) {
          left = std::min(left, x);
          right = std::max(right, x);
        }
      }
    }
    EXPECT_GT(right - left, 300) << ChartTypeName(type);
    cairo_surface_destroy(s);
  }
}

// Draws each chart in its own page of a PDF.
void WritePdf(const std::string& path, const std::vector<std::pair<ChartSpec, Table>>& charts) {
  cairo_surface_t* s = cairo_pdf_surface_create(path.c_str(), 400, 300);
  cairo_t* cr = cairo_create(s);
  for (const auto& [spec, table] : charts) {
    const Status st = DrawChart(cr, spec, table, {0, 0, 400, 300}, ChartTheme());
    EXPECT_TRUE(st.ok()) << st.ToString();
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(s);
  EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(s);
}

TEST(ChartTextTest, PdfEmbedsTheFontsAndTheTextExtractsBack) {
  TempDir dir;
  const std::string pdf = dir.File("scripts.pdf");
  ChartSpec pie = ScriptSpec(ChartType::kPie);
  pie.legend = LegendPosition::kRight;
  WritePdf(pdf, {{ScriptSpec(ChartType::kBar), ScriptTable()}, {pie, ScriptTable()}});

  // pdffonts: two header lines, then one font a line ending in
  // "emb sub uni object-number generation".
  std::istringstream fonts(RunCommand("pdffonts '" + pdf + "' 2>&1").output);
  std::string line;
  std::getline(fonts, line);
  ASSERT_NE(line.find("emb"), std::string::npos) << line;
  std::getline(fonts, line);
  bool cjk = false, dejavu = false;
  while (std::getline(fonts, line)) {
    std::vector<std::string> cols;
    std::istringstream in(line);
    for (std::string c; in >> c;) cols.push_back(c);
    ASSERT_GE(cols.size(), 6u) << line;
    EXPECT_EQ(cols[cols.size() - 5], "yes") << "not embedded: " << line;
    cjk = cjk || line.find("WenQuanYi") != std::string::npos;
    dejavu = dejavu || line.find("DejaVuSans") != std::string::npos;
  }
  EXPECT_TRUE(cjk);
  EXPECT_TRUE(dejavu);

  for (int page : {1, 2}) {
    const std::string text = RunCommand("pdftotext -enc UTF-8 -f " + std::to_string(page) + " -l " +
                                        std::to_string(page) + " '" + pdf + "' - 2>&1")
                                 .output;
    for (const char* expected : {kAccents, kCjk}) {
      EXPECT_NE(text.find(expected), std::string::npos)
          << "page " << page << " lacks " << expected << " in:\n"
          << text;
    }
    // Right-to-left words come back in logical order, wrapped in bidi
    // embedding marks, and pdftotext may split an Arabic word where its
    // joined letters leave a gap: compare without either.
    const std::string bare = std::regex_replace(text, std::regex(" |\u202B|\u202C"), "");
    for (const char* expected : {kArabic, kHebrew}) {
      EXPECT_NE(bare.find(expected), std::string::npos)
          << "page " << page << " lacks " << expected << " in:\n"
          << text;
    }
  }
}

// A word pdftotext found, with its box.
struct Word {
  std::string text;
  double x0, y0, x1, y1;
  bool Overlaps(const Word& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

std::vector<Word> PdfWords(const std::string& pdf) {
  const std::string html = RunCommand("pdftotext -bbox -enc UTF-8 '" + pdf + "' - 2>&1").output;
  static const std::regex word(
      "<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" yMax=\"([0-9.]+)\">"
      "([^<]*)</word>");
  std::vector<Word> words;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), word); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    words.push_back({m[5], std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])});
  }
  return words;
}

TEST(ChartTextTest, PieLabelsNeverOverlap) {
  // One big slice and a crowd of small ones, which cannot all be labelled.
  Table t;
  Column* name = t.AddColumn("name", ColumnType::kText);
  Column* value = t.AddColumn("value", ColumnType::kFloat);
  for (int i = 0; i < 13; ++i) {
    name->AppendText("n" + std::to_string(i));
    value->AppendFloat(i == 0 ? 300 : 1 + i % 3);
  }
  TempDir dir;
  for (double donut : {0.0, 0.6}) {
    for (LegendPosition pos : {LegendPosition::kBottom, LegendPosition::kRight}) {
      ChartSpec spec = test::ChartOf(ChartType::kPie, "name", {"value"});
      spec.donut = donut;
      spec.legend = pos;
      const std::string pdf = dir.File("labels.pdf");
      WritePdf(pdf, {{spec, t}});
      std::vector<Word> labels;
      for (const Word& w : PdfWords(pdf)) {
        if (!w.text.empty() && w.text.back() == '%') labels.push_back(w);
      }
      EXPECT_GE(labels.size(), 4u);
      for (size_t i = 0; i < labels.size(); ++i) {
        for (size_t j = i + 1; j < labels.size(); ++j) {
          EXPECT_FALSE(labels[i].Overlaps(labels[j]))
              << labels[i].text << " and " << labels[j].text << " overlap";
        }
      }
    }
  }
}

// Ink extents of what `draw` draws on a recording surface.
struct Ink {
  double x, y, width, height;
};
template <typename Draw>
Ink InkOf(Draw draw) {
  cairo_surface_t* rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr);
  cairo_t* cr = cairo_create(rec);
  draw(cr);
  cairo_destroy(cr);
  Ink ink{};
  cairo_recording_surface_ink_extents(rec, &ink.x, &ink.y, &ink.width, &ink.height);
  cairo_surface_destroy(rec);
  return ink;
}

// Labels are set without a pango layout when the text allows, and must
// still measure and sit as a TextBlock of the same style does.
TEST(LabelTextTest, MeasuresAndSitsAsATextBlock) {
  TextStyle style;
  style.size = 9;
  const LabelText label(style);
  EXPECT_DOUBLE_EQ(label.height(), TextBlock(nullptr, "Ag", style).height());
  // Simple text: numbers measure the same; words lack only pango's
  // kerning (under 1% of their width).
  for (const char* text : {"0", "1,250.75", "2024-03-01", "-42%"}) {
    EXPECT_NEAR(label.Width(text), TextBlock(nullptr, text, style).width(), 0.01) << text;
  }
  for (const char* text : {"Revenue (EUR)", kAccents}) {
    const double width = TextBlock(nullptr, text, style).width();
    EXPECT_NEAR(label.Width(text), width, 0.01 * width) << text;
  }
  // Text that needs shaping goes through pango: the same width exactly.
  for (const char* text : {kCjk, kArabic, kHebrew}) {
    EXPECT_DOUBLE_EQ(label.Width(text), TextBlock(nullptr, text, style).width()) << text;
  }
  // Drawn at the same place: the ink of "Revenue" starts and ends where
  // the TextBlock's does.
  const Ink a = InkOf([&](cairo_t* cr) { label.Draw(cr, "Revenue", 10, 20); });
  const Ink b = InkOf([&](cairo_t* cr) { TextBlock(cr, "Revenue", style).Draw(cr, 10, 20); });
  EXPECT_NEAR(a.x, b.x, 1);  // ink extents are whole units
  EXPECT_NEAR(a.y, b.y, 1);
  EXPECT_NEAR(a.width, b.width, 1);
  EXPECT_NEAR(a.height, b.height, 1);
}

// Text pango sets in a fallback font (CJK: WenQuanYi, whose ascent puts
// the line's baseline 0.08 pt lower) sits on the same baseline as the
// labels beside it: the Latin start of a mixed label inks exactly as the
// same Latin label set without pango. Drawn 50 times enlarged, so that the
// ink extents (whole units) see a tenth of a point.
TEST(LabelTextTest, FallbackFontTextSharesTheBaseline) {
  const LabelText label{TextStyle()};
  const double w = label.Width("xx");
  for (double angle : {0.0, -M_PI / 2}) {
    const auto clipped = [&](const std::string& text) {
      return InkOf([&](cairo_t* cr) {
        cairo_scale(cr, 50, 50);
        cairo_save(cr);
        cairo_translate(cr, 40, 60);
        cairo_rotate(cr, angle);
        cairo_rectangle(cr, 0, -20, w, 60);  // the first "xx" only
        cairo_restore(cr);
        cairo_clip(cr);
        label.Draw(cr, text, 40, 60, angle);
      });
    };
    const Ink latin = clipped("xx");
    const Ink mixed = clipped(std::string("xx") + kCjk);
    EXPECT_GT(latin.width * latin.height, 10) << angle;
    EXPECT_NEAR(mixed.x, latin.x, 1) << angle;
    EXPECT_NEAR(mixed.y, latin.y, 1) << angle;
    EXPECT_NEAR(mixed.height, latin.height, 1) << angle;
    EXPECT_NEAR(mixed.width, latin.width, 1) << angle;
  }
}

TEST(LabelTextTest, PlacesTextInItsRoom) {
  const LabelText label{TextStyle()};
  const auto ink = [&](TextAlign align, double angle) {
    return InkOf([&](cairo_t* cr) { label.Draw(cr, "1,250", 10, 200, angle, 100, align); });
  };
  const Ink left = ink(TextAlign::kLeft, 0), centre = ink(TextAlign::kCenter, 0),
            right = ink(TextAlign::kRight, 0);
  EXPECT_NEAR(left.x, 10, 1.5);
  EXPECT_NEAR(centre.x + centre.width / 2, 60, 1.5);
  EXPECT_NEAR(right.x + right.width, 110, 1.5);
  // Turned a quarter counterclockwise the room runs up from (10, 200).
  const Ink up = ink(TextAlign::kCenter, -M_PI / 2);
  EXPECT_NEAR(up.y + up.height / 2, 150, 1.5);
  // Text that needs pango is placed the same way.
  const Ink cjk =
      InkOf([&](cairo_t* cr) { label.Draw(cr, kCjk, 10, 200, 0, 100, TextAlign::kRight); });
  EXPECT_NEAR(cjk.x + cjk.width, 110, 1.5);
}

TEST(LabelTextTest, CutsToTheRoomAndTurns) {
  const LabelText label{TextStyle()};
  const std::string text = "A category name far longer than the room it is given";
  ASSERT_GT(label.Width(text), 200);
  const Ink cut = InkOf([&](cairo_t* cr) { label.Draw(cr, text, 0, 0, 0, 60); });
  EXPECT_GT(cut.width, 30);
  EXPECT_LE(cut.width, 61);
  const Ink whole = InkOf([&](cairo_t* cr) { label.Draw(cr, text, 0, 0); });
  EXPECT_GT(whole.width, 200);
  // A quarter turn counterclockwise: the text runs up from (50, 300).
  const Ink turned = InkOf([&](cairo_t* cr) { label.Draw(cr, "Units sold", 50, 300, -M_PI / 2); });
  EXPECT_GT(turned.height, 3 * turned.width);
  EXPECT_LE(turned.y + turned.height, 301);
  EXPECT_GE(turned.x, 49);
  // Text that needs pango is cut and turned the same way.
  const Ink cjk = InkOf(
      [&](cairo_t* cr) { label.Draw(cr, std::string(kCjk) + kCjk + kCjk + kCjk, 0, 0, 0, 40); });
  EXPECT_LE(cjk.width, 41);
}

}  // namespace
}  // namespace quire
