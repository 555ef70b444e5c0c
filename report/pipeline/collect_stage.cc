// COLLECTING_DATA: fetches one table per data source the template declares
// (report/data/collector.h: concurrently, with retries, fallbacks and
// optional sources), then runs the template's transforms over them
// (report/data/transforms.h). An optional source that failed has no
// table, nor has a transform reading it, and their sections say "Data
// unavailable"; the reason is logged and recorded on the job as a warning.
// Tables come from the source cache when the worker has one, unless the
// job asks for fresh data.
#include <spdlog/spdlog.h>

#include "report/data/collector.h"
#include "report/data/transforms.h"
#include "report/pipeline/pipeline.h"

namespace quire {
namespace {

class CollectStage final : public PipelineStage {
 public:
  Stage id() const override { return Stage::kCollectingData; }
  int start_percent() const override { return 20; }
  Status Run(JobContext& ctx) override {
    std::unique_ptr<SourceCollector> local;
    SourceCollector* sources = ctx.sources;
    if (sources == nullptr) {
      local = std::make_unique<SourceCollector>(CollectorOptions());
      sources = local.get();
    }
    CacheScope scope;
    scope.template_version = ctx.resolved.template_version;
    scope.fresh = ctx.spec.fresh_data;
    QUIRE_RETURN_IF_ERROR(sources->Collect(ctx.resolved.tmpl, ctx.resolved.params, ctx.cancelled,
                                           &ctx.data, &ctx.warnings, scope));
    for (const std::string& w : ctx.warnings) spdlog::warn("{}", w);
    return RunTransforms(ctx.resolved.tmpl, ctx.resolved.params, &ctx.data, ctx.cancelled);
  }
};

}  // namespace

std::unique_ptr<PipelineStage> MakeCollectStage() { return std::make_unique<CollectStage>(); }

}  // namespace quire
