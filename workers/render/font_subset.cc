// Font subsets through hb-subset, from faces prepared once per process.
#include "workers/render/font_subset.h"

#include <hb-ot.h>
#include <hb-subset.h>

#include <cstring>
#include <map>
#include <mutex>

namespace quire {
namespace {

constexpr size_t kMaxPrepared = 32;

// Tables a PDF viewer does not read from an embedded font: the glyphs are
// addressed by id (CIDToGIDMap /Identity) and placed by the content
// stream, so neither the character map nor layout, naming or hinting
// tables are needed.
constexpr const char* kDropped[] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern",
                                    "morx", "kerx", "name", "post", "OS/2", "hdmx", "VDMX",
                                    "LTSH", "gasp", "cvt ", "fpgm", "prep", "cmap", "DSIG",
                                    "FFTM", "vhea", "vmtx", "VORG", "feat", "trak", "meta"};

// The prepared (hb_subset_preprocess) face of each font subset so far,
// referenced, by the font's key (its file and index): every thread's pango
// font map opens the same file as a face of its own, and one prepared face
// serves them all (HarfBuzz faces are safe to share between threads). The
// least recently used is dropped past kMaxPrepared.
class PreparedFaces {
 public:
  // A new reference to the prepared face of `face`, known as `key`.
  hb_face_t* Get(hb_face_t* face, const std::string& key) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = prepared_.find(key);
      if (it != prepared_.end()) {
        it->second.last_use = ++uses_;
        return hb_face_reference(it->second.face);
      }
    }
    hb_face_t* prepared = hb_subset_preprocess(face);  // outside the lock: slow
    // HarfBuzz 6 hands back `face` itself, unreferenced, when it cannot
    // prepare it: then `face` is used as it is, under a reference of ours
    // (a later HarfBuzz that references it would leak one reference).
    if (prepared == face) hb_face_reference(face);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = prepared_.find(key);
    if (it != prepared_.end()) {  // another thread was quicker
      hb_face_destroy(prepared);
    } else {
      if (prepared_.size() >= kMaxPrepared) {
        auto oldest = prepared_.begin();
        for (auto i = prepared_.begin(); i != prepared_.end(); ++i) {
          if (i->second.last_use < oldest->second.last_use) oldest = i;
        }
        hb_face_destroy(oldest->second.face);  // users hold references of their own
        prepared_.erase(oldest);
      }
      it = prepared_.emplace(key, Entry{prepared, 0}).first;
    }
    it->second.last_use = ++uses_;
    return hb_face_reference(it->second.face);
  }

 private:
  struct Entry {
    hb_face_t* face;
    uint64_t last_use;
  };
  std::mutex mu_;
  std::map<std::string, Entry> prepared_;
  uint64_t uses_ = 0;
};

PreparedFaces& Prepared() {
  static auto* faces = new PreparedFaces();  // never destroyed: used until exit
  return *faces;
}

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

StatusOr<std::string> SubsetFont(hb_face_t* face, const std::string& key,
                                 const std::vector<uint32_t>& glyphs) {
  hb_subset_input_t* input = hb_subset_input_create_or_fail();
  if (input == nullptr) return Status::Internal("cannot start the font subsetter");
  hb_set_t* glyph_set = hb_subset_input_glyph_set(input);
  hb_set_add(glyph_set, 0);
  for (uint32_t g : glyphs) hb_set_add(glyph_set, g);
  hb_set_t* drop = hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
  for (const char* tag : kDropped) hb_set_add(drop, hb_tag_from_string(tag, 4));
  hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_RETAIN_GIDS | HB_SUBSET_FLAGS_NO_HINTING |
                                       HB_SUBSET_FLAGS_NOTDEF_OUTLINE |
                                       HB_SUBSET_FLAGS_DESUBROUTINIZE);
  hb_face_t* prepared = Prepared().Get(face, key);
  hb_face_t* subset = hb_subset_or_fail(prepared, input);
  hb_face_destroy(prepared);
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
  f.outlines = HasTable(face, "glyf")   ? FontOutlines::kTrueType
               : HasTable(face, "CFF ") ? FontOutlines::kCff
                                        : FontOutlines::kNone;
  return f;
}

}  // namespace quire
