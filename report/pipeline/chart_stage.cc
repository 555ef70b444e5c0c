// GENERATING_CHARTS: writes a standalone image of every chart section when
// the job asks for PNG or SVG. Charts inside the PDF are drawn as vectors by
// RENDERING_REPORT from the same chart code. Sections whose `when:` is false
// are skipped; a chart whose data is unavailable (an optional source that
// failed, or a transform over one) gets no image, as the PDF shows
// "data unavailable" in its place. Charts inside `for_each:` are drawn once,
// over all rows.
#include <spdlog/spdlog.h>

#include <chrono>

#include "report/charts/chart.h"
#include "report/pipeline/pipeline.h"
#include "report/render/chart_image.h"

namespace quire {
namespace {

class ChartStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kGeneratingCharts; }
  int start_percent() const override { return 40; }
  Status Run(JobContext& ctx) override {
    if (!ctx.Wants("png") && !ctx.Wants("svg")) return Status::OK();
    int n = 0;
    return DrawAll(ctx, ctx.resolved.tmpl.sections, ChartThemeFor(ctx.resolved.tmpl.theme), &n);
  }

 private:
  Status DrawAll(JobContext& ctx, const std::vector<Section>& sections, const ChartTheme& theme,
                 int* n) {
    const auto now = std::chrono::system_clock::now();
    for (const auto& section : sections) {
      if (ctx.cancelled && ctx.cancelled()) return Status::Cancelled("cancelled while charting");
      if (!section.when.empty()) {
        auto show = EvaluateCondition(section.when, ctx.resolved.params);
        if (!show.ok()) return show.status();
        if (!*show) continue;
      }
      if (!section.sections.empty())
        QUIRE_RETURN_IF_ERROR(DrawAll(ctx, section.sections, theme, n));
      if (section.kind != SectionKind::kChart) continue;
      ++*n;
      auto it = ctx.data.tables.find(section.chart.source);
      if (it == ctx.data.tables.end()) {
        spdlog::info("chart {} ('{}'): no data for '{}'; no image", *n, section.chart.title,
                     section.chart.source);
        continue;
      }
      ChartSpec chart = ExpandChartText(section.chart, ctx.resolved.params, now);
      for (const ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg}) {
        const char* ext = ImageFormatName(format);
        if (!ctx.Wants(ext)) continue;
        std::string path = ctx.output_dir + "/chart" + std::to_string(*n) + "." + ext;
        QUIRE_RETURN_IF_ERROR(WriteChartImage(chart, it->second, format, path,
                                              ctx.resolved.tmpl.theme.image_dpi, theme));
        ctx.outputs_written.push_back(path);
      }
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeChartStage() { return std::make_unique<ChartStage>(); }

}  // namespace quire
