// PdfCanvas: a chart's drawing written as a PDF content stream, one page
// in a PdfFile (pdf_file.h); its text as runs of glyph ids in the fonts
// PdfFont embeds (pdf_font.h).
#include "report/render/pdf_canvas.h"

#include <fontconfig/fontconfig.h>
#include <hb-ot.h>
#include <hb.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-font.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "report/render/internal/pdf_file.h"
#include "report/render/internal/pdf_font.h"

namespace quire {
namespace {

constexpr double kArcStep = M_PI / 2;  // the most one Bézier segment spans
constexpr double kPaintExtent = 1e5;   // pt: Paint fills this much around the origin
constexpr double kGlyphSlack = 0.01;   // text-space units a glyph may sit off its advance
// Path coordinates to a hundredth of a point (a sixth of a pixel at 1200
// dpi): a scatter chart's thousands of them are most of its content.
constexpr int kPathDecimals = 2;

// How far an arc from one angle to another `turn` radians on turns, as
// cairo takes it: whole turns added to a negative turn, more than two
// turns cut to between one and two.
double ArcSweep(double turn) {
  if (turn < 0) turn += 2 * M_PI * std::ceil(-turn / (2 * M_PI));
  if (turn > 4 * M_PI) turn = std::fmod(turn, 2 * M_PI) + 2 * M_PI;
  return turn;
}

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

PdfFont* PdfCanvas::FontOf(PangoFont* font) {
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
  fonts_.push_back(std::make_unique<PdfFont>(face, static_cast<int>(fonts_.size())));
  const FontFacts& facts = fonts_.back()->facts();
  if (facts.outlines != FontOutlines::kTrueType && unsupported_.empty()) {
    unsupported_ = "the font " + facts.postscript_name + ", which has no TrueType outlines";
  }
  font_of_face_.emplace(face, fonts_.back().get());
  return fonts_.back().get();
}

void PdfCanvas::WriteGlyphs(PdfFont* font, PangoFont* source, double size, Rgb color,
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
  PdfFont* font = FontOf(glyph_font.pango_font());
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
    PdfFont* font = FontOf(run->item->analysis.font);
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
