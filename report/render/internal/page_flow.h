// PageFlow: a cursor that flows document content down a sequence of pages
// (A4 portrait, 50 pt margins by default; see PageGeometry::For for a
// template's page setup), starting a new page when content does not fit.
// Pages are recorded (cairo recording surfaces, vector commands with text
// already shaped), so a document is laid out once and then painted onto the
// real surface with the page total known: "Page N of M" without a second
// layout pass. Pages are released as they are painted.
// It knows nothing about sections or tables; the document renderers do.
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/template/template.h"
#include "report/canvas/text.h"

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
  explicit PageFlow(const PageGeometry& geometry);
  ~PageFlow();
  PageFlow(const PageFlow&) = delete;
  PageFlow& operator=(const PageFlow&) = delete;

  // The current page. Changes at every page break: do not keep it across
  // NewPage or EnsureRoom.
  cairo_t* cr() const { return cr_; }
  const PageGeometry& geometry() const { return geometry_; }
  double left() const { return geometry_.margin_left; }
  double width() const { return geometry_.width - geometry_.margin_left - geometry_.margin_right; }
  double y() const { return y_; }
  double remaining() const { return bottom() - y_; }
  // The height of the whole content area of a page.
  double page_content_height() const { return bottom() - geometry_.margin_top; }
  bool AtPageTop() const { return y_ <= geometry_.margin_top; }
  int page() const { return static_cast<int>(pages_.size()) + 1; }

  // Moves the cursor down.
  void Advance(double height) { y_ += height; }
  // Adds vertical space unless at the top of a page.
  void Space(double height);
  // Starts a new page when `height` does not fit in what is left of this
  // one (and this one is not fresh: content taller than a page is drawn
  // anyway and overflows).
  void EnsureRoom(double height);
  // Ends this page and starts the next.
  void NewPage();
  // Ends the last page. Returns the number of pages. Nothing may be drawn
  // after this.
  int Finish();
  // The first error of any page's drawing, OK when none.
  Status status() const;

  // Paints recorded page `i` (0-based, after Finish) onto `target` and
  // releases it. The caller adds decorations and shows the page.
  void PaintPage(size_t i, cairo_t* target);

 private:
  double bottom() const { return geometry_.height - geometry_.margin_bottom; }
  void StartPage();
  void EndPage();

  PageGeometry geometry_;
  std::vector<cairo_surface_t*> pages_;  // finished pages; null once painted
  cairo_surface_t* surface_ = nullptr;   // the current page
  cairo_t* cr_ = nullptr;
  Status status_;
  double y_;
};

// Draws the running header (`header`, small and grey, left; none when
// empty) and the footer "Page N of M" centred, half the bottom margin above
// the page's edge.
void DrawPageDecorations(cairo_t* cr, const PageGeometry& geometry, int page, int total,
                         const std::string& header);

}  // namespace quire
