// Font subsets through hb-subset, from a view of the face without the
// tables a PDF does not need.
#include "report/render/internal/font_subset.h"

#include <hb-ot.h>
#include <hb-subset.h>

#include <cstring>

namespace quire {
namespace {

// Tables a PDF viewer does not read from an embedded font: the glyphs are
// addressed by id (CIDToGIDMap /Identity) and placed by the content
// stream, so neither the character map nor layout or naming tables are
// needed. The hinting programs (cvt, fpgm, prep) stay: PDF asks for them
// when the font has them, and some fonts draw wrongly without them.
constexpr const char* kDropped[] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern",
                                    "morx", "kerx", "name", "post", "OS/2", "hdmx", "VDMX",
                                    "LTSH", "gasp", "cmap", "DSIG", "FFTM", "vhea", "vmtx",
                                    "VORG", "feat", "trak", "meta"};

// `face` without the tables in kDropped: a view, sharing the face's data.
// Without a character map the subsetter has no characters to map to the
// glyphs asked for, which is most of its work on a large font (0.6 ms on
// DejaVu Sans, against 0.05 ms without); HarfBuzz's alternative, a face
// prepared with hb_subset_preprocess, costs 6-55 ms and a copy of the font
// in memory per font and thread.
hb_blob_t* ReferenceKeptTable(hb_face_t* /*view*/, hb_tag_t tag, void* face) {
  for (const char* dropped : kDropped) {
    if (tag == hb_tag_from_string(dropped, 4)) return hb_blob_get_empty();
  }
  return hb_face_reference_table(static_cast<hb_face_t*>(face), tag);
}

// PDF names are at most 127 bytes; a subset's name has a 7-byte tag.
constexpr size_t kMaxNameLength = 100;

bool HasTable(hb_face_t* face, const char* tag) {
  hb_blob_t* blob = hb_face_reference_table(face, hb_tag_from_string(tag, 4));
  const bool has = hb_blob_get_length(blob) > 0;
  hb_blob_destroy(blob);
  return has;
}

int16_t I16(const char* p) {
  return static_cast<int16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

}  // namespace

StatusOr<std::string> SubsetFont(hb_face_t* face, const std::vector<uint32_t>& glyphs) {
  hb_subset_input_t* input = hb_subset_input_create_or_fail();
  if (input == nullptr) return Status::Internal("cannot start the font subsetter");
  hb_set_t* glyph_set = hb_subset_input_glyph_set(input);
  hb_set_add(glyph_set, 0);
  for (uint32_t g : glyphs) hb_set_add(glyph_set, g);
  hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_RETAIN_GIDS | HB_SUBSET_FLAGS_NO_HINTING |
                                       HB_SUBSET_FLAGS_NOTDEF_OUTLINE);
  hb_face_t* view = hb_face_create_for_tables(ReferenceKeptTable, hb_face_reference(face),
                                              reinterpret_cast<hb_destroy_func_t>(hb_face_destroy));
  hb_face_t* subset = hb_subset_or_fail(view, input);
  hb_face_destroy(view);
  hb_subset_input_destroy(input);
  if (subset == nullptr) return Status::Internal("the font subsetter failed");
  hb_blob_t* blob = hb_face_reference_blob(subset);
  unsigned length = 0;
  const char* data = hb_blob_get_data(blob, &length);
  std::string out(data != nullptr ? data : "", data != nullptr ? length : 0);
  hb_blob_destroy(blob);
  hb_face_destroy(subset);
  if (out.empty()) return Status::Internal("the font subsetter produced nothing");
  return out;
}

FontFacts DescribeFont(hb_face_t* face) {
  FontFacts f;
  f.units_per_em = hb_face_get_upem(face);
  if (f.units_per_em == 0) f.units_per_em = 1000;
  char name[128];
  unsigned size = sizeof name;
  if (hb_ot_name_get_utf8(face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &size, name) >
      0) {
    for (const char* p = name; *p != '\0'; ++p) {
      const unsigned char c = static_cast<unsigned char>(*p);
      // PDF name characters, without the delimiters and '#'.
      if (c > 0x20 && c < 0x7F && std::strchr("()<>[]{}/%#", c) == nullptr) {
        f.postscript_name += static_cast<char>(c);
      }
    }
  }
  if (f.postscript_name.size() > kMaxNameLength) f.postscript_name.resize(kMaxNameLength);
  if (f.postscript_name.empty()) f.postscript_name = "Font";
  hb_blob_t* head = hb_face_reference_table(face, HB_TAG('h', 'e', 'a', 'd'));
  unsigned head_length = 0;
  const char* h = hb_blob_get_data(head, &head_length);
  if (h != nullptr && head_length >= 44) {
    f.x_min = I16(h + 36);
    f.y_min = I16(h + 38);
    f.x_max = I16(h + 40);
    f.y_max = I16(h + 42);
  }
  hb_blob_destroy(head);
  hb_font_t* font = hb_font_create(face);  // scaled to units_per_em
  hb_position_t v = 0;
  if (hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &v)) f.ascender = v;
  if (hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &v)) {
    f.descender = v;
  }
  f.cap_height = hb_ot_metrics_get_position(font, HB_OT_METRICS_TAG_CAP_HEIGHT, &v)
                     ? v
                     : static_cast<int>(f.ascender * 0.7);
  f.italic_angle = hb_style_get_value(font, HB_STYLE_TAG_SLANT_ANGLE);
  hb_font_destroy(font);
  // Colour glyphs (layers, SVG, bitmaps) are not in the outlines a PDF
  // font program draws: such a font counts as having none.
  const bool colour =
      hb_ot_color_has_layers(face) || hb_ot_color_has_svg(face) || hb_ot_color_has_png(face);
  f.outlines = colour                   ? FontOutlines::kNone
               : HasTable(face, "glyf") ? FontOutlines::kTrueType
               : HasTable(face, "CFF ") ? FontOutlines::kCff
                                        : FontOutlines::kNone;
  return f;
}

}  // namespace quire
