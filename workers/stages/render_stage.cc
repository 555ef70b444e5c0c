// RENDERING_REPORT: writes the report documents the job asks for. PDF now;
// XLSX, CSV and JSON come with the rendering work and are refused clearly
// until then.
#include "workers/pipeline.h"
#include "workers/render/pdf_renderer.h"

namespace quire {
namespace {

class RenderStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kRenderingReport; }
  int start_percent() const override { return 60; }
  Status Run(JobContext& ctx) override {
    for (const auto& format : ctx.resolved.outputs) {
      if (format == "png" || format == "svg") continue;  // GENERATING_CHARTS wrote them
      if (format != "pdf") {
        return Status(StatusCode::kUnimplemented,
                      "output format '" + format + "' is not supported yet; use pdf, png or svg");
      }
      std::string path = ctx.output_dir + "/report.pdf";
      QUIRE_RETURN_IF_ERROR(
          RenderPdf(ctx.resolved.tmpl, ctx.resolved.params, ctx.data, path, ctx.cancelled));
      ctx.outputs_written.push_back(path);
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeRenderStage() { return std::make_unique<RenderStage>(); }

}  // namespace quire
