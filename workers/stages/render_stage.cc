// RENDERING_REPORT: writes the report documents the job asks for —
// report.pdf, report.xlsx, and tableN.csv / tableN.json for each shown
// table section. PNG and SVG images are GENERATING_CHARTS' business.
#include <algorithm>

#include "workers/pipeline.h"
#include "workers/render/pdf_renderer.h"
#include "workers/render/table_export.h"
#include "workers/render/xlsx_renderer.h"

namespace quire {
namespace {

class RenderStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kRenderingReport; }
  int start_percent() const override { return 60; }
  Status Run(JobContext& ctx) override {
    const auto& outputs = ctx.resolved.outputs;
    const auto wants = [&](const char* format) {
      return std::find(outputs.begin(), outputs.end(), format) != outputs.end();
    };
    for (const std::string& format : outputs) {
      if (!OutputFormatFromName(format)) {
        return Status::InvalidArgument("unknown output format '" + format + "'");
      }
    }
    const ReportTemplate& tmpl = ctx.resolved.tmpl;
    if (wants("pdf")) {
      const std::string path = ctx.output_dir + "/report.pdf";
      QUIRE_RETURN_IF_ERROR(RenderPdf(tmpl, ctx.resolved.params, ctx.data, path, ctx.cancelled));
      ctx.outputs_written.push_back(path);
    }
    if (wants("xlsx")) {
      const std::string path = ctx.output_dir + "/report.xlsx";
      QUIRE_RETURN_IF_ERROR(RenderXlsx(tmpl, ctx.resolved.params, ctx.data, path, ctx.cancelled));
      ctx.outputs_written.push_back(path);
    }
    if (wants("csv") || wants("json")) {
      StatusOr<std::vector<std::string>> written =
          WriteTableExports(tmpl, ctx.resolved.params, ctx.data, ctx.output_dir,
                            {wants("csv"), wants("json")}, ctx.cancelled);
      if (!written.ok()) return written.status();
      ctx.outputs_written.insert(ctx.outputs_written.end(), written->begin(), written->end());
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeRenderStage() { return std::make_unique<RenderStage>(); }

}  // namespace quire
