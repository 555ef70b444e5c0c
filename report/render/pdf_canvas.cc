// PdfCanvas: a chart's drawing written as a PDF content stream, its fonts
// subset and embedded as CID-keyed TrueType fonts (Identity-H, glyph ids
// as CIDs) with ToUnicode maps, so text can be searched and copied.
#include "report/render/pdf_canvas.h"

#include <fontconfig/fontconfig.h>
#include <hb-ot.h>
#include <hb.h>
#include <libdeflate.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-font.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "report/render/font_subset.h"

namespace quire {

// Far beyond any page; and, with six decimals, far within int64_t.
constexpr double kMaxPdfNumber = 1e9;

void AppendPdfNumber(std::string* out, double v, int decimals) {
  static constexpr int64_t kScale[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (!std::isfinite(v)) v = 0;
  decimals = std::clamp(decimals, 0, 6);
  const int64_t scale = kScale[decimals];
  if (std::fabs(v) > kMaxPdfNumber) v = std::copysign(kMaxPdfNumber, v);
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  const int64_t scaled = std::llround(v * static_cast<double>(scale));
  uint64_t magnitude = scaled < 0 ? static_cast<uint64_t>(-scaled) : static_cast<uint64_t>(scaled);
  uint64_t whole = magnitude / static_cast<uint64_t>(scale);
  uint64_t fraction = magnitude % static_cast<uint64_t>(scale);
  if (fraction != 0) {
    int digits = decimals;
    while (fraction % 10 == 0) {  // trailing zeros
      fraction /= 10;
      --digits;
    }
    for (int i = 0; i < digits; ++i, fraction /= 10) *--p = static_cast<char>('0' + fraction % 10);
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (scaled < 0) *--p = '-';
  out->append(p, end);
}

namespace {

constexpr double kArcStep = M_PI / 2;  // the most one Bézier segment spans
constexpr double kPaintExtent = 1e5;   // pt: Paint fills this much around the origin
constexpr double kGlyphSlack = 0.01;   // text-space units a glyph may sit off its advance
// Path coordinates to a hundredth of a point (a sixth of a pixel at 1200
// dpi): a scatter chart's thousands of them are most of its content.
constexpr int kPathDecimals = 2;
// Streams are deflated by libdeflate at its level 1: on a scatter chart's
// 34 KB of coordinates, half the instructions of zlib at level 1 (zlib's
// bit output alone is ~65 instructions a byte) and 14% smaller; zlib's
// level 6, which cairo uses, takes five times as many.
constexpr int kDeflateLevel = 1;

void AppendHex4(std::string* out, uint32_t v) {
  static const char kHex[] = "0123456789ABCDEF";
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(v >> shift) & 0xF]);
}

// How far an arc from one angle to another `turn` radians on turns, as
// cairo takes it: whole turns added to a negative turn, more than two
// turns cut to between one and two.
double ArcSweep(double turn) {
  if (turn < 0) turn += 2 * M_PI * std::ceil(-turn / (2 * M_PI));
  if (turn > 4 * M_PI) turn = std::fmod(turn, 2 * M_PI) + 2 * M_PI;
  return turn;
}

// UTF-16BE hex of UTF-8 `text` (invalid bytes as U+FFFD).
std::string Utf16Hex(std::string_view text) {
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  glong units = 0;
  gunichar2* utf16 = g_utf8_to_utf16(valid, -1, nullptr, &units, nullptr);
  std::string out;
  for (glong i = 0; utf16 != nullptr && i < units; ++i) AppendHex4(&out, utf16[i]);
  g_free(utf16);
  g_free(valid);
  return out;
}

// A PDF file being written: numbered objects and their offsets.
class PdfFile {
 public:
  PdfFile() { out_ = "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n"; }

  // Reserves an object number (written later with Begin).
  int Reserve() {
    offsets_.push_back(0);
    return static_cast<int>(offsets_.size());
  }
  std::string& Begin(int id) {
    offsets_[static_cast<size_t>(id - 1)] = out_.size();
    out_ += std::to_string(id) + " 0 obj\n";
    return out_;
  }
  void End() { out_ += "endobj\n"; }
  // A deflated stream object with `extra` dictionary entries.
  Status Stream(int id, std::string_view data, const std::string& extra = "") {
    std::string z;
    QUIRE_RETURN_IF_ERROR(Deflate(data, &z));
    std::string& o = Begin(id);
    o += "<< /Length " + std::to_string(z.size()) + " /Filter /FlateDecode" + extra +
         " >>\nstream\n";
    o += z;
    o += "\nendstream\n";
    End();
    return Status::OK();
  }
  std::string Finish(int root, int info) {
    const size_t xref = out_.size();
    out_ += "xref\n0 " + std::to_string(offsets_.size() + 1) + "\n0000000000 65535 f \n";
    char line[32];
    for (size_t offset : offsets_) {
      std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
      out_ += line;
    }
    out_ += "trailer\n<< /Size " + std::to_string(offsets_.size() + 1) + " /Root " +
            std::to_string(root) + " 0 R /Info " + std::to_string(info) + " 0 R >>\nstartxref\n" +
            std::to_string(xref) + "\n%%EOF\n";
    return std::move(out_);
  }
  ~PdfFile() {
    if (deflater_ != nullptr) libdeflate_free_compressor(deflater_);
  }

 private:
  // `data` as a zlib stream (what /FlateDecode reads).
  Status Deflate(std::string_view data, std::string* out) {
    if (deflater_ == nullptr) deflater_ = libdeflate_alloc_compressor(kDeflateLevel);
    if (deflater_ == nullptr) return Status::Internal("cannot start deflate");
    out->resize(libdeflate_zlib_compress_bound(deflater_, data.size()));
    const size_t n =
        libdeflate_zlib_compress(deflater_, data.data(), data.size(), out->data(), out->size());
    if (n == 0) return Status::Internal("deflate failed");
    out->resize(n);
    return Status::OK();
  }

  std::string out_;
  std::vector<size_t> offsets_;
  libdeflate_compressor* deflater_ = nullptr;
};

// What fontconfig asked of a font that its face does not have: emboldening
// (a bold of a family without one) and a slant or other transform (an
// oblique). Cairo draws them; so must the PDF.
struct Synthetic {
  bool embolden = false;
  double xx = 1, xy = 0, yx = 0, yy = 1;  // the glyph transform, y up
};

Synthetic SyntheticOf(PangoFont* font) {
  Synthetic s;
  if (font == nullptr || !PANGO_IS_FC_FONT(font)) return s;
  FcPattern* pattern = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
  if (pattern == nullptr) return s;
  FcBool embolden = FcFalse;
  if (FcPatternGetBool(pattern, FC_EMBOLDEN, 0, &embolden) == FcResultMatch) {
    s.embolden = embolden == FcTrue;
  }
  // Every matrix in the pattern applies, one after another (as pango and
  // cairo take them).
  FcMatrix total;
  FcMatrixInit(&total);
  FcMatrix* m = nullptr;
  for (int i = 0; FcPatternGetMatrix(pattern, FC_MATRIX, i, &m) == FcResultMatch; ++i) {
    if (m == nullptr) break;
    FcMatrix product;
    FcMatrixMultiply(&product, &total, m);
    total = product;
  }
  s.xx = total.xx;
  s.xy = total.xy;
  s.yx = total.yx;
  s.yy = total.yy;
  return s;
}

}  // namespace

// One font face used on the page: its glyphs, their widths (1000 to the
// em) and the text each stands for.
class PdfCanvas::Font {
 public:
  Font(hb_face_t* face, int number)
      : face_(hb_face_reference(face)),
        metrics_(hb_font_create(face)),
        name_("/F" + std::to_string(number)),
        facts_(DescribeFont(face)) {}
  ~Font() {
    hb_font_destroy(metrics_);
    hb_face_destroy(face_);
  }

  // Its resource name on the page.
  const std::string& name() const { return name_; }
  const FontFacts& facts() const { return facts_; }
  // The glyph of `c` in this font; 0 when it has none.
  uint32_t GlyphOf(uint32_t c) const {
    hb_codepoint_t g = 0;
    return hb_font_get_nominal_glyph(metrics_, c, &g) ? g : 0;
  }

  // Records that `glyph` is shown for `text` (the first text seen for a
  // glyph is kept); returns its width, 1000 to the em.
  double Use(uint32_t glyph, std::string_view text) {
    auto it = glyphs_.find(glyph);
    if (it == glyphs_.end()) {
      const double width =
          hb_font_get_glyph_h_advance(metrics_, glyph) * 1000.0 / facts_.units_per_em;
      it = glyphs_.emplace(glyph, Glyph{width, std::string()}).first;
    }
    if (it->second.text.empty() && !text.empty()) it->second.text = std::string(text);
    return it->second.width;
  }

  // The font's objects: the Type 0 font `id`, its CIDFont, descriptor,
  // font file and ToUnicode map.
  Status Write(PdfFile* file, int id) const {
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

PdfCanvas::PdfCanvas(double width, double height) : width_(width), height_(height) {
  // cairo's user space: the origin at the top left, y down.
  content_ = "1 0 0 -1 0 ";
  AppendPdfNumber(&content_, height);
  content_ += " cm\n";
}

PdfCanvas::~PdfCanvas() = default;

void PdfCanvas::Numbers(std::initializer_list<double> vs) {
  for (double v : vs) {
    AppendPdfNumber(&content_, v);
    content_ += ' ';
  }
}

void PdfCanvas::ColorOp(Rgb color, const char* op) {
  Numbers({color.red(), color.green(), color.blue()});
  content_ += op;
  content_ += '\n';
}

void PdfCanvas::PathOp(std::initializer_list<double> vs, const char* op) {
  for (double v : vs) {
    AppendPdfNumber(&path_, v, kPathDecimals);
    path_ += ' ';
  }
  path_ += op;
  path_ += '\n';
}

void PdfCanvas::Save() {
  saved_.push_back(state_);
  content_ += "q\n";
}

void PdfCanvas::Restore() {
  if (saved_.empty()) return;
  state_ = std::move(saved_.back());
  saved_.pop_back();
  content_ += "Q\n";
}

void PdfCanvas::Translate(double dx, double dy) {
  content_ += "1 0 0 1 ";
  Numbers({dx, dy});
  content_ += "cm\n";
}

void PdfCanvas::Rotate(double radians) {
  const double c = std::cos(radians), s = std::sin(radians);
  // Six decimals: a rotation's terms are read against lengths of hundreds.
  for (double v : {c, s, -s, c}) {
    AppendPdfNumber(&content_, v, 6);
    content_ += ' ';
  }
  content_ += "0 0 cm\n";
}

void PdfCanvas::NewPath() {
  path_.clear();
  has_point_ = false;
}

void PdfCanvas::MoveTo(double x, double y) {
  PathOp({x, y}, "m");
  has_point_ = true;
}

void PdfCanvas::LineTo(double x, double y) {
  if (!has_point_) {
    MoveTo(x, y);
    return;
  }
  PathOp({x, y}, "l");
}

void PdfCanvas::Rectangle(double x, double y, double width, double height) {
  PathOp({x, y, width, height}, "re");
  has_point_ = true;
}

void PdfCanvas::ArcPath(double xc, double yc, double r, double a1, double sweep) {
  if (!(r > 0)) {
    LineTo(xc, yc);
    return;
  }
  const double x0 = xc + r * std::cos(a1), y0 = yc + r * std::sin(a1);
  if (has_point_) {
    LineTo(x0, y0);
  } else {
    MoveTo(x0, y0);
  }
  const int n = std::max(1, static_cast<int>(std::ceil(std::fabs(sweep) / kArcStep - 1e-9)));
  const double step = sweep / n;
  const double k = 4.0 / 3.0 * std::tan(step / 4) * r;
  double a = a1;
  for (int i = 0; i < n; ++i) {
    const double b = a + step;
    const double ca = std::cos(a), sa = std::sin(a), cb = std::cos(b), sb = std::sin(b);
    PathOp({xc + r * ca - k * sa, yc + r * sa + k * ca, xc + r * cb + k * sb, yc + r * sb - k * cb,
            xc + r * cb, yc + r * sb},
           "c");
    a = b;
  }
}

void PdfCanvas::Arc(double xc, double yc, double r, double a1, double a2) {
  const double sweep = ArcSweep(a2 - a1);
  if (std::isfinite(sweep)) ArcPath(xc, yc, r, a1, sweep);
}

void PdfCanvas::ArcNegative(double xc, double yc, double r, double a1, double a2) {
  const double sweep = ArcSweep(a1 - a2);
  if (std::isfinite(sweep)) ArcPath(xc, yc, r, a1, -sweep);
}

void PdfCanvas::ClosePath() {
  if (!has_point_) return;
  path_ += "h\n";
}

void PdfCanvas::SetColor(Rgb color, double alpha) {
  state_.color = color;
  state_.alpha = std::clamp(std::isfinite(alpha) ? alpha : 1.0, 0.0, 1.0);
}

void PdfCanvas::SetDash(const std::vector<double>& dashes, double offset) {
  state_.line.dash = dashes;
  state_.line.dash_offset = offset;
}

void PdfCanvas::WriteAlpha(double alpha) {
  alpha = std::round(alpha * 1000) / 1000;  // as written: one /a<i> per value
  if (alpha == state_.pdf_alpha) return;
  auto it = std::find(alphas_.begin(), alphas_.end(), alpha);
  if (it == alphas_.end()) it = alphas_.insert(alphas_.end(), alpha);
  content_ += "/a" + std::to_string(it - alphas_.begin()) + " gs\n";
  state_.pdf_alpha = alpha;
}

void PdfCanvas::WriteFillState(Rgb color, double alpha) {
  WriteAlpha(alpha);
  if (state_.pdf_fill != static_cast<int>(color.hex)) {
    ColorOp(color, "rg");
    state_.pdf_fill = static_cast<int>(color.hex);
  }
}

void PdfCanvas::WriteStrokeState() {
  WriteAlpha(state_.alpha);
  const Rgb color = state_.color;
  if (state_.pdf_stroke != static_cast<int>(color.hex)) {
    ColorOp(color, "RG");
    state_.pdf_stroke = static_cast<int>(color.hex);
  }
  const LineStyle& want = state_.line;
  LineStyle& have = state_.pdf_line;
  if (have == want) return;
  if (have.width != want.width) {
    Numbers({want.width});
    content_ += "w\n";
  }
  if (have.cap != want.cap) {
    content_ += want.cap == CAIRO_LINE_CAP_ROUND    ? "1 J\n"
                : want.cap == CAIRO_LINE_CAP_SQUARE ? "2 J\n"
                                                    : "0 J\n";
  }
  if (have.join != want.join) {
    content_ += want.join == CAIRO_LINE_JOIN_ROUND   ? "1 j\n"
                : want.join == CAIRO_LINE_JOIN_BEVEL ? "2 j\n"
                                                     : "0 j\n";
  }
  if (have.dash != want.dash || have.dash_offset != want.dash_offset) {
    content_ += '[';
    for (double d : want.dash) Numbers({d});
    content_ += "] ";
    Numbers({want.dash_offset});
    content_ += "d\n";
  }
  have = want;
}

void PdfCanvas::WritePath(std::string_view op) {
  content_ += path_;
  content_ += op;
}

void PdfCanvas::Fill() {
  FillPreserve();
  NewPath();
}

void PdfCanvas::FillPreserve() {
  if (path_.empty()) return;
  WriteFillState(state_.color, state_.alpha);
  WritePath("f\n");
}

void PdfCanvas::Stroke() {
  if (!path_.empty()) {
    WriteStrokeState();
    WritePath("S\n");
  }
  NewPath();
}

void PdfCanvas::Clip() {
  // An empty path clips everything away, as in cairo.
  if (path_.empty()) path_ = "0 0 0 0 re\n";
  WritePath("W n\n");
  NewPath();
}

void PdfCanvas::Paint() {
  WriteFillState(state_.color, state_.alpha);
  Numbers({-kPaintExtent, -kPaintExtent, 2 * kPaintExtent, 2 * kPaintExtent});
  content_ += "re f\n";
}

PdfCanvas::Font* PdfCanvas::FontOf(PangoFont* font) {
  hb_font_t* hb = font != nullptr ? pango_font_get_hb_font(font) : nullptr;
  if (hb == nullptr) return nullptr;
  // An instance of a variable font other than its default: its outlines
  // and widths are not the face's own, and a subset would hold the
  // default's. Cairo draws it.
  unsigned axes = 0;
  const int* coords = hb_font_get_var_coords_normalized(hb, &axes);
  for (unsigned i = 0; i < axes; ++i) {
    if (coords[i] != 0 && unsupported_.empty()) {
      unsupported_ = "a variable font's instance";
    }
  }
  hb_face_t* face = hb_font_get_face(hb);
  auto it = font_of_face_.find(face);
  if (it != font_of_face_.end()) return it->second;
  fonts_.push_back(std::make_unique<Font>(face, static_cast<int>(fonts_.size())));
  const FontFacts& facts = fonts_.back()->facts();
  if (facts.outlines != FontOutlines::kTrueType && unsupported_.empty()) {
    unsupported_ = "the font " + facts.postscript_name + ", which has no TrueType outlines";
  }
  font_of_face_.emplace(face, fonts_.back().get());
  return fonts_.back().get();
}

void PdfCanvas::WriteGlyphs(Font* font, PangoFont* source, double size, Rgb color,
                            const std::vector<Placed>& glyphs) {
  if (glyphs.empty() || !(size > 0)) return;
  const Synthetic synthetic = SyntheticOf(source);
  WriteFillState(color, 1);
  if (synthetic.embolden) {
    // Filled and stroked, the stroke as wide as FreeType's emboldening
    // (a 24th of the size), in the fill's colour; the state is undone
    // after the run.
    content_ += "q\n";
    ColorOp(color, "RG");
    Numbers({size / 24});
    content_ += "w 0 j [] 0 d\n";
  }
  content_ += "BT\n" + font->name() + " 1 Tf\n";
  if (synthetic.embolden) content_ += "2 Tr\n";
  // The text matrix: the glyph transform at `size`, y flipped back up.
  const double a = size * synthetic.xx, b = -size * synthetic.yx;
  const double c = size * synthetic.xy, d = -size * synthetic.yy;
  // A line of glyphs is one TJ: each glyph's id, and where it does not sit
  // at the previous one's advance, the difference in thousandths of the
  // size. A glyph off the line starts a new one.
  const bool chain = b == 0 && a > 0;
  bool open = false;
  double at_x = 0, at_y = 0;  // where the next glyph goes without adjustment
  int span_left = 0;          // glyphs left in an /ActualText span
  for (const Placed& g : glyphs) {
    const double width = font->Use(g.glyph, {});
    if (g.span > 0) {  // a cluster's glyphs in a span of its own
      if (open) content_ += "] TJ\n";
      open = false;
      content_ += "/Span << /ActualText <FEFF" + Utf16Hex(g.text) + "> >> BDC\n";
      span_left = g.span;
    }
    double pen = g.x;  // where the glyph lands
    if (open && chain && g.y == at_y) {
      const double adjust = (at_x - g.x) * 1000 / a;
      if (std::fabs(adjust) > kGlyphSlack) {
        AppendPdfNumber(&content_, adjust, 2);
      } else {
        pen = at_x;
      }
    } else {
      if (open) content_ += "] TJ\n";
      Numbers({a, b, c, d, g.x, g.y});
      content_ += "Tm\n[";
      open = true;
    }
    content_ += '<';
    AppendHex4(&content_, g.glyph);
    content_ += '>';
    at_x = pen + width * a / 1000;
    at_y = g.y;
    if (span_left > 0 && --span_left == 0) {
      content_ += "] TJ\nEMC\n";
      open = false;
    }
  }
  if (open) content_ += "] TJ\n";
  if (span_left > 0) content_ += "EMC\n";  // a span cut short (cannot happen)
  content_ += "ET\n";
  if (synthetic.embolden) content_ += "Q\n";
}

void PdfCanvas::ShowGlyphs(const GlyphFont& glyph_font, const std::vector<cairo_glyph_t>& glyphs,
                           std::string_view text) {
  Font* font = FontOf(glyph_font.pango_font());
  if (font == nullptr) return;
  std::vector<Placed> placed;
  placed.reserve(glyphs.size());
  size_t at = 0;  // one character of `text` per glyph
  for (const cairo_glyph_t& g : glyphs) {
    const size_t n = at < text.size()
                         ? static_cast<size_t>(g_utf8_skip[static_cast<unsigned char>(text[at])])
                         : 0;
    font->Use(static_cast<uint32_t>(g.index), text.substr(std::min(at, text.size()), n));
    at += n;
    placed.push_back({static_cast<uint32_t>(g.index), g.x, g.y, 0, {}});
  }
  WriteGlyphs(font, glyph_font.pango_font(), glyph_font.size(), glyph_font.color(), placed);
}

void PdfCanvas::ShowLayout(PangoLayout* layout, Rgb color) {
  const char* text = pango_layout_get_text(layout);
  const size_t text_length = std::strlen(text);
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
    if (run == nullptr) continue;  // the end of a line
    Font* font = FontOf(run->item->analysis.font);
    if (font == nullptr) continue;
    PangoFontDescription* desc = pango_font_describe_with_absolute_size(run->item->analysis.font);
    const double size = pango_font_description_get_size(desc) / static_cast<double>(PANGO_SCALE);
    pango_font_description_free(desc);
    PangoRectangle logical;
    pango_layout_iter_get_run_extents(iter, nullptr, &logical);
    const double baseline = pango_layout_iter_get_baseline(iter) / static_cast<double>(PANGO_SCALE);
    const PangoGlyphString* gs = run->glyphs;
    const int item_offset = run->item->offset, item_length = run->item->length;
    // The "…" pango puts in place of cut text: its cluster spans the text
    // it hides, which must not be what the glyphs extract as. Pango sets
    // U+2026, U+22EF (after wide characters) or "..." from the font.
    const bool ellipsis = (run->item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS) != 0;
    std::vector<Placed> placed;
    std::vector<int> starts(gs->log_clusters, gs->log_clusters + gs->num_glyphs);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    double x = logical.x / static_cast<double>(PANGO_SCALE);
    for (int i = 0; i < gs->num_glyphs; ++i) {
      const PangoGlyphInfo& info = gs->glyphs[i];
      const double gx = x + info.geometry.x_offset / static_cast<double>(PANGO_SCALE);
      const double gy = baseline + info.geometry.y_offset / static_cast<double>(PANGO_SCALE);
      x += info.geometry.width / static_cast<double>(PANGO_SCALE);
      if (info.glyph == PANGO_GLYPH_EMPTY) continue;
      const uint32_t glyph = (info.glyph & PANGO_GLYPH_UNKNOWN_FLAG) != 0 ? 0 : info.glyph;
      // The glyph's cluster of text: from its start to the next cluster's.
      const int start = gs->log_clusters[i];
      const auto next = std::upper_bound(starts.begin(), starts.end(), start);
      const int end = next == starts.end() ? item_length : *next;
      const size_t from = std::min(static_cast<size_t>(item_offset + start), text_length);
      const std::string_view cluster(
          text + from, std::min(static_cast<size_t>(std::max(0, end - start)), text_length - from));
      const bool first_of_cluster = i == 0 || gs->log_clusters[i - 1] != start;
      int drawn = 0;  // the cluster's glyphs that are drawn
      for (int j = i; first_of_cluster && j < gs->num_glyphs && gs->log_clusters[j] == start; ++j) {
        drawn += gs->glyphs[j].glyph != PANGO_GLYPH_EMPTY;
      }
      Placed placed_glyph{glyph, gx, gy, 0, {}};
      if (ellipsis) {
        std::string_view shown;
        if (glyph == font->GlyphOf(0x2026)) shown = "\xE2\x80\xA6";
        if (glyph == font->GlyphOf(0x22EF)) shown = "\xE2\x8B\xAF";
        if (glyph == font->GlyphOf('.')) shown = ".";
        font->Use(glyph, shown);
      } else if (first_of_cluster && drawn == 1 && glyph != 0) {
        // One glyph for the cluster's characters: a letter, a ligature.
        font->Use(glyph, cluster);
      } else {
        // A cluster of several glyphs (a letter and its marks, Indic
        // conjuncts): which glyph stands for which character is not known,
        // so the cluster's text goes with its first glyph as the PDF's
        // /ActualText, and no glyph of it maps to text alone.
        font->Use(glyph, {});
        if (first_of_cluster && drawn > 1) {
          placed_glyph.span = drawn;
          placed_glyph.text = cluster;
        }
      }
      placed.push_back(placed_glyph);
    }
    WriteGlyphs(font, run->item->analysis.font, size, color, placed);
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
}

bool PdfCanvas::StampMarkers(const std::vector<double>& xs, const std::vector<double>& ys,
                             double r) {
  // What FillMarkers draws on any vector canvas, the zero-length round-capped
  // segments "x y m x y l", with each point's numbers formatted once.
  if (!(r > 0)) return true;  // no disc: cairo draws nothing either
  Save();
  SetLineCap(CAIRO_LINE_CAP_ROUND);
  SetLineWidth(2 * r);
  NewPath();
  std::string xy;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    xy.clear();
    AppendPdfNumber(&xy, xs[i], kPathDecimals);
    xy += ' ';
    AppendPdfNumber(&xy, ys[i], kPathDecimals);
    path_ += xy;
    path_ += " m ";
    path_ += xy;
    path_ += " l\n";
  }
  Stroke();
  Restore();
  return true;
}

StatusOr<std::string> PdfCanvas::Finish(std::string_view title) {
  if (!unsupported_.empty()) {
    return Status(StatusCode::kUnimplemented, "cannot embed " + unsupported_);
  }
  PdfFile file;
  const int catalog = file.Reserve(), pages = file.Reserve(), page = file.Reserve();
  const int contents = file.Reserve(), info = file.Reserve();
  std::vector<int> font_ids;
  for (size_t i = 0; i < fonts_.size(); ++i) font_ids.push_back(file.Reserve());

  file.Begin(catalog) += "<< /Type /Catalog /Pages " + std::to_string(pages) + " 0 R >>\n";
  file.End();
  file.Begin(pages) += "<< /Type /Pages /Kids [" + std::to_string(page) + " 0 R] /Count 1 >>\n";
  file.End();
  std::string& p = file.Begin(page);
  p += "<< /Type /Page /Parent " + std::to_string(pages) + " 0 R /MediaBox [0 0 ";
  AppendPdfNumber(&p, width_);
  p += ' ';
  AppendPdfNumber(&p, height_);
  p += "] /Contents " + std::to_string(contents) + " 0 R /Resources << ";
  if (!alphas_.empty()) {
    p += "/ExtGState << ";
    for (size_t i = 0; i < alphas_.size(); ++i) {
      p += "/a" + std::to_string(i) + " << /ca ";
      AppendPdfNumber(&p, alphas_[i]);
      p += " /CA ";
      AppendPdfNumber(&p, alphas_[i]);
      p += " >> ";
    }
    p += ">> ";
  }
  if (!fonts_.empty()) {
    p += "/Font << ";
    for (size_t i = 0; i < fonts_.size(); ++i) {
      p += fonts_[i]->name() + " " + std::to_string(font_ids[i]) + " 0 R ";
    }
    p += ">> ";
  }
  p += ">> >>\n";
  file.End();
  for (size_t i = 0; i < saved_.size(); ++i) content_ += "Q\n";  // a Save never restored
  saved_.clear();
  QUIRE_RETURN_IF_ERROR(file.Stream(contents, content_));
  file.Begin(info) +=
      "<< /Title <FEFF" + Utf16Hex(title) + "> /Creator (Quire) /Producer (Quire) >>\n";
  file.End();
  for (size_t i = 0; i < fonts_.size(); ++i) {
    QUIRE_RETURN_IF_ERROR(fonts_[i]->Write(&file, font_ids[i]));
  }
  return file.Finish(catalog, info);
}

}  // namespace quire
