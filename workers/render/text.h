// Text on a cairo context through pango: one styled, optionally wrapped or
// ellipsized block of text, measured and drawn in user-space points. Shared
// by the charts and the document renderers so that all text is set the same
// way (font "DejaVu Sans", sizes in pt regardless of the surface).
//
// Not thread-safe per cairo context; distinct contexts may be used from
// distinct threads.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace quire {

// 0xRRGGBB.
struct Rgb {
  uint32_t hex = 0x000000;
};
void SetSourceRgb(cairo_t* cr, Rgb color);

enum class TextAlign { kLeft, kCenter, kRight };

struct TextStyle {
  const char* family = "DejaVu Sans";
  double size = 10;  // pt
  bool bold = false;
  bool italic = false;
  Rgb color{0x222222};
};

// A laid-out block of text. Lay out once, measure, then draw anywhere.
class TextBlock {
 public:
  // `width` > 0 sets the line width: text wraps at word boundaries, or is
  // cut with "…" when `ellipsize` is set (one line only). `width` <= 0 lays
  // the text out on its natural width. With `markup` the text is pango
  // markup (see EmphasisToMarkup); markup that does not parse is shown as
  // plain text.
  TextBlock(cairo_t* cr, std::string_view text, const TextStyle& style, double width = 0,
            TextAlign align = TextAlign::kLeft, bool ellipsize = false, bool markup = false);
  ~TextBlock();
  TextBlock(const TextBlock&) = delete;
  TextBlock& operator=(const TextBlock&) = delete;

  // Logical extents in pt.
  double width() const { return width_; }
  double height() const { return height_; }
  int line_count() const;

  // Draws with the top-left of the block at (x, y), rotated by `angle`
  // radians around that point (negative is counterclockwise on screen).
  void Draw(cairo_t* cr, double x, double y, double angle = 0) const;

  // Line-by-line access, for splitting a paragraph across pages.
  // Top and height of line `i` relative to the block's top, in pt.
  void LineExtents(int i, double* top, double* height) const;
  // Draws only line `i`, with the block's top-left at (x, y).
  void DrawLine(cairo_t* cr, int i, double x, double y) const;

 private:
  PangoLayout* layout_;
  Rgb color_;
  double width_ = 0;
  double height_ = 0;
};

// Template text emphasis as pango markup: **bold** -> <b>bold</b>, *italic*
// -> <i>italic</i>, everything else escaped. An unpaired marker stays as
// written.
std::string EmphasisToMarkup(std::string_view text);

}  // namespace quire
