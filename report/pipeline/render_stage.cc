// RENDERING_REPORT: writes the report documents the job asks for —
// report.pdf, report.xlsx, and tableN.csv / tableN.json for each shown
// table section. The PDF and the XLSX are written at the same time, on
// this thread and one more: the job's latency is the slower of the two, not
// their sum. PNG and SVG images are GENERATING_CHARTS' business.
#include <future>

#include "report/pipeline/pipeline.h"
#include "report/render/pdf_renderer.h"
#include "report/render/table_export.h"
#include "report/render/xlsx_renderer.h"

namespace quire {
namespace {

class RenderStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kRenderingReport; }
  int start_percent() const override { return 60; }
  Status Run(JobContext& ctx) override {
    for (const std::string& format : ctx.resolved.outputs) {
      if (!OutputFormatFromName(format)) {
        return Status::InvalidArgument("unknown output format '" + format + "'");
      }
    }
    const ReportTemplate& tmpl = ctx.resolved.tmpl;
    const std::string pdf = ctx.output_dir + "/report.pdf";
    const std::string xlsx = ctx.output_dir + "/report.xlsx";
    // Both renderers only read the job's template, parameters and data.
    std::future<Status> xlsx_done;
    if (ctx.Wants("xlsx")) {
      xlsx_done = std::async(std::launch::async, [&] {
        return RenderXlsx(tmpl, ctx.resolved.params, ctx.data, xlsx, ctx.cancelled);
      });
    }
    Status status;
    if (ctx.Wants("pdf")) status = RenderPdf(tmpl, ctx.resolved.params, ctx.data, pdf, ctx.cancelled);
    if (xlsx_done.valid()) {
      Status s = xlsx_done.get();
      if (status.ok()) status = s;
    }
    QUIRE_RETURN_IF_ERROR(status);
    if (ctx.Wants("pdf")) ctx.outputs_written.push_back(pdf);
    if (ctx.Wants("xlsx")) ctx.outputs_written.push_back(xlsx);
    if (ctx.Wants("csv") || ctx.Wants("json")) {
      StatusOr<std::vector<std::string>> written =
          WriteTableExports(tmpl, ctx.resolved.params, ctx.data, ctx.output_dir,
                            {ctx.Wants("csv"), ctx.Wants("json")}, ctx.cancelled);
      if (!written.ok()) return written.status();
      ctx.outputs_written.insert(ctx.outputs_written.end(), written->begin(), written->end());
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeRenderStage() { return std::make_unique<RenderStage>(); }

}  // namespace quire
