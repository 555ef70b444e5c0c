// PdfFont: the glyphs a page uses, subset by HarfBuzz (font_subset.h), and
// the objects that embed them: Type 0 font, CIDFont with its width array,
// font descriptor, font file and ToUnicode map.
#include "report/render/internal/pdf_font.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace quire {

PdfFont::PdfFont(hb_face_t* face, int number)
    : face_(hb_face_reference(face)),
      metrics_(hb_font_create(face)),
      name_("/F" + std::to_string(number)),
      facts_(DescribeFont(face)) {}

PdfFont::~PdfFont() {
  hb_font_destroy(metrics_);
  hb_face_destroy(face_);
}

uint32_t PdfFont::GlyphOf(uint32_t c) const {
  hb_codepoint_t g = 0;
  return hb_font_get_nominal_glyph(metrics_, c, &g) ? g : 0;
}

double PdfFont::Use(uint32_t glyph, std::string_view text) {
  auto it = glyphs_.find(glyph);
  if (it == glyphs_.end()) {
    const double width =
        hb_font_get_glyph_h_advance(metrics_, glyph) * 1000.0 / facts_.units_per_em;
    it = glyphs_.emplace(glyph, Glyph{width, std::string()}).first;
  }
  if (it->second.text.empty() && !text.empty()) it->second.text = std::string(text);
  return it->second.width;
}

Status PdfFont::Write(PdfFile* file, int id) const {
  std::vector<uint32_t> glyphs;
  for (const auto& [g, info] : glyphs_) glyphs.push_back(g);
  const FontFacts& facts = facts_;
  StatusOr<std::string> subset = SubsetFont(face_, glyphs);
  if (!subset.ok()) {
    return Status::Internal("cannot embed the font " + facts.postscript_name + ": " +
                            subset.status().message());
  }
  // The subset's tag: six capitals from the glyphs it holds.
  uint32_t hash = 2166136261u;
  for (uint32_t g : glyphs) hash = (hash ^ g) * 16777619u;
  std::string base = "/";
  for (int i = 0; i < 6; ++i, hash /= 26) base += static_cast<char>('A' + hash % 26);
  base += "+" + facts.postscript_name;

  const int cid_font = file->Reserve(), descriptor = file->Reserve();
  const int font_file = file->Reserve(), to_unicode = file->Reserve();
  std::string& t0 = file->Begin(id);
  t0 += "<< /Type /Font /Subtype /Type0 /BaseFont " + base +
        " /Encoding /Identity-H /DescendantFonts [" + std::to_string(cid_font) +
        " 0 R] /ToUnicode " + std::to_string(to_unicode) + " 0 R >>\n";
  file->End();

  std::string& cid = file->Begin(cid_font);
  cid += "<< /Type /Font /Subtype /CIDFontType2 /BaseFont " + base +
         " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
         " /FontDescriptor " +
         std::to_string(descriptor) + " 0 R";
  cid += " /CIDToGIDMap /Identity /W [";
  for (auto it = glyphs_.begin(); it != glyphs_.end();) {
    // Consecutive glyph ids share one entry: first [w w ...].
    cid += std::to_string(it->first) + " [";
    uint32_t next = it->first;
    bool first = true;
    for (; it != glyphs_.end() && it->first == next; ++it, ++next) {
      if (!first) cid += ' ';
      first = false;
      AppendPdfNumber(&cid, it->second.width, 2);
    }
    cid += "] ";
  }
  cid += "] >>\n";
  file->End();

  const double k = 1000.0 / facts.units_per_em;
  std::string& d = file->Begin(descriptor);
  d += "<< /Type /FontDescriptor /FontName " + base + " /Flags " +
       std::to_string(facts.italic_angle != 0 ? 32 + 64 : 32) + " /FontBBox [";
  for (int v : {facts.x_min, facts.y_min, facts.x_max, facts.y_max}) {
    AppendPdfNumber(&d, v * k, 0);
    d += ' ';
  }
  d += "] /ItalicAngle ";
  AppendPdfNumber(&d, facts.italic_angle, 2);
  d += " /Ascent ";
  AppendPdfNumber(&d, facts.ascender * k, 0);
  d += " /Descent ";
  AppendPdfNumber(&d, facts.descender * k, 0);
  d += " /CapHeight ";
  AppendPdfNumber(&d, facts.cap_height * k, 0);
  d += " /StemV 80 ";
  d += "/FontFile2 " + std::to_string(font_file) + " 0 R >>\n";
  file->End();

  QUIRE_RETURN_IF_ERROR(
      file->Stream(font_file, *subset, " /Length1 " + std::to_string(subset->size())));

  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  std::vector<std::pair<uint32_t, std::string>> mapped;
  for (const auto& [g, info] : glyphs_) {
    if (!info.text.empty()) mapped.emplace_back(g, Utf16Hex(info.text));
  }
  for (size_t i = 0; i < mapped.size(); i += 100) {  // at most 100 to a block
    const size_t n = std::min<size_t>(100, mapped.size() - i);
    cmap += std::to_string(n) + " beginbfchar\n";
    for (size_t j = i; j < i + n; ++j) {
      cmap += '<';
      AppendHex4(&cmap, mapped[j].first);
      cmap += "> <" + mapped[j].second + ">\n";
    }
    cmap += "endbfchar\n";
  }
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return file->Stream(to_unicode, cmap);
}

}  // namespace quire
