// Canvas: what the charts draw on. The charts' drawing is a small part of
// cairo's model — a current path of lines, rectangles and arcs that is
// filled, stroked or clipped, in one colour at a time, under a transform
// saved and restored in a stack — plus runs of glyphs and pango layouts.
// Two canvases implement it:
//
//  - CairoCanvas draws on a cairo context: PNG and SVG images, and charts
//    on the pages of a report.
//  - PdfCanvas (pdf_canvas.h) writes a one-page PDF itself: a standalone
//    chart as a PDF, several times faster than cairo's PDF surface.
//
// Coordinates are user-space points, y down, as in cairo. Calls mean what
// the cairo functions of the same names mean.
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include <string_view>
#include <vector>

#include "report/canvas/text.h"

namespace quire {

class Canvas {
 public:
  virtual ~Canvas() = default;

  // The graphics state (transform, clip, colour, line style) stack.
  virtual void Save() = 0;
  virtual void Restore() = 0;
  virtual void Translate(double dx, double dy) = 0;
  virtual void Rotate(double radians) = 0;

  // The current path.
  virtual void NewPath() = 0;
  virtual void NewSubPath() = 0;
  virtual void MoveTo(double x, double y) = 0;
  virtual void LineTo(double x, double y) = 0;
  virtual void Rectangle(double x, double y, double width, double height) = 0;
  // Clockwise (y down) from angle a1 to a2, radians, joined to the current
  // point by a line when there is one; ArcNegative runs counterclockwise.
  virtual void Arc(double xc, double yc, double r, double a1, double a2) = 0;
  virtual void ArcNegative(double xc, double yc, double r, double a1, double a2) = 0;
  virtual void ClosePath() = 0;

  // Style.
  virtual void SetColor(Rgb color, double alpha = 1) = 0;
  virtual void SetLineWidth(double width) = 0;
  virtual void SetLineCap(cairo_line_cap_t cap) = 0;
  virtual void SetLineJoin(cairo_line_join_t join) = 0;
  virtual void SetDash(const std::vector<double>& dashes, double offset) = 0;

  // Painting. Fill, Stroke and Clip clear the path; FillPreserve keeps it.
  virtual void Fill() = 0;
  virtual void FillPreserve() = 0;
  virtual void Stroke() = 0;
  virtual void Clip() = 0;
  // Fills the whole clip.
  virtual void Paint() = 0;

  // Text. `glyphs` are `font`'s, set by GlyphFont::Append from `text`: one
  // glyph per character. A layout is drawn with its top-left at the origin.
  virtual void ShowGlyphs(const GlyphFont& font, const std::vector<cairo_glyph_t>& glyphs,
                          std::string_view text) = 0;
  virtual void ShowLayout(PangoLayout* layout, Rgb color) = 0;

  // Fills a disc of radius `r` at every finite (xs[i], ys[i]) faster than
  // paths would, where the canvas can; false (nothing drawn) where it
  // cannot. See FillMarkers (report/charts/marks.h).
  virtual bool StampMarkers(const std::vector<double>& /*xs*/, const std::vector<double>& /*ys*/,
                            double /*r*/) {
    return false;
  }
};

// A Canvas over a cairo context (not owned).
class CairoCanvas final : public Canvas {
 public:
  explicit CairoCanvas(cairo_t* cr) : cr_(cr) {}

  cairo_t* cr() const { return cr_; }

  void Save() override { cairo_save(cr_); }
  void Restore() override { cairo_restore(cr_); }
  void Translate(double dx, double dy) override { cairo_translate(cr_, dx, dy); }
  void Rotate(double radians) override { cairo_rotate(cr_, radians); }
  void NewPath() override { cairo_new_path(cr_); }
  void NewSubPath() override { cairo_new_sub_path(cr_); }
  void MoveTo(double x, double y) override { cairo_move_to(cr_, x, y); }
  void LineTo(double x, double y) override { cairo_line_to(cr_, x, y); }
  void Rectangle(double x, double y, double width, double height) override {
    cairo_rectangle(cr_, x, y, width, height);
  }
  void Arc(double xc, double yc, double r, double a1, double a2) override {
    cairo_arc(cr_, xc, yc, r, a1, a2);
  }
  void ArcNegative(double xc, double yc, double r, double a1, double a2) override {
    cairo_arc_negative(cr_, xc, yc, r, a1, a2);
  }
  void ClosePath() override { cairo_close_path(cr_); }
  void SetColor(Rgb color, double alpha) override;
  void SetLineWidth(double width) override { cairo_set_line_width(cr_, width); }
  void SetLineCap(cairo_line_cap_t cap) override { cairo_set_line_cap(cr_, cap); }
  void SetLineJoin(cairo_line_join_t join) override { cairo_set_line_join(cr_, join); }
  void SetDash(const std::vector<double>& dashes, double offset) override {
    cairo_set_dash(cr_, dashes.data(), static_cast<int>(dashes.size()), offset);
  }
  void Fill() override { cairo_fill(cr_); }
  void FillPreserve() override { cairo_fill_preserve(cr_); }
  void Stroke() override { cairo_stroke(cr_); }
  void Clip() override { cairo_clip(cr_); }
  void Paint() override { cairo_paint(cr_); }
  void ShowGlyphs(const GlyphFont& font, const std::vector<cairo_glyph_t>& glyphs,
                  std::string_view text) override;
  void ShowLayout(PangoLayout* layout, Rgb color) override;
  // On an image surface, under a transform without rotation: one marker
  // rendered once and stamped at whole device pixels into a mask painted
  // once, some thirty times faster than filling a path of circles.
  bool StampMarkers(const std::vector<double>& xs, const std::vector<double>& ys,
                    double r) override;

 private:
  cairo_t* cr_;
};

}  // namespace quire
