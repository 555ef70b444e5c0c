// Text on a cairo context through pango: one styled, optionally wrapped or
// ellipsized block of text, measured and drawn in user-space points. Shared
// by the charts and the document renderers so that all text is set the same
// way (font "DejaVu Sans", sizes in pt regardless of the surface).
//
// Every layout of a thread shares one pango context with unhinted metrics,
// so text measures the same on every surface (PDF, PNG at any DPI, SVG,
// recording) and fonts are loaded once per thread, not once per block.
// TextBlocks are thread-confined: create, measure and draw one on one
// thread; distinct threads are independent.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace quire {

class Canvas;

// 0xRRGGBB.
struct Rgb {
  uint32_t hex = 0x000000;

  // The channels in [0, 1].
  double red() const { return ((hex >> 16) & 0xFF) / 255.0; }
  double green() const { return ((hex >> 8) & 0xFF) / 255.0; }
  double blue() const { return (hex & 0xFF) / 255.0; }
};
// `color` at opacity `alpha` in [0, 1] as the source of `cr`.
void SetSourceRgb(cairo_t* cr, Rgb color, double alpha = 1);

// OK for CAIRO_STATUS_SUCCESS; otherwise INTERNAL "`what`: cairo's reason".
Status CairoError(cairo_status_t status, const std::string& what);

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
  // `cr` is only where the block will be drawn; layout does not depend on
  // it. `width` > 0 sets the line width: text wraps at word boundaries, or is
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
  // The first line's baseline below the block's top, in pt.
  double baseline() const;

  // Draws with the top-left of the block at (x, y), rotated by `angle`
  // radians around that point (negative is counterclockwise on screen).
  void Draw(cairo_t* cr, double x, double y, double angle = 0) const;
  void Draw(Canvas& canvas, double x, double y, double angle = 0) const;

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

// A font for short runs of simple text — table cells, tick labels — set
// straight from the font's character map and advances, without pango's
// shaping, so that many runs can be batched into one cairo_show_glyphs call.
// Only for text that needs no shaping: anything beyond Latin (U+0000..U+024F,
// no control characters) or a character the font lacks is refused, and the
// caller falls back to a TextBlock. Kerning is not applied.
class GlyphFont {
 public:
  explicit GlyphFont(const TextStyle& style);
  ~GlyphFont();
  GlyphFont(const GlyphFont&) = delete;
  GlyphFont& operator=(const GlyphFont&) = delete;

  // Appends the glyphs of `text` with its baseline starting at (x, y) and
  // sets *advance to its width. False, appending nothing, when `text` needs
  // a TextBlock.
  bool Append(std::string_view text, double x, double y, std::vector<cairo_glyph_t>* out,
              double* advance) const;
  // The distance from the top of a line to the baseline, as a TextBlock of
  // the same style places it.
  double baseline() const { return baseline_; }
  // The height of one line, as a TextBlock of the same style measures it.
  double line_height() const { return line_height_; }
  // Shows `glyphs` in this font and colour.
  void Draw(cairo_t* cr, const std::vector<cairo_glyph_t>& glyphs) const;

  // The pango font behind it (null when none loaded), its size in pt and
  // its colour: what a PdfCanvas embeds and sets.
  PangoFont* pango_font() const { return pango_font_; }
  double size() const { return size_; }
  Rgb color() const { return color_; }

 private:
  PangoFont* pango_font_ = nullptr;      // owned reference
  cairo_scaled_font_t* font_ = nullptr;  // owned reference
  double size_ = 0;
  Rgb color_;
  double baseline_ = 0;
  double line_height_ = 0;
};

// Short one-line labels in one style — tick labels, legend entries, slice
// labels — measured and drawn as GlyphFont runs when the text allows and as
// TextBlocks otherwise, with the same line height and baseline either way.
// A chart sets dozens of labels; a pango layout for each (and often two:
// one to measure, one to draw) used to be most of the time it took to draw
// one. The style's GlyphFont is made once per thread and kept.
class LabelText {
 public:
  explicit LabelText(const TextStyle& style);

  // The natural width of `text`, pt.
  double Width(std::string_view text) const;
  // The height of a line, pt.
  double height() const { return font_->line_height(); }

  // Draws `text` with the top-left of its line at (x, y), turned by
  // `angle` radians around that point (negative is counterclockwise on
  // screen). When `max_width` > 0 it is the text's room: text that fits is
  // placed in it by `align`, wider text is cut with "…" to fill it.
  void Draw(Canvas& canvas, std::string_view text, double x, double y, double angle = 0,
            double max_width = 0, TextAlign align = TextAlign::kLeft) const;
  void Draw(cairo_t* cr, std::string_view text, double x, double y, double angle = 0,
            double max_width = 0, TextAlign align = TextAlign::kLeft) const;

 private:
  TextStyle style_;
  std::shared_ptr<const GlyphFont> font_;
};

// Template text emphasis as pango markup: **bold** -> <b>bold</b>, *italic*
// -> <i>italic</i>, everything else escaped. An unpaired marker stays as
// written.
std::string EmphasisToMarkup(std::string_view text);

}  // namespace quire
