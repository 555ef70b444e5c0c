// PdfCanvas: standalone chart PDFs written by Quire itself. Each chart type
// and the awkward cases (no data, long and non-Latin labels, turned labels)
// are drawn on a PdfCanvas and on a cairo image; poppler's rendering of the
// PDF must match cairo's pixels, its text must extract, its fonts must be
// embedded subsets, and poppler must find nothing to complain about.
#include "report/render/pdf_canvas.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "report/charts/chart.h"
#include "report/render/chart_image.h"
#include "tests/unit/test_util.h"

namespace quire {
namespace {

using test::ChartOf;
using test::ContainsAll;
using test::ReadFile;
using test::RunCommand;
using test::TableOf;
using test::TempDir;

// An RGB image, 3 bytes a pixel.
struct Pixels {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
};

// A binary PPM (P6, maxval 255), as pdftoppm writes it.
Pixels ReadPpm(const std::string& path) {
  Pixels p;
  std::ifstream in(path, std::ios::binary);
  std::string magic;
  int maxval = 0;
  in >> magic >> p.width >> p.height >> maxval;
  in.get();
  if (magic != "P6" || maxval != 255 || p.width <= 0 || p.height <= 0) return Pixels{};
  p.rgb.resize(static_cast<size_t>(p.width) * p.height * 3);
  in.read(reinterpret_cast<char*>(p.rgb.data()), static_cast<std::streamsize>(p.rgb.size()));
  return p;
}

// The chart drawn by cairo at `scale` device pixels a point.
Pixels CairoPixels(const ChartSpec& spec, const Table& data, double scale) {
  const int w = static_cast<int>(std::ceil(spec.width * scale - 1e-6));
  const int h = static_cast<int>(std::ceil(spec.height * scale - 1e-6));
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(s);
  cairo_scale(cr, scale, scale);
  EXPECT_TRUE(DrawChart(cr, spec, data, {0, 0, spec.width, spec.height}, ChartTheme()).ok());
  cairo_destroy(cr);
  cairo_surface_flush(s);
  Pixels p{w, h, {}};
  const unsigned char* data_ = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data_ + y * stride);
    for (int x = 0; x < w; ++x) {
      p.rgb.push_back((row[x] >> 16) & 0xFF);
      p.rgb.push_back((row[x] >> 8) & 0xFF);
      p.rgb.push_back(row[x] & 0xFF);
    }
  }
  cairo_surface_destroy(s);
  return p;
}

// How many pixels differ by more than `threshold` in some channel.
int Differing(const Pixels& a, const Pixels& b, int threshold) {
  int n = 0;
  for (size_t i = 0; i + 2 < a.rgb.size() && i + 2 < b.rgb.size(); i += 3) {
    int d = 0;
    for (size_t c = 0; c < 3; ++c) d = std::max(d, std::abs(a.rgb[i + c] - b.rgb[i + c]));
    n += d > threshold;
  }
  return n;
}

// The image averaged over `k` x `k` blocks: edges drawn a little
// differently (antialiasing, glyph hinting) fade, marks drawn differently
// or missing do not.
Pixels Blocks(const Pixels& p, int k) {
  Pixels out{p.width / k, p.height / k, {}};
  for (int by = 0; by < out.height; ++by) {
    for (int bx = 0; bx < out.width; ++bx) {
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int y = by * k; y < by * k + k; ++y) {
          for (int x = bx * k; x < bx * k + k; ++x) {
            sum += p.rgb[(static_cast<size_t>(y) * p.width + x) * 3 + c];
          }
        }
        out.rgb.push_back(static_cast<unsigned char>(sum / (k * k)));
      }
    }
  }
  return out;
}

struct Written {
  std::string path;
  std::string pdf;
};

Written WritePdf(const TempDir& dir, const std::string& name, const ChartSpec& spec,
                 const Table& data) {
  StatusOr<std::string> pdf = RenderChartImage(spec, data, ImageFormat::kPdf);
  EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
  Written w{dir.File(name + ".pdf"), pdf.ok() ? *pdf : ""};
  std::ofstream(w.path, std::ios::binary) << w.pdf;
  return w;
}

// Poppler's words for the PDF.
std::string PdfText(const std::string& path) {
  return RunCommand("pdftotext -enc UTF-8 '" + path + "' - 2>/dev/null").output;
}

// What poppler's tools say about the PDF on standard error: nothing when it
// is well formed.
std::string PopplerComplaints(const std::string& path) {
  return RunCommand("pdftotext '" + path + "' /dev/null 2>&1; pdffonts '" + path +
                    "' 2>&1 >/dev/null; pdfinfo '" + path + "' 2>&1 >/dev/null")
      .output;
}

// The chart as cairo's PDF surface writes it.
std::string CairoPdf(const ChartSpec& spec, const Table& data) {
  std::string bytes;
  cairo_surface_t* s = cairo_pdf_surface_create_for_stream(
      [](void* closure, const unsigned char* d, unsigned int n) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(d), n);
        return CAIRO_STATUS_SUCCESS;
      },
      &bytes, spec.width, spec.height);
  cairo_t* cr = cairo_create(s);
  EXPECT_TRUE(DrawChart(cr, spec, data, {0, 0, spec.width, spec.height}, ChartTheme()).ok());
  cairo_destroy(cr);
  cairo_surface_finish(s);
  cairo_surface_destroy(s);
  return bytes;
}

// Every stream of `pdf`, inflated, one after another.
std::string Inflated(const std::string& pdf) {
  std::string out;
  for (size_t at = pdf.find("stream\n"); at != std::string::npos;
       at = pdf.find("stream\n", at + 1)) {
    if (at >= 3 && pdf.compare(at - 3, 3, "end") == 0) continue;
    z_stream z{};
    inflateInit(&z);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(pdf.data() + at + 7));
    z.avail_in = static_cast<uInt>(pdf.size() - at - 7);
    char buf[65536];
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf, sizeof buf - z.avail_out);
    }
    inflateEnd(&z);
  }
  return out;
}

// The characters of `text` other than white space and bidi controls,
// sorted: what two extractions of the same words share however they are
// broken into lines.
std::vector<std::string> Characters(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string ch = text.substr(i, n);
    i += n;
    if (ch == " " || ch == "\n" || ch == "\f" || ch == "\xE2\x80\xAB" || ch == "\xE2\x80\xAC" ||
        ch == "\xE2\x80\xAA") {
      continue;  // space, line and page breaks, RLE, PDF, LRE
    }
    out.push_back(ch);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Case {
  std::string name;
  ChartSpec spec;
  Table data;
  std::vector<std::string> words;  // pdftotext must find each
};

Table Sales() {
  return TableOf("month:text,North:float,South:float",
                 "Jan,120,80;Feb,-40,95;Mar,75,;Apr,160,30;May,20,140;Jun,90,60");
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  {
    ChartSpec s = ChartOf(ChartType::kBar, "month", {"North", "South"});
    s.title = "Revenue by Month";
    s.x_axis_title = "Month";
    s.y_axis_title = "Revenue (k$)";
    s.legend = LegendPosition::kRight;
    cases.push_back({"bar",
                     s,
                     Sales(),
                     {"Revenue by Month", "Month", "Revenue (k$)", "Jan", "North", "South"}});
  }
  {
    ChartSpec s = ChartOf(ChartType::kBar, "month", {"North", "South"});
    s.title = "Stacked sideways";
    s.horizontal = true;
    s.stacked = true;
    cases.push_back({"hbar", s, Sales(), {"Stacked sideways", "May"}});
  }
  {
    std::string rows;
    const int month_days[] = {31, 29, 31, 30, 31};
    for (int d = 0, month = 0, day = 1; d < 120; ++d) {
      char date[32];
      std::snprintf(date, sizeof date, "2024-%02d-%02d", month + 1, day);
      if (++day > month_days[month]) {
        day = 1;
        ++month;
      }
      rows += (rows.empty() ? "" : ";") + std::string(date) + "," +
              std::to_string(50 + 30 * std::sin(d / 9.0)) + "," +
              (d % 17 == 5 ? "" : std::to_string(40 + d / 4.0));
    }
    ChartSpec s = ChartOf(ChartType::kLine, "day", {"index", "other"});
    s.title = "Daily index";
    s.markers = true;
    cases.push_back({"line",
                     s,
                     TableOf("day:date,index:float,other:float", rows),
                     {"Daily index", "index", "other"}});
    s.type = ChartType::kArea;
    s.stacked = true;
    s.title = "Stacked area";
    s.markers = false;
    cases.push_back(
        {"area", s, TableOf("day:date,index:float,other:float", rows), {"Stacked area"}});
  }
  {
    ChartSpec s = ChartOf(ChartType::kPie, "month", {"South"});
    s.title = "Share";
    s.legend = LegendPosition::kRight;
    cases.push_back({"pie", s, Sales(), {"Share", "Feb", "%"}});
    s.donut = 0.5;
    s.title = "Donut";
    cases.push_back({"donut", s, Sales(), {"Donut", "Feb"}});
  }
  {
    std::string rows;
    for (int i = 0; i < 400; ++i) {
      rows += (rows.empty() ? "" : ";") + std::to_string(i % 97) + "," +
              std::to_string((i * 37) % 101 - 20.5);
    }
    ChartSpec s = ChartOf(ChartType::kScatter, "size", {"margin"});
    s.title = "Size vs margin";
    cases.push_back(
        {"scatter", s, TableOf("size:float,margin:float", rows), {"Size vs margin", "margin"}});
    ChartSpec h = ChartOf(ChartType::kHistogram, "margin", {});
    h.title = "Margins";
    h.bins = 12;
    cases.push_back({"histogram", h, TableOf("size:float,margin:float", rows), {"Margins"}});
  }
  {
    ChartSpec s = ChartOf(ChartType::kBar, "city", {"sales"});
    s.title = "Umsätze 東京 مبيعات";
    s.horizontal = true;  // the labels read across, for pdftotext
    cases.push_back({"scripts",
                     s,
                     TableOf("city:text,sales:float",
                             "東京,30;القاهرة,20;Zürich,25;תל אביב,12;"
                             "A city with a name far too long to fit under its bar,8;"
                             "東京都渋谷区神宮前一丁目二十三番地四号の大変長い名前のお店,5"),
                     {"東京", "Zürich", "Umsätze", "…"}});
  }
  {
    ChartSpec s = ChartOf(ChartType::kLine, "month", {"a"});
    s.title = "Nothing yet";
    cases.push_back({"empty", s, TableOf("month:text,a:float", ""), {"Nothing yet", "No data"}});
  }
  return cases;
}

TEST(PdfCanvasTest, PopplerDrawsWhatCairoDraws) {
  TempDir dir;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const Written w = WritePdf(dir, c.name, c.spec, c.data);
    ASSERT_FALSE(w.pdf.empty());
    const std::string ppm = dir.File(c.name);
    const test::CommandResult r =
        RunCommand("pdftoppm -r 144 -singlefile '" + w.path + "' '" + ppm + "' 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, "") << "poppler complains";
    const Pixels poppler = ReadPpm(ppm + ".ppm");
    const Pixels cairo = CairoPixels(c.spec, c.data, 2);
    ASSERT_EQ(poppler.width, cairo.width);
    ASSERT_EQ(poppler.height, cairo.height);
    // Antialiasing differs at edges (poppler hints glyph outlines a
    // little): a few hundred pixels, and no 3 x 3 pt block on average.
    // Anything drawn differently shows as many far-off pixels, and a
    // label out of place (one turned the wrong way: 36 blocks) as blocks.
    const int total = cairo.width * cairo.height;
    const int off = Differing(poppler, cairo, 128);
    EXPECT_LT(off, total / 400) << off << " of " << total << " pixels differ by more than half";
    const int blocks = Differing(Blocks(poppler, 6), Blocks(cairo, 6), 32);
    EXPECT_LT(blocks, 12) << blocks << " blocks of 6 x 6 pixels differ by more than 32 on average";
  }
}

TEST(PdfCanvasTest, TextExtractsAndFontsAreEmbeddedSubsets) {
  TempDir dir;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const Written w = WritePdf(dir, c.name, c.spec, c.data);
    const std::string text = PdfText(w.path);
    EXPECT_TRUE(ContainsAll(text, c.words));
    EXPECT_EQ(PopplerComplaints(w.path), "");
    const std::string fonts = RunCommand("pdffonts '" + w.path + "' 2>&1").output;
    EXPECT_TRUE(ContainsAll(fonts, {"DejaVuSans-Bold", "CID TrueType", "Identity-H"})) << fonts;
    // Every font: embedded, a subset, with a ToUnicode map.
    int rows = 0;
    std::istringstream lines(fonts);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("CID TrueType") == std::string::npos) continue;
      ++rows;
      EXPECT_NE(line.find(" yes yes yes "), std::string::npos) << line;
      EXPECT_EQ(line[6], '+') << line;  // "ABCDEF+Name"
    }
    EXPECT_GE(rows, 1);
    // Every label cairo's PDF of the chart has, this one has: the same
    // characters, as many times. (Not where a label is cut: cairo's PDF
    // extracts the words its "…" hides, this one the "…".)
    if (c.name == "scripts") continue;
    const std::string cairo = dir.File(c.name + ".cairo.pdf");
    std::ofstream(cairo, std::ios::binary) << CairoPdf(c.spec, c.data);
    EXPECT_EQ(Characters(text), Characters(PdfText(cairo))) << text << "\n---\n" << PdfText(cairo);
  }
}

TEST(PdfCanvasTest, NonLatinTextKeepsItsFontAndWords) {
  TempDir dir;
  const Case c = Cases()[8];
  ASSERT_EQ(c.name, "scripts");
  const Written w = WritePdf(dir, c.name, c.spec, c.data);
  const std::string fonts = RunCommand("pdffonts '" + w.path + "' 2>&1").output;
  EXPECT_TRUE(ContainsAll(fonts, {"WenQuanYi", "DejaVuSans"})) << fonts;
  const std::string text = PdfText(w.path);
  // Right-to-left words come out in reading order, and the cut label ends
  // in its ellipsis, not in the words it hides.
  EXPECT_TRUE(ContainsAll(text, {"القاهرة", "תל", "A city", "東京都", "\xE2\x8B\xAF"})) << text;
  EXPECT_EQ(text.find("its bar"), std::string::npos) << text;
  EXPECT_EQ(text.find("お店"), std::string::npos) << text;
  const std::string info = RunCommand("pdfinfo '" + w.path + "' 2>&1").output;
  EXPECT_TRUE(ContainsAll(info, {"Umsätze 東京 مبيعات", "Pages:           1",
                                 "Page size:       480 x 300 pts", "Creator:         Quire"}))
      << info;
}

TEST(PdfCanvasTest, ClustersOfSeveralGlyphsExtractAsTheirText) {
  // Lao AM (U+0EB3) is drawn as two glyphs, NIGGAHITA and AA: the pair
  // stands for the one character as the PDF's ActualText, and neither glyph
  // maps to it alone (AA's own glyph must still read as AA elsewhere).
  TempDir dir;
  ChartSpec s = ChartOf(ChartType::kBar, "name", {"sales"});
  s.horizontal = true;
  s.title = "Names";
  const Table t = TableOf("name:text,sales:float",
                          "محمّد,3;مبيعات,4;q\xCC\x83uq,2;q,1;\xE0\xBA\x81\xE0\xBA\xB3,2;"
                          "\xE0\xBA\xB2,1");
  const Written w = WritePdf(dir, "marks", s, t);
  EXPECT_EQ(PopplerComplaints(w.path), "");
  const std::string text = PdfText(w.path);
  // Poppler breaks the Arabic words up around the mark as it does in
  // cairo's PDF; the characters are all there, in the same numbers.
  std::ofstream(dir.File("cairo.pdf"), std::ios::binary) << CairoPdf(s, t);
  EXPECT_EQ(Characters(text), Characters(PdfText(dir.File("cairo.pdf"))));
  EXPECT_TRUE(ContainsAll(text, {"مبيعات", "q\xCC\x83"})) << text;
  // The lone "q" is a q: the q of the q-tilde pair did not claim the tilde.
  std::istringstream words(text);
  int lone_q = 0;
  for (std::string word; words >> word;) lone_q += word == "q";
  EXPECT_EQ(lone_q, 1) << text;
  const std::string inflated = Inflated(w.pdf);
  EXPECT_NE(inflated.find("/ActualText <FEFF0EB3>"), std::string::npos);
  EXPECT_TRUE(ContainsAll(text, {"\xE0\xBA\x81\xE0\xBA\xB3", "\xE0\xBA\xB2"})) << text;
}

TEST(PdfCanvasTest, OnlyWhatIsUsedIsEmbedded) {
  // The whole DejaVu Sans is 740 KB; a chart's subset of it a few.
  const Case c = Cases()[0];
  StatusOr<std::string> pdf = RenderChartImage(c.spec, c.data, ImageFormat::kPdf);
  ASSERT_TRUE(pdf.ok());
  EXPECT_LT(pdf->size(), 20000u);
  EXPECT_EQ(pdf->rfind("%%EOF\n"), pdf->size() - 6);
  // The cross-reference table points at each object.
  const size_t startxref = pdf->rfind("startxref\n");
  ASSERT_NE(startxref, std::string::npos);
  const size_t xref = std::stoul(pdf->substr(startxref + 10));
  ASSERT_EQ(pdf->compare(xref, 5, "xref\n"), 0);
  std::istringstream table(pdf->substr(xref + 5));
  int first = -1, count = 0;
  table >> first >> count;
  EXPECT_EQ(first, 0);
  EXPECT_GT(count, 8);
  std::string offset, generation, kind;
  table >> offset >> generation >> kind;  // the free head
  for (int id = 1; id < count; ++id) {
    table >> offset >> generation >> kind;
    ASSERT_EQ(kind, "n");
    EXPECT_EQ(pdf->compare(std::stoul(offset), std::to_string(id).size() + 6,
                           std::to_string(id) + " 0 obj"),
              0)
        << "object " << id;
  }
}

TEST(PdfCanvasTest, ThreadsWriteTheSameBytes) {
  // Each thread has pango fonts of its own, and writes the same document.
  const Case c = Cases()[0];
  StatusOr<std::string> alone = RenderChartImage(c.spec, c.data, ImageFormat::kPdf);
  ASSERT_TRUE(alone.ok());
  std::vector<std::string> outputs(4);
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (size_t k = 0; k < outputs.size(); ++k) {
    threads.emplace_back([&c, &alone, &out = outputs[k], &same = same[k]] {
      for (int i = 0; i < 5; ++i) {
        StatusOr<std::string> pdf = RenderChartImage(c.spec, c.data, ImageFormat::kPdf);
        out = pdf.ok() ? *pdf : pdf.status().ToString();
        same += out == *alone;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t k = 0; k < outputs.size(); ++k) {
    EXPECT_EQ(same[k], 5) << "thread " << k << ": " << outputs[k].substr(0, 200);
  }
}

TEST(PdfCanvasTest, FontsWithoutTrueTypeOutlinesGoThroughCairo) {
  // Cantarell (fonts-cantarell) is OpenType with PostScript outlines: the
  // PdfCanvas refuses it, and the chart is written by cairo instead.
  TempDir dir;
  ChartTheme theme;
  theme.font_family = "Cantarell";
  const Case c = Cases()[0];
  PdfCanvas canvas(c.spec.width, c.spec.height);
  ASSERT_TRUE(DrawChart(canvas, c.spec, c.data, {0, 0, c.spec.width, c.spec.height}, theme).ok());
  const StatusOr<std::string> refused = canvas.Finish(c.spec.title);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(refused.status().message().find("Cantarell"), std::string::npos)
      << refused.status().message();

  StatusOr<std::string> pdf =
      RenderChartImage(c.spec, c.data, ImageFormat::kPdf, kDefaultImageDpi, theme);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  const std::string path = dir.File("cantarell.pdf");
  std::ofstream(path, std::ios::binary) << *pdf;
  EXPECT_EQ(PopplerComplaints(path), "");
  EXPECT_TRUE(ContainsAll(PdfText(path), c.words));
  const std::string fonts = RunCommand("pdffonts '" + path + "' 2>&1").output;
  EXPECT_TRUE(ContainsAll(fonts, {"Cantarell"})) << fonts;
}

}  // namespace
}  // namespace quire
