// TextBlock: a pango layout with sizes in user-space points.
#include "workers/render/text.h"

namespace quire {

void SetSourceRgb(cairo_t* cr, Rgb color) {
  cairo_set_source_rgb(cr, ((color.hex >> 16) & 0xFF) / 255.0, ((color.hex >> 8) & 0xFF) / 255.0,
                       (color.hex & 0xFF) / 255.0);
}

TextBlock::TextBlock(cairo_t* cr, std::string_view text, const TextStyle& style, double width,
                     TextAlign align, bool ellipsize, bool markup)
    : layout_(pango_cairo_create_layout(cr)), color_(style.color) {
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, style.family);
  // Absolute size: user-space units (pt), whatever the surface resolution.
  pango_font_description_set_absolute_size(font, style.size * PANGO_SCALE);
  pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(font, style.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
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

int TextBlock::line_count() const { return pango_layout_get_line_count(layout_); }

void TextBlock::Draw(cairo_t* cr, double x, double y, double angle) const {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  if (angle != 0) cairo_rotate(cr, angle);
  SetSourceRgb(cr, color_);
  pango_cairo_update_layout(cr, layout_);
  pango_cairo_show_layout(cr, layout_);
  cairo_restore(cr);
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
  pango_cairo_update_layout(cr, layout_);
  cairo_move_to(cr, x + static_cast<double>(logical.x) / PANGO_SCALE,
                y + static_cast<double>(baseline) / PANGO_SCALE);
  pango_cairo_show_layout_line(cr, line);
  cairo_restore(cr);
  pango_layout_iter_free(iter);
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
