// PdfCanvas: a Canvas that writes a one-page PDF itself — a standalone
// chart, as the RenderChart rpc makes them.
//
// Why not cairo's PDF surface: for a chart, cairo records every operation,
// replays it to analyse it (an exact stroke outline per stroke, for the
// extents), replays it again to write it, prints every number through
// snprintf("%f"), deflates every stream at level 6 and subsets each font
// with its own TrueType subsetter. A chart took it 0.8 ms (bar) to 4.5 ms
// (1,000-point scatter). Charts need little of what that machinery is for:
// paths in one colour at a time, rectangles, arcs, clips, glyph runs. This
// writes them straight into the content stream (numbers printed as scaled
// integers, streams deflated by libdeflate: pdf_file.h), the fonts subset
// by HarfBuzz and embedded as CID-keyed TrueType fonts (pdf_font.h). Same
// drawing code, same fonts, same geometry: poppler's rendering of its PDF
// matches cairo's PNG of the chart (tests).
//
// What it does not do, and charts do not ask of it: transforms while a path
// is being built (a path is written in the user space it is painted in),
// images, gradients, operators other than OVER. Fontconfig's synthetic
// bold and oblique (a family without those faces: CJK fonts) are drawn as
// cairo draws them, stroked and slanted.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "report/canvas/canvas.h"

namespace quire {

class PdfFont;

class PdfCanvas final : public Canvas {
 public:
  // A page `width` x `height` pt.
  PdfCanvas(double width, double height);
  ~PdfCanvas() override;
  PdfCanvas(const PdfCanvas&) = delete;
  PdfCanvas& operator=(const PdfCanvas&) = delete;

  // The whole document, fonts embedded, with `title` in its metadata.
  // UNIMPLEMENTED for a font without TrueType outlines (PostScript-flavoured
  // OpenType, bitmap or colour fonts) or an instance of a variable font
  // other than its default: draw the chart with cairo instead. INTERNAL
  // when a font cannot be subset. The message names the font.
  StatusOr<std::string> Finish(std::string_view title);

  void Save() override;
  void Restore() override;
  void Translate(double dx, double dy) override;
  void Rotate(double radians) override;
  void NewPath() override;
  void NewSubPath() override { has_point_ = false; }
  void MoveTo(double x, double y) override;
  void LineTo(double x, double y) override;
  void Rectangle(double x, double y, double width, double height) override;
  void Arc(double xc, double yc, double r, double a1, double a2) override;
  void ArcNegative(double xc, double yc, double r, double a1, double a2) override;
  void ClosePath() override;
  void SetColor(Rgb color, double alpha) override;
  void SetLineWidth(double width) override { state_.line.width = width; }
  void SetLineCap(cairo_line_cap_t cap) override { state_.line.cap = cap; }
  void SetLineJoin(cairo_line_join_t join) override { state_.line.join = join; }
  void SetDash(const std::vector<double>& dashes, double offset) override;
  void Fill() override;
  void FillPreserve() override;
  void Stroke() override;
  void Clip() override;
  void Paint() override;
  void ShowGlyphs(const GlyphFont& font, const std::vector<cairo_glyph_t>& glyphs,
                  std::string_view text) override;
  void ShowLayout(PangoLayout* layout, Rgb color) override;
  bool StampMarkers(const std::vector<double>& xs, const std::vector<double>& ys,
                    double r) override;

 private:
  struct Placed {
    uint32_t glyph;
    double x, y;
    int span = 0;           // > 0: the first of `span` glyphs standing for `text`
    std::string_view text;  // as one /ActualText span
  };
  // How lines are stroked.
  struct LineStyle {
    double width = 2;
    cairo_line_cap_t cap = CAIRO_LINE_CAP_BUTT;
    cairo_line_join_t join = CAIRO_LINE_JOIN_MITER;
    std::vector<double> dash;
    double dash_offset = 0;
    bool operator==(const LineStyle& o) const {
      return width == o.width && cap == o.cap && join == o.join && dash == o.dash &&
             dash_offset == o.dash_offset;
    }
  };
  // The canvas's graphics state, and what the PDF's holds (written).
  struct State {
    Rgb color;
    double alpha = 1;
    LineStyle line;

    int pdf_fill = -1;  // 0xRRGGBB written with rg; -1 none yet
    int pdf_stroke = -1;
    double pdf_alpha = 1;
    LineStyle pdf_line{1, CAIRO_LINE_CAP_BUTT, CAIRO_LINE_JOIN_MITER, {}, 0};  // PDF's defaults
  };

  void ArcPath(double xc, double yc, double r, double a1, double sweep);
  void WriteFillState(Rgb color, double alpha);
  void WriteStrokeState();
  void WriteAlpha(double alpha);
  void WritePath(std::string_view op);
  // A run of `font`'s glyphs, as pango's `source` font draws them (with
  // its synthetic emboldening or slant).
  void WriteGlyphs(PdfFont* font, PangoFont* source, double size, Rgb color,
                   const std::vector<Placed>& glyphs);
  PdfFont* FontOf(PangoFont* font);
  // Each of `vs` and a space, into the content stream.
  void Numbers(std::initializer_list<double> vs);
  // `color` and a colour operator (rg: fill, RG: stroke).
  void ColorOp(Rgb color, const char* op);
  // A path operator after its operands.
  void PathOp(std::initializer_list<double> vs, const char* op);

  double width_, height_;
  std::string content_;
  std::string path_;
  bool has_point_ = false;
  double x_ = 0, y_ = 0;              // the current point
  double start_x_ = 0, start_y_ = 0;  // the current sub-path's start
  State state_;
  std::vector<State> saved_;
  std::vector<double> alphas_;  // ExtGState /a<i>
  std::vector<std::unique_ptr<PdfFont>> fonts_;
  std::map<const void*, PdfFont*> font_of_face_;  // by hb_face_t
  std::string unsupported_;                       // what makes Finish UNIMPLEMENTED; empty: nothing
};

}  // namespace quire
