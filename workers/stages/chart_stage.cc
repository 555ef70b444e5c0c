// GENERATING_CHARTS: writes a standalone image of every chart section when
// the job asks for PNG or SVG. Charts inside the PDF are drawn as vectors by
// RENDERING_REPORT from the same chart code.
#include <algorithm>
#include <chrono>

#include "workers/charts/chart.h"
#include "workers/pipeline.h"

namespace quire {
namespace {

bool Wants(const JobContext& ctx, const char* format) {
  const auto& o = ctx.resolved.outputs;
  return std::find(o.begin(), o.end(), format) != o.end();
}

class ChartStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kGeneratingCharts; }
  int start_percent() const override { return 40; }
  Status Run(JobContext& ctx) override {
    int n = 0;
    const auto now = std::chrono::system_clock::now();
    for (const auto& section : ctx.resolved.tmpl.sections) {
      if (section.kind != SectionKind::kChart) continue;
      ++n;
      if (ctx.cancelled && ctx.cancelled()) return Status::Cancelled("cancelled while charting");
      auto it = ctx.data.tables.find(section.chart.source);
      if (it == ctx.data.tables.end()) {
        return Status::FailedPrecondition("chart " + std::to_string(n) + " uses source '" +
                                          section.chart.source + "', which has no data");
      }
      ChartSpec chart = ExpandChartText(section.chart, ctx.resolved.params, now);
      for (const char* format : {"png", "svg"}) {
        if (!Wants(ctx, format)) continue;
        std::string path = ctx.output_dir + "/chart" + std::to_string(n) + "." + format;
        QUIRE_RETURN_IF_ERROR(
            RenderChartToFile(chart, it->second, format, path, chart.width, chart.height));
        ctx.outputs_written.push_back(path);
      }
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeChartStage() { return std::make_unique<ChartStage>(); }

}  // namespace quire
