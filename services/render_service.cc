#include "services/render_service.h"

#include <chrono>

#include "common/table/table.h"
#include "common/template/template.h"
#include "report/render/chart_image.h"
#include "services/proto_convert.h"

namespace quire {
namespace {

constexpr size_t kMaxColumns = 64;

const char* ContentType(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return "image/png";
    case ImageFormat::kSvg:
      return "image/svg+xml";
    case ImageFormat::kPdf:
      return "application/pdf";
  }
  return "application/octet-stream";
}

StatusOr<Table> BuildTable(const v1::RenderChartRequest& req, std::vector<ColumnSpec>* columns) {
  if (req.columns().empty()) return Status::InvalidArgument("columns: at least one is required");
  if (static_cast<size_t>(req.columns_size()) > kMaxColumns) {
    return Status::InvalidArgument("columns: at most 64 are allowed");
  }
  Table table;
  for (const v1::ChartColumn& c : req.columns()) {
    auto type = ColumnTypeFromName(c.type());
    if (!type) {
      return Status::InvalidArgument("column '" + c.name() + "': unknown type '" + c.type() +
                                     "' (text, int, float, bool or date)");
    }
    if (c.name().empty()) return Status::InvalidArgument("every column needs a name");
    if (table.AddColumn(c.name(), *type) == nullptr) {
      return Status::InvalidArgument("column '" + c.name() + "' appears twice");
    }
    columns->push_back({c.name(), *type});
  }
  std::vector<std::optional<std::string>> cells;
  for (int r = 0; r < req.rows_size(); ++r) {
    const v1::ChartRow& row = req.rows(r);
    cells.clear();
    for (const v1::ChartCell& cell : row.cells()) {
      if (cell.is_null()) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(cell.value());
      }
    }
    Status s = table.AppendTextRow(cells);
    if (!s.ok()) return Status::InvalidArgument("rows[" + std::to_string(r) + "]: " + s.message());
  }
  return table;
}

}  // namespace

Status RenderChartRequest(const v1::RenderChartRequest& req, v1::RenderChartResponse* resp) {
  const auto start = std::chrono::steady_clock::now();
  if (req.chart().empty()) return Status::InvalidArgument("chart is required (the chart's YAML)");
  ImageFormat format = ImageFormat::kPng;
  switch (req.format()) {
    case v1::IMAGE_FORMAT_UNSPECIFIED:
    case v1::IMAGE_FORMAT_PNG:
      break;
    case v1::IMAGE_FORMAT_SVG:
      format = ImageFormat::kSvg;
      break;
    case v1::IMAGE_FORMAT_PDF:
      format = ImageFormat::kPdf;
      break;
    default:
      return Status::InvalidArgument("unknown image format " + std::to_string(req.format()));
  }
  const double dpi = req.dpi() == 0 ? kDefaultImageDpi : req.dpi();

  std::vector<ColumnSpec> columns;
  StatusOr<Table> table = BuildTable(req, &columns);
  if (!table.ok()) return table.status();
  ChartParseResult parsed = ParseChart(req.chart(), columns);
  if (!parsed.chart) {
    std::string message = "the chart is not valid:";
    for (const ValidationIssue& issue : parsed.issues) {
      if (issue.severity >= Severity::kError) message += "\n" + FormatIssue(issue);
    }
    return Status::InvalidArgument(message);
  }
  const ParamValues no_params;
  const ChartSpec chart =
      ExpandChartText(*parsed.chart, no_params, std::chrono::system_clock::now());
  StatusOr<std::string> image = RenderChartImage(chart, *table, format, dpi);
  if (!image.ok()) return image.status();

  resp->set_image(std::move(*image));
  resp->set_content_type(ContentType(format));
  for (const ValidationIssue& issue : parsed.issues) ToProto(issue, resp->add_issues());
  const bool png = format == ImageFormat::kPng;
  resp->set_width(png ? ImagePixels(chart.width, dpi) : chart.width);
  resp->set_height(png ? ImagePixels(chart.height, dpi) : chart.height);
  resp->set_render_ms(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return Status::OK();
}

RenderServiceImpl::RenderServiceImpl(const RenderServiceOptions& options)
    : pool_({options.threads, options.max_queued,
             "too many charts are being drawn; retry shortly"}) {}

grpc::ServerUnaryReactor* RenderServiceImpl::RenderChart(grpc::CallbackServerContext* ctx,
                                                         const v1::RenderChartRequest* req,
                                                         v1::RenderChartResponse* resp) {
  return pool_.Answer(ctx, [req, resp] { return ToGrpc(RenderChartRequest(*req, resp)); });
}

}  // namespace quire
