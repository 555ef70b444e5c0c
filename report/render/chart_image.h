// Chart images: one chart on its own as PNG (at a chosen DPI, recorded in
// the file's pHYs chunk), SVG or a one-page PDF — in memory for the
// RenderChart rpc, or as a file for a job's png/svg outputs. The drawing is
// DrawChart's, the same as inside a report: on cairo's image and SVG
// surfaces, and for a PDF on a PdfCanvas (pdf_canvas.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/charts/chart.h"

namespace quire {

enum class ImageFormat { kPng, kSvg, kPdf };
// "png", "svg", "pdf"; nullopt for anything else.
std::optional<ImageFormat> ImageFormatFromName(std::string_view name);
const char* ImageFormatName(ImageFormat format);

constexpr double kDefaultImageDpi = 144;
constexpr double kMaxImagePixels = 8192;  // per side of a PNG

// The chart as image bytes, spec.width x spec.height pt (a PNG is
// width * dpi / 72 pixels wide). INVALID_ARGUMENT for a dpi outside
// 18..1200, a PNG over 8192 pixels a side, or DrawChart's complaints about
// the data; INTERNAL when cairo fails or a font cannot be embedded.
StatusOr<std::string> RenderChartImage(const ChartSpec& spec, const Table& data, ImageFormat format,
                                       double dpi = kDefaultImageDpi,
                                       const ChartTheme& theme = ChartTheme());

// RenderChartImage into `path` (written to a partial file and moved into
// place: file_output.h).
Status WriteChartImage(const ChartSpec& spec, const Table& data, ImageFormat format,
                       const std::string& path, double dpi = kDefaultImageDpi,
                       const ChartTheme& theme = ChartTheme());

// Renders one chart to `path` as "png" (width_pt x height_pt at `dpi`, so
// width_pt * dpi / 72 pixels wide) or "svg" (in pt; dpi ignored): a
// shorthand for WriteChartImage with the size given apart from the spec.
// INVALID_ARGUMENT for another format, a bad size or dpi, INTERNAL when the
// file cannot be written, or DrawChart's error.
Status RenderChartToFile(const ChartSpec& spec, const Table& data, const std::string& format,
                         const std::string& path, double width_pt, double height_pt,
                         double dpi = 144, const ChartTheme& theme = ChartTheme());

// Pixels of `pt` points at `dpi`, rounded up (480 pt at 300 dpi: 2000).
double ImagePixels(double pt, double dpi);

// The DPI a PNG's pHYs chunk records; nullopt without one. For tests and
// tools.
std::optional<double> PngDpi(std::string_view png);

}  // namespace quire
