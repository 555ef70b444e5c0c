// PageFlow: page breaks and footers.
#include "workers/render/page_flow.h"

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

PageFlow::PageFlow(cairo_t* cr, const PageGeometry& geometry, int total_pages)
    : cr_(cr), geometry_(geometry), total_pages_(total_pages), y_(geometry.margin_top) {}

void PageFlow::Space(double height) {
  if (!AtPageTop()) y_ += height;
}

void PageFlow::EnsureRoom(double height) {
  if (height > remaining() && !AtPageTop()) NewPage();
}

void PageFlow::NewPage() {
  DrawFooter();
  cairo_show_page(cr_);
  ++page_;
  y_ = geometry_.margin_top;
}

int PageFlow::Finish() {
  DrawFooter();
  cairo_show_page(cr_);
  return page_;
}

void PageFlow::DrawFooter() {
  const std::string text = "Page " + std::to_string(page_) + " of " +
                           (total_pages_ > 0 ? std::to_string(total_pages_) : "?");
  TextStyle style;
  style.size = 8;
  style.color = {0x777777};
  TextBlock footer(cr_, text, style, width(), TextAlign::kCenter);
  footer.Draw(cr_, left(), geometry_.height - geometry_.margin_bottom / 2 - footer.height() / 2);
}

}  // namespace quire
