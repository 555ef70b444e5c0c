// PageFlow: a cursor that flows document content down a sequence of pages
// on one cairo context (A4 portrait, 50 pt margins by default; see
// PageGeometry::For for a template's page setup), starting a new page when
// content does not fit and stamping "Page N of M" footers.
// It knows nothing about sections or tables; the document renderers do.
#pragma once

#include <cairo.h>

#include <string>

#include "common/template.h"
#include "workers/render/text.h"

namespace quire {

struct PageGeometry {
  double width = 595.276;  // pt (A4)
  double height = 841.89;  // pt (A4)
  double margin_top = 50;  // pt
  double margin_right = 50;
  double margin_bottom = 50;
  double margin_left = 50;

  // A4 (595.276 x 841.89 pt) or Letter (612 x 792 pt), turned for
  // landscape, with the setup's margins.
  static PageGeometry For(const PageSetup& setup);
};

class PageFlow {
 public:
  // Draws onto `cr`, whose surface is paged by cairo_show_page. When
  // `total_pages` is 0 (the layout pass) footers say "Page N of ?".
  PageFlow(cairo_t* cr, const PageGeometry& geometry, int total_pages);

  cairo_t* cr() const { return cr_; }
  double left() const { return geometry_.margin_left; }
  double width() const { return geometry_.width - geometry_.margin_left - geometry_.margin_right; }
  double y() const { return y_; }
  double remaining() const { return bottom() - y_; }
  // The height of the whole content area of a page.
  double page_content_height() const { return bottom() - geometry_.margin_top; }
  bool AtPageTop() const { return y_ <= geometry_.margin_top; }
  int page() const { return page_; }

  // Moves the cursor down.
  void Advance(double height) { y_ += height; }
  // Adds vertical space unless at the top of a page.
  void Space(double height);
  // Starts a new page when `height` does not fit in what is left of this
  // one (and this one is not fresh: content taller than a page is drawn
  // anyway and overflows).
  void EnsureRoom(double height);
  // Ends this page (footer, cairo_show_page) and starts the next.
  void NewPage();
  // Ends the last page. Returns the number of pages.
  int Finish();

 private:
  double bottom() const { return geometry_.height - geometry_.margin_bottom; }
  void DrawFooter();

  cairo_t* cr_;
  PageGeometry geometry_;
  int total_pages_;
  int page_ = 1;
  double y_;
};

}  // namespace quire
