// CairoCanvas: the Canvas calls on a cairo context.
#include "report/canvas/canvas.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>

namespace quire {
namespace {

constexpr double kMaxMaskSide = 16384;  // device pixels

bool Finite(const std::vector<double>& xs, const std::vector<double>& ys, size_t i) {
  return i < xs.size() && i < ys.size() && std::isfinite(xs[i]) && std::isfinite(ys[i]);
}

}  // namespace

void CairoCanvas::SetColor(Rgb color, double alpha) { SetSourceRgb(cr_, color, alpha); }

void CairoCanvas::ShowGlyphs(const GlyphFont& font, const std::vector<cairo_glyph_t>& glyphs,
                             std::string_view /*text*/) {
  font.Draw(cr_, glyphs);
}

void CairoCanvas::ShowLayout(PangoLayout* layout, Rgb color) {
  SetSourceRgb(cr_, color);
  pango_cairo_show_layout(cr_, layout);
}

// One A8 marker is rendered once and copied (at whole device pixels,
// overlaps merged by maximum coverage) into an A8 mask over the markers
// within the clip, which then paints the current source in one operation.
// False (nothing drawn) on other surfaces, when the transform rotates,
// skews or scales unevenly, or when the mask would be unreasonably large.
bool CairoCanvas::StampMarkers(const std::vector<double>& xs, const std::vector<double>& ys,
                               double r) {
  cairo_t* cr = cr_;
  if (cairo_surface_get_type(cairo_get_group_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE) return false;
  cairo_matrix_t m;
  cairo_get_matrix(cr, &m);
  if (m.xy != 0 || m.yx != 0 || std::fabs(std::fabs(m.xx) - std::fabs(m.yy)) > 1e-9) {
    return false;
  }
  const double device_r = r * std::fabs(m.xx);
  const int half = static_cast<int>(std::ceil(device_r)) + 1;
  // The mask covers the markers' extent (device space) within the clip.
  double x1, y1, x2, y2;
  cairo_clip_extents(cr, &x1, &y1, &x2, &y2);
  cairo_matrix_transform_point(&m, &x1, &y1);
  cairo_matrix_transform_point(&m, &x2, &y2);
  double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!Finite(xs, ys, i)) continue;
    double x = xs[i], y = ys[i];
    cairo_matrix_transform_point(&m, &x, &y);
    lo_x = std::min(lo_x, x);
    lo_y = std::min(lo_y, y);
    hi_x = std::max(hi_x, x);
    hi_y = std::max(hi_y, y);
  }
  const double left = std::floor(std::max(std::min(x1, x2), lo_x - half));
  const double top = std::floor(std::max(std::min(y1, y2), lo_y - half));
  const double width = std::ceil(std::min(std::max(x1, x2), hi_x + half)) - left;
  const double height = std::ceil(std::min(std::max(y1, y2), hi_y + half)) - top;
  if (!(width >= 1 && height >= 1)) return true;  // no marker shows
  if (!(width <= kMaxMaskSide && height <= kMaxMaskSide)) return false;
  const int w = static_cast<int>(width), h = static_cast<int>(height);

  cairo_surface_t* stamp = cairo_image_surface_create(CAIRO_FORMAT_A8, 2 * half, 2 * half);
  cairo_t* s = cairo_create(stamp);
  cairo_arc(s, half, half, device_r, 0, 2 * M_PI);
  cairo_fill(s);
  cairo_destroy(s);
  cairo_surface_flush(stamp);
  const unsigned char* from = cairo_image_surface_get_data(stamp);
  const int from_stride = cairo_image_surface_get_stride(stamp);

  cairo_surface_t* mask = cairo_image_surface_create(CAIRO_FORMAT_A8, w, h);
  unsigned char* to = cairo_image_surface_get_data(mask);
  const int to_stride = cairo_image_surface_get_stride(mask);
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!Finite(xs, ys, i)) continue;
    double x = xs[i], y = ys[i];
    cairo_matrix_transform_point(&m, &x, &y);
    x = std::round(x - left) - half;  // the stamp's corner in the mask
    y = std::round(y - top) - half;
    if (x <= -2 * half || y <= -2 * half || x >= w || y >= h) continue;
    const int sx = static_cast<int>(x), sy = static_cast<int>(y);
    for (int row = std::max(0, -sy); row < 2 * half && sy + row < h; ++row) {
      const unsigned char* src = from + row * from_stride;
      unsigned char* dst = to + (sy + row) * to_stride + sx;
      for (int col = std::max(0, -sx); col < 2 * half && sx + col < w; ++col) {
        dst[col] = std::max(dst[col], src[col]);
      }
    }
  }
  cairo_surface_mark_dirty(mask);
  cairo_save(cr);
  cairo_identity_matrix(cr);
  cairo_mask_surface(cr, mask, left, top);
  cairo_restore(cr);
  cairo_surface_destroy(mask);
  cairo_surface_destroy(stamp);
  return true;
}

}  // namespace quire
