// Chart images: PNG and SVG through cairo, PDF through PdfCanvas (cairo for
// fonts it cannot embed).
#include "report/render/chart_image.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include <cmath>
#include <cstdio>

#include "report/render/file_output.h"
#include "report/render/internal/png_encoder.h"
#include "report/render/pdf_canvas.h"

namespace quire {
namespace {

constexpr double kMinDpi = 18;
constexpr double kMaxDpi = 1200;
constexpr size_t kPngSignature = 8;

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

uint32_t GetU32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

}  // namespace

std::optional<ImageFormat> ImageFormatFromName(std::string_view name) {
  if (name == "png") return ImageFormat::kPng;
  if (name == "svg") return ImageFormat::kSvg;
  if (name == "pdf") return ImageFormat::kPdf;
  return std::nullopt;
}

const char* ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kSvg:
      return "svg";
    case ImageFormat::kPdf:
      return "pdf";
  }
  return "?";
}

StatusOr<std::string> RenderChartImage(const ChartSpec& spec, const Table& data, ImageFormat format,
                                       double dpi, const ChartTheme& theme) {
  const double w = spec.width, h = spec.height;
  if (!(w > 0 && h > 0)) return Status::InvalidArgument("chart width and height must be positive");
  if (format == ImageFormat::kPdf) {
    PdfCanvas canvas(w, h);
    QUIRE_RETURN_IF_ERROR(DrawChart(canvas, spec, data, {0, 0, w, h}, theme));
    StatusOr<std::string> pdf = canvas.Finish(spec.title);
    // A font PdfCanvas cannot embed (PostScript outlines, bitmaps, colour,
    // a variable font's instance) or HarfBuzz cannot subset: cairo's PDF
    // surface can, more slowly.
    if (pdf.ok()) return pdf;
  }
  std::string bytes;
  cairo_surface_t* surface = nullptr;
  double scale = 1;
  switch (format) {
    case ImageFormat::kPng: {
      if (!(dpi >= kMinDpi && dpi <= kMaxDpi)) {
        return Status::InvalidArgument("dpi must be between 18 and 1200, not " + FormatDouble(dpi));
      }
      scale = dpi / 72.0;
      const double pw = ImagePixels(w, dpi), ph = ImagePixels(h, dpi);
      if (pw > kMaxImagePixels || ph > kMaxImagePixels) {
        return Status::InvalidArgument("a " + FormatDouble(w) + " x " + FormatDouble(h) +
                                       " pt chart at " + FormatDouble(dpi) +
                                       " dpi is over 8192 pixels a side; lower the dpi");
      }
      surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(pw),
                                           static_cast<int>(ph));
      break;
    }
    case ImageFormat::kSvg:
      surface = cairo_svg_surface_create_for_stream(AppendBytes, &bytes, w, h);
      break;
    case ImageFormat::kPdf:
      surface = cairo_pdf_surface_create_for_stream(AppendBytes, &bytes, w, h);
      cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, spec.title.c_str());
      cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Quire");
      break;
  }
  Status status = CairoError(cairo_surface_status(surface), "cannot create the image");
  if (status.ok()) {
    cairo_t* cr = cairo_create(surface);
    cairo_scale(cr, scale, scale);
    status = DrawChart(cr, spec, data, {0, 0, w, h}, theme);
    if (status.ok()) status = CairoError(cairo_status(cr), "drawing failed");
    cairo_destroy(cr);
  }
  if (status.ok() && format == ImageFormat::kPng) {
    status = EncodePng(surface, dpi, &bytes);
  }
  cairo_surface_finish(surface);
  if (status.ok()) status = CairoError(cairo_surface_status(surface), "cannot write the image");
  cairo_surface_destroy(surface);
  if (!status.ok()) return status;
  return bytes;
}

Status WriteChartImage(const ChartSpec& spec, const Table& data, ImageFormat format,
                       const std::string& path, double dpi, const ChartTheme& theme) {
  StatusOr<std::string> bytes = RenderChartImage(spec, data, format, dpi, theme);
  if (!bytes.ok()) return bytes.status();
  return WriteFileAtomically(path, *bytes);
}

double ImagePixels(double pt, double dpi) { return std::ceil(pt * dpi / 72 - 1e-6); }

std::optional<double> PngDpi(std::string_view png) {
  size_t at = kPngSignature;
  while (at + 12 <= png.size()) {
    const uint32_t length = GetU32(png, at);
    const std::string_view type = png.substr(at + 4, 4);
    if (type == "pHYs" && length == 9 && at + 8 + 9 <= png.size() && png[at + 16] == 1) {
      return GetU32(png, at + 8) * 0.0254;
    }
    if (type == "IDAT" || type == "IEND") break;
    at += 12 + static_cast<size_t>(length);
  }
  return std::nullopt;
}

Status RenderChartToFile(const ChartSpec& spec, const Table& data, const std::string& format,
                         const std::string& path, double width_pt, double height_pt, double dpi,
                         const ChartTheme& theme) {
  const auto image = ImageFormatFromName(format);
  if (!image || *image == ImageFormat::kPdf) {
    return Status::InvalidArgument("unknown chart image format '" + format +
                                   "' (expected png or svg)");
  }
  ChartSpec sized = spec;
  sized.width = width_pt;
  sized.height = height_pt;
  return WriteChartImage(sized, data, *image, path, dpi, theme);
}

}  // namespace quire
