// EncodePng: a chart's cairo image as PNG bytes, with its DPI recorded,
// encoded by libpng with settings tuned for charts. What is drawn, and at
// what size, is chart_image's; reading a PNG's DPI back is PngDpi's
// (chart_image.h).
#pragma once

#include <cairo.h>

#include <string>

#include "common/base/status.h"

namespace quire {

// Appends an opaque RGB24 cairo image `surface` to `out` as an RGB PNG with
// `dpi` in its pHYs chunk. INTERNAL when libpng fails.
Status EncodePng(cairo_surface_t* surface, double dpi, std::string* out);

}  // namespace quire
