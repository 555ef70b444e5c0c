// Font subsets for PDFs written by Quire itself (PdfCanvas): the glyphs a
// document uses, cut out of a font by HarfBuzz's subsetter, and the facts
// about the font a PDF font descriptor states.
#pragma once

#include <hb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace quire {

// A font file holding `glyphs` (and .notdef) of `face` at their glyph ids,
// hinting, layout, naming and character-map tables dropped, for a face
// with TrueType outlines: tens of microseconds for a chart's glyphs, from a
// font of any size. Thread-safe. INTERNAL when HarfBuzz cannot subset the
// face.
StatusOr<std::string> SubsetFont(hb_face_t* face, const std::vector<uint32_t>& glyphs);

// How a face's glyphs are drawn: TrueType quadratic outlines ("glyf"),
// PostScript ones ("CFF "), or neither (bitmaps, colour layers or SVG).
enum class FontOutlines { kTrueType, kCff, kNone };

// What a PDF font descriptor and width array say about a face, in its own
// units (units_per_em a side).
struct FontFacts {
  std::string postscript_name;  // PDF-name safe; "Font" when the face has none
  unsigned units_per_em = 1000;
  int x_min = 0, y_min = 0, x_max = 0, y_max = 0;  // the font's bounding box
  int ascender = 0;
  int descender = 0;  // negative below the baseline
  int cap_height = 0;
  double italic_angle = 0;  // degrees, counterclockwise
  FontOutlines outlines = FontOutlines::kTrueType;
};
FontFacts DescribeFont(hb_face_t* face);

}  // namespace quire
