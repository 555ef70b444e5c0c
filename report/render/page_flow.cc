// PageFlow: page breaks onto recorded pages, and page decorations.
#include "report/render/internal/page_flow.h"

#include <utility>

namespace quire {

PageGeometry PageGeometry::For(const PageSetup& setup) {
  PageGeometry g;
  if (setup.size == PageSize::kLetter) {
    g.width = 612;
    g.height = 792;
  }
  if (setup.orientation == PageOrientation::kLandscape) std::swap(g.width, g.height);
  g.margin_top = setup.margin_top;
  g.margin_right = setup.margin_right;
  g.margin_bottom = setup.margin_bottom;
  g.margin_left = setup.margin_left;
  // Leave at least a third of each dimension for content.
  const double max_h = g.width * 2 / 3, max_v = g.height * 2 / 3;
  if (g.margin_left + g.margin_right > max_h) g.margin_left = g.margin_right = max_h / 2;
  if (g.margin_top + g.margin_bottom > max_v) g.margin_top = g.margin_bottom = max_v / 2;
  return g;
}

PageFlow::PageFlow(const PageGeometry& geometry) : geometry_(geometry), y_(geometry.margin_top) {
  StartPage();
}

PageFlow::~PageFlow() {
  EndPage();
  for (cairo_surface_t* page : pages_) {
    if (page != nullptr) cairo_surface_destroy(page);
  }
}

void PageFlow::StartPage() {
  const cairo_rectangle_t extents{0, 0, geometry_.width, geometry_.height};
  surface_ = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cr_ = cairo_create(surface_);
  y_ = geometry_.margin_top;
}

void PageFlow::EndPage() {
  if (cr_ == nullptr) return;
  if (status_.ok()) status_ = CairoError(cairo_status(cr_), "drawing failed");
  cairo_destroy(cr_);
  cr_ = nullptr;
  pages_.push_back(surface_);
  surface_ = nullptr;
}

void PageFlow::Space(double height) {
  if (!AtPageTop()) y_ += height;
}

void PageFlow::EnsureRoom(double height) {
  if (height > remaining() && !AtPageTop()) NewPage();
}

void PageFlow::NewPage() {
  EndPage();
  StartPage();
}

int PageFlow::Finish() {
  EndPage();
  return static_cast<int>(pages_.size());
}

Status PageFlow::status() const { return status_; }

void PageFlow::PaintPage(size_t i, cairo_t* target) {
  if (i >= pages_.size() || pages_[i] == nullptr) return;
  cairo_save(target);
  cairo_set_source_surface(target, pages_[i], 0, 0);
  cairo_paint(target);
  cairo_restore(target);
  cairo_surface_destroy(pages_[i]);
  pages_[i] = nullptr;
}

void DrawPageDecorations(cairo_t* cr, const PageGeometry& geometry, int page, int total,
                         const std::string& header) {
  const double width = geometry.width - geometry.margin_left - geometry.margin_right;
  TextStyle style;
  style.size = 8;
  style.color = {0x777777};
  const std::string text = "Page " + std::to_string(page) + " of " + std::to_string(total);
  TextBlock footer(cr, text, style, width, TextAlign::kCenter);
  footer.Draw(cr, geometry.margin_left,
              geometry.height - geometry.margin_bottom / 2 - footer.height() / 2);
  if (!header.empty() && geometry.margin_top >= 24) {
    TextBlock head(cr, header, style, width, TextAlign::kLeft, true);
    head.Draw(cr, geometry.margin_left, geometry.margin_top / 2 - head.height() / 2);
  }
}

}  // namespace quire
