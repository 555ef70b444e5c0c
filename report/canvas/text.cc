// TextBlock: a pango layout with sizes in user-space points, on the
// thread's shared pango context.
#include "report/canvas/text.h"

#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "report/canvas/canvas.h"

namespace quire {
namespace {

// One context per thread: unhinted metrics and outlines (so that layout is
// independent of the surface and its resolution), 72 dpi so that a point
// is a user-space unit. Lives as long as the thread.
PangoContext* ThreadContext() {
  struct Holder {
    PangoContext* context;
    Holder() {
      PangoFontMap* map = pango_cairo_font_map_get_default();  // per thread
      context = pango_font_map_create_context(map);
      cairo_font_options_t* options = cairo_font_options_create();
      cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
      cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
      cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
      pango_cairo_context_set_font_options(context, options);
      cairo_font_options_destroy(options);
      pango_cairo_context_set_resolution(context, 72);
      pango_context_set_round_glyph_positions(context, FALSE);
    }
    ~Holder() { g_object_unref(context); }
  };
  thread_local Holder holder;
  return holder.context;
}

}  // namespace

void SetSourceRgb(cairo_t* cr, Rgb color, double alpha) {
  cairo_set_source_rgba(cr, color.red(), color.green(), color.blue(), alpha);
}

namespace {

PangoFontDescription* NewFontDescription(const TextStyle& style) {
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, style.family);
  // Absolute size: user-space units (pt), whatever the surface resolution.
  pango_font_description_set_absolute_size(font, style.size * PANGO_SCALE);
  pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(font, style.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  return font;
}

}  // namespace

Status CairoError(cairo_status_t status, const std::string& what) {
  if (status == CAIRO_STATUS_SUCCESS) return Status::OK();
  return Status::Internal(what + ": " + cairo_status_to_string(status));
}

TextBlock::TextBlock(cairo_t* /*cr*/, std::string_view text, const TextStyle& style, double width,
                     TextAlign align, bool ellipsize, bool markup)
    : layout_(pango_layout_new(ThreadContext())), color_(style.color) {
  PangoFontDescription* font = NewFontDescription(style);
  pango_layout_set_font_description(layout_, font);
  pango_font_description_free(font);

  const int length = static_cast<int>(text.size());
  if (markup && pango_parse_markup(text.data(), length, 0, nullptr, nullptr, nullptr, nullptr)) {
    pango_layout_set_markup(layout_, text.data(), length);
  } else {
    pango_layout_set_text(layout_, text.data(), length);
  }
  if (width > 0) {
    pango_layout_set_width(layout_, static_cast<int>(width * PANGO_SCALE));
    if (ellipsize) {
      pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_END);
    } else {
      pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    }
  }
  switch (align) {
    case TextAlign::kLeft:
      pango_layout_set_alignment(layout_, PANGO_ALIGN_LEFT);
      break;
    case TextAlign::kCenter:
      pango_layout_set_alignment(layout_, PANGO_ALIGN_CENTER);
      break;
    case TextAlign::kRight:
      pango_layout_set_alignment(layout_, PANGO_ALIGN_RIGHT);
      break;
  }
  PangoRectangle logical;
  pango_layout_get_extents(layout_, nullptr, &logical);
  // With a set width the block is that wide (alignment happens inside it).
  width_ = width > 0 ? width : static_cast<double>(logical.x + logical.width) / PANGO_SCALE;
  height_ = static_cast<double>(logical.height) / PANGO_SCALE;
}

TextBlock::~TextBlock() { g_object_unref(layout_); }

double TextBlock::baseline() const {
  return static_cast<double>(pango_layout_get_baseline(layout_)) / PANGO_SCALE;
}

int TextBlock::line_count() const { return pango_layout_get_line_count(layout_); }

void TextBlock::Draw(Canvas& canvas, double x, double y, double angle) const {
  canvas.Save();
  canvas.Translate(x, y);
  if (angle != 0) canvas.Rotate(angle);
  canvas.ShowLayout(layout_, color_);
  canvas.Restore();
}

void TextBlock::Draw(cairo_t* cr, double x, double y, double angle) const {
  CairoCanvas canvas(cr);
  Draw(canvas, x, y, angle);
}

void TextBlock::LineExtents(int i, double* top, double* height) const {
  PangoLayoutIter* iter = pango_layout_get_iter(layout_);
  for (int k = 0; k < i && pango_layout_iter_next_line(iter);) ++k;
  PangoRectangle logical;
  pango_layout_iter_get_line_extents(iter, nullptr, &logical);
  *top = static_cast<double>(logical.y) / PANGO_SCALE;
  *height = static_cast<double>(logical.height) / PANGO_SCALE;
  pango_layout_iter_free(iter);
}

void TextBlock::DrawLine(cairo_t* cr, int i, double x, double y) const {
  PangoLayoutIter* iter = pango_layout_get_iter(layout_);
  for (int k = 0; k < i && pango_layout_iter_next_line(iter);) ++k;
  PangoRectangle logical;
  pango_layout_iter_get_line_extents(iter, nullptr, &logical);
  const int baseline = pango_layout_iter_get_baseline(iter);
  PangoLayoutLine* line = pango_layout_iter_get_line_readonly(iter);
  cairo_save(cr);
  SetSourceRgb(cr, color_);
  cairo_move_to(cr, x + static_cast<double>(logical.x) / PANGO_SCALE,
                y + static_cast<double>(baseline) / PANGO_SCALE);
  pango_cairo_show_layout_line(cr, line);
  cairo_restore(cr);
  pango_layout_iter_free(iter);
}

GlyphFont::GlyphFont(const TextStyle& style) : size_(style.size), color_(style.color) {
  PangoFontDescription* desc = NewFontDescription(style);
  PangoFont* font =
      pango_font_map_load_font(pango_context_get_font_map(ThreadContext()), ThreadContext(), desc);
  pango_font_description_free(desc);
  if (font != nullptr) {
    if (cairo_scaled_font_t* scaled = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font))) {
      font_ = cairo_scaled_font_reference(scaled);
      pango_font_ = font;
    } else {
      g_object_unref(font);
    }
  }
  const TextBlock line(nullptr, "Ag", style);
  baseline_ = line.baseline();
  line_height_ = line.height();
}

GlyphFont::~GlyphFont() {
  if (font_ != nullptr) cairo_scaled_font_destroy(font_);
  if (pango_font_ != nullptr) g_object_unref(pango_font_);
}

bool GlyphFont::Append(std::string_view text, double x, double y, std::vector<cairo_glyph_t>* out,
                       double* advance) const {
  *advance = 0;
  if (font_ == nullptr) return false;
  // Simple text only: decode and check before asking cairo.
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Two-byte sequences up to U+024F: lead bytes 0xC2..0xC9.
    if (c < 0xC2 || c > 0xC9 || i + 1 >= text.size()) return false;
    const unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
    if ((c1 & 0xC0) != 0x80) return false;
    i += 2;
  }
  if (text.empty()) return true;
  cairo_glyph_t* glyphs = nullptr;
  int n = 0;
  if (cairo_scaled_font_text_to_glyphs(font_, x, y, text.data(), static_cast<int>(text.size()),
                                       &glyphs, &n, nullptr, nullptr,
                                       nullptr) != CAIRO_STATUS_SUCCESS) {
    return false;
  }
  bool ok = n > 0;
  for (int i = 0; i < n && ok; ++i) ok = glyphs[i].index != 0;  // 0: .notdef
  if (ok) {
    cairo_text_extents_t extents;
    cairo_scaled_font_glyph_extents(font_, &glyphs[n - 1], 1, &extents);
    *advance = glyphs[n - 1].x + extents.x_advance - x;
    out->insert(out->end(), glyphs, glyphs + n);
  }
  cairo_glyph_free(glyphs);
  return ok;
}

void GlyphFont::Draw(cairo_t* cr, const std::vector<cairo_glyph_t>& glyphs) const {
  if (glyphs.empty() || font_ == nullptr) return;
  cairo_save(cr);
  cairo_set_scaled_font(cr, font_);
  SetSourceRgb(cr, color_);
  cairo_show_glyphs(cr, glyphs.data(), static_cast<int>(glyphs.size()));
  cairo_restore(cr);
}

namespace {

// The thread's GlyphFont for `style`. A handful of styles are in use at a
// time; the cache is emptied rather than grown past a bound (fonts in use
// stay alive through their LabelTexts).
std::shared_ptr<const GlyphFont> ThreadGlyphFont(const TextStyle& style) {
  using Key = std::tuple<std::string, double, bool, bool, uint32_t>;
  constexpr size_t kMaxFonts = 64;
  thread_local std::map<Key, std::shared_ptr<const GlyphFont>> fonts;
  Key key{style.family, style.size, style.bold, style.italic, style.color.hex};
  auto it = fonts.find(key);
  if (it != fonts.end()) return it->second;
  if (fonts.size() >= kMaxFonts) fonts.clear();
  auto font = std::make_shared<const GlyphFont>(style);
  fonts.emplace(std::move(key), font);
  return font;
}

}  // namespace

LabelText::LabelText(const TextStyle& style) : style_(style), font_(ThreadGlyphFont(style)) {}

double LabelText::Width(std::string_view text) const {
  std::vector<cairo_glyph_t> glyphs;
  double advance = 0;
  if (font_->Append(text, 0, 0, &glyphs, &advance)) return advance;
  return TextBlock(nullptr, text, style_).width();
}

void LabelText::Draw(cairo_t* cr, std::string_view text, double x, double y, double angle,
                     double max_width, TextAlign align) const {
  CairoCanvas canvas(cr);
  Draw(canvas, text, x, y, angle, max_width, align);
}

void LabelText::Draw(Canvas& canvas, std::string_view text, double x, double y, double angle,
                     double max_width, TextAlign align) const {
  // How far into its room a line `width` wide starts, along the turned x
  // axis.
  const auto lead = [&](double width) {
    if (!(max_width > 0) || align == TextAlign::kLeft) return 0.0;
    return (max_width - width) * (align == TextAlign::kCenter ? 0.5 : 1.0);
  };
  std::vector<cairo_glyph_t> glyphs;
  double advance = 0;
  if (font_->Append(text, 0, font_->baseline(), &glyphs, &advance) &&
      !(max_width > 0 && advance > max_width + 0.01)) {
    canvas.Save();
    canvas.Translate(x, y);
    if (angle != 0) canvas.Rotate(angle);
    canvas.Translate(lead(advance), 0);
    canvas.ShowGlyphs(*font_, glyphs, text);
    canvas.Restore();
    return;
  }
  // Through pango, with the block's baseline put on the style's: text in a
  // fallback font (CJK) has another ascent, and must still line up with the
  // labels beside it.
  const auto draw = [&](const TextBlock& block) {
    const double along = lead(block.width());
    const double shift = font_->baseline() - block.baseline();  // along the turned y axis
    block.Draw(canvas, x + along * std::cos(angle) - shift * std::sin(angle),
               y + along * std::sin(angle) + shift * std::cos(angle), angle);
  };
  const TextBlock natural(nullptr, text, style_);
  if (max_width > 0 && natural.width() > max_width + 0.01) {
    draw(TextBlock(nullptr, text, style_, max_width, TextAlign::kLeft, true));
  } else {
    draw(natural);
  }
}

namespace {

void AppendEscaped(std::string* out, std::string_view text) {
  gchar* escaped = g_markup_escape_text(text.data(), static_cast<gssize>(text.size()));
  out->append(escaped);
  g_free(escaped);
}

}  // namespace

std::string EmphasisToMarkup(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t star = text.find('*', pos);
    if (star == std::string_view::npos) break;
    const bool bold = star + 1 < text.size() && text[star + 1] == '*';
    const std::string_view marker = bold ? "**" : "*";
    const size_t close = text.find(marker, star + marker.size());
    if (close == std::string_view::npos || close == star + marker.size()) {
      AppendEscaped(&out, text.substr(pos, star + marker.size() - pos));
      pos = star + marker.size();
      continue;
    }
    AppendEscaped(&out, text.substr(pos, star - pos));
    out += bold ? "<b>" : "<i>";
    AppendEscaped(&out, text.substr(star + marker.size(), close - star - marker.size()));
    out += bold ? "</b>" : "</i>";
    pos = close + marker.size();
  }
  AppendEscaped(&out, text.substr(pos));
  return out;
}

}  // namespace quire
