// PageFlow: page breaks and footers.
#include "workers/render/page_flow.h"

namespace quire {

PageFlow::PageFlow(cairo_t* cr, const PageGeometry& geometry, int total_pages)
    : cr_(cr), geometry_(geometry), total_pages_(total_pages), y_(geometry.margin) {}

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
  y_ = geometry_.margin;
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
  footer.Draw(cr_, left(), geometry_.height - geometry_.margin / 2 - footer.height() / 2);
}

}  // namespace quire
