// Font subsets and facts (font_subset.h): which outlines a face has, what
// DejaVu Sans states, and a subset holding the glyphs asked for at their
// ids and nothing else.
#include "report/render/internal/font_subset.h"

#include <gtest/gtest.h>
#include <hb.h>

#include <string>
#include <utility>
#include <vector>

namespace quire {
namespace {

// A face made of the given tables (empty ones), as HarfBuzz builds it.
hb_face_t* FaceWith(const std::vector<const char*>& tags) {
  hb_face_t* face = hb_face_builder_create();
  static const char kBytes[4] = {0, 0, 0, 0};
  for (const char* tag : tags) {
    hb_blob_t* blob =
        hb_blob_create(kBytes, sizeof kBytes, HB_MEMORY_MODE_READONLY, nullptr, nullptr);
    hb_face_builder_add_table(face, hb_tag_from_string(tag, 4), blob);
    hb_blob_destroy(blob);
  }
  hb_blob_t* built = hb_face_reference_blob(face);
  hb_face_destroy(face);
  hb_face_t* out = hb_face_create(built, 0);
  hb_blob_destroy(built);
  return out;
}

TEST(FontSubsetTest, TellsTrueTypeFromPostScriptAndBitmapFaces) {
  // Vectors, not initializer_lists: a list's array would end with the
  // full-expression that builds the cases (AddressSanitizer caught it).
  for (const auto& [tags, want] :
       std::vector<std::pair<std::vector<const char*>, FontOutlines>>{
           {{"head", "glyf", "loca"}, FontOutlines::kTrueType},
           {{"head", "CFF "}, FontOutlines::kCff},
           {{"head", "CFF2"}, FontOutlines::kNone},
           {{"head", "CBDT", "CBLC"}, FontOutlines::kNone}}) {
    hb_face_t* face = FaceWith(tags);
    EXPECT_EQ(DescribeFont(face).outlines, want) << tags.front() << " " << tags.size();
    hb_face_destroy(face);
  }
  hb_blob_t* blob = hb_blob_create_from_file("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
  hb_face_t* dejavu = hb_face_create(blob, 0);
  hb_blob_destroy(blob);
  const FontFacts facts = DescribeFont(dejavu);
  EXPECT_EQ(facts.outlines, FontOutlines::kTrueType);
  EXPECT_EQ(facts.postscript_name, "DejaVuSans");
  EXPECT_EQ(facts.units_per_em, 2048u);
  EXPECT_GT(facts.ascender, 0);
  EXPECT_LT(facts.descender, 0);
  EXPECT_LT(facts.x_min, 0);
  EXPECT_GT(facts.y_max, facts.ascender / 2);
  // A subset holds the glyphs asked for, at their ids, and not the rest.
  StatusOr<std::string> subset = SubsetFont(dejavu, {36, 68});
  ASSERT_TRUE(subset.ok()) << subset.status().ToString();
  EXPECT_LT(subset->size(), 5000u);
  hb_blob_t* sub_blob = hb_blob_create(subset->data(), static_cast<unsigned>(subset->size()),
                                       HB_MEMORY_MODE_READONLY, nullptr, nullptr);
  hb_face_t* sub = hb_face_create(sub_blob, 0);
  hb_font_t* font = hb_font_create(sub);
  hb_font_t* full = hb_font_create(dejavu);
  EXPECT_EQ(hb_face_get_glyph_count(sub), 69u);  // ids kept: up to the largest
  hb_glyph_extents_t a{}, b{};
  EXPECT_TRUE(hb_font_get_glyph_extents(font, 36, &a));
  EXPECT_TRUE(hb_font_get_glyph_extents(full, 36, &b));
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_TRUE(hb_font_get_glyph_extents(font, 40, &a));
  EXPECT_EQ(a.width, 0);  // dropped: an empty glyph
  hb_font_destroy(full);
  hb_font_destroy(font);
  hb_face_destroy(sub);
  hb_blob_destroy(sub_blob);
  hb_face_destroy(dejavu);
}

}  // namespace
}  // namespace quire
