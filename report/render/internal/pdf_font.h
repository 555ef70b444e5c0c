// PdfFont: a font face as PdfCanvas embeds it — a CID-keyed TrueType font
// (Identity-H, glyph ids as CIDs) holding a subset of the glyphs the page
// shows (font_subset.h), their widths, and a ToUnicode map from each glyph
// to the text it stands for, so text can be searched and copied. Where the
// glyphs go on the page is the canvas's.
#pragma once

#include <hb.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "report/render/internal/font_subset.h"
#include "report/render/internal/pdf_file.h"

namespace quire {

// One font face used on the page: its glyphs, their widths (1000 to the
// em) and the text each stands for.
class PdfFont {
 public:
  // `face` (referenced while this lives), named /F<number> on the page.
  PdfFont(hb_face_t* face, int number);
  ~PdfFont();
  PdfFont(const PdfFont&) = delete;
  PdfFont& operator=(const PdfFont&) = delete;

  // Its resource name on the page.
  const std::string& name() const { return name_; }
  const FontFacts& facts() const { return facts_; }
  // The glyph of `c` in this font; 0 when it has none.
  uint32_t GlyphOf(uint32_t c) const;

  // Records that `glyph` is shown for `text` (the first text seen for a
  // glyph is kept); returns its width, 1000 to the em.
  double Use(uint32_t glyph, std::string_view text);

  // The font's objects: the Type 0 font `id`, its CIDFont, descriptor,
  // font file and ToUnicode map. INTERNAL when the face cannot be subset
  // (the message names the font).
  Status Write(PdfFile* file, int id) const;

 private:
  struct Glyph {
    double width;
    std::string text;
  };
  hb_face_t* face_;
  hb_font_t* metrics_;  // at units_per_em
  std::string name_;
  FontFacts facts_;
  std::map<uint32_t, Glyph> glyphs_;
};

}  // namespace quire
